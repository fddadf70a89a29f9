"""The policy engine wired to the catalog: DPV hierarchy, compiled-policy cache, evaluation.

:mod:`policies` is pure and knows nothing of the catalog. This module gives it:

* a :class:`policies.Hierarchy` whose purposes are the DPV purpose tree of the
  ``purposes`` vocabulary (``skos:broader``), so ``purpose isA dpv:PublicBenefit`` holds
  for ``dpv:ProvideOfficialStatistics``;
* compiled policies, cached per stored policy revision (a revision never changes, so the
  cache never needs invalidating; it is bounded, least recently used out first);
* :func:`evaluate_request`, behind ``POST /api/v1/policies/evaluate``: "would this
  request be allowed, and why", with no side effect at all (no write, no audit event).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from sqlmodel import Session, select

import metadata_schemas
from catalog.dataset_policies import get_policy
from catalog.db import utcnow
from catalog.errors import FieldError, InvalidMetadata
from catalog.iris import dataset_iri, organization_iri, organization_name
from catalog.models import DatasetPolicy, Organization
from catalog.principals import Principal
from catalog.validation import require_object, schema_errors
from policies import (
    CompiledPolicy,
    Decision,
    Hierarchy,
    PolicyError,
    RequestContext,
    compile_policy,
    from_jsonld,
)
from vocab import get_registry

_CACHE_SIZE = 512


@cache
def hierarchy() -> Hierarchy:
    """The broader-term relations the engine consults: DPV purposes from the vocabulary."""
    scheme = get_registry().scheme("purposes")
    purposes = {
        concept.iri: tuple(scheme[parent].iri for parent in concept.broader) for concept in scheme
    }
    return Hierarchy(purposes=purposes)


class _CompiledCache:
    """Compiled policies by stored revision, bounded, safe to share between threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[uuid.UUID, int], CompiledPolicy] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, row: DatasetPolicy) -> CompiledPolicy:
        # The dataset's UUID, not the row's serial id: a serial id is reused by another
        # database (a restored backup, each test's), a UUID is not.
        key = (row.dataset_id, row.revision)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        compiled = compile_policy(from_jsonld(row.document))
        with self._lock:
            self._items[key] = compiled
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return compiled

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_compiled = _CompiledCache(_CACHE_SIZE)


def compiled(row: DatasetPolicy) -> CompiledPolicy:
    """The compiled form of a stored policy revision (cached)."""
    return _compiled.get(row)


# ----------------------------------------------------------------------------- evaluation

_NAME = {"type": "string", "minLength": 1, "maxLength": 2000}
_MOMENT = {"$ref": "urn:simel:schema:common:1.0#/$defs/dateTime"}
EVALUATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A request to evaluate: which policy (a dataset's offer, or one given "
    "inline) and the request's context.",
    "properties": {
        "dataset": {
            "description": "Name of the dataset whose offer to evaluate.",
            **_NAME,
        },
        "policy": {
            "description": "An ODRL policy (compact JSON-LD) to evaluate instead of an offer.",
            "type": "object",
        },
        "request": {
            "type": "object",
            "properties": {
                "action": {
                    "description": "ODRL action: term (use), compact IRI (odrl:read) or IRI.",
                    **_NAME,
                },
                "assignee": {
                    "description": "Requesting organization: its name in the catalog or an IRI. "
                    "Default: the caller's organization, if it has just one.",
                    **_NAME,
                },
                "assignee_country": {
                    "description": "Its country (ISO 3166-1 alpha-3). Default: the "
                    "assignee organization's country.",
                    "type": "string",
                    "pattern": "^[A-Z]{3}$",
                },
                "purpose": {
                    "description": "DPV purpose: its code in the purposes vocabulary or its IRI.",
                    **_NAME,
                },
                "recipient": {
                    "description": "Who receives the result (organization name or IRI); "
                    "default: the assignee.",
                    **_NAME,
                },
                "target": {
                    "description": "IRI of the requested asset; default: the dataset's IRI.",
                    **_NAME,
                },
                "time": {"description": "When; default now.", **_MOMENT},
                "elapsed_start": {
                    "description": "Start of the period odrl:elapsedTime measures.",
                    **_MOMENT,
                },
                "use_count": {"type": "integer", "minimum": 1},
                "min_cell_size": {
                    "description": "Smallest cell count of the output; omit for record-level.",
                    "type": "integer",
                    "minimum": 1,
                },
                "fulfilled_duties": {"type": "array", "items": _NAME},
                "violated_duties": {"type": "array", "items": _NAME},
            },
            "required": ["action"],
            "additionalProperties": False,
        },
    },
    "required": ["request"],
    "oneOf": [{"required": ["dataset"]}, {"required": ["policy"]}],
    "additionalProperties": False,
}


