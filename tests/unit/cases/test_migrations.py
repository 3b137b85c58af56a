"""The Alembic migrations build the schema the models describe, on every backend, and can be undone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select

from cases import db
from cases.models import Base, Platform


def table_names(url: str) -> set[str]:
    return set(inspect(db.engine_for(url)).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_creates_every_model_table(blank_database_url):
    assert table_names(blank_database_url) == set()
    db.migrate(blank_database_url)
    assert table_names(blank_database_url) == set(Base.metadata.tables)
    assert db.current_revision(blank_database_url) == db.head_revision()


def test_schema_matches_models_after_upgrade(blank_database_url):
    """Autogenerate finds nothing to do: the migrations and the models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    db.migrate(blank_database_url)
    with db.engine_for(blank_database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_downgrade_to_base_and_upgrade_again(blank_database_url):
    db.migrate(blank_database_url)
    Session = db.session_factory(blank_database_url)
    with Session.begin() as session:
        session.add(Platform(slug="demo-taobao"))
    db.downgrade(blank_database_url, "base")
    assert table_names(blank_database_url) == set()
    assert db.current_revision(blank_database_url) is None
    db.migrate(blank_database_url)
    assert table_names(blank_database_url) == set(Base.metadata.tables)
    with Session() as session:
        assert session.scalars(select(Platform)).all() == []


def test_datetimes_come_back_aware_and_equal(migrated_url):
    """SQLite has no time zones: the stored UTC value must still round-trip as the same instant."""
    Session = db.session_factory(migrated_url)
    beijing = timezone(timedelta(hours=8))
    seen = datetime(2026, 11, 20, 10, 0, 0, tzinfo=beijing)
    with Session.begin() as session:
        session.add(Platform(slug="tz-check", created_at=seen))
    with Session() as session:
        stored = session.scalars(select(Platform).where(Platform.slug == "tz-check")).one()
    assert stored.created_at.tzinfo is not None
    assert stored.created_at == seen
    assert stored.created_at.astimezone(UTC).hour == 2


def test_naive_datetime_is_refused(migrated_url):
    Session = db.session_factory(migrated_url)
    with pytest.raises(Exception, match="naive datetime"):
        with Session.begin() as session:
            session.add(Platform(slug="naive", created_at=datetime(2026, 11, 20, 10, 0)))


def test_upgrade_keeps_data_written_under_the_first_revision(blank_database_url):
    """0001 → 0002 adds the allow-list revocation columns without losing entries; and back again."""
    from sqlalchemy import text

    db.downgrade(blank_database_url, "base")
    db.migrate(blank_database_url, "0001")
    engine = db.engine_for(blank_database_url)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO platforms (id, slug, created_at) VALUES (1, 'demo-jd', :t)"),
            {"t": datetime(2026, 11, 20, tzinfo=UTC)},
        )
        connection.execute(
            text(
                "INSERT INTO listings (id, platform_id, external_id, url, title, content_hash, first_seen_at, "
                "last_seen_at) VALUES (1, 1, '55', 'https://jd.example/55', '奉节脐橙', :h, :t, :t)"
            ),
            {"h": "0" * 64, "t": datetime(2026, 11, 20, tzinfo=UTC)},
        )
        connection.execute(
            text(
                "INSERT INTO allow_list (id, listing_id, mark, code, reason, actor, created_at) "
                "VALUES (1, 1, 'FJQC', 'GI_FALSE_ORIGIN', '误报', '李四', :t)"
            ),
            {"t": datetime(2026, 11, 21, tzinfo=UTC)},
        )
    db.migrate(blank_database_url)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT reason, revoked_at FROM allow_list")).one()
    assert tuple(row) == ("误报", None)
    db.downgrade(blank_database_url, "0001")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT reason FROM allow_list")).scalar() == "误报"
    db.migrate(blank_database_url)


def test_every_foreign_key_is_indexed(migrated_url):
    """Joins and cascading checks on a large case database depend on it; guards future migrations."""
    inspector = inspect(db.engine_for(migrated_url))
    missing = []
    for table in inspector.get_table_names():
        indexed = [tuple(index["column_names"]) for index in inspector.get_indexes(table)]
        indexed.append(tuple(inspector.get_pk_constraint(table)["constrained_columns"]))
        indexed += [tuple(unique["column_names"]) for unique in inspector.get_unique_constraints(table)]
        for key in inspector.get_foreign_keys(table):
            columns = tuple(key["constrained_columns"])
            if not any(candidate[: len(columns)] == columns for candidate in indexed):
                missing.append(f"{table}.{','.join(columns)}")
    assert missing == []


def test_constraint_names_follow_the_convention(migrated_url):
    inspector = inspect(db.engine_for(migrated_url))
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        for key in inspector.get_foreign_keys(table):
            assert key["name"].startswith(f"fk_{table}_"), key
        for unique in inspector.get_unique_constraints(table):
            assert unique["name"].startswith(f"uq_{table}_"), unique


def test_two_processes_migrating_a_fresh_database_at_once_both_succeed(blank_database_url):
    """A crawl and an officer's command starting together on a new database must not trip each other."""
    import subprocess
    import sys

    db.downgrade(blank_database_url, "base")
    script = "import sys; from cases.db import migrate; migrate(sys.argv[1])"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, blank_database_url], stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    failures = [p.stderr.read() for p in processes if p.wait(timeout=120) != 0]
    assert failures == []
    assert db.current_revision(blank_database_url) == db.head_revision()
