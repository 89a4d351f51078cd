"""The audit log by time: an index for its `starting_at` and `ending_at` filters.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("audit_log_created", "audit_log", ["created_at", "seq"])


def downgrade() -> None:
    op.drop_index("audit_log_created", "audit_log")
