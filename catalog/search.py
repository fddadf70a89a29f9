"""Full-text search with facets, behind one interface for SQLite FTS5 and PostgreSQL.

Text is folded before it is indexed and before it is queried (Unicode decomposition,
combining marks dropped, case folded), so "migracion" finds "Migración" and "albanil"
finds "Albañil" on both backends. Query terms match word prefixes ("trabajador" finds
"trabajadores") and are combined with AND; quoted phrases match as phrases.

Facets are counted with one grouped query over the combination of facet columns, then
summed per facet here: the number of combinations is small, so one pass over the match
set is far cheaper than one query per facet.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar, Literal, Protocol

from sqlalchemy import text
from sqlmodel import Session

FACET_FIELDS: tuple[str, ...] = (
    "publisher",
    "country",
    "theme",
    "access_rights",
    "personal_data",
    "status",
)
SortKey = Literal["relevance", "modified", "title", "name"]

# Function words that would make an AND query miss ("migración de retorno" must find
# "migración y retorno"); they are dropped from queries but stay inside phrases.
_SPANISH_STOPWORDS = "a al con de del e el en la las lo los o para por que se sin su sus u un una y"
_ENGLISH_STOPWORDS = "an and as at by for from in into of on or the to with"
_STOPWORDS = frozenset(_SPANISH_STOPWORDS.split() + _ENGLISH_STOPWORDS.split())
_WORD = re.compile(r"[0-9a-z]+")
_PHRASE = re.compile(r'"([^"]*)"')


def fold(value: str) -> str:
    """Lower-case ``value`` and strip its accents (NFKD, combining marks removed)."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@dataclass(frozen=True)
class ParsedQuery:
    """A free-text query as prefix terms and exact phrases (all folded)."""

    terms: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]

    @property
    def is_empty(self) -> bool:
        """Whether nothing searchable is left (only stopwords or punctuation)."""
        return not self.terms and not self.phrases


def parse_query(raw: str) -> ParsedQuery:
    """Split a user's query into terms and phrases; never raises on odd input."""
    folded = fold(raw)
    phrases = []
    for match in _PHRASE.finditer(folded):
        words = tuple(_WORD.findall(match.group(1)))
        if words:
            phrases.append(words)
    rest = _PHRASE.sub(" ", folded)
    terms = tuple(dict.fromkeys(w for w in _WORD.findall(rest) if w not in _STOPWORDS))
    return ParsedQuery(terms=terms[:32], phrases=tuple(phrases[:8]))


@dataclass(frozen=True)
class IndexEntry:
    """What the index keeps of one dataset."""

    dataset_id: uuid.UUID
    title: str
    keywords: str
    description: str
    other: str
    publisher: str
    country: str
    access_rights: str
    personal_data: str
    status: str
    themes: tuple[str, ...]


@dataclass(frozen=True)
class Visibility:
    """Which records a caller may see.

    Everyone sees ``public_statuses``; members of ``own_publishers`` also see their other
    records (drafts); ``everything`` is for administrators and auditors.
    """

    public_statuses: tuple[str, ...] = ("published", "withdrawn")
    own_publishers: tuple[str, ...] = ()
    everything: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """A search: free text, filters (OR within a facet, AND across), visibility, page."""

    text: ParsedQuery | None = None
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    visibility: Visibility = Visibility()
    sort: SortKey = "relevance"
    offset: int = 0
    limit: int = 20


@dataclass(frozen=True)
class SearchResult:
    """One page of dataset ids, the total count and the facet counts of all matches."""

    total: int
    ids: list[uuid.UUID]
    facets: dict[str, dict[str, int]]


class SearchBackend(Protocol):
    """The operations every search backend provides."""

    def index(
        self, session: Session, entries: Sequence[IndexEntry], *, replace: bool = True
    ) -> None:
        """Insert or replace the entries' rows (``replace=False``: all are new)."""

    def remove(self, session: Session, dataset_ids: Iterable[uuid.UUID]) -> None:
        """Remove datasets from the index."""

    def search(self, session: Session, query: SearchQuery) -> SearchResult:
        """Run a free-text query (``query.text`` is not empty)."""

    def raw_match(self, session: Session, parsed: ParsedQuery, limit: int) -> list[str]:
        """The bare ranked full-text query, without filters or facets (benchmarks)."""


