"""slack views opened, and for whom

Revision ID: authz_0001
Revises: e992067cc134
Create Date: 2026-12-04 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "authz_0001"
down_revision: str | None = "e992067cc134"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_view",
        sa.Column("view_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("view_id"),
    )
    with op.batch_alter_table("slack_view", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slack_view_opened_at"), ["opened_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_slack_view_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("slack_view", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_view_person_id"))
        batch_op.drop_index(batch_op.f("ix_slack_view_opened_at"))
    op.drop_table("slack_view")
