"""Throw-away case databases for tests, on SQLite and (when configured) PostgreSQL.

    with temporary_database("sqlite", tmp_dir) as url: ...
    with temporary_database("postgresql", tmp_dir) as url: ...   # needs HAOPIN_TEST_DATABASE_URL

A PostgreSQL database gets a fresh schema (dropped afterwards) and a URL whose
search_path points at it, so every test module starts from nothing without
needing the right to create databases.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cases.db import engine_for
from cases.models import Base

TEST_URL_ENV = "HAOPIN_TEST_DATABASE_URL"
BACKENDS = ("sqlite", "postgresql")


def postgres_test_url() -> str | None:
    return os.environ.get(TEST_URL_ENV, "").strip() or None


@contextmanager
def temporary_database(backend: str, directory: Path) -> Iterator[str]:
    """Yield the URL of an empty database; nothing of it remains afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'cases.sqlite'}"
        return
    if backend != "postgresql":
        raise ValueError(f"unknown backend {backend!r}")
    base = postgres_test_url()
    if base is None:
        raise LookupError(f"{TEST_URL_ENV} is not set")
    schema = f"test_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        rendered = url.render_as_string(hide_password=False)
        try:
            yield rendered
        finally:
            engine_for(rendered).dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def empty_tables(url: str) -> None:
    """Delete every row (children first) so the next test starts clean on a migrated schema."""
    with engine_for(url).begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
