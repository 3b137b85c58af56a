"""Alembic environment for the case database, driven by cases.db (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from cases.db import create_db_engine
from cases.models import Base, UtcDateTime

config = context.config


def render_item(type_, obj, autogen_context):
    """Migrations describe storage only: UtcDateTime is a plain timestamptz column there."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # Batch mode copies tables; enforced foreign keys would block the copy.
                connection.execute(text("PRAGMA foreign_keys=OFF"))
                connection.commit()
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=True,
                compare_type=True,
                render_item=render_item,
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    # Two processes migrating at once: the second waits, then finds nothing to do.
                    connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('haopin-migrations'))"))
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported: run `cases.db.migrate(url)`")
run_migrations_online()
