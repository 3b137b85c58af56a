"""The case database: models, migrations, the case store, the workflow and read-side queries.

See docs/cases.md. Imports SQLAlchemy, Alembic and the plain record types of `matchers`; never the CLI.
"""
