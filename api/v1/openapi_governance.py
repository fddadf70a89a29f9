"""The governance part of the OpenAPI document: legal bases, consents, policies, decisions.

Kept apart from :mod:`api.v1.openapi` so the schemas of one resource family stay
together; the request bodies are the catalog's own JSON Schemas (legal basis, consent,
consent event, ODRL policy), so the document states exactly what is validated.
"""

from __future__ import annotations

import copy
from typing import Any

import metadata_schemas
from api.v1.governance import POLICY_FORMATS
from api.v1.openapi import (
    IF_MATCH,
    JSON,
    NAME,
    _errors,
    _format_param,
    _json_body,
    _negotiated,
    _nullable,
    _ok,
    _param,
    _read_only,
    _ref,
    _rewrite_refs,
)
from catalog.policy_context import EVALUATION_SCHEMA

_TIME = {"type": "string", "format": "date-time"}
_STR = {"type": "string"}
_URI = {"type": "string", "format": "uri"}
_LINKS = _ref("Links")
_WRITE = ("400", "401", "403", "404", "413", "415", "422")
_GAPS = (
    "Null for callers other than stewards of the publisher, auditors and administrators: "
    "compliance gaps are theirs to see."
)


def _document(schema_id: str) -> dict[str, Any]:
    document: dict[str, Any] = _rewrite_refs(metadata_schemas.schema(schema_id))
    document.pop("title", None)
    document.pop("examples", None)
    return document


def _odrl_components() -> dict[str, Any]:
    """The ODRL policy schema, its ``$defs`` renamed ``Odrl*`` so they cannot clash."""
    schema = copy.deepcopy(metadata_schemas.schema(metadata_schemas.ODRL_POLICY_SCHEMA))

    def rename(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: (
                    "#/components/schemas/Odrl_" + value.removeprefix("#/$defs/")
                    if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/")
                    else rename(value)
                )
                for key, value in node.items()
                if key not in {"$id", "$schema", "$defs"}
            }
        if isinstance(node, list):
            return [rename(item) for item in node]
        return node

    components = {f"Odrl_{name}": rename(body) for name, body in schema["$defs"].items()}
    root = rename(schema)
    root.pop("title", None)
    components["OdrlPolicy"] = root
    return components


def _with_server_members(
    document: dict[str, Any], members: dict[str, Any], required: list[str], description: str
) -> dict[str, Any]:
    result = copy.deepcopy(document)
    result["description"] = description
    result["properties"].update({k: _read_only(v) for k, v in members.items()})
    result["required"] = list(dict.fromkeys([*document.get("required", []), *required]))
    return result


def _legal_basis_schemas() -> dict[str, Any]:
    document = _document(metadata_schemas.LEGAL_BASIS_SCHEMA)
    members: dict[str, Any] = {
        "id": {"type": "string", "format": "uuid"},
        "dataset": _STR,
        "revision": {"type": "integer", "minimum": 1},
        "valid": {"type": "boolean", "description": "Whether it applies now."},
        "ended": _nullable(
            {
                "type": "object",
                "properties": {"at": _TIME, "reason": _STR},
                "required": ["at", "reason"],
                "additionalProperties": False,
            }
        ),
        "created": _TIME,
        "modified": _TIME,
        "created_by": _STR,
        "links": {
            "type": "object",
            "properties": {
                "self": _URI,
                "dataset": _URI,
                "end": {
                    **_URI,
                    "description": "Where to end it (POST): offered only to callers who may "
                    "(stewards of the publisher with governance:write, administrators), "
                    "and only while it has not been ended.",
                },
            },
            "required": ["self", "dataset"],
            "additionalProperties": False,
        },
    }
    input_document = _with_server_members(
        document,
        members,
        [],
        "A legal-basis document. Server members may be sent back as received and are ignored.",
    )
    input_document["required"] = document["required"]
    return {
        "LegalBasisDocument": input_document,
        "LegalBasis": _with_server_members(
            document, members, list(members), "A legal basis as the catalog returns it."
        ),
    }


