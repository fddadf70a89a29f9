"""The registry of concept schemes: a manifest read once, each scheme loaded on first use.

Loading is lazy per scheme and thread-safe (one lock per registry, double-checked), so a
web worker that only validates country codes never parses ISCO. Schemes are read from the
JSON cache written beside each Turtle file by ``python -m vocab.generate``; without a cache
the Turtle file is parsed with rdflib instead (slower, same result: the tests check it).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from vocab.model import Concept, ConceptScheme, VocabularyError

__all__ = [
    "SCHEMES_DIR",
    "AmbiguousConcept",
    "Registry",
    "SchemeInfo",
    "UnknownScheme",
    "get_registry",
    "load_turtle",
]

#: Directory of the committed vocabularies (Turtle, JSON cache, manifest).
SCHEMES_DIR: Final = Path(__file__).resolve().parent / "schemes"
MANIFEST: Final = "manifest.json"


class UnknownScheme(VocabularyError, LookupError):
    """No scheme has this name.

    Attributes:
        name: the requested name.
        known: the names that exist.
    """

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        self.name = name
        self.known = known
        super().__init__(f"unknown concept scheme {name!r}; known: {', '.join(known)}")


class AmbiguousConcept(VocabularyError, LookupError):
    """A bare code matches concepts of several schemes; name the scheme.

    Attributes:
        value: the code.
        schemes: names of the schemes that have it.
    """

    def __init__(self, value: str, schemes: tuple[str, ...]) -> None:
        self.value = value
        self.schemes = schemes
        super().__init__(f"{value!r} is a code in several schemes: {', '.join(schemes)}")


@dataclass(frozen=True, slots=True)
class SchemeInfo:
    """What the manifest says about a scheme, available without loading it.

    Attributes:
        name: scheme name (URL segment of ``/api/v1/vocab/<name>``).
        iri: scheme IRI.
        titles: language -> title.
        concept_count: number of concepts.
        iri_prefixes: prefixes shared by the scheme's concept IRIs (to route an IRI).
        turtle: file name of the Turtle source.
        cache: file name of the JSON cache.
    """

    name: str
    iri: str
    titles: Mapping[str, str]
    concept_count: int
    iri_prefixes: tuple[str, ...]
    turtle: str
    cache: str


class Registry:
    """The concept schemes of one vocabulary directory.

    Args:
        directory: where ``manifest.json`` and the scheme files are.
        use_cache: read the JSON caches (fast); ``False`` always parses Turtle.

    Raises:
        VocabularyError: the manifest is missing or malformed.
    """

    def __init__(self, directory: Path = SCHEMES_DIR, *, use_cache: bool = True) -> None:
        self.directory: Final = Path(directory)
        self.use_cache: Final = use_cache
        manifest_path = self.directory / MANIFEST
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise VocabularyError(f"cannot read {manifest_path}: {exc}") from exc
        self._info: dict[str, SchemeInfo] = {
            entry["name"]: SchemeInfo(
                name=entry["name"],
                iri=entry["iri"],
                titles=entry["titles"],
                concept_count=entry["concept_count"],
                iri_prefixes=tuple(entry["iri_prefixes"]),
                turtle=entry["turtle"],
                cache=entry["cache"],
            )
            for entry in manifest["schemes"]
        }
        self._schemes: dict[str, ConceptScheme] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<Registry {self.directory} {list(self._info)}>"

    def __contains__(self, name: object) -> bool:
        return name in self._info

    def __iter__(self) -> Iterator[str]:
        return iter(self._info)

    @property
    def names(self) -> tuple[str, ...]:
        """Names of all schemes, in manifest order."""
        return tuple(self._info)

    def info(self, name: str) -> SchemeInfo:
        """Return the manifest entry of a scheme without loading it.

        Args:
            name: scheme name.

        Returns:
            Its :class:`SchemeInfo`.

        Raises:
            UnknownScheme: no such scheme.
        """
        try:
            return self._info[name]
        except KeyError:
            raise UnknownScheme(name, self.names) from None

    def scheme(self, name: str) -> ConceptScheme:
        """Return a scheme, loading it on first use.

        Args:
            name: scheme name, e.g. ``"countries"``.

        Returns:
            The scheme (the same object on every call).

        Raises:
            UnknownScheme: no such scheme.
            VocabularyError: its files are unreadable or inconsistent.
        """
        loaded = self._schemes.get(name)
        if loaded is not None:
            return loaded
        info = self.info(name)
        with self._lock:
            loaded = self._schemes.get(name)  # another thread may have loaded it meanwhile
            if loaded is None:
                loaded = self._load(info)
                self._schemes[name] = loaded
        return loaded

    def schemes(self) -> tuple[ConceptScheme, ...]:
        """Load (if needed) and return every scheme, in manifest order."""
        return tuple(self.scheme(name) for name in self._info)

    def loaded(self) -> tuple[str, ...]:
        """Names of the schemes loaded so far."""
        return tuple(name for name in self._info if name in self._schemes)

    def _load(self, info: SchemeInfo) -> ConceptScheme:
        cache = self.directory / info.cache
        if self.use_cache and cache.is_file():
            data: dict[str, Any] = json.loads(cache.read_text(encoding="utf-8"))
            scheme = ConceptScheme.from_json(data)
        else:
            scheme = load_turtle(self.directory / info.turtle)
        if scheme.name != info.name or len(scheme) != info.concept_count:
            raise VocabularyError(
                f"{info.name}: files disagree with the manifest "
                f"({scheme.name!r}, {len(scheme)} concepts)"
            )
        return scheme

    def resolve(self, value: str, scheme: str | None = None) -> Concept | None:
        """Return the concept for a concept IRI, a ``scheme:code`` pair or a code.

        Args:
            value: an IRI (any scheme), ``"countries:GTM"``, or a bare code/notation.
            scheme: restrict to this scheme; then ``value`` may also be a label.

        Returns:
            The concept, or ``None`` if nothing matches.

        Raises:
            UnknownScheme: ``scheme`` (or the prefix of ``scheme:code``) is unknown.
            AmbiguousConcept: a bare code exists in several schemes.
        """
        value = value.strip()
        if scheme is not None:
            return self.scheme(scheme).lookup(value)
        if _looks_like_iri(value):
            return self._resolve_iri(value)
        prefix, sep, code = value.partition(":")
        if sep and prefix in self._info:
            return self.scheme(prefix).by_code(code)
        found = [c for c in (s.by_code(value) for s in self.schemes()) if c is not None]
        if len(found) > 1:
            raise AmbiguousConcept(value, tuple(c.scheme for c in found))
        return found[0] if found else None

    def require(self, value: str, scheme: str) -> Concept:
        """Return the concept of ``scheme`` for ``value`` or raise with suggestions.

        Args:
            value: code, notation, IRI or label.
            scheme: scheme name.

        Returns:
            The concept.

        Raises:
            UnknownScheme: no such scheme.
            vocab.model.UnknownConcept: no such concept (``suggestions`` lists close
                codes).
        """
        return self.scheme(scheme).require(value)

    def _resolve_iri(self, iri: str) -> Concept | None:
        # Only the schemes whose concept IRIs share a prefix with this IRI are loaded.
        for info in self._info.values():
            if any(iri.startswith(prefix) for prefix in info.iri_prefixes):
                concept = self.scheme(info.name).by_iri(iri)
                if concept is not None:
                    return concept
        return None


def _looks_like_iri(value: str) -> bool:
    return value.startswith(("http://", "https://", "urn:"))


def load_turtle(path: Path) -> ConceptScheme:
    """Parse a scheme's Turtle file with rdflib.

    Args:
        path: the ``.ttl`` file.

    Returns:
        The scheme.

    Raises:
        VocabularyError: the file is missing, unparsable or not a single SKOS scheme.
    """
    # Imported here: rdflib is slow to import and the JSON cache path never needs it.
    from rdflib import Graph

    from vocab.rdf import scheme_from_graph

    try:
        graph = Graph().parse(path, format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:
        raise VocabularyError(f"cannot parse {path}: {exc}") from exc
    return scheme_from_graph(graph)


_default: Registry | None = None
_default_lock = threading.Lock()


def get_registry() -> Registry:
    """Return the process-wide registry of the committed vocabularies.

    The manifest is read on the first call; schemes load lazily on first use.

    Returns:
        The shared :class:`Registry`.
    """
    global _default  # a process-wide singleton, created on first use
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Registry()
    return _default
