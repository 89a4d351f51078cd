"""Read-only admin keys: a scope on each admin key (every existing key keeps full rights).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("admin_keys") as table:
        table.add_column(
            sa.Column("read_only", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("admin_keys") as table:
        table.drop_column("read_only")