def _consent_schemas() -> dict[str, Any]:
    document = _document(metadata_schemas.CONSENT_SCHEMA)
    event = {
        "type": "object",
        "properties": {
            "seq": {"type": "integer", "minimum": 1},
            "event": {
                "enum": list(
                    _document(metadata_schemas.CONSENT_EVENT_SCHEMA)["properties"]["event"]["enum"]
                )
            },
            "status": {"type": "string", "description": "DPV consent status after the event."},
            "at": _TIME,
            "recorded_at": _TIME,
            "actor": _STR,
            "reason": _nullable(_STR),
            "expires_at": _nullable(_TIME),
            "details": {"type": "object"},
        },
        "required": [
            "seq",
            "event",
            "status",
            "at",
            "recorded_at",
            "actor",
            "reason",
            "expires_at",
            "details",
        ],
        "additionalProperties": False,
    }
    members: dict[str, Any] = {
        "id": {"type": "string", "format": "uuid"},
        "dataset": _STR,
        "status": _nullable(
            {"type": "string", "description": "DPV consent status now (expiry derived)."}
        ),
        "valid": {"type": "boolean", "description": "Whether it allows processing now."},
        "recorded_status": {"type": "string"},
        "expiry_recorded": {"type": "boolean"},
        "status_at": _TIME,
        "given_at": _TIME,
        "expires_at": _nullable(_TIME),
        "withdrawn_at": _nullable(_TIME),
        "events": {"type": "array", "items": _ref("ConsentEvent")},
        "created": _TIME,
        "created_by": _STR,
        "links": _LINKS,
    }
    output = _with_server_members(
        document, members, list(members), "A consent record with its status now and history."
    )
    output["properties"].pop("status", None)
    output["properties"]["status"] = _read_only(members["status"])
    output["properties"]["expires_at"] = _read_only(members["expires_at"])
    output["properties"]["given_at"] = _read_only(members["given_at"])
    return {
        "ConsentDocument": document,
        "Consent": output,
        "ConsentEventDocument": _document(metadata_schemas.CONSENT_EVENT_SCHEMA),
        "ConsentEvent": event,
    }


def _readiness_schemas() -> dict[str, Any]:
    requirement = {
        "type": "object",
        "properties": {
            "requirement": {
                "enum": [
                    "legal-basis",
                    "policy",
                    "retention-period",
                    "consent",
                    "published",
                    "restricted",
                ]
            },
            "detail": _STR,
        },
        "required": ["requirement", "detail"],
        "additionalProperties": False,
    }
    check = {
        "type": "object",
        "properties": {
            "ready": {"type": "boolean"},
            "missing": _nullable(
                {
                    "type": "array",
                    "items": _ref("Requirement"),
                    "description": "What the dataset lacks. " + _GAPS,
                }
            ),
            "warnings": _nullable(
                {
                    "type": "array",
                    "items": _ref("Requirement"),
                    "description": "What blocks nothing but should be seen to. " + _GAPS,
                }
            ),
        },
        "required": ["ready", "missing", "warnings"],
        "additionalProperties": False,
    }
    return {
        "Requirement": requirement,
        "ReadinessCheck": check,
        "Readiness": {
            "type": "object",
            "properties": {
                "legal_basis": {"type": "boolean"},
                "policy": {"type": "boolean"},
                "publish": _ref("ReadinessCheck"),
                "share": _ref("ReadinessCheck"),
            },
            "required": ["legal_basis", "policy", "publish", "share"],
            "additionalProperties": False,
        },
        "GovernanceSummary": {
            "type": "object",
            "description": "Whether a legal basis is valid now, whether there is an offer "
            "policy, and whether the dataset may be published and shared.",
            "properties": {
                "legal_basis": {"type": "boolean"},
                "policy": {"type": "boolean"},
                "publishable": {"type": "boolean"},
                "shareable": {"type": "boolean"},
            },
            "required": ["legal_basis", "policy", "publishable", "shareable"],
            "additionalProperties": False,
        },
    }


