"""The case database: models, migrations, the case store, the workflow and read-side queries.

See docs/cases.md. Only SQLAlchemy (and the record types of matchers.records) are imported here.
"""
