"""SDMX-ML 2.1 structure messages: read them safely, describe them as JSON, write them back.

Pure format code on top of sdmx1 (no database). :mod:`catalog.sdmx` stores what this
module reads.

Safety. sdmx1 parses with lxml's default parser. Before sdmx1 sees a byte, the message
is size-checked and parsed once with a hardened lxml parser (no entity resolution, no
DTD loading, no network, no huge-tree mode), and any DOCTYPE is refused: SDMX-ML never
needs one, so refusing it removes entity expansion ("billion laughs"), external
entities (``file:///etc/passwd``) and external DTDs as a class, whatever sdmx1 or lxml
do by default. The root element must be an SDMX-ML 2.1 ``Structure`` message.

JSON. :func:`structure_document` describes one maintainable structure by its own content
and by *references* (URNs) to the structures it uses, never by their content: a DSD
names its concepts and codelists but does not copy their labels or codes. So a
structure reads the same whether it arrives alone or with its dependencies, and
re-importing it is recognisably idempotent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import sdmx
import sdmx.urn
from lxml import etree
from sdmx.exceptions import XMLParseError
from sdmx.message import Header, StructureMessage
from sdmx.model import common as sdmx_common
from sdmx.model import v21 as sdmx_model
from sdmx.reader.xml.v21 import Reader as _XmlReader

from catalog.db import text_limit
from catalog.errors import BadRequest, FieldError, InvalidMetadata, PayloadTooLarge
from catalog.models import SdmxStructure

MESSAGE_NS: Final = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
STRUCTURE_NS: Final = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
_MESSAGE_NS_30: Final = "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message"
SENDER_ID: Final = "SIMEL"
# The SDMX 2.1 schemas default a missing version attribute to 1.0.
DEFAULT_VERSION: Final = "1.0"

# kind -> (URN package, URN class) as the SDMX 2.1 registry specification writes them.
_URN_CLASSES: Final[Mapping[str, tuple[str, str]]] = {
    "datastructure": ("datastructure", "DataStructure"),
    "dataflow": ("datastructure", "Dataflow"),
    "codelist": ("codelist", "Codelist"),
    "conceptscheme": ("conceptscheme", "ConceptScheme"),
}
# URN classes accepted on input: the standard ones and sdmx1's Python class names.
_KIND_OF_URN_CLASS: Final[Mapping[str, str]] = {
    "DataStructure": "datastructure",
    "DataStructureDefinition": "datastructure",
    "Dataflow": "dataflow",
    "DataflowDefinition": "dataflow",
    "Codelist": "codelist",
    "ConceptScheme": "conceptscheme",
}
KINDS: Final = ("datastructure", "dataflow", "codelist", "conceptscheme")
# The order in which structures of one message are stored: what is used before its user.
STORE_ORDER: Final = ("codelist", "conceptscheme", "datastructure", "dataflow")
_COLLECTION_OF_KIND: Final[Mapping[str, str]] = {
    "codelist": "codelist",
    "conceptscheme": "concept_scheme",
    "datastructure": "structure",
    "dataflow": "dataflow",
}
_URN_PATTERN: Final = re.compile(
    r"^urn:sdmx:org\.sdmx\.infomodel\.(?P<package>[A-Za-z]+)\.(?P<klass>[A-Za-z]+)="
    r"(?P<agency>[A-Za-z0-9_@$.\-]+):(?P<id>[A-Za-z0-9_@$\-]+)\((?P<version>[A-Za-z0-9_.+\-]+)\)$"
)
_DATA_ROOTS: Final = frozenset(
    {
        "GenericData",
        "GenericTimeSeriesData",
        "StructureSpecificData",
        "StructureSpecificTimeSeriesData",
        "GenericMetadata",
        "StructureSpecificMetadata",
    }
)


# ----------------------------------------------------------------------------- references


@dataclass(frozen=True, order=True)
class Ref:
    """A maintainable SDMX structure by kind, agency, id and version."""

    kind: str
    agency: str
    id: str
    version: str

    @property
    def urn(self) -> str:
        """The SDMX 2.1 URN, e.g. ``urn:sdmx:org.sdmx.infomodel.codelist.Codelist=A:CL(1.0)``."""
        package, klass = _URN_CLASSES[self.kind]
        return (
            f"urn:sdmx:org.sdmx.infomodel.{package}.{klass}={self.agency}:{self.id}({self.version})"
        )

    @property
    def label(self) -> str:
        """The short form SDMX uses in messages: ``AGENCY:ID(VERSION)``."""
        return f"{self.agency}:{self.id}({self.version})"

    @property
    def key(self) -> str:
        """``kind/agency/id/version``, as in the API paths and audit object ids."""
        return f"{self.kind}/{self.agency}/{self.id}/{self.version}"

    def to_json(self) -> dict[str, str]:
        """The reference as a JSON object."""
        return {
            "kind": self.kind,
            "agency": self.agency,
            "id": self.id,
            "version": self.version,
            "urn": self.urn,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ref:
        """The reference a :meth:`to_json` object stands for."""
        return cls(data["kind"], data["agency"], data["id"], data["version"])


def parse_urn(urn: str) -> Ref:
    """The structure an SDMX URN names.

    Both the SDMX 2.1 class names (``DataStructure``, ``Dataflow``) and sdmx1's
    (``DataStructureDefinition``, ``DataflowDefinition``) are accepted.

    Raises:
        ValueError: not the URN of a DSD, dataflow, codelist or concept scheme.
    """
    match = _URN_PATTERN.match(urn.strip())
    if match is None:
        raise ValueError(f"'{urn}' is not the URN of a maintainable SDMX structure")
    kind = _KIND_OF_URN_CLASS.get(match["klass"])
    if kind is None:
        raise ValueError(
            f"'{urn}' names a {match['klass']}; the catalog stores DSDs, dataflows, "
            "codelists and concept schemes"
        )
    return Ref(kind, match["agency"], match["id"], match["version"])


def concept_urn(scheme: Ref, concept_id: str) -> str:
    """The URN of a concept of a concept scheme."""
    return (
        f"urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept="
        f"{scheme.agency}:{scheme.id}({scheme.version}).{concept_id}"
    )


def _kind_of(obj: object) -> str | None:
    if isinstance(obj, sdmx_common.BaseDataStructureDefinition):
        return "datastructure"
    if isinstance(obj, sdmx_common.BaseDataflow):
        return "dataflow"
    if isinstance(obj, sdmx_common.Codelist):
        return "codelist"
    if isinstance(obj, sdmx_common.ConceptScheme):
        return "conceptscheme"
    return None


def _agency_of(obj: sdmx_common.MaintainableArtefact) -> str:
    maintainer = obj.maintainer
    agency = getattr(maintainer, "id", None)
    if not agency or agency is sdmx_common.MissingID or agency == str(sdmx_common.MissingID):
        return ""
    return str(agency)


def ref_of(obj: sdmx_common.MaintainableArtefact) -> Ref | None:
    """The reference to a maintainable sdmx1 object of a stored kind (``None`` otherwise)."""
    kind = _kind_of(obj)
    if kind is None:
        return None
    return Ref(kind, _agency_of(obj), str(obj.id), str(obj.version or DEFAULT_VERSION))


# --------------------------------------------------------------------------------- reading


def _refuse_json(data: bytes) -> InvalidMetadata:
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        body = None
    what = "JSON"
    if isinstance(body, dict):
        data_member = body.get("data")
        inner: dict[str, Any] = data_member if isinstance(data_member, dict) else {}
        if "dataSets" in body or "dataSets" in inner:
            what = "an SDMX-JSON data message"
        elif "structures" in inner or "structure" in body:
            what = "an SDMX-JSON structure message, which sdmx1 cannot read"
    detail = (
        f"not a structure message: the content is {what}; "
        "the catalog imports SDMX-ML 2.1 structure messages"
    )
    return InvalidMetadata(detail, [FieldError("", detail)])


def _hardened_root(data: bytes) -> etree._Element:
    # resolve_entities=False and load_dtd=False already keep entities and DTDs inert;
    # the DOCTYPE refusal below makes their presence an error rather than a no-op.
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_pis=True,
        collect_ids=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise BadRequest(f"the message is not well-formed XML: {exc}") from exc
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise BadRequest(_DOCTYPE_REFUSED)
    return root


_DOCTYPE_REFUSED: Final = (
    "DOCTYPE declarations (DTDs and entities) are not accepted: SDMX-ML does not use them, "
    "and they can expand without bound or read local files"
)
# Any DOCTYPE or ENTITY declaration, in the encodings a byte search can see directly.
_DECLARATION: Final = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _check_root(root: etree._Element) -> None:
    name = etree.QName(root)
    if name.namespace == MESSAGE_NS and name.localname == "Structure":
        return
    if name.namespace == MESSAGE_NS and name.localname in _DATA_ROOTS:
        detail = (
            f"not a structure message: the root element is message:{name.localname}, "
            "an SDMX-ML data or metadata message"
        )
    elif name.namespace == _MESSAGE_NS_30:
        detail = "not an SDMX-ML 2.1 structure message: SDMX-ML 3.0 is not supported"
    else:
        detail = (
            "not an SDMX-ML 2.1 structure message: the root element is "
            f"{{{name.namespace or ''}}}{name.localname}, expected {{{MESSAGE_NS}}}Structure"
        )
    raise InvalidMetadata(detail, [FieldError("", detail)])


# The identifiers SDMX-ML 2.1 allows (SDMXCommon.xsd: IDType, NestedIDType, VersionType).
# sdmx1 reads any text; a structure stored under another one could not be named in a
# URN, an API path or a schema-valid export (``CL/AREA``, ``1.0 beta``, ``latest``).
_ID: Final = re.compile(r"[A-Za-z0-9_@$\-]+")
_NESTED_ID: Final = re.compile(r"[A-Za-z0-9_@$\-]+(\.[A-Za-z0-9_@$\-]+)*")
_VERSION: Final = re.compile(r"[0-9]+(\.[0-9]+)*")
# What the catalog's columns hold.
_LONGEST_ID: Final = text_limit(SdmxStructure.sdmx_id)
_LONGEST_AGENCY: Final = text_limit(SdmxStructure.agency)
_LONGEST_VERSION: Final = text_limit(SdmxStructure.version)
# Element (in the structure namespace) -> kind, for the maintainables the catalog stores.
_KIND_OF_ELEMENT: Final[Mapping[str, str]] = {
    "Codelist": "codelist",
    "ConceptScheme": "conceptscheme",
    "DataStructure": "datastructure",
    "Dataflow": "dataflow",
}
# Identifiable parts of a maintainable whose ids must be SDMX ids too.
_PARTS: Final = frozenset(
    {"Code", "Concept", "Dimension", "TimeDimension", "MeasureDimension", "Attribute"}
    | {"PrimaryMeasure"}
)


def _identity_errors(element: etree._Element, kind: str) -> tuple[Ref, list[str]]:
    agency = element.get("agencyID", "")
    structure_id = element.get("id", "")
    version = element.get("version", DEFAULT_VERSION)
    ref = Ref(kind, agency, structure_id, version)
    problems = []
    if not _ID.fullmatch(structure_id):
        problems.append(f"id '{structure_id}' is not an SDMX id (letters, digits, _ @ $ -)")
    if not _NESTED_ID.fullmatch(agency):
        problems.append(
            f"agencyID '{agency}' is not an SDMX agency id (SDMX ids separated by dots)"
        )
    if not _VERSION.fullmatch(version):
        problems.append(
            f"version '{version}' is not an SDMX 2.1 version (numbers separated by dots, as 1.0)"
        )
    for label, value, longest in (
        ("id", structure_id, _LONGEST_ID),
        ("agencyID", agency, _LONGEST_AGENCY),
        ("version", version, _LONGEST_VERSION),
    ):
        if len(value) > longest:
            problems.append(
                f"{label} is {len(value)} characters long; at most {longest} characters are kept"
            )
    for part in element.iter(*(f"{{{STRUCTURE_NS}}}{name}" for name in _PARTS)):
        part_id = part.get("id")
        if part_id is not None and not _ID.fullmatch(part_id):
            name = etree.QName(part).localname
            problems.append(f"{name} id '{part_id}' is not an SDMX id (letters, digits, _ @ $ -)")
    return ref, problems


def _check_identities(root: etree._Element) -> None:
    """Refuse identifiers SDMX-ML 2.1 does not allow, and a structure given twice.

    sdmx1 keeps one of two structures with the same identity and drops the other
    without a word, so which content the sender meant cannot be known.
    """
    seen: set[Ref] = set()
    twice: list[Ref] = []
    errors: list[FieldError] = []
    for element in root.iterfind(f"{{{MESSAGE_NS}}}Structures/*/*"):
        qname = etree.QName(element)
        kind = _KIND_OF_ELEMENT.get(qname.localname)
        if qname.namespace != STRUCTURE_NS or kind is None:
            continue
        if element.get("isExternalReference", "false").strip() in ("true", "1"):
            continue
        ref, problems = _identity_errors(element, kind)
        errors.extend(
            FieldError("", f"{kind} {ref.label}: {problem}", {"structure": ref.label})
            for problem in problems
        )
        if ref in seen and ref not in twice:
            twice.append(ref)
        seen.add(ref)
    errors.extend(
        FieldError(
            "",
            f"{ref.kind} {ref.label} is in the message more than once (give each version once)",
            {"structure": ref.label},
        )
        for ref in twice
    )
    if errors:
        detail = "; ".join(error.detail for error in errors[:5])
        if len(errors) > 5:
            detail += f"; and {len(errors) - 5} more"
        raise InvalidMetadata(f"the message cannot be stored: {detail}", errors)


def _read(data: bytes) -> Any:
    # sdmx1 prints its parser stacks and the failing element to stdout when a message
    # is broken; that text belongs to neither the HTTP response nor the server log.
    with contextlib.redirect_stdout(io.StringIO()):
        return _XmlReader().convert(io.BytesIO(data))  # type: ignore[no-untyped-call]


def _reason(exc: BaseException) -> str:
    """What sdmx1 could not read, in words (its errors are named after Python exceptions)."""
    cause = exc.__cause__ if isinstance(exc, XMLParseError) and exc.__cause__ else exc
    if isinstance(cause, NotImplementedError) and len(cause.args) == 2:
        # The reader's way of saying it has no rule for an element: (tag, parse event).
        text = f"the element {cause.args[0]} is not part of an SDMX-ML 2.1 structure message"
    else:
        text = str(cause) or "the message does not follow SDMX-ML 2.1"
    return " ".join(text.split())[:500]


def read_structure_message(data: bytes, *, max_bytes: int) -> StructureMessage:
    """Parse an SDMX-ML 2.1 structure message, safely.

    Raises:
        PayloadTooLarge: more than ``max_bytes`` bytes.
        BadRequest: empty, not well-formed XML, or carries a DOCTYPE/ENTITY declaration.
        InvalidMetadata: not an SDMX-ML 2.1 structure message, identifiers that SDMX
            does not allow or a structure given twice, or sdmx1 cannot read it (the
            reason is in the detail and in ``errors``).
    """
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"the message has {len(data)} bytes; structure messages may have at most "
            f"{max_bytes} (setting sdmx.max_bytes)"
        )
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise BadRequest("the message is empty")
    if head[:1] in (b"{", b"["):
        raise _refuse_json(head)
    if _DECLARATION.search(data):
        raise BadRequest(_DOCTYPE_REFUSED)
    root = _hardened_root(data)
    _check_root(root)
    _check_identities(root)
    try:
        message = _read(data)
    except Exception as exc:  # sdmx1 raises many types; each means "cannot read it"
        reason = _reason(exc)
        raise InvalidMetadata(
            f"sdmx1 could not read the structure message: {reason}",
            [FieldError("", reason)],
        ) from exc
    if not isinstance(message, StructureMessage):
        detail = f"not a structure message: sdmx1 read a {type(message).__name__}"
        raise InvalidMetadata(detail, [FieldError("", detail)])
    return message


# ------------------------------------------------------------------------------------ JSON


def _flag(value: Any) -> bool:
    # sdmx1 2.28 keeps a codelist's isPartial as the attribute's text ("false" included).
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "1"))


def _text(value: Any) -> dict[str, str]:
    localizations = getattr(value, "localizations", None) or {}
    result = {}
    for lang, text in sorted(localizations.items()):
        cleaned = " ".join(str(text).split())
        if cleaned:
            result[str(lang)] = cleaned
    return result


def _scheme_ref(item: Any) -> Ref | None:
    scheme = item.get_scheme() if hasattr(item, "get_scheme") else None
    if isinstance(scheme, sdmx_common.MaintainableArtefact):
        return ref_of(scheme)
    return None


def _concept_json(concept: Any) -> dict[str, Any] | None:
    if concept is None:
        return None
    body: dict[str, Any] = {"id": str(concept.id)}
    scheme = _scheme_ref(concept)
    if scheme is not None:
        body["scheme"] = scheme.to_json()
        body["urn"] = concept_urn(scheme, str(concept.id))
    return body


def _text_type(facets: Sequence[Any]) -> str | None:
    for facet in facets:
        value_type = getattr(facet, "value_type", None)
        if value_type is not None:
            name = str(value_type.name)
            return name[:1].upper() + name[1:]
    return None


def _representation_json(representation: Any) -> dict[str, Any] | None:
    if representation is None:
        return None
    enumerated = getattr(representation, "enumerated", None)
    if enumerated is not None:
        ref = ref_of(enumerated)
        return {"enumeration": ref.to_json()} if ref is not None else None
    text_type = _text_type(getattr(representation, "non_enumerated", None) or [])
    return {"text_type": text_type} if text_type else None


def _with(body: dict[str, Any], **members: Any) -> dict[str, Any]:
    body.update({key: value for key, value in members.items() if value not in (None, {}, [])})
    return body


_COMPONENT_TYPES: Final = (
    (sdmx_model.TimeDimension, "time_dimension"),
    (sdmx_model.MeasureDimension, "measure_dimension"),
    (sdmx_model.Dimension, "dimension"),
    (sdmx_model.PrimaryMeasure, "measure"),
    (sdmx_common.DataAttribute, "attribute"),
)


def _component_json(component: Any, position: int | None = None) -> dict[str, Any]:
    kind = next((name for cls, name in _COMPONENT_TYPES if isinstance(component, cls)), "other")
    body: dict[str, Any] = {"id": str(component.id), "type": kind}
    if position is not None:
        body["position"] = position
    role = getattr(component, "concept_role", None)
    return _with(
        body,
        concept=_concept_json(component.concept_identity),
        role=_concept_json(role) if role is not None else None,
        representation=_representation_json(component.local_representation),
    )


def _relationship_json(relationship: Any) -> dict[str, Any]:
    if isinstance(relationship, sdmx_model.PrimaryMeasureRelationship):
        return {"attached_to": "observation"}
    if isinstance(relationship, sdmx_common.DimensionRelationship):
        body: dict[str, Any] = {
            "attached_to": "dimensions",
            "dimensions": [str(d.id) for d in relationship.dimensions],
        }
        if relationship.group_key is not None:
            body["group"] = str(relationship.group_key.id)
        return body
    if isinstance(relationship, sdmx_common.GroupRelationship):
        group = getattr(relationship, "group_key", None)
        return {"attached_to": "group", "group": str(getattr(group, "id", ""))}
    return {"attached_to": "dataset"}


def _attribute_json(attribute: Any) -> dict[str, Any]:
    body = _component_json(attribute)
    usage = getattr(attribute, "usage_status", None)
    if usage is not None:
        body["usage"] = str(usage.name)
    body["relationship"] = _relationship_json(getattr(attribute, "related_to", None))
    return body


def _item_json(item: Any) -> dict[str, Any]:
    parent = item.parent if isinstance(item.parent, sdmx_common.Item) else None
    return _with(
        {"id": str(item.id)},
        name=_text(item.name),
        description=_text(item.description),
        parent=str(parent.id) if parent is not None else None,
    )


def structure_document(obj: sdmx_common.MaintainableArtefact) -> dict[str, Any]:
    """The JSON description of a DSD, dataflow, codelist or concept scheme.

    Raises:
        ValueError: ``obj`` is of another kind, or has no agency.
    """
    ref = ref_of(obj)
    if ref is None:
        raise ValueError(f"{type(obj).__name__} is not a kind the catalog stores")
    if not ref.agency:
        raise ValueError(f"{ref.kind} {ref.id} has no maintenance agency")
    document: dict[str, Any] = {
        **ref.to_json(),
        "name": _text(obj.name),
        "description": _text(obj.description),
        "is_final": bool(obj.is_final),
    }
    _with(document, valid_from=obj.valid_from, valid_to=obj.valid_to)
    if ref.kind == "codelist":
        document["is_partial"] = _flag(getattr(obj, "is_partial", None))
        document["codes"] = [_item_json(code) for code in obj.items.values()]  # type: ignore[attr-defined]
    elif ref.kind == "conceptscheme":
        document["concepts"] = [
            _with(
                _item_json(concept),
                representation=_representation_json(getattr(concept, "core_representation", None)),
            )
            for concept in obj.items.values()  # type: ignore[attr-defined]
        ]
    elif ref.kind == "dataflow":
        structure = getattr(obj, "structure", None)
        target = ref_of(structure) if structure is not None else None
        document["structure"] = target.to_json() if target is not None else None
    else:
        dsd: Any = obj
        document["dimensions"] = [
            _component_json(component, position)
            for position, component in enumerate(dsd.dimensions.components, start=1)
        ]
        document["attributes"] = [_attribute_json(a) for a in dsd.attributes.components]
        document["measures"] = [_component_json(m) for m in dsd.measures.components]
    return document


_REF_MEMBERS: Final = frozenset({"kind", "agency", "id", "version", "urn"})


def references_of(document: Mapping[str, Any]) -> list[Ref]:
    """The structures a stored structure's document refers to (codelists, schemes, DSD)."""
    found: dict[str, Ref] = {}

    def visit(node: Any) -> None:
        if isinstance(node, Mapping):
            if set(node) == _REF_MEMBERS and node["kind"] in KINDS:
                ref = Ref.from_json(node)
                found.setdefault(ref.key, ref)
                return
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    for member, value in document.items():
        if member not in _REF_MEMBERS:
            visit(value)
    return list(found.values())


