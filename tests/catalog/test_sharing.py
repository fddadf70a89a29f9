"""The sharing workflow at the service level: requests, agreements, the gateway, notifications.

Guatemala's labour ministry (mintrab-gt) asks El Salvador's migration authority (dgme-sv)
for returned-migrant data (``tests/sharing_support.py``); the provider's steward decides,
both parties sign, and the data gateway decides every download afresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import smtplib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from catalog import (
    access_requests,
    accounts,
    agreements,
    audit,
    consents,
    dataset_policies,
    datasets,
    distributions,
    gateway,
    notifications,
    oauth,
    organizations,
)
from catalog.access_requests import RequestView
from catalog.agreements import AgreementView
from catalog.audit import canonical_json
from catalog.db import Database
from catalog.errors import (
    ConfigurationError,
    Conflict,
    Forbidden,
    InvalidMetadata,
    NotFound,
    PolicyDenied,
    Unauthenticated,
)
from catalog.iris import dataset_iri, organization_iri
from catalog.models import (
    AccessRequestItem,
    AgreementDataset,
    AgreementParty,
    AuditEvent,
    Dataset,
    Distribution,
    LegalBasis,
    OutboxMessage,
    SharingAgreement,
    Signature,
)
from catalog.principals import Principal
from catalog.settings import Settings
from tests.conftest import BASE_URI, SYSTEM, legal_basis_document
from tests.sharing_support import DATASET, World, make_world, request_document

DAYS = 365
GT, SV = "mintrab-gt", "dgme-sv"


# ------------------------------------------------------------------------------ helpers


def today() -> dt.date:
    """The catalog's day (UTC): validity periods are whole UTC days."""
    return dt.datetime.now(dt.UTC).date()


def document(**overrides: Any) -> dict[str, Any]:
    """A valid request whose period starts today (UTC)."""
    period = {"start": today().isoformat(), "end": (today() + dt.timedelta(days=180)).isoformat()}
    return request_document(**{"period": period, **overrides})


@dataclass
class Sharing:
    """The world, and the steps of the workflow as its people take them."""

    session: Session
    world: World
    storage: Path

    def who(self, username: str) -> Principal:
        """The principal of a person's personal API token, as the app builds it."""
        return accounts.authenticate_api_token(self.session, self.world.tokens[username])

    def org_id(self, name: str) -> int:
        found = organizations.get_organization(self.session, name).id
        assert found is not None
        return found

    # requests

    def submit(self, username: str = "gt.requester", **overrides: Any) -> RequestView:
        return access_requests.submit(
            self.session,
            actor=self.who(username),
            document=document(**overrides),
            base_uri=BASE_URI,
            default_days=DAYS,
        )

    def review(self, request_id: uuid.UUID, username: str = "sv.steward") -> RequestView:
        return access_requests.start_review(
            self.session, actor=self.who(username), request_id=request_id
        )

    def approve(self, request_id: uuid.UUID, username: str = "sv.steward") -> RequestView:
        return access_requests.approve(
            self.session,
            actor=self.who(username),
            request_id=request_id,
            reason="fines estadísticos",
            base_uri=BASE_URI,
        )

    def reject(self, request_id: uuid.UUID, reason: str | None = "fuera de mandato") -> RequestView:
        return access_requests.reject(
            self.session, actor=self.who("sv.steward"), request_id=request_id, reason=reason
        )

    def withdraw(self, request_id: uuid.UUID, username: str = "gt.requester") -> RequestView:
        return access_requests.withdraw(
            self.session, actor=self.who(username), request_id=request_id, reason="ya no"
        )

    # agreements

    def drafted(self, **request: Any) -> SharingAgreement:
        """The draft agreement of an approved request."""
        request = self.submit(**request).request
        self.review(request.id)
        agreement = self.approve(request.id).agreement
        assert agreement is not None
        return agreement

    def draft_directly(self, username: str = "sv.steward", **document: Any) -> AgreementView:
        """A draft the provider makes without an access request (``document`` overrides)."""
        return agreements.draft_agreement(
            self.session,
            actor=self.who(username),
            document={
                "datasets": [DATASET],
                "assignees": [GT],
                "purpose": "ProvideOfficialStatistics",
                "valid_from": today().isoformat(),
                "valid_until": (today() + dt.timedelta(days=90)).isoformat(),
                **document,
            },
            base_uri=BASE_URI,
        )

    def send(self, agreement_id: uuid.UUID) -> AgreementView:
        return agreements.send_for_signature(
            self.session, actor=self.who("sv.steward"), agreement_id=agreement_id
        )

    def sign(self, agreement_id: uuid.UUID, username: str) -> AgreementView:
        return agreements.sign(self.session, actor=self.who(username), agreement_id=agreement_id)

    def activated(self, **request: Any) -> SharingAgreement:
        """An agreement that both parties signed."""
        agreement = self.drafted(**request)
        self.send(agreement.id)
        self.sign(agreement.id, "sv.signatory")
        view = self.sign(agreement.id, "gt.signatory")
        assert view.agreement.status == "active"
        return view.agreement

    def suspend(self, agreement_id: uuid.UUID) -> AgreementView:
        return agreements.suspend(
            self.session,
            actor=self.who("sv.steward"),
            agreement_id=agreement_id,
            reason="auditoría",
        )

    def resume(self, agreement_id: uuid.UUID) -> AgreementView:
        return agreements.resume(
            self.session, actor=self.who("sv.steward"), agreement_id=agreement_id, reason="resuelto"
        )

    def terminate(self, agreement_id: uuid.UUID) -> AgreementView:
        return agreements.terminate(
            self.session, actor=self.who("sv.steward"), agreement_id=agreement_id, reason="fin"
        )

    def renew(self, agreement_id: uuid.UUID, days: int = 400) -> AgreementView:
        return agreements.renew(
            self.session,
            actor=self.who("sv.steward"),
            agreement_id=agreement_id,
            valid_from=None,
            valid_until=(today() + dt.timedelta(days=days)).isoformat(),
            base_uri=BASE_URI,
        )

    def withdraw_consent(self, consent_id: uuid.UUID) -> None:
        """The provider records that the people of a consent record withdrew it."""
        consents.add_event(
            self.session,
            actor=self.who("sv.steward"),
            name=DATASET,
            consent_id=consent_id,
            document={"event": "withdrawn", "reason": "por carta"},
        )

    # the gateway

    def download(
        self,
        actor: Principal | str = "gt.requester",
        *,
        purpose: str | None = None,
        country: str | None = None,
        min_cell_size: int | None = None,
        head: bool = False,
        if_none_match: str | None = None,
    ) -> gateway.Grant:
        assert self.world.distribution.id is not None
        return gateway.authorize_download(
            self.session,
            actor=self.who(actor) if isinstance(actor, str) else actor,
            name=DATASET,
            distribution_id=self.world.distribution.id,
            purpose=purpose,
            recipient_country=country,
            storage_root=self.storage,
            base_uri=BASE_URI,
            min_cell_size=min_cell_size,
            head=head,
            if_none_match=if_none_match,
        )

    def granted(self, actor: Principal | str = "gt.requester", **arguments: Any) -> gateway.Grant:
        """Assert the download is granted, with a data.access.granted event."""
        grant = self.download(actor, **arguments)
        assert grant.path.read_bytes() == self.world.content
        event = last_event(self.session)
        assert event.action == "data.access.granted"
        assert event.object_id == str(self.world.distribution.id)
        assert event.details["dataset"] == DATASET
        assert grant.agreement is not None
        assert event.details["agreement"] == str(grant.agreement.id)
        return grant

    def denied(
        self, check: str, actor: Principal | str = "gt.requester", **arguments: Any
    ) -> PolicyDenied:
        """Assert the download is denied by ``check``, with a data.access.denied event."""
        with pytest.raises(PolicyDenied) as caught:
            self.download(actor, **arguments)
        assert caught.value.extensions["check"] == check, caught.value.detail
        assert caught.value.status == 403
        event = last_event(self.session)
        assert event.action == "data.access.denied"
        assert event.object_id == str(self.world.distribution.id)
        assert event.details["check"] == check
        assert event.details["dataset"] == DATASET
        assert event.details["reason"] == caught.value.detail
        return caught.value


def last_event(session: Session, action: str | None = None) -> AuditEvent:
    query = select(AuditEvent).order_by(col(AuditEvent.seq).desc())
    if action is not None:
        query = query.where(AuditEvent.action == action)
    found = session.exec(query.limit(1)).first()
    assert found is not None, action
    return found


def actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.action).order_by(col(AuditEvent.seq))).all())


@pytest.fixture
def build(
    session: Session,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    make_dataset: Callable[..., Any],
    settings: Settings,
) -> Callable[..., Sharing]:
    """Make the world (``legal_basis``/``policy`` as make_world takes them)."""

    def make(**options: Any) -> Sharing:
        world = make_world(
            session, make_org, make_user, make_dataset, settings.storage_path, **options
        )
        return Sharing(session, world, settings.storage_path)

    return make


@pytest.fixture
def sharing(build: Callable[..., Sharing]) -> Sharing:
    return build()


@pytest.fixture
def aggregates_only(build: Callable[..., Sharing]) -> Sharing:
    """An offer that allows outputs with cells of 20 or more only."""
    return build(
        policy={
            "template": "binational-labour-migration-exchange",
            "parameters": {"assignees": ["mintrab-gt"], "min_cell_size": 20},
        }
    )


# --------------------------------------------------------------------------- submission


