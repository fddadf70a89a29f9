"""JSON representations of catalog objects, shared by the JSON API and other views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flask import request, url_for

from catalog import quality
from catalog.access_requests import RequestView
from catalog.agreements import AgreementView, effective_status, policy_hash
from catalog.consents import ConsentState
from catalog.governance import GovernanceView
from catalog.iris import dataset_iri
from catalog.models import (
    AuditEvent,
    ConsentEvent,
    Dataset,
    DatasetPolicy,
    DatasetRevision,
    DatasetStatus,
    Distribution,
    HarvestRecord,
    LegalBasis,
    OAuthClient,
    Organization,
    OutboxMessage,
)
from catalog.principals import Principal
from catalog.readiness import Check, Readiness, legal_basis_valid
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
    """A distribution; files the catalog holds are reached through its data endpoint.

    So are restricted ones, which have no download URL, even while they await their
    file (the endpoint then answers 404). A withdrawn dataset's files are no longer
    served, so no link leads to them.
    """
    body = dict(distribution.document)
    if distribution.served_by_catalog:
        if distribution.restricted:
            body.pop("download_url", None)
        if dataset.status != DatasetStatus.WITHDRAWN:
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
    governance: Readiness | None = None,
    harvest: HarvestRecord | None = None,
) -> dict[str, Any]:
    """A dataset: its document plus what the server knows about it.

    ``sdmx`` is the dataset's link to an SDMX structure (``catalog.sdmx.dataset_sdmx_view``);
    ``governance`` (from :func:`catalog.governance.summaries`) adds the ``governance``
    summary: whether a legal basis is valid now, whether there is an offer policy, and
    whether the dataset may be published and shared.
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
                "governance": api_url(f"datasets/{dataset.name}/governance"),
            },
        }
    )
    if sdmx is not None:
        body["sdmx"] = dataset_sdmx_json(dataset.name, sdmx)
        body["links"]["sdmx"] = body["sdmx"]["links"]["self"]
    if governance is not None:
        body["governance"] = governance.summary()
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


# ----------------------------------------------------------------------------- governance


def legal_basis_json(
    name: str, legal_basis: LegalBasis, at: dt.datetime, *, governs: bool
) -> dict[str, Any]:
    """A legal basis of the dataset ``name``: its document, its validity at ``at``, its record.

    Links lead where the caller may go: the ``end`` action only for a caller who
    ``governs`` the dataset (:func:`catalog.stewardship.can_govern`), while the basis
    has not been ended.
    """
    body: dict[str, Any] = dict(legal_basis.document)
    base = f"datasets/{name}/legal-bases/{legal_basis.id}"
    links = {"self": api_url(base), "dataset": api_url(f"datasets/{name}")}
    if governs and legal_basis.ended_at is None:
        links["end"] = api_url(f"{base}/end")
    body.update(
        {
            "id": str(legal_basis.id),
            "dataset": name,
            "revision": legal_basis.revision,
            "valid": legal_basis_valid(legal_basis, at),
            "ended": (
                {"at": iso(legal_basis.ended_at), "reason": legal_basis.end_reason}
                if legal_basis.ended_at is not None
                else None
            ),
            "created": iso(legal_basis.created),
            "modified": iso(legal_basis.modified),
            "created_by": legal_basis.created_by,
            "links": links,
        }
    )
    return body


def consent_event_json(event: ConsentEvent) -> dict[str, Any]:
    """One event of a consent record's history."""
    return {
        "seq": event.seq,
        "event": event.event,
        "status": event.status,
        "at": iso(event.occurred_at),
        "recorded_at": iso(event.recorded_at),
        "actor": event.actor,
        "reason": event.reason,
        "expires_at": iso(event.expires_at),
        "details": event.details,
    }


