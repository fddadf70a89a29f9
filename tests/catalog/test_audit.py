"""The hash-chained audit log."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from catalog import audit
from catalog.db import Database
from catalog.errors import CatalogBusy
from catalog.principals import Principal
from tests.conftest import write_from_another_session

ACTOR = Principal.system("test")


def append(session, n, action="thing.happened"):
    for i in range(n):
        audit.record(
            session,
            actor=ACTOR,
            action=action,
            object_type="thing",
            object_id=str(i),
            organization_id=None,
            details={"i": i, "texto": "añadido"},
        )
    session.commit()


def test_chain_verifies(session):
    append(session, 5)
    result = audit.verify_chain(session)
    assert result.ok
    assert result.events_checked == 5


def test_hash_is_sha256_over_previous_hash_and_canonical_json(session):
    append(session, 2)
    first, second = session.exec(
        text("SELECT seq, prev_hash, hash FROM audit_event ORDER BY seq")
    ).all()
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert len(second.hash) == 64


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("details", '{"i": 99}'),
        ("actor_name", "'mallory'"),
        ("action", "'thing.undone'"),
        ("occurred_at", "occurred_at"),
    ],
)
def test_an_edited_row_is_named(session, db, column, value, backend):
    append(session, 5)
    if column == "occurred_at":
        value = (
            "occurred_at + interval '1 second'"
            if backend == "postgresql"
            else "datetime(occurred_at, '+1 second')"
        )
    elif column == "details" and backend == "postgresql":
        value = "'{\"i\": 99}'::jsonb"
    elif column == "details":
        value = "'" + value + "'"
    with db.engine.begin() as conn:
        conn.execute(text(f"UPDATE audit_event SET {column} = {value} WHERE seq = 3"))
    result = audit.verify_chain(session)
    assert not result.ok
    assert result.broken_seq == 3
    assert result.events_checked == 2


def test_a_deleted_row_is_named(session, db):
    append(session, 5)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    result = audit.verify_chain(session)
    assert (result.ok, result.broken_seq) == (False, 2)
    assert "missing" in result.reason


def test_a_rewritten_tail_is_caught_by_the_link(session, db):
    append(session, 3)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET prev_hash = :h WHERE seq = 3"), {"h": "f" * 64})
    assert audit.verify_chain(session).broken_seq == 3


def test_bulk_append_continues_the_chain(session):
    append(session, 2)
    audit.record_many(
        session,
        actor=ACTOR,
        events=[audit.EventSpec("bulk", "thing", str(i), None) for i in range(50)],
    )
    session.commit()
    assert audit.verify_chain(session).events_checked == 52


def test_concurrent_writers_never_fork_the_chain(settings):
    # Separate connections appending at once: the write lock (SQLite BEGIN IMMEDIATE,
    # PostgreSQL advisory lock) must serialise them into one chain.
    database = Database.from_url(settings.database_url)
    errors = []

    def writer(k):
        try:
            for i in range(10):
                with database.session(write=True) as s:
                    audit.record(
                        s,
                        actor=ACTOR,
                        action="concurrent",
                        object_type="t",
                        object_id=f"{k}-{i}",
                        organization_id=None,
                    )
                    s.commit()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with database.session() as s:
        result = audit.verify_chain(s)
    database.dispose()
    assert result.ok
    assert result.events_checked == 40


def test_postgres_writers_are_serialised_from_their_first_statement(db, make_org, session):
    """A writer holding row locks cannot meet another writer holding the chain's lock.

    ``second`` audits (the chain's lock) and then updates a row ``first`` has locked,
    while ``first`` goes on to audit: had each taken the lock only when it reached the
    chain, that was a deadlock and PostgreSQL failed one of them.
    """
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL run only (SQLite serialises writers with BEGIN IMMEDIATE)")
    org = make_org("mintrab-gt")
    session.commit()
    first = db.new_session(write=True)
    outcome: list[object] = []
    second_started = threading.Event()

    def second_writer():
        with db.session(write=True) as second:
            second_started.set()
            try:
                audit.record(
                    second,
                    actor=ACTOR,
                    action="second",
                    object_type="t",
                    object_id="2",
                    organization_id=None,
                )
                second.execute(
                    text("UPDATE organization SET email = 'b@example.org' WHERE id = :id"),
                    {"id": org.id},
                )
                second.commit()
                outcome.append("committed")
            except Exception as exc:  # reported by the assertion below
                outcome.append(exc)

    try:
        first.execute(
            text("UPDATE organization SET email = 'a@example.org' WHERE id = :id"), {"id": org.id}
        )
        thread = threading.Thread(target=second_writer)
        thread.start()
        second_started.wait(5)
        thread.join(0.5)  # long enough for the second writer to reach its lock
        assert thread.is_alive(), "the second writer did not wait for the first"
        with db.session() as reader:  # readers never wait for writers
            assert reader.execute(text("SELECT count(*) FROM organization")).scalar() >= 1
        audit.record(
            first, actor=ACTOR, action="first", object_type="t", object_id="1", organization_id=None
        )
        first.commit()
    finally:
        first.close()
    thread.join(10)
    assert outcome == ["committed"]
    with db.session() as s:
        assert audit.verify_chain(s).ok
        actions = s.execute(text("SELECT action FROM audit_event ORDER BY seq")).scalars().all()
        assert actions[-2:] == ["first", "second"]
        email = s.execute(text("SELECT email FROM organization WHERE id = :id"), {"id": org.id})
        assert email.scalar() == "b@example.org"


def test_a_writer_waits_a_bounded_time_for_the_one_before_it(settings, session):
    """Past the wait, a write is refused as busy (a 503 for the API), and nothing hangs."""
    session.execute(text("SELECT 1"))  # this write session now holds the writers' lock
    waiting = Database.from_url(settings.database_url, writer_wait=0.2)
    try:
        with waiting.session() as reader:  # reads do not wait
            assert reader.execute(text("SELECT 1")).scalar() == 1
        started = time.monotonic()
        with pytest.raises(CatalogBusy) as refused, waiting.session(write=True) as writer:
            writer.execute(text("SELECT 1"))
        assert time.monotonic() - started < 5
        assert refused.value.status == 503
        assert refused.value.retry_after == 1
        session.commit()  # the lock is free again: the next write goes through
        write_from_another_session(waiting, "after")
        if waiting.dialect == "postgresql":  # the bound was only for taking the lock
            with waiting.session(write=True) as writer:
                assert writer.execute(text("SHOW lock_timeout")).scalar() == "0"
    finally:
        waiting.dispose()
