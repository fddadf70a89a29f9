"""Access requests, sharing agreements, their parties, datasets and signatures; the outbox

Revision ID: 0006_sharing
Revises: 0005_sdmx
Create Date: 2026-11-24 13:39:24.918079
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import catalog.db

revision: str = "0006_sharing"
down_revision: str | Sequence[str] | None = "0005_sdmx"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("submitted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column(
            "document",
            catalog.db.JSONDocument,
            nullable=False,
        ),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("decision_reason", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("decided_at", catalog.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organization.id"],
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["organization.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_user_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_access_request_provider_status", ["provider_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_access_request_requester_status", ["requester_id", "status"], unique=False
        )

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("event", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("object_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("object_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column(
            "subject",
            catalog.db.JSONDocument,
            nullable=False,
        ),
        sa.Column(
            "body",
            catalog.db.JSONDocument,
            nullable=False,
        ),
        sa.Column(
            "recipients",
            catalog.db.JSONDocument,
            nullable=False,
        ),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("sent_at", catalog.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_message_org", ["organization_id", "id"], unique=False)
        batch_op.create_index("ix_outbox_message_status", ["status", "id"], unique=False)

    op.create_table(
        "access_request_item",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("policy_revision", sa.Integer(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column(
            "decision",
            catalog.db.JSONDocument,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
        sa.ForeignKeyConstraint(["request_id"], ["access_request.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("request_id", "dataset_id"),
    )
    with op.batch_alter_table("access_request_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_access_request_item_dataset_id"), ["dataset_id"], unique=False
        )

    op.create_table(
        "sharing_agreement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("series_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Uuid(), nullable=True),
        sa.Column("access_request_id", sa.Uuid(), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column(
            "title",
            catalog.db.JSONDocument,
            nullable=False,
        ),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column(
            "legal_bases",
            catalog.db.JSONDocument,
            nullable=False,
        ),
        sa.Column("valid_from", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status_reason", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("status_changed_at", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "policy",
            catalog.db.JSONDocument,
            nullable=False,
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("activated_at", catalog.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["access_request_id"],
            ["access_request.id"],
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"],
            ["sharing_agreement.id"],
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organization.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("series_id", "version"),
    )
    with op.batch_alter_table("sharing_agreement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sharing_agreement_access_request_id"),
            ["access_request_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_sharing_agreement_provider_id"), ["provider_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sharing_agreement_series_id"), ["series_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sharing_agreement_status"), ["status"], unique=False)

    op.create_table(
        "agreement_dataset",
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["sharing_agreement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
        sa.PrimaryKeyConstraint("agreement_id", "dataset_id"),
    )
    with op.batch_alter_table("agreement_dataset", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_dataset_dataset_id"), ["dataset_id"], unique=False
        )

    op.create_table(
        "agreement_party",
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["sharing_agreement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
        ),
        sa.PrimaryKeyConstraint("agreement_id", "organization_id"),
    )
    with op.batch_alter_table("agreement_party", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_party_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "agreement_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("signer", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("signed_at", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("policy_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["sharing_agreement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agreement_id", "organization_id"),
    )
    with op.batch_alter_table("agreement_signature", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_signature_agreement_id"), ["agreement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("agreement_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_signature_agreement_id"))

    op.drop_table("agreement_signature")
    with op.batch_alter_table("agreement_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_party_organization_id"))

    op.drop_table("agreement_party")
    with op.batch_alter_table("agreement_dataset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_dataset_dataset_id"))

    op.drop_table("agreement_dataset")
    with op.batch_alter_table("sharing_agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sharing_agreement_status"))
        batch_op.drop_index(batch_op.f("ix_sharing_agreement_series_id"))
        batch_op.drop_index(batch_op.f("ix_sharing_agreement_provider_id"))
        batch_op.drop_index(batch_op.f("ix_sharing_agreement_access_request_id"))

    op.drop_table("sharing_agreement")
    with op.batch_alter_table("access_request_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_request_item_dataset_id"))

    op.drop_table("access_request_item")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_status")
        batch_op.drop_index("ix_outbox_message_org")

    op.drop_table("outbox_message")
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.drop_index("ix_access_request_requester_status")
        batch_op.drop_index("ix_access_request_provider_status")

    op.drop_table("access_request")