def consent_json(name: str, state: ConsentState) -> dict[str, Any]:
    """A consent record of the dataset ``name``, with its status now and its whole history."""
    record = state.record
    body: dict[str, Any] = dict(record.document)
    body.pop("status", None)  # the initial status is the first event's
    base = f"datasets/{name}/consents/{record.id}"
    body.update(
        {
            "id": str(record.id),
            "dataset": name,
            "status": state.status,
            "valid": state.valid,
            "recorded_status": record.status,
            "expiry_recorded": not state.expiry_unrecorded,
            "status_at": iso(record.status_at),
            "given_at": iso(record.given_at) if record.given_at else body.get("given_at"),
            "expires_at": iso(state.expires_at),
            "withdrawn_at": iso(record.withdrawn_at),
            "events": [consent_event_json(e) for e in state.events],
            "created": iso(record.created),
            "created_by": record.created_by,
            "links": {
                "self": api_url(base),
                "events": api_url(f"{base}/events"),
                "dataset": api_url(f"datasets/{name}"),
            },
        }
    )
    return body


def policy_record_json(name: str, policy: DatasetPolicy) -> dict[str, Any]:
    """A dataset's policy with its record (revision, template, author), for the governance view."""
    return {
        "revision": policy.revision,
        "uid": policy.uid,
        "type": policy.policy_type,
        "template": policy.template,
        "parameters": policy.parameters,
        "created": iso(policy.created),
        "created_by": policy.created_by,
        "document": policy.document,
        "links": {"self": api_url(f"datasets/{name}/policy")},
    }


def _check_json(check: Check, compliance: bool) -> dict[str, Any]:
    if compliance:
        return check.to_dict()
    return {"ready": check.ready, "missing": None, "warnings": None}


def readiness_json(readiness: Readiness, *, compliance: bool) -> dict[str, Any]:
    """Readiness of a dataset for publishing and for sharing.

    What is missing and the warnings (compliance gaps) only if ``compliance``: for
    other callers they are ``null``, and whether each check passes is all they get.
    """
    return {
        "legal_basis": readiness.legal_basis,
        "policy": readiness.policy,
        "publish": _check_json(readiness.publish, compliance),
        "share": _check_json(readiness.share, compliance),
    }


def governance_json(view: GovernanceView, base_uri: str) -> dict[str, Any]:
    """The governance view of a dataset.

    It links to the consent records only for their readers, and to the offer policy only
    when there is one (its address answers 404 until a steward sets it).
    """
    dataset = view.dataset
    name = dataset.name
    links = {
        "self": api_url(f"datasets/{name}/governance"),
        "dataset": api_url(f"datasets/{name}"),
        "legal_bases": api_url(f"datasets/{name}/legal-bases"),
    }
    if view.policy is not None:
        links["policy"] = api_url(f"datasets/{name}/policy")
    if view.consents is not None:
        links["consents"] = api_url(f"datasets/{name}/consents")
    return {
        "dataset": name,
        "iri": dataset_iri(base_uri, name),
        "publisher": view.publisher.name,
        "status": dataset.status,
        "access_rights": dataset.access_rights,
        "personal_data": dataset.personal_data,
        "retention_period": dataset.document.get("retention_period"),
        "checked_at": iso(view.at),
        "legal_bases": [
            legal_basis_json(name, b, view.at, governs=view.governs) for b in view.legal_bases
        ],
        "consent_required": view.consent_required,
        "consents": (
            None if view.consents is None else [consent_json(name, s) for s in view.consents]
        ),
        "policy": policy_record_json(name, view.policy) if view.policy else None,
        "readiness": readiness_json(view.readiness, compliance=view.compliance),
        "links": links,
    }


# ------------------------------------------------------------------------ data sharing


def _org_ref(organization: Organization) -> dict[str, Any]:
    return {
        "name": organization.name,
        "acronym": organization.acronym,
        "country": organization.country,
        "title": organization.title,
    }


