"""Governance of datasets: legal bases, consent records, the offer policy, and decisions.

Stewards of the publisher write (with ``governance:write``); legal bases and the offer
are as visible as the dataset; consent records are read by auditors, administrators and
members of the publisher, and the compliance gaps of the governance view (what is
missing, the warnings) by the publisher's stewards, auditors and administrators
(:mod:`catalog.stewardship`). ``POST /policies/evaluate`` is for any authenticated caller
and changes nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, jsonify, request

from api.auth import access, current_principal
from api.conneg import negotiate
from api.context import db_session, read_only, state
from api.v1 import blueprint
from api.v1.common import etag_for, if_match_revision, json_body, parsed_json
from api.v1.serializers import (
    consent_event_json,
    consent_json,
    governance_json,
    legal_basis_json,
)
from catalog import consents, dataset_policies, legal_bases, policy_context
from catalog.db import utcnow
from catalog.errors import FieldError, InvalidMetadata, UnsupportedMediaType
from catalog.formats import JSON, JSON_LD, Format
from catalog.governance import governance_view
from catalog.models import DatasetPolicy, Role
from catalog.policy_templates import TEMPLATES
from catalog.stewardship import can_govern

F = TypeVar("F", bound=Callable[..., Any])

AS_DATASET = "as visible as the dataset itself"
CONSENT_READERS = "auditors, administrators and members of the publishing organization"
COMPLIANCE_READERS = "stewards of the publishing organization, auditors and administrators"


def governance_write(extra: str = "") -> Callable[[F], F]:
    """Access rule of governance writes: governance:write and the steward role."""
    return access(
        scopes=("governance:write",),
        roles=(Role.STEWARD,),
        note="the caller must be a steward of the publisher, or an administrator" + extra,
    )


def _json(body: Any, status: int = 200, etag: int | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    if etag is not None:
        response.headers["ETag"] = etag_for(etag)
    return response


# ---------------------------------------------------------------------------- legal bases


@blueprint.get("/datasets/<name>/legal-bases")
@access(public=True, note=AS_DATASET)
def list_legal_bases(name: str) -> Response:
    """The dataset's legal bases, ended ones included."""
    actor = current_principal()
    dataset, found = legal_bases.list_legal_bases(db_session(), actor=actor, name=name)
    now, governs = utcnow(), can_govern(actor, dataset.publisher_id)
    items = [legal_basis_json(name, b, now, governs=governs) for b in found]
    return _json({"dataset": name, "items": items})


@blueprint.post("/datasets/<name>/legal-bases")
@governance_write()
def create_legal_basis(name: str) -> Response:
    """Record a legal basis of the dataset."""
    created = legal_bases.create_legal_basis(
        db_session(), actor=current_principal(), name=name, document=json_body()
    )
    body = legal_basis_json(name, created, utcnow(), governs=True)  # the service checked
    response = _json(body, 201, created.revision)
    response.headers["Location"] = body["links"]["self"]
    return response


@blueprint.get("/datasets/<name>/legal-bases/<uuid:legal_basis_id>")
@access(public=True, note=AS_DATASET)
def get_legal_basis(name: str, legal_basis_id: uuid.UUID) -> Response:
    """One legal basis, with its ETag."""
    actor = current_principal()
    dataset, found = legal_bases.get_legal_basis(
        db_session(), actor=actor, name=name, legal_basis_id=legal_basis_id
    )
    governs = can_govern(actor, dataset.publisher_id)
    return _json(legal_basis_json(name, found, utcnow(), governs=governs), etag=found.revision)


@blueprint.route("/datasets/<name>/legal-bases/<uuid:legal_basis_id>", methods=["PUT", "PATCH"])
@governance_write("; If-Match is required")
def update_legal_basis(name: str, legal_basis_id: uuid.UUID) -> Response:
    """Correct a legal basis: replace its document (PUT) or merge-patch it (PATCH)."""
    merge = request.method == "PATCH"
    updated = legal_bases.update_legal_basis(
        db_session(),
        actor=current_principal(),
        name=name,
        legal_basis_id=legal_basis_id,
        document=json_body(allow_merge_patch=merge),
        if_match=if_match_revision(),
        merge=merge,
    )
    body = legal_basis_json(name, updated, utcnow(), governs=True)  # the service checked
    return _json(body, etag=updated.revision)


@blueprint.post("/datasets/<name>/legal-bases/<uuid:legal_basis_id>/end")
@governance_write("; legal bases are ended, never deleted")
def end_legal_basis(name: str, legal_basis_id: uuid.UUID) -> Response:
    """End a legal basis now, giving a reason; it stays on record."""
    body = json_body()
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, str):
        raise InvalidMetadata("a reason is required", [FieldError("/reason", "a text is required")])
    ended = legal_bases.end_legal_basis(
        db_session(),
        actor=current_principal(),
        name=name,
        legal_basis_id=legal_basis_id,
        reason=reason,
        if_match=if_match_revision(),
    )
    return _json(legal_basis_json(name, ended, utcnow(), governs=True), etag=ended.revision)


# ------------------------------------------------------------------------------- consents


@blueprint.get("/datasets/<name>/consents")
@access(note=CONSENT_READERS)
def list_consents(name: str) -> Response:
    """The dataset's consent records with their status now and their histories."""
    _, states = consents.list_consents(db_session(), actor=current_principal(), name=name)
    return _json({"dataset": name, "items": [consent_json(name, s) for s in states]})


