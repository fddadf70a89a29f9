"""Consent records: append-only events, derived expiry, and the gateway's consent check."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import func, select

from catalog import audit, consents, governance, organizations
from catalog.errors import Conflict, Forbidden, InvalidMetadata
from catalog.models import AuditEvent, ConsentEvent, ConsentRecord, Role
from catalog.principals import Principal
from tests.conftest import SYSTEM, legal_basis_document

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def consent_document(**overrides):
    document = {
        "data_subjects": {
            "description": {"es": "Trabajadores temporales de la cohorte 2024"},
            "populations": ["seasonal-workers"],
        },
        "subjects_count": 120,
        "purposes": ["ProvideOfficialStatistics"],
        "recipients": {"organizations": ["stps-mx"], "countries": ["MEX"]},
        "given_at": iso(NOW - dt.timedelta(days=30)),
        "expires_at": iso(NOW + dt.timedelta(days=365)),
        "evidence": {"reference": "F-01/2024", "method": "signed form"},
    }
    document.update(overrides)
    return document


@pytest.fixture
def dataset(make_org, make_dataset):
    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")
    make_org("stss-hn", country="HND")
    return make_dataset(
        "ptte-gt",
        access_rights="NON_PUBLIC",
        personal_data="personal",
        legal_basis=legal_basis_document(basis="ExplicitlyExpressedConsent"),
    )


def create(session, **overrides):
    return consents.create_consent(
        session, actor=SYSTEM, name="ptte-gt", document=consent_document(**overrides)
    )


def event(session, state, **document):
    return consents.add_event(
        session, actor=SYSTEM, name="ptte-gt", consent_id=state.record.id, document=document
    )


def allows(session, dataset, at=None, **overrides):
    arguments = {
        "purpose": "ProvideOfficialStatistics",
        "recipient_org": "stps-mx",
        "recipient_country": "MEX",
        "at": at or dt.datetime.now(dt.UTC),
        **overrides,
    }
    return consents.consent_allows(session, dataset=dataset, **arguments)


# --------------------------------------------------------------------------- the record


def test_create_records_the_first_event_and_audits(session, dataset):
    state = create(session)
    assert state.status == "ConsentGiven"
    assert state.valid
    assert [(e.seq, e.event, e.status) for e in state.events] == [(1, "given", "ConsentGiven")]
    assert state.events[0].occurred_at == NOW - dt.timedelta(days=30)
    actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions[-2:] == ["consent.create", "consent.give"]


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"purposes": ["PublicTask"]}, "/purposes/0"),
        ({"recipients": {"organizations": ["nobody-xx"]}}, "/recipients/organizations/0"),
        ({"recipients": {}}, "/recipients"),
        ({"status": "ConsentWithdrawn"}, "/status"),
        ({"given_at": iso(NOW + dt.timedelta(days=2))}, "/given_at"),
        ({"expires_at": iso(NOW - dt.timedelta(days=40))}, "/expires_at"),
        ({"subjects_count": 0}, "/subjects_count"),
        # Beyond the column's 64 bits (a 500 on SQLite), and a fraction, even ".0".
        ({"subjects_count": 2**63}, "/subjects_count"),
        ({"subjects_count": 12.0}, "/subjects_count"),
        # Valid RFC 3339, but no moment of the UTC calendar (a 500 when converted).
        ({"given_at": "0001-01-01T00:00:00+14:00"}, "/given_at"),
        ({"expires_at": "9999-12-31T23:59:59-12:00"}, "/expires_at"),
        # Within the years 1000-2999 as written, but not in UTC, as it would be returned.
        ({"expires_at": "2999-12-31T23:59:59-12:00"}, "/expires_at"),
        ({"given_at": "1000-01-01T00:30:00+01:00"}, "/given_at"),
        (
            {"data_subjects": {"description": {"es": "x"}, "populations": ["x"]}},
            "/data_subjects/populations/0",
        ),
    ],
)
def test_invalid_consent_records_point_at_the_field(session, dataset, overrides, pointer):
    with pytest.raises(InvalidMetadata) as caught:
        create(session, **overrides)
    assert pointer in [e.pointer for e in caught.value.errors]


def test_withdrawal_is_an_event_and_the_past_stays_intact(session, dataset):
    state = create(session)
    given = state.events[0]
    before = allows(session, dataset)
    assert before.allowed
    withdrawn_at = NOW - dt.timedelta(days=1)
    after = event(session, state, event="withdrawn", at=iso(withdrawn_at), reason="by letter")
    assert after.status == "ConsentWithdrawn"
    assert [e.event for e in after.events] == ["given", "withdrawn"]
    # The past: the record and its first event are unchanged, and still readable at a time
    # before the withdrawal.
    session.expire_all()
    first = session.exec(
        select(ConsentEvent).where(
            ConsentEvent.consent_id == state.record.id, ConsentEvent.seq == 1
        )
    ).one()
    assert (first.event, first.status, first.occurred_at) == (
        given.event,
        given.status,
        given.occurred_at,
    )
    record = session.get(ConsentRecord, state.record.id)
    assert record.document == consent_document()
    assert record.withdrawn_at == withdrawn_at
    assert record.given_at == given.occurred_at
    assert allows(session, dataset, at=withdrawn_at - dt.timedelta(hours=1)).allowed
    check = allows(session, dataset)
    assert not check.allowed
    assert check.lapsed == ((state.record.id, "ConsentWithdrawn"),)
    assert "no longer valid (ConsentWithdrawn)" in check.reason
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.action == "consent.withdraw"))
        .one()
        .details["reason"]
        == "by letter"
    )
    assert audit.verify_chain(session).ok


def test_a_withdrawn_consent_cannot_come_back(session, dataset):
    state = event(session, create(session), event="withdrawn", reason="asked")
    with pytest.raises(Conflict, match="record a new consent"):
        event(session, state, event="renewed")
    assert session.exec(select(func.count()).select_from(ConsentEvent)).one() == 2


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        ({"event": "withdrawn"}, "/reason"),
        ({"event": "withdrawn", "reason": "x", "at": iso(NOW + dt.timedelta(days=1))}, "/at"),
        ({"event": "withdrawn", "reason": "x", "at": iso(NOW - dt.timedelta(days=60))}, "/at"),
        ({"event": "withdrawn", "reason": "x", "expires_at": iso(NOW)}, "/expires_at"),
        ({"event": "forgotten"}, "/event"),
    ],
)
def test_invalid_events_point_at_the_field(session, dataset, document, pointer):
    state = create(session)
    with pytest.raises(InvalidMetadata) as caught:
        event(session, state, **document)
    assert pointer in [e.pointer for e in caught.value.errors]


def test_request_then_refusal_then_request_then_consent(session, dataset):
    state = create(session, status="ConsentRequested")
    assert not state.valid
    state = event(session, state, event="refused", reason="no")
    with pytest.raises(Conflict, match="it can be requested"):
        event(session, state, event="given")
    state = event(session, state, event="requested")
    state = event(session, state, event="given", expires_at=iso(NOW + dt.timedelta(days=10)))
    assert state.valid
    assert [e.status for e in state.events] == [
        "ConsentRequested",
        "ConsentRefused",
        "ConsentRequested",
        "ConsentGiven",
    ]


# ---------------------------------------------------------------------------------- expiry


def test_expiry_takes_effect_without_a_job_and_is_recorded_by_the_sweep(session, dataset):
    expires = NOW + dt.timedelta(hours=1)
    state = create(session, expires_at=iso(expires))
    later = NOW + dt.timedelta(hours=2)
    assert allows(session, dataset, at=NOW).allowed
    check = allows(session, dataset, at=later)
    assert not check.allowed
    assert check.lapsed == ((state.record.id, "ConsentExpired"),)
    view = consents.state_at(state.record, state.events, later)
    assert view.status == "ConsentExpired"
    assert view.expiry_unrecorded
    assert session.get(ConsentRecord, state.record.id).status == "ConsentGiven"
    assert consents.record_expiries(session, actor=SYSTEM, now=NOW) == 0
    assert consents.record_expiries(session, actor=SYSTEM, now=later) == 1
    assert consents.record_expiries(session, actor=SYSTEM, now=later) == 0  # idempotent
    _, after = consents.get_consent(
        session, actor=SYSTEM, name="ptte-gt", consent_id=state.record.id
    )
    assert [(e.event, e.occurred_at) for e in after.events] == [
        ("given", NOW - dt.timedelta(days=30)),
        ("expired", expires),
    ]
    assert session.get(ConsentRecord, state.record.id).status == "ConsentExpired"


def test_an_unrecorded_expiry_is_recorded_before_the_next_event(session, dataset):
    expired = NOW - dt.timedelta(days=2)
    state = consents.create_consent(
        session,
        actor=SYSTEM,
        name="ptte-gt",
        document=consent_document(expires_at=iso(expired)),
    )
    # Expired at creation already: recorded at once, dated when it happened.
    assert [(e.event, e.occurred_at) for e in state.events] == [
        ("given", NOW - dt.timedelta(days=30)),
        ("expired", expired),
    ]
    renewed = event(session, state, event="renewed", expires_at=iso(NOW + dt.timedelta(days=90)))
    assert renewed.status == "RenewedConsentGiven"
    assert allows(session, dataset).allowed


def test_the_next_event_records_a_lapsed_term_first(session, dataset):
    expires = NOW - dt.timedelta(seconds=1)
    record = create(session, expires_at=iso(NOW + dt.timedelta(days=1)))
    # Shorten the term behind the service's back, as time passing would.
    row = session.get(ConsentRecord, record.record.id)
    first = session.exec(select(ConsentEvent).where(ConsentEvent.consent_id == row.id)).one()
    first.expires_at = expires
    row.expires_at = expires
    session.add_all([first, row])
    session.commit()
    _, state = consents.get_consent(session, actor=SYSTEM, name="ptte-gt", consent_id=row.id)
    assert state.status == "ConsentExpired"
    with pytest.raises(Conflict, match="ConsentExpired cannot be withdrawn"):
        event(session, state, event="withdrawn", reason="late")
    # The refused event rolled back everything, the expiry included.
    assert session.exec(select(func.count()).select_from(ConsentEvent)).one() == 1
    state = event(session, state, event="renewed")
    assert [e.event for e in state.events] == ["given", "expired", "renewed"]


# ------------------------------------------------------------------ purposes and recipients


@pytest.mark.parametrize(
    ("consented", "requested", "allowed"),
    [
        (["ProvideOfficialStatistics"], "ProvideOfficialStatistics", True),
        (["PublicBenefit"], "ProvideOfficialStatistics", True),  # broader consent covers it
        (["ProvideOfficialStatistics"], "PublicBenefit", False),  # narrower does not
        (["ProvideOfficialStatistics"], "https://w3id.org/dpv#ProvideOfficialStatistics", True),
        (["ResearchAndDevelopment"], "AcademicResearch", True),
        (["ProvideOfficialStatistics"], "Marketing", False),
    ],
)
def test_purposes_follow_the_dpv_hierarchy(session, dataset, consented, requested, allowed):
    create(session, purposes=consented)
    assert allows(session, dataset, purpose=requested).allowed is allowed


def test_unknown_purpose_is_not_allowed(session, dataset):
    create(session)
    check = allows(session, dataset, purpose="Nonsense")
    assert not check.allowed
    assert "not a DPV purpose" in check.reason


@pytest.mark.parametrize(
    ("recipients", "org", "country", "allowed"),
    [
        ({"organizations": ["stps-mx"]}, "stps-mx", None, True),
        ({"organizations": ["stps-mx"]}, "stss-hn", "HND", False),
        ({"countries": ["MEX"]}, "inm-mx", "MEX", True),
        ({"countries": ["MEX"]}, None, "HND", False),
        ({"organizations": ["stss-hn"], "countries": ["MEX"]}, "stss-hn", "HND", True),
    ],
)
def test_recipients_by_organization_or_country(session, dataset, recipients, org, country, allowed):
    create(session, recipients=recipients)
    check = allows(session, dataset, recipient_org=org, recipient_country=country)
    assert check.allowed is allowed
    if not allowed:
        assert "recipient" in check.reason


def test_counts_add_up_over_cohorts(session, dataset):
    create(session, subjects_count=100)
    second = create(session, subjects_count=40)
    event(session, second, event="withdrawn", reason="cohort withdrew")
    check = allows(session, dataset)
    assert check.allowed
    assert check.subjects_covered == 100
    assert [c for c, _ in check.lapsed] == [second.record.id]  # their data must be left out
    assert check.to_dict()["lapsed"] == [
        {"consent": str(second.record.id), "status": "ConsentWithdrawn"}
    ]


def test_datasets_not_held_on_consent_need_none(session, make_org, make_dataset):
    make_org("mintrab-gt")
    other = make_dataset("x")
    check = allows(session, other)
    assert (check.required, check.allowed) == (False, True)


def test_a_consent_basis_without_records_allows_nothing(session, dataset):
    check = allows(session, dataset)
    assert (check.required, check.allowed) == (True, False)
    assert "no consent records" in check.reason
    view = governance.governance_view(session, actor=SYSTEM, name="ptte-gt")
    assert view.consent_required
    assert [w.code for w in view.readiness.publish.warnings] == ["retention-period", "consent"]


def test_only_the_publishers_stewards_and_auditors_get_the_compliance_gaps(session, dataset):
    def member(role, organization_id):
        return Principal(
            kind="user", name=role, roles={organization_id: frozenset({role})}, scopes=None
        )

    other = organizations.get_organization(session, "stps-mx").id
    seen = {
        "anonymous": Principal.anonymous(),
        "steward": member(Role.STEWARD, dataset.publisher_id),
        "requester": member(Role.REQUESTER, dataset.publisher_id),
        "other steward": member(Role.STEWARD, other),
        "auditor": member(Role.AUDITOR, other),
        "system": SYSTEM,
    }
    compliance = {
        who: governance.governance_view(session, actor=actor, name="ptte-gt").compliance
        for who, actor in seen.items()
    }
    assert compliance == {
        "anonymous": False,
        "steward": True,
        "requester": False,
        "other steward": False,
        "auditor": True,
        "system": True,
    }


def test_consent_records_alone_make_a_dataset_consent_based(session, make_org, make_dataset):
    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")
    dataset = make_dataset(
        "x",
        access_rights="NON_PUBLIC",
        personal_data="personal",
        legal_basis=legal_basis_document(),
    )
    assert not allows(session, dataset, purpose="Marketing").required
    consents.create_consent(session, actor=SYSTEM, name="x", document=consent_document())
    check = allows(session, dataset, purpose="Marketing")
    assert (check.required, check.allowed) == (True, False)
    assert "no consent record covers the purpose Marketing" in check.reason


# ---------------------------------------------------------------------------- who may read


def test_consents_are_read_by_members_and_auditors_only(session, dataset, make_user):
    from catalog.accounts import user_principal

    create(session)
    outsider, _ = make_user("luis", steward="stps-mx")
    member, _ = make_user("ana", requester="mintrab-gt")
    auditor, _ = make_user("eva", auditor="stss-hn")
    principal = {u.username: user_principal(session, u) for u in (outsider, member, auditor)}
    with pytest.raises(Forbidden):
        consents.list_consents(session, actor=principal["luis"], name="ptte-gt")
    assert len(consents.list_consents(session, actor=principal["ana"], name="ptte-gt")[1]) == 1
    assert len(consents.list_consents(session, actor=principal["eva"], name="ptte-gt")[1]) == 1
    outside_view = governance.governance_view(session, actor=principal["luis"], name="ptte-gt")
    assert outside_view.consents is None
    assert outside_view.legal_bases  # legal bases are public with the dataset
    with pytest.raises(Forbidden):  # a requester of the publisher reads but cannot write
        consents.create_consent(
            session, actor=principal["ana"], name="ptte-gt", document=consent_document()
        )