def access_request_json(view: RequestView) -> dict[str, Any]:
    """An access request with the engine's decision per dataset and its agreement."""
    request_ = view.request
    base = f"access-requests/{request_.id}"
    links = {"self": api_url(base)}
    if view.agreement is not None:
        links["agreement"] = api_url(f"agreements/{view.agreement.id}")
    document = request_.document
    return {
        "id": str(request_.id),
        "status": request_.status,
        "requester": _org_ref(view.requester),
        "provider": _org_ref(view.provider),
        "submitted_by": request_.submitted_by,
        "purpose": request_.purpose,
        "intended_use": document["intended_use"],
        "fields": document.get("fields", []),
        "min_cell_size": document.get("min_cell_size"),
        "period": {
            "start": request_.period_start.isoformat(),
            "end": request_.period_end.isoformat(),
        },
        "datasets": [
            {
                "name": dataset.name,
                "title": dataset.title,
                "policy_revision": item.policy_revision,
                "outcome": item.outcome,
                "decision": item.decision,
            }
            for item, dataset in view.items
        ],
        "decision": (
            None
            if request_.decided_at is None and request_.status != "withdrawn"
            else {
                "by": request_.decided_by,
                "at": iso(request_.decided_at),
                "reason": request_.decision_reason,
            }
        ),
        "agreement": str(view.agreement.id) if view.agreement is not None else None,
        "revision": request_.revision,
        "created": iso(request_.created),
        "modified": iso(request_.modified),
        "links": links,
    }


def agreement_json(view: AgreementView, at: dt.datetime) -> dict[str, Any]:
    """An agreement version: parties, datasets, signatures, status now, and its ODRL policy."""
    agreement = view.agreement
    base = f"agreements/{agreement.id}"
    signed = {s.organization_id: s for s in view.signatures}
    return {
        "id": str(agreement.id),
        "uid": agreement.policy.get("uid"),
        "series": str(agreement.series_id),
        "version": agreement.version,
        "previous": str(agreement.previous_id) if agreement.previous_id else None,
        "title": agreement.title,
        "status": effective_status(agreement, at),
        "recorded_status": agreement.status,
        "status_reason": agreement.status_reason,
        "status_changed_at": iso(agreement.status_changed_at),
        "provider": _org_ref(view.provider),
        "assignees": [_org_ref(o) for o in view.assignees],
        "datasets": [{"name": d.name, "title": d.title} for d in view.datasets],
        "purpose": agreement.purpose,
        "legal_bases": agreement.legal_bases,
        "valid_from": iso(agreement.valid_from),
        "valid_until": iso(agreement.valid_until),
        "min_cell_size": agreement.min_cell_size,
        "access_request": str(agreement.access_request_id) if agreement.access_request_id else None,
        "signatures": [
            {
                "organization": view.organizations[s.organization_id].name,
                "signer": s.signer,
                "signed_at": iso(s.signed_at),
                "policy_sha256": s.policy_hash,
            }
            for s in view.signatures
        ],
        "awaiting_signature": [
            p.name
            for p in view.parties
            if p.id not in signed and agreement.status == "pending_signatures"
        ],
        "policy_sha256": policy_hash(agreement.policy),
        "policy": agreement.policy,
        "revision": agreement.revision,
        "created": iso(agreement.created),
        "created_by": agreement.created_by,
        "activated_at": iso(agreement.activated_at),
        "links": {
            "self": api_url(base),
            "odrl": api_url(f"{base}/odrl"),
            "versions": api_url(f"{base}/versions"),
            **(
                {"access_request": api_url(f"access-requests/{agreement.access_request_id}")}
                if agreement.access_request_id
                else {}
            ),
            **(
                {"previous": api_url(f"agreements/{agreement.previous_id}")}
                if agreement.previous_id
                else {}
            ),
        },
    }


def outbox_json(message: OutboxMessage, names: Mapping[int, str]) -> dict[str, Any]:
    """A notification as the inbox lists it (without its recipients' addresses)."""
    path = "access-requests" if message.object_type == "access_request" else "agreements"
    return {
        "id": message.id,
        "created": iso(message.created),
        "organization": names.get(message.organization_id),
        "event": message.event,
        "object_type": message.object_type,
        "object_id": message.object_id,
        "subject": message.subject,
        "body": message.body,
        "mail_status": message.status,
        "links": {"object": api_url(f"{path}/{message.object_id}")},
    }
