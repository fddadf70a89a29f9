"""JSON Schemas (draft 2020-12) of the catalog's documents, versioned by ``$id``.

One :class:`referencing.Registry` holds every schema in this folder, so references
between schemas resolve locally and no validation ever reaches the network.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, TypeChecker, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parent

DATASET_SCHEMA = "urn:simel:schema:dataset:1.0"
DISTRIBUTION_SCHEMA = "urn:simel:schema:distribution:1.0"
LABOUR_MIGRATION_SCHEMA = "urn:simel:schema:labour-migration:1.0"
ORGANIZATION_SCHEMA = "urn:simel:schema:organization:1.0"
LEGAL_BASIS_SCHEMA = "urn:simel:schema:legal-basis:1.0"
CONSENT_SCHEMA = "urn:simel:schema:consent:1.0"
CONSENT_EVENT_SCHEMA = "urn:simel:schema:consent-event:1.0"
ODRL_POLICY_SCHEMA = "urn:simel:schema:odrl-policy:1.0"
ACCESS_REQUEST_SCHEMA = "urn:simel:schema:access-request:1.0"
AGREEMENT_SCHEMA = "urn:simel:schema:agreement:1.0"


@cache
def _schemas() -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = {}
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        loaded[schema["$id"]] = schema
    return loaded


@cache
def registry() -> Registry[Any]:
    """The registry of every schema in this package, keyed by ``$id``."""
    resources = [
        (schema_id, DRAFT202012.create_resource(_without_dialect(schema)))
        for schema_id, schema in _schemas().items()
    ]
    return Registry().with_resources(resources).crawl()


def _without_dialect(schema_document: dict[str, Any]) -> dict[str, Any]:
    # Every schema here is draft 2020-12. A "$schema" inside a referenced or inlined
    # schema makes jsonschema switch to the stock validator class for it, which drops
    # the catalog's own checks there: {"num_series": 7.0} passed as an integer.
    return {key: value for key, value in schema_document.items() if key != "$schema"}


def schema_ids() -> list[str]:
    """The ``$id`` of every schema held here."""
    return sorted(_schemas())


def schema(schema_id: str) -> dict[str, Any]:
    """Return the schema document with ``$id`` ``schema_id``.

    Raises:
        KeyError: no such schema.
    """
    return _schemas()[schema_id]


def _absolute_refs(node: Any, base: str) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                base + value
                if key == "$ref" and str(value).startswith("#")
                else _absolute_refs(value, base)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_absolute_refs(item, base) for item in node]
    return node


class RecursiveSchema(ValueError):
    """A schema refers to itself (ODRL duties have duties as consequences): no inlining."""


def _inline(node: Any, schemas: dict[str, Any], expanding: tuple[str, ...] = ()) -> Any:
    if isinstance(node, list):
        return [_inline(item, schemas, expanding) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" not in node:
        return {key: _inline(value, schemas, expanding) for key, value in node.items()}
    ref = node["$ref"]
    if ref in expanding:
        raise RecursiveSchema(ref)
    base, _, fragment = ref.partition("#")
    target: Any = schemas[base]
    for part in filter(None, fragment.split("/")):
        target = target[part]
    siblings = {
        key: _inline(value, schemas, expanding) for key, value in node.items() if key != "$ref"
    }
    return {**_inline(target, schemas, (*expanding, ref)), **siblings}


@cache
def dereferenced(schema_id: str) -> dict[str, Any]:
    """``schema_id`` with every ``$ref`` replaced by its target.

    Validating against the inlined copy gives the same errors at the same instance
    paths, about twice as fast, because jsonschema no longer resolves a reference at
    every step (bulk imports validate hundreds of thousands of documents).

    Raises:
        RecursiveSchema: the schema refers to itself (the ODRL policy schema does).
    """
    schemas = {sid: _absolute_refs(_without_dialect(doc), sid) for sid, doc in _schemas().items()}
    inlined = _inline(schemas[schema_id], schemas)
    inlined.pop("$id", None)
    result: dict[str, Any] = inlined
    return result


def format_checker() -> FormatChecker:
    """The format checks of jsonschema, with ``date-time`` checked whatever is installed.

    jsonschema checks ``date-time`` only when the optional ``rfc3339-validator`` is
    importable; without it, "2026-13-45T99:00:00Z" passed and failed later, in code.
    """
    checker = FormatChecker()
    checker.checks("date-time", raises=(ValueError, OverflowError))(_is_instant)
    return checker


# The years the common schema's dates and moments may fall in.
_FIRST_YEAR, _LAST_YEAR = 1000, 2999


def _is_instant(value: object) -> bool:
    # RFC 3339 with its offset, and a moment that stays within the years 1000-2999 once
    # in UTC, as the catalog stores and returns it ("2999-12-31T23:00:00-12:00" is 3000).
    if not isinstance(value, str):
        return True
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        return False
    return _FIRST_YEAR <= moment.astimezone(dt.UTC).year <= _LAST_YEAR


def _is_whole_number(_checker: TypeChecker, instance: object) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


def _ecma_pattern(
    checker: Draft202012Validator, pattern: str, instance: object, _schema: object
) -> Iterator[ValidationError]:
    if checker.is_type(instance, "string") and not _ecma(pattern).search(str(instance)):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _ecma(pattern: str) -> re.Pattern[str]:
    r"""``pattern`` as ECMA-262 reads it, which JSON Schema follows: ``$`` ends the text.

    Python's ``$`` also matches before a final line break, so "enei-2024\n" passed
    "^[a-z0-9-]+$" and reached a Location header. Outside character classes, ``$``
    becomes ``\Z``.
    """
    translated, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            char = "\\Z"
        translated.append(char)
    return re.compile("".join(translated))


# JSON Schema counts 256.0 as an integer; the catalog stores and exports what it was
# given, so 256.0 would become "256.0"^^xsd:nonNegativeInteger. Integers are written
# without a fraction here.
SimelValidator: type[Draft202012Validator] = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator,
    validators={"pattern": _ecma_pattern},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_whole_number),
)


def make_validator(
    schema_document: Mapping[str, Any], *, with_registry: bool = False
) -> Draft202012Validator:
    """A draft 2020-12 validator of ``schema_document`` with the catalog's checks.

    Formats are checked (see :func:`format_checker`) and integers have no fraction;
    ``with_registry`` resolves references to this folder's schemas, never the network.
    """
    if with_registry:
        return SimelValidator(schema_document, registry=registry(), format_checker=format_checker())
    return SimelValidator(schema_document, format_checker=format_checker())


@cache
def validator(schema_id: str) -> Draft202012Validator:
    """A validator for ``schema_id`` (local only); see :func:`make_validator`.

    Dereferenced where the schema allows it; recursive schemas resolve their references
    through :func:`registry` instead.
    """
    try:
        return make_validator(dereferenced(schema_id))
    except RecursiveSchema:
        return make_validator(schema(schema_id), with_registry=True)


COMMON_DATE = "urn:simel:schema:common:1.0#/$defs/date"


def value_errors(reference: str, value: Any) -> list[str]:
    """What is wrong with ``value`` as the schema at ``reference`` (a ``$ref``) says."""
    return [message for _, message in describe(_referring_validator(reference), value)]


@cache
def _referring_validator(reference: str) -> Draft202012Validator:
    return make_validator({"$ref": reference}, with_registry=True)


def json_pointer(path: Any) -> str:
    """Render a jsonschema error path (a deque of keys and indexes) as a JSON Pointer."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


