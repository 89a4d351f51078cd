"""The first schema: organisation, revision counter, workspaces, API keys, models, aliases.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organization",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    state = op.create_table(
        "catalogue_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("revision", sa.BigInteger, nullable=False),
        sa.Column("seeded", sa.Boolean, nullable=False),
    )
    op.bulk_insert(state, [{"id": 1, "revision": 0, "seeded": False}])
    op.create_table(
        "workspaces",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("archived_at", sa.BigInteger),
        sa.Column("model_access", sa.Text),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False, index=True),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("workspace_id", sa.String(64), sa.ForeignKey("workspaces.id"), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("partial_key_hint", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger),
        sa.Column("revision", sa.BigInteger, nullable=False, index=True),
    )
    op.create_table(
        "models",
        sa.Column("id", sa.String(256), primary_key=True),
        sa.Column("display_name", sa.String(256), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("max_input_tokens", sa.BigInteger),
        sa.Column("max_tokens", sa.BigInteger),
        sa.Column("capabilities", sa.Text),
        sa.Column("lifecycle", sa.String(16), nullable=False),
        sa.Column("deprecated_at", sa.BigInteger),
        sa.Column("retires_at", sa.BigInteger),
        sa.Column("line", sa.String(32)),
        sa.Column("allowed_fallback_models", sa.Text),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False, index=True),
    )
    op.create_table(
        "aliases",
        sa.Column("alias", sa.String(256), primary_key=True),
        sa.Column("model_id", sa.String(256), nullable=False),
        sa.Column("listed", sa.Boolean, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False, index=True),
    )


def downgrade() -> None:
    for table in ("aliases", "models", "api_keys", "workspaces", "catalogue_state", "organization"):
        op.drop_table(table)
