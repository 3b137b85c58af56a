"""Allow-list entries are revoked, not deleted: the violations they suppressed keep their reference.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 22:36:07.181031
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("allow_list", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revoked_by", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("revoked_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("allow_list", schema=None) as batch_op:
        batch_op.drop_column("revoked_reason")
        batch_op.drop_column("revoked_by")
        batch_op.drop_column("revoked_at")
