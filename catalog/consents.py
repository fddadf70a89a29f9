"""Consent records of datasets and their append-only event history.

A consent record says that a category of data subjects (how many, who) consented to
some DPV purposes for some recipients (organizations, or any public body of some
countries), with evidence. What happens to it afterwards (renewal, withdrawal by the
data subjects, revocation by someone else, expiry, invalidation) is a
:class:`~catalog.models.ConsentEvent` appended to its history; nothing is edited, so the
past stays readable. The record's ``status`` columns follow its events.

Expiry by time needs no job: the status *at* any moment is derived from the events and
the term (``expires_at``) when it is read, so an expired consent stops allowing
processing on the next request. The expiry is also recorded as an event, at the time it
happened, by whichever comes first: the next event a steward adds to the record, or
``simel governance sweep`` (:func:`record_expiries`), meant to run daily.

Which event may follow which status (DPV consent statuses)::

    ConsentRequested, ConsentRequestDeferred -> given, refused, deferred, requested
    ConsentRefused                           -> requested
    ConsentGiven, RenewedConsentGiven        -> renewed, withdrawn, revoked, expired, invalidated
    ConsentExpired                           -> renewed, requested
    ConsentWithdrawn, ConsentRevoked, ConsentInvalidated -> nothing (record a new consent)
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from catalog import audit
from catalog.db import utcnow
from catalog.errors import Conflict, FieldError, InvalidMetadata
from catalog.models import ConsentEvent, ConsentRecord, Dataset, LegalBasis, Organization
from catalog.principals import Principal
from catalog.readiness import covers_purpose
from catalog.stewardship import consent_dataset, governed_dataset, not_found
from catalog.validation import consent_document_errors, consent_event_errors, require_object
from vocab import consent_valid_for_processing, get_registry

GIVEN = "ConsentGiven"
RENEWED = "RenewedConsentGiven"
EXPIRED = "ConsentExpired"

EVENT_STATUS: Mapping[str, str] = {
    "requested": "ConsentRequested",
    "deferred": "ConsentRequestDeferred",
    "given": GIVEN,
    "refused": "ConsentRefused",
    "renewed": RENEWED,
    "withdrawn": "ConsentWithdrawn",
    "revoked": "ConsentRevoked",
    "expired": EXPIRED,
    "invalidated": "ConsentInvalidated",
}
"""Each event and the DPV consent status it leads to."""

_AUDIT_VERB: Mapping[str, str] = {
    "requested": "request",
    "deferred": "defer",
    "given": "give",
    "refused": "refuse",
    "renewed": "renew",
    "withdrawn": "withdraw",
    "revoked": "revoke",
    "expired": "expire",
    "invalidated": "invalidate",
}

_ACTIVE_EVENTS = frozenset({"renewed", "withdrawn", "revoked", "expired", "invalidated"})
NEXT_EVENTS: Mapping[str, frozenset[str]] = {
    "ConsentRequested": frozenset({"given", "refused", "deferred", "requested"}),
    "ConsentRequestDeferred": frozenset({"given", "refused", "deferred", "requested"}),
    "ConsentRefused": frozenset({"requested"}),
    GIVEN: _ACTIVE_EVENTS,
    RENEWED: _ACTIVE_EVENTS,
    EXPIRED: frozenset({"renewed", "requested"}),
    "ConsentWithdrawn": frozenset(),
    "ConsentRevoked": frozenset(),
    "ConsentInvalidated": frozenset(),
}
"""Which events may follow each status."""

_NEEDS_REASON = frozenset({"withdrawn", "revoked", "invalidated", "refused"})
_INITIAL_EVENT = {GIVEN: "given", "ConsentRequested": "requested", "ConsentRefused": "refused"}
# Clocks of the steward's machine and the server differ a little.
_CLOCK_SKEW = dt.timedelta(minutes=5)
_SERVER_MEMBERS = frozenset(
    {
        "id",
        "dataset",
        "status",
        "valid",
        "recorded_status",
        "expiry_recorded",
        "status_at",
        "withdrawn_at",
        "events",
        "created",
        "created_by",
        "links",
    }
)


def is_valid_status(status: str) -> bool:
    """Whether a DPV consent status allows processing (ConsentGiven, RenewedConsentGiven)."""
    return consent_valid_for_processing(status)


@dataclass(frozen=True)
class ConsentState:
    """A consent record with its history, and its status at one moment."""

    record: ConsentRecord
    events: tuple[ConsentEvent, ...]
    at: dt.datetime
    status: str | None
    """The DPV status at ``at`` (None before the first event)."""
    expires_at: dt.datetime | None
    """The term in force at ``at``."""

    @property
    def valid(self) -> bool:
        """Whether the consent allows processing at ``at``."""
        return self.status is not None and is_valid_status(self.status)

    @property
    def lapsed_at(self) -> dt.datetime | None:
        """When consent once given stopped allowing processing (withdrawn or expired)."""
        if self.valid or not any(
            e.occurred_at <= self.at and is_valid_status(e.status) for e in self.events
        ):
            return None
        withdrawals = [
            e.occurred_at
            for e in self.events
            if e.event == "withdrawn" and e.occurred_at <= self.at
        ]
        if withdrawals:
            return max(withdrawals)
        if self.expires_at is not None and self.expires_at <= self.at:
            return self.expires_at
        return None

    @property
    def expiry_unrecorded(self) -> bool:
        """Whether it has expired by time but no expiry event is recorded yet."""
        return self.status == EXPIRED and self.record.status != EXPIRED


def state_at(
    record: ConsentRecord, events: Sequence[ConsentEvent], at: dt.datetime
) -> ConsentState:
    """The record's status at ``at``, from its events (in ``seq`` order) and their terms."""
    status: str | None = None
    expires: dt.datetime | None = None
    for event in events:
        if event.occurred_at > at:
            break
        status = event.status
        if event.event in ("given", "renewed"):
            expires = event.expires_at
    if status is not None and is_valid_status(status) and expires is not None and expires <= at:
        status = EXPIRED
    return ConsentState(record, tuple(events), at, status, expires)


