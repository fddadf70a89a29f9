"""Reading the audit log: filters, pages, who may read it, and anchored verification."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest
from sqlalchemy import event, text

from catalog import audit
from catalog.errors import BadRequest, Forbidden, NotFound, Unauthenticated
from catalog.models import Role, SharingAgreement
from catalog.principals import Principal

ACTOR = Principal.system("test")
ANYTHING = audit.EventFilters()
A1, A2 = (str(uuid.UUID(int=n)) for n in (0xA1, 0xA2))


def _agreement(session, agreement_id, provider):
    """A bare agreement row: the log's filter only needs it to exist."""
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    session.add(
        SharingAgreement(
            id=uuid.UUID(agreement_id),
            series_id=uuid.UUID(agreement_id),
            provider_id=provider.id,
            title={"es": "Acuerdo"},
            purpose="ProvideOfficialStatistics",
            legal_bases=[],
            valid_from=at,
            valid_until=at + dt.timedelta(days=365),
            policy={},
            created_by="test",
        )
    )


@pytest.fixture
def log(session, make_org):
    """Two organizations and a small log: five things, an agreement and its accesses."""
    gt = make_org("mintrab-gt")
    hn = make_org("inm-hn", country="HND", kind="migration-authority")

    def add(action, object_type, object_id, organization, **details):
        return audit.record(
            session,
            actor=ACTOR,
            action=action,
            object_type=object_type,
            object_id=object_id,
            organization_id=organization.id,
            details=details,
        )

    things = [add("thing.made", "thing", str(i), gt if i % 2 else hn) for i in range(5)]
    _agreement(session, A1, gt)
    _agreement(session, A2, hn)
    add("agreement.drafted", "agreement", A1, gt)
    add("data.access.granted", "distribution", "d1", gt, agreement=A1, requester="inm-hn")
    add("data.access.denied", "distribution", "d1", gt, agreement=A1, requester="mintrab-gt")
    add("data.access.granted", "distribution", "d2", hn, agreement=A2, requester="inm-hn")
    session.commit()
    return {"gt": gt, "hn": hn, "things": things}


def events(session, **filters):
    page = audit.list_events(
        session,
        actor=ACTOR,
        filters=audit.EventFilters(**filters),
        page=1,
        page_size=100,
    )
    assert page.total == len(page.events)
    return page.events


def test_filters_combine(session, log):
    granted = events(session, action="data.access.granted")
    assert [(e.action, e.object_id) for e in granted] == [
        ("data.access.granted", "d2"),
        ("data.access.granted", "d1"),
    ]
    # A prefix ending in "." is a family of actions; without the dot it is one action.
    assert len(events(session, action="data.access.")) == 3
    assert events(session, action="data.access") == []
    assert len(events(session, action="thing.", organization="mintrab-gt")) == 2
    under_a1 = events(session, agreement=A1)
    assert {(e.action, e.object_id) for e in under_a1} == {
        ("agreement.drafted", A1),
        ("data.access.granted", "d1"),
        ("data.access.denied", "d1"),
    }
    (received,) = events(session, agreement=A1, requester="inm-hn")
    assert events(session, agreement=A1.upper()) == under_a1  # any spelling of the UUID
    assert (received.action, received.object_id) == ("data.access.granted", "d1")
    assert events(session, agreement=A2, organization="mintrab-gt") == []
    (three,) = events(session, object_type="thing", object_id="3")
    assert three.organization_id == log["gt"].id


def test_an_action_family_is_matched_literally_and_alike_on_every_database(session, log):
    # SQL LIKE read "%" and "_" as wildcards, and ignored case on SQLite only.
    assert events(session, action="%.") == []
    assert events(session, action="____.") == []
    assert events(session, action="DATA.access.") == []
    assert len(events(session, action="data.access.")) == 3


def test_since_includes_and_until_excludes_the_moment(session, log):
    third = log["things"][2]
    since = events(session, object_type="thing", since=third.occurred_at)
    assert [e.object_id for e in since] == ["4", "3", "2"]
    until = events(session, object_type="thing", until=third.occurred_at)
    assert [e.object_id for e in until] == ["1", "0"]
    both = events(
        session, object_type="thing", since=third.occurred_at, until=log["things"][4].occurred_at
    )
    assert [e.object_id for e in both] == ["3", "2"]
    with pytest.raises(BadRequest, match="since must not be later than until"):
        events(session, since=log["things"][4].occurred_at, until=third.occurred_at)


def test_pages_count_every_match_and_newest_come_first(session, log):
    filters = audit.EventFilters(object_type="thing")
    pages = [
        audit.list_events(session, actor=ACTOR, filters=filters, page=n, page_size=2)
        for n in (1, 2, 3, 4)
    ]
    assert [p.total for p in pages] == [5, 5, 5, 5]
    assert [[e.object_id for e in p.events] for p in pages] == [["4", "3"], ["2", "1"], ["0"], []]
    seqs = [e.seq for p in pages for e in p.events]
    assert seqs == sorted(seqs, reverse=True)
    # The organizations named by the page's events, and only those.
    assert set(pages[2].organizations) == {log["hn"].id}
    assert pages[2].organizations[log["hn"].id].name == "inm-hn"
    assert pages[3].organizations == {}


