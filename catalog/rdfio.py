"""RDF in and out: streaming writers for four serializations, and guarded parsing.

Writing. The DCAT export can be a whole catalog of tens of thousands of datasets, so it
is never put into one rdflib graph: the mapping yields lists of triples per dataset and
the writers here turn each list into text as it comes (:class:`RdfWriter`: ``start``,
``chunk``, ``end``). They write Turtle, N-Triples, JSON-LD (flattened, with a prefix
context) and RDF/XML (one ``rdf:Description`` per subject); the tests parse every output
back with rdflib and compare it with the graph of the same triples. A subject may appear
in several chunks: RDF merges them.

Reading. :func:`parse_rdf` parses untrusted documents: RDF/XML with a DTD (and so any
entity declaration: external entities, "billion laughs") is refused before rdflib sees
it, and JSON-LD may not load a context from the network (only the local copies in
:data:`LOCAL_CONTEXTS` are used). Data is always given to rdflib as bytes, never as a
location it could open.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Final, Protocol
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

import metadata_schemas
from catalog.errors import BadRequest
from catalog.formats import FORMATS, Format

Triple = tuple[Node, Node, Node]

RDF_NS: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE: Final = URIRef(RDF_NS + "type")

#: Prefixes of every serialization we write (and of the Turtle we show to people).
PREFIXES: Final[Mapping[str, str]] = {
    "rdf": RDF_NS,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatap": "http://data.europa.eu/r5r/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "adms": "http://www.w3.org/ns/adms#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "stat": "http://data.europa.eu/m8g/",
    "qb": "http://purl.org/linked-data/cube#",
    "dqv": "http://www.w3.org/ns/dqv#",
    "oa": "http://www.w3.org/ns/oa#",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "dpv": "https://w3id.org/dpv#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "simel": "https://w3id.org/simel/def#",
}
_PREFIX_OF: Final = {namespace: prefix for prefix, namespace in PREFIXES.items()}
_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Characters rdflib (and the RDF grammars) do not accept in an IRI.
_IRI_UNSAFE = '<>" {}|\\^`'


def iri(value: str) -> URIRef:
    """A URIRef for ``value``, percent-encoding the characters no IRI may contain.

    Metadata documents hold URLs typed by people; a stray space or quote must not make
    the export unparseable.
    """
    if any(ch in _IRI_UNSAFE or ord(ch) < 0x20 for ch in value):
        value = "".join(
            quote(ch, safe="") if ch in _IRI_UNSAFE or ord(ch) < 0x20 else ch for ch in value
        )
    return URIRef(value)


# --------------------------------------------------------------------------- writers


class RdfWriter(Protocol):
    """Turns lists of triples into text, a piece at a time."""

    media_type: str

    def start(self) -> str:
        """The document's opening (prefixes, root element...)."""

    def chunk(self, triples: Iterable[Triple]) -> str:
        """The text for some triples (possibly ``""``)."""

    def end(self) -> str:
        """The document's closing."""


def _grouped(triples: Iterable[Triple]) -> dict[Node, dict[Node, list[Node]]]:
    # Subjects and predicates in order of first appearance; a repeated triple once.
    subjects: dict[Node, dict[Node, list[Node]]] = {}
    seen: set[Triple] = set()
    for triple in triples:
        if triple in seen:
            continue
        seen.add(triple)
        subject, predicate, obj = triple
        subjects.setdefault(subject, {}).setdefault(predicate, []).append(obj)
    return subjects


def _escape_string(text: str) -> str:
    # The escapes Turtle and N-Triples share (ECHAR, and UCHAR for other controls).
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def _iriref(value: str) -> str:
    if any(ch in _IRI_UNSAFE or ord(ch) <= 0x20 for ch in value):
        value = "".join(
            f"\\u{ord(ch):04X}" if ch in _IRI_UNSAFE or ord(ch) <= 0x20 else ch for ch in value
        )
    return f"<{value}>"


def _bnode_label(node: BNode) -> str:
    return "_:" + re.sub(r"[^A-Za-z0-9_]", "_", str(node))


