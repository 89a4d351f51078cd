"""Administration: admin keys, the audit log, key rotation, workspace colour and tags.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspaces") as table:
        table.add_column(sa.Column("display_color", sa.String(7), nullable=False, server_default="#6C5BB9"))
        table.add_column(sa.Column("tags", sa.Text, nullable=False, server_default="{}"))
        table.create_index("workspaces_order", ["created_at", "id"])
    with op.batch_alter_table("api_keys") as table:
        table.add_column(sa.Column("created_by", sa.String(64)))
        table.add_column(sa.Column("previous_secret_hash", sa.LargeBinary(32)))
        table.add_column(sa.Column("previous_expires_at", sa.BigInteger))
        table.create_index("api_keys_order", ["created_at", "id"])
    op.create_index("models_order", "models", ["created_at", "id"])
    op.create_table(
        "admin_keys",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("partial_key_hint", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False, index=True),
    )
    op.create_table(
        "audit_log",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("id", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False),
        sa.Column("actor_type", sa.String(32), nullable=False),
        sa.Column("actor_id", sa.String(255), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(32), nullable=False),
        sa.Column("object_id", sa.String(256), nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
    )
    op.create_index("audit_log_object", "audit_log", ["object_id", "seq"])
    op.create_index("audit_log_actor", "audit_log", ["actor_id", "seq"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("admin_keys")
    op.drop_index("models_order", "models")
    with op.batch_alter_table("api_keys") as table:
        table.drop_index("api_keys_order")
        for column in ("previous_expires_at", "previous_secret_hash", "created_by"):
            table.drop_column(column)
    with op.batch_alter_table("workspaces") as table:
        table.drop_index("workspaces_order")
        table.drop_column("tags")
        table.drop_column("display_color")