def test_submission_stores_the_engines_permit_per_dataset(sharing: Sharing) -> None:
    view = sharing.submit()
    request = view.request
    assert request.status == "submitted"
    assert (view.requester.name, view.provider.name) == (GT, SV)
    assert request.submitted_by == "gt.requester"
    assert request.purpose == "ProvideOfficialStatistics"
    assert request.period_start == today()
    ((item, dataset),) = view.items
    assert dataset.name == DATASET
    assert item.outcome == "permit"
    assert item.policy_revision is not None
    assert item.decision["outcome"] == "permit"
    assert item.decision["granted_by"] == ["permission #0"]
    # stored, not only returned
    sharing.session.expire_all()
    stored = sharing.session.exec(
        select(AccessRequestItem).where(AccessRequestItem.request_id == request.id)
    ).one()
    assert (stored.outcome, stored.decision["outcome"]) == ("permit", "permit")
    event = last_event(sharing.session, "access_request.submitted")
    assert event.object_id == str(request.id)
    assert event.details["evaluation"] == {DATASET: "permit"}


def test_a_purpose_the_offer_does_not_allow_is_stored_as_deny_and_cannot_be_approved(
    sharing: Sharing,
) -> None:
    view = sharing.submit(purpose="Marketing")
    ((item, _),) = view.items
    assert item.outcome == "deny"
    assert item.decision["outcome"] == "deny"
    assert item.decision["granted_by"] == []
    sharing.review(view.request.id)
    with pytest.raises(Conflict) as caught:
        sharing.approve(view.request.id)
    assert caught.value.extensions["evaluation"] == {DATASET: "deny"}
    assert f"{DATASET}: deny" in caught.value.detail
    # nothing was decided, and no agreement was drafted
    again = access_requests.get_request(
        sharing.session, actor=sharing.who("sv.steward"), request_id=view.request.id
    )
    assert again.request.status == "under_review"
    assert again.agreement is None
    assert sharing.session.exec(select(SharingAgreement)).all() == []


def test_submitting_for_an_unknown_dataset_points_at_it(sharing: Sharing) -> None:
    with pytest.raises(InvalidMetadata) as caught:
        sharing.submit(datasets=["no-existe"])
    assert [e.pointer for e in caught.value.errors] == ["/datasets/0"]
    with pytest.raises(InvalidMetadata) as caught:
        sharing.submit(datasets=[DATASET, "no-existe"])
    assert [e.pointer for e in caught.value.errors] == ["/datasets/1"]


def test_public_datasets_are_not_requested(
    sharing: Sharing, make_dataset: Callable[..., Any]
) -> None:
    make_dataset("publico-sv", SV, spatial=["SLV"])
    sharing.session.commit()
    with pytest.raises(InvalidMetadata) as caught:
        sharing.submit(datasets=[DATASET, "publico-sv"])
    ((error,),) = [caught.value.errors]
    assert error.pointer == "/datasets/1"
    assert "public data" in error.detail


def test_datasets_of_two_publishers_are_refused(
    sharing: Sharing, make_dataset: Callable[..., Any]
) -> None:
    make_dataset("registro-hn", "inm-hn", access_rights="NON_PUBLIC", spatial=["HND"])
    sharing.session.commit()
    with pytest.raises(InvalidMetadata) as caught:
        sharing.submit(datasets=[DATASET, "registro-hn"])
    assert caught.value.detail == "the datasets have several publishers"
    assert [e.pointer for e in caught.value.errors] == ["/datasets"]


def test_requesting_ones_own_data_is_refused(
    sharing: Sharing, make_dataset: Callable[..., Any]
) -> None:
    make_dataset("propio-gt", GT, access_rights="NON_PUBLIC")
    sharing.session.commit()
    with pytest.raises(InvalidMetadata) as caught:
        sharing.submit(datasets=["propio-gt"])
    assert caught.value.detail == "the datasets are the requester's own"
    ((error,),) = [caught.value.errors]
    assert (error.pointer, error.detail) == ("/datasets", f"{GT} publishes these datasets itself")


def test_an_unknown_purpose_is_refused_with_suggestions(sharing: Sharing) -> None:
    with pytest.raises(InvalidMetadata) as caught:
        sharing.submit(purpose="ProvideOfficialStatistic")
    ((error,),) = [caught.value.errors]
    assert error.pointer == "/purpose"
    assert "not a code of the DPV purposes vocabulary" in error.detail
    assert "ProvideOfficialStatistics" in error.extra["suggestions"]


def test_a_period_that_is_over_is_refused(sharing: Sharing) -> None:
    with pytest.raises(InvalidMetadata) as caught:
        sharing.submit(period={"start": "2020-01-01", "end": "2020-12-31"})
    assert [(e.pointer, e.detail) for e in caught.value.errors] == [
        ("/period/end", "is in the past")
    ]
    with pytest.raises(InvalidMetadata) as caught:
        sharing.submit(
            period={
                "start": (today() + dt.timedelta(days=10)).isoformat(),
                "end": (today() + dt.timedelta(days=5)).isoformat(),
            }
        )
    assert [(e.pointer, e.detail) for e in caught.value.errors] == [
        ("/period/end", "must not be before the start")
    ]


def test_dates_beyond_the_calendar_the_catalog_keeps_are_refused(sharing: Sharing) -> None:
    # The agreement derived from it ends the day after: past year 9999, that was a 500.
    for period in ({"start": "9999-12-01"}, {"start": today().isoformat(), "end": "9999-12-31"}):
        with pytest.raises(InvalidMetadata) as caught:
            sharing.submit(period=period)
        pointers = [e.pointer for e in caught.value.errors]
        assert pointers == ["/period/" + next(iter(period.keys() - {"start"}), "start")]
        assert "1000 to 2999" in caught.value.errors[0].detail


def test_without_a_period_end_the_default_validity_applies(sharing: Sharing) -> None:
    request = sharing.submit(period={"start": today().isoformat()}).request
    assert request.period_end == today() + dt.timedelta(days=DAYS - 1)


def test_only_requesters_submit(sharing: Sharing) -> None:
    with pytest.raises(Forbidden) as caught:
        sharing.submit("sv.steward")
    assert caught.value.detail == "only a requester of an organization may submit access requests"
    with pytest.raises(Forbidden) as caught:
        sharing.submit(requester="inm-hn")  # gt.requester asks for another organization
    assert caught.value.detail == "only requesters of inm-hn may submit its access requests"
    assert sharing.session.exec(select(AccessRequestItem)).all() == []


# ----------------------------------------------------------------- request transitions


def test_approving_before_review_is_a_conflict(sharing: Sharing) -> None:
    request = sharing.submit().request
    with pytest.raises(Conflict) as caught:
        sharing.approve(request.id)
    assert caught.value.extensions["status_now"] == "submitted"
    assert "a request that is submitted cannot become approved" in caught.value.detail


def test_reviewing_twice_is_a_conflict(sharing: Sharing) -> None:
    request = sharing.submit().request
    assert sharing.review(request.id).request.status == "under_review"
    with pytest.raises(Conflict) as caught:
        sharing.review(request.id)
    assert caught.value.extensions["status_now"] == "under_review"


def test_rejecting_after_approval_is_a_conflict(sharing: Sharing) -> None:
    request = sharing.submit().request
    sharing.review(request.id)
    assert sharing.approve(request.id).request.status == "approved"
    with pytest.raises(Conflict) as caught:
        sharing.reject(request.id)
    assert caught.value.extensions["status_now"] == "approved"
    assert "none: it is decided" in caught.value.detail
    with pytest.raises(Conflict):
        sharing.withdraw(request.id)


def test_withdrawing_after_rejection_is_a_conflict(sharing: Sharing) -> None:
    request = sharing.submit().request
    sharing.review(request.id)
    rejected = sharing.reject(request.id, reason="  fuera de mandato  ")
    assert rejected.request.status == "rejected"
    assert rejected.request.decision_reason == "fuera de mandato"
    assert rejected.request.decided_by == "sv.steward"
    with pytest.raises(Conflict) as caught:
        sharing.withdraw(request.id)
    assert caught.value.extensions["status_now"] == "rejected"
    with pytest.raises(Conflict):
        sharing.approve(request.id)


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_rejection_needs_a_reason(sharing: Sharing, reason: str | None) -> None:
    request = sharing.submit().request
    sharing.review(request.id)
    with pytest.raises(InvalidMetadata) as caught:
        sharing.reject(request.id, reason=reason)
    assert [e.pointer for e in caught.value.errors] == ["/reason"]
    assert (
        access_requests.get_request(
            sharing.session, actor=sharing.who("sv.steward"), request_id=request.id
        ).request.status
        == "under_review"
    )


def test_only_the_providers_stewards_decide(sharing: Sharing) -> None:
    request = sharing.submit().request
    with pytest.raises(Forbidden) as caught:
        sharing.review(request.id, "gt.requester")
    assert caught.value.detail.startswith("only stewards of dgme-sv")
    sharing.review(request.id)
    with pytest.raises(Forbidden):
        sharing.approve(request.id, "gt.requester")
    with pytest.raises(Forbidden):
        sharing.approve(request.id, "sv.signatory")


def test_outsiders_do_not_see_the_request(sharing: Sharing) -> None:
    request = sharing.submit().request
    outsider = sharing.who("hn.requester")
    with pytest.raises(NotFound) as caught:
        access_requests.get_request(sharing.session, actor=outsider, request_id=request.id)
    assert caught.value.detail == f"there is no access request {request.id}"
    with pytest.raises(NotFound):
        sharing.approve(request.id, "hn.requester")
    assert access_requests.list_requests(sharing.session, actor=outsider).items == []
    # both sides, and auditors, do
    for username in ("gt.requester", "sv.signatory", "auditor"):
        listing = access_requests.list_requests(sharing.session, actor=sharing.who(username))
        (seen,) = listing.items
        assert (seen.request.id, listing.total) == (request.id, 1)


@pytest.mark.parametrize("reviewed", [False, True])
def test_the_requester_withdraws_an_undecided_request(sharing: Sharing, reviewed: bool) -> None:
    request = sharing.submit().request
    if reviewed:
        sharing.review(request.id)
    with pytest.raises(Forbidden):
        sharing.withdraw(request.id, "sv.steward")
    withdrawn = sharing.withdraw(request.id)
    assert withdrawn.request.status == "withdrawn"
    assert withdrawn.request.decision_reason == "ya no"
    assert withdrawn.request.decided_by == "gt.requester"
    assert last_event(sharing.session).action == "access_request.withdrawn"
    with pytest.raises(Conflict):
        sharing.review(request.id)