def facet_counts(rows: Iterable[Sequence[Any]]) -> tuple[int, dict[str, dict[str, int]]]:
    """Sum grouped rows ``(publisher, country, access, personal, status, themes, n)``."""
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACET_FIELDS}
    total = 0
    for publisher, country, access, personal, status, themes, count in rows:
        total += count
        counters["publisher"][publisher] += count
        counters["country"][country] += count
        counters["access_rights"][access] += count
        counters["personal_data"][personal] += count
        counters["status"][status] += count
        theme_list = themes.split() if isinstance(themes, str) else (themes or [])
        for theme in theme_list:
            counters["theme"][theme] += count
    facets = {
        name: dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
        for name, counter in counters.items()
    }
    return total, facets


_COMBO_SHIFT = 40
_SEQ_MASK = (1 << _COMBO_SHIFT) - 1


@dataclass(frozen=True)
class FacetCombination:
    """One distinct combination of facet values (SQLite index)."""

    id: int
    publisher: str
    country: str
    access_rights: str
    personal_data: str
    status: str
    themes: tuple[str, ...]

    def value_of(self, field_name: str) -> tuple[str, ...]:
        """The combination's values for a facet (themes are several)."""
        if field_name == "theme":
            return self.themes
        value: str = getattr(self, field_name)
        return (value,)


class _Combinations(dict[int, FacetCombination]):
    """The combinations of one database at one moment; hashed by identity for caching."""

    __hash__ = object.__hash__  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        return self is other


