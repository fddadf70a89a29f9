"""The data-sharing part of the OpenAPI document: access requests, agreements, inbox, gateway.

Kept apart from :mod:`api.v1.openapi` like :mod:`api.v1.openapi_governance`; the request
bodies of submissions and drafts are the catalog's own JSON Schemas (access request,
agreement), so the document states exactly what is validated. The response schemas
follow :mod:`api.v1.serializers` (``access_request_json``, ``agreement_json``,
``outbox_json``) and the inbox built in :func:`api.v1.sharing.get_inbox`.
"""

from __future__ import annotations

import copy
from typing import Any

import metadata_schemas
from api.v1.openapi import (
    _ERRORS,
    DIST_ID,
    IF_MATCH,
    LD_JSON,
    NAME,
    PAGE,
    PAGE_SIZE,
    PROBLEM,
    _errors,
    _format_param,
    _json_body,
    _negotiated,
    _nullable,
    _ok,
    _page_of,
    _param,
    _ref,
    _rewrite_refs,
)
from api.v1.openapi_governance import _decision_schemas
from api.v1.sharing import AGREEMENT_FORMATS
from catalog import formats
from catalog.gateway import MAX_CELL_SIZE

_TIME = {"type": "string", "format": "date-time"}
# As the documents' dates (metadata_schemas common date): YYYY-MM-DD, years 1000-2999.
_DATE = {"type": "string", "format": "date", "pattern": "^[12][0-9]{3}-[0-9]{2}-[0-9]{2}$"}
_UUID = {"type": "string", "format": "uuid"}
_STR = {"type": "string"}
_URI = {"type": "string", "format": "uri"}
_SUMMARY = {
    "type": "object",
    "properties": {"en": _STR, "es": _STR},
    "required": ["en", "es"],
    "additionalProperties": False,
}
_REQUEST_STATUS = ["submitted", "under_review", "approved", "rejected", "withdrawn"]
_AGREEMENT_STATUS = ["draft", "pending_signatures", "active", "suspended", "expired", "terminated"]
_WRITE = ("400", "401", "403", "404", "413", "415", "422")


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def _document(schema_id: str) -> dict[str, Any]:
    document: dict[str, Any] = _rewrite_refs(metadata_schemas.schema(schema_id))
    document.pop("title", None)
    document.pop("examples", None)
    return document


def _engine_decision() -> dict[str, Any]:
    """The engine's ``Decision.to_dict()`` as stored: the governance ``Decision``, no ``source``.

    The evaluation endpoint adds ``source``; stored decisions and denials do not have it.
    """
    decision: dict[str, Any] = copy.deepcopy(_decision_schemas()["Decision"])
    decision["description"] = (
        "The engine's decision with its full explanation (Decision.to_dict())."
    )
    decision["properties"].pop("source")
    decision["required"].remove("source")
    return decision


def _access_request_schema() -> dict[str, Any]:
    not_applicable = {
        **_object({"outcome": {"const": "not_applicable"}, "summary": _SUMMARY}),
        "description": "The dataset had no offer policy to evaluate the request against.",
    }
    item = _object(
        {
            "name": _STR,
            "title": _ref("shortLangString"),
            "policy_revision": _nullable({"type": "integer", "minimum": 1}),
            "outcome": {"enum": ["permit", "deny", "not_applicable"]},
            "decision": {
                "description": "The engine's explained decision on this dataset against its "
                "offer (at submission; replaced at approval).",
                "anyOf": [_ref("EngineDecision"), not_applicable],
            },
        }
    )
    return {
        "type": "object",
        "description": "An access request, with the policy engine's decision per dataset.",
        "properties": {
            "id": _UUID,
            "status": {"enum": _REQUEST_STATUS},
            "requester": _ref("OrganizationRef"),
            "provider": _ref("OrganizationRef"),
            "submitted_by": _STR,
            "purpose": {"type": "string", "description": "DPV purpose code."},
            "intended_use": _ref("langString"),
            "fields": {"type": "array", "items": _STR},
            "min_cell_size": _nullable({"type": "integer", "minimum": 1}),
            "period": _object({"start": _DATE, "end": _DATE}),
            "datasets": {"type": "array", "items": item},
            "decision": _nullable(
                {
                    **_object(
                        {"by": _STR, "at": _nullable(_TIME), "reason": _nullable(_STR)},
                    ),
                    "description": "Who decided (or withdrew), when, and why; null while "
                    "undecided. A withdrawal has no time.",
                }
            ),
            "agreement": _nullable({**_UUID, "description": "The agreement it led to."}),
            "revision": {"type": "integer", "minimum": 1},
            "created": _TIME,
            "modified": _TIME,
            "links": _object({"self": _URI, "agreement": _URI}, ["self"]),
        },
        "required": [
            "id",
            "status",
            "requester",
            "provider",
            "submitted_by",
            "purpose",
            "intended_use",
            "fields",
            "min_cell_size",
            "period",
            "datasets",
            "decision",
            "agreement",
            "revision",
            "created",
            "modified",
            "links",
        ],
        "additionalProperties": False,
    }