# ------------------------------------------------------------------------------ reading


def _events_of(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[ConsentEvent]]:
    found: dict[uuid.UUID, list[ConsentEvent]] = {i: [] for i in ids}
    if ids:
        for event in session.exec(
            select(ConsentEvent)
            .where(col(ConsentEvent.consent_id).in_(ids))
            .order_by(col(ConsentEvent.consent_id), col(ConsentEvent.seq))
        ).all():
            found[event.consent_id].append(event)
    return found


def states_of(session: Session, dataset_id: uuid.UUID, at: dt.datetime) -> list[ConsentState]:
    """Every consent record of a dataset with its history and status at ``at`` (two queries)."""
    records = list(
        session.exec(
            select(ConsentRecord)
            .where(ConsentRecord.dataset_id == dataset_id)
            .order_by(col(ConsentRecord.created), col(ConsentRecord.id))
        ).all()
    )
    events = _events_of(session, [r.id for r in records])
    return [state_at(r, events[r.id], at) for r in records]


def list_consents(
    session: Session, *, actor: Principal, name: str, at: dt.datetime | None = None
) -> tuple[Dataset, list[ConsentState]]:
    """The dataset's consent records, with their histories and their status now.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: no such dataset visible to the caller.
        Forbidden: the caller may not read the dataset's consent records.
    """
    dataset = consent_dataset(session, actor=actor, name=name)
    return dataset, states_of(session, dataset.id, at or utcnow())


def _record_of(session: Session, dataset: Dataset, consent_id: uuid.UUID) -> ConsentRecord:
    record = session.get(ConsentRecord, consent_id)
    if record is None or record.dataset_id != dataset.id:
        raise not_found(f"consent record {consent_id}", dataset.name)
    return record


