"""Concepts and concept schemes: immutable values with dictionary-speed lookups.

A :class:`ConceptScheme` is built once (from the JSON cache or from Turtle) and then only
read, so every index is computed in its constructor and lookups by code, IRI or label are
single dictionary accesses. Nothing here imports rdflib: the RDF side lives in
:mod:`vocab.rdf` and is only imported when a graph is asked for.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from vocab.text import fold, fold_code, words

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = [
    "DEFAULT_LANGUAGES",
    "NOTE_KINDS",
    "SIMEL_NS",
    "Concept",
    "ConceptScheme",
    "Notation",
    "Note",
    "UnknownConcept",
    "VocabularyError",
]

#: The one namespace of everything SIMEL Catalog defines itself (its own schemes,
#: concepts and notation datatypes). Persistent w3id.org IRIs, never a deployment host.
SIMEL_NS: Final = "https://w3id.org/simel/vocab/"

#: Label languages in order of preference: the catalogue is Spanish first.
DEFAULT_LANGUAGES: Final = ("es", "en")

#: Kinds of :class:`Note`, each stored as one RDF property (see vocab.rdf.NOTE_PROPERTIES).
NOTE_KINDS: Final = frozenset({"note", "scope", "editorial", "history", "example", "source"})


class VocabularyError(Exception):
    """A vocabulary file or request is inconsistent (bad data, unknown scheme, ...)."""


class UnknownConcept(VocabularyError, LookupError):
    """A value is not a concept of the scheme; carries close matches for the message.

    Attributes:
        scheme: name of the scheme that was searched.
        value: the value that was not found.
        suggestions: codes of close matches, best first (possibly empty).
    """

    def __init__(self, scheme: str, value: str, suggestions: Sequence[str] = ()) -> None:
        self.scheme = scheme
        self.value = value
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"{value!r} is not a concept of scheme {scheme!r}{hint}")


@dataclass(frozen=True, slots=True)
class Notation:
    """A ``skos:notation``: a code string, optionally typed (e.g. ISO 3166-1 alpha-2).

    Attributes:
        value: the notation itself, e.g. ``"GT"``.
        datatype: IRI of its datatype, or ``None`` for a plain literal.
    """

    value: str
    datatype: str | None = None


@dataclass(frozen=True, slots=True)
class Note:
    """A documentation note on a concept or scheme.

    Attributes:
        kind: one of :data:`NOTE_KINDS` ("editorial" for provenance and translation
            remarks, "scope" for usage, "source" for a bibliographic source, ...).
        text: the note text.
        lang: language tag of the text, or ``None``.
    """

    kind: str
    text: str
    lang: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in NOTE_KINDS:
            raise VocabularyError(f"unknown note kind {self.kind!r}")


def _frozen_labels(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType({lang: value[lang] for lang in sorted(value)})


def _frozen_alt_labels(value: Mapping[str, Iterable[str]]) -> Mapping[str, tuple[str, ...]]:
    # Sorted so that a scheme read from Turtle (unordered) equals the one read from JSON.
    return MappingProxyType(
        {lang: tuple(sorted(set(value[lang]))) for lang in sorted(value) if value[lang]}
    )


def code_sort_key(code: str) -> tuple[str, str]:
    """Return the sort key that orders sibling concepts (case-insensitive, then exact).

    Args:
        code: a concept code.

    Returns:
        A tuple usable as a ``sorted`` key.
    """
    return (code.casefold(), code)


@dataclass(frozen=True, slots=True)
class Concept:
    """One SKOS concept of a scheme.

    Build concepts through :class:`ConceptScheme`, which checks the hierarchy, fills in
    :attr:`level` and links each concept back to its scheme (needed by
    :attr:`broader_concepts` and :meth:`to_graph`).

    Attributes:
        scheme: name of the scheme, e.g. ``"occupations"``.
        code: the code the catalogue stores (ISO alpha-3, ISCO code, DPV local name...).
        iri: the concept IRI.
        labels: language tag -> ``skos:prefLabel``.
        alt_labels: language tag -> ``skos:altLabel`` values.
        definitions: language tag -> ``skos:definition``.
        notations: every ``skos:notation`` (typed where the code system has a datatype).
        broader: codes of the broader concepts (same scheme).
        narrower: codes of the narrower concepts (same scheme), the inverse of broader.
        exact_matches: IRIs of ``skos:exactMatch`` concepts in other schemes.
        close_matches: IRIs of ``skos:closeMatch`` concepts.
        broad_matches: IRIs of ``skos:broadMatch`` concepts.
        narrow_matches: IRIs of ``skos:narrowMatch`` concepts.
        notes: documentation notes (provenance, translation marks, scope...).
        level: depth in the hierarchy, 1 for top concepts.
    """

    scheme: str
    code: str
    iri: str
    labels: Mapping[str, str] = field(default_factory=dict)
    alt_labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    definitions: Mapping[str, str] = field(default_factory=dict)
    notations: tuple[Notation, ...] = ()
    broader: tuple[str, ...] = ()
    narrower: tuple[str, ...] = ()
    exact_matches: tuple[str, ...] = ()
    close_matches: tuple[str, ...] = ()
    broad_matches: tuple[str, ...] = ()
    narrow_matches: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()
    level: int = 0
    # Back-reference set by ConceptScheme; not part of the value (equality, hash, repr).
    _owner: ConceptScheme | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Normalise every collection so that equal content gives equal objects whatever
        # the order it was read in, and so that no caller can mutate a shared concept.
        set_ = object.__setattr__
        set_(self, "labels", _frozen_labels(self.labels))
        set_(self, "alt_labels", _frozen_alt_labels(self.alt_labels))
        set_(self, "definitions", _frozen_labels(self.definitions))
        set_(self, "notations", tuple(sorted(set(self.notations), key=_notation_key)))
        set_(self, "broader", tuple(sorted(set(self.broader), key=code_sort_key)))
        set_(self, "narrower", tuple(sorted(set(self.narrower), key=code_sort_key)))
        for name in ("exact_matches", "close_matches", "broad_matches", "narrow_matches"):
            set_(self, name, tuple(sorted(set(getattr(self, name)))))
        set_(self, "notes", tuple(sorted(set(self.notes), key=_note_key)))

    def __hash__(self) -> int:
        return hash((self.scheme, self.code))

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        # The read-only mappings (MappingProxyType) cannot be pickled or deep-copied
        # as they are; go through the JSON form. The copy is detached from its scheme.
        return (Concept.from_json, (self.to_json(),))

    def label(self, lang: str = "es", fallback: Sequence[str] = DEFAULT_LANGUAGES) -> str:
        """Return the preferred label in ``lang``, else in the first ``fallback`` language.

        Args:
            lang: wanted language tag.
            fallback: languages to try next, in order (Spanish, then English by default).

        Returns:
            The best available label; any label if none of the languages has one; the
            code as a last resort (a concept always has a printable name).
        """
        for candidate in (lang, *fallback):
            text = self.labels.get(candidate)
            if text:
                return text
        return next(iter(self.labels.values()), self.code)

    def definition(self, lang: str = "es", fallback: Sequence[str] = DEFAULT_LANGUAGES) -> str:
        """Return the definition in ``lang`` or the first ``fallback`` language that has one.

        Args:
            lang: wanted language tag.
            fallback: languages to try next, in order.

        Returns:
            The definition, or ``""`` when the concept has none in those languages.
        """
        for candidate in (lang, *fallback):
            text = self.definitions.get(candidate)
            if text:
                return text
        return ""

    @property
    def scheme_object(self) -> ConceptScheme:
        """The :class:`ConceptScheme` this concept belongs to.

        Raises:
            VocabularyError: the concept was created outside a scheme.
        """
        if self._owner is None:
            raise VocabularyError(f"concept {self.code!r} is not attached to a scheme")
        return self._owner

    @property
    def broader_concepts(self) -> tuple[Concept, ...]:
        """The broader concepts themselves (resolved through the owning scheme)."""
        scheme = self.scheme_object
        return tuple(scheme[code] for code in self.broader)

    @property
    def narrower_concepts(self) -> tuple[Concept, ...]:
        """The narrower concepts themselves (resolved through the owning scheme)."""
        scheme = self.scheme_object
        return tuple(scheme[code] for code in self.narrower)

    def to_json(self) -> dict[str, Any]:
        """Return the concept as a JSON-ready dict (the shape of the JSON API and cache).

        Returns:
            A dict of plain JSON types; empty collections are left out.
        """
        out: dict[str, Any] = {"code": self.code, "iri": self.iri, "scheme": self.scheme}
        if self.labels:
            out["labels"] = dict(self.labels)
        if self.alt_labels:
            out["alt_labels"] = {lang: list(v) for lang, v in self.alt_labels.items()}
        if self.definitions:
            out["definitions"] = dict(self.definitions)
        if self.notations:
            out["notations"] = [_notation_json(n) for n in self.notations]
        for name in (
            "broader",
            "narrower",
            "exact_matches",
            "close_matches",
            "broad_matches",
            "narrow_matches",
        ):
            values = getattr(self, name)
            if values:
                out[name] = list(values)
        if self.notes:
            out["notes"] = [_note_json(n) for n in self.notes]
        out["level"] = self.level
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Concept:
        """Build a detached concept from :meth:`to_json` output.

        Args:
            data: a dict as produced by :meth:`to_json`.

        Returns:
            The concept (attach it by passing it to :class:`ConceptScheme`).
        """
        return cls(
            scheme=data["scheme"],
            code=data["code"],
            iri=data["iri"],
            labels=data.get("labels", {}),
            alt_labels=data.get("alt_labels", {}),
            definitions=data.get("definitions", {}),
            notations=tuple(
                Notation(n["value"], n.get("datatype")) for n in data.get("notations", ())
            ),
            broader=tuple(data.get("broader", ())),
            narrower=tuple(data.get("narrower", ())),
            exact_matches=tuple(data.get("exact_matches", ())),
            close_matches=tuple(data.get("close_matches", ())),
            broad_matches=tuple(data.get("broad_matches", ())),
            narrow_matches=tuple(data.get("narrow_matches", ())),
            notes=tuple(Note(n["kind"], n["text"], n.get("lang")) for n in data.get("notes", ())),
            level=int(data.get("level", 0)),
        )

    def to_graph(self, *, with_scheme: bool = False) -> Graph:
        """Return this concept's SKOS description as an rdflib Graph.

        Args:
            with_scheme: also describe the scheme minimally (type and titles), as DCAT-AP
                wants for the vocabulary values a catalogue record uses.

        Returns:
            A graph with the concept's triples (labels, hierarchy as IRIs, mappings,
            notes) and the ``skos:inScheme`` link, ready for Turtle or JSON-LD output.

        Raises:
            VocabularyError: the concept is not attached to a scheme.
        """
        # Imported here: rdflib costs ~0.3 s to import and lookups never need it.
        from vocab.rdf import concept_to_graph

        return concept_to_graph(self, self.scheme_object, with_scheme=with_scheme)


def _notation_key(notation: Notation) -> tuple[str, str]:
    return (notation.datatype or "", notation.value)


def _note_key(note: Note) -> tuple[str, str, str]:
    return (note.kind, note.lang or "", note.text)


def _notation_json(notation: Notation) -> dict[str, str]:
    out = {"value": notation.value}
    if notation.datatype:
        out["datatype"] = notation.datatype
    return out


def _note_json(note: Note) -> dict[str, str]:
    out = {"kind": note.kind, "text": note.text}
    if note.lang:
        out["lang"] = note.lang
    return out


@dataclass(frozen=True, slots=True)
class _LabelEntry:
    """One searchable label: its folded form and where it came from."""

    folded: str
    words: tuple[str, ...]
    code: str
    lang: str | None
    preferred: bool


# Ranks used by search(), best first.
_EXACT, _LABEL_PREFIX, _WORD_PREFIX, _ALL_WORDS = range(4)


class ConceptScheme:
    """A SKOS concept scheme with its concepts and lookup indexes.

    The constructor validates the hierarchy (every broader code exists, narrower is the
    exact inverse of broader, no cycles), orders the concepts depth-first with siblings by
    code, and builds the indexes; afterwards the scheme is read-only.

    Raises:
        VocabularyError: duplicate codes or IRIs, dangling or inconsistent hierarchy.
    """

    def __init__(
        self,
        *,
        name: str,
        iri: str,
        titles: Mapping[str, str],
        concepts: Iterable[Concept],
        descriptions: Mapping[str, str] | None = None,
        version: str = "",
        sources: Iterable[str] = (),
        license: str | None = None,
        notes: Iterable[Note] = (),
    ) -> None:
        self.name: Final = name
        self.iri: Final = iri
        self.titles: Final = _frozen_labels(titles)
        self.descriptions: Final = _frozen_labels(descriptions or {})
        self.version: Final = version
        self.sources: Final = tuple(sorted(set(sources)))
        self.license: Final = license
        self.notes: Final = tuple(sorted(set(notes), key=_note_key))

        raw = list(concepts)
        by_code: dict[str, Concept] = {}
        for concept in raw:
            if concept.scheme != name:
                raise VocabularyError(
                    f"{concept.code!r} belongs to {concept.scheme!r}, not {name!r}"
                )
            if concept.code in by_code:
                raise VocabularyError(f"duplicate code {concept.code!r} in {name!r}")
            by_code[concept.code] = concept
        self._check_hierarchy(by_code)

        ordered = self._depth_first(by_code)
        self._concepts: dict[str, Concept] = {}
        for code, level in ordered:
            concept = replace(by_code[code], level=level)
            object.__setattr__(concept, "_owner", self)
            self._concepts[code] = concept
        self._order = {code: i for i, code in enumerate(self._concepts)}
        self.top_concept_codes: Final = tuple(c.code for c in self if not c.broader)

        self._by_iri: dict[str, Concept] = {}
        for concept in self:
            if concept.iri in self._by_iri:
                raise VocabularyError(f"duplicate IRI {concept.iri} in {name!r}")
            self._by_iri[concept.iri] = concept
        self._by_key = self._code_index()
        self._entries, self._by_label = self._label_index()
        self._word_list, self._word_entries = self._word_index()

    # ------------------------------------------------------------------ construction

    def _check_hierarchy(self, by_code: Mapping[str, Concept]) -> None:
        expected_narrower: dict[str, set[str]] = {code: set() for code in by_code}
        for concept in by_code.values():
            for parent in concept.broader:
                if parent not in by_code:
                    raise VocabularyError(
                        f"{self.name}: {concept.code!r} has unknown broader {parent!r}"
                    )
                expected_narrower[parent].add(concept.code)
        for code, concept in by_code.items():
            if set(concept.narrower) != expected_narrower[code]:
                raise VocabularyError(
                    f"{self.name}: narrower of {code!r} is not the inverse of broader"
                )

    def _depth_first(self, by_code: Mapping[str, Concept]) -> list[tuple[str, int]]:
        # Depth-first from the top concepts, siblings by code: the order of ISCO and ISIC
        # tables, and the same whether the scheme was read from JSON or Turtle. A concept
        # with several broader concepts (DPV) appears once, at its shallowest level.
        levels: dict[str, int] = {}
        frontier = [code for code, c in by_code.items() if not c.broader]
        depth = 1
        while frontier:
            nxt: list[str] = []
            for code in frontier:
                if code not in levels:
                    levels[code] = depth
                    nxt.extend(by_code[code].narrower)
            frontier, depth = nxt, depth + 1
        if len(levels) != len(by_code):
            missing = sorted(set(by_code) - set(levels))[:5]
            raise VocabularyError(f"{self.name}: concepts in a broader cycle: {missing}")

        ordered: list[tuple[str, int]] = []
        seen: set[str] = set()

        def visit(code: str) -> None:
            if code in seen:
                return
            seen.add(code)
            ordered.append((code, levels[code]))
            for child in by_code[code].narrower:
                visit(child)

        for code in sorted((c for c in by_code if not by_code[c].broader), key=code_sort_key):
            visit(code)
        return ordered

    def _code_index(self) -> dict[str, Concept]:
        # Codes and notations, casefolded. A key shared by two concepts is ambiguous and
        # left out, except that a concept's own code always wins over another's notation.
        candidates: dict[str, set[str]] = {}
        for concept in self:
            for value in (concept.code, *(n.value for n in concept.notations)):
                candidates.setdefault(fold_code(value), set()).add(concept.code)
        index = {
            key: self._concepts[next(iter(codes))]
            for key, codes in candidates.items()
            if len(codes) == 1
        }
        for concept in self:
            index[fold_code(concept.code)] = concept
        return index

    def _label_index(
        self,
    ) -> tuple[list[_LabelEntry], dict[tuple[str | None, str], tuple[Concept, ...]]]:
        entries: list[_LabelEntry] = []
        for concept in self:
            for lang, text in concept.labels.items():
                folded = fold(text)
                entries.append(_LabelEntry(folded, words(folded), concept.code, lang, True))
            for lang, texts in concept.alt_labels.items():
                for text in texts:
                    folded = fold(text)
                    entries.append(_LabelEntry(folded, words(folded), concept.code, lang, False))
        # (lang, folded) and (None, folded) -> concepts, best first: a preferred label
        # beats an alternative one, then the more general concept, then scheme order.
        grouped: dict[tuple[str | None, str], dict[str, tuple[int, int, int]]] = {}
        for entry in entries:
            if not entry.folded:
                continue
            rank = (
                0 if entry.preferred else 1,
                self._concepts[entry.code].level,
                self._order[entry.code],
            )
            for key in ((entry.lang, entry.folded), (None, entry.folded)):
                best = grouped.setdefault(key, {})
                if entry.code not in best or rank < best[entry.code]:
                    best[entry.code] = rank
        by_label = {
            key: tuple(self._concepts[code] for code in sorted(ranks, key=ranks.__getitem__))
            for key, ranks in grouped.items()
        }
        return entries, by_label

    def _word_index(self) -> tuple[list[str], dict[str, list[int]]]:
        word_entries: dict[str, list[int]] = {}
        for i, entry in enumerate(self._entries):
            for word in set(entry.words):
                word_entries.setdefault(word, []).append(i)
        return sorted(word_entries), word_entries

    # ------------------------------------------------------------------ mapping protocol

    def __len__(self) -> int:
        return len(self._concepts)

    def __iter__(self) -> Iterator[Concept]:
        return iter(self._concepts.values())

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._concepts

    def __getitem__(self, code: str) -> Concept:
        """Return the concept with exactly this code.

        Raises:
            UnknownConcept: no such code (with suggestions).
        """
        try:
            return self._concepts[code]
        except KeyError:
            raise UnknownConcept(self.name, code, self.suggest_codes(code)) from None

    def __repr__(self) -> str:
        return f"<ConceptScheme {self.name!r}: {len(self)} concepts>"

    @property
    def codes(self) -> tuple[str, ...]:
        """All codes, in scheme order (depth-first, siblings by code)."""
        return tuple(self._concepts)

    @property
    def top_concepts(self) -> tuple[Concept, ...]:
        """The concepts without a broader concept (``skos:hasTopConcept``)."""
        return tuple(self._concepts[code] for code in self.top_concept_codes)

    def title(self, lang: str = "es", fallback: Sequence[str] = DEFAULT_LANGUAGES) -> str:
        """Return the scheme title in ``lang`` or the first ``fallback`` language.

        Args:
            lang: wanted language tag.
            fallback: languages to try next.

        Returns:
            The title, or the scheme name if it has none.
        """
        for candidate in (lang, *fallback):
            if candidate in self.titles:
                return self.titles[candidate]
        return next(iter(self.titles.values()), self.name)

    # ------------------------------------------------------------------ lookups

    def by_code(self, code: str) -> Concept | None:
        """Return the concept whose code or notation is ``code`` (case-insensitive).

        Countries answer to alpha-3, alpha-2 and numeric codes alike ("GTM", "gt", "320").

        Args:
            code: a code or notation.

        Returns:
            The concept, or ``None``.
        """
        exact = self._concepts.get(code)
        if exact is not None:
            return exact
        return self._by_key.get(fold_code(code))

    def by_iri(self, iri: str) -> Concept | None:
        """Return the concept with this IRI, or ``None``.

        Args:
            iri: a concept IRI.

        Returns:
            The concept, or ``None``.
        """
        return self._by_iri.get(iri.strip())

    def by_label(self, text: str, lang: str | None = None) -> Concept | None:
        """Return the concept with this preferred or alternative label.

        Matching ignores case, accents and punctuation ("migracion laboral" finds
        "Migración laboral"). When several concepts share the label (ISCO repeats a title
        down its levels), the preferred-label match of the most general concept wins; use
        :meth:`all_by_label` to see them all.

        Args:
            text: the label to look up.
            lang: restrict to labels in this language; ``None`` for any language.

        Returns:
            The best matching concept, or ``None``.
        """
        found = self._by_label.get((lang, fold(text)))
        return found[0] if found else None

    def all_by_label(self, text: str, lang: str | None = None) -> tuple[Concept, ...]:
        """Return every concept having this label (same matching as :meth:`by_label`).

        Args:
            text: the label to look up.
            lang: restrict to labels in this language; ``None`` for any language.

        Returns:
            The concepts, best first; empty if none.
        """
        return self._by_label.get((lang, fold(text)), ())

    def lookup(self, value: str, lang: str | None = None) -> Concept | None:
        """Return the concept for a code, notation, IRI or label, tried in that order.

        Args:
            value: what a user or an imported record gave.
            lang: language of the label, if known.

        Returns:
            The concept, or ``None``.
        """
        return self.by_code(value) or self.by_iri(value) or self.by_label(value, lang)

    def require(self, value: str, lang: str | None = None) -> Concept:
        """Like :meth:`lookup` but raise with suggestions instead of returning ``None``.

        Args:
            value: a code, notation, IRI or label.
            lang: language of the label, if known.

        Returns:
            The concept.

        Raises:
            UnknownConcept: nothing matches; ``suggestions`` holds close codes.
        """
        concept = self.lookup(value, lang)
        if concept is None:
            raise UnknownConcept(self.name, value, self.suggest_codes(value))
        return concept

    # ------------------------------------------------------------------ hierarchy

    def ancestors(self, code: str) -> tuple[Concept, ...]:
        """Return all broader concepts, transitively, nearest first.

        Args:
            code: a concept code of this scheme.

        Returns:
            The ancestors, breadth-first, without duplicates.

        Raises:
            UnknownConcept: ``code`` is not in the scheme.
        """
        result: list[Concept] = []
        seen: set[str] = set()
        frontier = list(self[code].broader)
        while frontier:
            nxt: list[str] = []
            for parent in frontier:
                if parent not in seen:
                    seen.add(parent)
                    result.append(self._concepts[parent])
                    nxt.extend(self._concepts[parent].broader)
            frontier = nxt
        return tuple(result)

    def descendants(self, code: str) -> tuple[Concept, ...]:
        """Return all narrower concepts, transitively, in scheme order.

        Args:
            code: a concept code of this scheme.

        Returns:
            The descendants (not including ``code`` itself).

        Raises:
            UnknownConcept: ``code`` is not in the scheme.
        """
        seen: set[str] = set()
        stack = list(self[code].narrower)
        while stack:
            child = stack.pop()
            if child not in seen:
                seen.add(child)
                stack.extend(self._concepts[child].narrower)
        return tuple(sorted((self._concepts[c] for c in seen), key=lambda c: self._order[c.code]))

    def is_a(self, code: str, ancestor: str) -> bool:
        """Return whether ``code`` is ``ancestor`` or one of its (transitive) narrower concepts.

        Args:
            code: the concept to test.
            ancestor: the concept it may fall under.

        Returns:
            ``True`` if ``code == ancestor`` or ``ancestor`` is among its ancestors.

        Raises:
            UnknownConcept: either code is not in the scheme.
        """
        if ancestor not in self._concepts:
            # An unknown ancestor is a caller error, not a "no".
            raise UnknownConcept(self.name, ancestor, self.suggest_codes(ancestor))
        return code == ancestor or any(c.code == ancestor for c in self.ancestors(code))

    # ------------------------------------------------------------------ search

    def search(self, prefix: str, lang: str | None = None, limit: int = 10) -> list[Concept]:
        """Autocomplete: concepts whose code or a label word starts with ``prefix``.

        Matching folds case and accents ("albanil" finds "Albañil"). Ranking: exact
        label or code, then label prefix, then prefix of a later word ("migrante" finds
        "Trabajadores migrantes ..."), then labels containing every typed word as a word
        prefix in any order; ties go to preferred labels, then to more general concepts
        (lower level), then to scheme order.

        Args:
            prefix: what the user typed.
            lang: only match labels in this language (codes always match).
            limit: maximum number of results.

        Returns:
            Up to ``limit`` concepts, best first.
        """
        query = fold(prefix)
        if not query or limit <= 0:
            return []
        best: dict[str, tuple[int, int, int, int]] = {}

        def offer(code: str, rank: int, preferred: bool) -> None:
            key = (rank, 0 if preferred else 1, self._concepts[code].level, self._order[code])
            if code not in best or key < best[code]:
                best[code] = key

        code_query = fold_code(prefix)
        if " " not in code_query:
            for key, concept in self._code_prefix_matches(code_query):
                offer(concept.code, _EXACT if key == code_query else _LABEL_PREFIX, True)

        query_words = words(query)
        for i in self._candidate_entries(query_words):
            entry = self._entries[i]
            if lang is not None and entry.lang != lang:
                continue
            rank = _rank(entry, query, query_words)
            if rank is not None:
                offer(entry.code, rank, entry.preferred)
        ranked = sorted(best, key=best.__getitem__)[:limit]
        return [self._concepts[code] for code in ranked]

    def _code_prefix_matches(self, key: str) -> Iterator[tuple[str, Concept]]:
        for code_key, concept in self._by_key.items():
            if code_key.startswith(key):
                yield code_key, concept

    def _candidate_entries(self, query_words: tuple[str, ...]) -> set[int]:
        # Every match needs its longest query word to start some word of the label, so the
        # sorted word list narrows the candidates with two bisections instead of a scan.
        anchor = max(query_words, key=len)
        start = bisect.bisect_left(self._word_list, anchor)
        found: set[int] = set()
        for word in self._word_list[start:]:
            if not word.startswith(anchor):
                break
            found.update(self._word_entries[word])
        return found

    def suggest(self, code_or_text: str, n: int = 5) -> list[Concept]:
        """Return up to ``n`` concepts close to a mistyped code or label.

        For validation messages ("did you mean ...?"): codes, notations and folded labels
        are compared with :class:`difflib.SequenceMatcher`; search hits come first when
        the value is a prefix of something.

        Args:
            code_or_text: the rejected value.
            n: maximum number of suggestions.

        Returns:
            The closest concepts, best first (possibly empty).
        """
        scored: dict[str, float] = {}
        code_key = fold_code(code_or_text)
        text_key = fold(code_or_text)
        matcher = difflib.SequenceMatcher()
        for target, candidates in (
            (code_key, ((key, c.code) for key, c in self._by_key.items())),
            (text_key, ((e.folded, e.code) for e in self._entries)),
        ):
            if not target:
                continue
            matcher.set_seq2(target)
            for candidate, code in candidates:
                matcher.set_seq1(candidate)
                if matcher.real_quick_ratio() < 0.6 or matcher.quick_ratio() < 0.6:
                    continue
                ratio = matcher.ratio()
                if ratio >= 0.6 and ratio > scored.get(code, 0.0):
                    scored[code] = ratio
        for rank, concept in enumerate(self.search(code_or_text, limit=n)):
            # Prefix hits are what the user most likely meant: put them first.
            scored[concept.code] = max(scored.get(concept.code, 0.0), 2.0 - rank * 0.01)
        ranked = sorted(scored, key=lambda code: (-scored[code], self._order[code]))
        return [self._concepts[code] for code in ranked[:n]]

    def suggest_codes(self, code_or_text: str, n: int = 5) -> list[str]:
        """Return the codes of :meth:`suggest`.

        Args:
            code_or_text: the rejected value.
            n: maximum number of suggestions.

        Returns:
            Codes, best first.
        """
        return [concept.code for concept in self.suggest(code_or_text, n)]

    # ------------------------------------------------------------------ serialisation

    def to_json(self, *, include_concepts: bool = True) -> dict[str, Any]:
        """Return the scheme as a JSON-ready dict (the JSON API and cache format).

        Args:
            include_concepts: include every concept (``False`` for scheme listings).

        Returns:
            A dict of plain JSON types.
        """
        out: dict[str, Any] = {
            "name": self.name,
            "iri": self.iri,
            "titles": dict(self.titles),
        }
        if self.descriptions:
            out["descriptions"] = dict(self.descriptions)
        out["version"] = self.version
        if self.sources:
            out["sources"] = list(self.sources)
        if self.license:
            out["license"] = self.license
        if self.notes:
            out["notes"] = [_note_json(n) for n in self.notes]
        out["concept_count"] = len(self)
        out["top_concepts"] = list(self.top_concept_codes)
        if include_concepts:
            out["concepts"] = [concept.to_json() for concept in self]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ConceptScheme:
        """Build a scheme from :meth:`to_json` output.

        Args:
            data: the dict (with concepts).

        Returns:
            The scheme.

        Raises:
            VocabularyError: the data are inconsistent.
        """
        return cls(
            name=data["name"],
            iri=data["iri"],
            titles=data["titles"],
            descriptions=data.get("descriptions"),
            version=data.get("version", ""),
            sources=data.get("sources", ()),
            license=data.get("license"),
            notes=tuple(Note(n["kind"], n["text"], n.get("lang")) for n in data.get("notes", ())),
            concepts=[Concept.from_json(c) for c in data["concepts"]],
        )

    def to_graph(self) -> Graph:
        """Return the whole scheme as an rdflib Graph (SKOS, DCTERMS, OWL terms).

        Returns:
            The graph the Turtle file of the scheme was written from.
        """
        # Imported here: rdflib costs ~0.3 s to import and lookups never need it.
        from vocab.rdf import scheme_to_graph

        return scheme_to_graph(self)

    def same_content(self, other: ConceptScheme) -> bool:
        """Return whether two schemes hold the same metadata and concepts.

        Args:
            other: another scheme (e.g. the same one read from Turtle instead of JSON).

        Returns:
            ``True`` if scheme metadata and every concept are equal.
        """
        return self.to_json() == other.to_json()


def _rank(entry: _LabelEntry, query: str, query_words: tuple[str, ...]) -> int | None:
    if entry.folded == query:
        return _EXACT
    if entry.folded.startswith(query):
        return _LABEL_PREFIX
    if f" {query}" in f" {entry.folded}":
        return _WORD_PREFIX
    remaining = list(entry.words)
    for word in query_words:
        match = next((w for w in remaining if w.startswith(word)), None)
        if match is None:
            return None
        remaining.remove(match)
    return _ALL_WORDS
