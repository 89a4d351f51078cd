"""When the latest catalogue revision was written, for measuring how fast changes propagate.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("catalogue_state") as table:
        table.add_column(sa.Column("changed_at_ms", sa.BigInteger))


def downgrade() -> None:
    with op.batch_alter_table("catalogue_state") as table:
        table.drop_column("changed_at_ms")
