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


def make_listing(
    listing_id: str,
    *,
    platform: str = "demo-taobao",
    title: str = "奉节脐橙 5斤装 当季现摘",
    seller_id: str | None = "s-1021",
    seller_name: str | None = "果园直发店",
    company: str | None = None,
    ship_from: str | None = "江西 赣州",
    price: float | None = 39.9,
    captured_at: str = "2026-11-20T10:00:00+08:00",
):
    """A contract listing record with plausible defaults, for tests and fixtures."""
    from matchers.records import Listing

    record: dict = {
        "platform": platform,
        "listing_id": listing_id,
        "url": f"https://{platform}.example/item/{listing_id}",
        "title": title,
        "captured_at": captured_at,
    }
    if price is not None:
        record["price"] = price
    seller = {
        key: value
        for key, value in (("id", seller_id), ("name", seller_name), ("company", company))
        if value is not None
    }
    if seller:
        record["seller"] = seller
    if ship_from is not None:
        record["ship_from"] = ship_from
    return Listing.from_record(record)


def make_finding(listing, *violations: tuple[str, str] | tuple[str, str, float]):
    """A finding for `listing` with one violation per (code, mark[, score]); none means clean."""
    from matchers.records import Evidence, Finding, Violation

    built = []
    for entry in violations:
        code, mark = entry[0], entry[1]
        score = entry[2] if len(entry) > 2 else 0.9
        built.append(
            Violation(
                code=code,
                mark=mark,
                score=score,
                reason=f"测试：{code} {mark}",
                evidence=Evidence(field="title", span=(0, 4), matched=listing.title[:4]),
                legal_basis="《商标法》第五十七条",
            )
        )
    risk = max((violation.score for violation in built), default=0.0)
    return Finding(
        platform=listing.platform,
        listing_id=listing.listing_id,
        violations=tuple(built),
        risk=risk,
        licensee_id=None,
    )