def _agreement_schema() -> dict[str, Any]:
    signature = _object(
        {
            "organization": _STR,
            "signer": _STR,
            "signed_at": _TIME,
            "policy_sha256": _ref("Sha256"),
        }
    )
    properties: dict[str, Any] = {
        "id": _UUID,
        "uid": {**_URI, "description": "The ODRL Agreement's uid."},
        "series": {**_UUID, "description": "Shared by every version (renewal) of it."},
        "version": {"type": "integer", "minimum": 1},
        "previous": _nullable(_UUID),
        "title": _ref("shortLangString"),
        "status": {
            "enum": _AGREEMENT_STATUS,
            "description": "The status now (a lapsed agreement is expired).",
        },
        "recorded_status": {"enum": _AGREEMENT_STATUS},
        "status_reason": _nullable(_STR),
        "status_changed_at": _TIME,
        "provider": _ref("OrganizationRef"),
        "assignees": {"type": "array", "items": _ref("OrganizationRef")},
        "datasets": {
            "type": "array",
            "items": _object({"name": _STR, "title": _ref("shortLangString")}),
        },
        "purpose": {"type": "string", "description": "DPV purpose code."},
        "legal_bases": {"type": "array", "items": _STR},
        "valid_from": _TIME,
        "valid_until": {**_TIME, "description": "End of validity (excluded)."},
        "min_cell_size": {
            **_nullable({"type": "integer", "minimum": 1}),
            "description": "Smallest cell count of the outputs the assignees committed to;"
            " null for record-level use. Downloads are evaluated with it.",
        },
        "access_request": _nullable(_UUID),
        "signatures": {"type": "array", "items": signature},
        "awaiting_signature": {
            "type": "array",
            "items": _STR,
            "description": "Parties yet to sign (while pending signatures).",
        },
        "policy_sha256": _ref("Sha256"),
        "policy": _ref("OdrlPolicy"),
        "revision": {"type": "integer", "minimum": 1},
        "created": _TIME,
        "created_by": _STR,
        "activated_at": _nullable(_TIME),
        "links": _object(
            {
                "self": _URI,
                "odrl": _URI,
                "versions": _URI,
                "access_request": {**_URI, "description": "The request it was approved from."},
                "previous": {**_URI, "description": "The version it renews."},
            },
            ["self", "odrl", "versions"],
        ),
    }
    return {
        **_object(properties),
        "description": "A sharing agreement version: parties, datasets, signatures, its "
        "status now, and the ODRL Agreement the parties sign.",
    }


def _inbox_schemas() -> dict[str, Any]:
    notification = _object(
        {
            "id": {"type": "integer", "minimum": 1},
            "created": _TIME,
            "organization": _nullable(_STR),
            "event": _STR,
            "object_type": {"enum": ["access_request", "agreement"]},
            "object_id": _STR,
            "subject": {"type": "object", "additionalProperties": _STR},
            "body": {"type": "object", "additionalProperties": _STR},
            "mail_status": {"enum": ["pending", "sent", "failed", "skipped"]},
            "links": _object({"object": _URI}),
        }
    )
    waiting = _object(
        {
            "kind": {"enum": ["access_request", "agreement"]},
            "id": _UUID,
            "action": {"enum": ["review", "decide", "send_for_signature", "sign"]},
            "organization": _STR,
            "since": _TIME,
            "summary": _SUMMARY,
            "link": _URI,
        }
    )
    return {
        "Notification": {**notification, "description": "A notification to an organization."},
        "Inbox": {
            **_object(
                {
                    "waiting": {"type": "array", "items": waiting},
                    "recent": {"type": "array", "items": _ref("Notification")},
                }
            ),
            "description": "What waits for the caller's organizations and roles, and the "
            "recent notifications addressed to them.",
        },
    }


