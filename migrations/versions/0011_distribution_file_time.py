"""Distributions: when the catalog's file was last replaced

Revision ID: 0011_distribution_file_time
Revises: 0010_search_sort_keys
Create Date: 2026-11-25 12:25:00.000000

A consent withdrawn or expired after a file was made means the file still holds those
people: the gateway refuses it until the provider replaces the file. Files already held
count from the distribution's creation.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from catalog.db import UTCDateTime

revision: str = "0011_distribution_file_time"
down_revision: str | Sequence[str] | None = "0010_search_sort_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("distribution") as batch:
        batch.add_column(sa.Column("file_replaced_at", UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE distribution SET file_replaced_at = created WHERE storage_key IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("distribution") as batch:
        batch.drop_column("file_replaced_at")
