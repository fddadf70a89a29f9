"""JSON representations of catalog objects, shared by the JSON API and other views."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import url_for

from catalog import quality
from catalog.models import (
    AuditEvent,
    Dataset,
    DatasetRevision,
    DatasetStatus,
    Distribution,
    HarvestRecord,
    Organization,
)
from catalog.principals import Principal


def iso(value: Any) -> str | None:
    """ISO 8601 text of a datetime, or ``None``."""
    return value.isoformat() if value is not None else None


def organization_json(
    organization: Organization, dataset_count: int | None = None
) -> dict[str, Any]:
    """An organization."""
    body: dict[str, Any] = {
        "name": organization.name,
        "acronym": organization.acronym,
        "title": organization.title,
        "country": organization.country,
        "kind": organization.kind,
        "homepage": organization.homepage,
        "email": organization.email,
        "created": iso(organization.created),
        "links": {
            "self": url_for("api_v1.get_organization", name=organization.name, _external=True)
        },
    }
    if dataset_count is not None:
        body["dataset_count"] = dataset_count
    return body


def dataset_iri(base_uri: str, name: str) -> str:
    """The IRI minted for a dataset."""
    return f"{base_uri}dataset/{name}"


def distribution_json(
    dataset: Dataset, distribution: Distribution, principal: Principal
) -> dict[str, Any]:
    """A distribution; files the catalog holds are reached through its data endpoint."""
    body = dict(distribution.document)
    if distribution.storage_key:
        data_url = (
            url_for(
                "api_v1.get_distribution",
                name=dataset.name,
                distribution_id=distribution.id,
                _external=True,
            )
            + "/data"
        )
        body["access_url"] = data_url
        body["data_url"] = data_url
        if not distribution.restricted:
            body["download_url"] = data_url
        if not principal.can_steward(dataset.publisher_id):
            # Where a file sits inside the catalog's storage is nobody else's business.
            body.pop("storage_key", None)
    body["id"] = str(distribution.id)
    body["created"] = iso(distribution.created)
    body["modified"] = iso(distribution.modified)
    return body


def dataset_json(
    dataset: Dataset,
    publisher: Organization,
    distributions: list[Distribution],
    principal: Principal,
    *,
    base_uri: str,
    harvest: HarvestRecord | None = None,
) -> dict[str, Any]:
    """A dataset: its document plus what the server knows about it."""
    body: dict[str, Any] = dict(dataset.document)
    body.update(
        {
            "id": str(dataset.id),
            "iri": dataset_iri(base_uri, dataset.name),
            "status": dataset.status,
            "revision": dataset.revision,
            "profile": dataset.profile,
            "created": iso(dataset.created),
            "modified": iso(dataset.modified),
            "issued": iso(dataset.issued),
            "organization": {
                "name": publisher.name,
                "acronym": publisher.acronym,
                "title": publisher.title,
                "country": publisher.country,
            },
            "distributions": [distribution_json(dataset, d, principal) for d in distributions],
            "links": {
                "self": url_for("api_v1.get_dataset", name=dataset.name, _external=True),
                "revisions": url_for(
                    "api_v1.list_dataset_revisions", name=dataset.name, _external=True
                ),
            },
        }
    )
    body["quality"] = quality.assess(
        dataset.document,
        [distribution.document for distribution in distributions],
        issued=dataset.issued is not None,
    ).to_json()
    if dataset.status == DatasetStatus.WITHDRAWN:
        body["withdrawn"] = {"at": iso(dataset.withdrawn_at), "reason": dataset.withdrawal_reason}
    if harvest is not None:
        body["harvest"] = {
            "source": harvest.source,
            "source_catalog": harvest.source_catalog,
            "original_iri": harvest.original_iri,
            "harvested_at": iso(harvest.harvested_at),
        }
    return body


def revision_json(revision: DatasetRevision, *, with_document: bool = False) -> dict[str, Any]:
    """One entry of a dataset's history."""
    body: dict[str, Any] = {
        "revision": revision.revision,
        "action": revision.action,
        "actor": revision.actor,
        "time": iso(revision.time),
        "status": revision.status,
        "changes": revision.changes,
    }
    if with_document:
        body["document"] = revision.document
    return body


def audit_event_json(
    event: AuditEvent, organizations: Mapping[int, Organization]
) -> dict[str, Any]:
    """One audit event, with its place in the hash chain."""
    organization = organizations.get(event.organization_id) if event.organization_id else None
    return {
        "seq": event.seq,
        "occurred_at": iso(event.occurred_at),
        "actor": {"type": event.actor_type, "id": event.actor_id, "name": event.actor_name},
        "organization": organization.name if organization else None,
        "action": event.action,
        "object": {"type": event.object_type, "id": event.object_id},
        "details": event.details,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }
