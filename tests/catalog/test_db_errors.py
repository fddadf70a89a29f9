"""Values the database cannot hold are a validation error, never a crash."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from catalog.errors import InvalidMetadata
from catalog.models import Organization


def test_an_integer_beyond_the_database_is_invalid_metadata(session, backend):
    # SQLite's driver cannot bind it (OverflowError); PostgreSQL refuses it (22003).
    statement, value = (
        ("SELECT :v", 2**70) if backend == "sqlite" else ("SELECT CAST(:v AS SMALLINT)", 10**6)
    )
    with pytest.raises(InvalidMetadata, match="does not fit the catalog's database"):
        session.execute(text(statement), {"v": value})


def test_text_too_long_for_its_column_is_invalid_metadata(session, backend):
    if backend == "sqlite":
        pytest.skip("SQLite keeps text of any length; validation holds the limits there")
    session.execute(text("CREATE TEMPORARY TABLE short_text (value VARCHAR(3))"))
    with pytest.raises(InvalidMetadata, match="value too long"):
        session.execute(text("INSERT INTO short_text VALUES (:v)"), {"v": "four"})


def test_text_longer_than_its_column_is_refused_before_it_is_written(session):
    """Both backends: SQLite would keep it, PostgreSQL would refuse it at the INSERT."""

    def organization(acronym: str) -> Organization:
        row = Organization(
            name="larga-gt",
            acronym=acronym,
            title={"es": "Larga", "en": "Long"},
            country="GTM",
            kind="statistics-office",
        )
        session.add(row)
        return row

    organization("A" * 41)
    with pytest.raises(InvalidMetadata, match="acronym holds at most 40 characters"):
        session.flush()
    session.rollback()
    stored = organization("A" * 40)
    session.flush()
    stored.homepage = "https://example.org/" + "x" * 500
    with pytest.raises(InvalidMetadata, match="homepage holds at most 500 characters"):
        session.flush()
