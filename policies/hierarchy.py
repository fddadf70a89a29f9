"""Broader-term knowledge the engine needs but must not look up itself.

``isA`` on purposes needs the DPV purpose hierarchy, ``isPartOf`` on places needs to know
which countries make up a region, and party or asset collections need their members.
The engine does no I/O, so the caller supplies each relation as a function from a term
to its direct broader terms (or as a plain mapping); the catalog plugs DPV in, tests
pass small dictionaries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeAlias

from policies import terms

Broader: TypeAlias = Callable[[str], Iterable[str]]
"""Direct broader terms of a term: its DPV ``skos:broader`` parents, the regions a country
belongs to, the collections a party or asset is part of. Must be pure."""


def no_broader(term: str) -> tuple[str, ...]:
    """The default relation: no term has a broader term."""
    return ()


def broader_from_mapping(parents: Mapping[str, Iterable[str]]) -> Broader:
    """Make a :data:`Broader` function from a mapping child -> parents (copied once)."""
    table = {child: tuple(values) for child, values in parents.items()}

    def broader(term: str) -> tuple[str, ...]:
        return table.get(term, ())

    return broader


class Relation:
    """The transitive closure of one broader-term relation, computed on demand.

    Results are memoised: the relation is assumed not to change while this object lives
    (build a new :class:`Hierarchy` when the vocabulary changes). Cycles are harmless.
    """

    __slots__ = ("_broader", "_memo", "_normalize")

    def __init__(
        self,
        broader: Broader | Mapping[str, Iterable[str]] = no_broader,
        normalize: Callable[[str], str] | None = None,
    ) -> None:
        if not callable(broader):
            norm = normalize or (lambda term: term)
            broader = broader_from_mapping({norm(k): v for k, v in broader.items()})
        self._broader = broader
        self._normalize = normalize
        self._memo: dict[str, frozenset[str]] = {}

    def ancestors(self, term: str) -> frozenset[str]:
        """Return every broader term of ``term``, transitively, without ``term`` itself."""
        found = self._memo.get(term)
        if found is not None:
            return found
        norm = self._normalize
        seen: set[str] = set()
        pending = [term]
        while pending:
            current = pending.pop()
            for parent in self._broader(current):
                parent = norm(parent) if norm is not None else parent
                if parent not in seen:
                    seen.add(parent)
                    pending.append(parent)
        seen.discard(term)
        result = frozenset(seen)
        self._memo[term] = result
        return result

    def within(self, term: str, broader: str) -> bool:
        """Whether ``term`` is ``broader`` or lies (transitively) under it."""
        return term == broader or broader in self.ancestors(term)


class Hierarchy:
    """The four relations the engine consults.

    Args:
        purposes: DPV purpose -> broader purposes, for ``purpose isA``.
        places: country or region -> the regions it is part of, for ``spatial isPartOf``
            and ``hasPart``. Country codes are normalised like request values (ISO 3166-1
            alpha-3, EU country-authority IRIs reduced to their code).
        parties: party -> the party collections it belongs to, for assignee matching and
            ``recipient isPartOf``.
        assets: asset -> the asset collections it belongs to, for target matching.
    """

    __slots__ = ("assets", "parties", "places", "purposes")

    purposes: Relation
    places: Relation
    parties: Relation
    assets: Relation

    def __init__(
        self,
        *,
        purposes: Broader | Mapping[str, Iterable[str]] = no_broader,
        places: Broader | Mapping[str, Iterable[str]] = no_broader,
        parties: Broader | Mapping[str, Iterable[str]] = no_broader,
        assets: Broader | Mapping[str, Iterable[str]] = no_broader,
    ) -> None:
        set_ = object.__setattr__  # the class refuses ordinary assignment
        set_(self, "purposes", Relation(purposes))
        set_(self, "places", Relation(places, normalize=country_code))
        set_(self, "parties", Relation(parties))
        set_(self, "assets", Relation(assets))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Hierarchy is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Hierarchy is immutable (cannot delete {name!r})")


def country_code(value: str) -> str:
    """Reduce a country to the form the engine compares: ``GTM`` for ``gtm`` or its EU IRI."""
    code = value.removeprefix(terms.EU_COUNTRY)
    if len(code) == 3 and code.isascii() and code.isalpha():
        return code.upper()
    return code