# ------------------------------------------------------------------------------ approval


def test_approval_drafts_an_odrl_agreement_between_the_parties(sharing: Sharing) -> None:
    request = sharing.submit().request
    sharing.review(request.id)
    view = sharing.approve(request.id)
    assert view.request.status == "approved"
    assert view.request.decided_by == "sv.steward"
    assert view.request.decision_reason == "fines estadísticos"
    agreement = view.agreement
    assert agreement is not None
    assert agreement.status == "draft"
    assert (agreement.version, agreement.series_id, agreement.previous_id) == (
        1,
        agreement.id,
        None,
    )
    assert agreement.access_request_id == request.id
    assert agreement.purpose == "ProvideOfficialStatistics"
    assert agreement.legal_bases == ["OfficialAuthorityOfController"]
    assert agreement.valid_from == agreements.day_start(today())
    assert agreement.valid_until == agreements.day_start(request.period_end + dt.timedelta(days=1))

    policy = agreement.policy
    assert policy["@type"] == "Agreement"
    assert policy["uid"] == agreements.agreement_iri(BASE_URI, agreement.id)
    assert policy["assigner"] == organization_iri(BASE_URI, SV)
    assert policy["assignee"] == organization_iri(BASE_URI, GT)
    assert policy["target"] == dataset_iri(BASE_URI, DATASET)
    assert policy["dpv:hasLegalBasis"] == [{"@id": "dpv:OfficialAuthorityOfController"}]
    (permission,) = policy["permission"]
    constraints = permission["constraint"]
    assert {
        "leftOperand": "purpose",
        "operator": "isA",
        "rightOperand": {"@id": "dpv:ProvideOfficialStatistics"},
    } in constraints
    assert [c["operator"] for c in constraints if c.get("leftOperand") == "dateTime"] == [
        "gteq",
        "lt",
    ]

    session = sharing.session
    parties = session.exec(
        select(AgreementParty.organization_id, AgreementParty.role).where(
            AgreementParty.agreement_id == agreement.id
        )
    ).all()
    assert set(parties) == {(sharing.org_id(SV), "assigner"), (sharing.org_id(GT), "assignee")}
    assert session.exec(
        select(AgreementDataset.dataset_id).where(AgreementDataset.agreement_id == agreement.id)
    ).all() == [sharing.world.dataset.id]
    assert actions(session)[-2:] == ["agreement.drafted", "access_request.approved"]
    assert last_event(session).details["agreement"] == str(agreement.id)


# -------------------------------------------------------------------- agreement transitions


def test_a_draft_is_not_signed(sharing: Sharing) -> None:
    agreement = sharing.drafted()
    with pytest.raises(Conflict) as caught:
        sharing.sign(agreement.id, "gt.signatory")
    assert caught.value.extensions["status_now"] == "draft"
    assert "only an agreement pending signatures is signed" in caught.value.detail


def test_sending_for_signature_twice_is_a_conflict(sharing: Sharing) -> None:
    agreement = sharing.drafted()
    assert sharing.send(agreement.id).agreement.status == "pending_signatures"
    with pytest.raises(Conflict) as caught:
        sharing.send(agreement.id)
    assert caught.value.extensions["status_now"] == "pending_signatures"


def test_only_the_providers_steward_sends_for_signature(sharing: Sharing) -> None:
    agreement = sharing.drafted()
    with pytest.raises(Forbidden):
        agreements.send_for_signature(
            sharing.session, actor=sharing.who("gt.requester"), agreement_id=agreement.id
        )


def test_activation_needs_every_partys_signature(sharing: Sharing) -> None:
    agreement = sharing.drafted()
    sharing.send(agreement.id)
    view = sharing.sign(agreement.id, "gt.signatory")
    assert view.agreement.status == "pending_signatures"
    assert [p.name for p in view.unsigned()] == [SV]
    with pytest.raises(PolicyDenied):  # not in force yet
        sharing.download()
    view = sharing.sign(agreement.id, "sv.signatory")
    assert view.agreement.status == "active"
    assert view.agreement.activated_at is not None
    assert view.unsigned() == ()

    digest = hashlib.sha256(canonical_json(agreement.policy).encode()).hexdigest()
    assert agreements.policy_hash(agreement.policy) == digest
    rows = sharing.session.exec(
        select(Signature).where(Signature.agreement_id == agreement.id)
    ).all()
    assert {(r.organization_id, r.signer, r.policy_hash) for r in rows} == {
        (sharing.org_id(GT), "gt.signatory", digest),
        (sharing.org_id(SV), "sv.signatory", digest),
    }
    signed = sharing.session.exec(
        select(AuditEvent).where(AuditEvent.action == "agreement.signed")
    ).all()
    assert [(e.details["party"], e.details["policy_sha256"]) for e in signed] == [
        (GT, digest),
        (SV, digest),
    ]
    # Each signature is recorded under the organization that signed: its auditors
    # filter the log by their own organization.
    assert [e.organization_id for e in signed] == [sharing.org_id(GT), sharing.org_id(SV)]
    assert actions(sharing.session)[-1] == "agreement.activated"


def test_a_party_signs_once(sharing: Sharing) -> None:
    agreement = sharing.drafted()
    sharing.send(agreement.id)
    sharing.sign(agreement.id, "gt.signatory")
    with pytest.raises(Conflict) as caught:
        sharing.sign(agreement.id, "gt.signatory")
    assert caught.value.detail == f"{GT} has already signed this agreement"


def test_only_a_signatory_of_a_party_signs(sharing: Sharing, make_user: Callable[..., Any]) -> None:
    _, token = make_user("hn.signatory", signatory="inm-hn")
    sharing.session.commit()
    agreement = sharing.drafted()
    sharing.send(agreement.id)
    # A signatory of an organization that is no party does not even see the agreement.
    outsider = accounts.authenticate_api_token(sharing.session, token)
    with pytest.raises(NotFound):
        agreements.sign(sharing.session, actor=outsider, agreement_id=agreement.id)
    # A member of a party who is no signatory is refused.
    with pytest.raises(Forbidden) as caught:
        sharing.sign(agreement.id, "gt.requester")
    assert caught.value.detail == "only a signatory of a party to the agreement may sign it"
    assert sharing.session.exec(select(Signature)).all() == []


def test_resuming_an_active_agreement_is_a_conflict(sharing: Sharing) -> None:
    agreement = sharing.activated()
    with pytest.raises(Conflict) as caught:
        sharing.resume(agreement.id)
    assert caught.value.extensions["status_now"] == "active"
    assert "only a suspended agreement is resumed" in caught.value.detail


def test_nothing_follows_termination(sharing: Sharing) -> None:
    agreement = sharing.activated()
    terminated = sharing.terminate(agreement.id)
    assert terminated.agreement.status == "terminated"
    assert terminated.agreement.status_reason == "fin"
    steps: list[Callable[[uuid.UUID], object]] = [
        sharing.send,
        lambda i: sharing.sign(i, "gt.signatory"),
        sharing.suspend,
        sharing.resume,
        sharing.terminate,
        sharing.renew,
    ]
    for step in steps:
        with pytest.raises(Conflict) as caught:
            step(agreement.id)
        assert caught.value.extensions["status_now"] == "terminated"
    sharing.session.expire_all()
    assert sharing.session.get(SharingAgreement, agreement.id).status == "terminated"  # type: ignore[union-attr]


def test_suspension_and_termination_need_a_reason(sharing: Sharing) -> None:
    agreement = sharing.activated()
    for verb in (agreements.suspend, agreements.terminate):
        with pytest.raises(InvalidMetadata) as caught:
            verb(
                sharing.session,
                actor=sharing.who("sv.steward"),
                agreement_id=agreement.id,
                reason=" ",
            )
        assert [e.pointer for e in caught.value.errors] == ["/reason"]


# ------------------------------------------------------------------------------ gateway


def test_the_party_downloads_under_the_active_agreement(sharing: Sharing) -> None:
    agreement = sharing.activated()
    grant = sharing.granted()
    assert grant.agreement is not None
    assert grant.agreement.id == agreement.id
    assert grant.dataset.name == DATASET
    assert grant.distribution.id == sharing.world.distribution.id
    details = last_event(sharing.session).details
    assert details["requester"] == GT
    assert details["purpose"] == "ProvideOfficialStatistics"
    assert details["recipient_country"] == "GTM"
    assert details["decision"]["outcome"] == "permit"
    assert details["consent"]["required"] is False
    # declaring the agreed purpose and the party's country is the same
    sharing.granted(purpose="ProvideOfficialStatistics", country="GTM")
    assert audit.verify_chain(sharing.session).ok


@pytest.mark.parametrize(
    ("purpose", "country"),
    [
        # allowed by the offer, but not the purpose agreed (the agreement says isA it)
        ("PublicPolicyMaking", None),
        ("Marketing", None),
        (None, "USA"),
    ],
)
def test_a_use_the_agreement_does_not_permit_is_denied_by_policy(
    sharing: Sharing, purpose: str | None, country: str | None
) -> None:
    agreement = sharing.activated()
    denial = sharing.denied("policy", purpose=purpose, country=country)
    assert denial.detail.startswith(f"agreement {agreement.id} does not permit this")
    assert denial.extensions["decision"]["outcome"] != "permit"
    details = last_event(sharing.session).details
    assert details["requester"] == GT
    assert details["purpose"] == (purpose or "ProvideOfficialStatistics")
    assert details["recipient_country"] == (country or "GTM")
    sharing.granted()  # the agreed use still is
    assert audit.verify_chain(sharing.session).ok


