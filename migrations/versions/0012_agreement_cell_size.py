"""Sharing agreements: the output cell size the consumers committed to

Revision ID: 0012_agreement_cell_size
Revises: 0011_distribution_file_time
Create Date: 2026-11-25 13:30:00.000000

An agreement drafted directly by the provider had nowhere to keep the cell size it was
checked against, so its downloads and renewals were evaluated as record-level use. The
commitment now lives on each agreement version; versions from an access request take
the request's (existing rows: read from the request, as before).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_agreement_cell_size"
down_revision: str | Sequence[str] | None = "0011_distribution_file_time"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sharing_agreement") as batch:
        batch.add_column(sa.Column("min_cell_size", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sharing_agreement") as batch:
        batch.drop_column("min_cell_size")
