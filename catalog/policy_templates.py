"""The offer templates a steward picks from, with their parameters, in Spanish and English.

Each entry wraps a function of :mod:`policies.templates` and fills in what the catalog
knows: the offer's IRI, the publisher as assigner, the dataset as target, organization
names turned into their IRIs. The parameters are checked against a JSON Schema (shown to
clients by ``GET /api/v1/policies/templates``) and against the vocabularies, so a bad
parameter is reported with its JSON Pointer like any other field.

Template output is an ordinary ODRL Offer: a steward can fetch it as JSON-LD, edit it and
store the edited policy in its place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

import metadata_schemas
from catalog.errors import FieldError
from catalog.iris import organization_iri
from catalog.models import Organization
from catalog.vocabularies import CodedField, code_errors
from policies import Policy, terms
from policies import templates as odrl_templates


@dataclass(frozen=True)
class TemplateContext:
    """What the catalog supplies to every template."""

    uid: str
    assigner: str
    target: str
    base_uri: str
    organizations: Mapping[str, Organization]
    """Organizations named by the parameters, by name (the unknown ones are missing)."""


@dataclass(frozen=True)
class PolicyTemplate:
    """An offer template: its name, what it is for, its parameters and how to build it."""

    name: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    parameters: Mapping[str, Any]
    """JSON Schema of the ``parameters`` object; each property has es/en descriptions."""
    build: Callable[[TemplateContext, Mapping[str, Any]], Policy]
    organization_parameters: tuple[str, ...] = ()
    """Parameters that name organizations of the catalog."""
    coded_fields: tuple[CodedField, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the template's description as plain JSON values."""
        return {
            "name": self.name,
            "title": dict(self.title),
            "description": dict(self.description),
            "parameters": dict(self.parameters),
        }


def _property(
    schema: dict[str, Any], es: str, en: str, default: Any = None, *, has_default: bool = False
) -> dict[str, Any]:
    result = {**schema, "description": en, "x-description-es": es}
    if has_default:
        result["default"] = default
    return result


_MIN_CELL = {"type": "integer", "minimum": 2, "maximum": 100000}
_PURPOSE_CODES = {
    "type": "array",
    "minItems": 1,
    "uniqueItems": True,
    "items": {"type": "string", "minLength": 1, "maxLength": 200},
}
_DPV_DEFAULTS = [
    odrl_templates.STATISTICS.removeprefix(terms.DPV),
    odrl_templates.POLICY_DESIGN.removeprefix(terms.DPV),
]


def _open_data(context: TemplateContext, _parameters: Mapping[str, Any]) -> Policy:
    return odrl_templates.open_data(
        uid=context.uid, assigner=context.assigner, targets=(context.target,)
    )


def _aggregates(context: TemplateContext, parameters: Mapping[str, Any]) -> Policy:
    return odrl_templates.restricted_statistical_aggregates(
        uid=context.uid,
        assigner=context.assigner,
        targets=(context.target,),
        min_cell_size=parameters.get("min_cell_size", odrl_templates.DEFAULT_MIN_CELL_SIZE),
    )


def _binational(context: TemplateContext, parameters: Mapping[str, Any]) -> Policy:
    assignees = [context.organizations[name] for name in parameters["assignees"]]
    countries = parameters.get("recipient_countries") or list(
        dict.fromkeys(org.country for org in assignees)
    )
    return odrl_templates.binational_labour_migration_exchange(
        uid=context.uid,
        assigner=context.assigner,
        assignees=[organization_iri(context.base_uri, org.name) for org in assignees],
        recipient_countries=countries,
        targets=(context.target,),
        purposes=[terms.DPV + code for code in parameters.get("purposes", _DPV_DEFAULTS)],
        retention=parameters.get("retention", "P2Y"),
        min_cell_size=parameters.get("min_cell_size"),
    )


