"""Mirroring another Models API: which source each synced model came from, and each source's
last run.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_sources",
        sa.Column("model_id", sa.String(256), primary_key=True),
        sa.Column("source", sa.String(1024), nullable=False),
        sa.Column("upstream", sa.Text, nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_model_sources_source", "model_sources", ["source"])
    op.create_table(
        "sync_schedule",
        sa.Column("source", sa.String(1024), primary_key=True),
        sa.Column("next_at_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "sync_runs",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("source", sa.String(1024), nullable=False),
        sa.Column("started_at_ms", sa.BigInteger, nullable=False),
        sa.Column("finished_at_ms", sa.BigInteger),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("report", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("request_id", sa.String(128)),
    )
    op.create_index("ix_sync_runs_source", "sync_runs", ["source", "seq"])


def downgrade() -> None:
    op.drop_index("ix_sync_runs_source", "sync_runs")
    op.drop_table("sync_runs")
    op.drop_table("sync_schedule")
    op.drop_index("ix_model_sources_source", "model_sources")
    op.drop_table("model_sources")
