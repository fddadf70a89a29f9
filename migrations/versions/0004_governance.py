"""Governance: legal bases, consent records and their events, dataset policies

Revision ID: 0004_governance
Revises: 0001_core
Create Date: 2026-11-24 09:52:47.521713
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import catalog.db

revision: str = "0004_governance"
down_revision: str | Sequence[str] | None = "0003_dcat"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "legal_basis",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("document", catalog.db.JSONDocument, nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("ended_at", catalog.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("legal_basis", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_basis_dataset_id"), ["dataset_id"], unique=False)

    op.create_table(
        "consent_record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("document", catalog.db.JSONDocument, nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("status_at", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("given_at", catalog.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", catalog.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", catalog.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("subjects_count", sa.BigInteger(), nullable=False),
        sa.Column("created", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_record_dataset_id"), ["dataset_id"], unique=False
        )

    op.create_table(
        "consent_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("occurred_at", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("expires_at", catalog.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("details", catalog.db.JSONDocument, nullable=False),
        sa.ForeignKeyConstraint(["consent_id"], ["consent_record.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("consent_id", "seq"),
    )
    with op.batch_alter_table("consent_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_event_consent_id"), ["consent_id"], unique=False
        )

    op.create_table(
        "policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("policy_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("document", catalog.db.JSONDocument, nullable=False),
        sa.Column("template", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("parameters", catalog.db.JSONDocument, nullable=True),
        sa.Column("created", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dataset_id", "revision"),
    )
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_dataset_id"), ["dataset_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_dataset_id"))
    op.drop_table("policy")
    with op.batch_alter_table("consent_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_event_consent_id"))
    op.drop_table("consent_event")
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_record_dataset_id"))
    op.drop_table("consent_record")
    with op.batch_alter_table("legal_basis", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_basis_dataset_id"))
    op.drop_table("legal_basis")