def get_consent(
    session: Session, *, actor: Principal, name: str, consent_id: uuid.UUID
) -> tuple[Dataset, ConsentState]:
    """One consent record with its history and its status now.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: no such dataset or consent record.
        Forbidden: the caller may not read the dataset's consent records.
    """
    dataset = consent_dataset(session, actor=actor, name=name)
    record = _record_of(session, dataset, consent_id)
    return dataset, state_at(record, _events_of(session, [record.id])[record.id], utcnow())


# ------------------------------------------------------------------------------ writing


def _parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)


def _check_recipients(session: Session, document: Mapping[str, Any]) -> list[FieldError]:
    recipients = document.get("recipients")
    names = recipients.get("organizations") if isinstance(recipients, Mapping) else None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or not names:
        return []  # the JSON Schema reports the shape
    known = set(
        session.exec(select(Organization.name).where(col(Organization.name).in_(names))).all()
    )
    return [
        FieldError(f"/recipients/organizations/{i}", f"no organization is named '{n}'")
        for i, n in enumerate(names)
        if n not in known
    ]


def _append(
    session: Session,
    record: ConsentRecord,
    *,
    seq: int,
    event: str,
    at: dt.datetime,
    actor: Principal,
    reason: str | None = None,
    expires_at: dt.datetime | None = None,
    details: dict[str, Any] | None = None,
    organization_id: int | None,
    dataset_name: str,
) -> ConsentEvent:
    status = EVENT_STATUS[event]
    row = ConsentEvent(
        consent_id=record.id,
        seq=seq,
        event=event,
        status=status,
        occurred_at=at,
        recorded_at=utcnow(),
        actor=actor.name,
        reason=reason,
        expires_at=expires_at,
        details=details or {},
    )
    session.add(row)
    record.status = status
    record.status_at = at
    if event in ("given", "renewed"):
        record.expires_at = expires_at
        if record.given_at is None:
            record.given_at = at
    if event in ("withdrawn", "revoked"):
        record.withdrawn_at = at
    session.add(record)
    audit.record(
        session,
        actor=actor,
        action=f"consent.{_AUDIT_VERB[event]}",
        object_type="consent",
        object_id=str(record.id),
        organization_id=organization_id,
        details={
            "dataset": dataset_name,
            "event": event,
            "status": status,
            "at": at.isoformat(),
            **({"reason": reason} if reason else {}),
            **({"expires_at": expires_at.isoformat()} if expires_at else {}),
            **(details or {}),
        },
    )
    return row


def create_consent(session: Session, *, actor: Principal, name: str, document: Any) -> ConsentState:
    """Record consent (or a request for it, or a refusal) for the dataset ``name``.

    The record's first event is ``given`` (or ``requested``, ``refused``) at
    ``given_at``; a term that has already run out is recorded as an ``expired`` event.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: no such dataset visible to the caller.
        Forbidden: the caller may not write the dataset's governance records.
        InvalidMetadata: the document is invalid, names unknown recipients, lies in the
            future or ends before it starts.
    """
    dataset, publisher = governed_dataset(session, actor=actor, name=name)
    document = {
        k: v
        for k, v in require_object(document, "consent record").items()
        if k not in _SERVER_MEMBERS or k == "status"
    }
    errors = consent_document_errors(document) + _check_recipients(session, document)
    if errors:
        raise InvalidMetadata("the consent record is not valid", errors)
    document = copy.deepcopy(document)
    now = utcnow()
    given_at = _parse_time(document["given_at"])
    expires_at = _parse_time(document["expires_at"]) if "expires_at" in document else None
    if given_at > now + _CLOCK_SKEW:
        errors.append(FieldError("/given_at", "is in the future: record consent once it is given"))
    if expires_at is not None and expires_at <= given_at:
        errors.append(FieldError("/expires_at", "is not after given_at"))
    if errors:
        raise InvalidMetadata("the consent record is not valid", errors)
    status = document.get("status", GIVEN)
    record = ConsentRecord(
        dataset_id=dataset.id,
        document=document,
        status=status,
        status_at=given_at,
        subjects_count=document["subjects_count"],
        created=now,
        created_by=actor.name,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="consent.create",
        object_type="consent",
        object_id=str(record.id),
        organization_id=publisher.id,
        details={
            "dataset": dataset.name,
            "status": status,
            "subjects_count": record.subjects_count,
            "purposes": document["purposes"],
        },
    )
    first = _INITIAL_EVENT[status]
    events = [
        _append(
            session,
            record,
            seq=1,
            event=first,
            at=given_at,
            actor=actor,
            expires_at=expires_at if first == "given" else None,
            details={"evidence": document["evidence"]["reference"]},
            organization_id=publisher.id,
            dataset_name=dataset.name,
        )
    ]
    if first == "given" and expires_at is not None and expires_at <= now:
        events.append(_expiry(session, record, 2, expires_at, actor, publisher.id, dataset.name))
    session.commit()
    return state_at(record, events, utcnow())