# --------------------------------------------------------------------------- the messages


@dataclass(frozen=True)
class Parsed:
    """A structure of a message, ready to be stored."""

    ref: Ref
    document: dict[str, Any]
    obj: Any


Held = Literal["catalog", "elsewhere", "nowhere"]
"""Where an external reference is held: in this catalog; somewhere the message names
(its ``structureURL`` or ``serviceURL``); or nowhere known."""

EXTERNAL_REFERENCE: Final = "external reference: the message does not include it"


@dataclass(frozen=True)
class Location:
    """Where a message says the content of an external reference is held."""

    structure_url: str | None = None
    """A structure message holding it (SDMX-ML ``structureURL``)."""
    service_url: str | None = None
    """A registry or web service that holds it (SDMX-ML ``serviceURL``)."""

    @property
    def url(self) -> str | None:
        """The more precise of the two, if either is given."""
        return self.structure_url or self.service_url


@dataclass(frozen=True)
class Skipped:
    """Something in a message the catalog does not store, and why.

    For an external reference, ``location`` is where the message says it is held, and
    ``held`` (decided against the stored structures: :func:`catalog.sdmx.import_message`)
    where it can be found.
    """

    kind: str
    id: str
    reason: str
    ref: Ref | None = None
    external: bool = False
    location: Location = Location()
    held: Held | None = None


