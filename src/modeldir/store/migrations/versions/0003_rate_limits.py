"""Rate limits per workspace and per key of a workspace.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspaces") as table:
        table.add_column(sa.Column("requests_per_minute", sa.Integer))
        table.add_column(sa.Column("key_requests_per_minute", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("workspaces") as table:
        table.drop_column("key_requests_per_minute")
        table.drop_column("requests_per_minute")