def test_an_agreement_starting_later_is_not_yet_in_force(sharing: Sharing) -> None:
    start = today() + dt.timedelta(days=10)
    request = sharing.submit(
        period={"start": start.isoformat(), "end": (start + dt.timedelta(days=30)).isoformat()}
    ).request
    sharing.review(request.id)
    agreement = sharing.approve(request.id).agreement
    assert agreement is not None
    assert agreement.valid_from == agreements.day_start(start)
    sharing.send(agreement.id)
    sharing.sign(agreement.id, "sv.signatory")
    sharing.sign(agreement.id, "gt.signatory")
    denial = sharing.denied("agreement")
    assert denial.detail.endswith(
        f"is active: not yet in force; it comes into force on {start.isoformat()} (00:00 UTC)"
    )
    # The parties are told it is signed and when it comes into force, not that it is in force.
    notices = outbox(sharing.session, "agreement.activated")
    assert notices
    assert {n.subject["en"] for n in notices} == {"Sharing agreement signed"}
    assert all(
        f"comes into force on {start.isoformat()} (00:00 UTC)" in n.body["en"] for n in notices
    )


def test_a_restricted_extract_is_never_a_public_download(sharing: Sharing) -> None:
    # The dataset is RESTRICTED (sensitive returned-migrant records). A distribution its
    # steward adds without the restricted flag must not hand the records to anyone who
    # asks: the extract's own key is refused, and so is a copy of it under another key.
    steward = sharing.who("sv.steward")
    copy = sharing.storage / "dgme-sv" / "public" / "copia.csv"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(sharing.world.content)

    def add(key: str, *, restricted: bool = False) -> Distribution:
        return distributions.add_distribution(
            sharing.session,
            actor=steward,
            name=DATASET,
            document={
                "title": {"es": "Extracto", "en": "Extract"},
                "media_type": "text/csv",
                "storage_key": key,
                "restricted": restricted,
            },
            storage_root=sharing.storage,
        )

    # Under its own key it is another distribution's file, refused as such.
    with pytest.raises(InvalidMetadata):
        add(sharing.world.distribution.storage_key)
    sharing.session.rollback()
    # Under another key it is a copy of a restricted file: restricted too, or refused.
    with pytest.raises(InvalidMetadata) as caught:
        add("dgme-sv/public/copia.csv")
    (error,) = caught.value.errors
    assert error.pointer == "/restricted"
    assert error.detail == (
        f"the file is a copy of the restricted file of distribution "
        f"{sharing.world.distribution.id} of '{DATASET}': a copy is restricted too "
        "(set restricted to true)"
    )
    sharing.session.rollback()
    added = add("dgme-sv/public/copia.csv", restricted=True)
    # A copy left unflagged before writes refused it is still served as the restricted
    # file is: under an agreement, and audited.
    added.restricted = False
    added.document = {**added.document, "restricted": False}
    sharing.session.add(added)
    sharing.session.commit()
    assert added.id is not None

    def fetch(actor: Principal | str, distribution_id: uuid.UUID = added.id) -> gateway.Grant:
        return gateway.authorize_download(
            sharing.session,
            actor=sharing.who(actor) if isinstance(actor, str) else actor,
            name=DATASET,
            distribution_id=distribution_id,
            purpose=None,
            recipient_country=None,
            storage_root=sharing.storage,
            base_uri=BASE_URI,
        )

    with pytest.raises(Unauthenticated):
        fetch(Principal.anonymous())
    with pytest.raises(PolicyDenied) as denied:
        fetch("hn.requester")
    assert denied.value.extensions["check"] == "agreement"
    assert last_event(sharing.session).action == "data.access.denied"
    sharing.activated()
    grant = fetch("gt.requester")
    assert grant.agreement is not None
    assert last_event(sharing.session).action == "data.access.granted"


def test_an_agreement_not_yet_signed_says_who_must_act(sharing: Sharing) -> None:
    agreement = sharing.drafted()
    denial = sharing.denied("agreement")
    assert denial.detail.endswith(f"is draft; {SV} must send it for signature")
    sharing.send(agreement.id)
    denial = sharing.denied("agreement")
    assert denial.detail.endswith(f"is pending_signatures; awaiting the signature of {SV}, {GT}")
    sharing.sign(agreement.id, "sv.signatory")
    denial = sharing.denied("agreement")
    assert denial.detail.endswith(f"is pending_signatures; awaiting the signature of {GT}")


def test_a_purpose_is_named_by_its_code_or_its_iri_full_or_compact(sharing: Sharing) -> None:
    sharing.activated()
    for purpose in (
        "ProvideOfficialStatistics",
        "https://w3id.org/dpv#ProvideOfficialStatistics",
        "dpv:ProvideOfficialStatistics",
    ):
        sharing.granted(purpose=purpose)
        assert last_event(sharing.session).details["purpose"] == "ProvideOfficialStatistics"


def test_an_unknown_purpose_or_country_is_invalid(sharing: Sharing) -> None:
    sharing.activated()
    with pytest.raises(InvalidMetadata) as caught:
        sharing.download(purpose="Estadisticas")
    assert [e.pointer for e in caught.value.errors] == ["/purpose"]
    with pytest.raises(InvalidMetadata) as caught:
        sharing.download(country="XXX")
    assert [e.pointer for e in caught.value.errors] == ["/recipient_country"]


def test_an_organization_in_no_agreement_is_denied(sharing: Sharing) -> None:
    sharing.activated()
    denial = sharing.denied("agreement", "hn.requester")
    # What to do, not only what is missing.
    assert denial.detail == (
        f"inm-hn is not party to any agreement covering '{DATASET}': file an access request "
        f"to {SV} for it"
    )
    assert denial.extensions["agreements"] == []
    assert last_event(sharing.session).details["requester"] == "inm-hn"


def test_a_person_who_is_no_requester_is_denied(sharing: Sharing) -> None:
    sharing.activated()
    denial = sharing.denied("party", "gt.signatory")
    assert "only requesters of an organization" in denial.detail


def test_a_token_without_data_read_is_denied(
    sharing: Sharing, user_token: Callable[..., dict[str, Any]]
) -> None:
    sharing.activated()
    session = sharing.session

    def principal(scope: str) -> Principal:
        token = user_token(sharing.world.users["gt.requester"], GT, scope)
        row = oauth.find_access_token(session, token["access_token"])
        assert row is not None
        return oauth.principal_for_token(session, row)

    denial = sharing.denied("scope", principal("catalog:read requests:write"))
    assert denial.detail == "the token lacks the data:read scope"
    # Told as any other missing scope is (RFC 6750 section 3.1).
    assert 'error="insufficient_scope", scope="data:read"' in denial.extensions["www_authenticate"]
    assert last_event(session).details["requester"] is None
    # the same person with data:read is served
    sharing.granted(principal("catalog:read data:read"))
    assert audit.verify_chain(session).ok


def test_a_suspended_agreement_denies_until_resumed(sharing: Sharing) -> None:
    agreement = sharing.activated()
    sharing.granted()
    sharing.suspend(agreement.id)
    denial = sharing.denied("agreement")
    assert denial.detail == (
        f"{GT}'s agreement {agreement.id} on '{DATASET}' is suspended (auditoría); "
        f"{SV}'s stewards may resume it"
    )
    assert denial.extensions["agreements"] == [
        {"agreement": str(agreement.id), "version": 1, "status": "suspended"}
    ]
    sharing.resume(agreement.id)
    sharing.granted()
    assert audit.verify_chain(sharing.session).ok


def test_a_refusal_under_an_agreement_not_in_force_is_found_by_that_agreement(
    sharing: Sharing,
) -> None:
    # An auditor following the agreement (?agreement=) must see the attempts it refused
    # while suspended, not only the accesses it allowed.
    agreement = sharing.activated()
    sharing.suspend(agreement.id)
    sharing.denied("agreement")
    refused = last_event(sharing.session)
    assert refused.details["agreement"] == str(agreement.id)
    assert refused.details["agreement_version"] == 1
    assert refused.details["agreements"] == [
        {"agreement": str(agreement.id), "version": 1, "status": "suspended"}
    ]
    under = audit.list_events(
        sharing.session,
        actor=sharing.who("auditor"),
        filters=audit.EventFilters(agreement=str(agreement.id)),
        page=1,
        page_size=100,
    )
    assert [e.action for e in under.events][:2] == ["data.access.denied", "agreement.suspended"]


def test_agreements_filtered_by_a_name_that_names_nothing_are_refused(sharing: Sharing) -> None:
    # An empty list would read as "no agreement covers it": a typo must not pass for that.
    agreement = sharing.activated()
    session, auditor = sharing.session, sharing.who("auditor")
    listing = agreements.list_agreements(session, actor=auditor, dataset=DATASET, organization=GT)
    (found,) = listing.items
    assert found.agreement.id == agreement.id
    assert agreements.list_agreements(session, actor=auditor, organization="inm-hn").total == 0
    with pytest.raises(NotFound, match="no dataset named 'retornados'"):
        agreements.list_agreements(session, actor=auditor, dataset="retornados")
    with pytest.raises(NotFound, match="no organization named 'mintrab'"):
        agreements.list_agreements(session, actor=auditor, organization="mintrab")


def test_agreements_and_requests_are_listed_a_page_at_a_time(sharing: Sharing) -> None:
    made = [sharing.drafted() for _ in range(3)]  # three requests, three agreements
    session, auditor = sharing.session, sharing.who("auditor")
    pages = [
        agreements.list_agreements(session, actor=auditor, offset=offset, limit=2)
        for offset in (0, 2, 4)
    ]
    assert [p.total for p in pages] == [3, 3, 3]
    listed = [v.agreement.id for p in pages for v in p.items]
    assert listed == [a.id for a in reversed(made)]  # newest first, each once
    assert [len(p.items) for p in pages] == [2, 1, 0]
    requests = access_requests.list_requests(session, actor=auditor, offset=1, limit=1)
    assert (len(requests.items), requests.total) == (1, 3)
    everything = access_requests.list_requests(session, actor=auditor)
    assert requests.items[0].request.id == everything.items[1].request.id