def external_locations(data: bytes) -> dict[Ref, Location]:
    """Where the message's external references say they are held (those that say so).

    sdmx1 reads ``isExternalReference`` but drops ``structureURL`` and ``serviceURL``,
    so they are read from the XML (with the same hardened parser as the message).
    """
    root = _hardened_root(data)
    found: dict[Ref, Location] = {}
    for element in root.iterfind(f"{{{MESSAGE_NS}}}Structures/*/*"):
        qname = etree.QName(element)
        kind = _KIND_OF_ELEMENT.get(qname.localname)
        if qname.namespace != STRUCTURE_NS or kind is None:
            continue
        if element.get("isExternalReference", "false").strip() not in ("true", "1"):
            continue
        location = Location(
            (element.get("structureURL") or "").strip() or None,
            (element.get("serviceURL") or "").strip() or None,
        )
        if location.url is not None:
            ref = Ref(
                kind,
                element.get("agencyID", ""),
                element.get("id", ""),
                element.get("version", DEFAULT_VERSION),
            )
            found[ref] = location
    return found


def _collection_kind(name: str) -> str:
    return name.replace("_", "")


def structures_of(message: StructureMessage) -> tuple[list[Parsed], list[Skipped]]:
    """Split a message into the structures to store and the rest.

    External references (``isExternalReference="true"``, and the stubs sdmx1 creates
    for structures that are referenced but not included) are skipped: the catalog stores
    a structure's content, never a placeholder.
    """
    _fill_urns(message)
    parsed: list[Parsed] = []
    skipped: list[Skipped] = []
    for name, _ in message.iter_collections():
        for obj in getattr(message, name).values():
            ref = ref_of(obj)
            if ref is None:
                skipped.append(
                    Skipped(
                        _collection_kind(name), str(obj.id), "the catalog does not store this kind"
                    )
                )
                continue
            if obj.is_external_reference:
                skipped.append(Skipped(ref.kind, ref.id, EXTERNAL_REFERENCE, ref, external=True))
                continue
            try:
                document = structure_document(obj)
            except ValueError as exc:
                skipped.append(Skipped(ref.kind, ref.id, str(exc), ref))
                continue
            parsed.append(Parsed(ref, document, obj))
    parsed.sort(key=lambda p: (STORE_ORDER.index(p.ref.kind), p.ref))
    return parsed, skipped


