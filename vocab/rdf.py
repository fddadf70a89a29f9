"""SKOS in RDF: schemes and concepts to rdflib graphs and Turtle, and back.

The Turtle files in ``vocab/schemes/`` are the source of truth. They are written by
:func:`to_turtle`, a small deterministic writer (same input, same bytes: the build is
checked for reproducibility), from the same statements :func:`scheme_to_graph` puts in a
graph; :func:`scheme_from_graph` reads them back into a :class:`ConceptScheme`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS
from rdflib.term import Node

from vocab.model import (
    DEFAULT_LANGUAGES,
    Concept,
    ConceptScheme,
    Notation,
    Note,
    VocabularyError,
)

__all__ = [
    "NOTE_PROPERTIES",
    "concept_to_graph",
    "scheme_from_graph",
    "scheme_to_graph",
    "to_turtle",
]

#: RDF property of each Note kind. "source" is dct:source with a literal (a citation);
#: dct:source with an IRI on a scheme is a source document (ConceptScheme.sources).
NOTE_PROPERTIES: Final[Mapping[str, URIRef]] = {
    "scope": SKOS.scopeNote,
    "note": SKOS.note,
    "example": SKOS.example,
    "history": SKOS.historyNote,
    "editorial": SKOS.editorialNote,
    "source": DCTERMS.source,
}
_NOTE_KIND_OF: Final = {prop: kind for kind, prop in NOTE_PROPERTIES.items()}

_MATCHES: Final = (
    ("exact_matches", SKOS.exactMatch),
    ("close_matches", SKOS.closeMatch),
    ("broad_matches", SKOS.broadMatch),
    ("narrow_matches", SKOS.narrowMatch),
)

_PREFIXES: Final = (
    ("dct", str(DCTERMS)),
    ("owl", str(OWL)),
    ("skos", str(SKOS)),
)

_Statements = list[tuple[URIRef, list[Node]]]


def _lang_key(literal: Node) -> tuple[int, str, str]:
    lang = (literal.language if isinstance(literal, Literal) else None) or ""
    rank = DEFAULT_LANGUAGES.index(lang) if lang in DEFAULT_LANGUAGES else len(DEFAULT_LANGUAGES)
    return (rank, lang, str(literal))


def _texts(values: Mapping[str, str]) -> list[Node]:
    return sorted((Literal(text, lang=lang) for lang, text in values.items()), key=_lang_key)


def _notes(notes: Iterable[Note]) -> list[tuple[URIRef, list[Node]]]:
    grouped: dict[URIRef, list[Literal]] = {}
    for note in notes:
        grouped.setdefault(NOTE_PROPERTIES[note.kind], []).append(
            Literal(note.text, lang=note.lang)
        )
    return [
        (prop, sorted(grouped[prop], key=_lang_key))
        for prop in NOTE_PROPERTIES.values()
        if prop in grouped
    ]


def _concept_statements(concept: Concept, scheme: ConceptScheme) -> _Statements:
    def iris(codes: Iterable[str]) -> list[Node]:
        return [URIRef(scheme[code].iri) for code in codes]

    scheme_iri = URIRef(scheme.iri)
    statements: _Statements = [
        (RDF.type, [SKOS.Concept]),
        (DCTERMS.identifier, [Literal(concept.code)]),
        (SKOS.inScheme, [scheme_iri]),
    ]
    if not concept.broader:
        statements.append((SKOS.topConceptOf, [scheme_iri]))
    if concept.labels:
        statements.append((SKOS.prefLabel, _texts(concept.labels)))
    alt = [Literal(t, lang=lang) for lang, texts in concept.alt_labels.items() for t in texts]
    if alt:
        statements.append((SKOS.altLabel, sorted(alt, key=_lang_key)))
    if concept.notations:
        statements.append((SKOS.notation, [_notation_literal(n) for n in concept.notations]))
    if concept.definitions:
        statements.append((SKOS.definition, _texts(concept.definitions)))
    if concept.broader:
        statements.append((SKOS.broader, iris(concept.broader)))
    if concept.narrower:
        statements.append((SKOS.narrower, iris(concept.narrower)))
    for attribute, prop in _MATCHES:
        values: tuple[str, ...] = getattr(concept, attribute)
        if values:
            statements.append((prop, [URIRef(v) for v in values]))
    statements.extend(_notes(concept.notes))
    return statements


def _scheme_statements(scheme: ConceptScheme) -> _Statements:
    statements: _Statements = [
        (RDF.type, [SKOS.ConceptScheme]),
        (DCTERMS.identifier, [Literal(scheme.name)]),
        (DCTERMS.title, _texts(scheme.titles)),
    ]
    if scheme.descriptions:
        statements.append((DCTERMS.description, _texts(scheme.descriptions)))
    if scheme.version:
        statements.append((OWL.versionInfo, [Literal(scheme.version)]))
    if scheme.license:
        statements.append((DCTERMS.license, [URIRef(scheme.license)]))
    notes = _notes(scheme.notes)
    sources: list[Node] = [URIRef(s) for s in scheme.sources]
    source_notes = [objs for prop, objs in notes if prop == DCTERMS.source]
    if sources or source_notes:
        statements.append((DCTERMS.source, sources + [o for objs in source_notes for o in objs]))
    statements.extend((prop, objs) for prop, objs in notes if prop != DCTERMS.source)
    statements.append((SKOS.hasTopConcept, [URIRef(c.iri) for c in scheme.top_concepts]))
    return statements


def _notation_literal(notation: Notation) -> Literal:
    if notation.datatype:
        return Literal(notation.value, datatype=URIRef(notation.datatype))
    return Literal(notation.value)


def concept_to_graph(
    concept: Concept, scheme: ConceptScheme, *, with_scheme: bool = False
) -> Graph:
    """Return the SKOS description of one concept.

    Args:
        concept: the concept.
        scheme: the scheme it belongs to (to turn broader/narrower codes into IRIs).
        with_scheme: also type the scheme as ``skos:ConceptScheme`` with its
            ``dct:title``s, which DCAT-AP requires of a scheme a graph mentions.

    Returns:
        A new graph with the concept's triples, prefixes bound.
    """
    graph = _new_graph()
    subject = URIRef(concept.iri)
    for prop, objects in _concept_statements(concept, scheme):
        for obj in objects:
            graph.add((subject, prop, obj))
    if with_scheme:
        scheme_iri = URIRef(scheme.iri)
        graph.add((scheme_iri, RDF.type, SKOS.ConceptScheme))
        for title in _texts(scheme.titles):
            graph.add((scheme_iri, DCTERMS.title, title))
    return graph


def scheme_to_graph(scheme: ConceptScheme) -> Graph:
    """Return the whole scheme (scheme resource and every concept) as a graph.

    Args:
        scheme: the scheme.

    Returns:
        A new graph, prefixes bound.
    """
    graph = _new_graph()
    for subject, statements in _blocks(scheme):
        for prop, objects in statements:
            for obj in objects:
                graph.add((subject, prop, obj))
    return graph


def _blocks(scheme: ConceptScheme) -> list[tuple[URIRef, _Statements]]:
    blocks = [(URIRef(scheme.iri), _scheme_statements(scheme))]
    blocks.extend((URIRef(c.iri), _concept_statements(c, scheme)) for c in scheme)
    return blocks


def _new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in _PREFIXES:
        graph.bind(prefix, namespace)
    return graph


# ---------------------------------------------------------------------- Turtle writer


def _iri(value: str) -> str:
    if any(ch in value for ch in ' <>"{}|^`\\') or any(ord(ch) <= 0x20 for ch in value):
        raise VocabularyError(f"not a valid IRI for Turtle: {value!r}")
    return f"<{value}>"


def _term(node: Node) -> str:
    if isinstance(node, URIRef):
        for prefix, namespace in (("rdf", str(RDF)), *_PREFIXES):
            local = str(node)[len(namespace) :]
            if str(node).startswith(namespace) and local.isalnum():
                return f"{prefix}:{local}"
        return _iri(str(node))
    if isinstance(node, Literal):
        return _literal(node)
    raise VocabularyError(f"cannot write {node!r} to Turtle")


def _literal(literal: Literal) -> str:
    text = str(literal)
    # Every '"' and '\' is escaped, so a long string can never end early on '"""'.
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r")
    quoted = f'"""{escaped}"""' if "\n" in text else '"{}"'.format(escaped.replace("\n", "\\n"))
    if literal.language:
        return f"{quoted}@{literal.language}"
    if literal.datatype is not None:
        return f"{quoted}^^{_iri(str(literal.datatype))}"
    return quoted


