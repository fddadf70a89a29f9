"""Core catalog tables and the full-text search index

Revision ID: 0001_core
Revises:
Create Date: 2026-11-24 09:06:20.369791
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql
import sqlmodel
from alembic import op

import catalog.db

revision: str = "0001_core"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("actor_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("actor_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("object_type", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("object_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("details", catalog.db.JSONDocument, nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("hash"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index("ix_audit_event_object", ["object_type", "object_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_event_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_audit_event_org_time", ["organization_id", "occurred_at"], unique=False
        )

    op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("acronym", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("title", catalog.db.JSONDocument, nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("homepage", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("created", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organization_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_organization_name"), ["name"], unique=True)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_account_username"), ["username"], unique=True)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", catalog.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", catalog.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", catalog.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "dataset",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("publisher_id", sa.Integer(), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("title", catalog.db.JSONDocument, nullable=False),
        sa.Column("description", catalog.db.JSONDocument, nullable=False),
        sa.Column("sort_title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("facet_combo", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("access_rights", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("personal_data", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("document", catalog.db.JSONDocument, nullable=False),
        sa.Column("profile", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued", catalog.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", catalog.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "withdrawal_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["publisher_id"],
            ["organization.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dataset_access_rights"), ["access_rights"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dataset_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_dataset_name"), ["name"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_dataset_personal_data"), ["personal_data"], unique=False
        )
        batch_op.create_index(
            "ix_dataset_publisher_status", ["publisher_id", "status"], unique=False
        )
        batch_op.create_index("ix_dataset_status_modified", ["status", "modified"], unique=False)
        batch_op.create_index(batch_op.f("ix_dataset_sort_title"), ["sort_title"], unique=False)
        # Browsing walks one of these in order and filters on the facet combination
        # without reading the (wide) rows: the index covers the test.
        batch_op.create_index(
            "ix_dataset_browse_modified", ["modified", "id", "facet_combo"], unique=False
        )
        batch_op.create_index(
            "ix_dataset_browse_title", ["sort_title", "id", "facet_combo"], unique=False
        )
        batch_op.create_index("ix_dataset_browse_name", ["name", "facet_combo"], unique=False)

    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "organization_id", "role"),
    )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_membership_user_id"), ["user_id"], unique=False)

    op.create_table(
        "dataset_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("time", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changes", catalog.db.JSONDocument, nullable=False),
        sa.Column("document", catalog.db.JSONDocument, nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dataset_id", "revision"),
    )
    with op.batch_alter_table("dataset_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dataset_revision_dataset_id"), ["dataset_id"], unique=False
        )

    op.create_table(
        "dataset_theme",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("theme", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("dataset_id", "theme"),
    )
    with op.batch_alter_table("dataset_theme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_theme_theme"), ["theme"], unique=False)

    op.create_table(
        "distribution",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("title", catalog.db.JSONDocument, nullable=False),
        sa.Column("access_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("download_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("byte_size", sa.BigInteger(), nullable=True),
        sa.Column("checksum", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("storage_key", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("document", catalog.db.JSONDocument, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("distribution", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_distribution_dataset_id"), ["dataset_id"], unique=False
        )

    _create_search_index()


def _create_search_index() -> None:
    # Accents are folded by the application before indexing, on both backends, so
    # neither needs an extension (PostgreSQL's unaccent is not always installable).
    op.create_table(
        "search_facet",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("publisher", sa.Text(), nullable=False),
        sa.Column("country", sa.Text(), nullable=False),
        sa.Column("access_rights", sa.Text(), nullable=False),
        sa.Column("personal_data", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("themes", sa.Text(), nullable=False),
        sa.Column("dataset_count", sa.Integer(), nullable=False, server_default="0"),
        sa.UniqueConstraint(
            "publisher", "country", "access_rights", "personal_data", "status", "themes"
        ),
    )
    if op.get_bind().dialect.name == "sqlite":
        # A row's FTS rowid is (facet combination << 40) | sequence: facet counts and
        # facet filters then need only the matching rowids, never the content table.
        op.execute(
            "CREATE VIRTUAL TABLE dataset_fts USING fts5("
            " title, keywords, description, other, dataset_id UNINDEXED,"
            " tokenize = 'unicode61 remove_diacritics 2', prefix = '3')"
        )
        # Title weighs most, then keywords, description, other text.
        op.execute(
            "INSERT INTO dataset_fts (dataset_fts, rank)"
            " VALUES ('rank', 'bm25(10.0, 5.0, 2.0, 1.0)')"
        )
        op.execute(
            "CREATE TABLE dataset_search_key ("
            " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
            " dataset_id CHAR(32) NOT NULL UNIQUE REFERENCES dataset (id) ON DELETE CASCADE,"
            " fts_rowid INTEGER NOT NULL)"
        )
        return
    op.create_table(
        "dataset_search",
        sa.Column(
            "dataset_id",
            sa.Uuid(),
            sa.ForeignKey("dataset.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("combo", sa.Integer(), sa.ForeignKey("search_facet.id"), nullable=False),
        sa.Column("document", sa.dialects.postgresql.TSVECTOR(), nullable=False),
    )
    op.create_index(
        "ix_dataset_search_document", "dataset_search", ["document"], postgresql_using="gin"
    )


def _drop_search_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE dataset_search_key")
        op.execute("DROP TABLE dataset_fts")
    else:
        op.drop_table("dataset_search")
    op.drop_table("search_facet")


def downgrade() -> None:
    _drop_search_index()
    with op.batch_alter_table("distribution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_dataset_id"))

    op.drop_table("distribution")
    with op.batch_alter_table("dataset_theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_theme_theme"))

    op.drop_table("dataset_theme")
    with op.batch_alter_table("dataset_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_revision_dataset_id"))

    op.drop_table("dataset_revision")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_user_id"))
        batch_op.drop_index(batch_op.f("ix_membership_organization_id"))

    op.drop_table("membership")
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.drop_index("ix_dataset_status_modified")
        batch_op.drop_index("ix_dataset_publisher_status")
        batch_op.drop_index(batch_op.f("ix_dataset_personal_data"))
        batch_op.drop_index(batch_op.f("ix_dataset_name"))
        batch_op.drop_index(batch_op.f("ix_dataset_country"))
        batch_op.drop_index(batch_op.f("ix_dataset_access_rights"))

    op.drop_table("dataset")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_username"))

    op.drop_table("user_account")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_name"))
        batch_op.drop_index(batch_op.f("ix_organization_country"))

    op.drop_table("organization")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_org_time")
        batch_op.drop_index(batch_op.f("ix_audit_event_occurred_at"))
        batch_op.drop_index("ix_audit_event_object")
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
