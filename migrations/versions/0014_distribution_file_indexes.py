"""Distributions: indexes on the held file's key and checksum

Revision ID: 0014_distribution_file_indexes
Revises: 0013_login_throttle
Create Date: 2026-11-25 20:40:00.000000

Every public file download asks whether a restricted distribution holds the same file
or its content (catalog.gateway), and every file registered or uploaded asks the same
of the other side (catalog.distributions.check_restriction). Without these indexes each
question read the whole distribution table: 47 ms on PostgreSQL and 238 ms on SQLite
with 200,000 distributions.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_distribution_file_indexes"
down_revision: str | Sequence[str] | None = "0013_login_throttle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_distribution_checksum", "distribution", ["checksum"])
    op.create_index("ix_distribution_storage_key", "distribution", ["storage_key"])


def downgrade() -> None:
    op.drop_index("ix_distribution_storage_key", table_name="distribution")
    op.drop_index("ix_distribution_checksum", table_name="distribution")
