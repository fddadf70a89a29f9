"""The API's entry point, the caller's identity, the OpenAPI document and its docs page."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Response,
    current_app,
    jsonify,
    render_template_string,
    request,
    send_from_directory,
    url_for,
)
from swagger_ui.utils import SWAGGER_UI_PY_ROOT
from werkzeug.exceptions import NotFound

from api.auth import access, current_principal
from api.context import db_session
from api.v1 import blueprint
from api.v1.openapi import build_document
from catalog.organizations import organizations_by_id

_SWAGGER_STATIC = Path(SWAGGER_UI_PY_ROOT) / "static"
_SWAGGER_FILES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"})
_DOCS_PAGE = """<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<title>SIMEL Catalog API</title>
<link rel="stylesheet" href="{{ static('swagger-ui.css') }}">
<link rel="icon" href="{{ static('favicon-32x32.png') }}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{{ static('swagger-ui-bundle.js') }}"></script>
<script>
window.ui = SwaggerUIBundle({url: {{ spec_url|tojson }}, dom_id: "#swagger-ui", deepLinking: true});
</script>
</body>
</html>"""


@blueprint.get("")
@access(public=True)
def index() -> Response:
    """Links to the API's collections and documentation."""
    return jsonify(
        {
            "title": "SIMEL Catalog API",
            "version": "1",
            "links": {
                "datasets": url_for("api_v1.list_datasets", _external=True),
                "organizations": url_for("api_v1.list_organizations", _external=True),
                "sdmx_structures": url_for("api_v1.list_sdmx_structures", _external=True),
                "openapi": url_for("api_v1.openapi_document", _external=True),
                "docs": url_for("api_v1.docs", _external=True),
            },
        }
    )


@blueprint.get("/me")
@access(scopes=(), note="any valid token")
def me() -> Response:
    """Who the token belongs to, and its roles per organization."""
    principal = current_principal()
    wanted = [*principal.roles, *([principal.organization_id] if principal.organization_id else [])]
    names = {org_id: org.name for org_id, org in organizations_by_id(db_session(), wanted).items()}
    return jsonify(
        {
            "kind": principal.kind,
            "name": principal.name,
            "scopes": sorted(principal.scopes) if principal.scopes is not None else None,
            "roles": {
                names.get(org, str(org)): sorted(role.value for role in held)
                for org, held in principal.roles.items()
            },
            "organization": (
                names.get(principal.organization_id) if principal.organization_id else None
            ),
            "is_admin": principal.is_admin,
            "is_auditor": principal.is_auditor,
        }
    )


@blueprint.get("/openapi.json")
@access(public=True)
def openapi_document() -> Response:
    """The OpenAPI 3.1 description of this API."""
    document = build_document(current_app, server_url=request.host_url.rstrip("/"))
    return jsonify(document)


@blueprint.get("/docs")
@access(public=True)
def docs() -> str:
    """A browsable page of the API (Swagger UI, served locally)."""
    return render_template_string(
        _DOCS_PAGE,
        spec_url=url_for("api_v1.openapi_document"),
        static=lambda name: url_for("api_v1.docs_asset", filename=name),
    )


@blueprint.get("/docs/assets/<path:filename>")
@access(public=True)
def docs_asset(filename: str) -> Response:
    """Swagger UI's files, from the installed swagger-ui-py package (no CDN)."""
    if filename not in _SWAGGER_FILES:
        raise NotFound()
    return send_from_directory(_SWAGGER_STATIC, filename, max_age=86400)