class SqliteFtsBackend:
    """SQLite FTS5, ``unicode61`` tokenizer, BM25 ranking with per-column weights.

    Each dataset's facet values (publisher, country, access rights, personal-data
    class, status, themes) form a *combination*, numbered in ``search_facet``; a row's
    FTS rowid is ``combination << 40 | sequence``. Facet counts are then a GROUP BY over
    matching rowids and filters a test on them: FTS5 yields rowids from its doclists,
    so neither touches the content table, and a filter (or the visibility rule) costs
    a shift and a set test per match instead of another posting list to intersect.
    """

    # Combinations are only ever added, never changed, so a copy per database stays
    # valid until the highest id moves.
    _cache: ClassVar[dict[str, tuple[int, _Combinations]]] = {}
    _cache_lock: ClassVar[threading.Lock] = threading.Lock()

    def _combinations(self, session: Session) -> _Combinations:
        key = str(session.get_bind().engine.url)
        newest = int(
            session.execute(text("SELECT coalesce(max(id), 0) FROM search_facet")).scalar_one()
        )
        if session.connection().get_execution_options().get("simel_write"):
            # A writing transaction may add combinations and then roll back, after which
            # SQLite can hand the same id to another combination: never cache from it.
            return self._load_combinations(session)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == newest:
            return cached[1]
        combinations = self._load_combinations(session)
        with self._cache_lock:
            self._cache[key] = (newest, combinations)
        return combinations

    @staticmethod
    def _load_combinations(session: Session) -> _Combinations:
        rows = session.execute(
            text(
                "SELECT id, publisher, country, access_rights, personal_data, status, themes"
                " FROM search_facet"
            )
        ).all()
        return _Combinations(
            (
                row[0],
                FacetCombination(
                    id=row[0],
                    publisher=row[1],
                    country=row[2],
                    access_rights=row[3],
                    personal_data=row[4],
                    status=row[5],
                    themes=tuple(row[6].split()),
                ),
            )
            for row in rows
        )

    def _combination_id(self, session: Session, entry: IndexEntry) -> int:
        values = {
            "publisher": entry.publisher,
            "country": entry.country,
            "access_rights": entry.access_rights,
            "personal_data": entry.personal_data,
            "status": entry.status,
            "themes": " ".join(sorted(set(entry.themes))),
        }
        found = session.execute(
            text(
                "SELECT id FROM search_facet WHERE publisher = :publisher AND country = :country"
                " AND access_rights = :access_rights AND personal_data = :personal_data"
                " AND status = :status AND themes = :themes"
            ),
            values,
        ).scalar()
        if found is not None:
            return int(found)
        inserted = session.execute(
            text(
                "INSERT INTO search_facet (publisher, country, access_rights, personal_data,"
                " status, themes) VALUES (:publisher, :country, :access_rights, :personal_data,"
                " :status, :themes) RETURNING id"
            ),
            values,
        ).scalar_one()
        return int(inserted)

    def index(
        self, session: Session, entries: Sequence[IndexEntry], *, replace: bool = True
    ) -> None:
        """Insert or replace the entries' rows (``replace=False`` for new datasets only)."""
        if not entries:
            return
        if replace:
            self.remove(session, [entry.dataset_id for entry in entries])
        combination_ids: dict[tuple[Any, ...], int] = {}
        rows = []
        keys: list[dict[str, Any]] = []
        for entry in entries:
            signature = (
                entry.publisher,
                entry.country,
                entry.access_rights,
                entry.personal_data,
                entry.status,
                tuple(sorted(set(entry.themes))),
            )
            if signature not in combination_ids:
                combination_ids[signature] = self._combination_id(session, entry)
            keys.append({"dataset_id": entry.dataset_id.hex, "combo": combination_ids[signature]})
        session.execute(
            text("INSERT INTO dataset_search_key (dataset_id, fts_rowid) VALUES (:dataset_id, 0)"),
            keys,
        )
        sequences = self._sequences(session, [key["dataset_id"] for key in keys])
        for entry, key in zip(entries, keys, strict=True):
            rowid = (key["combo"] << _COMBO_SHIFT) | sequences[key["dataset_id"]]
            key["rowid"] = rowid
            rows.append(
                {
                    "rowid": rowid,
                    "title": fold(entry.title),
                    "keywords": fold(entry.keywords),
                    "description": fold(entry.description),
                    "other": fold(entry.other),
                    "dataset_id": entry.dataset_id.hex,
                }
            )
        session.execute(
            text("UPDATE dataset_search_key SET fts_rowid = :rowid WHERE dataset_id = :dataset_id"),
            keys,
        )
        session.execute(
            text(
                "INSERT INTO dataset_fts (rowid, title, keywords, description, other, dataset_id)"
                " VALUES (:rowid, :title, :keywords, :description, :other, :dataset_id)"
            ),
            rows,
        )

    @staticmethod
    def _sequences(session: Session, dataset_ids: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(dataset_ids), 900):
            chunk = dataset_ids[start : start + 900]
            placeholders = ", ".join(f":d{i}" for i in range(len(chunk)))
            rows = session.execute(
                text(
                    "SELECT dataset_id, seq FROM dataset_search_key"  # noqa: S608 # placeholders
                    f" WHERE dataset_id IN ({placeholders})"
                ),
                {f"d{i}": value for i, value in enumerate(chunk)},
            ).all()
            found.update({row[0]: int(row[1]) for row in rows})
        return found

    def remove(self, session: Session, dataset_ids: Iterable[uuid.UUID]) -> None:
        """Remove datasets from the index."""
        for dataset_id in dataset_ids:
            rowid = session.execute(
                text("SELECT fts_rowid FROM dataset_search_key WHERE dataset_id = :d"),
                {"d": dataset_id.hex},
            ).scalar()
            if rowid is None:
                continue
            session.execute(text("DELETE FROM dataset_fts WHERE rowid = :r"), {"r": rowid})
            session.execute(
                text("DELETE FROM dataset_search_key WHERE dataset_id = :d"), {"d": dataset_id.hex}
            )

    @staticmethod
    def _text_expression(parsed: ParsedQuery) -> str:
        parts = [f'"{term}"*' for term in parsed.terms]
        parts += ['"' + " ".join(words) + '"' for words in parsed.phrases]
        return " AND ".join(parts)

    @staticmethod
    @lru_cache(maxsize=256)
    def _allowed_for(
        combinations: _Combinations,
        filters: tuple[tuple[str, frozenset[str]], ...],
        visibility: Visibility,
    ) -> tuple[int, ...] | None:
        allowed = []
        for combination in combinations.values():
            if not visibility.everything and not (
                combination.status in visibility.public_statuses
                or combination.publisher in visibility.own_publishers
            ):
                continue
            if all(not values.isdisjoint(combination.value_of(name)) for name, values in filters):
                allowed.append(combination.id)
        return None if len(allowed) == len(combinations) else tuple(allowed)

    def _allowed(self, combinations: _Combinations, query: SearchQuery) -> tuple[int, ...] | None:
        """Combination ids a match may have; ``None`` when every one is allowed."""
        filters = tuple(
            sorted((name, frozenset(values)) for name, values in query.filters.items() if values)
        )
        return self._allowed_for(combinations, filters, query.visibility)

    def search(self, session: Session, query: SearchQuery) -> SearchResult:
        """Run a free-text query (``query.text`` is not empty)."""
        assert query.text is not None  # noqa: S101 # callers route empty queries elsewhere
        combinations = self._combinations(session)
        allowed = self._allowed(combinations, query)
        if allowed == ():
            return SearchResult(total=0, ids=[], facets=facet_counts([])[1])
        # Combination ids are integers from our own table: safe to inline.
        condition = (
            ""
            if allowed is None
            else f" AND (f.rowid >> {_COMBO_SHIFT}) IN ({', '.join(map(str, allowed))})"
        )
        match = self._text_expression(query.text)
        grouped = session.execute(
            text(
                f"SELECT f.rowid >> {_COMBO_SHIFT}, count(*) FROM dataset_fts f"  # noqa: S608
                f" WHERE dataset_fts MATCH :match{condition} GROUP BY 1"
            ),
            {"match": match},
        ).all()
        total, facets = facet_counts(
            (
                (c.publisher, c.country, c.access_rights, c.personal_data, c.status, c.themes, n)
                for c, n in ((combinations[combo], count) for combo, count in grouped)
            )
        )
        if total == 0 or query.offset >= total:
            return SearchResult(total=total, ids=[], facets=facets)
        order = {
            "relevance": "f.rank, f.rowid",
            "modified": "d.modified DESC, d.name",
            "title": "d.sort_title, d.name",
            "name": "d.name",
        }[query.sort]
        join = "" if query.sort == "relevance" else " JOIN dataset d ON d.id = f.dataset_id"
        rows = session.execute(
            text(
                f"SELECT f.dataset_id FROM dataset_fts f{join}"  # noqa: S608 # fixed fragments
                f" WHERE dataset_fts MATCH :match{condition} ORDER BY {order}"
                " LIMIT :limit OFFSET :offset"
            ),
            {"match": match, "limit": query.limit, "offset": query.offset},
        ).all()
        return SearchResult(total=total, ids=[uuid.UUID(hex=row[0]) for row in rows], facets=facets)

    def raw_match(self, session: Session, parsed: ParsedQuery, limit: int) -> list[str]:
        """The bare ranked full-text query, without filters or facets (benchmarks)."""
        rows = session.execute(
            text(
                "SELECT dataset_id FROM dataset_fts WHERE dataset_fts MATCH :match"
                " ORDER BY rank LIMIT :limit"
            ),
            {"match": self._text_expression(parsed), "limit": limit},
        ).all()
        return [row[0] for row in rows]


