"""The audit log, for auditors and administrators."""

from __future__ import annotations

import datetime as dt

from flask import Response, jsonify, request

from api.auth import access, current_principal
from api.context import db_session
from api.v1 import blueprint
from api.v1.common import page_response, paging, whole_number
from api.v1.serializers import audit_event_json
from catalog import audit
from catalog.errors import BadRequest
from catalog.models import Role

# Event numbers are the databases' 64-bit integers.
MAX_SEQ = 2**63 - 1

AUDITORS_ONLY = "auditors and administrators"


def _time(name: str) -> dt.datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
        # Compared with UTC columns; a moment the UTC calendar cannot hold (year 1 at
        # +01:00) is refused below.
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    except (ValueError, OverflowError) as exc:
        raise BadRequest(f"{name} must be an ISO 8601 date or date-time") from exc


def _text(name: str) -> str | None:
    # An empty parameter filters nothing, as if it were not given.
    return request.args.get(name) or None


@blueprint.get("/audit/events")
@access(scopes=("audit:read",), roles=(Role.AUDITOR, Role.ADMIN), note=AUDITORS_ONLY)
def list_audit_events() -> Response:
    """Audit events, newest first.

    Filters: since, until, organization, action, object, requester (the organization
    that asked for data: its access requests and data accesses), agreement (its life
    and the accesses under it), up_to (the log as it stood at that event).
    """
    actor = current_principal()
    # Before the parameters are read: a caller who may not read the log is refused
    # whatever it asks for.
    actor.require_auditor()
    page, size = paging()
    filters = audit.EventFilters(
        since=_time("since"),
        until=_time("until"),
        organization=_text("organization"),
        action=_text("action"),
        object_type=_text("object_type"),
        object_id=_text("object_id"),
        requester=_text("requester"),
        agreement=_text("agreement"),
        up_to=whole_number("up_to", None, maximum=MAX_SEQ),
    )
    result = audit.list_events(
        db_session(), actor=actor, filters=filters, page=page, page_size=size
    )
    return page_response(
        "api_v1.list_audit_events",
        [audit_event_json(e, result.organizations) for e in result.events],
        total=result.total,
        page=page,
        size=size,
        members={"up_to": result.up_to},
        # Every link reads the log as this page did: events added since do not shift pages.
        fixed={"up_to": str(result.up_to)},
    )


@blueprint.get("/audit/verification")
@access(scopes=("audit:read",), roles=(Role.AUDITOR, Role.ADMIN), note=AUDITORS_ONLY)
def verify_audit_chain() -> Response:
    """Walk the hash chain and report the first broken link, if any.

    ``?anchor=SEQ:HASH`` (a head reported earlier and kept elsewhere) must still be in
    the chain: removing the latest events leaves a valid chain otherwise.
    """
    current_principal().require_auditor()
    anchor = request.args.get("anchor")
    result = audit.verify_chain(db_session(), anchor=audit.parse_anchor(anchor) if anchor else None)
    return jsonify(
        {
            "ok": result.ok,
            "events_checked": result.events_checked,
            "broken_seq": result.broken_seq,
            "reason": result.reason,
            "head": {"seq": result.head_seq, "hash": result.head_hash}
            if result.head_seq is not None
            else None,
        }
    )
