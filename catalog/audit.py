"""Append-only, hash-chained audit log.

Each event's hash is ``SHA-256(prev_hash || canonical JSON of the event)``, canonical
meaning sorted keys, no insignificant whitespace, UTF-8. An edit to any stored event,
or the removal of one, breaks the chain at that point, and :func:`verify_chain` names
the first broken link. Events are written by the service that makes the change, in the
same transaction, so a change and its record commit or vanish together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, func, or_, text
from sqlmodel import Session, col, select

from catalog.db import POSTGRES_WRITER_LOCK, bulk_insert, json_field, utcnow
from catalog.errors import BadRequest, NotFound
from catalog.models import AuditEvent, Organization, SharingAgreement
from catalog.principals import Principal

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """Serialise ``value`` deterministically (sorted keys, compact, UTF-8 text)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_type",
    "actor_id",
    "actor_name",
    "organization_id",
    "action",
    "object_type",
    "object_id",
    "details",
)


def _hash(prev_hash: str, values: Mapping[str, Any] | RowMapping) -> str:
    body = {name: values[name] for name in _HASHED_FIELDS}
    body["occurred_at"] = body["occurred_at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical_json(body).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class EventSpec:
    """An event to append: what happened to which object, on whose behalf."""

    action: str
    object_type: str
    object_id: str | None
    organization_id: int | None
    details: dict[str, Any] = field(default_factory=dict)


def _chain_head(session: Session) -> tuple[int, str]:
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders: two transactions must not both extend the same head. Write
        # sessions already hold this lock (catalog.db); taking it again is a no-op there
        # and protects any other session that appends.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": POSTGRES_WRITER_LOCK})
    head = session.exec(
        select(AuditEvent.seq, AuditEvent.hash).order_by(col(AuditEvent.seq).desc()).limit(1)
    ).first()
    return (head[0], head[1]) if head else (0, GENESIS_HASH)


def _chain(
    actor: Principal, specs: Sequence[EventSpec], seq: int, prev_hash: str
) -> list[dict[str, Any]]:
    """The rows of ``audit_event`` for ``specs``, chained after ``(seq, prev_hash)``.

    Plain rows rather than model objects: a bulk import appends one event per record,
    and building (then dumping) a model object for each took longer than the import's
    own inserts.
    """
    now = utcnow()
    actor_id = str(actor.user_id) if actor.user_id is not None else actor.credential_id
    rows = []
    for spec in specs:
        seq += 1
        row = {
            "seq": seq,
            "occurred_at": now,
            "actor_type": actor.kind,
            "actor_id": actor_id,
            "actor_name": actor.name,
            "organization_id": spec.organization_id,
            "action": spec.action,
            "object_type": spec.object_type,
            "object_id": spec.object_id,
            # Through JSON and back, so the hashed value is what the database returns.
            "details": json.loads(canonical_json(spec.details)),
            "prev_hash": prev_hash,
        }
        row["hash"] = prev_hash = _hash(prev_hash, row)
        rows.append(row)
    return rows


def record(
    session: Session,
    *,
    actor: Principal,
    action: str,
    object_type: str,
    object_id: str | None,
    organization_id: int | None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event to the chain inside the caller's transaction (no commit).

    ``details`` must be JSON made of strings, integers, booleans, lists and objects:
    floats are avoided so that the database round trip cannot change the hashed text.
    """
    spec = EventSpec(action, object_type, object_id, organization_id, details or {})
    (row,) = _chain(actor, [spec], *_chain_head(session))
    event = AuditEvent(**row)
    session.add(event)
    session.flush()
    return event


def record_many(session: Session, *, actor: Principal, events: Sequence[EventSpec]) -> int:
    """Append many events at once (bulk imports), in order; returns how many (no commit)."""
    rows = _chain(actor, events, *_chain_head(session))
    bulk_insert(session, AuditEvent, rows)
    return len(rows)


@dataclass(frozen=True)
class ChainVerification:
    """Outcome of walking the audit chain."""

    ok: bool
    events_checked: int
    broken_seq: int | None = None
    reason: str | None = None
    head_seq: int | None = None
    """The last event verified: record it with its hash to anchor a later verification."""
    head_hash: str | None = None


_VERIFIED_COLUMNS = [getattr(AuditEvent, name) for name in (*_HASHED_FIELDS, "prev_hash", "hash")]


def _iter_events(session: Session, batch: int = 5000) -> Iterator[RowMapping]:
    # Plain rows, not model objects: building one per event took half the walk.
    last = 0
    while True:
        rows = session.execute(
            select(*_VERIFIED_COLUMNS)
            .where(col(AuditEvent.seq) > last)
            .order_by(col(AuditEvent.seq))
            .limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield row._mapping
        last = rows[-1].seq


_SHA256 = re.compile(r"[0-9a-f]{64}")


def verify_chain(session: Session, *, anchor: tuple[int, str] | None = None) -> ChainVerification:
    """Walk the whole chain and report the first event whose link is broken.

    A chain proves nothing about its end: removing the latest events leaves a valid
    chain. ``anchor`` is an event's ``(seq, hash)`` recorded earlier (a head this
    function reported, kept outside the database); the chain must still hold it.
    """
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    anchored: str | None = None
    for event in _iter_events(session):
        seq = event["seq"]
        if seq != expected_seq:
            return ChainVerification(
                False, checked, expected_seq, f"event {expected_seq} is missing from the chain"
            )
        if event["prev_hash"] != prev_hash:
            return ChainVerification(
                False,
                checked,
                seq,
                f"event {seq} does not point at the hash of event {seq - 1}",
            )
        if _hash(prev_hash, event) != event["hash"]:
            return ChainVerification(
                False,
                checked,
                seq,
                f"event {seq} was altered: its content no longer matches its hash",
            )
        checked += 1
        prev_hash = event["hash"]
        expected_seq += 1
        if anchor is not None and seq == anchor[0]:
            anchored = event["hash"]
    head = (checked or None, prev_hash if checked else None)
    if anchor is not None and anchored != anchor[1]:
        seq = anchor[0]
        reason = (
            f"the log ends at event {checked}, before event {seq} recorded earlier: "
            "events were removed"
            if anchored is None
            else f"event {seq} is not the one recorded earlier: its hash differs"
        )
        return ChainVerification(False, checked, seq, reason, *head)
    return ChainVerification(True, checked, None, None, *head)


def parse_anchor(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` as :func:`verify_chain` takes it.

    Raises:
        BadRequest: not a positive event number and a SHA-256 in hex.
    """
    seq, _, digest = text.strip().partition(":")
    digest = digest.lower()  # as some tools copy it
    # Events are numbered from 1: an anchor at 0 would read as "events were removed".
    number = int(seq) if seq.isascii() and seq.isdigit() and 0 < len(seq) <= 18 else 0
    if number < 1 or not _SHA256.fullmatch(digest):
        raise BadRequest(
            "an anchor is an event number and its hash, as verification reports them: SEQ:HASH"
        )
    return number, digest


def count_events(session: Session) -> int:
    """Number of events in the log."""
    return int(session.exec(select(func.count()).select_from(AuditEvent)).one())


@dataclass(frozen=True)
class EventFilters:
    """Which events to list: every filter given must hold.

    Attributes:
        since: Events at or after this moment (timezone-aware).
        until: Events before this moment (timezone-aware).
        organization: Name of the organization the events are recorded under.
        action: An action, or a family of actions as a prefix ending in ``.``
            (``dataset.``).
        object_type: Type of the object the events are about.
        object_id: Id of that object.
        requester: Name of the organization that asked for data: its access requests
            and its data accesses (granted or refused).
        agreement: An agreement's id: its own life and every access made under it.
        up_to: Events numbered (``seq``) at most this: the log as it stood then, so that
            pages do not shift while events are added.
    """

    since: dt.datetime | None = None
    until: dt.datetime | None = None
    organization: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    requester: str | None = None
    agreement: str | None = None
    up_to: int | None = None


@dataclass(frozen=True)
class EventPage:
    """One page of events, newest first, with the total of all events that match."""

    events: list[AuditEvent]
    total: int
    organizations: dict[int, Organization]
    """The organizations the page's events are recorded under, by id."""
    up_to: int
    """The newest event the listing reads (``EventFilters.up_to``, or the latest then)."""


def _detail(key: str) -> Any:
    return col(AuditEvent.details)[key].as_string()


def _conditions(session: Session, filters: EventFilters) -> list[ColumnElement[bool]]:
    # Imported here: the organization service audits its changes through this module.
    from catalog.organizations import get_organization

    if filters.since is not None and filters.until is not None and filters.since > filters.until:
        raise BadRequest("since must not be later than until: no moment is in that range")
    conditions: list[ColumnElement[bool]] = []
    if filters.up_to is not None:
        conditions.append(col(AuditEvent.seq) <= filters.up_to)
    if filters.since is not None:
        conditions.append(col(AuditEvent.occurred_at) >= filters.since)
    if filters.until is not None:
        conditions.append(col(AuditEvent.occurred_at) < filters.until)
    if filters.organization is not None:
        organization = get_organization(session, filters.organization)
        conditions.append(col(AuditEvent.organization_id) == organization.id)
    if filters.action is not None:
        # "dataset." selects a whole family of actions. Compared as text, not with LIKE:
        # "%" and "_" are characters of the prefix, and case counts on both databases.
        conditions.append(
            func.substr(col(AuditEvent.action), 1, len(filters.action)) == filters.action
            if filters.action.endswith(".")
            else col(AuditEvent.action) == filters.action
        )
    if filters.object_type is not None:
        conditions.append(col(AuditEvent.object_type) == filters.object_type)
    if filters.object_id is not None:
        conditions.append(col(AuditEvent.object_id) == filters.object_id)
    if filters.requester is not None:
        # Access requests and data accesses are recorded under the provider; the
        # requesting organization is in the details.
        requester = get_organization(session, filters.requester)
        conditions.append(_detail("requester") == requester.name)
    if filters.agreement is not None:
        agreement = _agreement_id(session, filters.agreement)
        # Its own events name it as their object; the accesses under it, in their details.
        conditions.append(
            or_(col(AuditEvent.object_id) == agreement, _detail("agreement") == agreement)
        )
    return conditions


def count_grants(session: Session, *, agreement: str, dataset: str, requester: str) -> int:
    """How many downloads the gateway granted ``requester`` of ``dataset`` under ``agreement``.

    The uses made so far, for a policy that limits them (``odrl:count``): each
    ``data.access.granted`` event is one, but for HEAD requests and those answered 304
    Not Modified, which transfer no data. Read from the log, which nothing rewrites,
    under the writers' lock the gateway holds, so two downloads cannot both count the
    same use.
    """
    method = _detail("method")
    return int(
        session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                # This expression is indexed (migration 0015): the events of one agreement
                # are read, not every grant ever logged.
                json_field(AuditEvent.details, "agreement") == agreement,
                AuditEvent.action == "data.access.granted",
                _detail("dataset") == dataset,
                _detail("requester") == requester,
                or_(method.is_(None), method != "HEAD"),
                _detail("response").is_(None),
            )
        ).one()
    )


