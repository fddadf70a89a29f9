"""Access requests, sharing agreements, the inbox, and the data gateway.

Who may call what (the services check the fine part: *which* organization):

* Requests: requesters submit and withdraw (``requests:write``); the provider's
  stewards review, approve and reject (``governance:write``); members of either
  organization, auditors and administrators read.
* Agreements: the provider's stewards draft, send for signature, suspend, resume and
  renew; a steward of any party terminates; each party's signatory signs
  (``agreements:sign``); parties, auditors and administrators read.
* The gateway is public for files that are not restricted; restricted files need
  ``data:read`` and an active agreement, checked on every request.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, jsonify, request, send_file
from werkzeug.http import parse_range_header

from api.auth import access, current_principal
from api.conneg import negotiate
from api.context import db_session, state, writes
from api.v1 import blueprint
from api.v1.common import (
    body_text,
    json_body,
    page_response,
    paging,
    query_value,
    whole_number,
)
from api.v1.serializers import access_request_json, agreement_json, outbox_json
from catalog import access_requests, agreements, gateway, notifications
from catalog.db import text_limit, utcnow
from catalog.errors import FieldError, InvalidMetadata
from catalog.formats import JSON, JSON_LD, Format
from catalog.models import AccessRequest, Role, SharingAgreement
from catalog.organizations import organizations_by_id

F = TypeVar("F", bound=Callable[..., Any])

PARTIES = "members of either organization, auditors and administrators"
AGREEMENT_READERS = "members of a party, auditors and administrators"
#: An agreement version as our JSON, or its ODRL Agreement as JSON-LD.
AGREEMENT_FORMATS: tuple[Format, ...] = (JSON, JSON_LD)


def _json(body: Any, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def _optional_body() -> dict[str, Any]:
    """A JSON object body, or an empty one when none was sent."""
    if not request.get_data(cache=True):
        return {}
    body = json_body()
    if not isinstance(body, dict):
        raise InvalidMetadata(
            "the body must be a JSON object", [FieldError("", "expected an object")]
        )
    return body


# The longest reason the decision columns hold.
_MAX_REASON = min(
    text_limit(AccessRequest.decision_reason), text_limit(SharingAgreement.status_reason)
)


def _text(body: dict[str, Any], key: str) -> str | None:
    return body_text(body, key, longest=_MAX_REASON)


# --------------------------------------------------------------------------- requests


def _request_response(view: access_requests.RequestView, status: int = 200) -> Response:
    body = access_request_json(view)
    response = _json(body, status)
    if status == 201:
        response.headers["Location"] = body["links"]["self"]
    return response


@blueprint.get("/access-requests")
@access(note=PARTIES + " (each sees the requests its organizations made or received)")
def list_access_requests() -> Response:
    """Requests the caller may read, newest first; ?status= and ?direction=incoming|outgoing."""
    page, size = paging()
    found = access_requests.list_requests(
        db_session(),
        actor=current_principal(),
        status=request.args.get("status"),
        direction=request.args.get("direction"),
        offset=(page - 1) * size,
        limit=size,
    )
    items = [access_request_json(v) for v in found.items]
    return page_response(
        "api_v1.list_access_requests", items, total=found.total, page=page, size=size
    )


@blueprint.post("/access-requests")
@access(
    scopes=("requests:write",),
    roles=(Role.REQUESTER,),
    note="the caller must be a requester of the requesting organization",
)
def submit_access_request() -> Response:
    """Ask for datasets of another organization; each offer's decision is stored."""
    settings = state().settings
    view = access_requests.submit(
        db_session(),
        actor=current_principal(),
        document=json_body(),
        base_uri=settings.catalog.base_uri,
        default_days=settings.sharing.default_validity_days,
    )
    return _request_response(view, 201)


@blueprint.get("/access-requests/<uuid:request_id>")
@access(note=PARTIES)
def get_access_request(request_id: uuid.UUID) -> Response:
    """One request, with the policy engine's decision per dataset."""
    view = access_requests.get_request(
        db_session(), actor=current_principal(), request_id=request_id
    )
    return _request_response(view)


