"""import_run: who applied each import and what it changed, for the console's import history;
console_upload: files uploaded in the console, held between the dry run and Apply

Revision ID: consolepages_0001
Revises: console_0001
Create Date: 2026-12-06 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.tables

revision: str = "consolepages_0001"
down_revision: str | None = "console_0001"
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
        batch_op.add_column(sa.Column("imported_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_import_run_imported_by_id"), ["imported_by_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_import_run_imported_by_id_person",
            "person",
            ["imported_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "console_upload",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("console_upload", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_upload_owner"), ["owner"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("console_upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_upload_owner"))
    op.drop_table("console_upload")
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.drop_constraint("fk_import_run_imported_by_id_person", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_import_run_imported_by_id"))
        batch_op.drop_column("imported_by_id")
        batch_op.drop_column("details")
        for name in reversed(COUNTS):
            batch_op.drop_column(name)
        batch_op.drop_column("imported_by")
