"""Organizations."""

from __future__ import annotations

from flask import Response, jsonify, request

from api.auth import access, current_principal
from api.context import db_session
from api.v1 import blueprint
from api.v1.common import json_body
from api.v1.serializers import organization_json
from catalog import organizations
from catalog.models import Role


@blueprint.get("/organizations")
@access(public=True)
def list_organizations() -> Response:
    """Every organization, with its number of published datasets."""
    country = request.args.get("country")
    rows = organizations.list_organizations(db_session(), country=country)
    return jsonify({"total": len(rows), "items": [organization_json(o, n) for o, n in rows]})


@blueprint.get("/organizations/<name>")
@access(public=True)
def get_organization(name: str) -> Response:
    """One organization."""
    organization = organizations.get_organization(db_session(), name)
    return jsonify(organization_json(organization))


@blueprint.post("/organizations")
@access(scopes=("admin",), roles=(Role.ADMIN,))
def create_organization() -> Response:
    """Register an organization (administrators)."""
    organization = organizations.create_organization(
        db_session(), actor=current_principal(), data=json_body()
    )
    response = jsonify(organization_json(organization, 0))
    response.status_code = 201
    response.headers["Location"] = response.json["links"]["self"]  # type: ignore[index]
    return response
