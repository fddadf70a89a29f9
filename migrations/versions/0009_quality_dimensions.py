"""Metadata quality: each dataset's points per dimension, stored with its score

Revision ID: 0009_quality_dimensions
Revises: 0008_search_lexicon
Create Date: 2026-11-25 07:20:00.000000

The catalog's quality (``GET /api/v1/quality``) is the mean over the listed datasets,
overall and per dimension. It was computed by scoring every dataset again, with its
distributions, on each request: 31 seconds at 100,000 datasets, on a public endpoint.
With the points per dimension stored beside the score, it is one sum over the rows.
Existing datasets are scored here, as migration 0003 scored them.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import catalog.db

revision: str = "0009_quality_dimensions"
down_revision: str | Sequence[str] | None = "0008_search_lexicon"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")
_CHUNK = 1000


def upgrade() -> None:
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        for name in DIMENSIONS:
            batch_op.add_column(
                sa.Column(f"quality_{name}", sa.Integer(), nullable=False, server_default="0")
            )
    _score_existing_datasets()


def _chunks(ids: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _score_existing_datasets() -> None:
    # The points are a pure function of the stored documents; imported here so that the
    # module loads without the application (alembic lists revisions without running them).
    from catalog.quality import assess, stored_columns

    dataset = sa.table(
        "dataset",
        sa.column("id", sa.Uuid()),
        sa.column("document", catalog.db.JSONDocument),
        sa.column("issued", catalog.db.UTCDateTime()),
        *(sa.column(f"quality_{name}", sa.Integer()) for name in ("score", *DIMENSIONS)),
    )
    distribution = sa.table(
        "distribution",
        sa.column("dataset_id", sa.Uuid()),
        sa.column("document", catalog.db.JSONDocument),
    )
    bind = op.get_bind()
    ids = list(bind.execute(sa.select(dataset.c.id).order_by(dataset.c.id)).scalars())
    update = (
        sa.update(dataset)
        .where(dataset.c.id == sa.bindparam("dataset_id"))
        # Parameters must not be named like the columns they set.
        .values({f"quality_{name}": sa.bindparam(f"new_{name}") for name in DIMENSIONS})
    )
    # A chunk at a time, so that a large catalog is never held in memory at once.
    for chunk in _chunks(ids):
        documents: dict[Any, list[dict[str, Any]]] = {}
        for dataset_id, document in bind.execute(
            sa.select(distribution.c.dataset_id, distribution.c.document).where(
                distribution.c.dataset_id.in_(chunk)
            )
        ):
            documents.setdefault(dataset_id, []).append(document)
        rows = bind.execute(
            sa.select(dataset.c.id, dataset.c.document, dataset.c.issued).where(
                dataset.c.id.in_(chunk)
            )
        ).all()
        changes = []
        for dataset_id, document, issued in rows:
            quality = assess(document, documents.get(dataset_id, []), issued=issued is not None)
            columns = stored_columns(quality)
            changes.append(
                {"dataset_id": dataset_id}
                | {f"new_{name}": columns[f"quality_{name}"] for name in DIMENSIONS}
            )
        if changes:
            bind.execute(update, changes)


def downgrade() -> None:
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        for name in reversed(DIMENSIONS):
            batch_op.drop_column(f"quality_{name}")