@cache
def _evaluation_validator() -> Draft202012Validator:
    return metadata_schemas.make_validator(EVALUATION_SCHEMA, with_registry=True)


def _body_errors(body: Mapping[str, Any]) -> list[FieldError]:
    return [
        FieldError(pointer, message)
        for pointer, message in metadata_schemas.describe(_evaluation_validator(), body)
    ]


def _moment(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _organization(session: Session, name: str) -> Organization | None:
    return session.exec(select(Organization).where(Organization.name == name)).first()


def _party(
    session: Session, value: str, base_uri: str, pointer: str
) -> tuple[str, Organization | None]:
    if ":" in value:  # an IRI, used as given (and known if the catalog minted it)
        name = organization_name(base_uri, value)
        return value, _organization(session, name) if name else None
    organization = _organization(session, value)
    if organization is None:
        raise InvalidMetadata(
            "the request is not valid", [FieldError(pointer, f"no organization is named '{value}'")]
        )
    return organization_iri(base_uri, organization.name), organization


def _purpose(value: str) -> str:
    scheme = get_registry().scheme("purposes")
    concept = scheme.by_code(value)
    if concept is not None:
        return concept.iri
    if ":" in value:
        return value
    suggestions = scheme.suggest_codes(value, n=5)
    raise InvalidMetadata(
        "the request is not valid",
        [
            FieldError(
                "/request/purpose",
                f"'{value}' is not a code of the DPV purposes vocabulary",
                {"code": value, "scheme": "purposes", "suggestions": suggestions},
            )
        ],
    )


def request_context(
    session: Session,
    *,
    actor: Principal,
    request: Mapping[str, Any],
    target: str | None,
    base_uri: str,
) -> RequestContext:
    """Build the engine's request from the API's ``request`` object (names become IRIs).

    Raises:
        InvalidMetadata: an unknown organization or purpose, or values the engine refuses.
    """
    assignee: str | None = None
    organization: Organization | None = None
    if "assignee" in request:
        assignee, organization = _party(session, request["assignee"], base_uri, "/request/assignee")
    elif len(actor.organization_ids) == 1:
        (only,) = actor.organization_ids
        organization = session.get(Organization, only)
        if organization is not None:
            assignee = organization_iri(base_uri, organization.name)
    country = request.get("assignee_country") or (organization.country if organization else None)
    recipient = None
    if "recipient" in request:
        recipient, _ = _party(session, request["recipient"], base_uri, "/request/recipient")
    try:
        return RequestContext(
            action=request["action"],
            time=_moment(request["time"]) if "time" in request else utcnow(),
            assignee=assignee,
            assignee_country=country,
            target=request.get("target", target),
            purpose=_purpose(request["purpose"]) if "purpose" in request else None,
            recipient=recipient,
            elapsed_start=(
                _moment(request["elapsed_start"]) if "elapsed_start" in request else None
            ),
            use_count=request.get("use_count"),
            min_cell_size=request.get("min_cell_size"),
            fulfilled_duties=frozenset(request.get("fulfilled_duties", ())),
            violated_duties=frozenset(request.get("violated_duties", ())),
        )
    except ValueError as exc:
        raise InvalidMetadata(
            "the request is not valid", [FieldError("/request", str(exc))]
        ) from exc


def evaluate_request(
    session: Session, *, actor: Principal, body: Any, base_uri: str
) -> tuple[Decision, dict[str, Any]]:
    """Decide a request against a dataset's offer or an inline policy, explained; no side effects.

    Returns the decision and what was evaluated (``{"dataset", "policy_revision"}``).

    Raises:
        InvalidMetadata: the body, the inline policy or the request is invalid (pointers
            into the body).
        NotFound: the dataset is not visible to the caller, or has no offer.
    """
    body = require_object(body, "evaluation request")
    errors = _body_errors(body)
    if errors:
        raise InvalidMetadata("the evaluation request is not valid", errors)
    source: dict[str, Any] = {"dataset": None, "policy_revision": None}
    target: str | None = None
    if "dataset" in body:
        dataset, row = get_policy(session, actor=actor, name=body["dataset"])
        compiled_policy = compiled(row)
        target = dataset_iri(base_uri, dataset.name)
        source = {"dataset": dataset.name, "policy_revision": row.revision}
    else:
        inline = body["policy"]
        errors = schema_errors(metadata_schemas.ODRL_POLICY_SCHEMA, inline, prefix="/policy")
        if errors:
            raise InvalidMetadata("the policy is not valid", errors)
        try:
            compiled_policy = compile_policy(from_jsonld(inline))
        except PolicyError as exc:
            raise InvalidMetadata(
                "the policy is not valid", [FieldError("/policy" + exc.pointer, exc.message)]
            ) from exc
    context = request_context(
        session, actor=actor, request=body["request"], target=target, base_uri=base_uri
    )
    return compiled_policy.evaluate(context, hierarchy=hierarchy()), source
