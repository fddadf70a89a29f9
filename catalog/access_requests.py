"""Access requests: a ministry asks another organization for datasets, for a purpose.

Life cycle (architecture section 3)::

    submitted -> under_review -> approved | rejected
    submitted | under_review -> withdrawn (by the requester)

* **Submission** (a ``requester`` of organization A, scope ``requests:write``): every
  dataset must be published, not public, and of one publisher B (not A). The policy
  engine evaluates the request against each dataset's current offer (action ``use``,
  A as assignee and recipient, A's country, the purpose, the start of the period, the
  declared output cell size) and the explained decision is stored with the request.
* **Review and decision** by B's stewards (scope ``governance:write``). Approval
  re-evaluates against the offers as they are then, and is refused (409) if any
  decision is not ``permit``: an agreement derived from an offer that denies the request
  would deny every download. Approval creates the draft agreement
  (:func:`catalog.agreements.create_draft`), which is refused (409) in the same way for a
  dataset without a legal basis for the purpose or, held on consent, without its data
  subjects' consent to the purpose for the requester. Rejection needs reasons.
* A's members see their requests and outcomes; B's members see the requests made to B;
  auditors and administrators see all. Anyone else gets 404.

Transitions are compare-and-set on ``revision``; each is audited and notified.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

import metadata_schemas
from catalog import agreements, audit, notifications
from catalog.db import Listing, compare_and_set, page_slice, utcnow
from catalog.errors import Conflict, FieldError, Forbidden, InvalidMetadata, NotFound
from catalog.models import (
    AccessRequest,
    AccessRequestItem,
    AccessRequestStatus,
    Dataset,
    Organization,
    Role,
    SharingAgreement,
)
from catalog.organizations import organizations_where
from catalog.principals import Principal
from catalog.stewardship import can_govern
from catalog.validation import require_object, schema_errors

R = AccessRequestStatus
WRITE_SCOPE = "requests:write"

TRANSITIONS: Mapping[str, frozenset[str]] = {
    R.SUBMITTED: frozenset({R.UNDER_REVIEW, R.WITHDRAWN}),
    R.UNDER_REVIEW: frozenset({R.APPROVED, R.REJECTED, R.WITHDRAWN}),
    R.APPROVED: frozenset(),
    R.REJECTED: frozenset(),
    R.WITHDRAWN: frozenset(),
}
"""Which status may follow which; everything else is an illegal transition (409)."""


@dataclass(frozen=True)
class RequestView:
    """A request with its organizations, datasets and decisions, and its agreement if any."""

    request: AccessRequest
    requester: Organization
    provider: Organization
    items: tuple[tuple[AccessRequestItem, Dataset], ...]
    agreement: SharingAgreement | None


def view_of(session: Session, request: AccessRequest) -> RequestView:
    """Load what a request refers to."""
    requester = session.get(Organization, request.requester_id)
    provider = session.get(Organization, request.provider_id)
    assert requester is not None  # noqa: S101 # foreign keys
    assert provider is not None  # noqa: S101
    items = session.exec(
        select(AccessRequestItem, Dataset)
        .join(Dataset, col(Dataset.id) == col(AccessRequestItem.dataset_id))
        .where(AccessRequestItem.request_id == request.id)
        .order_by(col(Dataset.name))
    ).all()
    agreement = session.exec(
        select(SharingAgreement)
        .where(SharingAgreement.access_request_id == request.id)
        .order_by(col(SharingAgreement.version).desc())
        .limit(1)
    ).first()
    return RequestView(request, requester, provider, tuple(items), agreement)


def _can_read(actor: Principal, request: AccessRequest) -> bool:
    return (
        actor.is_auditor
        or actor.is_admin
        or bool({request.requester_id, request.provider_id} & actor.organization_ids)
    )


def get_request(session: Session, *, actor: Principal, request_id: uuid.UUID) -> RequestView:
    """A request the caller may read.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: no such request, or the caller is on neither side (nor an auditor).
    """
    actor.require_authenticated()
    request = session.get(AccessRequest, request_id)
    if request is None or not _can_read(actor, request):
        raise NotFound(f"there is no access request {request_id}")
    return view_of(session, request)


def list_requests(
    session: Session,
    *,
    actor: Principal,
    status: str | None = None,
    direction: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Listing[RequestView]:
    """Requests the caller may read, newest first; the page from ``offset``, ``limit`` long.

    ``direction`` is ``outgoing`` (made by the caller's organizations) or ``incoming``
    (made to them).

    Raises:
        Unauthenticated: anonymous caller.
        InvalidMetadata: an unknown status or direction.
    """
    actor.require_authenticated()
    errors = []
    if status is not None and status not in set(R):
        errors.append(FieldError("/status", f"'{status}' is not one of {', '.join(R)}"))
    if direction not in (None, "incoming", "outgoing"):
        errors.append(FieldError("/direction", "must be 'incoming' or 'outgoing'"))
    if errors:
        raise InvalidMetadata("invalid filter", errors)
    query = select(AccessRequest).order_by(col(AccessRequest.created).desc())
    mine = actor.organization_ids
    if direction == "outgoing":
        query = query.where(col(AccessRequest.requester_id).in_(mine))
    elif direction == "incoming":
        query = query.where(col(AccessRequest.provider_id).in_(mine))
    elif not (actor.is_auditor or actor.is_admin):
        query = query.where(
            or_(col(AccessRequest.requester_id).in_(mine), col(AccessRequest.provider_id).in_(mine))
        )
    if status is not None:
        query = query.where(AccessRequest.status == status)
    found = session.exec(query).all()
    return Listing(
        [view_of(session, r) for r in page_slice(found, offset, limit)], total=len(found)
    )


# ---------------------------------------------------------------------------- submitting


def _requester(session: Session, actor: Principal, named: str | None) -> Organization:
    if not (actor.is_system or actor.has_scope(WRITE_SCOPE)):
        raise Forbidden(f"submitting a request needs the {WRITE_SCOPE} scope")
    organizations = [
        o
        for o in organizations_where(session, actor, Role.REQUESTER)
        if named is None or o.name == named
    ]
    if actor.is_system and named is not None:
        organizations = list(session.exec(select(Organization).where(Organization.name == named)))
    if not organizations:
        raise Forbidden(
            f"only requesters of {named} may submit its access requests"
            if named
            else "only a requester of an organization may submit access requests"
        )
    if len(organizations) > 1:
        raise InvalidMetadata(
            "say for which organization you ask",
            [FieldError("/requester", "you are a requester of several organizations")],
        )
    return organizations[0]


def _period(document: Mapping[str, Any], default_days: int) -> tuple[dt.date, dt.date]:
    start = dt.date.fromisoformat(document["period"]["start"])
    if "end" in document["period"]:
        end = dt.date.fromisoformat(document["period"]["end"])
    else:
        end = start + dt.timedelta(days=default_days - 1)
    errors = []
    if end < start:
        errors.append(FieldError("/period/end", "must not be before the start"))
    if end < utcnow().date():
        errors.append(FieldError("/period/end", "is in the past"))
    if errors:
        raise InvalidMetadata("the period is not valid", errors)
    return start, end


def submit(
    session: Session, *, actor: Principal, document: Any, base_uri: str, default_days: int
) -> RequestView:
    """Submit a request; each dataset's offer is evaluated and the decisions stored.

    Raises:
        Unauthenticated: anonymous caller.
        Forbidden: no ``requests:write`` scope, or not a requester of an organization.
        InvalidMetadata: the document (pointers into it): unknown, unpublished or public
            datasets, datasets of several publishers or of the requester itself, an
            unknown purpose, a period that is empty or over.
    """
    actor.require_authenticated()
    document = dict(require_object(document, "access request"))
    errors = schema_errors(metadata_schemas.ACCESS_REQUEST_SCHEMA, document)
    if errors:
        raise InvalidMetadata("the access request is not valid", errors)
    requester = _requester(session, actor, document.pop("requester", None))
    purpose_iri = agreements.purpose_iri(document["purpose"], "/purpose")
    datasets = [
        agreements.shareable(session, actor, name, f"/datasets/{i}")
        for i, name in enumerate(document["datasets"])
    ]
    publishers = {d.publisher_id for d in datasets}
    if len(publishers) > 1:
        raise InvalidMetadata(
            "the datasets have several publishers",
            [FieldError("/datasets", "ask each publisher in its own request")],
        )
    provider = session.get(Organization, publishers.pop())
    assert provider is not None  # noqa: S101 # foreign key
    if provider.id == requester.id:
        raise InvalidMetadata(
            "the datasets are the requester's own",
            [FieldError("/datasets", f"{requester.name} publishes these datasets itself")],
        )
    start, end = _period(document, default_days)
    assert requester.id is not None  # noqa: S101
    assert provider.id is not None  # noqa: S101
    request = AccessRequest(
        requester_id=requester.id,
        provider_id=provider.id,
        submitted_by=actor.name,
        submitted_by_user_id=actor.user_id,
        purpose=document["purpose"],
        period_start=start,
        period_end=end,
        document=document,
    )
    session.add(request)
    session.flush()
    outcomes = {}
    for dataset in datasets:
        revision, outcome, decision = agreements.evaluate_offer(
            session,
            dataset=dataset,
            assignee=requester,
            purpose_iri=purpose_iri,
            start=start,
            min_cell_size=document.get("min_cell_size"),
            base_uri=base_uri,
        )
        outcomes[dataset.name] = outcome
        session.add(
            AccessRequestItem(
                request_id=request.id,
                dataset_id=dataset.id,
                policy_revision=revision,
                outcome=outcome,
                decision=decision,
            )
        )
    session.flush()
    _audit(session, actor, "access_request.submitted", request, {"evaluation": outcomes})
    _notify(
        session,
        provider,
        request,
        "access_request.submitted",
        {
            "es": f"Nueva solicitud de acceso de {requester.acronym}",
            "en": f"New access request from {requester.acronym}",
        },
        {
            "es": f"{requester.title.get('es', requester.name)} solicita "
            f"{', '.join(d.name for d in datasets)} para {request.purpose}.",
            "en": f"{requester.title.get('en', requester.name)} asks for "
            f"{', '.join(d.name for d in datasets)} for {request.purpose}.",
        },
        (Role.STEWARD,),
    )
    session.commit()
    return view_of(session, request)


# --------------------------------------------------------------------------- transitions


def _audit(
    session: Session,
    actor: Principal,
    action: str,
    request: AccessRequest,
    details: dict[str, Any] | None = None,
) -> None:
    # Recorded under the provider; the requester by name too, which auditors know and
    # filter on (audit.EventFilters.requester), as data accesses name it.
    requester = session.get(Organization, request.requester_id)
    assert requester is not None  # noqa: S101 # guaranteed by the foreign key
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="access_request",
        object_id=str(request.id),
        organization_id=request.provider_id,
        details={
            "requester": requester.name,
            "requester_id": request.requester_id,
            "purpose": request.purpose,
            "status": request.status,
            **(details or {}),
        },
    )


def _notify(
    session: Session,
    organization: Organization,
    request: AccessRequest,
    event: str,
    subject: Mapping[str, str],
    body: Mapping[str, str],
    roles: Sequence[Role],
) -> None:
    notifications.notify(
        session,
        organization=organization,
        event=event,
        object_type="access_request",
        object_id=str(request.id),
        subject=subject,
        body=body,
        roles=roles,
    )


def _move(session: Session, request: AccessRequest, to: str, **values: Any) -> None:
    if to not in TRANSITIONS[request.status]:
        allowed = ", ".join(sorted(TRANSITIONS[request.status])) or "none: it is decided"
        raise Conflict(
            f"a request that is {request.status} cannot become {to} (allowed: {allowed})",
            status_now=request.status,
        )
    compare_and_set(
        session, request, {"status": to, "modified": utcnow(), **values}, "access request"
    )


def _as_provider_steward(session: Session, actor: Principal, request_id: uuid.UUID) -> RequestView:
    view = get_request(session, actor=actor, request_id=request_id)
    if not can_govern(actor, view.request.provider_id):
        raise Forbidden(
            f"only stewards of {view.provider.name} with governance:write (or administrators) "
            "decide requests for its data"
        )
    return view


def start_review(session: Session, *, actor: Principal, request_id: uuid.UUID) -> RequestView:
    """Start reviewing (submitted -> under_review), by a steward of the provider."""
    view = _as_provider_steward(session, actor, request_id)
    _move(session, view.request, R.UNDER_REVIEW)
    _audit(session, actor, "access_request.under_review", view.request)
    _notify(
        session,
        view.requester,
        view.request,
        "access_request.under_review",
        {
            "es": "Su solicitud de acceso está en revisión",
            "en": "Your access request is under review",
        },
        {
            "es": f"{view.provider.acronym} revisa la solicitud {view.request.id}.",
            "en": f"{view.provider.acronym} is reviewing request {view.request.id}.",
        },
        (Role.REQUESTER,),
    )
    session.commit()
    return view_of(session, view.request)


def approve(
    session: Session,
    *,
    actor: Principal,
    request_id: uuid.UUID,
    reason: str | None,
    base_uri: str,
) -> RequestView:
    """under_review -> approved, creating the draft agreement.

    Raises:
        Conflict: not under review, a dataset was withdrawn since the request, or the
            engine does not permit a dataset now (the ``evaluation`` extension has each
            dataset's outcome, ``reasons`` the engine's explanation, es and en, of each
            refusal).
    """
    view = _as_provider_steward(session, actor, request_id)
    request = view.request
    if request.status != R.UNDER_REVIEW:
        _move(session, request, R.APPROVED)  # raises the illegal-transition conflict
    agreements.require_published([dataset for _, dataset in view.items])
    purpose_iri = agreements.purpose_iri(request.purpose, "/purpose")
    outcomes: dict[str, str] = {}
    decisions: dict[str, tuple[str, dict[str, Any]]] = {}
    for item, dataset in view.items:
        revision, outcome, decision = agreements.evaluate_offer(
            session,
            dataset=dataset,
            assignee=view.requester,
            purpose_iri=purpose_iri,
            start=request.period_start,
            min_cell_size=request.document.get("min_cell_size"),
            base_uri=base_uri,
        )
        item.policy_revision, item.outcome, item.decision = revision, outcome, decision
        session.add(item)
        outcomes[dataset.name] = outcome
        decisions[dataset.name] = (outcome, decision)
    if request.period_end < utcnow().date():
        session.rollback()
        raise Conflict(
            f"the requested period ended on {request.period_end.isoformat()}: reject the "
            "request; the requester may ask again"
        )
    refusal = agreements.offers_refusal(decisions)
    if refusal is not None:
        session.rollback()
        raise Conflict(
            f"the offers do not permit this request now ({refusal[0]}): reject it, or "
            "change the offer and approve again",
            evaluation=outcomes,
            reasons=refusal[1],
        )
    _move(
        session,
        request,
        R.APPROVED,
        decision_reason=reason,
        decided_by=actor.name,
        decided_at=utcnow(),
    )
    agreement = agreements.create_draft(
        session,
        actor=actor,
        provider=view.provider,
        assignees=[view.requester],
        datasets=[d for _, d in view.items],
        purpose=request.purpose,
        valid_from=max(request.period_start, utcnow().date()),
        valid_until=request.period_end,
        base_uri=base_uri,
        access_request_id=request.id,
        min_cell_size=request.document.get("min_cell_size"),
    )
    _audit(
        session,
        actor,
        "access_request.approved",
        request,
        {"evaluation": outcomes, "agreement": str(agreement.id), "reason": reason},
    )
    _notify(
        session,
        view.requester,
        request,
        "access_request.approved",
        {"es": "Solicitud de acceso aprobada", "en": "Access request approved"},
        {
            "es": f"{view.provider.acronym} aprobó la solicitud; el acuerdo {agreement.id} "
            "se enviará a firma.",
            "en": f"{view.provider.acronym} approved the request; agreement {agreement.id} "
            "will be sent for signature.",
        },
        (Role.REQUESTER, Role.SIGNATORY),
    )
    session.commit()
    return view_of(session, request)


def reject(
    session: Session, *, actor: Principal, request_id: uuid.UUID, reason: str | None
) -> RequestView:
    """under_review -> rejected, with reasons, by a steward of the provider."""
    if not reason or not reason.strip():
        raise InvalidMetadata(
            "a rejection states its reasons", [FieldError("/reason", "a text is required")]
        )
    view = _as_provider_steward(session, actor, request_id)
    _move(
        session,
        view.request,
        R.REJECTED,
        decision_reason=reason.strip(),
        decided_by=actor.name,
        decided_at=utcnow(),
    )
    _audit(session, actor, "access_request.rejected", view.request, {"reason": reason.strip()})
    _notify(
        session,
        view.requester,
        view.request,
        "access_request.rejected",
        {"es": "Solicitud de acceso rechazada", "en": "Access request rejected"},
        {"es": f"Motivo: {reason.strip()}", "en": f"Reason: {reason.strip()}"},
        (Role.REQUESTER,),
    )
    session.commit()
    return view_of(session, view.request)


def withdraw(
    session: Session, *, actor: Principal, request_id: uuid.UUID, reason: str | None
) -> RequestView:
    """Withdraw an undecided request, by a requester of the requesting organization."""
    view = get_request(session, actor=actor, request_id=request_id)
    request = view.request
    allowed = actor.is_admin or (
        actor.has_scope(WRITE_SCOPE) and actor.has_role(Role.REQUESTER, request.requester_id)
    )
    if not allowed:
        raise Forbidden(f"only requesters of {view.requester.name} may withdraw its requests")
    _move(
        session,
        request,
        R.WITHDRAWN,
        decision_reason=reason,
        decided_by=actor.name,
        decided_at=utcnow(),
    )
    _audit(session, actor, "access_request.withdrawn", request, {"reason": reason})
    _notify(
        session,
        view.provider,
        request,
        "access_request.withdrawn",
        {"es": "Solicitud de acceso retirada", "en": "Access request withdrawn"},
        {
            "es": f"{view.requester.acronym} retiró la solicitud {request.id}.",
            "en": f"{view.requester.acronym} withdrew request {request.id}.",
        },
        (Role.STEWARD,),
    )
    session.commit()
    return view_of(session, request)
