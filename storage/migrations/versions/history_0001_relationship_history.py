"""relationship history and closed-action reasons

A relationship's history (`history_from`, None for the employee's whole past) apart from the
day the import named the manager (`started_on`, the nudges' baseline); and why an action was
closed without a review (`closed_reason`, e.g. superseded by a later imported session).
Existing relationships get the history the import would give them now: an employee's first
relationships cover their whole past, later ones start on their own day.

Revision ID: history_0001
Revises: authz_0001
Create Date: 2026-12-04 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "history_0001"
down_revision: str | None = "authz_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coaching_relationship", schema=None) as batch_op:
        batch_op.add_column(sa.Column("history_from", sa.Date(), nullable=True))
        batch_op.drop_index("ix_relationship_report")
        batch_op.create_index(
            "ix_relationship_report",
            ["employee_id", "history_from", "ended_on", "manager_id"],
            unique=False,
        )
    op.execute(
        "UPDATE coaching_relationship SET history_from = started_on"
        " WHERE started_on > (SELECT min(earlier.started_on) FROM coaching_relationship earlier"
        " WHERE earlier.employee_id = coaching_relationship.employee_id)"
    )
    with op.batch_alter_table("agreed_action", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("closed_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("agreed_action", schema=None) as batch_op:
        batch_op.drop_column("closed_reason")
    with op.batch_alter_table("coaching_relationship", schema=None) as batch_op:
        batch_op.drop_index("ix_relationship_report")
        batch_op.create_index(
            "ix_relationship_report",
            ["employee_id", "started_on", "ended_on", "manager_id"],
            unique=False,
        )
        batch_op.drop_column("history_from")
