"""Which document fields take codes from which controlled vocabulary, and the checks.

Codes must be the canonical code of a concept (``GTM``, not ``gt`` or ``320``): the
catalog stores one spelling so that facets, filters and exchange stay consistent. An
unknown or non-canonical code is reported with the field's pointer, the code, the
scheme and close suggestions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from catalog.errors import BadRequest, FieldError
from vocab import ConceptScheme, get_registry


@dataclass(frozen=True)
class CodedField:
    """A document member whose values are codes of one or more schemes.

    Attributes:
        path: Member names from the document root; ``*`` stands for every list item.
        schemes: Schemes whose codes are accepted (the first one is named in errors).
    """

    path: tuple[str, ...]
    schemes: tuple[str, ...]


DATASET_FIELDS: tuple[CodedField, ...] = (
    CodedField(("themes", "*"), ("simel-themes", "data-themes")),
    CodedField(("spatial", "*"), ("countries",)),
    CodedField(("accrual_periodicity",), ("frequency",)),
    CodedField(("languages", "*"), ("languages",)),
    CodedField(("access_rights",), ("access-rights",)),
    CodedField(("personal_data",), ("personal-data-classes",)),
    CodedField(("labour_migration", "statistical_population", "*"), ("migration-concepts",)),
    CodedField(("labour_migration", "geographic_breakdown", "*"), ("geographic-levels",)),
    CodedField(("labour_migration", "collection_method"), ("collection-methods",)),
    CodedField(("labour_migration", "occupations", "*"), ("occupations",)),
    CodedField(("labour_migration", "economic_activities", "*"), ("activities",)),
    CodedField(("labour_migration", "migration_corridors", "*", "origin"), ("countries",)),
    CodedField(("labour_migration", "migration_corridors", "*", "destination"), ("countries",)),
)

DISTRIBUTION_FIELDS: tuple[CodedField, ...] = (
    CodedField(("format",), ("file-types",)),
    CodedField(("languages", "*"), ("languages",)),
)

# The search filters whose values are codes, and the schemes they come from.
FILTER_SCHEMES: dict[str, tuple[str, ...]] = {
    "theme": ("simel-themes", "data-themes"),
    "country": ("countries",),
    "access_rights": ("access-rights",),
    "personal_data": ("personal-data-classes",),
}

ORGANIZATION_FIELDS: tuple[CodedField, ...] = (CodedField(("country",), ("countries",)),)

LEGAL_BASIS_FIELDS: tuple[CodedField, ...] = (
    CodedField(("basis",), ("legal-bases",)),
    CodedField(("jurisdictions", "*"), ("countries",)),
    CodedField(("purposes", "*"), ("purposes",)),
)

CONSENT_FIELDS: tuple[CodedField, ...] = (
    CodedField(("status",), ("consent-statuses",)),
    CodedField(("purposes", "*"), ("purposes",)),
    CodedField(("recipients", "countries", "*"), ("countries",)),
    CodedField(("data_subjects", "populations", "*"), ("migration-concepts",)),
)


def _values(node: Any, path: tuple[str, ...], pointer: str) -> Iterator[tuple[str, Any]]:
    if not path:
        yield pointer, node
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from _values(item, rest, f"{pointer}/{index}")
    elif isinstance(node, Mapping) and head in node:
        yield from _values(node[head], rest, f"{pointer}/{head}")


def field_values(document: Any, path: tuple[str, ...], prefix: str = "") -> list[tuple[str, Any]]:
    """The values at ``path`` (``*`` for every list item) with their JSON Pointers."""
    return list(_values(document, path, prefix))


def _canonical(schemes: list[ConceptScheme], value: str) -> str | None:
    for scheme in schemes:
        concept = scheme.by_code(value)
        if concept is not None:
            return concept.code
    return None


def canonical_filter(name: str, values: tuple[str, ...]) -> tuple[str, ...]:
    """The values of the search filter ``name`` as the canonical codes the catalog stores.

    ``gtm``, ``gt`` and ``320`` filter by GTM, as ``GTM`` does; a filter that is not
    coded (publisher, status) is returned as it is.

    Raises:
        BadRequest: a value is no code of the filter's schemes (with suggestions).
    """
    if name not in FILTER_SCHEMES:
        return values
    schemes = _schemes_of(CodedField((name,), FILTER_SCHEMES[name]))
    canonical = []
    for value in values:
        code = _canonical(schemes, value)
        if code is None:
            main = schemes[0]
            suggestions = main.suggest_codes(value, n=5)
            hint = f"; did you mean {', '.join(map(repr, suggestions))}?" if suggestions else ""
            raise BadRequest(
                f"{name}: '{value}' is not a code of {main.title('en')} ({main.name}){hint}"
            )
        canonical.append(code)
    return tuple(dict.fromkeys(canonical))


@cache
def _schemes_of(field: CodedField) -> list[ConceptScheme]:
    registry = get_registry()
    return [registry.scheme(name) for name in field.schemes]


def code_errors(
    document: Any, fields: tuple[CodedField, ...], *, prefix: str = ""
) -> list[FieldError]:
    """Codes in ``document`` that are not canonical codes of their schemes."""
    errors = []
    for field in fields:
        schemes = _schemes_of(field)
        for pointer, value in _values(document, field.path, prefix):
            if not isinstance(value, str):
                continue  # the JSON Schema reports wrong types
            canonical = _canonical(schemes, value)
            if canonical == value:
                continue
            main = schemes[0]
            if canonical is not None:
                detail = f"'{value}' is written '{canonical}' in {main.title('en')}"
                suggestions = [canonical]
            else:
                suggestions = main.suggest_codes(value, n=5)
                detail = f"'{value}' is not a code of {main.title('en')} ({main.name})"
                if suggestions:
                    detail += f"; did you mean {', '.join(repr(s) for s in suggestions)}?"
            errors.append(
                FieldError(
                    pointer,
                    detail,
                    {"code": value, "scheme": main.name, "suggestions": suggestions},
                )
            )
    return errors
