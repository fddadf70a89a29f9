"""DCAT in the JSON API: SHACL validation of a dataset, the catalog's quality, harvesting."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from api.auth import access, current_principal
from api.context import db_session, state
from api.v1 import blueprint
from api.v1.common import json_body
from catalog import dcat, quality, shacl
from catalog.errors import BadRequest, UnsupportedMediaType
from catalog.harvest.dcat import harvest_dcat
from catalog.iris import dataset_iri
from catalog.models import Role
from catalog.rdfio import PARSE_FORMATS, to_graph


@blueprint.get("/datasets/<name>/validation")
@access(public=True, note="as visible as the dataset itself")
def validate_dataset(name: str) -> Response:
    """The dataset's DCAT-AP 3.0.1 SHACL report, in plain words."""
    settings = state().settings
    triples, _ = dcat.dataset_document_triples(
        db_session(), actor=current_principal(), name=name, settings=settings
    )
    report = shacl.validate_graph(to_graph(triples))
    iri = dataset_iri(settings.catalog.base_uri, name)
    return jsonify({"dataset": name, "iri": iri, **report.to_json()})


@blueprint.get("/quality")
@access(public=True, note="over the datasets the caller sees listed")
def catalog_quality() -> Response:
    """The catalog's metadata quality: mean score, per dimension, datasets per rating."""
    return jsonify(quality.catalog_quality_for(db_session(), actor=current_principal()))


def _publisher_map(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if isinstance(raw, dict) and all(isinstance(v, str) for v in raw.values()):
        return {str(k): v for k, v in raw.items()}
    if isinstance(raw, list):
        pairs = [item.rpartition("=") for item in raw if isinstance(item, str)]
        return {key: value for key, sep, value in pairs if sep and key and value}
    raise BadRequest("publishers maps source publisher IRIs to organization names")


@blueprint.post("/harvest/dcat")
@access(
    scopes=("admin",),
    roles=(Role.ADMIN,),
    note="the source must be on [harvest] allowed_hosts",
)
def harvest() -> Response:
    """Harvest a DCAT catalog: a source URL (JSON body), or an RDF document as the body."""
    media_type = request.mimetype
    options: dict[str, Any]
    data: bytes | None = None
    if media_type == "application/json":
        body = json_body()
        if not isinstance(body, dict) or not isinstance(body.get("source"), str):
            raise BadRequest('send {"source": "https://..."} or an RDF document')
        options = body
    elif media_type in PARSE_FORMATS:
        data = request.get_data(cache=False)
        options = {
            "strict": request.args.get("strict", "false").lower() == "true",
            "status": request.args.get("status", "published"),
            "publishers": request.args.getlist("publisher"),
            "source": request.args.get("source"),
        }
    else:
        raise UnsupportedMediaType(
            "send application/json with a source URL, or an RDF document "
            f"({', '.join(sorted(PARSE_FORMATS))})"
        )
    report = harvest_dcat(
        db_session(),
        actor=current_principal(),
        settings=state().settings,
        source=options.get("source"),
        data=data,
        media_type=media_type if data is not None else None,
        publishers=_publisher_map(options.get("publishers")),
        status=str(options.get("status", "published")),
        strict=bool(options.get("strict", False)),
    )
    return jsonify(report.to_json())
