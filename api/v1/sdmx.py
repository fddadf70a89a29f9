"""SDMX structures: import (administrators), browse and export (everyone); dataset links."""

from __future__ import annotations

from typing import Any, Final, cast

from flask import Response, jsonify, request

from api.auth import access, current_principal
from api.conneg import by_accept, negotiate_type
from api.context import db_session, state
from api.v1 import blueprint
from api.v1.common import (
    etag_for,
    if_match_revision,
    json_body,
    page_response,
    paging,
)
from api.v1.datasets import steward_write
from api.v1.serializers import api_url, dataset_sdmx_json, sdmx_structure_url
from catalog import datasets, sdmx
from catalog.errors import BadRequest, NotFound, UnsupportedMediaType
from catalog.formats import JSON, SDMX_ML, SDMX_STRUCTURE
from catalog.models import Role, SdmxStructure
from catalog.sdmx_ml import KINDS, Ref

ADMINS_ONLY = "administrators"
XML_TYPES = ("application/xml", "text/xml", SDMX_STRUCTURE)
_REFERENCES = ("none", "children", "descendants")


def _ref(kind: str, agency: str, structure_id: str, version: str) -> Ref:
    if kind not in KINDS:
        raise NotFound(
            f"there is no kind of SDMX structure '{kind}'; use one of {', '.join(KINDS)}"
        )
    return Ref(kind, agency, structure_id, version)


def _links(ref: Ref) -> dict[str, str]:
    url = sdmx_structure_url(ref)
    return {"self": url, "datasets": f"{url}/datasets", "sdmx_ml": f"{url}?format=sdmx-ml"}


def _summary_json(row: SdmxStructure) -> dict[str, Any]:
    body = sdmx.structure_summary(row)
    body["links"] = _links(Ref(row.kind, row.agency, row.sdmx_id, row.version))
    return body


def _report_json(report: sdmx.ImportReport) -> dict[str, Any]:
    items = []
    for item in report.items:
        entry: dict[str, Any] = {**item.ref.to_json(), "outcome": item.outcome}
        if item.detail:
            entry["detail"] = item.detail
        entry["links"] = {"self": sdmx_structure_url(item.ref)}
        items.append(entry)
    skipped = []
    for skip in report.skipped:
        entry = {"kind": skip.kind, "id": skip.id, "reason": skip.reason}
        if skip.ref is not None:
            entry.update(agency=skip.ref.agency, version=skip.ref.version, urn=skip.ref.urn)
        if skip.held is not None:
            entry["held"] = skip.held
        if skip.held == "elsewhere":
            entry.update(
                (key, value)
                for key, value in (
                    ("structure_url", skip.location.structure_url),
                    ("service_url", skip.location.service_url),
                )
                if value is not None
            )
        if skip.held == "catalog" and skip.ref is not None:
            entry["links"] = {"self": sdmx_structure_url(skip.ref)}
        skipped.append(entry)
    return {
        "message_id": report.message_id,
        "sha256": report.sha256,
        "created": report.count("created"),
        "extended": report.count("extended"),
        "replaced": report.count("replaced"),
        "unchanged": report.count("unchanged"),
        "items": items,
        "skipped": skipped,
    }


@blueprint.post("/sdmx/structures")
@access(scopes=("admin",), roles=(Role.ADMIN,), note=ADMINS_ONLY)
def import_sdmx_structures() -> Response:
    """Import an SDMX-ML 2.1 structure message: all of its structures, or none."""
    if request.mimetype not in XML_TYPES:
        raise UnsupportedMediaType(
            f"send an SDMX-ML 2.1 structure message as {' or '.join(XML_TYPES)} "
            f"(got '{request.mimetype or 'nothing'}')"
        )
    report = sdmx.import_message(
        db_session(),
        actor=current_principal(),
        data=request.get_data(cache=False),
        max_bytes=state().settings.sdmx.max_bytes,
    )
    response = jsonify(_report_json(report))
    response.status_code = 201 if report.changed else 200
    return response


@blueprint.get("/sdmx/structures")
@access(public=True)
def list_sdmx_structures() -> Response:
    """Stored SDMX structures, filtered by kind and agency."""
    page, size = paging()
    rows, total = sdmx.list_structures(
        db_session(),
        kind=request.args.get("kind") or None,
        agency=request.args.get("agency") or None,
        offset=(page - 1) * size,
        limit=size,
    )
    items = [_summary_json(row) for row in rows]
    return page_response("api_v1.list_sdmx_structures", items, total=total, page=page, size=size)


#: What GET offers: JSON (the default), or SDMX-ML by any of its media types.
OFFERED: Final = (JSON, SDMX_ML)