def components() -> dict[str, Any]:
    """The data-sharing schemas of ``components.schemas``."""

    def listing(item: str) -> dict[str, Any]:
        return _object(
            {"items": {"type": "array", "items": _ref(item)}, "total": {"type": "integer"}}
        )

    denied = {
        "description": "The gateway's denial: `check` says which check failed.",
        "allOf": [
            _ref("Problem"),
            {
                "type": "object",
                "properties": {
                    "check": {
                        "enum": [
                            "scope",
                            "party",
                            "dataset",
                            "agreement",
                            "policy",
                            "legal-basis",
                            "consent",
                        ]
                    },
                    "agreements": {
                        "type": "array",
                        "description": "check=agreement: the agreements found, none active.",
                        "items": _object(
                            {
                                "agreement": _UUID,
                                "version": {"type": "integer", "minimum": 1},
                                "status": {"enum": _AGREEMENT_STATUS},
                            }
                        ),
                    },
                    "decision": {
                        **_ref("EngineDecision"),
                        "description": "check=policy: the agreement policy's decision.",
                    },
                },
                "required": ["check"],
            },
        ],
    }
    return {
        "OrganizationRef": _object(
            {
                "name": _STR,
                "acronym": _STR,
                "country": _ref("countryCode"),
                "title": _ref("shortLangString"),
            }
        ),
        "Sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "EngineDecision": _engine_decision(),
        "AccessRequestDocument": _document(metadata_schemas.ACCESS_REQUEST_SCHEMA),
        "AccessRequest": _access_request_schema(),
        "AccessRequestPage": _page_of(_ref("AccessRequest")),
        "AgreementDocument": _document(metadata_schemas.AGREEMENT_SCHEMA),
        "Agreement": _agreement_schema(),
        "AgreementList": listing("Agreement"),
        "AgreementPage": _page_of(_ref("Agreement")),
        **_inbox_schemas(),
        "DataAccessDenied": denied,
    }


def _reason_body(description: str, *, required: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"reason": {"type": "string", "minLength": 1, "description": description}},
    }
    if required:
        schema["required"] = ["reason"]
    return {**_json_body(schema), "required": required}