def test_unknown_organizations_are_not_found(session, log):
    for filters in (
        audit.EventFilters(organization="nadie"),
        audit.EventFilters(requester="nadie"),
    ):
        with pytest.raises(NotFound, match="there is no organization named 'nadie'"):
            audit.list_events(session, actor=ACTOR, filters=filters, page=1, page_size=10)


def test_an_agreement_filter_that_names_no_agreement_is_refused(session, log):
    # An empty page would read as "nothing happened under it".
    with pytest.raises(BadRequest, match="'A1' is not an agreement's id"):
        events(session, agreement="A1")
    unknown = str(uuid.UUID(int=3))
    with pytest.raises(NotFound, match=f"there is no agreement {unknown}"):
        events(session, agreement=unknown)


def test_organizations_are_named_in_any_case(session, log):
    assert events(session, organization="MINTRAB-GT") == events(session, organization="mintrab-gt")
    assert len(events(session, requester="INM-HN")) == 2


def test_only_auditors_and_administrators_read_the_log(session, log):
    steward = Principal(
        kind="user", name="ana", roles={log["gt"].id: frozenset({Role.STEWARD})}, scopes=None
    )
    auditor = dataclasses.replace(steward, roles={log["hn"].id: frozenset({Role.AUDITOR})})
    for actor, refused in ((Principal.anonymous(), Unauthenticated), (steward, Forbidden)):
        with pytest.raises(refused):
            audit.list_events(session, actor=actor, filters=ANYTHING, page=1, page_size=10)
    page = audit.list_events(session, actor=auditor, filters=ANYTHING, page=1, page_size=10)
    assert page.total == audit.count_events(session)


def test_an_anchor_the_chain_no_longer_holds_fails_verification(session, db, log):
    head = audit.verify_chain(session)
    assert head.ok
    assert head.head_seq is not None
    assert head.head_hash is not None
    anchor = audit.parse_anchor(f"{head.head_seq}:{head.head_hash}")
    assert audit.verify_chain(session, anchor=anchor).ok
    forged = audit.verify_chain(session, anchor=(head.head_seq - 1, "0" * 64))
    assert (forged.ok, forged.broken_seq) == (False, head.head_seq - 1)
    assert forged.reason.endswith("its hash differs")
    session.commit()  # the test's session holds the writers' lock until then
    with db.engine.begin() as conn:  # the latest event goes: the chain itself stays valid
        conn.execute(text("DELETE FROM audit_event WHERE seq = :seq"), {"seq": head.head_seq})
    assert audit.verify_chain(session).ok
    removed = audit.verify_chain(session, anchor=anchor)
    assert (removed.ok, removed.broken_seq) == (False, head.head_seq)
    assert removed.reason.endswith("events were removed")
    assert removed.head_seq == head.head_seq - 1


@pytest.mark.parametrize(
    "anchor", ["x", "1:" + "0" * 63, "1:" + "g" * 64, "-1:" + "0" * 64, "0:" + "0" * 64]
)
def test_an_anchor_is_a_seq_and_a_hex_sha256(anchor):
    with pytest.raises(BadRequest, match="SEQ:HASH"):
        audit.parse_anchor(anchor)


def test_an_anchor_hash_is_read_in_either_case():
    assert audit.parse_anchor(" 12:" + "AB" * 32) == (12, "ab" * 32)


def _grant(session, organization, agreement, requester="inm-hn", **details):
    audit.record(
        session,
        actor=ACTOR,
        action="data.access.granted",
        object_type="distribution",
        object_id="d1",
        organization_id=organization.id,
        details={"agreement": agreement, "dataset": "eph-2025", "requester": requester, **details},
    )


def test_grants_are_counted_per_agreement_dataset_and_requester(session, make_org):
    gt = make_org("mintrab-gt")
    for _ in range(3):
        _grant(session, gt, A1)
    _grant(session, gt, A1, method="HEAD")  # transfers nothing
    _grant(session, gt, A1, response=304)  # neither
    _grant(session, gt, A1, requester="dgme-sv")
    _grant(session, gt, A2)
    session.commit()

    def count(agreement, requester="inm-hn"):
        return audit.count_grants(
            session, agreement=agreement, dataset="eph-2025", requester=requester
        )

    assert (count(A1), count(A1, "dgme-sv"), count(A2), count(A2, "dgme-sv")) == (3, 1, 1, 0)


def test_counting_grants_reads_the_agreements_events_through_their_index(
    session, db, make_org, backend
):
    # Without the index every grant ever logged is read, for every download under a
    # count-limited agreement.
    make_org("mintrab-gt")
    session.commit()
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "count(" in statement.lower() and "audit_event" in statement:
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        audit.count_grants(session, agreement=A1, dataset="eph-2025", requester="inm-hn")
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    ((statement, parameters),) = statements

    connection = session.connection()
    if backend == "postgresql":
        # The catalog is tiny: a sequential scan would win. Can the index serve it?
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).scalars().all()
    else:
        plan = [
            row[-1]
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        ]
    assert any("ix_audit_event_agreement" in line for line in plan), plan