@blueprint.get("/sdmx/structures/<kind>/<agency>/<structure_id>/<version>")
@access(public=True)
def get_sdmx_structure(kind: str, agency: str, structure_id: str, version: str) -> Response:
    """One structure as JSON (dimensions, codes...), or exported as SDMX-ML 2.1."""
    ref = _ref(kind, agency, structure_id, version)
    session = db_session()
    fmt, media_type = negotiate_type(OFFERED)
    # Checked whatever the format, so that a typo is not silently ignored in JSON.
    references = request.args.get("references", "none")
    if references not in _REFERENCES:
        raise BadRequest(f"references must be one of {', '.join(_REFERENCES)}")
    if fmt is SDMX_ML:
        if media_type.startswith(SDMX_STRUCTURE):
            media_type = f"{SDMX_STRUCTURE}; version=2.1"
        row, xml = sdmx.export_structure(session, ref, references=cast(sdmx.References, references))
        response = Response(xml, content_type=f"{media_type}; charset=utf-8")
        filename = f"{row.agency}-{row.sdmx_id}-{row.version}.xml"
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    else:
        row = sdmx.get_structure(session, ref)
        body = sdmx.structure_view(session, row)
        body["links"] = _links(Ref(row.kind, row.agency, row.sdmx_id, row.version))
        response = jsonify(body)
    if by_accept():
        response.vary.add("Accept")
    return response


@blueprint.delete("/sdmx/structures/<kind>/<agency>/<structure_id>/<version>")
@access(scopes=("admin",), roles=(Role.ADMIN,), note=ADMINS_ONLY + "; refused while referenced")
def delete_sdmx_structure(kind: str, agency: str, structure_id: str, version: str) -> Response:
    """Delete a stored structure that no dataset depends on."""
    sdmx.delete_structure(
        db_session(),
        actor=current_principal(),
        ref=_ref(kind, agency, structure_id, version),
    )
    return Response(status=204)


@blueprint.get("/sdmx/structures/<kind>/<agency>/<structure_id>/<version>/datasets")
@access(public=True, note="drafts are listed only to their organization, auditors and admins")
def list_sdmx_structure_datasets(
    kind: str, agency: str, structure_id: str, version: str
) -> Response:
    """The datasets that depend on a structure (linked to it, or to a DSD using it)."""
    session = db_session()
    ref = _ref(kind, agency, structure_id, version)
    found = sdmx.linked_datasets(session, actor=current_principal(), ref=ref)
    views = sdmx.dataset_sdmx_views(session, [d.id for d in found])
    items = []
    for dataset in found:
        publisher = datasets.publisher_of(session, dataset)
        items.append(
            {
                "name": dataset.name,
                "title": dataset.title,
                "status": dataset.status,
                "publisher": publisher.name,
                "structure": views[dataset.id]["structure"]["urn"],
                "links": {"self": api_url(f"datasets/{dataset.name}")},
            }
        )
    row = sdmx.get_structure(session, ref)
    return jsonify({"structure": row.urn, "total": len(items), "items": items})


def _link_response(name: str) -> Response:
    session = db_session()
    dataset = datasets.get_dataset(session, actor=current_principal(), name=name)
    view = sdmx.dataset_sdmx_view(session, dataset)
    if view is None:
        raise NotFound(f"'{name}' is not linked to an SDMX structure")
    response = jsonify(dataset_sdmx_json(dataset.name, view))
    response.headers["ETag"] = etag_for(dataset.revision)
    return response


@blueprint.get("/datasets/<name>/sdmx")
@access(public=True, note="as visible as the dataset itself")
def get_dataset_sdmx(name: str) -> Response:
    """The dataflow or DSD a dataset is linked to, with the DSD's components."""
    return _link_response(name)


@blueprint.put("/datasets/<name>/sdmx")
@steward_write("; the dataset's codes must be in the DSD's codelists")
def link_dataset_sdmx(name: str) -> Response:
    """Link a dataset to a stored dataflow or DSD (by URN, or kind/agency/id/version)."""
    body = json_body()
    if not isinstance(body, dict):
        raise BadRequest("send a JSON object with urn, or kind, agency, id and version")
    values = {key: body.get(key) for key in ("urn", "kind", "agency", "id", "version")}
    wrong = [
        key for key, value in values.items() if value is not None and not isinstance(value, str)
    ]
    if wrong:
        raise BadRequest(f"{', '.join(wrong)} must be text")
    target = sdmx.ref_from(
        urn=values["urn"],
        kind=values["kind"],
        agency=values["agency"],
        structure_id=values["id"],
        version=values["version"],
    )
    sdmx.link_dataset(
        db_session(),
        actor=current_principal(),
        name=name,
        target=target,
        if_match=if_match_revision(),
    )
    return _link_response(name)


@blueprint.delete("/datasets/<name>/sdmx")
@steward_write()
def unlink_dataset_sdmx(name: str) -> Response:
    """Remove a dataset's link to its SDMX structure."""
    sdmx.unlink_dataset(
        db_session(), actor=current_principal(), name=name, if_match=if_match_revision()
    )
    return Response(status=204)
