"""The OpenAPI 3.1 description of the JSON API.

Request bodies reuse the catalog's own JSON Schemas (``metadata_schemas``), with their
``urn:`` references rewritten to components, so the document states exactly what the
API validates. Each operation also states who may call it, taken from the route's
declared access rule, so the docs and the authorization table cannot drift apart.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import Flask

import metadata_schemas
from api.auth import rule_of
from api.context import takes_write_lock
from api.v1 import sdmx, vocab
from api.v1.common import MAX_PAGE
from catalog import formats, quality
from catalog.formats import Format

JSON = formats.JSON.media_type
LD_JSON = formats.JSON_LD.media_type
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


def _page_of(items: dict[str, Any], **members: dict[str, Any]) -> dict[str, Any]:
    """A page of a paged listing: its items, the total, the page, its links (and members)."""
    return {
        "type": "object",
        "properties": {
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1},
            **members,
            "items": {"type": "array", "items": items},
            "links": _ref("Links"),
        },
        "required": ["total", "page", "page_size", *members, "items", "links"],
        "additionalProperties": False,
    }


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
        "sdmx": _ref("DatasetSdmx"),
        "governance": _ref("GovernanceSummary"),
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
        *[m for m in server_members if m not in {"withdrawn", "sdmx", "governance", "harvest"}],
    ]
    dataset_input = copy.deepcopy(document)
    dataset_input["description"] = (
        "A dataset document. Server members (id, revision, links...) may be sent back "
        "as received and are ignored. A `status` or `distributions` other than the "
        "dataset's, though, is refused (422, at /status or /distributions), not ignored: "
        "the status changes through POST .../publish and .../withdraw (a new dataset's is "
        "draft, or published with ?status=published), and distributions through the "
        "dataset's distribution endpoints (a new dataset has none: an empty list passes)."
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


def _organization_input() -> dict[str, Any]:
    schema = _rewrite_refs(metadata_schemas.schema(metadata_schemas.ORGANIZATION_SCHEMA))
    schema.pop("title", None)
    result: dict[str, Any] = schema
    return result


SCOPE_DESCRIPTIONS = {
    "catalog:read": "See the catalog, including the own organization's drafts.",
    "catalog:write": "Create and change the organization's metadata (stewards).",
    "governance:write": "Record legal bases, consents and policies (stewards).",
    "requests:write": "File and withdraw data access requests (requesters).",
    "agreements:sign": "Sign data-sharing agreements (signatories, people only).",
    "audit:read": "Read the audit log and everyone's records (auditors).",
    "data:read": "Download restricted data covered by an active agreement (requesters).",
    "admin": "Administer the catalog (administrators).",
}
_GRANTS = ["client_credentials", "authorization_code", "refresh_token"]
_CLIENT_ROLES = ["auditor", "requester", "steward"]


def _client_schemas() -> dict[str, Any]:
    scopes = {"type": "array", "items": {"enum": list(SCOPE_DESCRIPTIONS)}, "uniqueItems": True}
    properties: dict[str, Any] = {
        "client_id": {"type": "string"},
        "name": {"type": "string"},
        "organization": {"type": "string"},
        "grant_types": {"type": "array", "items": {"enum": _GRANTS}},
        "scopes": scopes,
        "roles": {"type": "array", "items": {"enum": _CLIENT_ROLES}},
        "redirect_uris": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "public": {"type": "boolean"},
        "token_endpoint_auth_method": {"enum": ["client_secret_basic", "none"]},
        "can_introspect": {"type": "boolean"},
        "created": _TIME,
        "created_by": {"type": "string"},
        "revoked_at": _nullable(_TIME),
        "links": _ref("Links"),
    }
    client = {
        "type": "object",
        "description": "A registered OAuth client. Secrets are never shown again.",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    created = {
        "type": "object",
        "description": "The new client, with its secret (null for public clients): store "
        "it now, it is kept only as a hash.",
        "properties": {**properties, "client_secret": _nullable({"type": "string"})},
        "required": [*properties, "client_secret"],
        "additionalProperties": False,
    }
    registration = {
        "type": "object",
        "description": "A client registration. Confidential clients using client_credentials "
        "act with `roles` in their organization; public clients (browser or command-line "
        "apps) use authorization_code with PKCE.",
        "properties": {
            "organization": {"type": "string", "description": "The owning organization."},
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "grant_types": {"type": "array", "items": {"enum": _GRANTS}, "minItems": 1},
            "scopes": {**scopes, "minItems": 1},
            "redirect_uris": {"type": "array", "items": {"type": "string"}},
            "roles": {"type": "array", "items": {"enum": _CLIENT_ROLES}},
            "public": {"type": "boolean", "default": False},
            "can_introspect": {
                "type": "boolean",
                "default": False,
                "description": "A resource server that may introspect any token.",
            },
        },
        "required": ["organization", "name", "grant_types", "scopes"],
        "additionalProperties": False,
    }
    return {"OAuthClient": client, "OAuthClientCreated": created, "OAuthClientInput": registration}


def _components(server_url: str) -> dict[str, Any]:
    from api.v1 import openapi_governance, openapi_sharing

    common = _rewrite_refs(metadata_schemas.schema("urn:simel:schema:common:1.0"))["$defs"]
    labour = _rewrite_refs(metadata_schemas.schema(metadata_schemas.LABOUR_MIGRATION_SCHEMA))
    labour.pop("title", None)
    schemas: dict[str, Any] = {
        **common,
        "LabourMigrationProfile": labour,
        **_dataset_schemas(),
        **_distribution_schemas(),
        **openapi_governance.components(),
        **openapi_sharing.components(),
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
        "OrganizationInput": _organization_input(),
        "VocabularyList": {
            "type": "object",
            "properties": {
                "total": {"type": "integer"},
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "iri": {"type": "string", "format": "uri"},
                            "titles": _LANG,
                            "concept_count": {"type": "integer", "minimum": 0},
                            "links": _ref("Links"),
                        },
                        "required": ["name", "iri", "titles", "concept_count", "links"],
                        "additionalProperties": False,
                    },
                },
            },
            "required": ["total", "items"],
            "additionalProperties": False,
        },
        "Concept": {
            "type": "object",
            "description": "A SKOS concept (codes are the canonical codes the catalog stores).",
            "properties": {
                "code": {"type": "string"},
                "iri": {"type": "string", "format": "uri"},
                "scheme": {"type": "string"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "alt_labels": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "definitions": {"type": "object", "additionalProperties": {"type": "string"}},
                "notations": {"type": "array", "items": {"type": "object"}},
                "broader": {"type": "array", "items": {"type": "string"}},
                "narrower": {"type": "array", "items": {"type": "string"}},
                "exact_matches": {"type": "array", "items": {"type": "string"}},
                "close_matches": {"type": "array", "items": {"type": "string"}},
                "broad_matches": {"type": "array", "items": {"type": "string"}},
                "narrow_matches": {"type": "array", "items": {"type": "string"}},
                "notes": {"type": "array", "items": {"type": "object"}},
                "level": {"type": "integer"},
                "links": _ref("Links"),
            },
            "required": ["code", "iri", "scheme", "labels"],
        },
        "ConceptScheme": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "iri": {"type": "string", "format": "uri"},
                "titles": {"type": "object", "additionalProperties": {"type": "string"}},
                "concept_count": {"type": "integer"},
                "top_concepts": {"type": "array", "items": {"type": "string"}},
                "concepts": {"type": "array", "items": _ref("Concept")},
            },
            "required": ["name", "iri", "titles", "concepts"],
        },
        "VocabularySearch": {
            "type": "object",
            "properties": {
                "scheme": {"type": "string"},
                "query": {"type": "string"},
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "code": {"type": "string"},
                            "iri": {"type": "string", "format": "uri"},
                            "label": {"type": "string"},
                            "labels": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                        },
                        "required": ["code", "iri", "label", "labels"],
                        "additionalProperties": False,
                    },
                },
            },
            "required": ["scheme", "query", "items"],
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
    schemas.update(_client_schemas())
    schemas.update(_sdmx_schemas())
    return {
        "schemas": schemas,
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "A personal API token (`simel token create USER`) or an "
                "OAuth 2 access token.",
            },
            "oauth2": {
                "type": "oauth2",
                "description": "OAuth 2 access tokens (docs/oauth.md). A token's rights are "
                "the intersection of its scopes and its subject's roles in the token's "
                "organization.",
                "flows": {
                    "clientCredentials": {
                        "tokenUrl": f"{server_url}/oauth/token",
                        "refreshUrl": f"{server_url}/oauth/token",
                        "scopes": SCOPE_DESCRIPTIONS,
                    },
                    "authorizationCode": {
                        "authorizationUrl": f"{server_url}/oauth/authorize",
                        "tokenUrl": f"{server_url}/oauth/token",
                        "refreshUrl": f"{server_url}/oauth/token",
                        "scopes": SCOPE_DESCRIPTIONS,
                    },
                },
            },
        },
    }


_SDMX_KIND = {"enum": ["datastructure", "dataflow", "codelist", "conceptscheme"]}
_TEXTS = {"type": "object", "additionalProperties": {"type": "string"}}


def _sdmx_schemas() -> dict[str, Any]:
    ref_members: dict[str, Any] = {
        "kind": _SDMX_KIND,
        "agency": {"type": "string"},
        "id": {"type": "string"},
        "version": {"type": "string"},
        "urn": {"type": "string", "pattern": "^urn:sdmx:org\\.sdmx\\.infomodel\\."},
    }
    ref_required = ["kind", "agency", "id", "version", "urn"]
    item = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "name": _TEXTS,
            "description": _TEXTS,
            "parent": {"type": "string"},
            "representation": {"type": "object"},
        },
        "required": ["id"],
        "additionalProperties": False,
    }
    concept = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "urn": {"type": "string"},
            "label": _TEXTS,
        },
        "required": ["id"],
        "additionalProperties": False,
    }
    summary_members: dict[str, Any] = {
        **ref_members,
        "name": _TEXTS,
        "description": _TEXTS,
        "is_final": {"type": "boolean"},
        "created": _TIME,
        "modified": _TIME,
        "links": _ref("Links"),
    }
    summary_required = [*ref_required, "name", "is_final", "created", "modified", "links"]
    components = {
        "dimensions": {"type": "array", "items": _ref("SdmxComponent")},
        "attributes": {"type": "array", "items": _ref("SdmxComponent")},
        "measures": {"type": "array", "items": _ref("SdmxComponent")},
    }
    return {
        "SdmxRef": {
            "type": "object",
            "description": "A maintainable SDMX structure by kind, agency, id and version.",
            "properties": {**ref_members, "name": _TEXTS, "stored": {"type": "boolean"}},
            "required": ref_required,
            "additionalProperties": False,
        },
        "SdmxComponent": {
            "type": "object",
            "description": "A dimension, attribute or measure of a DSD, with its concept's "
            "labels and its codelist (codes when the codelist is stored).",
            "properties": {
                "id": {"type": "string"},
                "type": {
                    "enum": [
                        "dimension",
                        "time_dimension",
                        "measure_dimension",
                        "measure",
                        "attribute",
                        "other",
                    ]
                },
                "position": {"type": "integer", "minimum": 1},
                "concept": concept,
                "role": {"type": "object"},
                "codelist": _ref("SdmxRef"),
                "codes": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string"},
                            "name": _TEXTS,
                            "parent": {"type": "string"},
                        },
                        "required": ["id"],
                        "additionalProperties": False,
                    },
                },
                "text_type": {"type": "string"},
                "usage": {"enum": ["mandatory", "conditional"]},
                "relationship": {
                    "type": "object",
                    "properties": {
                        "attached_to": {"enum": ["observation", "dimensions", "group", "dataset"]},
                        "dimensions": {"type": "array", "items": {"type": "string"}},
                        "group": {"type": "string"},
                    },
                    "required": ["attached_to"],
                    "additionalProperties": False,
                },
                "field": {
                    "type": "string",
                    "description": "The dataset field (JSON Pointer) whose codes this "
                    "dimension's codelist must contain.",
                },
            },
            "required": ["id", "type"],
            "additionalProperties": False,
        },
        "SdmxStructureSummary": {
            "type": "object",
            "properties": summary_members,
            "required": summary_required,
            "additionalProperties": False,
        },
        "SdmxStructure": {
            "type": "object",
            "description": "A stored structure with its content: a DSD's (or a dataflow's "
            "DSD's) components, a codelist's codes, a concept scheme's concepts.",
            "properties": {
                **summary_members,
                "is_partial": {"type": "boolean"},
                "codes": {"type": "array", "items": item},
                "concepts": {"type": "array", "items": item},
                "structure": _nullable(_ref("SdmxRef")),
                **components,
            },
            "required": summary_required,
            "additionalProperties": False,
        },
        "SdmxStructurePage": _page_of(_ref("SdmxStructureSummary")),
        "SdmxImportReport": {
            "type": "object",
            "description": "What an import stored: created, extended (partial codelists "
            "gaining codes), replaced (unreferenced drafts), unchanged; and what it skipped.",
            "properties": {
                "message_id": {"type": "string"},
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "created": {"type": "integer", "minimum": 0},
                "extended": {"type": "integer", "minimum": 0},
                "replaced": {"type": "integer", "minimum": 0},
                "unchanged": {"type": "integer", "minimum": 0},
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            **ref_members,
                            "outcome": {"enum": ["created", "extended", "replaced", "unchanged"]},
                            "detail": {"type": "string"},
                            "links": _ref("Links"),
                        },
                        "required": [*ref_required, "outcome", "links"],
                        "additionalProperties": False,
                    },
                },
                "skipped": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "kind": {"type": "string"},
                            "id": {"type": "string"},
                            "agency": {"type": "string"},
                            "version": {"type": "string"},
                            "urn": {"type": "string"},
                            "reason": {"type": "string"},
                            "held": {
                                "enum": ["catalog", "elsewhere", "nowhere"],
                                "description": "For an external reference (a structure the "
                                "message names but does not include): held in this catalog "
                                "(see links.self); held elsewhere, at the structure_url or "
                                "service_url the message gives (not read by the catalog); or "
                                "nowhere known, so that it resolves to nothing until imported.",
                            },
                            "structure_url": {
                                "type": "string",
                                "description": "The message's structureURL: a structure "
                                "message holding it (as written; it may be relative).",
                            },
                            "service_url": {
                                "type": "string",
                                "description": "The message's serviceURL: a registry or web "
                                "service holding it.",
                            },
                            "links": _ref("Links"),
                        },
                        "required": ["kind", "id", "reason"],
                        "additionalProperties": False,
                    },
                },
            },
            "required": [
                "message_id",
                "sha256",
                "created",
                "extended",
                "replaced",
                "unchanged",
                "items",
                "skipped",
            ],
            "additionalProperties": False,
        },
        "DatasetSdmx": {
            "type": "object",
            "description": "The dataflow or DSD a dataset conforms to, and the DSD's "
            "dimensions, attributes and measures.",
            "properties": {
                "structure": _ref("SdmxRef"),
                "dsd": _ref("SdmxRef"),
                "linked_at": _TIME,
                **components,
                "links": _ref("Links"),
            },
            "required": [
                "structure",
                "dsd",
                "linked_at",
                "dimensions",
                "attributes",
                "measures",
                "links",
            ],
            "additionalProperties": False,
        },
        "DatasetSdmxLinkInput": {
            "type": "object",
            "description": "The structure to link: its URN, or kind, agency, id and version "
            "(version 'latest' or absent: the highest stored version).",
            "properties": {
                "urn": {"type": "string"},
                "kind": {"enum": ["dataflow", "datastructure"]},
                "agency": {"type": "string"},
                "id": {"type": "string"},
                "version": {"type": "string"},
            },
            "anyOf": [{"required": ["urn"]}, {"required": ["kind", "agency", "id"]}],
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
SCHEME = _param("scheme", "path", "Vocabulary name.", {"type": "string"}, required=True)


def _format_param(offered: Sequence[Format]) -> dict[str, Any]:
    """The ``format`` query parameter of an endpoint that negotiates over ``offered``."""
    return _param(
        "format",
        "query",
        "Representation, instead of Accept.",
        {"enum": [fmt.suffix for fmt in offered]},
    )


def _negotiated(
    offered: Sequence[Format], schemas: Mapping[Format, dict[str, Any]]
) -> dict[str, Any]:
    """The response ``content`` of an endpoint that negotiates over ``offered``."""
    return {
        media_type: {"schema": schemas[fmt]} for fmt in offered for media_type in fmt.media_types
    }


FORMAT = _format_param(vocab.OFFERED)


def _rdf_or_json(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": "The resource, in the negotiated representation.",
        "content": _negotiated(
            vocab.OFFERED,
            {
                formats.JSON: schema,
                formats.TURTLE: {"type": "string"},
                formats.JSON_LD: {"type": ["object", "array"]},
            },
        ),
    }


PAGE = _param(
    "page",
    "query",
    "Page number, from 1.",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
)
# Its maximum is the configured [api] max_page_size (build_document).
PAGE_SIZE = _param("page_size", "query", "Items per page.", {"type": "integer", "minimum": 1})

_ERRORS = {
    "400": _problem("Malformed request."),
    "401": _problem("Missing or invalid token."),
    "403": _problem("Not allowed for this caller."),
    "404": _problem("No such object (or not visible to the caller)."),
    "409": _problem("Conflicts with the current state."),
    "412": _problem(
        "If-Match names another revision than the current one (an older one, one the record"
        " never had), or holds no ETag of ours (weak or foreign)."
    ),
    "413": _problem("Body too large."),
    "415": _problem("Body is not JSON."),
    "422": _problem("Invalid document; `errors` lists each failing field by JSON Pointer."),
    "406": _problem("None of the accepted media types can be produced."),
    "502": _problem("A source the catalog fetched from failed."),
    "428": _problem("If-Match is required."),
    "500": _problem("Unexpected error."),
    "503": _problem(
        "Another change held the catalog longer than a write waits; retry after the"
        " `Retry-After` seconds."
    ),
}


def _errors(*codes: str) -> dict[str, Any]:
    # Any request can be malformed (a NUL character in its address, say) or fail.
    return {code: _ERRORS[code] for code in sorted({"400", *codes, "500"})}


def _json_body(schema: dict[str, Any], *media: str) -> dict[str, Any]:
    types = media or (JSON,)
    return {"required": True, "content": {m: {"schema": schema} for m in types}}


_WRITE_ERRORS = ("400", "401", "403", "404", "413", "415", "422")


def _paths() -> dict[str, Any]:
    from api.v1 import openapi_governance, openapi_sharing

    dataset_filters = [
        _param(
            "q",
            "query",
            "Free text; accent- and case-insensitive. Words match the words they begin"
            " and their other number and gender forms; quoted phrases match exactly.",
            {"type": "string"},
        ),
        *[
            _param(
                f,
                "query",
                f"Filter by {f.replace('_', ' ')} (repeat or comma-separate for OR; an unknown"
                " value is refused with 400).",
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
                "parameters": [PAGE, PAGE_SIZE],
                "responses": {
                    "200": _ok(
                        _page_of(_ref("Revision"), dataset={"type": "string"}),
                        Link="RFC 8288 paging links.",
                    ),
                    **_errors("401", "404"),
                },
            },
        },
        "/api/v1/datasets/{name}/revisions/{revision}": {
            "parameters": [
                NAME,
                _param(
                    "revision",
                    "path",
                    "Revision number.",
                    {"type": "integer", "minimum": 1, "maximum": 2147483647},
                    required=True,
                ),
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
        **openapi_governance.paths(),
        **openapi_sharing.paths(),
        "/api/v1/vocab": {
            "get": {
                "operationId": "api_v1.list_vocabularies",
                "summary": "The controlled vocabularies (SKOS concept schemes).",
                "responses": {"200": _ok(_ref("VocabularyList")), **_errors()},
            }
        },
        "/api/v1/vocab/{scheme}": {
            "parameters": [SCHEME],
            "get": {
                "operationId": "api_v1.get_vocabulary",
                "summary": "A concept scheme as JSON, or SKOS as Turtle or JSON-LD.",
                "parameters": [FORMAT],
                "responses": {"200": _rdf_or_json(_ref("ConceptScheme")), **_errors("404", "406")},
            },
        },
        "/api/v1/vocab/{scheme}/search": {
            "parameters": [SCHEME],
            "get": {
                "operationId": "api_v1.search_vocabulary",
                "summary": "Autocomplete over labels and codes (prefix, accent-insensitive).",
                "parameters": [
                    _param(
                        "q", "query", "Start of a label or code.", {"type": "string"}, required=True
                    ),
                    _param("lang", "query", "Label language (es, en).", {"type": "string"}),
                    _param(
                        "limit",
                        "query",
                        "At most this many concepts.",
                        {"type": "integer", "default": 10, "minimum": 1, "maximum": 50},
                    ),
                ],
                "responses": {"200": _ok(_ref("VocabularySearch")), **_errors("400", "404")},
            },
        },
        "/api/v1/vocab/{scheme}/{code}": {
            "parameters": [
                SCHEME,
                _param("code", "path", "Concept code.", {"type": "string"}, required=True),
            ],
            "get": {
                "operationId": "api_v1.get_concept",
                "summary": "One concept as JSON, or SKOS as Turtle or JSON-LD.",
                "parameters": [FORMAT],
                "responses": {"200": _rdf_or_json(_ref("Concept")), **_errors("404", "406")},
            },
        },
        "/api/v1/clients": {
            "get": {
                "operationId": "api_v1.list_clients",
                "summary": "Registered OAuth clients.",
                "parameters": [
                    _param("organization", "query", "Organization name.", {"type": "string"})
                ],
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "properties": {
                                "total": {"type": "integer", "minimum": 0},
                                "items": {"type": "array", "items": _ref("OAuthClient")},
                            },
                            "required": ["total", "items"],
                            "additionalProperties": False,
                        }
                    ),
                    **_errors("401", "403", "404"),
                },
            },
            "post": {
                "operationId": "api_v1.create_client",
                "summary": "Register an OAuth client (its secret is shown once).",
                "requestBody": _json_body(_ref("OAuthClientInput")),
                "responses": {
                    "201": _ok(_ref("OAuthClientCreated"), "Created.", Location="The client."),
                    **_errors("400", "401", "403", "413", "415", "422"),
                },
            },
        },
        "/api/v1/clients/{client_id}": {
            "parameters": [
                _param("client_id", "path", "The client id.", {"type": "string"}, required=True)
            ],
            "get": {
                "operationId": "api_v1.get_client",
                "summary": "One OAuth client.",
                "responses": {"200": _ok(_ref("OAuthClient")), **_errors("401", "403", "404")},
            },
            "delete": {
                "operationId": "api_v1.revoke_client",
                "summary": "Revoke a client and every token issued to it.",
                "responses": {
                    "204": {"description": "Revoked."},
                    **_errors("401", "403", "404", "409"),
                },
            },
        },
        **_sdmx_paths(),
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
                                *(fmt.media_type for fmt in formats.RDF_FORMATS),
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
                    _param(
                        "requester",
                        "query",
                        "Organization name: the access requests and data accesses of this "
                        "requesting organization.",
                        {"type": "string"},
                    ),
                    _param(
                        "agreement",
                        "query",
                        "Agreement id: its life and every access made under it (not a UUID:"
                        " 400; no such agreement: 404).",
                        {"type": "string", "format": "uuid"},
                    ),
                    _param(
                        "up_to",
                        "query",
                        "Only events numbered at most this: the log as it stood then "
                        "(default: the latest event now).",
                        {"type": "integer", "minimum": 1},
                    ),
                    PAGE,
                    PAGE_SIZE,
                ],
                "responses": {
                    "200": _ok(
                        _page_of(
                            _ref("AuditEvent"),
                            up_to={
                                "type": "integer",
                                "minimum": 0,
                                "description": "The newest event this listing reads; every "
                                "link asks for the same, so pages do not shift.",
                            },
                        ),
                        Link="RFC 8288 paging links.",
                    ),
                    **_errors("400", "401", "403", "404"),
                },
            }
        },
        "/api/v1/audit/verification": {
            "get": {
                "operationId": "api_v1.verify_audit_chain",
                "summary": "Verify the audit hash chain.",
                "parameters": [
                    _param(
                        "anchor",
                        "query",
                        "SEQ:HASH of an event recorded earlier (a head reported before, kept "
                        "outside the catalog): the chain must still hold it, so that removed "
                        "latest events are found.",
                        {"type": "string"},
                    )
                ],
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "properties": {
                                "ok": {"type": "boolean"},
                                "events_checked": {"type": "integer"},
                                "broken_seq": _nullable({"type": "integer"}),
                                "reason": _nullable({"type": "string"}),
                                "head": _nullable(
                                    {
                                        "type": "object",
                                        "properties": {
                                            "seq": {"type": "integer"},
                                            "hash": {"type": "string"},
                                        },
                                        "required": ["seq", "hash"],
                                        "additionalProperties": False,
                                    }
                                ),
                            },
                            "required": ["ok", "events_checked", "broken_seq", "reason", "head"],
                            "additionalProperties": False,
                        }
                    ),
                    **_errors("400", "401", "403"),
                },
            }
        },
    }


def _sdmx_paths() -> dict[str, Any]:
    structure_params = [
        _param("kind", "path", "Kind of structure.", _SDMX_KIND, required=True),
        _param("agency", "path", "Maintenance agency id.", {"type": "string"}, required=True),
        _param("structure_id", "path", "Structure id.", {"type": "string"}, required=True),
        _param(
            "version",
            "path",
            "Version, or 'latest' for the highest stored one.",
            {"type": "string"},
            required=True,
        ),
    ]
    xml_schema = {"type": "string"}
    xml_content = {"schema": xml_schema}
    return {
        "/api/v1/sdmx/structures": {
            "get": {
                "operationId": "api_v1.list_sdmx_structures",
                "summary": "Stored SDMX structures (DSDs, dataflows, codelists, concept schemes).",
                "parameters": [
                    _param("kind", "query", "Only this kind.", _SDMX_KIND),
                    _param("agency", "query", "Only this agency.", {"type": "string"}),
                    PAGE,
                    PAGE_SIZE,
                ],
                "responses": {
                    "200": _ok(_ref("SdmxStructurePage"), Link="RFC 8288 paging links."),
                    **_errors("400", "401"),
                },
            },
            "post": {
                "operationId": "api_v1.import_sdmx_structures",
                "summary": "Import an SDMX-ML 2.1 structure message (all of it, or nothing).",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/xml": xml_content,
                        "text/xml": xml_content,
                        "application/vnd.sdmx.structure+xml": xml_content,
                    },
                },
                "responses": {
                    "200": _ok(_ref("SdmxImportReport"), "Nothing changed (a re-import)."),
                    "201": _ok(_ref("SdmxImportReport"), "Structures were stored or changed."),
                    **_errors("400", "401", "403", "409", "413", "415", "422"),
                },
            },
        },
        "/api/v1/sdmx/structures/{kind}/{agency}/{structure_id}/{version}": {
            "parameters": structure_params,
            "get": {
                "operationId": "api_v1.get_sdmx_structure",
                "summary": "One structure as JSON, or exported as SDMX-ML 2.1 "
                "(Accept: application/xml, or format=sdmx-ml).",
                "parameters": [
                    _format_param(sdmx.OFFERED),
                    _param(
                        "references",
                        "query",
                        "SDMX-ML only: also export the stored structures it refers to.",
                        {"enum": ["none", "children", "descendants"]},
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "The structure, in the negotiated representation.",
                        "content": _negotiated(
                            sdmx.OFFERED,
                            {formats.JSON: _ref("SdmxStructure"), formats.SDMX_ML: xml_schema},
                        ),
                    },
                    **_errors("400", "401", "404", "406"),
                },
            },
            "delete": {
                "operationId": "api_v1.delete_sdmx_structure",
                "summary": "Delete a stored structure no dataset depends on.",
                "responses": {
                    "204": {"description": "Deleted."},
                    **_errors("401", "403", "404", "409"),
                },
            },
        },
        "/api/v1/sdmx/structures/{kind}/{agency}/{structure_id}/{version}/datasets": {
            "parameters": structure_params,
            "get": {
                "operationId": "api_v1.list_sdmx_structure_datasets",
                "summary": "The datasets linked to the structure (or to a DSD using it).",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "properties": {
                                "structure": {"type": "string"},
                                "total": {"type": "integer", "minimum": 0},
                                "items": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "name": {"type": "string"},
                                            "title": _LANG,
                                            "status": {"enum": ["draft", "published", "withdrawn"]},
                                            "publisher": {"type": "string"},
                                            "structure": {"type": "string"},
                                            "links": _ref("Links"),
                                        },
                                        "required": [
                                            "name",
                                            "title",
                                            "status",
                                            "publisher",
                                            "structure",
                                            "links",
                                        ],
                                        "additionalProperties": False,
                                    },
                                },
                            },
                            "required": ["structure", "total", "items"],
                            "additionalProperties": False,
                        }
                    ),
                    **_errors("401", "404"),
                },
            },
        },
        "/api/v1/datasets/{name}/sdmx": {
            "parameters": [NAME],
            "get": {
                "operationId": "api_v1.get_dataset_sdmx",
                "summary": "The dataflow or DSD the dataset is linked to, with its components.",
                "responses": {
                    "200": _ok(_ref("DatasetSdmx"), ETag="The dataset's revision."),
                    **_errors("401", "404"),
                },
            },
            "put": {
                "operationId": "api_v1.link_dataset_sdmx",
                "summary": "Link the dataset to a stored dataflow or DSD; its codes are "
                "checked against the DSD's codelists.",
                "parameters": [IF_MATCH],
                "requestBody": _json_body(_ref("DatasetSdmxLinkInput")),
                "responses": {
                    "200": _ok(_ref("DatasetSdmx"), ETag="The dataset's revision."),
                    **_errors(*_WRITE_ERRORS, "409", "412"),
                },
            },
            "delete": {
                "operationId": "api_v1.unlink_dataset_sdmx",
                "summary": "Remove the dataset's link to its SDMX structure.",
                "parameters": [IF_MATCH],
                "responses": {
                    "204": {"description": "Unlinked."},
                    **_errors("401", "403", "404", "412"),
                },
            },
        },
    }


def build_document(app: Flask, *, server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document, with each operation's access rule from its route."""
    paths = _paths()
    page_size = {
        **PAGE_SIZE,
        "schema": {
            **PAGE_SIZE["schema"],
            "maximum": app.extensions["simel"].settings.api.max_page_size,
        },
    }
    for item in paths.values():
        for method, operation in item.items():
            if method != "parameters" and PAGE_SIZE in operation.get("parameters", []):
                operation["parameters"] = [
                    page_size if parameter == PAGE_SIZE else parameter
                    for parameter in operation["parameters"]
                ]
    endpoint_rules: dict[str, Callable[..., Any]] = dict(app.view_functions)
    for item in paths.values():
        for method, operation in item.items():
            if method == "parameters":
                continue
            endpoint = operation["operationId"].split("#")[0]
            view = endpoint_rules.get(endpoint)
            rule = rule_of(view) if view is not None else None
            if view is None or rule is None:
                continue
            if takes_write_lock(view, method):
                operation["responses"].setdefault("503", _ERRORS["503"])
            operation["x-simel-access"] = rule.describe()
            operation["description"] = f"Who may call: {rule.describe()}."
            operation["security"] = (
                [] if rule.public else [{"bearer": []}, {"oauth2": list(rule.scopes)}]
            )
            if rule.public:
                # Public operations still honour a token (drafts of one's organization),
                # so a wrong or expired one is refused rather than ignored.
                operation["security"] = [{}, {"bearer": []}]
                operation["responses"].setdefault("401", _ERRORS["401"])
            operation["responses"] = dict(sorted(operation["responses"].items()))
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
        "components": _components(server_url),
    }