def _expiry(
    session: Session,
    record: ConsentRecord,
    seq: int,
    expired_at: dt.datetime,
    actor: Principal,
    organization_id: int | None,
    dataset_name: str,
) -> ConsentEvent:
    return _append(
        session,
        record,
        seq=seq,
        event="expired",
        at=expired_at,
        actor=actor,
        reason="its term ended",
        details={"observed_at": utcnow().isoformat()},
        organization_id=organization_id,
        dataset_name=dataset_name,
    )


def add_event(
    session: Session, *, actor: Principal, name: str, consent_id: uuid.UUID, document: Any
) -> ConsentState:
    """Append an event (withdrawn, renewed, expired, revoked...) to a consent record.

    An expiry by time that has not been recorded yet is recorded first, at the time it
    happened, so the history reads in order.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: no such dataset or consent record.
        Forbidden: the caller may not write the dataset's governance records.
        InvalidMetadata: the event is invalid, lacks a required reason, is dated in the
            future or before the record's last event.
        Conflict: the event cannot follow the record's status (a withdrawn consent
            cannot be renewed: record a new consent).
    """
    dataset, publisher = governed_dataset(session, actor=actor, name=name)
    record = _record_of(session, dataset, consent_id)
    document = dict(require_object(document, "consent event"))
    errors = consent_event_errors(document)
    if errors:
        raise InvalidMetadata("the consent event is not valid", errors)
    now = utcnow()
    event = document["event"]
    at = _parse_time(document["at"]) if "at" in document else now
    expires_at = _parse_time(document["expires_at"]) if "expires_at" in document else None
    reason = document.get("reason")
    events = _events_of(session, [record.id])[record.id]
    last = events[-1]
    if at > now + _CLOCK_SKEW:
        errors.append(FieldError("/at", "is in the future: record events once they happen"))
    if at < last.occurred_at:
        errors.append(
            FieldError(
                "/at",
                f"is before the record's last event ({last.event} at "
                f"{last.occurred_at.isoformat()}): the history is only appended to",
            )
        )
    if event in _NEEDS_REASON and not reason:
        errors.append(FieldError("/reason", f"say why the consent was {event}"))
    if expires_at is not None and event not in ("given", "renewed"):
        errors.append(FieldError("/expires_at", "only a given or renewed consent has a new term"))
    elif expires_at is not None and expires_at <= at:
        errors.append(FieldError("/expires_at", "is not after the event"))
    if errors:
        raise InvalidMetadata("the consent event is not valid", errors)
    state = state_at(record, events, at)
    seq = last.seq + 1
    if state.expiry_unrecorded and state.expires_at is not None:
        if event == "expired":
            at = state.expires_at  # it expired then, whatever the steward's date says
        events.append(
            _expiry(session, record, seq, state.expires_at, actor, publisher.id, dataset.name)
        )
        seq += 1
        if event == "expired":
            session.commit()
            return state_at(record, events, utcnow())
    current = record.status
    if event not in NEXT_EVENTS.get(current, frozenset()):
        allowed = sorted(NEXT_EVENTS.get(current, frozenset()))
        session.rollback()
        raise Conflict(
            f"a consent that is {current} cannot be {event}"
            + (
                f"; it can be {', '.join(allowed)}"
                if allowed
                else ": the record is closed, record a new consent instead"
            ),
            current_status=current,
            allowed_events=allowed,
        )
    details = {"evidence": document["evidence"]} if "evidence" in document else {}
    events.append(
        _append(
            session,
            record,
            seq=seq,
            event=event,
            at=at,
            actor=actor,
            reason=reason,
            expires_at=expires_at,
            details=details,
            organization_id=publisher.id,
            dataset_name=dataset.name,
        )
    )
    session.commit()
    return state_at(record, events, utcnow())


