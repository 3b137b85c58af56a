"""Case-database fixtures: every test here runs once on SQLite and once on PostgreSQL
(when HAOPIN_TEST_DATABASE_URL is set), each test module on a freshly migrated schema."""

from __future__ import annotations

import pytest

from cases.testing import BACKENDS, empty_tables, postgres_test_url, temporary_database


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite"),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ],
)
def blank_database_url(request, tmp_path_factory):
    """An empty database (no tables) of each backend, fresh for the module."""
    backend = request.param
    assert backend in BACKENDS
    if backend == "postgresql" and postgres_test_url() is None:
        pytest.skip("HAOPIN_TEST_DATABASE_URL is not set: PostgreSQL run skipped")
    with temporary_database(backend, tmp_path_factory.mktemp(backend)) as url:
        yield url


@pytest.fixture(scope="module")
def migrated_url(blank_database_url):
    from cases.db import migrate

    migrate(blank_database_url)
    return blank_database_url


@pytest.fixture
def db_url(migrated_url):
    """A migrated database, emptied after each test."""
    yield migrated_url
    empty_tables(migrated_url)


@pytest.fixture
def Session(db_url):  # noqa: N802 - it is a session factory, named as SQLAlchemy's docs name it
    from cases.db import session_factory

    return session_factory(db_url)