def test_the_requester_filter_finds_the_requests_an_organization_made(sharing: Sharing) -> None:
    # The request's life is recorded under the provider; the requester was named only by
    # its database id, which no auditor can look up, and the filter did not find it.
    sharing.drafted()
    page = audit.list_events(
        sharing.session,
        actor=sharing.who("auditor"),
        filters=audit.EventFilters(requester=GT, action="access_request."),
        page=1,
        page_size=100,
    )
    assert [e.action for e in page.events] == [
        "access_request.approved",
        "access_request.under_review",
        "access_request.submitted",
    ]
    assert {e.details["requester"] for e in page.events} == {GT}


def test_a_terminated_agreement_denies(sharing: Sharing) -> None:
    agreement = sharing.activated()
    sharing.granted()
    sharing.terminate(agreement.id)
    denial = sharing.denied("agreement")
    assert denial.detail.endswith(f"is terminated (fin); file a new access request to {SV}")


def test_terminating_ends_a_renewal_drafted_before(sharing: Sharing) -> None:
    # A party that leaves the agreement must not be brought back by a pending version.
    first = sharing.activated()
    renewed = sharing.renew(first.id).agreement
    sharing.terminate(first.id)
    sharing.session.expire_all()
    later = sharing.session.get(SharingAgreement, renewed.id)
    assert later is not None
    assert later.status == "terminated"
    assert later.status_reason == "version 1 was terminated: fin"
    with pytest.raises(Conflict):
        sharing.send(renewed.id)
    terminated = [
        e.object_id
        for e in sharing.session.exec(select(AuditEvent)).all()
        if e.action == "agreement.terminated"
    ]
    assert sorted(terminated) == sorted([str(first.id), str(renewed.id)])
    sharing.denied("agreement")


def test_an_aggregates_only_agreement_serves_on_the_committed_cell_size(
    aggregates_only: Sharing,
) -> None:
    # The offer allows outputs with cells of 20 or more; the request committed to 25.
    sharing = aggregates_only
    agreement = sharing.activated(min_cell_size=25)
    assert agreement.min_cell_size == 25  # kept by the agreement itself
    sharing.granted()  # the commitment of the access request
    assert last_event(sharing.session).details["min_cell_size"] == 25
    sharing.granted(min_cell_size=20)  # declared for this use
    denial = sharing.denied("policy", min_cell_size=5)
    assert "simel:minCellSize gteq 20 is not satisfied (request: 5)" in denial.detail


def count_limited_offer(uses: int) -> dict[str, Any]:
    """The provider's offer: ``uses`` downloads of the extract, for official statistics."""
    return {
        "@context": ["http://www.w3.org/ns/odrl.jsonld", {"dpv": "https://w3id.org/dpv#"}],
        "@type": "Offer",
        "uid": f"{BASE_URI}dataset/{DATASET}/offer",
        "assigner": organization_iri(BASE_URI, SV),
        "target": dataset_iri(BASE_URI, DATASET),
        "permission": [
            {
                "action": "use",
                "constraint": [
                    {"leftOperand": "count", "operator": "lteq", "rightOperand": uses},
                    {
                        "leftOperand": "purpose",
                        "operator": "isA",
                        "rightOperand": {"@id": "dpv:ProvideOfficialStatistics"},
                    },
                ],
            }
        ],
    }


def test_a_count_limited_offer_is_shared_that_many_times(build: Callable[..., Sharing]) -> None:
    # odrl:count: the request and its approval are the first use's decision; each grant
    # under the agreement is one use, counted from the audit log (per agreement, dataset
    # and organization), so the third download of a two-use offer is denied.
    sharing = build(policy=count_limited_offer(2))
    request = sharing.submit()
    assert [item.outcome for item, _ in request.items] == ["permit"]
    assert request.items[0][0].decision["request"]["use_count"] == 1
    agreement = sharing.activated()
    sharing.granted()
    assert last_event(sharing.session).details["use_count"] == 1
    # A HEAD request is decided as the next download would be, and recorded, but
    # transfers nothing: it uses nothing up.
    sharing.granted(head=True)
    head = last_event(sharing.session).details
    assert (head["use_count"], head["method"]) == (2, "HEAD")
    # Nor does a GET for the file the requester holds already (304 Not Modified); one
    # naming another version of it is a download.
    tag = gateway.entity_tag(sharing.world.distribution)
    assert tag is not None
    held = sharing.granted(if_none_match=f'W/"stale", "{tag}"')
    assert held.not_modified
    assert last_event(sharing.session).details["response"] == "304"
    assert last_event(sharing.session).details["use_count"] == 2
    assert not sharing.granted(if_none_match='"stale"').not_modified
    assert last_event(sharing.session).details["use_count"] == 2
    assert "method" not in last_event(sharing.session).details
    assert "response" not in last_event(sharing.session).details
    denial = sharing.denied("policy")
    assert "count lteq 2 is not satisfied (request: 3)" in denial.detail
    assert last_event(sharing.session).details["use_count"] == 3
    # Denials use nothing up: still denied, still the third use.
    sharing.denied("policy")
    assert last_event(sharing.session).details["use_count"] == 3
    # A renewal is a new agreement, with its own count.
    renewed = sharing.renew(agreement.id, days=500).agreement
    assert renewed.valid_from > agreement.valid_from
    assert audit.verify_chain(sharing.session).ok


def test_a_refused_approval_or_renewal_says_which_term_of_the_offer_fails(
    aggregates_only: Sharing,
) -> None:
    # The steward (and the consumer reading the refusal) learns why, in both languages,
    # not only that the outcome is "deny".
    sharing = aggregates_only
    agreement = sharing.activated(min_cell_size=25)
    dataset_policies.set_policy(
        sharing.session,
        actor=sharing.who("sv.steward"),
        name=DATASET,
        body={
            "template": "binational-labour-migration-exchange",
            "parameters": {"assignees": [GT], "min_cell_size": 50},
        },
        if_match=datasets.ANY_REVISION,
        base_uri=BASE_URI,
    )
    with pytest.raises(Conflict) as caught:
        sharing.renew(agreement.id)
    key = f"{DATASET}/{GT}"
    assert caught.value.extensions["evaluation"] == {key: "deny"}
    assert "simel:minCellSize gteq 50 is not satisfied (request: 25)" in caught.value.detail
    reasons = caught.value.extensions["reasons"][key]
    assert "simel:minCellSize gteq 50" in reasons["en"]
    assert "no se cumple" in reasons["es"]
    request = sharing.submit(min_cell_size=25).request
    sharing.review(request.id)
    with pytest.raises(Conflict) as caught:
        sharing.approve(request.id)
    assert caught.value.extensions["evaluation"] == {DATASET: "deny"}
    assert "simel:minCellSize gteq 50 is not satisfied (request: 25)" in caught.value.detail
    assert "no se cumple" in caught.value.extensions["reasons"][DATASET]["es"]


def test_a_direct_draft_keeps_its_cell_size_for_downloads_and_renewals(
    aggregates_only: Sharing,
) -> None:
    # Drafted by the provider without an access request: the commitment it was checked
    # against must be what its downloads and renewals are evaluated with.
    sharing = aggregates_only
    with pytest.raises(Conflict):  # record-level use: the offer allows aggregates only
        sharing.draft_directly()
    agreement = sharing.draft_directly(min_cell_size=30).agreement
    assert (agreement.access_request_id, agreement.min_cell_size) == (None, 30)
    assert last_event(sharing.session, "agreement.drafted").details["min_cell_size"] == 30
    sharing.send(agreement.id)
    sharing.sign(agreement.id, "sv.signatory")
    sharing.sign(agreement.id, "gt.signatory")
    sharing.granted()
    assert last_event(sharing.session).details["min_cell_size"] == 30
    renewed = sharing.renew(agreement.id).agreement
    assert renewed.min_cell_size == 30


def test_a_refusal_names_the_organizations_other_agreements_too(sharing: Sharing) -> None:
    first = sharing.activated()
    second = sharing.activated()
    sharing.suspend(second.id)
    denial = sharing.denied("policy", purpose="PublicPolicyMaking")
    assert denial.detail.startswith(f"agreement {first.id} does not permit this")
    assert denial.detail.endswith(f"; also, agreement {second.id} is suspended (auditoría)")
    others = last_event(sharing.session).details["other_agreements"]
    assert others == [{"agreement": str(second.id), "status": "suspended"}]


def test_a_withdrawn_dataset_shares_nothing(sharing: Sharing) -> None:
    sharing.activated()
    sharing.granted()
    datasets.withdraw_dataset(
        sharing.session, actor=SYSTEM, name=DATASET, reason="base legal derogada"
    )
    sharing.session.commit()
    denial = sharing.denied("dataset")
    assert denial.detail == (
        f"'{DATASET}' is withdrawn (base legal derogada): its data are no longer shared"
    )


def test_no_agreement_is_drafted_or_renewed_for_a_withdrawn_dataset(sharing: Sharing) -> None:
    # The gateway would deny every download under it: an agreement no party can use.
    agreement = sharing.activated()
    request = sharing.submit().request
    sharing.review(request.id)
    datasets.withdraw_dataset(
        sharing.session, actor=sharing.who("sv.steward"), name=DATASET, reason="en revisión"
    )
    with pytest.raises(Conflict) as caught:
        sharing.approve(request.id)
    assert caught.value.detail.startswith(f"'{DATASET}' is withdrawn (en revisión)")
    with pytest.raises(Conflict) as caught:
        sharing.renew(agreement.id)
    assert caught.value.detail.startswith(f"'{DATASET}' is withdrawn (en revisión)")
    assert [a.id for a in sharing.session.exec(select(SharingAgreement)).all()] == [agreement.id]
    # the request is still undecided: the steward may reject it
    again = access_requests.get_request(
        sharing.session, actor=sharing.who("sv.steward"), request_id=request.id
    )
    assert again.request.status == "under_review"