def _steward_decision(extra: str = "") -> Callable[[F], F]:
    return access(
        scopes=("governance:write",),
        roles=(Role.STEWARD,),
        note="the caller must be a steward of the provider (the datasets' publisher), or an "
        "administrator" + extra,
    )


@blueprint.post("/access-requests/<uuid:request_id>/review")
@_steward_decision()
def review_access_request(request_id: uuid.UUID) -> Response:
    """Start reviewing a submitted request (submitted -> under_review)."""
    view = access_requests.start_review(
        db_session(), actor=current_principal(), request_id=request_id
    )
    return _request_response(view)


@blueprint.post("/access-requests/<uuid:request_id>/approve")
@_steward_decision("; every dataset's offer must permit the request now")
def approve_access_request(request_id: uuid.UUID) -> Response:
    """Approve a request under review; the draft agreement is created (see links.agreement)."""
    body = _optional_body()
    view = access_requests.approve(
        db_session(),
        actor=current_principal(),
        request_id=request_id,
        reason=_text(body, "reason"),
        base_uri=state().settings.catalog.base_uri,
    )
    return _request_response(view)


@blueprint.post("/access-requests/<uuid:request_id>/reject")
@_steward_decision("; reasons are required")
def reject_access_request(request_id: uuid.UUID) -> Response:
    """Reject a request under review, with reasons."""
    body = _optional_body()
    view = access_requests.reject(
        db_session(), actor=current_principal(), request_id=request_id, reason=_text(body, "reason")
    )
    return _request_response(view)


@blueprint.post("/access-requests/<uuid:request_id>/withdraw")
@access(
    scopes=("requests:write",),
    roles=(Role.REQUESTER,),
    note="the caller must be a requester of the requesting organization",
)
def withdraw_access_request(request_id: uuid.UUID) -> Response:
    """Withdraw a request before it is decided."""
    body = _optional_body()
    view = access_requests.withdraw(
        db_session(), actor=current_principal(), request_id=request_id, reason=_text(body, "reason")
    )
    return _request_response(view)


# ------------------------------------------------------------------------- agreements


def _agreement_response(view: agreements.AgreementView, status: int = 200) -> Response:
    body = agreement_json(view, utcnow())
    response = _json(body, status)
    response.headers["ETag"] = f'"{view.agreement.revision}"'
    if status == 201:
        response.headers["Location"] = body["links"]["self"]
    return response


def _provider_steward(extra: str = "") -> Callable[[F], F]:
    return access(
        scopes=("governance:write",),
        roles=(Role.STEWARD,),
        note="the caller must be a steward of the provider, or an administrator" + extra,
    )


@blueprint.get("/agreements")
@access(note=AGREEMENT_READERS)
def list_agreements() -> Response:
    """Agreements the caller may read; ?status= (as it is now), ?dataset=, ?organization=."""
    page, size = paging()
    found = agreements.list_agreements(
        db_session(),
        actor=current_principal(),
        status=request.args.get("status"),
        dataset=request.args.get("dataset"),
        organization=request.args.get("organization"),
        offset=(page - 1) * size,
        limit=size,
    )
    now = utcnow()
    items = [agreement_json(v, now) for v in found.items]
    return page_response("api_v1.list_agreements", items, total=found.total, page=page, size=size)


@blueprint.post("/agreements")
@_provider_steward(" (of the datasets' publisher)")
def draft_agreement() -> Response:
    """Draft an agreement directly (e.g. multilateral), without an access request."""
    view = agreements.draft_agreement(
        db_session(),
        actor=current_principal(),
        document=json_body(),
        base_uri=state().settings.catalog.base_uri,
    )
    return _agreement_response(view, 201)


@blueprint.get("/agreements/<uuid:agreement_id>")
@access(note=AGREEMENT_READERS + "; Accept: application/ld+json gives the ODRL Agreement")
def get_agreement(agreement_id: uuid.UUID) -> Response:
    """One agreement version (JSON), or its ODRL Agreement (JSON-LD) by content negotiation."""
    view = agreements.get_agreement(
        db_session(), actor=current_principal(), agreement_id=agreement_id
    )
    if negotiate(AGREEMENT_FORMATS) is JSON_LD:
        return _odrl_response(view)
    response = _agreement_response(view)
    response.headers["Vary"] = "Accept"
    return response