@blueprint.post("/datasets/<name>/consents")
@governance_write()
def create_consent(name: str) -> Response:
    """Record consent given (or requested, or refused) by a category of data subjects."""
    created = consents.create_consent(
        db_session(), actor=current_principal(), name=name, document=json_body()
    )
    body = consent_json(name, created)
    response = _json(body, 201)
    response.headers["Location"] = body["links"]["self"]
    return response


@blueprint.get("/datasets/<name>/consents/<uuid:consent_id>")
@access(note=CONSENT_READERS)
def get_consent(name: str, consent_id: uuid.UUID) -> Response:
    """One consent record with its status now and its history."""
    _, current = consents.get_consent(
        db_session(), actor=current_principal(), name=name, consent_id=consent_id
    )
    return _json(consent_json(name, current))


@blueprint.get("/datasets/<name>/consents/<uuid:consent_id>/events")
@access(note=CONSENT_READERS)
def list_consent_events(name: str, consent_id: uuid.UUID) -> Response:
    """A consent record's history, oldest first."""
    _, current = consents.get_consent(
        db_session(), actor=current_principal(), name=name, consent_id=consent_id
    )
    return _json(
        {
            "consent": str(consent_id),
            "status": current.status,
            "items": [consent_event_json(e) for e in current.events],
        }
    )


@blueprint.post("/datasets/<name>/consents/<uuid:consent_id>/events")
@governance_write("; the history is only appended to")
def add_consent_event(name: str, consent_id: uuid.UUID) -> Response:
    """Append an event (withdrawn, renewed, expired, revoked...) to a consent record."""
    current = consents.add_event(
        db_session(),
        actor=current_principal(),
        name=name,
        consent_id=consent_id,
        document=json_body(),
    )
    return _json(consent_json(name, current), 201)


# --------------------------------------------------------------------------------- policy

#: An offer is read and written as JSON-LD, or as the same document labelled JSON.
POLICY_FORMATS: tuple[Format, ...] = (JSON_LD, JSON)


def _policy_response(row: DatasetPolicy, status: int = 200) -> Response:
    fmt = negotiate(POLICY_FORMATS)
    response = Response(
        json.dumps(row.document, ensure_ascii=False), status=status, mimetype=fmt.media_type
    )
    response.headers["ETag"] = etag_for(row.revision)
    response.headers["Vary"] = "Accept"
    return response


@blueprint.get("/datasets/<name>/policy")
@access(public=True, note=AS_DATASET + ": a requester must know an offer's terms")
def get_policy(name: str) -> Response:
    """The dataset's ODRL offer as JSON-LD (application/ld+json or application/json)."""
    _, row = dataset_policies.get_policy(db_session(), actor=current_principal(), name=name)
    if request.if_none_match.contains(str(row.revision)):
        response = Response(status=304)
        response.headers["ETag"] = etag_for(row.revision)
        return response
    return _policy_response(row)


def _policy_body() -> Any:
    media_types = [fmt.media_type for fmt in POLICY_FORMATS]
    if request.mimetype not in media_types:
        raise UnsupportedMediaType(
            f"send the policy as {' or '.join(media_types)} (got '{request.mimetype or 'nothing'}')"
        )
    return parsed_json(request.get_data(cache=True))


@blueprint.route("/datasets/<name>/policy", methods=["PUT", "POST"])
@governance_write("; If-Match is required to replace a policy")
def set_policy(name: str) -> Response:
    """Set the offer: ODRL JSON-LD, or ``{"template": ..., "parameters": {...}}``."""
    row, created = dataset_policies.set_policy(
        db_session(),
        actor=current_principal(),
        name=name,
        body=_policy_body(),
        if_match=if_match_revision(),
        base_uri=state().settings.catalog.base_uri,
    )
    return _policy_response(row, 201 if created and row.revision == 1 else 200)


# ------------------------------------------------------------------------ governance view


@blueprint.get("/datasets/<name>/governance")
@access(
    public=True,
    note=f"{AS_DATASET}; consent records only for {CONSENT_READERS}; what is missing and the "
    f"warnings only for {COMPLIANCE_READERS}",
)
def get_governance(name: str) -> Response:
    """Classification, retention, legal bases, consents, policy and readiness, together."""
    view = governance_view(db_session(), actor=current_principal(), name=name)
    return _json(governance_json(view, state().settings.catalog.base_uri))


# ------------------------------------------------------------------------ policy engine


@blueprint.get("/policies/templates")
@access(public=True)
def list_policy_templates() -> Response:
    """The offer templates a steward can instantiate, with their parameters."""
    return _json({"items": [template.to_dict() for template in TEMPLATES.values()]})


@blueprint.post("/policies/evaluate")
@read_only
@access(note="any authenticated caller; only offers of datasets it can see; no side effects")
def evaluate_policy() -> Response:
    """Would this request be allowed, and why? Nothing is written, not even to the audit log."""
    decision, source = policy_context.evaluate_request(
        db_session(),
        actor=current_principal(),
        body=json_body(),
        base_uri=state().settings.catalog.base_uri,
    )
    return _json({**decision.to_dict(), "source": source})