def to_turtle(scheme: ConceptScheme) -> str:
    """Serialise a scheme to Turtle, deterministically and readably.

    Blocks come in scheme order (the scheme resource, then concepts depth-first), the
    predicates of a block in a fixed order, objects sorted. rdflib parses the result into
    a graph isomorphic to :func:`scheme_to_graph` (checked by the tests).

    Args:
        scheme: the scheme.

    Returns:
        The Turtle document, ending with a newline.
    """
    lines = [f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in _PREFIXES]
    lines.append("")
    for subject, statements in _blocks(scheme):
        lines.append(_iri(str(subject)))
        for i, (prop, objects) in enumerate(statements):
            end = " ." if i == len(statements) - 1 else " ;"
            verb = "a" if prop == RDF.type else _term(prop)
            rendered = [_term(o) for o in objects]
            if len(rendered) == 1:
                lines.append(f"    {verb} {rendered[0]}{end}")
            else:
                lines.append(f"    {verb}")
                for j, obj in enumerate(rendered):
                    lines.append(f"        {obj}{end if j == len(rendered) - 1 else ' ,'}")
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------- reading back


def scheme_from_graph(graph: Graph) -> ConceptScheme:
    """Read a :class:`ConceptScheme` from a graph written by this module.

    Args:
        graph: a graph holding exactly one ``skos:ConceptScheme`` and its concepts.

    Returns:
        The scheme; equal in content to the one the graph was written from.

    Raises:
        VocabularyError: no or several schemes, a concept without ``dct:identifier``,
            or a hierarchy link to a resource outside the scheme.
    """
    schemes = sorted(set(graph.subjects(RDF.type, SKOS.ConceptScheme)), key=str)
    if len(schemes) != 1:
        raise VocabularyError(f"expected one skos:ConceptScheme, found {len(schemes)}")
    scheme_iri = schemes[0]
    name = _one_text(graph, scheme_iri, DCTERMS.identifier)

    subjects = sorted(set(graph.subjects(SKOS.inScheme, scheme_iri)), key=str)
    codes = {str(s): _one_text(graph, s, DCTERMS.identifier) for s in subjects}

    def code_of(node: Node) -> str:
        try:
            return codes[str(node)]
        except KeyError:
            raise VocabularyError(f"{name}: {node} is not a concept of the scheme") from None

    concepts = []
    for subject in subjects:
        concepts.append(
            Concept(
                scheme=name,
                code=codes[str(subject)],
                iri=str(subject),
                labels=_by_lang(graph, subject, SKOS.prefLabel),
                alt_labels={
                    lang: tuple(texts)
                    for lang, texts in _all_by_lang(graph, subject, SKOS.altLabel).items()
                },
                definitions=_by_lang(graph, subject, SKOS.definition),
                notations=tuple(
                    Notation(str(n), str(n.datatype) if n.datatype else None)
                    for n in graph.objects(subject, SKOS.notation)
                    if isinstance(n, Literal)
                ),
                broader=tuple(code_of(o) for o in graph.objects(subject, SKOS.broader)),
                narrower=tuple(code_of(o) for o in graph.objects(subject, SKOS.narrower)),
                exact_matches=_iris(graph, subject, SKOS.exactMatch),
                close_matches=_iris(graph, subject, SKOS.closeMatch),
                broad_matches=_iris(graph, subject, SKOS.broadMatch),
                narrow_matches=_iris(graph, subject, SKOS.narrowMatch),
                notes=_read_notes(graph, subject),
            )
        )
    return ConceptScheme(
        name=name,
        iri=str(scheme_iri),
        titles=_by_lang(graph, scheme_iri, DCTERMS.title),
        descriptions=_by_lang(graph, scheme_iri, DCTERMS.description),
        version=str(graph.value(scheme_iri, OWL.versionInfo) or ""),
        sources=_iris(graph, scheme_iri, DCTERMS.source),
        license=_optional_iri(graph, scheme_iri, DCTERMS.license),
        notes=_read_notes(graph, scheme_iri),
        concepts=concepts,
    )