NUL_MESSAGE = "text may not contain the NUL character (U+0000)"
SURROGATE_MESSAGE = "text may not contain unpaired surrogates (U+D800 to U+DFFF): not Unicode"
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _not_a_number(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number (RFC 8259)")


def loads(text: str | bytes) -> Any:
    """Parse JSON as RFC 8259 defines it.

    Python's parser also takes NaN and Infinity, which no JSON writer produces: stored,
    they came back as null (orjson writes them so), and a policy whose operand had been
    NaN could no longer be read.

    Raises:
        ValueError: not JSON (``UnicodeDecodeError`` for bytes that are not UTF-8).
    """
    return json.loads(text, parse_constant=_not_a_number)


# Documents nest a dozen levels at most (ODRL constraints included); deeper ones would
# only exhaust the recursion of the code that reads them.
MAX_DEPTH = 32


def nests_deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` holds objects or arrays more than ``limit`` levels deep."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return False


def iter_errors(schema_id: str, document: Any) -> Iterator[tuple[str, str]]:
    """Yield ``(pointer, message)`` for each violation, pointing at the failing member.

    A missing required member is reported at the member's own pointer rather than at its
    parent, so that a form can highlight the empty field. Text that no database can
    store is a violation too, whatever the schema says (see :func:`unstorable_text`),
    and so is nesting deeper than :data:`MAX_DEPTH`.
    """
    if nests_deeper_than(document, MAX_DEPTH):
        yield "", f"the document nests deeper than {MAX_DEPTH} levels"
        return
    yield from describe(validator(schema_id), document)
    yield from unstorable_text(document)


def unstorable_text(document: Any) -> list[tuple[str, str]]:
    r"""``(pointer, message)`` of the strings (member names included) no database stores.

    NUL (U+0000): PostgreSQL keeps none in text or JSONB, where SQLite would; refused
    on input, a document is accepted or refused alike on both databases. Unpaired
    surrogates: JSON's ``\ud800`` escapes decode to them, but they are not Unicode
    and cannot be written as UTF-8 at all.
    """
    found: list[tuple[str, str]] = []

    def check(text: str, path: tuple[Any, ...]) -> None:
        if (bad := _UNSTORABLE.search(text)) is not None:
            message = NUL_MESSAGE if bad.group() == "\x00" else SURROGATE_MESSAGE
            found.append((json_pointer(path), message))

    def walk(value: Any, path: tuple[Any, ...]) -> None:
        if isinstance(value, str):
            check(value, path)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str):
                    check(key, (*path, key))
                walk(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))

    walk(document, ())
    return found


def describe(checker: Draft202012Validator, document: Any) -> Iterator[tuple[str, str]]:
    """Yield ``(pointer, message)`` for each violation ``checker`` finds, as :func:`iter_errors`."""
    errors = sorted(checker.iter_errors(document), key=lambda e: list(e.path))
    seen: set[tuple[str, str]] = set()
    for error in errors:
        for item in _describe(error):
            # jsonschema reports each missing required member as its own error; our
            # per-member rendering would otherwise repeat them.
            if item not in seen:
                seen.add(item)
                yield item


def _describe(error: ValidationError) -> Iterator[tuple[str, str]]:
    # jsonschema types these attributes as possibly "unset"; a reported error has them.
    validator_value: Any = error.validator_value
    schema: Any = error.schema
    pointer = json_pointer(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        for name in validator_value:
            if name not in error.instance:
                yield f"{pointer}/{name}", f"'{name}' is required"
        return
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(schema.get("properties", {}))
        for name in sorted(set(error.instance) - allowed):
            yield f"{pointer}/{name}", f"'{name}' is not a recognised member"
        return
    if error.validator in {"anyOf", "oneOf"} and error.context:
        # Report the alternatives in one sentence instead of every branch's failure.
        yield pointer, _alternatives_message(error)
        return
    date_time = schema.get("format") == "date-time"
    if error.validator in {"pattern", "format"} and date_time and _lacks_offset(error.instance):
        # Both checks fail on such a value; the same sentence for each is reported once.
        yield (
            pointer,
            (
                f"{error.instance!r} has no UTC offset: write the moment with one, as in "
                "2026-03-01T09:30:00-06:00 (Z for UTC)"
            ),
        )
        return
    if error.validator in {"pattern", "format"} and schema.get("description"):
        # A regular expression means little to a data steward; the field's description
        # says what is expected.
        yield pointer, f"{error.instance!r} is not valid here: {schema['description']}"
        return
    yield pointer, error.message


def _lacks_offset(value: object) -> bool:
    """Whether ``value`` is a valid date and time that only lacks its UTC offset."""
    if not isinstance(value, str) or "T" not in value.upper():
        return False
    try:
        return dt.datetime.fromisoformat(value).tzinfo is None
    except ValueError:
        return False


def _alternatives_message(error: ValidationError) -> str:
    branches: Any = error.validator_value
    required_sets = [
        branch["required"]
        for branch in branches
        if isinstance(branch, dict) and branch.get("required")
    ]
    if required_sets and len(required_sets) == len(branches):
        options = " or ".join("+".join(names) for names in required_sets)
        return f"one of these must be given: {options}"
    return error.message
