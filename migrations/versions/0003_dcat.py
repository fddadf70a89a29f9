"""DCAT-AP: metadata quality score per dataset, and where harvested datasets came from

Revision ID: 0003_dcat
Revises: 0001_core
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import catalog.db

revision: str = "0003_dcat"
down_revision: str | Sequence[str] | None = "0002_oauth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quality_score", sa.Integer(), nullable=False, server_default="0")
        )
        # Like the other browse indexes: sorting by quality walks it and filters on the
        # facet combination without reading the wide rows.
        batch_op.create_index(
            "ix_dataset_browse_quality", ["quality_score", "id", "facet_combo"], unique=False
        )

    op.create_table(
        "harvest_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("original_iri", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("source_catalog", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("harvested_at", catalog.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("harvest_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_harvest_record_dataset_id"), ["dataset_id"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_harvest_record_original_iri"), ["original_iri"], unique=True
        )

    _score_existing_datasets()


def _score_existing_datasets() -> None:
    # The score is a pure function of the stored documents, so existing rows get theirs now.
    from catalog.quality import assess

    dataset = sa.table(
        "dataset",
        sa.column("id", sa.Uuid()),
        sa.column("document", catalog.db.JSONDocument),
        sa.column("issued", catalog.db.UTCDateTime()),
        sa.column("quality_score", sa.Integer()),
    )
    distribution = sa.table(
        "distribution",
        sa.column("dataset_id", sa.Uuid()),
        sa.column("document", catalog.db.JSONDocument),
    )
    bind = op.get_bind()
    documents: dict[object, list[dict[str, object]]] = {}
    for dataset_id, document in bind.execute(
        sa.select(distribution.c.dataset_id, distribution.c.document)
    ):
        documents.setdefault(dataset_id, []).append(document)
    for dataset_id, document, issued in bind.execute(
        sa.select(dataset.c.id, dataset.c.document, dataset.c.issued)
    ).all():
        score = assess(document, documents.get(dataset_id, []), issued=issued is not None).score
        bind.execute(
            sa.update(dataset).where(dataset.c.id == dataset_id).values(quality_score=score)
        )


def downgrade() -> None:
    with op.batch_alter_table("harvest_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_harvest_record_original_iri"))
        batch_op.drop_index(batch_op.f("ix_harvest_record_dataset_id"))
    op.drop_table("harvest_record")

    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.drop_index("ix_dataset_browse_quality")
        batch_op.drop_column("quality_score")
