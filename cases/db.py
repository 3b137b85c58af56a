"""Where the case database lives, how to connect to it and how to bring its schema up to date.

url = database_url()              # HAOPIN_DATABASE_URL, else data_dir()/haopin.sqlite
migrate(url)                      # Alembic upgrade to head, programmatically
Session = session_factory(url)
with Session.begin() as session:  # one transaction per unit of work
    ...
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ENV_URL = "HAOPIN_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def database_url() -> str:
    """HAOPIN_DATABASE_URL, or the SQLite file haopin.sqlite in the data directory."""
    configured = os.environ.get(ENV_URL, "").strip()
    if configured:
        return configured
    from crawler.datadir import data_dir

    return f"sqlite:///{data_dir() / 'haopin.sqlite'}"


def describe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def create_db_engine(url: str) -> Engine:
    """An engine with the settings haopin relies on (foreign keys and WAL on SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: a crawl writing and an officer reading do not block each other, and a
    # killed writer leaves the last committed batch intact.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One shared engine per URL within a process."""
    return create_db_engine(url)


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url or database_url()), expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic reads the URL through ConfigParser: a literal % must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str | None = None, revision: str = "head") -> None:
    """Upgrade the schema at `url` (default: database_url()) to `revision`.

    Safe when two processes start on a fresh database at once (a crawl and an officer's command):
    migrations are serialised, by a lock on the SQLite file or a PostgreSQL advisory lock.
    """
    url = url or database_url()
    with _migration_lock(url):
        command.upgrade(alembic_config(url), revision)


@contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        yield  # PostgreSQL: the advisory lock is taken in migrations/env.py, inside the transaction
        return
    path = Path(parsed.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    # flock is independent of SQLite's own POSIX locks on Linux, so the database file itself can carry it.
    with open(path, "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine_for(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def open_session_factory(url: str | None = None) -> sessionmaker[Session]:
    """Migrate (a no-op when up to date) and return a session factory: what commands call."""
    url = url or database_url()
    migrate(url)
    return session_factory(url)
