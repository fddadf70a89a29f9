"""Audit events: an index on the agreement a decision was made under

Revision ID: 0015_audit_agreement_index
Revises: 0014_distribution_file_indexes
Create Date: 2026-11-25 22:20:00.000000

A download under an agreement whose policy limits its uses (``odrl:count``) counts the
uses granted so far from the log (catalog.audit.count_grants). Without this index that
count read every ``data.access.granted`` event ever logged, and so grew with every
download under every agreement. The expression is the one catalog.db.json_field writes.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_audit_agreement_index"
down_revision: str | Sequence[str] | None = "0014_distribution_file_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EXPRESSION = {
    "postgresql": "(details ->> 'agreement')",
    "sqlite": "json_extract(details, '$.agreement')",
}


def upgrade() -> None:
    expression = _EXPRESSION[op.get_bind().dialect.name]
    op.execute(f"CREATE INDEX ix_audit_event_agreement ON audit_event ({expression})")


def downgrade() -> None:
    op.drop_index("ix_audit_event_agreement", table_name="audit_event")