def _odrl_response(view: agreements.AgreementView) -> Response:
    response = Response(
        json.dumps(view.agreement.policy, ensure_ascii=False), mimetype=JSON_LD.media_type
    )
    response.headers["ETag"] = f'"{agreements.policy_hash(view.agreement.policy)}"'
    response.headers["Vary"] = "Accept"
    return response


@blueprint.get("/agreements/<uuid:agreement_id>/odrl")
@access(note=AGREEMENT_READERS)
def get_agreement_odrl(agreement_id: uuid.UUID) -> Response:
    """The ODRL 2.2 Agreement the parties sign, as compact JSON-LD."""
    view = agreements.get_agreement(
        db_session(), actor=current_principal(), agreement_id=agreement_id
    )
    return _odrl_response(view)


@blueprint.get("/agreements/<uuid:agreement_id>/versions")
@access(note=AGREEMENT_READERS)
def list_agreement_versions(agreement_id: uuid.UUID) -> Response:
    """Every version of the agreement (renewals), oldest first."""
    versions = agreements.history(
        db_session(), actor=current_principal(), agreement_id=agreement_id
    )
    now = utcnow()
    return _json({"items": [agreement_json(v, now) for v in versions], "total": len(versions)})


@blueprint.post("/agreements/<uuid:agreement_id>/send-for-signature")
@_provider_steward()
def send_agreement_for_signature(agreement_id: uuid.UUID) -> Response:
    """Send a draft to every party's signatories (draft -> pending_signatures)."""
    view = agreements.send_for_signature(
        db_session(), actor=current_principal(), agreement_id=agreement_id
    )
    return _agreement_response(view)


@blueprint.post("/agreements/<uuid:agreement_id>/sign")
@access(
    scopes=("agreements:sign",),
    roles=(Role.SIGNATORY,),
    note="the caller must be a signatory of a party that has not signed yet",
)
def sign_agreement(agreement_id: uuid.UUID) -> Response:
    """Sign for one's organization; the last signature makes the agreement active."""
    body = _optional_body()
    view = agreements.sign(
        db_session(),
        actor=current_principal(),
        agreement_id=agreement_id,
        organization=_text(body, "organization"),
    )
    return _agreement_response(view)


@blueprint.post("/agreements/<uuid:agreement_id>/suspend")
@_provider_steward("; a reason is required; data requests are denied from then on")
def suspend_agreement(agreement_id: uuid.UUID) -> Response:
    """Suspend an active agreement."""
    view = agreements.suspend(
        db_session(),
        actor=current_principal(),
        agreement_id=agreement_id,
        reason=_text(_optional_body(), "reason"),
    )
    return _agreement_response(view)


@blueprint.post("/agreements/<uuid:agreement_id>/resume")
@_provider_steward("; a reason is required")
def resume_agreement(agreement_id: uuid.UUID) -> Response:
    """Resume a suspended agreement (within its validity)."""
    view = agreements.resume(
        db_session(),
        actor=current_principal(),
        agreement_id=agreement_id,
        reason=_text(_optional_body(), "reason"),
    )
    return _agreement_response(view)


@blueprint.post("/agreements/<uuid:agreement_id>/terminate")
@access(
    scopes=("governance:write",),
    roles=(Role.STEWARD,),
    note="the caller must be a steward of a party, or an administrator; a reason is required",
)
def terminate_agreement(agreement_id: uuid.UUID) -> Response:
    """End an agreement for good."""
    view = agreements.terminate(
        db_session(),
        actor=current_principal(),
        agreement_id=agreement_id,
        reason=_text(_optional_body(), "reason"),
    )
    return _agreement_response(view)


@blueprint.post("/agreements/<uuid:agreement_id>/renew")
@_provider_steward("; the new version is a draft, signed again by every party")
def renew_agreement(agreement_id: uuid.UUID) -> Response:
    """Renew: a new version with a new period, from the offers as they are now."""
    body = _optional_body()
    view = agreements.renew(
        db_session(),
        actor=current_principal(),
        agreement_id=agreement_id,
        valid_until=_text(body, "valid_until"),
        valid_from=_text(body, "valid_from"),
        base_uri=state().settings.catalog.base_uri,
        min_cell_size=body.get("min_cell_size"),
    )
    return _agreement_response(view, 201)