class PostgresFtsBackend:
    """PostgreSQL ``tsvector`` with the ``simple`` configuration over folded text."""

    def index(
        self, session: Session, entries: Sequence[IndexEntry], *, replace: bool = True
    ) -> None:
        """Insert or replace the entries' rows (an upsert, so ``replace`` is implied)."""
        if not entries:
            return
        session.execute(
            text(
                "INSERT INTO dataset_search (dataset_id, document, publisher, country,"
                " access_rights, personal_data, status, themes) VALUES (:dataset_id,"
                " setweight(to_tsvector('simple', :title), 'A')"
                " || setweight(to_tsvector('simple', :keywords), 'B')"
                " || setweight(to_tsvector('simple', :description), 'C')"
                " || setweight(to_tsvector('simple', :other), 'D'),"
                " :publisher, :country, :access_rights, :personal_data, :status, :themes)"
                " ON CONFLICT (dataset_id) DO UPDATE SET document = excluded.document,"
                " publisher = excluded.publisher, country = excluded.country,"
                " access_rights = excluded.access_rights,"
                " personal_data = excluded.personal_data, status = excluded.status,"
                " themes = excluded.themes"
            ),
            [
                {
                    "dataset_id": entry.dataset_id,
                    "title": fold(entry.title),
                    "keywords": fold(entry.keywords),
                    "description": fold(entry.description),
                    "other": fold(entry.other),
                    "publisher": entry.publisher,
                    "country": entry.country,
                    "access_rights": entry.access_rights,
                    "personal_data": entry.personal_data,
                    "status": entry.status,
                    "themes": sorted(entry.themes),
                }
                for entry in entries
            ],
        )

    def remove(self, session: Session, dataset_ids: Iterable[uuid.UUID]) -> None:
        """Remove datasets from the index."""
        ids = list(dataset_ids)
        if ids:
            session.execute(
                text("DELETE FROM dataset_search WHERE dataset_id = ANY(:ids)"), {"ids": ids}
            )

    @staticmethod
    def _tsquery(parsed: ParsedQuery) -> str:
        # Terms are [0-9a-z]+ after parsing, so they are safe inside tsquery syntax.
        parts = [f"{term}:*" for term in parsed.terms]
        parts += ["(" + " <-> ".join(words) + ")" for words in parsed.phrases]
        return " & ".join(parts)

    def _where(self, query: SearchQuery) -> tuple[str, dict[str, Any]]:
        assert query.text is not None  # noqa: S101 # callers route empty queries elsewhere
        clauses = ["s.document @@ to_tsquery('simple', :tsquery)"]
        params: dict[str, Any] = {"tsquery": self._tsquery(query.text)}
        for name, values in query.filters.items():
            if not values:
                continue
            if name == "theme":
                clauses.append("s.themes && CAST(:f_theme AS text[])")
            else:
                clauses.append(f"s.{name} = ANY(:f_{name})")
            params[f"f_{name}"] = list(values)
        visibility = query.visibility
        if not visibility.everything:
            clauses.append("(s.status = ANY(:v_statuses) OR s.publisher = ANY(:v_publishers))")
            params["v_statuses"] = list(visibility.public_statuses)
            params["v_publishers"] = list(visibility.own_publishers)
        return " AND ".join(clauses), params

    def search(self, session: Session, query: SearchQuery) -> SearchResult:
        """Run a free-text query (``query.text`` is not empty).

        One statement: the matches are read once (with their rank) into a materialised
        CTE, from which both the requested page and the facet counts are taken, so the
        heap is visited once rather than once for ranking and again for facets.
        """
        where, params = self._where(query)
        order = {
            "relevance": "m.r DESC, m.dataset_id",
            "modified": "d.modified DESC, d.name",
            "title": "d.sort_title, d.name",
            "name": "d.name",
        }[query.sort]
        join = "" if query.sort == "relevance" else " JOIN dataset d ON d.id = m.dataset_id"
        rows = session.execute(
            text(
                "WITH m AS MATERIALIZED ("  # noqa: S608 # fixed fragments, bound values
                " SELECT s.dataset_id, s.publisher, s.country, s.access_rights,"
                " s.personal_data, s.status, s.themes,"
                " ts_rank(s.document, to_tsquery('simple', :tsquery)) AS r"
                f" FROM dataset_search s WHERE {where})"
                " (SELECT 0 AS kind, m.dataset_id, NULL AS publisher, NULL AS country,"
                " NULL AS access_rights, NULL AS personal_data, NULL AS status,"
                " NULL::text[] AS themes, 0 AS n"
                f" FROM m{join} ORDER BY {order} LIMIT :limit OFFSET :offset)"
                " UNION ALL"
                " (SELECT 1, NULL, publisher, country, access_rights, personal_data, status,"
                " themes, count(*) FROM m"
                " GROUP BY publisher, country, access_rights, personal_data, status, themes)"
            ),
            {**params, "limit": query.limit, "offset": query.offset},
        ).all()
        page = [row[1] for row in rows if row[0] == 0]
        total, facets = facet_counts(tuple(row[2:]) for row in rows if row[0] == 1)
        return SearchResult(total=total, ids=page, facets=facets)

    def raw_match(self, session: Session, parsed: ParsedQuery, limit: int) -> list[str]:
        """The bare ranked full-text query, without filters or facets (benchmarks)."""
        rows = session.execute(
            text(
                "SELECT dataset_id FROM dataset_search"
                " WHERE document @@ to_tsquery('simple', :q)"
                " ORDER BY ts_rank(document, to_tsquery('simple', :q)) DESC LIMIT :limit"
            ),
            {"q": self._tsquery(parsed), "limit": limit},
        ).all()
        return [str(row[0]) for row in rows]


def backend_for(session: Session) -> SearchBackend:
    """The search backend of the session's database."""
    dialect = session.get_bind().dialect.name
    return PostgresFtsBackend() if dialect == "postgresql" else SqliteFtsBackend()