def _urn_for(obj: Any) -> str:
    ref = ref_of(obj)
    if ref is not None and ref.agency:
        return ref.urn  # the SDMX 2.1 class names, as in our JSON documents
    urn: str = sdmx.urn.make(obj)
    return urn


def _fill_urns(message: StructureMessage) -> None:
    # sdmx1 writes some references (a concept's core representation) by URN, which
    # objects read from a message without urn attributes do not have.
    for obj in message.iter_objects():
        if obj.urn is None:
            with contextlib.suppress(Exception):
                obj.urn = _urn_for(obj)


def _prepare(obj: Any) -> None:
    obj.is_external_reference = False
    obj.is_final = bool(obj.is_final)
    if obj.urn is None:
        obj.urn = _urn_for(obj)


def write_message(objects: Iterable[Any], *, header_id: str, prepared: dt.datetime) -> bytes:
    """An SDMX-ML 2.1 structure message holding ``objects`` (sdmx1's writer)."""
    message = StructureMessage(
        header=Header(
            id=header_id,
            prepared=prepared,
            sender=sdmx_common.Agency(id=SENDER_ID),
            test=False,
        )
    )
    for obj in objects:
        _prepare(obj)
        message.add(obj)
    result: bytes = sdmx.to_xml(message, pretty_print=True)
    return result


