"""SDMX structures (DSDs, dataflows, codelists, concept schemes) and dataset links

Revision ID: 0005_sdmx
Revises: 0001_core
Create Date: 2026-11-24 09:53:47.359667
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import catalog.db

revision: str = "0005_sdmx"
down_revision: str | Sequence[str] | None = "0004_governance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sdmx_structure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("agency", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("sdmx_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("urn", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("name", catalog.db.JSONDocument, nullable=False),
        sa.Column("is_final", sa.Boolean(), nullable=False),
        sa.Column("document", catalog.db.JSONDocument, nullable=False),
        sa.Column("sdmx_ml", sa.Text(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "agency", "sdmx_id", "version"),
        sa.UniqueConstraint("urn"),
    )
    with op.batch_alter_table("sdmx_structure", schema=None) as batch_op:
        batch_op.create_index("ix_sdmx_structure_kind_agency", ["kind", "agency"], unique=False)

    op.create_table(
        "dataset_sdmx_link",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("dsd_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("linked_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["dsd_id"], ["sdmx_structure.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["structure_id"], ["sdmx_structure.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("dataset_id"),
    )
    with op.batch_alter_table("dataset_sdmx_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_sdmx_link_dsd_id"), ["dsd_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_dataset_sdmx_link_structure_id"), ["structure_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("dataset_sdmx_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_sdmx_link_structure_id"))
        batch_op.drop_index(batch_op.f("ix_dataset_sdmx_link_dsd_id"))
    op.drop_table("dataset_sdmx_link")
    with op.batch_alter_table("sdmx_structure", schema=None) as batch_op:
        batch_op.drop_index("ix_sdmx_structure_kind_agency")
    op.drop_table("sdmx_structure")