class NTriplesWriter:
    """N-Triples: one triple per line."""

    media_type = FORMATS["ntriples"].media_type

    def start(self) -> str:
        """Nothing: N-Triples has no header."""
        return ""

    def _term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return _iriref(str(node))
        if isinstance(node, BNode):
            return _bnode_label(node)
        if isinstance(node, Literal):
            text = f'"{_escape_string(str(node))}"'
            if node.language:
                return f"{text}@{node.language}"
            if node.datatype is not None and node.datatype != XSD.string:
                return f"{text}^^{_iriref(str(node.datatype))}"
            return text
        raise ValueError(f"cannot write {node!r}")

    def chunk(self, triples: Iterable[Triple]) -> str:
        """One line per distinct triple."""
        lines: list[str] = []
        for subject, predicates in _grouped(triples).items():
            s = self._term(subject)
            for predicate, objects in predicates.items():
                p = self._term(predicate)
                lines.extend(f"{s} {p} {self._term(o)} .\n" for o in objects)
        return "".join(lines)

    def end(self) -> str:
        """Nothing."""
        return ""


class TurtleWriter(NTriplesWriter):
    """Turtle with the :data:`PREFIXES`, one block per subject."""

    media_type = FORMATS["turtle"].media_type

    def start(self) -> str:
        """The prefix declarations."""
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + "\n"

    def _term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return _prefixed(str(node)) or _iriref(str(node))
        if isinstance(node, Literal) and not node.language and node.datatype is not None:
            if node.datatype == XSD.string:
                return f'"{_escape_string(str(node))}"'
            datatype = _prefixed(str(node.datatype)) or _iriref(str(node.datatype))
            return f'"{_escape_string(str(node))}"^^{datatype}'
        return super()._term(node)

    def chunk(self, triples: Iterable[Triple]) -> str:
        """A block per subject: ``s p o1, o2 ; p2 o3 .``."""
        blocks = []
        for subject, predicates in _grouped(triples).items():
            lines = [self._term(subject)]
            items = list(predicates.items())
            for i, (predicate, objects) in enumerate(items):
                verb = "a" if predicate == RDF_TYPE else self._term(predicate)
                rendered = ", ".join(self._term(o) for o in objects)
                end = " ." if i == len(items) - 1 else " ;"
                lines.append(f"    {verb} {rendered}{end}")
            blocks.append("\n".join(lines) + "\n\n")
        return "".join(blocks)


@lru_cache(maxsize=8192)
def _split(value: str) -> tuple[str, str] | None:
    cut = max(value.rfind("#"), value.rfind("/"))
    if cut < 0:
        return None
    namespace, local = value[: cut + 1], value[cut + 1 :]
    prefix = _PREFIX_OF.get(namespace)
    if prefix is None or not _LOCAL_NAME.match(local):
        return None
    return prefix, local


def _prefixed(value: str) -> str | None:
    # Only IRIs under the hosts of our prefixes can be prefixed names; the others (the
    # many dataset IRIs) skip the split.
    if value.startswith(("http://www.w3.org/", "http://purl.org/", "http://xmlns.com/")) or (
        value.startswith(("http://data.europa.eu/", "https://w3id.org/", "http://spdx.org/"))
    ):
        found = _split(value)
        return f"{found[0]}:{found[1]}" if found else None
    return None


