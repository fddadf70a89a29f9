"""Datasets, their revisions and distributions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import IO, Any, TypeVar, cast

from flask import Response, jsonify, request, url_for

from api.auth import access, current_principal
from api.context import db_session, raw_body, state
from api.v1 import blueprint
from api.v1.common import (
    body_text,
    etag_for,
    if_match_revision,
    json_body,
    page_response,
    paging,
    query_list,
    whole_number,
)
from api.v1.serializers import dataset_json, distribution_json, revision_json
from catalog import datasets, distributions, governance, quality, sdmx
from catalog.db import text_limit
from catalog.errors import BadRequest, FieldError, InvalidMetadata
from catalog.harvest import harvest_records
from catalog.models import Dataset, DatasetStatus, Organization, Role
from catalog.search import FACET_FIELDS, SortKey
from catalog.vocabularies import FILTER_SCHEMES
from vocab import get_registry

STEWARD_NOTE = "the caller must be a steward of the publisher, or an administrator"


def steward_write(extra: str = "") -> Callable[[F], F]:
    """Access rule of metadata writes: catalog:write and the steward role."""
    return access(scopes=("catalog:write",), roles=(Role.STEWARD,), note=STEWARD_NOTE + extra)


_SORTS = ("relevance", "modified", "title", "name", "quality")
_STATUSES = {status.value: status for status in DatasetStatus}
F = TypeVar("F", bound=Callable[..., Any])


def _dataset_response(dataset: Dataset, status: int = 200) -> Response:
    session = db_session()
    publisher = datasets.publisher_of(session, dataset)
    body = dataset_json(
        dataset,
        publisher,
        datasets.list_distributions(session, dataset),
        current_principal(),
        base_uri=state().settings.catalog.base_uri,
        sdmx=sdmx.dataset_sdmx_view(session, dataset),
        governance=governance.summaries(session, [dataset])[dataset.id],
        harvest=harvest_records(session, [dataset.id]).get(dataset.id),
    )
    response = jsonify(body)
    response.status_code = status
    response.headers["ETag"] = etag_for(dataset.revision)
    if status == 201:
        response.headers["Location"] = body["links"]["self"]
    return response


MAX_WITHDRAWAL_REASON = text_limit(Dataset.withdrawal_reason)


@blueprint.get("/datasets")
@access(public=True, note="drafts are listed only to their organization, auditors and admins")
def list_datasets() -> Response:
    """Search and browse datasets, with facets."""
    page, size = paging()
    sort, min_quality = sort_and_quality()
    filters = {name: query_list(name) for name in FACET_FIELDS}
    session = db_session()
    principal = current_principal()
    result = datasets.search_datasets(
        session,
        actor=principal,
        text=request.args.get("q"),
        filters=filters,
        sort=sort,
        offset=(page - 1) * size,
        limit=size,
        min_quality=min_quality,
        details=True,
    )
    publishers = result.publishers
    by_name = {org.name: org for org in publishers.values()}
    ids = [d.id for d in result.datasets]
    linked = [i for i in ids if result.attached_to(i).sdmx_link]
    links_to_sdmx = sdmx.dataset_sdmx_views(session, linked)
    summaries = governance.summaries(
        session, result.datasets, attached=result.attached_to, legal_bases=result.legal_bases
    )
    harvested = harvest_records(session, [i for i in ids if result.attached_to(i).harvest_record])
    base_uri = state().settings.catalog.base_uri
    items = [
        dataset_json(
            d,
            publishers[d.publisher_id],
            result.distributions[d.id],
            principal,
            base_uri=base_uri,
            sdmx=links_to_sdmx.get(d.id),
            governance=summaries[d.id],
            harvest=harvested.get(d.id),
        )
        for d in result.datasets
    ]
    facets = {
        name: [
            {"value": value, "count": count, **_facet_label(name, value, by_name)}
            for value, count in counts.items()
        ]
        for name, counts in result.facets.items()
    }
    return page_response(
        "api_v1.list_datasets",
        items,
        total=result.total,
        page=page,
        size=size,
        members={"facets": facets},
    )


def sort_and_quality() -> tuple[SortKey | None, int | None]:
    """The ``sort`` and ``min_quality`` query parameters, checked.

    Raises:
        BadRequest: an unknown sort key, or a ``min_quality`` that is not a whole number
            between 0 and the maximum score.
    """
    sort = request.args.get("sort")
    if sort is not None and sort not in _SORTS:
        raise BadRequest(f"sort must be one of {', '.join(_SORTS)}")
    min_quality = whole_number("min_quality", None, minimum=0, maximum=quality.MAX_SCORE)
    return cast(SortKey | None, sort), min_quality


def _facet_label(name: str, value: str, organizations: dict[str, Organization]) -> dict[str, Any]:
    if name == "publisher" and value in organizations:
        return {"label": organizations[value].title}
    if name == "status" and value in _STATUSES:
        return {"label": _STATUSES[value].label}
    registry = get_registry()
    for scheme in FILTER_SCHEMES.get(name, ()):
        concept = registry.scheme(scheme).by_code(value)
        if concept is not None:
            return {"label": {lang: concept.label(lang) for lang in ("es", "en")}}
    return {}


@blueprint.post("/datasets")
@steward_write()
def create_dataset() -> Response:
    """Register a dataset (a draft unless ``?status=published``)."""
    status = request.args.get("status", "draft")
    if status not in {"draft", "published"}:
        raise BadRequest("status must be draft or published")
    dataset = datasets.create_dataset(
        db_session(),
        actor=current_principal(),
        document=json_body(),
        publish=status == "published",
    )
    return _dataset_response(dataset, 201)


@blueprint.get("/datasets/<name>")
@access(public=True, note="drafts are visible only to their organization, auditors and admins")
def get_dataset(name: str) -> Response:
    """One dataset, with its ETag."""
    dataset = datasets.get_dataset(db_session(), actor=current_principal(), name=name)
    if request.if_none_match.contains(str(dataset.revision)):
        response = Response(status=304)
        response.headers["ETag"] = etag_for(dataset.revision)
        return response
    return _dataset_response(dataset)


@blueprint.put("/datasets/<name>")
@steward_write("; If-Match is required")
def replace_dataset(name: str) -> Response:
    """Replace a dataset's document (If-Match required)."""
    dataset = datasets.update_dataset(
        db_session(),
        actor=current_principal(),
        name=name,
        document=json_body(),
        if_match=if_match_revision(),
    )
    return _dataset_response(dataset)


