"""The publish guard: personal or sensitive data needs a valid legal basis (and an offer)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlmodel import func, select

from catalog import audit, dataset_policies, datasets, governance, legal_bases, readiness
from catalog.errors import Conflict, GovernanceIncomplete, InvalidMetadata
from catalog.importer import import_datasets
from catalog.models import AuditEvent, Dataset, DatasetPolicy, LegalBasis
from tests.conftest import (
    AGGREGATES_OFFER,
    BASE_URI,
    SYSTEM,
    dataset_document,
    legal_basis_document,
)

TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture(autouse=True)
def _orgs(make_org):
    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")


def requirements(error: GovernanceIncomplete) -> list[str]:
    return [item["requirement"] for item in error.extensions["missing"]]


def count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


# ------------------------------------------------------------------------- create published


@pytest.mark.parametrize("personal", ["personal", "sensitive"])
def test_create_published_refuses_personal_data(session, personal):
    with pytest.raises(GovernanceIncomplete) as caught:
        datasets.create_dataset(
            session,
            actor=SYSTEM,
            document=dataset_document(personal_data=personal, access_rights="NON_PUBLIC"),
            publish=True,
        )
    assert requirements(caught.value) == ["legal-basis"]
    assert "Register it as a draft" in caught.value.detail
    assert caught.value.status == 409
    session.rollback()
    assert count(session, Dataset) == 0


@pytest.mark.parametrize("personal", ["none", "pseudonymised"])
def test_create_published_allows_other_classes(session, personal):
    dataset = datasets.create_dataset(
        session, actor=SYSTEM, document=dataset_document(personal_data=personal), publish=True
    )
    assert dataset.status == "published"


def test_restricted_personal_needs_a_policy_too(session):
    with pytest.raises(GovernanceIncomplete) as caught:
        datasets.create_dataset(
            session,
            actor=SYSTEM,
            document=dataset_document(personal_data="personal", access_rights="RESTRICTED"),
            publish=True,
        )
    assert requirements(caught.value) == ["legal-basis", "policy"]


# ------------------------------------------------------------------------------- publish


def test_publish_needs_a_legal_basis_then_succeeds(session, make_dataset):
    make_dataset(publish=False, personal_data="personal", access_rights="NON_PUBLIC")
    with pytest.raises(GovernanceIncomplete, match="needs a legal basis valid on"):
        datasets.publish_dataset(session, actor=SYSTEM, name="enei-2024")
    legal_bases.create_legal_basis(
        session, actor=SYSTEM, name="enei-2024", document=legal_basis_document()
    )
    assert datasets.publish_dataset(session, actor=SYSTEM, name="enei-2024").status == "published"


def test_publish_restricted_sensitive_needs_the_offer(session, make_dataset):
    make_dataset(
        publish=False,
        personal_data="sensitive",
        access_rights="RESTRICTED",
        legal_basis=legal_basis_document(),
    )
    with pytest.raises(GovernanceIncomplete) as caught:
        datasets.publish_dataset(session, actor=SYSTEM, name="enei-2024")
    assert requirements(caught.value) == ["policy"]
    dataset_policies.set_policy(
        session,
        actor=SYSTEM,
        name="enei-2024",
        body=AGGREGATES_OFFER,
        if_match=None,
        base_uri=BASE_URI,
    )
    assert datasets.publish_dataset(session, actor=SYSTEM, name="enei-2024").status == "published"


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"valid_from": "2020-01-01", "valid_until": "2021-12-31"}, "expired after 2021-12-31"),
        ({"valid_from": (TODAY + dt.timedelta(days=30)).isoformat()}, "applies from"),
    ],
)
def test_a_legal_basis_out_of_its_validity_does_not_count(session, make_dataset, overrides, why):
    make_dataset(
        publish=False,
        personal_data="personal",
        access_rights="NON_PUBLIC",
        legal_basis=legal_basis_document(**overrides),
    )
    with pytest.raises(GovernanceIncomplete) as caught:
        datasets.publish_dataset(session, actor=SYSTEM, name="enei-2024")
    assert why in caught.value.detail


def test_validity_days_are_inclusive_and_end_cuts_short():
    now = dt.datetime(2026, 3, 31, 23, 59, tzinfo=dt.UTC)
    basis = LegalBasis(
        dataset_id=uuid.uuid4(),
        basis="LegalObligation",
        document={},
        valid_from=dt.date(2026, 3, 31),
        valid_until=dt.date(2026, 3, 31),
        created_by="t",
    )
    assert readiness.legal_basis_valid(basis, now)
    assert not readiness.legal_basis_valid(basis, now + dt.timedelta(minutes=1))
    basis.ended_at = now - dt.timedelta(hours=1)
    assert not readiness.legal_basis_valid(basis, now)


def test_an_ended_legal_basis_does_not_count(session, make_dataset):
    make_dataset(
        publish=False,
        personal_data="personal",
        access_rights="NON_PUBLIC",
        legal_basis=legal_basis_document(),
    )
    (basis,) = legal_bases.of_dataset(session, _id(session))
    legal_bases.end_legal_basis(
        session, actor=SYSTEM, name="enei-2024", legal_basis_id=basis.id, reason="repealed"
    )
    with pytest.raises(GovernanceIncomplete, match="was ended on"):
        datasets.publish_dataset(session, actor=SYSTEM, name="enei-2024")


def _id(session):
    return session.exec(select(Dataset.id).where(Dataset.name == "enei-2024")).one()


# ---------------------------------------------------------------- keeping published data covered


def test_reclassifying_a_published_dataset_is_guarded(session, make_dataset):
    make_dataset(access_rights="NON_PUBLIC")
    document = dataset_document(access_rights="NON_PUBLIC", personal_data="sensitive")
    with pytest.raises(GovernanceIncomplete):
        datasets.update_dataset(
            session, actor=SYSTEM, name="enei-2024", document=document, if_match=1
        )
    session.rollback()
    legal_bases.create_legal_basis(
        session, actor=SYSTEM, name="enei-2024", document=legal_basis_document()
    )
    changed = datasets.update_dataset(
        session, actor=SYSTEM, name="enei-2024", document=document, if_match=1
    )
    assert changed.personal_data == "sensitive"


def test_unrelated_edits_of_a_published_dataset_are_not_blocked(session, make_dataset):
    make_dataset(
        personal_data="personal", access_rights="NON_PUBLIC", legal_basis=legal_basis_document()
    )
    (basis,) = legal_bases.of_dataset(session, _id(session))
    # The basis lapses by time (an edit of the row simulates the calendar moving on).
    basis.valid_until = TODAY - dt.timedelta(days=1)
    basis.valid_from = TODAY - dt.timedelta(days=400)
    session.add(basis)
    session.commit()
    document = dataset_document(
        personal_data="personal", access_rights="NON_PUBLIC", version="2024.2"
    )
    updated = datasets.update_dataset(
        session, actor=SYSTEM, name="enei-2024", document=document, if_match=2
    )
    assert updated.document["version"] == "2024.2"
    view = governance.governance_view(session, actor=SYSTEM, name="enei-2024")
    assert not view.readiness.publish.ready  # ... but the governance view says so


def test_the_last_valid_basis_of_published_personal_data_cannot_be_ended(session, make_dataset):
    make_dataset(
        personal_data="personal", access_rights="NON_PUBLIC", legal_basis=legal_basis_document()
    )
    (basis,) = legal_bases.of_dataset(session, _id(session))
    with pytest.raises(GovernanceIncomplete, match="withdraw the dataset"):
        legal_bases.end_legal_basis(
            session, actor=SYSTEM, name="enei-2024", legal_basis_id=basis.id, reason="repealed"
        )
    session.rollback()
    with pytest.raises(GovernanceIncomplete):
        legal_bases.update_legal_basis(
            session,
            actor=SYSTEM,
            name="enei-2024",
            legal_basis_id=basis.id,
            document={"valid_until": "2020-12-31"},
            if_match=1,
            merge=True,
        )
    session.rollback()
    datasets.withdraw_dataset(session, actor=SYSTEM, name="enei-2024", reason="law repealed")
    ended = legal_bases.end_legal_basis(
        session, actor=SYSTEM, name="enei-2024", legal_basis_id=basis.id, reason="repealed"
    )
    assert ended.ended_at is not None
    with pytest.raises(Conflict, match="already ended"):
        legal_bases.end_legal_basis(
            session, actor=SYSTEM, name="enei-2024", legal_basis_id=basis.id, reason="again"
        )
    with pytest.raises(GovernanceIncomplete):  # reinstating needs a new basis
        datasets.publish_dataset(session, actor=SYSTEM, name="enei-2024")


# --------------------------------------------------------------------------------- imports


def test_import_published_personal_data_without_governance_is_refused(session):
    records = [
        {
            **dataset_document("a", personal_data="personal", access_rights="RESTRICTED"),
            "status": "published",
        },
        {
            **dataset_document("b", personal_data="personal", access_rights="RESTRICTED"),
            "status": "draft",
        },
        {**dataset_document("c"), "status": "published"},
    ]
    with pytest.raises(InvalidMetadata) as caught:
        import_datasets(session, actor=SYSTEM, records=records, base_uri=BASE_URI)
    pointers = [e.pointer for e in caught.value.errors]
    assert pointers == ["/0/status", "/0/status"]
    assert "legal_bases" in caught.value.errors[0].detail
    assert "policy" in caught.value.errors[1].detail
    session.rollback()
    assert count(session, Dataset) == 0


def test_import_with_inline_legal_bases_and_policy(session):
    records = [
        {
            **dataset_document("a", personal_data="personal", access_rights="RESTRICTED"),
            "status": "published",
            "legal_bases": [legal_basis_document()],
            "policy": AGGREGATES_OFFER,
        }
    ]
    report = import_datasets(session, actor=SYSTEM, records=records, base_uri=BASE_URI)
    assert (report.published, report.legal_bases, report.policies) == (1, 1, 1)
    dataset = session.exec(select(Dataset)).one()
    assert dataset.status == "published"
    assert "legal_bases" not in dataset.document
    assert count(session, LegalBasis) == 1
    policy = session.exec(select(DatasetPolicy)).one()
    assert policy.document["target"] == f"{BASE_URI}dataset/a"
    actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert {"legal_basis.create", "policy.set", "dataset.create"} <= set(actions)
    assert audit.verify_chain(session).ok
    assert governance.summaries(session, [dataset])[dataset.id].summary() == {
        "legal_basis": True,
        "policy": True,
        "publishable": True,
        "shareable": True,
    }


def test_import_reports_bad_inline_governance_with_pointers(session):
    records = [
        {
            **dataset_document("a"),
            "legal_bases": [legal_basis_document(basis="PublicTask")],
            "policy": {"template": "no-such-template"},
        },
        {**dataset_document("b"), "legal_bases": "none"},
    ]
    with pytest.raises(InvalidMetadata) as caught:
        import_datasets(session, actor=SYSTEM, records=records, base_uri=BASE_URI)
    pointers = {e.pointer for e in caught.value.errors}
    assert pointers == {"/0/legal_bases/0/basis", "/1/legal_bases"}
    # The policy is checked once the legal bases are right.
    records[0]["legal_bases"] = [legal_basis_document()]
    records[1].pop("legal_bases")
    with pytest.raises(InvalidMetadata) as caught:
        import_datasets(session, actor=SYSTEM, records=records, base_uri=BASE_URI)
    assert [e.pointer for e in caught.value.errors] == ["/0/policy/template"]
    records[0]["policy"] = AGGREGATES_OFFER
    with pytest.raises(InvalidMetadata) as caught:
        import_datasets(session, actor=SYSTEM, records=records)
    (error,) = caught.value.errors
    assert error.pointer == "/0/policy"
    assert "base URI" in error.detail


def test_deleting_a_draft_takes_its_governance_records_along(session, make_dataset):
    from catalog import consents
    from catalog.models import ConsentEvent, ConsentRecord

    make_dataset(publish=False, personal_data="personal", legal_basis=legal_basis_document())
    dataset_policies.set_policy(
        session,
        actor=SYSTEM,
        name="enei-2024",
        body=AGGREGATES_OFFER,
        if_match=None,
        base_uri=BASE_URI,
    )
    consents.create_consent(
        session,
        actor=SYSTEM,
        name="enei-2024",
        document={
            "data_subjects": {"description": {"es": "Cohorte"}},
            "subjects_count": 5,
            "purposes": ["ProvideOfficialStatistics"],
            "recipients": {"countries": ["MEX"]},
            "given_at": "2024-01-01T00:00:00Z",
            "evidence": {"reference": "F-1"},
        },
    )
    datasets.delete_draft(session, actor=SYSTEM, name="enei-2024")
    for model in (LegalBasis, DatasetPolicy, ConsentRecord, ConsentEvent):
        assert count(session, model) == 0
    # The audit log keeps what happened.
    actions = set(session.exec(select(AuditEvent.action)).all())
    assert {"legal_basis.create", "policy.set", "consent.create", "dataset.delete"} <= actions
    assert audit.verify_chain(session).ok