class JsonLdWriter:
    """JSON-LD 1.1, flattened: ``{"@context": prefixes, "@graph": [node objects]}``."""

    media_type = FORMATS["jsonld"].media_type

    def __init__(self) -> None:
        self._first = True

    def start(self) -> str:
        """The context and the opening of ``@graph``."""
        return '{"@context": ' + json.dumps(dict(PREFIXES)) + ', "@graph": [\n'

    @staticmethod
    def _id(node: Node) -> str:
        return "_:" + _bnode_label(node)[2:] if isinstance(node, BNode) else str(node)

    def _value(self, node: Node) -> dict[str, Any]:
        if isinstance(node, Literal):
            value: dict[str, Any] = {"@value": str(node)}
            if node.language:
                value["@language"] = node.language
            elif node.datatype is not None and node.datatype != XSD.string:
                value["@type"] = str(node.datatype)
            return value
        return {"@id": self._id(node)}

    def chunk(self, triples: Iterable[Triple]) -> str:
        """One node object per subject."""
        parts = []
        for subject, predicates in _grouped(triples).items():
            node: dict[str, Any] = {"@id": self._id(subject)}
            for predicate, objects in predicates.items():
                if predicate == RDF_TYPE and all(isinstance(o, URIRef) for o in objects):
                    node["@type"] = [str(o) for o in objects]
                    continue
                key = _prefixed(str(predicate)) or str(predicate)
                node[key] = [self._value(o) for o in objects]
            parts.append(("" if self._first else ",\n") + json.dumps(node, ensure_ascii=False))
            self._first = False
        return "".join(parts)

    def end(self) -> str:
        """The closing of ``@graph`` and of the document."""
        return "\n]}\n"


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    # XML 1.0 cannot carry most control characters at all: they become U+FFFD.
    text = _XML_ILLEGAL.sub("\ufffd", text)
    # A raw CR would be read back as LF (XML end-of-line handling); a reference is kept.
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _xml_attr(text: str) -> str:
    return _xml_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


class RdfXmlWriter:
    """RDF/XML, one ``rdf:Description`` per subject."""

    media_type = FORMATS["rdfxml"].media_type

    def start(self) -> str:
        """The XML declaration and the ``rdf:RDF`` element with every namespace."""
        namespaces = " ".join(f'xmlns:{p}="{_xml_attr(ns)}"' for p, ns in PREFIXES.items())
        return f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF {namespaces}>\n'

    @staticmethod
    def _element(predicate: str) -> tuple[str, str]:
        """The element name of a property, and a namespace declaration if one is needed."""
        cut = max(predicate.rfind("#"), predicate.rfind("/"))
        namespace, local = predicate[: cut + 1], predicate[cut + 1 :]
        prefix = _PREFIX_OF.get(namespace)
        if prefix and _LOCAL_NAME.match(local):
            return f"{prefix}:{local}", ""
        if not _LOCAL_NAME.match(local):
            raise ValueError(f"{predicate} cannot be written as an RDF/XML property")
        return f"ns0:{local}", f' xmlns:ns0="{_xml_attr(namespace)}"'

    def chunk(self, triples: Iterable[Triple]) -> str:
        """An ``rdf:Description`` per subject."""
        parts = []
        for subject, predicates in _grouped(triples).items():
            if isinstance(subject, BNode):
                about = f'rdf:nodeID="{_bnode_label(subject)[2:]}"'
            else:
                about = f'rdf:about="{_xml_attr(str(subject))}"'
            parts.append(f"  <rdf:Description {about}>\n")
            for predicate, objects in predicates.items():
                name, declaration = self._element(str(predicate))
                for obj in objects:
                    parts.append(f"    {self._property(name, declaration, obj)}\n")
            parts.append("  </rdf:Description>\n")
        return "".join(parts)

    @staticmethod
    def _property(name: str, declaration: str, obj: Node) -> str:
        if isinstance(obj, URIRef):
            return f'<{name}{declaration} rdf:resource="{_xml_attr(str(obj))}"/>'
        if isinstance(obj, BNode):
            return f'<{name}{declaration} rdf:nodeID="{_bnode_label(obj)[2:]}"/>'
        assert isinstance(obj, Literal)  # noqa: S101 # the three kinds of RDF term
        attributes = declaration
        if obj.language:
            attributes += f' xml:lang="{_xml_attr(obj.language)}"'
        elif obj.datatype is not None and obj.datatype != XSD.string:
            attributes += f' rdf:datatype="{_xml_attr(str(obj.datatype))}"'
        return f"<{name}{attributes}>{_xml_text(str(obj))}</{name}>"

    def end(self) -> str:
        """The closing ``rdf:RDF``."""
        return "</rdf:RDF>\n"