@blueprint.patch("/datasets/<name>")
@steward_write("; If-Match is required")
def patch_dataset(name: str) -> Response:
    """Change part of a dataset's document with a JSON merge patch (If-Match required)."""
    dataset = datasets.update_dataset(
        db_session(),
        actor=current_principal(),
        name=name,
        document=json_body(allow_merge_patch=True),
        if_match=if_match_revision(),
        merge=True,
    )
    return _dataset_response(dataset)


@blueprint.delete("/datasets/<name>")
@steward_write("; only never-published drafts can be deleted")
def delete_dataset(name: str) -> Response:
    """Delete a draft that was never published."""
    datasets.delete_draft(
        db_session(), actor=current_principal(), name=name, if_match=if_match_revision()
    )
    return Response(status=204)


@blueprint.post("/datasets/<name>/publish")
@steward_write()
def publish_dataset(name: str) -> Response:
    """Publish a draft, or reinstate a withdrawn dataset."""
    dataset = datasets.publish_dataset(
        db_session(), actor=current_principal(), name=name, if_match=if_match_revision()
    )
    return _dataset_response(dataset)


@blueprint.post("/datasets/<name>/withdraw")
@steward_write()
def withdraw_dataset(name: str) -> Response:
    """Withdraw a published dataset, giving a reason; it is kept on record."""
    body = json_body()
    reason = body_text(body, "reason", longest=MAX_WITHDRAWAL_REASON)
    if reason is None:
        raise InvalidMetadata("a reason is required", [FieldError("/reason", "a text is required")])
    dataset = datasets.withdraw_dataset(
        db_session(),
        actor=current_principal(),
        name=name,
        reason=reason,
        if_match=if_match_revision(),
    )
    return _dataset_response(dataset)


@blueprint.get("/datasets/<name>/revisions")
@access(public=True, note="as visible as the dataset itself")
def list_dataset_revisions(name: str) -> Response:
    """The dataset's history: who changed what, when (newest first, paged)."""
    page, size = paging()
    revisions = datasets.list_revisions(
        db_session(),
        actor=current_principal(),
        name=name,
        offset=(page - 1) * size,
        limit=size,
    )
    items = [
        {
            **revision_json(r),
            "links": {
                "self": url_for(
                    "api_v1.get_dataset_revision", name=name, revision=r.revision, _external=True
                )
            },
        }
        for r in revisions.items
    ]
    return page_response(
        "api_v1.list_dataset_revisions",
        items,
        total=revisions.total,
        page=page,
        size=size,
        members={"dataset": name},
        name=name,
    )