# ------------------------------------------------------------------------------ inbox


@blueprint.get("/inbox")
@access(note="each caller sees what waits for its own organizations and roles")
def get_inbox() -> Response:
    """Requests and agreements waiting for the caller, and recent notifications."""
    session = db_session()
    box = notifications.inbox(
        session,
        actor=current_principal(),
        now=utcnow(),
        recent_days=state().settings.sharing.inbox_recent_days,
    )
    found = organizations_by_id(session, [m.organization_id for m in box.recent])
    names = {i: o.name for i, o in found.items()}
    return _json(
        {
            "waiting": [
                {
                    "kind": item.kind,
                    "id": item.object_id,
                    "action": item.action,
                    "organization": item.organization,
                    "since": item.since.isoformat(),
                    "summary": item.summary,
                    "link": f"{request.url_root}api/v1/"
                    + ("access-requests/" if item.kind == "access_request" else "agreements/")
                    + item.object_id,
                }
                for item in box.waiting
            ],
            "recent": [outbox_json(m, names) for m in box.recent],
        }
    )


# ---------------------------------------------------------------------------- gateway


@blueprint.get("/datasets/<name>/distributions/<uuid:distribution_id>/data")
@writes
@access(
    public=True,
    note="files that are not restricted: anyone who may see the dataset; restricted files: "
    "a token with data:read of a requester whose organization is party to an active "
    "agreement that permits the read for the declared purpose and country, with consent "
    "still given where the dataset is held on consent; every decision is audited",
)
def get_distribution_data(name: str, distribution_id: uuid.UUID) -> Response:
    """Stream the distribution's file (with Range support), if allowed now."""
    settings = state().settings
    grant = gateway.authorize_download(
        db_session(),
        actor=current_principal(),
        name=name,
        distribution_id=distribution_id,
        purpose=query_value("purpose"),
        recipient_country=query_value("recipient_country"),
        storage_root=settings.storage_path,
        base_uri=settings.catalog.base_uri,
        byte_range=request.headers.get("Range"),
        min_cell_size=whole_number("min_cell_size", None, maximum=gateway.MAX_CELL_SIZE),
        head=request.method == "HEAD",
        if_none_match=request.headers.get("If-None-Match"),
    )
    distribution = grant.distribution
    tag = gateway.entity_tag(distribution)
    if grant.not_modified:
        # Decided here, not by send_file: what the gateway recorded as no use (odrl:count)
        # must be exactly what sends no bytes.
        response = Response(status=304)
        response.set_etag(tag or "")
    else:
        _read_range_as_rfc_9110_says(grant.path.stat().st_size)
        response = send_file(
            grant.path,
            mimetype=distribution.media_type or "application/octet-stream",
            as_attachment=True,
            download_name=f"{grant.dataset.name}-{grant.path.name}",
            conditional=True,
            etag=tag or True,
            max_age=0,
        )
    if grant.agreement is not None:
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Simel-Agreement"] = str(grant.agreement.id)
    return response


def _read_range_as_rfc_9110_says(length: int) -> None:
    """Adjust the request's ``Range`` where werkzeug answers 416 and RFC 9110 does not.

    A range unit the server does not know must be ignored (the whole file, 200), and a
    suffix longer than the file stands for all of it (RFC 9110, 14.2 and 14.1.2).
    Several ranges are ignored too, as a server may do: the catalog does not write
    ``multipart/byteranges``, and the whole file is what the client can always use.
    Other unsatisfiable or malformed ranges keep their 416.
    """
    header = request.environ.get("HTTP_RANGE")
    parsed = parse_range_header(header)
    if parsed is None:
        return
    if parsed.units != "bytes" or len(parsed.ranges) > 1:
        del request.environ["HTTP_RANGE"]
    elif len(parsed.ranges) == 1:
        start, stop = parsed.ranges[0]
        if start < 0 and stop is None and -start > length:
            request.environ["HTTP_RANGE"] = "bytes=0-"