def writer_for(fmt: Format) -> RdfWriter:
    """A fresh writer for ``fmt`` (writers keep per-document state).

    Raises:
        ValueError: ``fmt`` is not an RDF format (plain JSON has no writer here).
    """
    writers: dict[str, type[RdfWriter]] = {
        "turtle": TurtleWriter,
        "ntriples": NTriplesWriter,
        "jsonld": JsonLdWriter,
        "rdfxml": RdfXmlWriter,
    }
    if fmt.name not in writers:
        raise ValueError(f"{fmt.media_type} is not an RDF format")
    return writers[fmt.name]()


def serialize(triples: Iterable[Triple], fmt: Format) -> str:
    """The whole document for ``triples`` in ``fmt``."""
    writer = writer_for(fmt)
    return writer.start() + writer.chunk(triples) + writer.end()


def to_graph(triples: Iterable[Triple]) -> Graph:
    """An rdflib graph of ``triples``, with our prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in triples:
        graph.add(triple)
    return graph


# --------------------------------------------------------------------------- reading

#: JSON-LD contexts we hold locally; any other remote context is refused.
_CONTEXT_DIR: Final = Path(__file__).resolve().parent / "harvest" / "contexts"
LOCAL_CONTEXT_FILES: Final[Mapping[str, str]] = {
    "http://www.w3.org/ns/odrl.jsonld": "odrl.jsonld",
    "https://www.w3.org/ns/odrl.jsonld": "odrl.jsonld",
}


@cache
def _local_context(url: str) -> Any:
    return json.loads((_CONTEXT_DIR / LOCAL_CONTEXT_FILES[url]).read_text(encoding="utf-8"))[
        "@context"
    ]


def _resolve_contexts(node: Any) -> Any:
    """Replace remote ``@context`` references with local copies; refuse unknown ones."""
    if isinstance(node, list):
        return [_resolve_contexts(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key == "@context":
            result[key] = _context_value(value)
        elif key == "@import":
            raise BadRequest(f"JSON-LD @import of {value!r} is not allowed (no remote contexts)")
        else:
            result[key] = _resolve_contexts(value)
    return result


def _context_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_context_value(item) for item in value]
    if isinstance(value, str):
        if value in LOCAL_CONTEXT_FILES:
            return _local_context(value)
        raise BadRequest(
            f"the JSON-LD document refers to the remote context {value!r}; remote contexts "
            "are not loaded: inline the context"
        )
    if isinstance(value, dict):
        if "@import" in value:
            raise BadRequest("JSON-LD @import is not allowed (no remote contexts)")
        # Scoped contexts inside term definitions may themselves be references.
        return {k: _resolve_contexts(v) if isinstance(v, dict) else v for k, v in value.items()}
    return value


def _check_xml(data: bytes) -> None:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BadRequest(
            "the RDF/XML document declares a DTD or entities, which are refused "
            f"(external entities and entity expansion): {exc}"
        ) from exc
    except ParseError as exc:
        raise BadRequest(f"the RDF/XML document is not well-formed XML: {exc}") from exc


PARSE_FORMATS: Final[Mapping[str, str]] = {
    # media type -> rdflib parser
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/n3": "n3",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}
SUFFIX_FORMATS: Final[Mapping[str, str]] = {
    "ttl": "turtle",
    "turtle": "turtle",
    "jsonld": "json-ld",
    "json": "json-ld",
    "rdf": "xml",
    "xml": "xml",
    "owl": "xml",
    "nt": "nt",
    "n3": "n3",
    "trig": "trig",
    "nq": "nquads",
}


def guess_format(data: bytes, *, media_type: str | None = None, name: str | None = None) -> str:
    """The rdflib parser for a document, from its media type, its name, or its start."""
    if media_type:
        found = PARSE_FORMATS.get(media_type.split(";")[0].strip().lower())
        if found:
            return found
    if name:
        suffix = name.rsplit("?", 1)[0].rsplit(".", 1)[-1].lower() if "." in name else ""
        if suffix in SUFFIX_FORMATS:
            return SUFFIX_FORMATS[suffix]
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return "json-ld"
    if head.startswith(b"<"):
        # N-Triples also starts with "<": an IRI, then white space, then another term.
        if re.match(rb"<[^>\s]*>\s+[<_]", head):
            return "nt"
        return "xml"
    return "turtle"


# rdflib reads an N-Triples or N-Quads line in time that grows with the square of its
# length (1 MB: 3.6 s, 8 MB: minutes); 64 KiB takes 15 ms.
_LINE_FORMATS = frozenset({"nt", "nquads"})
_LONGEST_LINE = 65536
_LINE = re.compile(rb"[^\r\n]+")


def _longest_line(data: bytes) -> int:
    """The length of the longest line (one pass: each match takes a whole line).

    rdflib ends lines at CR as well as LF, and so does this.
    """
    return max((found.end() - found.start() for found in _LINE.finditer(data)), default=0)


def parse_rdf(data: bytes, *, rdf_format: str, base: str | None = None) -> Graph:
    """Parse an untrusted RDF document into a new graph.

    Quad formats (TriG, N-Quads) are merged into one graph.

    Raises:
        BadRequest: the document is not valid in that format, declares a DTD or
            entities (RDF/XML), needs a remote JSON-LD context, is nested too deeply,
            or has an N-Triples or N-Quads line over 64 KiB.
    """
    graph = Graph(bind_namespaces="none")
    if rdf_format in _LINE_FORMATS and _longest_line(data) > _LONGEST_LINE:
        raise BadRequest(
            f"the document has a line longer than {_LONGEST_LINE} bytes; one line of "
            "N-Triples or N-Quads is one statement, and none needs more"
        )
    try:
        if rdf_format == "xml":
            _check_xml(data)
        if rdf_format == "json-ld":
            try:
                document = metadata_schemas.loads(data.decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise BadRequest(f"the JSON-LD document is not valid JSON: {exc}") from exc
            data = json.dumps(_resolve_contexts(document)).encode("utf-8")
        with warnings.catch_warnings():
            # rdflib's own parsers still use its deprecated ConjunctiveGraph API inside.
            warnings.simplefilter("ignore", DeprecationWarning)
            if rdf_format in {"trig", "nquads"}:
                from rdflib import Dataset as RdfDataset

                quads = RdfDataset()
                quads.parse(data=data, format=rdf_format, publicID=base)
                for s, p, o, _ in quads.quads((None, None, None, None)):
                    graph.add((s, p, o))
                return graph
            graph.parse(data=data, format=rdf_format, publicID=base)
    except BadRequest:
        raise
    except RecursionError as exc:  # rdflib's Turtle and JSON-LD parsers recurse per level
        raise BadRequest(f"the {rdf_format} document is nested too deeply to read") from exc
    except BadSyntax as exc:
        raise BadRequest(f"the document is not valid {rdf_format}: {_syntax_error(exc)}") from exc
    except Exception as exc:  # rdflib's parsers raise many unrelated types
        raise BadRequest(f"the document is not valid {rdf_format}: {exc}") from exc
    return graph


def _syntax_error(error: BadSyntax) -> str:
    """What the Turtle-family parser found wrong, where, in words.

    Its own text quotes the whole document as Python bytes (``b'...'^b'...'``); the
    line and the text before the failing point say the same to a person. The parser
    keeps the document as UTF-8 bytes but the failing point as a character index.
    """
    data, at, why = getattr(error, "_str", None), getattr(error, "_i", None), error._why
    if not isinstance(data, bytes) or not isinstance(at, int):
        return str(error)  # rdflib changed its fields: its own message then
    text = data.decode("utf-8", "replace")
    if not 0 <= at <= len(text):  # some errors carry no position, only the line
        lines = getattr(error, "lines", None)
        all_lines = text.split("\n")
        if isinstance(lines, int) and 0 <= lines < len(all_lines):
            return f"{why} at line {lines + 1}: {all_lines[lines].strip()[:80]!r}"
        return str(why)
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    line = text[start : end if end >= 0 else len(text)]
    column = at - start
    shown = line if len(line) <= 80 else line[max(0, column - 40) : column + 40]
    number = text.count("\n", 0, at) + 1
    return f"{why} at line {number}, column {column + 1}: {shown.strip()!r}"
