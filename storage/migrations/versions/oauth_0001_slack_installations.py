"""slack installations: the app installed through OAuth per workspace or Grid enterprise
(tokens encrypted), the OAuth states handed out, and each Slack user's workspace

Revision ID: oauth_0001
Revises: consolepages_0001
Create Date: 2026-12-06 15:53:13.841118
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.tables

revision: str = "oauth_0001"
down_revision: str | None = "consolepages_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("app_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("enterprise_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("enterprise_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("enterprise_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("team_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("bot_token", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("bot_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("bot_user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("bot_scopes", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("bot_refresh_token", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("bot_token_expires_at", storage.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("user_token", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("user_scopes", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("user_refresh_token", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column(
            "user_token_expires_at", storage.tables.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("token_type", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("installed_at", storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("slack_installation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_slack_installation_where", ["client_id", "enterprise_id", "team_id"], unique=False
        )

    op.create_table(
        "slack_oauth_state",
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("expires_at", storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state"),
    )
    with op.batch_alter_table("slack_oauth_state", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_slack_oauth_state_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "slack_user",
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("enterprise_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("slack_user")
    with op.batch_alter_table("slack_oauth_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_oauth_state_expires_at"))

    op.drop_table("slack_oauth_state")
    with op.batch_alter_table("slack_installation", schema=None) as batch_op:
        batch_op.drop_index("ix_slack_installation_where")

    op.drop_table("slack_installation")