def test_without_a_legal_basis_valid_now_for_the_purpose_nothing_is_shared(
    sharing: Sharing,
) -> None:
    sharing.activated()
    assert last_event(sharing.session, "agreement.drafted")  # drafted on a valid basis
    sharing.granted()
    assert last_event(sharing.session).details["legal_bases"] == ["OfficialAuthorityOfController"]
    # The agreement keeps the bases valid when it was drafted; the basis has lapsed since.
    sharing.session.execute(update(LegalBasis).values(valid_until=today() - dt.timedelta(days=1)))
    sharing.session.commit()
    denial = sharing.denied("legal-basis")
    assert denial.detail == (
        f"no legal basis of '{DATASET}' valid now covers the purpose ProvideOfficialStatistics:"
        " sensitive data are shared only on one"
    )


@pytest.mark.parametrize("classification", ["pseudonymised", "none"])
def test_every_grant_records_the_legal_bases_it_rests_on(
    sharing: Sharing, classification: str
) -> None:
    # Pseudonymised microdata (or data without personal data) need no legal basis to be
    # shared, but an auditor reading a grant must still see the bases the data left on,
    # as for personal data; a basis that lapsed is then no longer named, and nothing is
    # refused for it.
    sharing.activated()
    sharing.session.execute(
        update(Dataset).where(Dataset.name == DATASET).values(personal_data=classification)
    )
    sharing.session.commit()
    sharing.granted()
    assert last_event(sharing.session).details["legal_bases"] == ["OfficialAuthorityOfController"]
    sharing.session.execute(update(LegalBasis).values(valid_until=today() - dt.timedelta(days=1)))
    sharing.session.commit()
    sharing.granted()
    assert last_event(sharing.session).details["legal_bases"] == []


def test_no_agreement_is_drafted_for_a_purpose_no_legal_basis_covers(
    build: Callable[..., Sharing],
) -> None:
    # The offer allows official statistics; the dataset's legal basis covers only policy.
    sharing = build(
        legal_basis=legal_basis_document(
            basis="OfficialAuthorityOfController",
            jurisdictions=["SLV"],
            purposes=["PublicPolicyMaking"],
        )
    )
    request = sharing.submit().request
    sharing.review(request.id)
    with pytest.raises(Conflict) as caught:
        sharing.approve(request.id)
    assert caught.value.detail.startswith(f"no legal basis of '{DATASET}' valid on ")
    assert "covers the purpose ProvideOfficialStatistics" in caught.value.detail
    assert sharing.session.exec(select(SharingAgreement)).all() == []


def test_an_agreement_that_lapsed_denies_and_is_recorded_expired(sharing: Sharing) -> None:
    agreement = sharing.activated()
    sharing.granted()
    session = sharing.session
    lapsed = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    session.execute(
        update(SharingAgreement)
        .where(col(SharingAgreement.id) == agreement.id)
        .values(valid_until=lapsed)
    )
    session.commit()
    assert agreements.effective_status(agreement, dt.datetime.now(dt.UTC)) == "expired"
    denial = sharing.denied("agreement")
    assert denial.detail.endswith(
        f"is expired (valid_until passed); its validity ended on {lapsed.date().isoformat()} "
        f"({lapsed.strftime('%H:%M')} UTC), {SV}'s stewards may renew it"
    )
    session.expire_all()
    row = session.get(SharingAgreement, agreement.id)
    assert row is not None
    assert (row.status, row.status_reason) == ("expired", "valid_until passed")
    expired = last_event(session, "agreement.expired")
    assert expired.object_id == str(agreement.id)
    assert expired.details["previous_status"] == "active"
    # Time expired it: the requester whose download noticed is named, not made the actor.
    assert (expired.actor_type, expired.actor_name) == ("system", "catalog")
    assert expired.details["noticed_by"] == "gt.requester"
    # recorded once: the next request finds it expired already
    sharing.denied("agreement")
    assert actions(session).count("agreement.expired") == 1
    # an expired agreement is final but may be renewed, from today
    with pytest.raises(Conflict):
        sharing.resume(agreement.id)
    renewed = sharing.renew(agreement.id).agreement
    assert (renewed.version, renewed.previous_id) == (2, agreement.id)
    assert renewed.valid_from == agreements.day_start(today())
    assert audit.verify_chain(session).ok


