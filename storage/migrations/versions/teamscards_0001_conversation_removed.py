"""conversation_ref.removed_at: when the person removed the app (nothing is sent to them since)

Revision ID: teamscards_0001
Revises: nudges_0001
Create Date: 2026-12-06 13:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "teamscards_0001"
down_revision: str | None = "nudges_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversation_ref", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("removed_at", storage.tables.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("conversation_ref", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