def paths() -> dict[str, Any]:
    """The data-sharing operations of ``paths``."""
    request_id = _param("request_id", "path", "Access request id.", _UUID, required=True)
    agreement_id = _param("agreement_id", "path", "Agreement id.", _UUID, required=True)
    request_ok = _ok(_ref("AccessRequest"), "The access request.")
    agreement_headers = {"ETag": "Its revision."}
    agreement_ok = _ok(_ref("Agreement"), "The agreement.", **agreement_headers)
    created_headers = {**agreement_headers, "Location": "Its URL."}
    odrl_ok = {
        "description": "The ODRL 2.2 Agreement, compact JSON-LD.",
        "content": {LD_JSON: {"schema": _ref("OdrlPolicy")}},
        "headers": {"ETag": {"description": "SHA-256 of the policy.", "schema": _STR}},
    }
    transition = ("401", "403", "404", "409")
    with_body = (*_WRITE, "409")

    def request_action(operation: str, summary: str, body: dict[str, Any] | None) -> Any:
        result: dict[str, Any] = {
            "parameters": [request_id],
            "post": {
                "operationId": f"api_v1.{operation}",
                "summary": summary,
                "responses": {
                    "200": request_ok,
                    **_errors(*(with_body if body else transition)),
                },
            },
        }
        if body:
            result["post"]["requestBody"] = body
        return result

    def agreement_action(
        operation: str,
        summary: str,
        body: dict[str, Any] | None,
        status: str = "200",
    ) -> Any:
        ok = (
            _ok(_ref("Agreement"), "The new version (a draft).", **created_headers)
            if status == "201"
            else agreement_ok
        )
        result: dict[str, Any] = {
            "parameters": [agreement_id],
            "post": {
                "operationId": f"api_v1.{operation}",
                "summary": summary,
                "responses": {
                    status: ok,
                    **_errors(*(with_body if body else transition)),
                },
            },
        }
        if body:
            result["post"]["requestBody"] = body
        return result

    file_content = {
        media: {"schema": {"type": "string", "format": "binary"}}
        for media in ("text/csv", "application/octet-stream", "*/*")
    }
    file_headers = {
        name: {"description": text, "schema": _STR}
        for name, text in {
            "ETag": "The file's checksum.",
            "Content-Disposition": "attachment, with the file name.",
            "Accept-Ranges": "bytes",
            "Cache-Control": "private, no-store for restricted files.",
            "X-Simel-Agreement": "Restricted files: the agreement the download is under.",
        }.items()
    }
    return {
        "/api/v1/access-requests": {
            "get": {
                "operationId": "api_v1.list_access_requests",
                "summary": "Access requests the caller may read, newest first.",
                "parameters": [
                    _param("status", "query", "Only this status.", {"enum": _REQUEST_STATUS}),
                    _param(
                        "direction",
                        "query",
                        "outgoing: made by the caller's organizations; incoming: made to them.",
                        {"enum": ["incoming", "outgoing"]},
                    ),
                    PAGE,
                    PAGE_SIZE,
                ],
                "responses": {
                    "200": _ok(_ref("AccessRequestPage"), Link="RFC 8288 paging links."),
                    **_errors("400", "401", "422"),
                },
            },
            "post": {
                "operationId": "api_v1.submit_access_request",
                "summary": "Ask for datasets of another organization; each dataset's offer is "
                "evaluated and the decision stored.",
                "requestBody": _json_body(_ref("AccessRequestDocument")),
                "responses": {
                    "201": _ok(_ref("AccessRequest"), "Submitted.", Location="Its URL."),
                    **_errors(*_WRITE),
                },
            },
        },
        "/api/v1/access-requests/{request_id}": {
            "parameters": [request_id],
            "get": {
                "operationId": "api_v1.get_access_request",
                "summary": "One access request, with the policy engine's decision per dataset.",
                "responses": {"200": request_ok, **_errors("401", "404")},
            },
        },
        "/api/v1/access-requests/{request_id}/review": request_action(
            "review_access_request",
            "Start reviewing a submitted request (submitted -> under_review).",
            None,
        ),
        "/api/v1/access-requests/{request_id}/approve": request_action(
            "approve_access_request",
            "Approve a request under review; the offers are evaluated again (409 with "
            "`evaluation`, each dataset's outcome, and `reasons`, the engine's explanation "
            "in es and en of each refusal, unless each permits) and the draft agreement is "
            "created.",
            _reason_body("Why it was approved.", required=False),
        ),
        "/api/v1/access-requests/{request_id}/reject": request_action(
            "reject_access_request",
            "Reject a request under review, with reasons.",
            _reason_body("Why it was rejected.", required=True),
        ),
        "/api/v1/access-requests/{request_id}/withdraw": request_action(
            "withdraw_access_request",
            "Withdraw a request before it is decided.",
            _reason_body("Why it was withdrawn.", required=False),
        ),
        "/api/v1/agreements": {
            "get": {
                "operationId": "api_v1.list_agreements",
                "summary": "Agreements the caller may read, newest first.",
                "parameters": [
                    _param(
                        "status",
                        "query",
                        "Only this status (as it is now).",
                        {"enum": _AGREEMENT_STATUS},
                    ),
                    _param(
                        "dataset",
                        "query",
                        "Only agreements covering this dataset (an unknown one is a 404).",
                        _STR,
                    ),
                    _param(
                        "organization",
                        "query",
                        "Only agreements this organization is party to (an unknown one is a 404).",
                        _STR,
                    ),
                    PAGE,
                    PAGE_SIZE,
                ],
                "responses": {
                    "200": _ok(_ref("AgreementPage"), Link="RFC 8288 paging links."),
                    **_errors("400", "401", "404", "422"),
                },
            },
            "post": {
                "operationId": "api_v1.draft_agreement",
                "summary": "Draft an agreement directly (e.g. multilateral), without an "
                "access request.",
                "requestBody": _json_body(_ref("AgreementDocument")),
                "responses": {
                    "201": _ok(_ref("Agreement"), "Drafted.", **created_headers),
                    **_errors(*_WRITE, "409"),
                },
            },
        },
        "/api/v1/agreements/{agreement_id}": {
            "parameters": [agreement_id],
            "get": {
                "operationId": "api_v1.get_agreement",
                "summary": "One agreement version (JSON), or its ODRL Agreement "
                "(Accept: application/ld+json, or format=jsonld).",
                "parameters": [_format_param(AGREEMENT_FORMATS)],
                "responses": {
                    "200": {
                        "description": "The agreement, in the negotiated representation.",
                        "content": _negotiated(
                            AGREEMENT_FORMATS,
                            {formats.JSON: _ref("Agreement"), formats.JSON_LD: _ref("OdrlPolicy")},
                        ),
                        "headers": {
                            "ETag": {
                                "description": "JSON: its revision; JSON-LD: the policy's SHA-256.",
                                "schema": _STR,
                            },
                            "Vary": {"description": "Accept", "schema": _STR},
                        },
                    },
                    **_errors("401", "404", "406"),
                },
            },
        },
        "/api/v1/agreements/{agreement_id}/odrl": {
            "parameters": [agreement_id],
            "get": {
                "operationId": "api_v1.get_agreement_odrl",
                "summary": "The ODRL 2.2 Agreement the parties sign, as compact JSON-LD.",
                "responses": {"200": odrl_ok, **_errors("401", "404")},
            },
        },
        "/api/v1/agreements/{agreement_id}/versions": {
            "parameters": [agreement_id],
            "get": {
                "operationId": "api_v1.list_agreement_versions",
                "summary": "Every version of the agreement (renewals), oldest first.",
                "responses": {"200": _ok(_ref("AgreementList")), **_errors("401", "404")},
            },
        },
        "/api/v1/agreements/{agreement_id}/send-for-signature": agreement_action(
            "send_agreement_for_signature",
            "Send a draft to every party's signatories (draft -> pending_signatures).",
            None,
        ),
        "/api/v1/agreements/{agreement_id}/sign": agreement_action(
            "sign_agreement",
            "Sign for one's organization; the last signature makes the agreement active.",
            {
                **_json_body(
                    {
                        "type": "object",
                        "properties": {
                            "organization": {
                                **_ref("organizationName"),
                                "description": "The party signed for; needed only when the "
                                "caller is a signatory of several unsigned parties.",
                            }
                        },
                    }
                ),
                "required": False,
            },
        ),
        "/api/v1/agreements/{agreement_id}/suspend": agreement_action(
            "suspend_agreement",
            "Suspend an active agreement: data requests are denied from then on.",
            _reason_body("Why it is suspended.", required=True),
        ),
        "/api/v1/agreements/{agreement_id}/resume": agreement_action(
            "resume_agreement",
            "Resume a suspended agreement (within its validity).",
            _reason_body("Why it is resumed.", required=True),
        ),
        "/api/v1/agreements/{agreement_id}/terminate": agreement_action(
            "terminate_agreement",
            "End an agreement for good.",
            _reason_body("Why it is terminated.", required=True),
        ),
        "/api/v1/agreements/{agreement_id}/renew": agreement_action(
            "renew_agreement",
            "Renew: a new draft version with a new period, from the offers as they are now.",
            _json_body(
                {
                    "type": "object",
                    "properties": {
                        "valid_from": {
                            **_DATE,
                            "description": "Default: the end of the current version, or "
                            "today if later. Not before today (UTC): 422.",
                        },
                        "valid_until": {**_DATE, "description": "Last day (included)."},
                        "min_cell_size": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_CELL_SIZE,
                            "description": "The smallest output cell the consumers commit "
                            "to in the new version. Default: the current version's.",
                        },
                    },
                    "required": ["valid_until"],
                }
            ),
            status="201",
        ),
        "/api/v1/inbox": {
            "get": {
                "operationId": "api_v1.get_inbox",
                "summary": "Requests and agreements waiting for the caller, and recent "
                "notifications.",
                "responses": {"200": _ok(_ref("Inbox")), **_errors("401")},
            },
        },
        "/api/v1/datasets/{name}/distributions/{distribution_id}/data": {
            "parameters": [NAME, DIST_ID],
            "get": {
                "operationId": "api_v1.get_distribution_data",
                "summary": "Download the distribution's file (Range supported), if allowed "
                "now; restricted files are checked against an active agreement every time.",
                "description": "Each declaration (purpose, recipient_country, min_cell_size) "
                "is given at most once: a repeated one is refused (400), since the data "
                "would otherwise go out on one declaration with the other unchecked.",
                "parameters": [
                    _param(
                        "purpose",
                        "query",
                        "Restricted files: the DPV purpose code of this use (default: the "
                        "agreement's).",
                        _STR,
                    ),
                    _param(
                        "recipient_country",
                        "query",
                        "Restricted files: ISO 3166-1 alpha-3 code of the country the data "
                        "goes to (default: the organization's).",
                        _STR,
                    ),
                    _param(
                        "min_cell_size",
                        "query",
                        "Restricted files: the smallest cell count of the outputs made from "
                        "the data (default: the access request's commitment); an "
                        "aggregates-only offer requires it.",
                        {"type": "integer", "minimum": 1, "maximum": MAX_CELL_SIZE},
                    ),
                    _param("Range", "header", "A byte range (RFC 9110).", _STR),
                    _param("If-None-Match", "header", "A known ETag.", _STR),
                ],
                "responses": {
                    "200": {
                        "description": "The file, in the distribution's media type.",
                        "content": file_content,
                        "headers": file_headers,
                    },
                    "206": {
                        "description": "The requested range of the file.",
                        "content": file_content,
                        "headers": {
                            **file_headers,
                            "Content-Range": {"description": "The range sent.", "schema": _STR},
                        },
                    },
                    "304": {"description": "Not modified."},
                    **_errors("401", "422"),
                    "404": _problem_as(
                        "404",
                        "No such dataset, distribution or file; a restricted distribution "
                        "created without a file has none until a steward uploads it.",
                    ),
                    "403": {
                        "description": "Denied now (scope, party, dataset, agreement, "
                        "policy, legal-basis or consent); the denial is audited.",
                        "content": {PROBLEM: {"schema": _ref("DataAccessDenied")}},
                    },
                    "409": _problem_as(
                        "409",
                        "The file's storage key no longer leads inside its publisher's "
                        "folder (a folder replaced by a link on the server): not served "
                        "until the link is removed or the distribution gets another file.",
                    ),
                    "416": {
                        "description": "The range is outside the file.",
                        "content": {PROBLEM: {"schema": _ref("Problem")}},
                    },
                },
            },
            # The steward's side of the same file (api.v1.datasets), beside the download.
            "put": {
                "operationId": "api_v1.upload_distribution_data",
                "summary": "Upload the distribution's file, replacing any: the body is the "
                "file. Its SHA-256 and size become the distribution's checksum and byte_size, "
                "and other content its file_replaced_at; a distribution without a file (such "
                "as a restricted one created to await it) gets one in its publisher's folder "
                "(storage_key ORGANIZATION/DATASET/ID.ext). The file takes the old one's place "
                "only when the change commits, and is served as the distribution says: a "
                "restricted one only under an agreement in force.",
                "parameters": [IF_MATCH],
                "requestBody": {
                    "required": True,
                    "description": "The file. Content-Type must be the distribution's "
                    "media_type (a distribution without one records it).",
                    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                },
                "responses": {
                    "200": _ok(
                        _ref("Distribution"),
                        "The distribution, with the file's checksum and byte_size.",
                        ETag="The dataset's revision.",
                    ),
                    **_errors("400", "401", "403", "404", "412", "422"),
                    "409": _problem_as(
                        "409",
                        "The dataset is withdrawn (its files are no longer served), or the "
                        "distribution's file is another distribution's too.",
                    ),
                    "413": _problem_as(
                        "413",
                        "The file is larger than the upload limit, [storage] max_upload_bytes, "
                        "or than what is left of the organization's storage quota, [storage] "
                        "organization_quota_bytes (the problem's detail names which).",
                    ),
                    "415": _problem_as(
                        "415",
                        "No Content-Type, a form, or another media type than the distribution's.",
                    ),
                },
            },
        },
    }


def _problem_as(code: str, description: str) -> dict[str, Any]:
    """The shared problem response of ``code``, described for one operation."""
    return {**_ERRORS[code], "description": description}