def record_expiries(session: Session, *, actor: Principal, now: dt.datetime | None = None) -> int:
    """Record an ``expired`` event for every consent whose term ran out unrecorded.

    Each event is dated when the consent expired (its ``expires_at``). Returns how many
    were recorded. This is ``simel governance sweep``.
    """
    now = now or utcnow()
    valid_statuses = [s for s in EVENT_STATUS.values() if is_valid_status(s)]
    candidates = list(
        session.exec(
            select(ConsentRecord).where(
                col(ConsentRecord.status).in_(valid_statuses),
                col(ConsentRecord.expires_at).is_not(None),
                col(ConsentRecord.expires_at) <= now,
            )
        ).all()
    )
    if not candidates:
        return 0
    datasets = {
        d.id: d
        for d in session.exec(
            select(Dataset).where(col(Dataset.id).in_({r.dataset_id for r in candidates}))
        ).all()
    }
    events = _events_of(session, [r.id for r in candidates])
    for record in candidates:
        dataset = datasets[record.dataset_id]
        assert record.expires_at is not None  # noqa: S101 # selected on it
        _expiry(
            session,
            record,
            events[record.id][-1].seq + 1,
            record.expires_at,
            actor,
            dataset.publisher_id,
            dataset.name,
        )
    session.commit()
    return len(candidates)


# ------------------------------------------------------------------ the gateway's check


