"""An index on when models retire, for the retirement report and the metric of models retiring
soon (both ask for the models whose `retires_at` is before a date).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("models_retiring", "models", ["retires_at"])


def downgrade() -> None:
    op.drop_index("models_retiring", table_name="models")
