"""Bulk inserts (COPY on PostgreSQL) store what an ORM insert stores."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlmodel import select

from catalog.db import bulk_insert
from catalog.models import AuditEvent, Dataset, DatasetRevision
from tests.conftest import dataset_document


def test_rows_read_back_as_they_were_given(session, make_org, make_dataset):
    make_org("mintrab-gt")
    dataset = make_dataset("enei-2024", "mintrab-gt")
    when = dt.datetime(2026, 11, 24, 21, 5, 7, 123456, tzinfo=dt.UTC)
    document = {**dataset_document("enei-2024"), "note": "Migración «laboral»\ttab\\n", "n": 2**40}
    bulk_insert(
        session,
        DatasetRevision,
        [
            {
                "dataset_id": dataset.id,
                "revision": 2,
                "action": "update",
                "actor": "importador",
                "user_id": None,
                "time": when,
                "changes": [{"field": "note", "from": None, "to": "x"}],
                "document": document,
                "status": "published",
            }
        ],
    )
    session.expire_all()
    stored = session.exec(
        select(DatasetRevision)
        .where(DatasetRevision.dataset_id == dataset.id)
        .order_by(DatasetRevision.revision)
    ).all()
    assert [r.revision for r in stored] == [1, 2]
    assert stored[1].document == document
    assert stored[1].changes == [{"field": "note", "from": None, "to": "x"}]
    assert stored[1].time == when
    assert stored[1].user_id is None
    assert stored[1].id is not None
    assert stored[0].id is not None
    assert stored[1].id > stored[0].id  # numbered by the table's own sequence


def test_rows_must_carry_the_python_side_defaults(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the INSERT path applies Python defaults itself")
    with pytest.raises(ValueError, match="lack id"):
        bulk_insert(session, Dataset, [{"name": "sin-id"}])


def test_nothing_to_insert_is_fine(session):
    bulk_insert(session, AuditEvent, [])
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.actor_id == str(uuid.uuid4()))).all() == []
    )
