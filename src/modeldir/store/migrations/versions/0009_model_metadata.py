"""What the Models API does not carry about a model: prices, provider, family, knowledge cut-off.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_metadata",
        sa.Column("model_id", sa.String(256), primary_key=True),
        sa.Column("provider", sa.String(64)),
        sa.Column("family", sa.String(64)),
        sa.Column("input_price_per_mtok", sa.Float),
        sa.Column("output_price_per_mtok", sa.Float),
        sa.Column("knowledge_cutoff", sa.String(10)),
        sa.Column("source", sa.String(256)),
        sa.Column("revision", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("model_metadata")