def _governance_schema() -> dict[str, Any]:
    policy_record = {
        "type": "object",
        "properties": {
            "revision": {"type": "integer", "minimum": 1},
            "uid": {"type": "string", "format": "uri"},
            "type": {"enum": ["Offer"]},
            "template": _nullable(_STR),
            "parameters": _nullable({"type": "object"}),
            "created": _TIME,
            "created_by": _STR,
            "document": _ref("OdrlPolicy"),
            "links": _LINKS,
        },
        "required": [
            "revision",
            "uid",
            "type",
            "template",
            "parameters",
            "created",
            "created_by",
            "document",
            "links",
        ],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "dataset": _STR,
            "iri": {"type": "string", "format": "uri"},
            "publisher": _STR,
            "status": {"enum": ["draft", "published", "withdrawn"]},
            "access_rights": {"enum": ["PUBLIC", "RESTRICTED", "NON_PUBLIC"]},
            "personal_data": {"enum": ["none", "pseudonymised", "personal", "sensitive"]},
            "retention_period": _nullable(_STR),
            "checked_at": _TIME,
            "legal_bases": {"type": "array", "items": _ref("LegalBasis")},
            "consent_required": {"type": "boolean"},
            "consents": _nullable(
                {
                    "type": "array",
                    "items": _ref("Consent"),
                    "description": "Null for callers who may not read consent records.",
                }
            ),
            "policy": _nullable(policy_record),
            "readiness": _ref("Readiness"),
            "links": _LINKS,
        },
        "required": [
            "dataset",
            "iri",
            "publisher",
            "status",
            "access_rights",
            "personal_data",
            "retention_period",
            "checked_at",
            "legal_bases",
            "consent_required",
            "consents",
            "policy",
            "readiness",
            "links",
        ],
        "additionalProperties": False,
    }