TEMPLATES: Mapping[str, PolicyTemplate] = {
    template.name: template
    for template in (
        PolicyTemplate(
            name="open-data",
            title={"es": "Datos abiertos (CC BY 4.0)", "en": "Open data (CC BY 4.0)"},
            description={
                "es": "Cualquiera puede usar los datos (leer, reproducir, distribuir, derivar) "
                "citando la fuente. No transfiere la titularidad.",
                "en": "Anyone may use the data (read, reproduce, distribute, derive) with "
                "attribution. Ownership is not transferred.",
            },
            parameters={"type": "object", "properties": {}, "additionalProperties": False},
            build=_open_data,
        ),
        PolicyTemplate(
            name="restricted-statistical-aggregates",
            title={
                "es": "Agregados estadísticos restringidos",
                "en": "Restricted statistical aggregates",
            },
            description={
                "es": "Solo se pueden usar y difundir agregados cuyas celdas cuenten al menos "
                "el tamaño mínimo; se prohíbe distribuir celdas menores o registros "
                "individuales. Se debe citar la fuente.",
                "en": "Only aggregates whose every cell counts at least the minimum size may be "
                "used; distributing smaller cells or record-level data is prohibited. "
                "Attribution is required.",
            },
            parameters={
                "type": "object",
                "properties": {
                    "min_cell_size": _property(
                        _MIN_CELL,
                        "Tamaño mínimo de celda de los resultados.",
                        "Smallest cell count an output may have.",
                        odrl_templates.DEFAULT_MIN_CELL_SIZE,
                        has_default=True,
                    )
                },
                "additionalProperties": False,
            },
            build=_aggregates,
        ),
        PolicyTemplate(
            name="binational-labour-migration-exchange",
            title={
                "es": "Intercambio binacional de datos de migración laboral",
                "en": "Binational labour-migration data exchange",
            },
            description={
                "es": "Los ministerios firmantes del país socio pueden usar los datos para "
                "los fines indicados, citando la fuente y borrándolos al cumplirse el plazo "
                "de conservación. Se prohíbe reidentificar a las personas, transferir la "
                "titularidad y distribuir a terceros no firmantes.",
                "en": "The partner country's signatory ministries may use the data for the "
                "given purposes, attributing the source and deleting it once the retention "
                "period has elapsed. Re-identification, transfer of ownership and "
                "distribution to non-signatories are prohibited.",
            },
            parameters={
                "type": "object",
                "properties": {
                    "assignees": _property(
                        {
                            "type": "array",
                            "minItems": 1,
                            "uniqueItems": True,
                            "items": metadata_schemas.schema("urn:simel:schema:common:1.0")[
                                "$defs"
                            ]["organizationName"],
                        },
                        "Organizaciones receptoras (nombres en el catálogo).",
                        "Receiving organizations (their names in the catalog).",
                    ),
                    "recipient_countries": _property(
                        {
                            "type": "array",
                            "minItems": 1,
                            "uniqueItems": True,
                            "items": {"type": "string", "pattern": "^[A-Z]{3}$"},
                        },
                        "Países receptores (ISO 3166-1 alfa-3); por omisión, los de las "
                        "organizaciones receptoras.",
                        "Receiving countries (ISO 3166-1 alpha-3); by default, those of the "
                        "receiving organizations.",
                    ),
                    "purposes": _property(
                        _PURPOSE_CODES,
                        "Fines DPV permitidos (códigos del vocabulario purposes).",
                        "DPV purposes allowed (codes of the purposes vocabulary).",
                        _DPV_DEFAULTS,
                        has_default=True,
                    ),
                    "retention": _property(
                        {"type": "string", "pattern": r"^P(?!$)(\d+Y)?(\d+M)?(\d+D)?$"},
                        "Plazo tras el cual el receptor debe borrar los datos (ISO 8601).",
                        "Period after which the recipient must delete the data (ISO 8601).",
                        "P2Y",
                        has_default=True,
                    ),
                    "min_cell_size": _property(
                        {"anyOf": [_MIN_CELL, {"type": "null"}]},
                        "Si se indica, solo agregados con celdas de al menos este tamaño.",
                        "If given, only aggregates whose cells count at least this many.",
                        None,
                        has_default=True,
                    ),
                },
                "required": ["assignees"],
                "additionalProperties": False,
            },
            build=_binational,
            organization_parameters=("assignees",),
            coded_fields=(
                CodedField(("recipient_countries", "*"), ("countries",)),
                CodedField(("purposes", "*"), ("purposes",)),
            ),
        ),
    )
}
"""The templates, by name."""


@cache
def _validator(name: str) -> Draft202012Validator:
    return metadata_schemas.make_validator(TEMPLATES[name].parameters)


def parameter_errors(
    template: PolicyTemplate, parameters: Any, *, prefix: str = "/parameters"
) -> list[FieldError]:
    """Problems with ``parameters`` for ``template`` that need no database."""
    errors = [
        FieldError(prefix + pointer, message)
        for pointer, message in metadata_schemas.describe(_validator(template.name), parameters)
    ]
    if errors:
        return errors
    return code_errors(parameters, template.coded_fields, prefix=prefix)
