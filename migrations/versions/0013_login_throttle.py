"""Login throttling for names that are no active account

Revision ID: 0013_login_throttle
Revises: 0012_agreement_cell_size
Create Date: 2026-11-25 14:10:00.000000

An account locks after repeated failed logins; other names never did, so the lock told
which accounts exist. Failures under any other name are now counted the same way, by a
keyed digest of the name.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from catalog.db import UTCDateTime

revision: str = "0013_login_throttle"
down_revision: str | Sequence[str] | None = "0012_agreement_cell_size"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("failed_login_count", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name_key"),
    )
    with op.batch_alter_table("login_throttle") as batch:
        batch.create_index(
            batch.f("ix_login_throttle_last_failure_at"), ["last_failure_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("login_throttle") as batch:
        batch.drop_index(batch.f("ix_login_throttle_last_failure_at"))
    op.drop_table("login_throttle")
