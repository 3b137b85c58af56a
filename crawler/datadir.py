"""Where haopin keeps its state: the SQLite database, images, evidence, reports."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """HAOPIN_DATA_DIR, or ./data below the working directory; created on first use."""
    path = Path(os.environ.get("HAOPIN_DATA_DIR", "data")).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path
