"""PostgreSQL search: index words only, and index the facet combination

Revision ID: 0007_search_words
Revises: 0006_sharing
Create Date: 2026-11-24 18:05:00.000000

The query parser splits text into runs of letters and digits, so the hyphenated
compounds PostgreSQL's default parser also emits ("asistencia-consular-a-personas")
could never be asked for: they only made documents longer and the index twice as
large. Existing documents lose them here; new ones are built from words alone.

A b-tree on ``dataset_search.combo`` lets a filtered search intersect the full-text
bitmap with the allowed combinations before visiting any row.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_search_words"
down_revision: str | Sequence[str] | None = "0006_sharing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite's FTS5 tokenizer already splits on every non-alphanumeric character
    op.execute(
        "UPDATE dataset_search SET document = ts_delete(document, ARRAY("
        " SELECT lexeme FROM unnest(document) WHERE lexeme ~ '[^0-9a-z]'))"
        " WHERE EXISTS (SELECT 1 FROM unnest(document) WHERE lexeme ~ '[^0-9a-z]')"
    )
    op.create_index("ix_dataset_search_combo", "dataset_search", ["combo"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The compounds are not restored: they were never searchable.
    op.drop_index("ix_dataset_search_combo", table_name="dataset_search")
