"""Shared fixtures. Package-specific fixtures live in the conftest.py beside their tests."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"
FENGJIE_PACK = REPO_ROOT / "brandpacks" / "fengjie"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def contract_schemas() -> dict[str, dict]:
    """The JSON Schemas of ../shared/spec, the contract every record must follow."""
    import json

    spec = SHARED_DIR / "spec"
    return {
        name: json.loads((spec / f"{name}.schema.json").read_text(encoding="utf-8"))
        for name in ("listing", "finding")
    }
