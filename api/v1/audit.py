"""The audit log, for auditors and administrators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import or_
from sqlmodel import col, func, select

from api.auth import access, current_principal
from api.context import db_session
from api.v1 import blueprint
from api.v1.common import page_links, paged_response, paging
from api.v1.serializers import audit_event_json
from catalog import audit
from catalog.errors import BadRequest
from catalog.models import AuditEvent, Organization, Role
from catalog.organizations import get_organization, organizations_by_id

AUDITORS_ONLY = "auditors and administrators"


def _time(name: str) -> dt.datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
        # Compared with UTC columns: a moment the UTC calendar cannot hold is no filter.
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    except (ValueError, OverflowError) as exc:
        raise BadRequest(f"{name} must be an ISO 8601 date or date-time") from exc


def _detail(key: str) -> Any:
    return col(AuditEvent.details)[key].as_string()


@blueprint.get("/audit/events")
@access(scopes=("audit:read",), roles=(Role.AUDITOR, Role.ADMIN), note=AUDITORS_ONLY)
def list_audit_events() -> Response:
    """Audit events, newest first.

    Filters: since, until, organization, action, object, requester (the organization
    that received data), agreement (its life and the accesses under it).
    """
    current_principal().require_auditor()
    session = db_session()
    page, size = paging()
    conditions: list[Any] = []
    since, until = _time("since"), _time("until")
    if since:
        conditions.append(col(AuditEvent.occurred_at) >= since)
    if until:
        conditions.append(col(AuditEvent.occurred_at) < until)
    if request.args.get("organization"):
        organization = get_organization(session, request.args["organization"])
        conditions.append(AuditEvent.organization_id == organization.id)
    action = request.args.get("action")
    if action:
        # "dataset." selects a whole family of actions.
        conditions.append(
            col(AuditEvent.action).startswith(action)
            if action.endswith(".")
            else AuditEvent.action == action
        )
    if request.args.get("object_type"):
        conditions.append(AuditEvent.object_type == request.args["object_type"])
    if request.args.get("object_id"):
        conditions.append(AuditEvent.object_id == request.args["object_id"])
    if request.args.get("requester"):
        # Data access is recorded under the provider; the receiving organization is in
        # the details.
        requester = get_organization(session, request.args["requester"])
        conditions.append(_detail("requester") == requester.name)
    if request.args.get("agreement"):
        # The agreement's own life and every download made under it.
        agreement = request.args["agreement"]
        conditions.append(
            or_(col(AuditEvent.object_id) == agreement, _detail("agreement") == agreement)
        )
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()
    events = session.exec(
        select(AuditEvent)
        .where(*conditions)
        .order_by(col(AuditEvent.seq).desc())
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    organizations: dict[int, Organization] = organizations_by_id(
        session, [e.organization_id for e in events if e.organization_id is not None]
    )
    links = page_links("api_v1.list_audit_events", page, size, int(total))
    return paged_response(
        {
            "total": int(total),
            "page": page,
            "page_size": size,
            "items": [audit_event_json(e, organizations) for e in events],
            "links": links,
        },
        links,
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
