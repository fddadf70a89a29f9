"""Checks of submitted documents beyond their JSON Schema.

The schema says what shape a document has; these checks say whether its values make
sense in this catalog (the publisher exists, codes belong to their vocabularies...).
Every check returns :class:`FieldError`s with JSON Pointers so a caller can point at
the exact field; nothing here writes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import metadata_schemas
from catalog.errors import FieldError, InvalidMetadata
from catalog.vocabularies import (
    CONSENT_FIELDS,
    DATASET_FIELDS,
    DISTRIBUTION_FIELDS,
    LEGAL_BASIS_FIELDS,
    code_errors,
)

_DATE = re.compile(r"[12][0-9]{3}-[0-9]{2}-[0-9]{2}")


def schema_errors(schema_id: str, document: Any, *, prefix: str = "") -> list[FieldError]:
    """Violations of the JSON Schema ``schema_id``, pointers prefixed with ``prefix``."""
    return [
        FieldError(prefix + pointer, message)
        for pointer, message in metadata_schemas.iter_errors(schema_id, document)
    ]


def require_object(document: Any, what: str) -> Mapping[str, Any]:
    """Return ``document`` if it is a JSON object.

    Raises:
        InvalidMetadata: it is not an object.
    """
    if not isinstance(document, Mapping):
        raise InvalidMetadata(
            f"the {what} must be a JSON object", [FieldError("", "expected a JSON object")]
        )
    return document


def _merged(schema: list[FieldError], codes: list[FieldError]) -> list[FieldError]:
    # A code error says more than the schema's pattern or enum failure on the same
    # value (it names the vocabulary and suggests codes), so it replaces it.
    coded = {error.pointer for error in codes}
    return [error for error in schema if error.pointer not in coded] + codes


def dataset_document_errors(document: Mapping[str, Any], *, prefix: str = "") -> list[FieldError]:
    """Every problem with a dataset document that can be found without the database."""
    errors = _merged(
        schema_errors(metadata_schemas.DATASET_SCHEMA, document, prefix=prefix),
        code_errors(document, DATASET_FIELDS, prefix=prefix),
    )
    return errors + _reversed_periods(document, prefix)


def _reversed_periods(document: Mapping[str, Any], prefix: str) -> list[FieldError]:
    # A schema cannot compare two members. Checked beside the schema's own findings, so
    # that a report lists every problem; dates the schema refuses are not compared.
    temporal = document.get("temporal")
    profile = document.get("labour_migration")
    periods = list(enumerate(temporal)) if isinstance(temporal, list) else []
    found = [(f"/temporal/{i}", period) for i, period in periods]
    if isinstance(profile, Mapping):
        found.append(("/labour_migration/reference_period", profile.get("reference_period")))
    return [
        FieldError(f"{prefix}{pointer}/end", f"must not be before the start ({period['start']})")
        for pointer, period in found
        if isinstance(period, Mapping)
        and all(_is_date(period.get(bound)) for bound in ("start", "end"))
        and period["end"] < period["start"]
    ]


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and _DATE.fullmatch(value) is not None


def distribution_document_errors(
    document: Mapping[str, Any], *, prefix: str = ""
) -> list[FieldError]:
    """Every problem with a distribution document that can be found without the database."""
    return _merged(
        schema_errors(metadata_schemas.DISTRIBUTION_SCHEMA, document, prefix=prefix),
        code_errors(document, DISTRIBUTION_FIELDS, prefix=prefix),
    )


def legal_basis_document_errors(
    document: Mapping[str, Any], *, prefix: str = ""
) -> list[FieldError]:
    """Every problem with a legal-basis document that can be found without the database."""
    errors = _merged(
        schema_errors(metadata_schemas.LEGAL_BASIS_SCHEMA, document, prefix=prefix),
        code_errors(document, LEGAL_BASIS_FIELDS, prefix=prefix),
    )
    start, end = document.get("valid_from"), document.get("valid_until")
    if not errors and isinstance(start, str) and isinstance(end, str) and end < start:
        errors.append(FieldError(f"{prefix}/valid_until", f"is before valid_from ({start})"))
    return errors


def consent_document_errors(document: Mapping[str, Any], *, prefix: str = "") -> list[FieldError]:
    """Every problem with a consent-record document that can be found without the database."""
    return _merged(
        schema_errors(metadata_schemas.CONSENT_SCHEMA, document, prefix=prefix),
        code_errors(document, CONSENT_FIELDS, prefix=prefix),
    )


def consent_event_errors(document: Mapping[str, Any], *, prefix: str = "") -> list[FieldError]:
    """Every problem with a consent-event document that can be found without the database."""
    return schema_errors(metadata_schemas.CONSENT_EVENT_SCHEMA, document, prefix=prefix)