def structure_xml(obj: Any, *, prepared: dt.datetime) -> str:
    """The SDMX-ML 2.1 message, as text, that stores one structure."""
    return write_message([obj], header_id="SIMEL_STRUCTURE", prepared=prepared).decode("utf-8")


def stored_objects(xml_text: str) -> Iterator[Any]:
    """The structures (not external references) of a stored SDMX-ML text."""
    message = _read(xml_text.encode("utf-8"))
    _fill_urns(message)
    yield from message.iter_objects(external_reference=False)


def stored_object(xml_text: str, ref: Ref) -> Any:
    """The one structure ``ref`` in a stored SDMX-ML text.

    Raises:
        LookupError: the text does not hold it (a corrupted row).
    """
    for obj in stored_objects(xml_text):
        if ref_of(obj) == ref:
            return obj
    raise LookupError(f"the stored SDMX-ML of {ref.label} does not contain it")


def code_entries(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A codelist's (or concept scheme's) items by id."""
    items = document.get("codes") if document["kind"] == "codelist" else document.get("concepts")
    return {item["id"]: item for item in items or ()}


def merged_partial_codelist(stored_obj: Any, incoming: Parsed) -> Any | None:
    """The union of two partial versions of the same codelist, or ``None`` if they disagree.

    SDMX 2.1 ``isPartial`` means "a subset of the codelist with this identity", so two
    partial codelists with the same URN are views of one list and their union is a
    larger view of it. Codes present in both must be identical (name, description,
    parent). The stored codes keep their order; new codes follow in the incoming order.
    """
    stored = code_entries(structure_document(stored_obj))
    for code_id, entry in code_entries(incoming.document).items():
        if code_id in stored and stored[code_id] != entry:
            return None
    for code in incoming.obj.items.values():
        if code.id in stored_obj.items:
            continue
        stored_obj.append(
            sdmx_common.Code(
                id=str(code.id),
                name=dict(code.name.localizations),
                description=dict(code.description.localizations),
            )
        )
    for code in incoming.obj.items.values():
        parent = code.parent if isinstance(code.parent, sdmx_common.Code) else None
        if parent is not None and stored_obj[code.id].parent is not stored_obj[parent.id]:
            stored_obj[parent.id].append_child(stored_obj[code.id])
    return stored_obj