def test_expire_due_records_lapsed_agreements(sharing: Sharing) -> None:
    agreement = sharing.activated()
    session = sharing.session
    assert agreements.expire_due(session, actor=SYSTEM) == 0
    session.execute(
        update(SharingAgreement)
        .where(col(SharingAgreement.id) == agreement.id)
        .values(valid_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    )
    session.commit()
    assert agreements.expire_due(session, actor=SYSTEM) == 1
    assert agreements.expire_due(session, actor=SYSTEM) == 0
    session.expire_all()
    assert session.get(SharingAgreement, agreement.id).status == "expired"  # type: ignore[union-attr]


CONSENT_HELD = legal_basis_document(
    basis="Consent", jurisdictions=["SLV"], purposes=["ProvideOfficialStatistics"]
)


def consent_document(**overrides: Any) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    document: dict[str, Any] = {
        "data_subjects": {
            "description": {"es": "Personas retornadas que firmaron el formulario"},
            "populations": ["return-international-migrant-workers"],
        },
        "subjects_count": 200,
        "purposes": ["ProvideOfficialStatistics"],
        "recipients": {"organizations": [GT]},
        "given_at": (now - dt.timedelta(days=30)).isoformat(),
        "expires_at": (now + dt.timedelta(days=365)).isoformat(),
        "evidence": {"reference": "F-07/2025", "method": "signed form"},
    }
    document.update(overrides)
    return document


def test_a_consent_withdrawal_denies_the_next_download(build: Callable[..., Sharing]) -> None:
    sharing = build(legal_basis=CONSENT_HELD)
    session = sharing.session
    steward = sharing.who("sv.steward")
    state = consents.create_consent(
        session, actor=steward, name=DATASET, document=consent_document()
    )
    sharing.activated()
    grant = sharing.granted()
    consent = last_event(session).details["consent"]
    assert (consent["required"], consent["allowed"]) == (True, True)
    assert consent["covering"] == [str(state.record.id)]
    assert grant.agreement is not None

    sharing.withdraw_consent(state.record.id)
    denial = sharing.denied("consent")
    assert denial.detail == (
        "consent does not allow this: the consent covering ProvideOfficialStatistics for "
        f"{GT} / GTM is no longer valid (ConsentWithdrawn)"
    )
    assert last_event(session).details["consent"]["allowed"] is False
    assert audit.verify_chain(session).ok


def test_a_consent_lapsed_after_the_file_was_made_holds_the_file_back(
    build: Callable[..., Sharing],
) -> None:
    # Two cohorts in one file; the catalog cannot take one cohort's rows out of it.
    sharing = build(legal_basis=CONSENT_HELD)
    session = sharing.session
    steward = sharing.who("sv.steward")
    stays = consents.create_consent(
        session, actor=steward, name=DATASET, document=consent_document(subjects_count=150)
    )
    leaves = consents.create_consent(
        session, actor=steward, name=DATASET, document=consent_document(subjects_count=37)
    )
    sharing.activated()
    sharing.granted()
    sharing.withdraw_consent(leaves.record.id)
    denial = sharing.denied("consent")
    assert denial.detail.startswith(
        "consent does not allow this: the consent of 37 data subjects lapsed on "
    )
    assert denial.detail.endswith("the provider must replace it with one without them")
    # The provider replaces the extract (other content under the same key): served again.
    distribution = sharing.world.distribution
    assert distribution.storage_key is not None
    (sharing.storage / distribution.storage_key).write_bytes(b"id,sexo\n1,F\n")
    distributions.update_distribution(
        session,
        actor=steward,
        name=DATASET,
        distribution_id=distribution.id,
        document={"title": {"es": "Extracto sin la cohorte retirada"}},
        storage_root=sharing.storage,
        merge=True,
    )
    grant = sharing.download()
    assert grant.path.read_bytes() == b"id,sexo\n1,F\n"
    assert last_event(session).details["consent"]["covering"] == [str(stays.record.id)]


def test_a_dataset_held_on_consent_since_the_agreement_needs_consent_for_its_party(
    sharing: Sharing,
) -> None:
    # Consent records alone put a dataset on consent, whatever its legal bases say.
    sharing.activated()
    sharing.granted()
    consents.create_consent(
        sharing.session,
        actor=sharing.who("sv.steward"),
        name=DATASET,
        document=consent_document(recipients={"organizations": ["inm-hn"]}),
    )
    denial = sharing.denied("consent")
    assert "no consent record covers the recipient" in denial.detail


def test_no_agreement_is_drafted_for_a_party_the_data_subjects_did_not_consent_to(
    build: Callable[..., Sharing],
) -> None:
    sharing = build(legal_basis=CONSENT_HELD)
    session = sharing.session
    steward = sharing.who("sv.steward")
    consents.create_consent(
        session,
        actor=steward,
        name=DATASET,
        document=consent_document(recipients={"organizations": ["inm-hn"]}),
    )
    request = sharing.submit().request
    sharing.review(request.id)
    with pytest.raises(Conflict) as caught:
        sharing.approve(request.id)
    assert caught.value.detail == (
        f"the data subjects of '{DATASET}' did not consent to ProvideOfficialStatistics by "
        f"{GT}: no consent record covers the recipient {GT} / GTM. Record their consent "
        "first, or leave the dataset out"
    )
    assert caught.value.extensions["assignee"] == GT
    assert caught.value.extensions["consent"]["allowed"] is False
    session.rollback()
    assert session.exec(select(SharingAgreement)).all() == []

    # Once the people consent to sharing with the requester's country, it is approved.
    consents.create_consent(
        session,
        actor=steward,
        name=DATASET,
        document=consent_document(recipients={"countries": ["GTM"]}),
    )
    sharing.approve(request.id)
    assert len(session.exec(select(SharingAgreement)).all()) == 1


def test_decisions_are_audited_and_the_chain_holds(sharing: Sharing) -> None:
    agreement = sharing.activated()
    sharing.granted()
    sharing.denied("policy", purpose="Marketing")
    sharing.denied("agreement", "hn.requester")
    sharing.suspend(agreement.id)
    sharing.denied("agreement")
    trail = [a for a in actions(sharing.session) if a.startswith("data.access.")]
    assert trail == [
        "data.access.granted",
        "data.access.denied",
        "data.access.denied",
        "data.access.denied",
    ]
    verification = audit.verify_chain(sharing.session)
    assert verification.ok, verification.reason


# ------------------------------------------------------------------------------ renewal


def test_renewal_makes_version_two_and_leaves_version_one_alone(sharing: Sharing) -> None:
    first = sharing.activated()
    session = sharing.session
    before = (first.status, first.revision, dict(first.policy), first.valid_until)
    renewed = sharing.renew(first.id).agreement
    assert renewed.id != first.id
    assert (renewed.series_id, renewed.version, renewed.previous_id) == (first.id, 2, first.id)
    assert renewed.status == "draft"
    assert renewed.access_request_id == first.access_request_id
    assert renewed.valid_from == first.valid_until  # from the end of version 1
    assert renewed.valid_until == agreements.day_start(today() + dt.timedelta(days=401))
    assert renewed.policy["uid"] == agreements.agreement_iri(BASE_URI, renewed.id)
    session.expire_all()
    old = session.get(SharingAgreement, first.id)
    assert old is not None
    assert (old.status, old.revision, old.policy, old.valid_until) == before
    assert last_event(session, "agreement.renewed").details["previous"] == str(first.id)
    history = agreements.history(session, actor=sharing.who("gt.requester"), agreement_id=first.id)
    assert [v.agreement.version for v in history] == [1, 2]

    with pytest.raises(Conflict) as caught:
        sharing.renew(first.id)
    assert caught.value.detail == "version 2 of this agreement exists: renew that one"
    with pytest.raises(Conflict) as caught:  # a draft is not renewed either
        sharing.renew(renewed.id)
    assert caught.value.extensions["status_now"] == "draft"
    # version 1 still serves data until version 2 is signed
    sharing.granted()


def test_renewal_needs_an_end_date(sharing: Sharing) -> None:
    first = sharing.activated()
    # Dates as documents write them: 20300101 is ISO 8601 but not YYYY-MM-DD, and
    # the day after 9999-12-31 (where the validity ends) was a 500.
    for valid_until in (None, "20300101", "9999-12-31", 20300101):
        with pytest.raises(InvalidMetadata) as caught:
            agreements.renew(
                sharing.session,
                actor=sharing.who("sv.steward"),
                agreement_id=first.id,
                valid_from=None,
                valid_until=valid_until,  # type: ignore[arg-type]
                base_uri=BASE_URI,
            )
        assert [e.pointer for e in caught.value.errors] == ["/valid_until"], valid_until


def test_a_renewal_leaves_out_a_withdrawn_dataset_and_keeps_the_others(
    sharing: Sharing, make_dataset: Callable[..., Any]
) -> None:
    # Two datasets under one agreement; the provider withdraws one. The renewal covers
    # the datasets as they are now: the other one, not a dataset no longer shared (nor is
    # the series given up for it).
    make_dataset(
        "permisos-sv",
        SV,
        legal_basis=legal_basis_document(
            basis="OfficialAuthorityOfController",
            jurisdictions=["SLV"],
            purposes=["ProvideOfficialStatistics"],
        ),
        policy={
            "template": "binational-labour-migration-exchange",
            "parameters": {"assignees": [GT], "recipient_countries": ["GTM"]},
        },
        access_rights="RESTRICTED",
        personal_data="personal",
    )
    sharing.session.commit()
    view = sharing.draft_directly(datasets=[DATASET, "permisos-sv"])
    first = view.agreement
    sharing.send(first.id)
    sharing.sign(first.id, "sv.signatory")
    sharing.sign(first.id, "gt.signatory")
    datasets.withdraw_dataset(
        sharing.session, actor=sharing.who("sv.steward"), name="permisos-sv", reason="revisión"
    )
    renewed = sharing.renew(first.id)
    assert [d.name for d in renewed.datasets] == [DATASET]
    assert renewed.agreement.policy["target"] == dataset_iri(BASE_URI, DATASET)
    drafted = last_event(sharing.session, "agreement.renewed").details
    assert drafted["datasets"] == [DATASET]
    assert drafted["left_out"] == {"permisos-sv": "withdrawn"}


def test_an_agreement_is_not_drafted_or_renewed_to_start_in_the_past(sharing: Sharing) -> None:
    # Approval starts an agreement today at the earliest; a renewal or a direct draft must
    # not do otherwise: a retroactive start would permit uses from before anyone signed,
    # count elapsed-time duties (deletion after P3Y...) from then, and could overlap a
    # version that is suspended.
    first = sharing.activated()
    sharing.suspend(first.id)
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    with pytest.raises(InvalidMetadata) as caught:
        agreements.renew(
            sharing.session,
            actor=sharing.who("sv.steward"),
            agreement_id=first.id,
            valid_from=yesterday,
            valid_until=(today() + dt.timedelta(days=30)).isoformat(),
            base_uri=BASE_URI,
        )
    assert [e.pointer for e in caught.value.errors] == ["/valid_from"]
    with pytest.raises(InvalidMetadata) as caught:
        sharing.draft_directly(valid_from=yesterday)
    assert [e.pointer for e in caught.value.errors] == ["/valid_from"]
    # From today on, both are drafted.
    assert sharing.draft_directly(valid_from=today().isoformat()).agreement.status == "draft"


def test_a_multilateral_agreement_needs_three_signatures(
    sharing: Sharing, make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    make_org("mtps-cr", country="CRI")
    _, token = make_user("cr.signatory", signatory="mtps-cr")
    # A regional programme: the offer now names both ministries and both countries.
    dataset_policies.set_policy(
        sharing.session,
        actor=SYSTEM,
        name=DATASET,
        body={
            "template": "binational-labour-migration-exchange",
            "parameters": {
                "assignees": [GT, "mtps-cr"],
                "recipient_countries": ["GTM", "CRI"],
            },
        },
        if_match=1,
        base_uri=BASE_URI,
    )
    sharing.session.commit()
    view = sharing.draft_directly(assignees=[GT, "mtps-cr"])
    agreement = view.agreement
    assert agreement.access_request_id is None
    assert [o.name for o in view.parties] == [SV, GT, "mtps-cr"]
    assert agreement.policy["assignee"] == [
        organization_iri(BASE_URI, GT),
        organization_iri(BASE_URI, "mtps-cr"),
    ]
    assert agreement.title["es"] == "Acuerdo de intercambio de datos DGME – MINTRAB, MTPS"

    sharing.send(agreement.id)
    sharing.sign(agreement.id, "sv.signatory")
    view = sharing.sign(agreement.id, "gt.signatory")
    assert view.agreement.status == "pending_signatures"
    assert [o.name for o in view.unsigned()] == ["mtps-cr"]
    cr = accounts.authenticate_api_token(sharing.session, token)
    view = agreements.sign(sharing.session, actor=cr, agreement_id=agreement.id)
    assert view.agreement.status == "active"
    assert len(view.signatures) == 3
    sharing.granted()


def test_a_direct_draft_for_a_purpose_no_offer_allows_is_refused(sharing: Sharing) -> None:
    """Approval refuses a request the offers deny, since such an agreement denies every
    download; a draft made directly must be refused for the same reason.

    The agreement keeps the offer's ``purpose isA (statistics or policy-making)`` and adds
    ``purpose isA Marketing``: no purpose satisfies both, so once signed by everyone it
    is an active agreement under which nothing can ever be downloaded.
    """
    try:
        view = sharing.draft_directly(purpose="Marketing")
    except (Conflict, InvalidMetadata):
        return  # refused, as approval would
    # What happens instead: it is signed, activated, and denies every download.
    sharing.send(view.agreement.id)
    sharing.sign(view.agreement.id, "sv.signatory")
    assert sharing.sign(view.agreement.id, "gt.signatory").agreement.status == "active"
    for purpose in (None, "Marketing", "ProvideOfficialStatistics"):
        sharing.denied("policy", purpose=purpose)
    pytest.fail("an agreement for a purpose the offer does not allow was drafted and activated")


def test_drafting_directly_is_for_the_providers_stewards(sharing: Sharing) -> None:
    with pytest.raises(Forbidden):
        sharing.draft_directly("gt.requester")
    with pytest.raises(InvalidMetadata) as caught:
        sharing.draft_directly(assignees=[GT, "nadie-xx"])
    assert [e.pointer for e in caught.value.errors] == ["/assignees/1"]
    with pytest.raises(InvalidMetadata) as caught:
        sharing.draft_directly(assignees=[SV])
    assert [e.pointer for e in caught.value.errors] == ["/assignees"]


# ------------------------------------------------------------------------ notifications


def outbox(session: Session, event: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(col(OutboxMessage.id))
    if event is not None:
        query = query.where(OutboxMessage.event == event)
    return list(session.exec(query).all())


def waiting(sharing: Sharing, username: str) -> list[tuple[str, str, str, str]]:
    box = notifications.inbox(
        sharing.session, actor=sharing.who(username), now=dt.datetime.now(dt.UTC), recent_days=30
    )
    return [(i.kind, i.object_id, i.action, i.organization) for i in box.waiting]


@pytest.fixture
def addressed(sharing: Sharing) -> Sharing:
    """The world, with e-mail addresses for its stewards, signatories and requesters."""
    for username, user in sharing.world.users.items():
        user.email = f"{username}@example.org"
        sharing.session.add(user)
    sharing.session.commit()
    return sharing


def test_a_submission_notifies_the_providers_stewards(addressed: Sharing) -> None:
    request = addressed.submit().request
    (message,) = outbox(addressed.session, "access_request.submitted")
    assert message.organization_id == addressed.org_id(SV)
    assert (message.object_type, message.object_id) == ("access_request", str(request.id))
    assert message.subject["en"] == "New access request from MINTRAB"
    assert DATASET in message.body["es"]
    assert message.recipients == ["sv.steward@example.org"]
    assert (message.status, message.attempts) == ("pending", 0)


def test_without_addresses_a_notification_is_kept_but_skipped(sharing: Sharing) -> None:
    sharing.submit()
    (message,) = outbox(sharing.session, "access_request.submitted")
    assert (message.recipients, message.status) == ([], "skipped")


def test_the_inbox_follows_the_workflow(sharing: Sharing) -> None:
    request = sharing.submit().request
    rid = str(request.id)
    assert waiting(sharing, "sv.steward") == [("access_request", rid, "review", SV)]
    assert waiting(sharing, "gt.requester") == []
    sharing.review(request.id)
    assert waiting(sharing, "sv.steward") == [("access_request", rid, "decide", SV)]
    agreement = sharing.approve(request.id).agreement
    assert agreement is not None
    aid = str(agreement.id)
    assert waiting(sharing, "sv.steward") == [("agreement", aid, "send_for_signature", SV)]
    assert waiting(sharing, "gt.signatory") == []
    sharing.send(agreement.id)
    assert waiting(sharing, "sv.steward") == []
    assert waiting(sharing, "gt.signatory") == [("agreement", aid, "sign", GT)]
    assert waiting(sharing, "sv.signatory") == [("agreement", aid, "sign", SV)]
    sharing.sign(agreement.id, "gt.signatory")
    assert waiting(sharing, "gt.signatory") == []
    assert waiting(sharing, "sv.signatory") == [("agreement", aid, "sign", SV)]
    # recent news of the caller's organizations, newest first
    box = notifications.inbox(
        sharing.session,
        actor=sharing.who("gt.requester"),
        now=dt.datetime.now(dt.UTC),
        recent_days=30,
    )
    events = [m.event for m in box.recent]
    assert events[0] == "agreement.sent_for_signature"
    assert "access_request.approved" in events
    assert "access_request.submitted" not in events  # that one went to dgme-sv


class FakeTransport:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.sent: list[EmailMessage] = []
        self.closed = False

    def send_message(self, msg: EmailMessage) -> None:
        if self.fail:
            raise smtplib.SMTPException("relay refused")
        self.sent.append(msg)

    def quit(self) -> None:
        self.closed = True


def test_the_mailer_sends_pending_messages(addressed: Sharing, settings: Settings) -> None:
    request = addressed.submit().request
    addressed.review(request.id)
    transport = FakeTransport()
    mail = settings.mail.model_copy(update={"enabled": True})
    report = notifications.send_pending(addressed.session, mail, connect=lambda _: transport)
    assert (report.sent, report.failed, report.pending) == (2, 0, 0)
    assert transport.closed
    assert [m["To"] for m in transport.sent] == [
        "sv.steward@example.org",
        "gt.requester@example.org",
    ]
    assert transport.sent[0]["Subject"] == "Nueva solicitud de acceso de MINTRAB"
    addressed.session.expire_all()
    rows = outbox(addressed.session)
    assert [(m.status, m.attempts) for m in rows] == [("sent", 1), ("sent", 1)]
    assert all(m.sent_at is not None for m in rows)
    # nothing left to send
    assert (
        notifications.send_pending(addressed.session, mail, connect=lambda _: FakeTransport())
        == notifications.MailReport()
    )


def test_a_failing_transport_marks_messages_failed(addressed: Sharing, settings: Settings) -> None:
    addressed.submit()
    mail = settings.mail.model_copy(update={"enabled": True, "max_attempts": 2})
    failing = FakeTransport(fail=True)
    report = notifications.send_pending(addressed.session, mail, connect=lambda _: failing)
    assert (report.sent, report.failed, report.pending) == (0, 1, 1)
    assert failing.closed
    addressed.session.expire_all()
    (message,) = outbox(addressed.session)
    assert (message.status, message.attempts, message.last_error) == ("failed", 1, "relay refused")
    report = notifications.send_pending(addressed.session, mail, connect=lambda _: failing)
    assert (report.failed, report.pending) == (1, 0)  # the attempts are used up
    addressed.session.expire_all()
    (message,) = outbox(addressed.session)
    assert (message.status, message.attempts) == ("failed", 2)
    assert (
        notifications.send_pending(addressed.session, mail, connect=lambda _: FakeTransport())
        == notifications.MailReport()
    )


def test_the_mailer_is_off_by_default(addressed: Sharing, settings: Settings) -> None:
    addressed.submit()
    assert settings.mail.enabled is False
    with pytest.raises(ConfigurationError) as caught:
        notifications.send_pending(addressed.session, settings.mail)
    assert "mail is off" in caught.value.detail
    assert [m.status for m in outbox(addressed.session)] == ["pending"]


# -------------------------------------------------------------------------- concurrency


def test_the_last_two_signatures_at_once_still_activate(
    sharing: Sharing, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two parties signing at the same moment: the agreement must not stay pending forever.

    Each signature reads the signatures so far, adds its own and activates the agreement
    if no party is left. Interleaved (READ COMMITTED), each would see the other party as
    unsigned and neither would activate. Writers are serialised from their first
    statement (SQLite ``BEGIN IMMEDIATE``, PostgreSQL the writers' advisory lock), so
    the second signature waits for the first and then sees it.
    """
    agreement = sharing.drafted()
    sharing.send(agreement.id)
    sharing.session.commit()
    original = agreements._signing_party
    outcome: list[object] = []

    def other_signature() -> None:
        try:
            with db.session(write=True) as other:
                signatory = accounts.authenticate_api_token(
                    other, sharing.world.tokens["sv.signatory"]
                )
                view = agreements.sign(other, actor=signatory, agreement_id=agreement.id)
                other.commit()
                outcome.append(view.agreement.status)
        except Exception as exc:  # reported by the assertion below
            outcome.append(exc)

    thread = threading.Thread(target=other_signature)

    def interleaved(actor: Principal, view: AgreementView, organization: str | None) -> Any:
        # gt.signatory has read the signatures (none); sv.signatory signs meanwhile.
        if not thread.is_alive() and not outcome:
            thread.start()
            thread.join(0.5)
            assert thread.is_alive(), "the second signature did not wait for the first"
        return original(actor, view, organization)

    monkeypatch.setattr(agreements, "_signing_party", interleaved)
    first = sharing.sign(agreement.id, "gt.signatory")
    sharing.session.commit()
    assert first.agreement.status == "pending_signatures"
    thread.join(15)
    assert outcome == ["active"]
    sharing.session.expire_all()
    signed = sharing.session.exec(
        select(Signature.organization_id).where(Signature.agreement_id == agreement.id)
    ).all()
    assert set(signed) == {sharing.org_id(SV), sharing.org_id(GT)}
    row = sharing.session.get(SharingAgreement, agreement.id)
    assert row is not None
    assert row.status == "active"


def test_an_abandoned_renewal_does_not_block_the_next(sharing: Sharing) -> None:
    agreement = sharing.activated()
    steward = sharing.who("sv.steward")
    until = (today() + dt.timedelta(days=400)).isoformat()
    second = agreements.renew(
        sharing.session,
        actor=steward,
        agreement_id=agreement.id,
        valid_until=until,
        valid_from=None,
        base_uri=BASE_URI,
    )
    agreements.terminate(
        sharing.session,
        actor=steward,
        agreement_id=second.agreement.id,
        reason="drafted with the wrong period",
    )
    third = agreements.renew(
        sharing.session,
        actor=steward,
        agreement_id=agreement.id,
        valid_until=until,
        valid_from=None,
        base_uri=BASE_URI,
    )
    assert third.agreement.version == 3
    assert third.agreement.previous_id == agreement.id
    with pytest.raises(Conflict):  # a live draft (version 3) now blocks another renewal
        agreements.renew(
            sharing.session,
            actor=steward,
            agreement_id=agreement.id,
            valid_until=until,
            valid_from=None,
            base_uri=BASE_URI,
        )


def test_an_agreement_keeps_the_data_in_its_parties_countries(
    build: Callable[..., Sharing],
) -> None:
    # The offer names no country: the agreement with Guatemala's ministry still sends
    # the data to Guatemala only, not onwards to a third country.
    sharing = build(policy=count_limited_offer(10))
    agreement = sharing.activated()
    (permission,) = agreement.policy["permission"]
    spatial = [c for c in permission["constraint"] if c.get("leftOperand") == "spatial"]
    assert spatial == [
        {
            "leftOperand": "spatial",
            "operator": "isAnyOf",
            "rightOperand": [
                {"@id": "http://publications.europa.eu/resource/authority/country/GTM"}
            ],
        }
    ]
    sharing.granted()  # the organization's own country, by default
    denial = sharing.denied("policy", country="USA")
    assert "spatial" in denial.detail


def test_a_renewal_may_commit_the_consumers_to_another_cell_size(
    aggregates_only: Sharing,
) -> None:
    # The offer allows cells of 20 or more; version 1 was agreed at 25.
    sharing = aggregates_only
    first = sharing.activated(min_cell_size=25)

    def renew(min_cell_size: Any) -> AgreementView:
        return agreements.renew(
            sharing.session,
            actor=sharing.who("sv.steward"),
            agreement_id=first.id,
            valid_from=None,
            valid_until=(today() + dt.timedelta(days=400)).isoformat(),
            base_uri=BASE_URI,
            min_cell_size=min_cell_size,
        )

    for wrong in (0, 25.0, "50", True):
        with pytest.raises(InvalidMetadata) as invalid:
            renew(wrong)
        assert [e.pointer for e in invalid.value.errors] == ["/min_cell_size"]
    with pytest.raises(Conflict) as refused:
        renew(10)  # less than the offer allows
    assert "simel:minCellSize gteq 20 is not satisfied (request: 10)" in refused.value.detail
    sharing.session.rollback()
    renewed = renew(50).agreement
    assert (renewed.version, renewed.min_cell_size) == (2, 50)
    assert last_event(sharing.session, "agreement.renewed").details["min_cell_size"] == 50
    sharing.session.refresh(first)
    assert first.min_cell_size == 25  # version 1 keeps its own