def _one_text(graph: Graph, subject: Node, prop: URIRef) -> str:
    values = [str(o) for o in graph.objects(subject, prop) if isinstance(o, Literal)]
    if len(values) != 1:
        raise VocabularyError(f"{subject} needs exactly one {prop}, has {len(values)}")
    return values[0]


def _by_lang(graph: Graph, subject: Node, prop: URIRef) -> dict[str, str]:
    out: dict[str, str] = {}
    for obj in graph.objects(subject, prop):
        if isinstance(obj, Literal):
            lang = obj.language or ""
            if lang in out:
                raise VocabularyError(f"{subject} has two {prop} in language {lang!r}")
            out[lang] = str(obj)
    return out


def _all_by_lang(graph: Graph, subject: Node, prop: URIRef) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for obj in graph.objects(subject, prop):
        if isinstance(obj, Literal):
            out.setdefault(obj.language or "", []).append(str(obj))
    return out


def _iris(graph: Graph, subject: Node, prop: URIRef) -> tuple[str, ...]:
    return tuple(str(o) for o in graph.objects(subject, prop) if isinstance(o, URIRef))


def _optional_iri(graph: Graph, subject: Node, prop: URIRef) -> str | None:
    values = _iris(graph, subject, prop)
    return values[0] if values else None


def _read_notes(graph: Graph, subject: Node) -> tuple[Note, ...]:
    notes = []
    for prop, kind in _NOTE_KIND_OF.items():
        for obj in graph.objects(subject, prop):
            if isinstance(obj, Literal):
                notes.append(Note(kind, str(obj), obj.language))
    return tuple(notes)