@dataclass(frozen=True)
class ConsentCheck:
    """Whether consent allows a use of a dataset, and why.

    Attributes:
        required: Whether the dataset is held on consent at all (otherwise ``allowed``).
        allowed: Whether some consent record valid at the time covers the purpose and
            the recipient.
        reason: The answer in one English sentence.
        covering: Records that allow it, with the subjects they cover.
        lapsed: Records that cover the purpose and recipient but no longer allow
            processing, with their status: their subjects' data must not be used.
    """

    required: bool
    allowed: bool
    reason: str
    covering: tuple[uuid.UUID, ...] = ()
    subjects_covered: int = 0
    lapsed: tuple[tuple[uuid.UUID, str], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """Return the check as plain JSON values (for audit records)."""
        return {
            "required": self.required,
            "allowed": self.allowed,
            "reason": self.reason,
            "covering": [str(i) for i in self.covering],
            "subjects_covered": self.subjects_covered,
            "lapsed": [{"consent": str(i), "status": s} for i, s in self.lapsed],
        }


def _purpose_code(purpose: str) -> str | None:
    scheme = get_registry().scheme("purposes")
    concept = scheme.by_code(purpose) or scheme.by_iri(purpose)
    return concept.code if concept else None


def _covers_recipient(
    document: Mapping[str, Any], organization: str | None, country: str | None
) -> bool:
    recipients = document.get("recipients", {})
    return (organization is not None and organization in recipients.get("organizations", ())) or (
        country is not None and country in recipients.get("countries", ())
    )


def is_consent_based(legal_bases: Iterable[LegalBasis], has_records: bool) -> bool:
    """Whether a dataset is held on consent: a DPV Consent-type legal basis, or consent records.

    Any such legal basis counts, valid or not, and so do consent records on their own:
    when in doubt, consent is required.
    """
    if has_records:
        return True
    scheme = get_registry().scheme("legal-bases")
    return any(b.basis in scheme and scheme.is_a(b.basis, "Consent") for b in legal_bases)


def consent_allows(
    session: Session,
    *,
    dataset: Dataset,
    purpose: str,
    recipient_org: str | None,
    recipient_country: str | None,
    at: dt.datetime,
    file_since: dt.datetime | None = None,
) -> ConsentCheck:
    """Whether the people in ``dataset`` consented to this use at ``at`` (never cached).

    The answer is yes when the dataset is not held on consent, or when a consent record
    whose status at ``at`` is valid for processing (DPV ConsentGiven or
    RenewedConsentGiven, not expired) covers ``purpose`` (the consented purpose or a
    broader one in the DPV hierarchy) and the recipient (the organization by name, or its
    country, ISO alpha-3). Reads only: an expiry noticed here is recorded by the next
    write to the record or by ``simel governance sweep``.

    ``file_since`` is when the file to be shared was made: consent that lapsed after it
    (withdrawn or expired) means the file still holds those people, whatever other
    records cover; it is refused until the provider replaces the file.
    """
    states = states_of(session, dataset.id, at)
    legal = session.exec(select(LegalBasis).where(LegalBasis.dataset_id == dataset.id)).all()
    if not is_consent_based(legal, bool(states)):
        return ConsentCheck(False, True, "the dataset is not held on consent")
    code = _purpose_code(purpose)
    if code is None:
        return ConsentCheck(True, False, f"'{purpose}' is not a DPV purpose the catalog knows")
    on_purpose = [s for s in states if covers_purpose(s.record.document["purposes"], code)]
    relevant = [
        s
        for s in on_purpose
        if _covers_recipient(s.record.document, recipient_org, recipient_country)
    ]
    covering = [s for s in relevant if s.valid]
    lapsed = tuple((s.record.id, s.status or "ConsentUnknown") for s in relevant if not s.valid)
    recipient = " / ".join(x for x in (recipient_org, recipient_country) if x) or "no recipient"
    stale = [
        s
        for s in relevant
        if file_since is not None and s.lapsed_at is not None and s.lapsed_at > file_since
    ]
    if covering and stale and file_since is not None:
        people = sum(s.record.subjects_count for s in stale)
        when = max(s.lapsed_at for s in stale if s.lapsed_at is not None).date().isoformat()
        return ConsentCheck(
            True,
            False,
            f"the consent of {people} data subjects lapsed on {when}, after this file was "
            f"made ({file_since.date().isoformat()}): the provider must replace it with one "
            "without them",
            tuple(s.record.id for s in covering),
            sum(s.record.subjects_count for s in covering),
            lapsed,
        )
    if covering:
        subjects = sum(s.record.subjects_count for s in covering)
        return ConsentCheck(
            True,
            True,
            f"{len(covering)} consent record(s) covering {subjects} data subjects allow "
            f"{code} for {recipient}",
            tuple(s.record.id for s in covering),
            subjects,
            lapsed,
        )
    if lapsed:
        statuses = ", ".join(sorted({s for _, s in lapsed}))
        reason = f"the consent covering {code} for {recipient} is no longer valid ({statuses})"
    elif on_purpose:
        reason = f"no consent record covers the recipient {recipient}"
    elif states:
        reason = f"no consent record covers the purpose {code}"
    else:
        reason = "the dataset is held on consent but has no consent records"
    return ConsentCheck(True, False, reason, lapsed=lapsed)
