"""Read-only sessions (catalog.db): PostgreSQL refuses their writes; they end by COMMIT.

Ending a read-only transaction by COMMIT rather than ROLLBACK is what lets a pooled
PostgreSQL connection keep its prepared statements between requests (psycopg drops them
all on every ROLLBACK).
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api.context import db_session
from catalog.db import end_session
from catalog.models import Organization


@pytest.fixture
def postgresql_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("read-only transactions and prepared statements are PostgreSQL's")


def test_a_session_cannot_both_write_and_be_read_only(db):
    with pytest.raises(ValueError, match="read-only"):
        db.new_session(write=True, read_only=True)


@pytest.mark.usefixtures("postgresql_only")
def test_a_read_only_session_refuses_writes(db, make_org, session):
    organization = make_org("mintrab-gt")
    session.commit()

    with db.session(read_only=True) as reading, pytest.raises(DBAPIError, match="read-only"):
        reading.execute(
            text("UPDATE organization SET acronym = 'X' WHERE id = :id"), {"id": organization.id}
        )


def test_unflushed_changes_of_a_read_only_session_are_not_written(db, make_org, session):
    created = make_org("mintrab-gt")
    session.commit()

    reading = db.new_session(read_only=True)
    organization = reading.get(Organization, created.id)
    assert organization is not None
    organization.acronym = "CHANGED"
    end_session(reading)

    with db.session() as check:
        stored = check.get(Organization, created.id)
        assert stored is not None
        assert stored.acronym != "CHANGED"


@pytest.mark.usefixtures("postgresql_only")
def test_a_read_only_session_ends_by_commit_and_keeps_prepared_statements(db, make_org, session):
    make_org("mintrab-gt")
    session.commit()
    db.dispose()  # one pooled connection, used by every session below
    statement = "SELECT name FROM organization WHERE acronym IS NOT NULL"

    for _ in range(8):  # psycopg prepares a statement on its fifth execution
        with db.session(read_only=True) as reading:
            connection = reading.connection().connection.driver_connection
            connection.execute(statement).fetchall()

    with db.session(read_only=True) as reading:
        prepared = reading.execute(text("SELECT statement FROM pg_prepared_statements")).all()
    assert (statement,) in prepared


@pytest.mark.usefixtures("postgresql_only")
def test_a_session_that_is_not_read_only_still_rolls_back(db, make_org, session):
    make_org("mintrab-gt")
    session.commit()

    with db.session() as plain:
        plain.execute(text("UPDATE organization SET acronym = 'ROLLED' WHERE name = 'mintrab-gt'"))

    with db.session() as check:
        acronym = check.execute(
            text("SELECT acronym FROM organization WHERE name = 'mintrab-gt'")
        ).scalar_one()
    assert acronym != "ROLLED"


@pytest.mark.usefixtures("postgresql_only")
@pytest.mark.parametrize(
    ("method", "path", "read_only"),
    [
        ("GET", "/api/v1/datasets", "on"),
        ("HEAD", "/api/v1/organizations", "on"),
        ("POST", "/api/v1/datasets", "off"),
    ],
)
def test_requests_that_do_not_write_read_in_a_read_only_transaction(app, method, path, read_only):
    with app.test_request_context(path, method=method):
        session = db_session()
        assert session.execute(text("SHOW transaction_read_only")).scalar_one() == read_only
        end_session(session)


@pytest.mark.usefixtures("postgresql_only")
def test_a_read_only_session_that_failed_still_ends_and_leaves_a_usable_connection(db):
    db.dispose()  # one pooled connection, used by both sessions
    reading = db.new_session(read_only=True)
    with pytest.raises(DBAPIError, match="no_such_table"):
        reading.execute(text("SELECT * FROM no_such_table"))
    end_session(reading)

    with db.session(read_only=True) as again:
        assert again.execute(text("SELECT 1")).scalar_one() == 1
