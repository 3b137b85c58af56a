"""Alembic migrations of the case database (run through cases.db.migrate)."""
