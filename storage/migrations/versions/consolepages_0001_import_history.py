"""import_run: who applied each import and what it changed, for the console's import history

Revision ID: consolepages_0001
Revises: scale_0001
Create Date: 2026-12-06 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "consolepages_0001"
down_revision: str | None = "scale_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("added", "updated", "unchanged", "deactivated")


def upgrade() -> None:
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "imported_by",
                sqlmodel.sql.sqltypes.AutoString(),
                server_default="command line",
                nullable=False,
            )
        )
        for name in COUNTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("details", sa.JSON(), server_default="{}", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.drop_column("details")
        for name in reversed(COUNTS):
            batch_op.drop_column(name)
        batch_op.drop_column("imported_by")