def _decision_schemas() -> dict[str, Any]:
    nullable_str = _nullable(_STR)
    constraint = {
        "type": "object",
        "properties": {
            "type": {"const": "constraint"},
            "pointer": _STR,
            "uid": nullable_str,
            "leftOperand": _STR,
            "operator": _STR,
            "rightOperand": {"type": "array"},
            "unit": nullable_str,
            "actual": {},
            "held": {"type": "boolean"},
            "reason": nullable_str,
        },
        "required": [
            "type",
            "pointer",
            "uid",
            "leftOperand",
            "operator",
            "rightOperand",
            "unit",
            "actual",
            "held",
            "reason",
        ],
        "additionalProperties": False,
    }
    logical = {
        "type": "object",
        "properties": {
            "type": {"const": "logical"},
            "pointer": _STR,
            "uid": nullable_str,
            "operator": {"enum": ["and", "or", "xone", "andSequence"]},
            "constraints": {"type": "array", "items": _ref("DecisionConstraint")},
            "held": {"type": "boolean"},
            "reason": nullable_str,
        },
        "required": ["type", "pointer", "uid", "operator", "constraints", "held", "reason"],
        "additionalProperties": False,
    }
    any_constraint = {
        "type": "array",
        "items": {"oneOf": [_ref("DecisionConstraint"), _ref("DecisionLogicalConstraint")]},
    }
    duty = {
        "type": "object",
        "properties": {
            "rule": _STR,
            "pointer": _STR,
            "uid": nullable_str,
            "action": _STR,
            "precondition": {"type": "boolean"},
            "active": {"type": "boolean"},
            "state": {"enum": ["fulfilled", "violated", "pending"]},
            "blocking": {"type": "boolean"},
            "constraints": any_constraint,
            "consequences": {"type": "array", "items": _ref("DecisionDuty")},
        },
        "required": [
            "rule",
            "pointer",
            "uid",
            "action",
            "precondition",
            "active",
            "state",
            "blocking",
            "constraints",
            "consequences",
        ],
        "additionalProperties": False,
    }
    rule = {
        "type": "object",
        "properties": {
            "rule": _STR,
            "kind": {"enum": ["permission", "prohibition"]},
            "index": {"type": "integer", "minimum": 0},
            "uid": nullable_str,
            "pointer": _STR,
            "action": _STR,
            "applies": {"type": "boolean"},
            "match": {
                "type": "object",
                "properties": {
                    "action": {"type": "boolean"},
                    "target": {"type": "boolean"},
                    "assignee": {"type": "boolean"},
                },
                "required": ["action", "target", "assignee"],
                "additionalProperties": False,
            },
            "constraints": any_constraint,
            "refinements": any_constraint,
            "duties": {"type": "array", "items": _ref("DecisionDuty")},
            "holds": {"type": "boolean"},
        },
        "required": [
            "rule",
            "kind",
            "index",
            "uid",
            "pointer",
            "action",
            "applies",
            "match",
            "constraints",
            "refinements",
            "duties",
            "holds",
        ],
        "additionalProperties": False,
    }
    request = {
        "type": "object",
        "properties": {
            "action": _STR,
            "time": _TIME,
            "assignee": nullable_str,
            "assignee_country": nullable_str,
            "target": nullable_str,
            "purpose": nullable_str,
            "recipient": nullable_str,
            "elapsed_start": _nullable(_TIME),
            "use_count": _nullable({"type": "integer"}),
            "min_cell_size": _nullable({"type": "integer"}),
            "fulfilled_duties": {"type": "array", "items": _STR},
            "violated_duties": {"type": "array", "items": _STR},
            "operands": {"type": "object"},
        },
        "required": [
            "action",
            "time",
            "assignee",
            "assignee_country",
            "target",
            "purpose",
            "recipient",
            "elapsed_start",
            "use_count",
            "min_cell_size",
            "fulfilled_duties",
            "violated_duties",
            "operands",
        ],
        "additionalProperties": False,
    }
    decision = {
        "type": "object",
        "description": "The engine's decision with its full explanation (Decision.to_dict()), "
        "and which policy was evaluated.",
        "properties": {
            "outcome": {"enum": ["permit", "deny", "not_applicable"]},
            "reason": {
                "enum": [
                    "permitted",
                    "prohibited",
                    "conflict_perm",
                    "conflict_prohibit",
                    "conflict_invalid",
                    "not_permitted",
                    "no_applicable_rule",
                ]
            },
            "policy": _STR,
            "conflict": {"enum": ["perm", "prohibit", "invalid"]},
            "summary": {
                "type": "object",
                "properties": {"en": _STR, "es": _STR},
                "required": ["en", "es"],
                "additionalProperties": False,
            },
            "granted_by": {"type": "array", "items": _STR},
            "forbidden_by": {"type": "array", "items": _STR},
            "duties": {"type": "array", "items": _ref("DecisionDuty")},
            "rules": {"type": "array", "items": _ref("DecisionRule")},
            "request": request,
            "source": {
                "type": "object",
                "properties": {
                    "dataset": nullable_str,
                    "policy_revision": _nullable({"type": "integer", "minimum": 1}),
                },
                "required": ["dataset", "policy_revision"],
                "additionalProperties": False,
            },
        },
        "required": [
            "outcome",
            "reason",
            "policy",
            "conflict",
            "summary",
            "granted_by",
            "forbidden_by",
            "duties",
            "rules",
            "request",
            "source",
        ],
        "additionalProperties": False,
    }
    return {
        "DecisionConstraint": constraint,
        "DecisionLogicalConstraint": logical,
        "DecisionDuty": duty,
        "DecisionRule": rule,
        "Decision": decision,
    }


def components() -> dict[str, Any]:
    """The governance schemas of ``components.schemas``."""
    template_request = {
        "type": "object",
        "description": "Instantiate one of the templates of /api/v1/policies/templates.",
        "properties": {"template": _STR, "parameters": {"type": "object"}},
        "required": ["template"],
        "additionalProperties": False,
    }
    templates = {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": _STR,
                        "title": _ref("shortLangString"),
                        "description": _ref("langString"),
                        "parameters": {
                            "type": "object",
                            "description": "JSON Schema of the template's parameters.",
                        },
                    },
                    "required": ["name", "title", "description", "parameters"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["items"],
        "additionalProperties": False,
    }
    return {
        **_odrl_components(),
        **_legal_basis_schemas(),
        **_consent_schemas(),
        **_readiness_schemas(),
        **_decision_schemas(),
        "Governance": _governance_schema(),
        "PolicyTemplateRequest": template_request,
        "PolicyTemplates": templates,
        "EvaluationRequest": _rewrite_refs(EVALUATION_SCHEMA),
    }


