"""OAuth clients: registered by administrators, readable by auditors."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from api.auth import access, current_principal
from api.context import db_session
from api.v1 import blueprint
from api.v1.common import json_body
from api.v1.serializers import client_json
from catalog import oauth
from catalog.errors import FieldError, InvalidMetadata
from catalog.models import Role

ADMINS_ONLY = "platform administrators (admin role and admin scope)"
READERS = "administrators and auditors"
_MEMBERS: dict[str, tuple[type, str]] = {
    "organization": (str, "a string"),
    "name": (str, "a string"),
    "grant_types": (list, "an array"),
    "scopes": (list, "an array"),
    "redirect_uris": (list, "an array"),
    "roles": (list, "an array"),
    "public": (bool, "a boolean"),
    "can_introspect": (bool, "a boolean"),
}
_REQUIRED = ("organization", "name", "grant_types", "scopes")


def _registration(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidMetadata("the body must be a JSON object", [FieldError("", "an object")])
    errors = [FieldError(f"/{key}", "unknown member") for key in body if key not in _MEMBERS]
    errors += [FieldError(f"/{key}", "required") for key in _REQUIRED if key not in body]
    errors += [
        FieldError(f"/{key}", f"must be {name}")
        for key, (kind, name) in _MEMBERS.items()
        if key in body and not isinstance(body[key], kind)
    ]
    if errors:
        raise InvalidMetadata("the client registration is not valid", errors)
    return dict(body)


@blueprint.post("/clients")
@access(scopes=("admin",), roles=(Role.ADMIN,), note=ADMINS_ONLY)
def create_client() -> Response:
    """Register an OAuth client; its secret is in this response only."""
    data = _registration(json_body())
    client, secret = oauth.create_client(
        db_session(),
        actor=current_principal(),
        organization=data["organization"],
        name=data["name"],
        grant_types=data["grant_types"],
        scopes=data["scopes"],
        redirect_uris=data.get("redirect_uris", []),
        roles=data.get("roles", []),
        public=data.get("public", False),
        can_introspect=data.get("can_introspect", False),
    )
    _, organization = oauth.get_client(
        db_session(), actor=current_principal(), client_id=client.client_id
    )
    body = client_json(client, organization)
    body["client_secret"] = secret
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = body["links"]["self"]
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/clients")
@access(scopes=("audit:read",), roles=(Role.AUDITOR, Role.ADMIN), note=READERS)
def list_clients() -> Response:
    """Registered clients (never their secrets), optionally of one organization."""
    rows = oauth.list_clients(
        db_session(), actor=current_principal(), organization=request.args.get("organization")
    )
    return jsonify({"total": len(rows), "items": [client_json(c, o) for c, o in rows]})


@blueprint.get("/clients/<client_id>")
@access(scopes=("audit:read",), roles=(Role.AUDITOR, Role.ADMIN), note=READERS)
def get_client(client_id: str) -> Response:
    """One client."""
    client, organization = oauth.get_client(
        db_session(), actor=current_principal(), client_id=client_id
    )
    return jsonify(client_json(client, organization))


@blueprint.delete("/clients/<client_id>")
@access(scopes=("admin",), roles=(Role.ADMIN,), note=ADMINS_ONLY)
def revoke_client(client_id: str) -> Response:
    """Revoke a client and all its tokens (kept on record, marked revoked)."""
    oauth.revoke_client(db_session(), actor=current_principal(), client_id=client_id)
    return Response(status=204)