# Revisions are 32-bit integers in the database: a number beyond them names no
# revision (404), rather than reaching the driver, which cannot bind it.
@blueprint.get("/datasets/<name>/revisions/<int(min=1, max=2147483647):revision>")
@access(public=True, note="as visible as the dataset itself")
def get_dataset_revision(name: str, revision: int) -> Response:
    """One revision, with the document as it was after the change."""
    row = datasets.get_revision(
        db_session(), actor=current_principal(), name=name, revision=revision
    )
    return jsonify(revision_json(row, with_document=True))


@blueprint.get("/datasets/<name>/distributions")
@access(public=True, note="as visible as the dataset itself")
def list_distributions(name: str) -> Response:
    """The dataset's distributions."""
    session = db_session()
    principal = current_principal()
    dataset = datasets.get_dataset(session, actor=principal, name=name)
    return jsonify(
        {
            "dataset": name,
            "items": [
                distribution_json(dataset, d, principal)
                for d in datasets.list_distributions(session, dataset)
            ],
        }
    )


def _distribution_response(name: str, distribution_id: uuid.UUID, status: int = 200) -> Response:
    session = db_session()
    principal = current_principal()
    dataset, distribution = distributions.get_distribution(
        session, actor=principal, name=name, distribution_id=distribution_id
    )
    response = jsonify(distribution_json(dataset, distribution, principal))
    response.status_code = status
    response.headers["ETag"] = etag_for(dataset.revision)
    if status == 201:
        response.headers["Location"] = url_for(
            "api_v1.get_distribution", name=name, distribution_id=distribution_id, _external=True
        )
    return response


@blueprint.post("/datasets/<name>/distributions")
@steward_write()
def create_distribution(name: str) -> Response:
    """Add a distribution."""
    distribution = distributions.add_distribution(
        db_session(),
        actor=current_principal(),
        name=name,
        document=json_body(),
        storage_root=state().settings.storage_path,
        if_match=if_match_revision(),
    )
    return _distribution_response(name, distribution.id, 201)


@blueprint.get("/datasets/<name>/distributions/<uuid:distribution_id>")
@access(public=True, note="as visible as the dataset itself")
def get_distribution(name: str, distribution_id: uuid.UUID) -> Response:
    """One distribution."""
    return _distribution_response(name, distribution_id)


@blueprint.route("/datasets/<name>/distributions/<uuid:distribution_id>", methods=["PUT", "PATCH"])
@steward_write()
def update_distribution(name: str, distribution_id: uuid.UUID) -> Response:
    """Replace a distribution (PUT) or merge-patch it (PATCH)."""
    merge = request.method == "PATCH"
    distributions.update_distribution(
        db_session(),
        actor=current_principal(),
        name=name,
        distribution_id=distribution_id,
        document=json_body(allow_merge_patch=merge),
        storage_root=state().settings.storage_path,
        if_match=if_match_revision(),
        merge=merge,
    )
    return _distribution_response(name, distribution_id)


@blueprint.delete("/datasets/<name>/distributions/<uuid:distribution_id>")
@steward_write()
def delete_distribution(name: str, distribution_id: uuid.UUID) -> Response:
    """Remove a distribution."""
    distributions.delete_distribution(
        db_session(),
        actor=current_principal(),
        name=name,
        distribution_id=distribution_id,
        if_match=if_match_revision(),
    )
    return Response(status=204)


@blueprint.put("/datasets/<name>/distributions/<uuid:distribution_id>/data")
@raw_body
@steward_write("; the body is the file, its Content-Type the distribution's media type")
def upload_distribution_data(name: str, distribution_id: uuid.UUID) -> Response:
    """Upload the distribution's file (replacing any), recording its size and checksum."""
    settings = state().settings
    limit = settings.storage.max_upload_bytes

    def open_body() -> IO[bytes]:
        # Werkzeug would hold the body to the JSON API's request limit; the service reads
        # up to one byte past the upload limit, and tells a longer body itself (413).
        request.max_content_length = limit + 1
        return request.stream

    distributions.upload_file(
        db_session(),
        actor=current_principal(),
        name=name,
        distribution_id=distribution_id,
        open_body=open_body,
        media_type=request.mimetype or None,
        length=request.content_length,
        max_bytes=limit,
        storage_root=settings.storage_path,
        if_match=if_match_revision(),
        quota_bytes=settings.storage.organization_quota_bytes,
    )
    return _distribution_response(name, distribution_id)
