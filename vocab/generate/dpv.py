"""``legal-bases``, ``purposes`` and ``consent-statuses``: selections of W3C DPV 2.3."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Final

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS, Namespace

from vocab.generate.common import (
    LICENSE_W3C_DOCUMENT,
    TRANSLATION_NOTE_EN,
    TRANSLATION_NOTE_ES,
    Draft,
    assemble,
    input_note,
    load_toml,
)
from vocab.model import SIMEL_NS, ConceptScheme, Note, VocabularyError

DPV: Final = Namespace("https://w3id.org/dpv#")
SW: Final = Namespace("http://www.w3.org/2003/06/sw-vocab-status/ns#")
DPV_TTL: Final = Path("dpv/dpv.ttl")
DPV_SOURCE: Final = (
    "https://github.com/w3c/dpv/blob/f01a55c3c0983e35cdfdf80593ece3353faba7b8/2.3/dpv/dpv.ttl"
)

# The abstract roots are not values a record can take; their children are the top
# concepts of the SIMEL schemes.
_ROOTS: Final = frozenset({DPV.LegalBasis, DPV.Purpose, DPV.ConsentStatus})


def _descendants(graph: Graph, root: URIRef) -> set[URIRef]:
    found: set[URIRef] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        for child in graph.subjects(SKOS.broader, node):
            if isinstance(child, URIRef) and child not in found:
                found.add(child)
                stack.append(child)
    return found


def _code(iri: URIRef) -> str:
    return str(iri)[len(str(DPV)) :]


def _literal(graph: Graph, subject: URIRef, prop: URIRef) -> str | None:
    values = sorted(
        str(o)
        for o in graph.objects(subject, prop)
        if isinstance(o, Literal) and o.language == "en"
    )
    if len(values) > 1:
        raise VocabularyError(f"{subject} has several English {prop}")
    return values[0] if values else None


def _scheme(
    graph: Graph,
    members: Iterable[URIRef],
    *,
    name: str,
    segment: str,
    titles: dict[str, str],
    descriptions: dict[str, str],
    extra_notes: dict[str, list[Note]] | None = None,
    standards: Path,
) -> ConceptScheme:
    members = sorted(members, key=str)
    member_set = set(members)
    spanish: dict[str, str] = load_toml("translations_es")[name]
    unknown = set(spanish) - {_code(m) for m in members}
    if unknown:
        raise VocabularyError(
            f"{name}: Spanish labels for concepts not in the scheme: {sorted(unknown)}"
        )
    drafts = []
    for member in members:
        code = _code(member)
        draft = Draft(code=code, iri=str(member))
        label = _literal(graph, member, SKOS.prefLabel)
        if label is None:
            raise VocabularyError(f"{member} has no English prefLabel")
        draft.labels["en"] = label
        for alt in graph.objects(member, SKOS.altLabel):
            if isinstance(alt, Literal) and alt.language == "en":
                draft.add_alt("en", str(alt))
        definition = _literal(graph, member, SKOS.definition)
        if definition:
            draft.definitions["en"] = definition
        scope = _literal(graph, member, SKOS.scopeNote)
        if scope:
            draft.notes.append(Note("scope", scope, "en"))
        status = _literal(graph, member, SW.term_status)
        if status and status != "accepted":
            draft.notes.append(Note("editorial", f"DPV term status: {status}.", "en"))
        for parent in sorted(graph.objects(member, SKOS.broader), key=str):
            if not isinstance(parent, URIRef):
                continue
            if parent in member_set:
                draft.broader.append(_code(parent))
            elif parent not in _ROOTS:
                # A DPV parent outside this selection (e.g. dpv:Assessment): keep the
                # link as a mapping instead of a dangling skos:broader.
                draft.broad_matches.append(str(parent))
        if code in spanish:
            draft.labels["es"] = spanish[code]
            draft.notes += [
                Note("editorial", TRANSLATION_NOTE_EN, "en"),
                Note("editorial", TRANSLATION_NOTE_ES, "es"),
            ]
        draft.notes += (extra_notes or {}).get(code, [])
        drafts.append(draft)
    return assemble(
        name=name,
        iri=f"{SIMEL_NS}{segment}",
        titles=titles,
        descriptions=descriptions,
        drafts=drafts,
        version="DPV 2.3",
        sources=(DPV_SOURCE, "https://w3id.org/dpv/2.3"),
        license=LICENSE_W3C_DOCUMENT,
        notes=[
            input_note(standards, standards / DPV_TTL),
            Note(
                "editorial",
                "A selection of W3C Data Privacy Vocabulary 2.3 concepts, with their DPV "
                "IRIs, English labels, definitions and scope notes. Spanish labels are SIMEL "
                "translations and are marked on each concept.",
                "en",
            ),
        ],
    )


def build(standards: Path) -> list[ConceptScheme]:
    """Build the three DPV-based schemes.

    * ``legal-bases``: every concept under ``dpv:LegalBasis`` (transitively), i.e. DPV's
      legal bases with their consent and contract types; there is no ``dpv:PublicTask``.
    * ``purposes``: every concept under ``dpv:Purpose`` that DPV files in its purposes
      scheme (organisational measures that also sit under Purpose are left out).
    * ``consent-statuses``: the ten DPV consent states under their two DPV groupings,
      "valid for processing" and "invalid for processing".

    Args:
        standards: the shared/standards directory.

    Returns:
        The three schemes.
    """
    graph = Graph().parse(standards / DPV_TTL, format="turtle")
    legal = _descendants(graph, DPV.LegalBasis)
    purposes = {
        p
        for p in _descendants(graph, DPV.Purpose)
        if (p, SKOS.inScheme, DPV["purposes-classes"]) in graph
    }
    consent = _descendants(graph, DPV.ConsentStatus)
    valid = _descendants(graph, DPV.ConsentStatusValidForProcessing)
    consent_notes = {
        _code(c): [
            Note(
                "editorial",
                f"Valid for processing: {'yes' if c in valid else 'no'} "
                "(DPV ConsentStatusValidForProcessing).",
                "en",
            ),
            Note(
                "editorial",
                f"Válido para el tratamiento: {'sí' if c in valid else 'no'} "
                "(DPV ConsentStatusValidForProcessing).",
                "es",
            ),
        ]
        for c in consent
        if c not in (DPV.ConsentStatusValidForProcessing, DPV.ConsentStatusInvalidForProcessing)
    }
    return [
        _scheme(
            graph,
            legal,
            name="legal-bases",
            segment="legal-basis",
            titles={"en": "Legal bases (DPV)", "es": "Bases jurídicas (DPV)"},
            descriptions={
                "en": "Legal bases for processing data, from the W3C Data Privacy Vocabulary 2.3.",
                "es": "Bases jurídicas del tratamiento de datos, del Data Privacy Vocabulary "
                "2.3 del W3C.",
            },
            standards=standards,
        ),
        _scheme(
            graph,
            purposes,
            name="purposes",
            segment="purpose",
            titles={"en": "Purposes (DPV)", "es": "Finalidades (DPV)"},
            descriptions={
                "en": "Purposes of processing, from the W3C Data Privacy Vocabulary 2.3.",
                "es": "Finalidades del tratamiento, del Data Privacy Vocabulary 2.3 del W3C.",
            },
            standards=standards,
        ),
        _scheme(
            graph,
            consent,
            name="consent-statuses",
            segment="consent-status",
            titles={"en": "Consent statuses (DPV)", "es": "Estados del consentimiento (DPV)"},
            descriptions={
                "en": "States of a consent record, grouped by whether they justify "
                "processing, from the W3C Data Privacy Vocabulary 2.3.",
                "es": "Estados de un registro de consentimiento, agrupados según justifiquen "
                "o no el tratamiento, del Data Privacy Vocabulary 2.3 del W3C.",
            },
            extra_notes=consent_notes,
            standards=standards,
        ),
    ]
