"""OAuth 2 clients, tokens and authorization codes; login sessions and throttling

Revision ID: 0002_oauth
Revises: 0001_core
Create Date: 2026-11-24 09:35:38.307637
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import catalog.db

revision: str = "0002_oauth"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STR = sqlmodel.sql.sqltypes.AutoString
_TIME = catalog.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "oauth_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", _STR(length=100), nullable=False),
        sa.Column("client_secret_hash", _STR(length=64), nullable=True),
        sa.Column("name", _STR(length=200), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("grant_types", catalog.db.JSONDocument, nullable=False),
        sa.Column("redirect_uris", catalog.db.JSONDocument, nullable=False),
        sa.Column("scopes", catalog.db.JSONDocument, nullable=False),
        sa.Column("roles", catalog.db.JSONDocument, nullable=False),
        sa.Column("token_endpoint_auth_method", _STR(length=40), nullable=False),
        sa.Column("can_introspect", sa.Boolean(), nullable=False),
        sa.Column("created", _TIME, nullable=False),
        sa.Column("created_by", _STR(length=200), nullable=False),
        sa.Column("revoked_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("oauth_client", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_client_client_id"), ["client_id"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_oauth_client_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "oauth_authorization_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", _STR(length=64), nullable=False),
        sa.Column("oauth_client_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("redirect_uri", _STR(length=2000), nullable=True),
        sa.Column("scope", _STR(length=1000), nullable=False),
        sa.Column("code_challenge", _STR(length=128), nullable=False),
        sa.Column("code_challenge_method", _STR(length=10), nullable=False),
        sa.Column("family_id", _STR(length=32), nullable=False),
        sa.Column("created", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("used_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(["oauth_client_id"], ["oauth_client.id"]),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    with op.batch_alter_table("oauth_authorization_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_oauth_authorization_code_oauth_client_id"),
            ["oauth_client_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_oauth_authorization_code_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "oauth_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("oauth_client_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("grant_type", _STR(length=40), nullable=False),
        sa.Column("scope", _STR(length=1000), nullable=False),
        sa.Column("audience", _STR(length=500), nullable=False),
        sa.Column("access_token_hash", _STR(length=64), nullable=False),
        sa.Column("refresh_token_hash", _STR(length=64), nullable=True),
        sa.Column("family_id", _STR(length=32), nullable=False),
        sa.Column("issued_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("refresh_expires_at", _TIME, nullable=True),
        sa.Column("revoked_at", _TIME, nullable=True),
        sa.Column("refresh_revoked_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(["oauth_client_id"], ["oauth_client.id"]),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("access_token_hash"),
        sa.UniqueConstraint("refresh_token_hash"),
    )
    with op.batch_alter_table("oauth_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_token_family_id"), ["family_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_oauth_token_oauth_client_id"), ["oauth_client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_oauth_token_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_oauth_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sid_hash", _STR(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("revoked_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sid_hash"),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_session_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        # The server default fills existing rows; the application always sets the value.
        batch_op.add_column(
            sa.Column("failed_login_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("locked_until", _TIME, nullable=True))
        batch_op.add_column(sa.Column("last_login_at", _TIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("last_login_at")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_login_count")

    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_user_id"))
    op.drop_table("user_session")

    with op.batch_alter_table("oauth_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_token_user_id"))
        batch_op.drop_index(batch_op.f("ix_oauth_token_organization_id"))
        batch_op.drop_index(batch_op.f("ix_oauth_token_oauth_client_id"))
        batch_op.drop_index(batch_op.f("ix_oauth_token_family_id"))
    op.drop_table("oauth_token")

    with op.batch_alter_table("oauth_authorization_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_authorization_code_user_id"))
        batch_op.drop_index(batch_op.f("ix_oauth_authorization_code_oauth_client_id"))
    op.drop_table("oauth_authorization_code")

    with op.batch_alter_table("oauth_client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_client_organization_id"))
        batch_op.drop_index(batch_op.f("ix_oauth_client_client_id"))
    op.drop_table("oauth_client")