def paths() -> dict[str, Any]:
    """The governance operations of ``paths``."""
    legal_basis_id = _param(
        "legal_basis_id",
        "path",
        "Legal basis id.",
        {"type": "string", "format": "uuid"},
        required=True,
    )
    consent_id = _param(
        "consent_id",
        "path",
        "Consent record id.",
        {"type": "string", "format": "uuid"},
        required=True,
    )
    legal_basis_ok = _ok(_ref("LegalBasis"), "The legal basis.", ETag="Its revision.")
    consent_ok = _ok(_ref("Consent"), "The consent record with its history.")
    policy_content = _negotiated(POLICY_FORMATS, dict.fromkeys(POLICY_FORMATS, _ref("OdrlPolicy")))
    policy_ok = {
        "description": "The offer as ODRL compact JSON-LD (negotiated: application/ld+json by "
        "default, or application/json).",
        "content": policy_content,
        "headers": {"ETag": {"description": "The policy's revision.", "schema": _STR}},
    }
    policy_body = {
        "required": True,
        "content": {
            fmt.media_type: {
                "schema": {"oneOf": [_ref("OdrlPolicy"), _ref("PolicyTemplateRequest")]}
            }
            for fmt in POLICY_FORMATS
        },
    }

    def listing(item: str, key: str = "dataset") -> dict[str, Any]:
        return _ok(
            {
                "type": "object",
                "properties": {key: _STR, "items": {"type": "array", "items": _ref(item)}},
                "required": [key, "items"],
                "additionalProperties": False,
            }
        )

    set_policy = {
        "summary": "Set the offer: ODRL JSON-LD, or a template and its parameters.",
        "parameters": [IF_MATCH],
        "requestBody": policy_body,
        "responses": {
            "200": {**policy_ok, "description": "Replaced (or unchanged)."},
            "201": {**policy_ok, "description": "The dataset's first policy."},
            **_errors(*_WRITE, "412", "428"),
        },
    }
    return {
        "/api/v1/datasets/{name}/legal-bases": {
            "parameters": [NAME],
            "get": {
                "operationId": "api_v1.list_legal_bases",
                "summary": "The dataset's legal bases (ended ones included).",
                "responses": {"200": listing("LegalBasis"), **_errors("401", "404")},
            },
            "post": {
                "operationId": "api_v1.create_legal_basis",
                "summary": "Record a legal basis.",
                "requestBody": _json_body(_ref("LegalBasisDocument")),
                "responses": {
                    "201": {**legal_basis_ok, "description": "Recorded."},
                    **_errors(*_WRITE),
                },
            },
        },
        "/api/v1/datasets/{name}/legal-bases/{legal_basis_id}": {
            "parameters": [NAME, legal_basis_id],
            "get": {
                "operationId": "api_v1.get_legal_basis",
                "summary": "One legal basis.",
                "responses": {"200": legal_basis_ok, **_errors("401", "404")},
            },
            "put": {
                "operationId": "api_v1.update_legal_basis",
                "summary": "Correct a legal basis (replace its document).",
                "parameters": [{**IF_MATCH, "required": True}],
                "requestBody": _json_body(_ref("LegalBasisDocument")),
                "responses": {"200": legal_basis_ok, **_errors(*_WRITE, "409", "412", "428")},
            },
            "patch": {
                "operationId": "api_v1.update_legal_basis#patch",
                "summary": "Correct part of a legal basis (RFC 7396 JSON merge patch).",
                "parameters": [{**IF_MATCH, "required": True}],
                "requestBody": _json_body({"type": "object"}, "application/merge-patch+json", JSON),
                "responses": {"200": legal_basis_ok, **_errors(*_WRITE, "409", "412", "428")},
            },
        },
        "/api/v1/datasets/{name}/legal-bases/{legal_basis_id}/end": {
            "parameters": [NAME, legal_basis_id],
            "post": {
                "operationId": "api_v1.end_legal_basis",
                "summary": "End a legal basis now, with a reason (it stays on record).",
                "parameters": [IF_MATCH],
                "requestBody": _json_body(
                    {
                        "type": "object",
                        "properties": {"reason": {"type": "string", "minLength": 1}},
                        "required": ["reason"],
                    }
                ),
                "responses": {"200": legal_basis_ok, **_errors(*_WRITE, "409", "412")},
            },
        },
        "/api/v1/datasets/{name}/consents": {
            "parameters": [NAME],
            "get": {
                "operationId": "api_v1.list_consents",
                "summary": "The dataset's consent records with their status now and history.",
                "responses": {"200": listing("Consent"), **_errors("401", "403", "404")},
            },
            "post": {
                "operationId": "api_v1.create_consent",
                "summary": "Record consent given (or requested, or refused).",
                "requestBody": _json_body(_ref("ConsentDocument")),
                "responses": {
                    "201": {**consent_ok, "description": "Recorded."},
                    **_errors(*_WRITE),
                },
            },
        },
        "/api/v1/datasets/{name}/consents/{consent_id}": {
            "parameters": [NAME, consent_id],
            "get": {
                "operationId": "api_v1.get_consent",
                "summary": "One consent record.",
                "responses": {"200": consent_ok, **_errors("401", "403", "404")},
            },
        },
        "/api/v1/datasets/{name}/consents/{consent_id}/events": {
            "parameters": [NAME, consent_id],
            "get": {
                "operationId": "api_v1.list_consent_events",
                "summary": "A consent record's history, oldest first.",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "properties": {
                                "consent": {"type": "string", "format": "uuid"},
                                "status": _nullable(_STR),
                                "items": {"type": "array", "items": _ref("ConsentEvent")},
                            },
                            "required": ["consent", "status", "items"],
                            "additionalProperties": False,
                        }
                    ),
                    **_errors("401", "403", "404"),
                },
            },
            "post": {
                "operationId": "api_v1.add_consent_event",
                "summary": "Append an event: withdrawn, renewed, expired, revoked...",
                "requestBody": _json_body(_ref("ConsentEventDocument")),
                "responses": {
                    "201": {**consent_ok, "description": "Appended; the record as it is now."},
                    **_errors(*_WRITE, "409"),
                },
            },
        },
        "/api/v1/datasets/{name}/policy": {
            "parameters": [NAME],
            "get": {
                "operationId": "api_v1.get_policy",
                "summary": "The dataset's ODRL offer.",
                "parameters": [
                    _param("If-None-Match", "header", "A known ETag.", _STR),
                    _format_param(POLICY_FORMATS),
                ],
                "responses": {
                    "200": policy_ok,
                    "304": {"description": "Not modified."},
                    **_errors("401", "404", "406"),
                },
            },
            "put": {"operationId": "api_v1.set_policy", **set_policy},
            "post": {"operationId": "api_v1.set_policy#post", **set_policy},
        },
        "/api/v1/datasets/{name}/governance": {
            "parameters": [NAME],
            "get": {
                "operationId": "api_v1.get_governance",
                "summary": "Classification, retention, legal bases, consents (if the caller may "
                "read them), policy, and readiness for publishing and sharing (what is missing "
                "and the warnings only for stewards of the publisher, auditors and "
                "administrators).",
                "responses": {"200": _ok(_ref("Governance")), **_errors("401", "404")},
            },
        },
        "/api/v1/policies/templates": {
            "get": {
                "operationId": "api_v1.list_policy_templates",
                "summary": "The offer templates and their parameters.",
                "responses": {"200": _ok(_ref("PolicyTemplates")), **_errors()},
            },
        },
        "/api/v1/policies/evaluate": {
            "post": {
                "operationId": "api_v1.evaluate_policy",
                "summary": "Would this request be allowed, and why? No side effects.",
                "requestBody": _json_body(_ref("EvaluationRequest")),
                "responses": {
                    "200": _ok(_ref("Decision"), "The decision, explained."),
                    **_errors("400", "401", "404", "413", "415", "422"),
                },
            },
        },
    }
