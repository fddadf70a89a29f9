"""JSON representations of catalog objects, shared by the JSON API and other views."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flask import request, url_for

from catalog.models import (
    AuditEvent,
    Dataset,
    DatasetRevision,
    DatasetStatus,
    Distribution,
    OAuthClient,
    Organization,
)
from catalog.principals import Principal
from catalog.sdmx_ml import Ref


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


def api_url(path: str) -> str:
    """An absolute URL under ``/api/v1`` for a path made of safe segments (slugs, UUIDs).

    Building these by hand rather than with ``url_for`` matters in listings, which link
    every item several times.
    """
    return f"{request.url_root}api/v1/{path}"


def dataset_iri(base_uri: str, name: str) -> str:
    """The IRI minted for a dataset."""
    return f"{base_uri}dataset/{name}"


def sdmx_structure_url(ref: Ref) -> str:
    """The API URL of a stored SDMX structure."""
    parts = (ref.kind, ref.agency, ref.id, ref.version)
    return api_url("sdmx/structures/" + "/".join(quote(part, safe="") for part in parts))


def dataset_sdmx_json(name: str, view: Mapping[str, Any]) -> dict[str, Any]:
    """The ``sdmx`` member of a linked dataset, with links to its structures."""
    body = dict(view)
    body["links"] = {
        "self": api_url(f"datasets/{name}/sdmx"),
        "structure": sdmx_structure_url(Ref.from_json(view["structure"])),
        "dsd": sdmx_structure_url(Ref.from_json(view["dsd"])),
    }
    return body


def distribution_json(
    dataset: Dataset, distribution: Distribution, principal: Principal
) -> dict[str, Any]:
    """A distribution; files the catalog holds are reached through its data endpoint."""
    body = dict(distribution.document)
    if distribution.storage_key:
        data_url = api_url(f"datasets/{dataset.name}/distributions/{distribution.id}/data")
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
    sdmx: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A dataset: its document plus what the server knows about it.

    ``sdmx`` is the dataset's link to an SDMX structure (``catalog.sdmx.dataset_sdmx_view``).
    """
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
                "self": api_url(f"datasets/{dataset.name}"),
                "revisions": api_url(f"datasets/{dataset.name}/revisions"),
            },
        }
    )
    if sdmx is not None:
        body["sdmx"] = dataset_sdmx_json(dataset.name, sdmx)
        body["links"]["sdmx"] = body["sdmx"]["links"]["self"]
    if dataset.status == DatasetStatus.WITHDRAWN:
        body["withdrawn"] = {"at": iso(dataset.withdrawn_at), "reason": dataset.withdrawal_reason}
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


def client_json(client: OAuthClient, organization: Organization) -> dict[str, Any]:
    """An OAuth client as administrators and auditors see it (never a secret)."""
    return {
        "client_id": client.client_id,
        "name": client.name,
        "organization": organization.name,
        "grant_types": client.grant_types,
        "scopes": client.scopes,
        "roles": client.roles,
        "redirect_uris": client.redirect_uris,
        "public": client.is_public,
        "token_endpoint_auth_method": client.token_endpoint_auth_method,
        "can_introspect": client.can_introspect,
        "created": iso(client.created),
        "created_by": client.created_by,
        "revoked_at": iso(client.revoked_at),
        "links": {"self": url_for("api_v1.get_client", client_id=client.client_id, _external=True)},
    }