def _agreement_id(session: Session, given: str) -> str:
    """An agreement's id as events record it; a typo is refused, not an empty page."""
    try:
        agreement_id = uuid.UUID(given)
    except ValueError as exc:
        raise BadRequest(f"agreement: '{given}' is not an agreement's id (a UUID)") from exc
    if session.get(SharingAgreement, agreement_id) is None:
        raise NotFound(f"there is no agreement {agreement_id}")
    return str(agreement_id)


def list_events(
    session: Session, *, actor: Principal, filters: EventFilters, page: int, page_size: int
) -> EventPage:
    """Page ``page`` (from 1) of the events ``filters`` select, newest first.

    Without ``up_to`` the listing reads the log as it stands now and says up to which
    event (``EventPage.up_to``), for the following pages to ask for the same.

    Raises:
        Unauthenticated: the caller is anonymous.
        Forbidden: the caller is neither auditor nor administrator.
        NotFound: ``organization`` or ``requester`` names no organization, or
            ``agreement`` no agreement.
        BadRequest: ``since`` is later than ``until``, or ``agreement`` is no UUID.
    """
    # Imported here: the organization service audits its changes through this module.
    from catalog.organizations import organizations_by_id

    actor.require_auditor()
    if filters.up_to is None:
        latest = session.exec(select(func.max(AuditEvent.seq))).one()
        filters = replace(filters, up_to=int(latest or 0))
    assert filters.up_to is not None  # noqa: S101 # set just above
    conditions = _conditions(session, filters)
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()
    events = session.exec(
        select(AuditEvent)
        .where(*conditions)
        .order_by(col(AuditEvent.seq).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    organizations = organizations_by_id(
        session, [e.organization_id for e in events if e.organization_id is not None]
    )
    return EventPage(list(events), int(total), organizations, filters.up_to)
