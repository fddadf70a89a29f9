"""The OpenAPI 3.1 description of the JSON API.

Request bodies reuse the catalog's own JSON Schemas (``metadata_schemas``), with their
``urn:`` references rewritten to components, so the document states exactly what the
API validates. Each operation also states who may call it, taken from the route's
declared access rule, so the docs and the authorization table cannot drift apart.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from flask import Flask

import metadata_schemas
from api.auth import rule_of
from catalog import quality

JSON = "application/json"
PROBLEM = "application/problem+json"
_COMMON = "urn:simel:schema:common:1.0#/$defs/"
_REF_NAMES = {
    "urn:simel:schema:labour-migration:1.0": "LabourMigrationProfile",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                if value.startswith(_COMMON):
                    result[key] = "#/components/schemas/" + value[len(_COMMON) :]
                elif value.startswith("#/$defs/"):  # inside the common schema itself
                    result[key] = "#/components/schemas/" + value[len("#/$defs/") :]
                elif value in _REF_NAMES:
                    result[key] = "#/components/schemas/" + _REF_NAMES[value]
                else:
                    result[key] = value
            elif key in {"$id", "$schema"}:
                continue
            else:
                result[key] = _rewrite_refs(value)
        return result
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _read_only(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "readOnly": True}


_TIME = {"type": "string", "format": "date-time"}
_LANG = _ref("shortLangString")


def _dataset_schemas() -> dict[str, Any]:
    document = _rewrite_refs(metadata_schemas.schema(metadata_schemas.DATASET_SCHEMA))
    document.pop("title", None)
    server_members: dict[str, Any] = {
        "id": {"type": "string", "format": "uuid"},
        "iri": {"type": "string", "format": "uri"},
        "status": {"enum": ["draft", "published", "withdrawn"]},
        "revision": {"type": "integer", "minimum": 1},
        "profile": {"type": "string"},
        "created": _TIME,
        "modified": _TIME,
        "issued": _nullable(_TIME),
        "organization": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "acronym": {"type": "string"},
                "title": _LANG,
                "country": {"type": "string"},
            },
            "required": ["name", "acronym", "title", "country"],
            "additionalProperties": False,
        },
        "distributions": {"type": "array", "items": _ref("Distribution")},
        "links": {
            "type": "object",
            "additionalProperties": {"type": "string", "format": "uri"},
        },
        "withdrawn": {
            "type": "object",
            "properties": {"at": _nullable(_TIME), "reason": _nullable({"type": "string"})},
            "required": ["at", "reason"],
            "additionalProperties": False,
        },
        "quality": _ref("Quality"),
        "harvest": {
            "type": "object",
            "description": "Where a harvested dataset came from.",
            "properties": {
                "source": {"type": "string"},
                "source_catalog": {"type": "string"},
                "original_iri": {"type": "string"},
                "harvested_at": _TIME,
            },
            "required": ["source", "source_catalog", "original_iri", "harvested_at"],
            "additionalProperties": False,
        },
    }
    dataset = copy.deepcopy(document)
    dataset["description"] = (
        "A dataset as the catalog returns it: its document plus server members."
    )
    dataset["properties"].update({k: _read_only(v) for k, v in server_members.items()})
    dataset["required"] = [
        *document["required"],
        *[m for m in server_members if m not in {"withdrawn", "harvest"}],
    ]
    dataset_input = copy.deepcopy(document)
    dataset_input["description"] = (
        "A dataset document. Server members (id, revision, status...) may be sent back "
        "as received and are ignored."
    )
    dataset_input["properties"].update({k: _read_only(v) for k, v in server_members.items()})
    return {"DatasetDocument": dataset_input, "Dataset": dataset}


def _distribution_schemas() -> dict[str, Any]:
    document = _rewrite_refs(metadata_schemas.schema(metadata_schemas.DISTRIBUTION_SCHEMA))
    document.pop("title", None)
    distribution = copy.deepcopy(document)
    # Output: storage_key is shown to the publisher's stewards only, and restricted
    # files are reached through data_url, so the input's alternatives do not apply.
    for member in ("anyOf", "if", "then"):
        distribution.pop(member, None)
    distribution["properties"].update(
        {
            "id": _read_only({"type": "string", "format": "uuid"}),
            "data_url": _read_only({"type": "string", "format": "uri"}),
            "created": _read_only(_TIME),
            "modified": _read_only(_TIME),
        }
    )
    distribution["required"] = ["id", "title", "created", "modified"]
    return {"DistributionDocument": document, "Distribution": distribution}


def _components() -> dict[str, Any]:
    common = _rewrite_refs(metadata_schemas.schema("urn:simel:schema:common:1.0"))["$defs"]
    labour = _rewrite_refs(metadata_schemas.schema(metadata_schemas.LABOUR_MIGRATION_SCHEMA))
    labour.pop("title", None)
    schemas: dict[str, Any] = {
        **common,
        "LabourMigrationProfile": labour,
        **_dataset_schemas(),
        **_distribution_schemas(),
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details.",
            "properties": {
                "type": {"type": "string", "format": "uri-reference"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "instance": {"type": "string"},
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "pointer": {"type": "string"},
                            "detail": {"type": "string"},
                        },
                        "required": ["pointer", "detail"],
                    },
                },
            },
            "required": ["type", "title", "status"],
        },
        "Links": {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}},
        "ValidationReport": {
            "type": "object",
            "description": "pySHACL results of each DCAT-AP 3.0.1 shapes file, in words.",
            "properties": {
                "dataset": {"type": "string"},
                "iri": {"type": "string", "format": "uri"},
                "conforms": {"type": "boolean", "description": "No violations."},
                "profile": {"type": "string"},
                "violations": {"type": "integer", "minimum": 0},
                "warnings": {"type": "integer", "minimum": 0},
                "infos": {"type": "integer", "minimum": 0},
                "shapes": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "properties": {
                            name: {"type": "integer", "minimum": 0}
                            for name in ("violations", "warnings", "infos")
                        },
                        "required": ["violations", "warnings", "infos"],
                        "additionalProperties": False,
                    },
                },
                "results": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "shapes": {"type": "string"},
                            "severity": {"enum": ["violation", "warning", "info"]},
                            "focus": {"type": "string"},
                            "property": _nullable({"type": "string"}),
                            "value": _nullable({"type": "string"}),
                            "message": {"type": "string"},
                        },
                        "required": ["shapes", "severity", "focus", "property", "value", "message"],
                        "additionalProperties": False,
                    },
                },
            },
            "required": [
                "dataset",
                "iri",
                "conforms",
                "profile",
                "violations",
                "warnings",
                "infos",
                "shapes",
                "results",
            ],
            "additionalProperties": False,
        },
        "CatalogQuality": {
            "type": "object",
            "properties": {
                "datasets": {"type": "integer", "minimum": 0},
                "score": {"type": "number", "minimum": 0},
                "max_score": {"const": quality.MAX_SCORE},
                "percent": {"type": "integer", "minimum": 0, "maximum": 100},
                "rating": _nullable({"enum": ["excellent", "good", "sufficient", "bad"]}),
                "by_rating": {
                    "type": "object",
                    "properties": {
                        name: {"type": "integer", "minimum": 0}
                        for name in ("excellent", "good", "sufficient", "bad")
                    },
                    "required": ["excellent", "good", "sufficient", "bad"],
                    "additionalProperties": False,
                },
                "dimensions": {
                    "type": "object",
                    "properties": {name: _ref("QualityScore") for name in quality.DIMENSIONS},
                    "required": list(quality.DIMENSIONS),
                    "additionalProperties": False,
                },
            },
            "required": [
                "datasets",
                "score",
                "max_score",
                "percent",
                "rating",
                "by_rating",
                "dimensions",
            ],
            "additionalProperties": False,
        },
        "HarvestRequest": {
            "type": "object",
            "properties": {
                "source": {"type": "string", "format": "uri"},
                "publishers": {
                    "type": "object",
                    "description": "Source publisher IRI -> organization name.",
                    "additionalProperties": {"type": "string"},
                },
                "status": {"enum": ["published", "draft"]},
                "strict": {"type": "boolean"},
            },
            "required": ["source"],
            "additionalProperties": False,
        },
        "HarvestReport": {
            "type": "object",
            "properties": {
                "source": {"type": "string"},
                "source_catalogs": {"type": "array", "items": {"type": "string"}},
                "pages": {"type": "integer", "minimum": 0},
                "datasets": {"type": "integer", "minimum": 0},
                "created": {"type": "array", "items": {"type": "string"}},
                "updated": {"type": "array", "items": {"type": "string"}},
                "unchanged": {"type": "array", "items": {"type": "string"}},
                "skipped": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "iri": {"type": "string"},
                            "errors": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "pointer": {"type": "string"},
                                        "detail": {"type": "string"},
                                    },
                                    "required": ["pointer", "detail"],
                                },
                            },
                        },
                        "required": ["iri", "errors"],
                        "additionalProperties": False,
                    },
                },
                "warnings": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"iri": {"type": "string"}, "detail": {"type": "string"}},
                        "required": ["iri", "detail"],
                        "additionalProperties": False,
                    },
                },
            },
            "required": [
                "source",
                "source_catalogs",
                "pages",
                "datasets",
                "created",
                "updated",
                "unchanged",
                "skipped",
                "warnings",
            ],
            "additionalProperties": False,
        },
        "QualityScore": {
            "type": "object",
            "properties": {
                "score": {"type": "number", "minimum": 0},
                "max_score": {"type": "integer", "minimum": 1},
            },
            "required": ["score", "max_score"],
            "additionalProperties": False,
        },
        "Quality": {
            "type": "object",
            "description": "Metadata quality after the data.europa.eu MQA "
            "(docs/metadata-quality.md).",
            "properties": {
                "score": {"type": "integer", "minimum": 0, "maximum": quality.MAX_SCORE},
                "max_score": {"const": quality.MAX_SCORE},
                "percent": {"type": "integer", "minimum": 0, "maximum": 100},
                "rating": {"enum": ["excellent", "good", "sufficient", "bad"]},
                "dimensions": {
                    "type": "object",
                    "properties": {name: _ref("QualityScore") for name in quality.DIMENSIONS},
                    "required": list(quality.DIMENSIONS),
                    "additionalProperties": False,
                },
                "checks": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "dimension": {"enum": list(quality.DIMENSIONS)},
                            "score": {"type": "integer", "minimum": 0},
                            "max_score": {"type": "integer", "minimum": 1},
                        },
                        "required": ["name", "dimension", "score", "max_score"],
                        "additionalProperties": False,
                    },
                },
            },
            "required": ["score", "max_score", "percent", "rating", "dimensions", "checks"],
            "additionalProperties": False,
        },
        "FacetValue": {
            "type": "object",
            "properties": {
                "value": {"type": "string"},
                "count": {"type": "integer", "minimum": 0},
                "label": _LANG,
            },
            "required": ["value", "count"],
            "additionalProperties": False,
        },
        "DatasetPage": {
            "type": "object",
            "properties": {
                "total": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "page_size": {"type": "integer", "minimum": 1},
                "items": {"type": "array", "items": _ref("Dataset")},
                "facets": {
                    "type": "object",
                    "propertyNames": {
                        "enum": [
                            "publisher",
                            "country",
                            "theme",
                            "access_rights",
                            "personal_data",
                            "status",
                        ]
                    },
                    "additionalProperties": {"type": "array", "items": _ref("FacetValue")},
                },
                "links": _ref("Links"),
            },
            "required": ["total", "page", "page_size", "items", "facets", "links"],
            "additionalProperties": False,
        },
        "Revision": {
            "type": "object",
            "properties": {
                "revision": {"type": "integer", "minimum": 1},
                "action": {"type": "string"},
                "actor": {"type": "string"},
                "time": _TIME,
                "status": {"enum": ["draft", "published", "withdrawn"]},
                "changes": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"path": {"type": "string"}, "old": {}, "new": {}},
                        "required": ["path", "old", "new"],
                        "additionalProperties": False,
                    },
                },
                "document": {"type": "object"},
                "links": _ref("Links"),
            },
            "required": ["revision", "action", "actor", "time", "status", "changes"],
            "additionalProperties": False,
        },
        "Organization": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "acronym": {"type": "string"},
                "title": _LANG,
                "country": _ref("countryCode"),
                "kind": {"type": "string"},
                "homepage": _nullable({"type": "string"}),
                "email": _nullable({"type": "string"}),
                "created": _TIME,
                "dataset_count": {"type": "integer", "minimum": 0},
                "links": _ref("Links"),
            },
            "required": ["name", "acronym", "title", "country", "kind", "created", "links"],
            "additionalProperties": False,
        },
        "OrganizationInput": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$"},
                "acronym": {"type": "string", "minLength": 1, "maxLength": 40},
                "title": _LANG,
                "country": _ref("countryCode"),
                "kind": {
                    "enum": [
                        "labour-ministry",
                        "migration-authority",
                        "statistics-office",
                        "foreign-affairs",
                        "regional-body",
                        "other",
                    ]
                },
                "homepage": {"type": "string"},
                "email": {"type": "string"},
            },
            "required": ["name", "acronym", "title", "country", "kind"],
            "additionalProperties": False,
        },
        "AuditEvent": {
            "type": "object",
            "properties": {
                "seq": {"type": "integer", "minimum": 1},
                "occurred_at": _TIME,
                "actor": {
                    "type": "object",
                    "properties": {
                        "type": {"enum": ["anonymous", "user", "client", "system"]},
                        "id": _nullable({"type": "string"}),
                        "name": {"type": "string"},
                    },
                    "required": ["type", "id", "name"],
                },
                "organization": _nullable({"type": "string"}),
                "action": {"type": "string"},
                "object": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "id": _nullable({"type": "string"}),
                    },
                    "required": ["type", "id"],
                },
                "details": {"type": "object"},
                "prev_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            },
            "required": [
                "seq",
                "occurred_at",
                "actor",
                "organization",
                "action",
                "object",
                "details",
                "prev_hash",
                "hash",
            ],
            "additionalProperties": False,
        },
    }
    return {
        "schemas": schemas,
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "A personal API token (`simel token create USER`).",
            }
        },
    }


# ------------------------------------------------------------------------------ paths


def _content(schema: dict[str, Any], media: str = JSON) -> dict[str, Any]:
    return {media: {"schema": schema}}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": _content(_ref("Problem"), PROBLEM)}


def _ok(schema: dict[str, Any], description: str = "OK", **headers: str) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "content": _content(schema)}
    if headers:
        response["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return response


def _param(
    name: str, where: str, description: str, schema: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {"name": name, "in": where, "description": description, "schema": schema, **extra}


NAME = _param("name", "path", "Dataset name (slug).", {"type": "string"}, required=True)
DIST_ID = _param(
    "distribution_id",
    "path",
    "Distribution id.",
    {"type": "string", "format": "uuid"},
    required=True,
)
IF_MATCH = _param("If-Match", "header", "ETag of the revision being edited.", {"type": "string"})
PAGE = _param("page", "query", "Page number, from 1.", {"type": "integer", "minimum": 1})
PAGE_SIZE = _param("page_size", "query", "Items per page.", {"type": "integer", "minimum": 1})

_ERRORS = {
    "400": _problem("Malformed request."),
    "401": _problem("Missing or invalid token."),
    "403": _problem("Not allowed for this caller."),
    "404": _problem("No such object (or not visible to the caller)."),
    "409": _problem("Conflicts with the current state."),
    "412": _problem("If-Match names an outdated revision."),
    "413": _problem("Body too large."),
    "415": _problem("Body is not JSON."),
    "422": _problem("Invalid document; `errors` lists each failing field by JSON Pointer."),
    "502": _problem("A source the catalog fetched from failed."),
    "428": _problem("If-Match is required."),
    "500": _problem("Unexpected error."),
}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: _ERRORS[code] for code in (*codes, "500")}


def _json_body(schema: dict[str, Any], *media: str) -> dict[str, Any]:
    types = media or (JSON,)
    return {"required": True, "content": {m: {"schema": schema} for m in types}}


_WRITE_ERRORS = ("400", "401", "403", "404", "413", "415", "422")


def _paths() -> dict[str, Any]:
    dataset_filters = [
        _param(
            "q",
            "query",
            "Free text; accent- and case-insensitive, word prefixes.",
            {"type": "string"},
        ),
        *[
            _param(
                f,
                "query",
                f"Filter by {f.replace('_', ' ')} (repeat or comma-separate for OR).",
                {"type": "array", "items": {"type": "string"}},
                style="form",
                explode=True,
            )
            for f in ("publisher", "country", "theme", "access_rights", "personal_data", "status")
        ],
        _param(
            "sort",
            "query",
            "Order of results (quality: best metadata quality score first).",
            {"enum": ["relevance", "modified", "title", "name", "quality"]},
        ),
        _param(
            "min_quality",
            "query",
            "Only datasets whose metadata quality score (quality.score) reaches this.",
            {"type": "integer", "minimum": 0, "maximum": quality.MAX_SCORE},
        ),
        PAGE,
        PAGE_SIZE,
    ]
    dataset_ok = _ok(_ref("Dataset"), "The dataset.", ETag="The revision, for If-Match.")
    distribution_ok = _ok(_ref("Distribution"), "The distribution.", ETag="The dataset's revision.")
    return {
        "/api/v1": {
            "get": {
                "operationId": "api_v1.index",
                "summary": "Entry point with links.",
                "responses": {"200": _ok({"type": "object"})},
            }
        },
        "/api/v1/me": {
            "get": {
                "operationId": "api_v1.me",
                "summary": "The caller's identity and roles.",
                "responses": {"200": _ok({"type": "object"}), **_errors("401")},
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "api_v1.openapi_document",
                "summary": "This document.",
                "responses": {"200": _ok({"type": "object"})},
            }
        },
        "/api/v1/organizations": {
            "get": {
                "operationId": "api_v1.list_organizations",
                "summary": "List organizations.",
                "parameters": [
                    _param("country", "query", "ISO 3166-1 alpha-3 code.", {"type": "string"})
                ],
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "properties": {
                                "total": {"type": "integer"},
                                "items": {"type": "array", "items": _ref("Organization")},
                            },
                            "required": ["total", "items"],
                            "additionalProperties": False,
                        }
                    ),
                    **_errors(),
                },
            },
            "post": {
                "operationId": "api_v1.create_organization",
                "summary": "Register an organization.",
                "requestBody": _json_body(_ref("OrganizationInput")),
                "responses": {
                    "201": _ok(_ref("Organization"), "Created."),
                    **_errors(*_WRITE_ERRORS, "409"),
                },
            },
        },
        "/api/v1/organizations/{name}": {
            "get": {
                "operationId": "api_v1.get_organization",
                "summary": "One organization.",
                "parameters": [
                    _param("name", "path", "Organization name.", {"type": "string"}, required=True)
                ],
                "responses": {"200": _ok(_ref("Organization")), **_errors("404")},
            }
        },
        "/api/v1/datasets": {
            "get": {
                "operationId": "api_v1.list_datasets",
                "summary": "Search and browse datasets, with facet counts.",
                "parameters": dataset_filters,
                "responses": {
                    "200": _ok(_ref("DatasetPage"), Link="RFC 8288 paging links."),
                    **_errors("400", "401"),
                },
            },
            "post": {
                "operationId": "api_v1.create_dataset",
                "summary": "Register a dataset (a draft unless status=published).",
                "parameters": [
                    _param("status", "query", "Initial status.", {"enum": ["draft", "published"]})
                ],
                "requestBody": _json_body(_ref("DatasetDocument")),
                "responses": {
                    "201": {**dataset_ok, "description": "Created."},
                    **_errors(*_WRITE_ERRORS, "409"),
                },
            },
        },
        "/api/v1/datasets/{name}": {
            "parameters": [NAME],
            "get": {
                "operationId": "api_v1.get_dataset",
                "summary": "One dataset.",
                "parameters": [
                    _param("If-None-Match", "header", "A known ETag.", {"type": "string"})
                ],
                "responses": {
                    "200": dataset_ok,
                    "304": {"description": "Not modified."},
                    **_errors("401", "404"),
                },
            },
            "put": {
                "operationId": "api_v1.replace_dataset",
                "summary": "Replace the dataset's document.",
                "parameters": [{**IF_MATCH, "required": True}],
                "requestBody": _json_body(_ref("DatasetDocument")),
                "responses": {"200": dataset_ok, **_errors(*_WRITE_ERRORS, "412", "428")},
            },
            "patch": {
                "operationId": "api_v1.patch_dataset",
                "summary": "Change part of the document (RFC 7396 JSON merge patch).",
                "parameters": [{**IF_MATCH, "required": True}],
                "requestBody": _json_body({"type": "object"}, "application/merge-patch+json", JSON),
                "responses": {"200": dataset_ok, **_errors(*_WRITE_ERRORS, "412", "428")},
            },
            "delete": {
                "operationId": "api_v1.delete_dataset",
                "summary": "Delete a never-published draft.",
                "parameters": [IF_MATCH],
                "responses": {
                    "204": {"description": "Deleted."},
                    **_errors("401", "403", "404", "409", "412"),
                },
            },
        },
        "/api/v1/datasets/{name}/publish": {
            "parameters": [NAME],
            "post": {
                "operationId": "api_v1.publish_dataset",
                "summary": "Publish a draft or reinstate a withdrawn dataset.",
                "parameters": [IF_MATCH],
                "responses": {
                    "200": dataset_ok,
                    **_errors("401", "403", "404", "409", "412", "422"),
                },
            },
        },
        "/api/v1/datasets/{name}/withdraw": {
            "parameters": [NAME],
            "post": {
                "operationId": "api_v1.withdraw_dataset",
                "summary": "Withdraw a published dataset (kept on record with the reason).",
                "parameters": [IF_MATCH],
                "requestBody": _json_body(
                    {
                        "type": "object",
                        "properties": {"reason": {"type": "string", "minLength": 1}},
                        "required": ["reason"],
                    }
                ),
                "responses": {"200": dataset_ok, **_errors(*_WRITE_ERRORS, "409", "412")},
            },
        },
        "/api/v1/datasets/{name}/revisions": {
            "parameters": [NAME],
            "get": {
                "operationId": "api_v1.list_dataset_revisions",
                "summary": "The dataset's history, newest first.",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "properties": {
                                "dataset": {"type": "string"},
                                "items": {"type": "array", "items": _ref("Revision")},
                            },
                            "required": ["dataset", "items"],
                            "additionalProperties": False,
                        }
                    ),
                    **_errors("401", "404"),
                },
            },
        },
        "/api/v1/datasets/{name}/revisions/{revision}": {
            "parameters": [
                NAME,
                _param("revision", "path", "Revision number.", {"type": "integer"}, required=True),
            ],
            "get": {
                "operationId": "api_v1.get_dataset_revision",
                "summary": "One revision with the document after it.",
                "responses": {"200": _ok(_ref("Revision")), **_errors("401", "404")},
            },
        },
        "/api/v1/datasets/{name}/distributions": {
            "parameters": [NAME],
            "get": {
                "operationId": "api_v1.list_distributions",
                "summary": "The dataset's distributions.",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "properties": {
                                "dataset": {"type": "string"},
                                "items": {"type": "array", "items": _ref("Distribution")},
                            },
                            "required": ["dataset", "items"],
                            "additionalProperties": False,
                        }
                    ),
                    **_errors("401", "404"),
                },
            },
            "post": {
                "operationId": "api_v1.create_distribution",
                "summary": "Add a distribution.",
                "parameters": [IF_MATCH],
                "requestBody": _json_body(_ref("DistributionDocument")),
                "responses": {
                    "201": {**distribution_ok, "description": "Created."},
                    **_errors(*_WRITE_ERRORS, "412"),
                },
            },
        },
        "/api/v1/datasets/{name}/distributions/{distribution_id}": {
            "parameters": [NAME, DIST_ID],
            "get": {
                "operationId": "api_v1.get_distribution",
                "summary": "One distribution.",
                "responses": {"200": distribution_ok, **_errors("401", "404")},
            },
            "put": {
                "operationId": "api_v1.update_distribution",
                "summary": "Replace a distribution.",
                "parameters": [IF_MATCH],
                "requestBody": _json_body(_ref("DistributionDocument")),
                "responses": {"200": distribution_ok, **_errors(*_WRITE_ERRORS, "412")},
            },
            "patch": {
                "operationId": "api_v1.update_distribution#patch",
                "summary": "Merge-patch a distribution.",
                "parameters": [IF_MATCH],
                "requestBody": _json_body({"type": "object"}, "application/merge-patch+json", JSON),
                "responses": {"200": distribution_ok, **_errors(*_WRITE_ERRORS, "412")},
            },
            "delete": {
                "operationId": "api_v1.delete_distribution",
                "summary": "Remove a distribution.",
                "parameters": [IF_MATCH],
                "responses": {
                    "204": {"description": "Deleted."},
                    **_errors("401", "403", "404", "412"),
                },
            },
        },
        "/api/v1/datasets/{name}/validation": {
            "parameters": [NAME],
            "get": {
                "operationId": "api_v1.validate_dataset",
                "summary": "The dataset's DCAT-AP 3.0.1 SHACL report, in plain words.",
                "responses": {"200": _ok(_ref("ValidationReport")), **_errors("401", "404")},
            },
        },
        "/api/v1/quality": {
            "get": {
                "operationId": "api_v1.catalog_quality",
                "summary": "The catalog's metadata quality (mean over the listed datasets).",
                "responses": {"200": _ok(_ref("CatalogQuality")), **_errors("401")},
            }
        },
        "/api/v1/harvest/dcat": {
            "post": {
                "operationId": "api_v1.harvest",
                "summary": "Harvest a DCAT catalog from a URL, or from the RDF document sent.",
                "parameters": [
                    _param(
                        "strict",
                        "query",
                        "RDF body only: harvest nothing if any record cannot be mapped.",
                        {"type": "boolean"},
                    ),
                    _param(
                        "status",
                        "query",
                        "RDF body only: status of new datasets.",
                        {"enum": ["published", "draft"]},
                    ),
                    _param(
                        "publisher",
                        "query",
                        "RDF body only: SOURCE-PUBLISHER-IRI=ORGANIZATION (repeatable).",
                        {"type": "array", "items": {"type": "string"}},
                        style="form",
                        explode=True,
                    ),
                    _param(
                        "source",
                        "query",
                        "RDF body only: where the document came from (base IRI, label).",
                        {"type": "string"},
                    ),
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        JSON: {"schema": _ref("HarvestRequest")},
                        **{
                            media: {"schema": {"type": "string"}}
                            for media in (
                                "text/turtle",
                                "application/ld+json",
                                "application/rdf+xml",
                                "application/n-triples",
                                "application/trig",
                                "application/n-quads",
                            )
                        },
                    },
                },
                "responses": {
                    "200": _ok(_ref("HarvestReport")),
                    **_errors(*_WRITE_ERRORS, "502"),
                },
            }
        },
        "/api/v1/audit/events": {
            "get": {
                "operationId": "api_v1.list_audit_events",
                "summary": "Audit events, newest first.",
                "parameters": [
                    _param("since", "query", "From this time (ISO 8601).", {"type": "string"}),
                    _param("until", "query", "Before this time (ISO 8601).", {"type": "string"}),
                    _param("organization", "query", "Organization name.", {"type": "string"}),
                    _param(
                        "action", "query", "Action, or a prefix ending in '.'.", {"type": "string"}
                    ),
                    _param("object_type", "query", "Object type.", {"type": "string"}),
                    _param("object_id", "query", "Object id.", {"type": "string"}),
                    PAGE,
                    PAGE_SIZE,
                ],
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "properties": {
                                "total": {"type": "integer"},
                                "page": {"type": "integer"},
                                "page_size": {"type": "integer"},
                                "items": {"type": "array", "items": _ref("AuditEvent")},
                                "links": _ref("Links"),
                            },
                            "required": ["total", "page", "page_size", "items", "links"],
                            "additionalProperties": False,
                        }
                    ),
                    **_errors("400", "401", "403", "404"),
                },
            }
        },
        "/api/v1/audit/verification": {
            "get": {
                "operationId": "api_v1.verify_audit_chain",
                "summary": "Verify the audit hash chain.",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "properties": {
                                "ok": {"type": "boolean"},
                                "events_checked": {"type": "integer"},
                                "broken_seq": _nullable({"type": "integer"}),
                                "reason": _nullable({"type": "string"}),
                            },
                            "required": ["ok", "events_checked", "broken_seq", "reason"],
                            "additionalProperties": False,
                        }
                    ),
                    **_errors("401", "403"),
                },
            }
        },
    }


def build_document(app: Flask, *, server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document, with each operation's access rule from its route."""
    paths = _paths()
    endpoint_rules: dict[str, Callable[..., Any]] = dict(app.view_functions)
    for item in paths.values():
        for method, operation in item.items():
            if method == "parameters":
                continue
            endpoint = operation["operationId"].split("#")[0]
            rule = rule_of(endpoint_rules[endpoint]) if endpoint in endpoint_rules else None
            if rule is None:
                continue
            operation["x-simel-access"] = rule.describe()
            operation["description"] = f"Who may call: {rule.describe()}."
            operation["security"] = [] if rule.public else [{"bearer": []}]
            if rule.public:
                # Public operations still honour a token (drafts of one's organization).
                operation["security"] = [{}, {"bearer": []}]
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "SIMEL Catalog API",
            "version": "1.0.0",
            "summary": "Datasets, governance and data sharing of the SIMEL labour-market "
            "information systems of Guatemala, El Salvador, Honduras, Mexico and Belize.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": _components(),
    }
