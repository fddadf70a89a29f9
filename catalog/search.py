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

import hashlib
import re
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

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
SortKey = Literal["relevance", "modified", "title", "name", "quality"]

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
    min_quality: int | None = None


@dataclass(frozen=True)
class SearchResult:
    """One page of dataset ids, the total count and the facet counts of all matches."""

    total: int
    ids: list[uuid.UUID]
    facets: dict[str, dict[str, int]]


class SearchBackend(Protocol):
    """The operations every search backend provides."""

    def index(self, session: Session, entries: Sequence[IndexEntry]) -> None:
        """Insert or replace the entries' rows."""

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


def _filter_token(field_name: str, value: str) -> str:
    # Opaque tokens: field values may hold hyphens or other characters the tokenizer
    # would split, and a hash cannot be confused with a word of the text.
    return (
        "f" + hashlib.sha1(f"{field_name}={value}".encode(), usedforsecurity=False).hexdigest()[:20]
    )


_FILTER_FIELD_OF = {
    "publisher": "publisher",
    "country": "country",
    "theme": "theme",
    "access_rights": "access_rights",
    "personal_data": "personal_data",
    "status": "status",
}


def _rowid(dataset_id: uuid.UUID) -> int:
    # A stable 63-bit integer per dataset: FTS5 rows are keyed by integers and a
    # mapping table would cost a lookup on every update.
    return dataset_id.int >> 65


class SqliteFtsBackend:
    """SQLite FTS5, ``unicode61`` tokenizer, BM25 ranking with per-column weights."""

    def index(self, session: Session, entries: Sequence[IndexEntry]) -> None:
        """Insert or replace the entries' rows."""
        if not entries:
            return
        self.remove(session, [entry.dataset_id for entry in entries])
        session.execute(
            text(
                "INSERT INTO dataset_fts (rowid, title, keywords, description, other, filters,"
                " dataset_id, publisher, country, access_rights, personal_data, status, themes)"
                " VALUES (:rowid, :title, :keywords, :description, :other, :filters,"
                " :dataset_id, :publisher, :country, :access_rights, :personal_data, :status,"
                " :themes)"
            ),
            [self._row(entry) for entry in entries],
        )

    @staticmethod
    def _row(entry: IndexEntry) -> dict[str, Any]:
        tokens = [
            _filter_token("publisher", entry.publisher),
            _filter_token("country", entry.country),
            _filter_token("access_rights", entry.access_rights),
            _filter_token("personal_data", entry.personal_data),
            _filter_token("status", entry.status),
            *(_filter_token("theme", theme) for theme in entry.themes),
        ]
        return {
            "rowid": _rowid(entry.dataset_id),
            "title": fold(entry.title),
            "keywords": fold(entry.keywords),
            "description": fold(entry.description),
            "other": fold(entry.other),
            "filters": " ".join(tokens),
            "dataset_id": entry.dataset_id.hex,
            "publisher": entry.publisher,
            "country": entry.country,
            "access_rights": entry.access_rights,
            "personal_data": entry.personal_data,
            "status": entry.status,
            "themes": " ".join(sorted(entry.themes)),
        }

    def remove(self, session: Session, dataset_ids: Iterable[uuid.UUID]) -> None:
        """Remove datasets from the index."""
        rowids = [{"rowid": _rowid(dataset_id)} for dataset_id in dataset_ids]
        if rowids:
            session.execute(text("DELETE FROM dataset_fts WHERE rowid = :rowid"), rowids)

    @staticmethod
    def _text_expression(parsed: ParsedQuery) -> str:
        parts = [f'"{term}"*' for term in parsed.terms]
        parts += ['"' + " ".join(words) + '"' for words in parsed.phrases]
        return "{title keywords description other} : (" + " AND ".join(parts) + ")"

    @staticmethod
    def _any_of(field_name: str, values: Iterable[str]) -> str:
        tokens = [_filter_token(field_name, value) for value in values]
        return "filters : (" + " OR ".join(tokens) + ")"

    def _match(self, query: SearchQuery) -> str:
        assert query.text is not None  # noqa: S101 # callers route empty queries elsewhere
        clauses = [self._text_expression(query.text)]
        for name, values in query.filters.items():
            if values:
                clauses.append(self._any_of(_FILTER_FIELD_OF[name], values))
        visibility = query.visibility
        if not visibility.everything:
            alternatives = [_filter_token("status", s) for s in visibility.public_statuses]
            alternatives += [_filter_token("publisher", p) for p in visibility.own_publishers]
            clauses.append("filters : (" + " OR ".join(alternatives) + ")")
        return " AND ".join(clauses)

    def search(self, session: Session, query: SearchQuery) -> SearchResult:
        """Run a free-text query (``query.text`` is not empty)."""
        match = self._match(query)
        params: dict[str, Any] = {"match": match}
        quality = ""
        if query.min_quality is not None:
            # The score lives on the dataset row, not in the index: join for it.
            quality = " AND d.quality_score >= :min_quality"
            params["min_quality"] = query.min_quality
        join_quality = " JOIN dataset d ON d.id = f.dataset_id" if quality else ""
        grouped = session.execute(
            text(
                "SELECT f.publisher, f.country, f.access_rights, f.personal_data, f.status,"  # noqa: S608
                f" f.themes, count(*) FROM dataset_fts f{join_quality}"  # fixed fragments
                f" WHERE dataset_fts MATCH :match{quality}"
                " GROUP BY f.publisher, f.country, f.access_rights, f.personal_data, f.status,"
                " f.themes"
            ),
            params,
        ).all()
        total, facets = facet_counts(grouped)
        if total == 0 or query.offset >= total:
            return SearchResult(total=total, ids=[], facets=facets)
        order = {
            "relevance": "f.rank, f.rowid",
            "modified": "d.modified DESC, d.name",
            "title": "d.name",
            "name": "d.name",
            "quality": "d.quality_score DESC, d.name",
        }[query.sort]
        join = (
            " JOIN dataset d ON d.id = f.dataset_id" if quality or query.sort != "relevance" else ""
        )
        rows = session.execute(
            text(
                f"SELECT f.dataset_id FROM dataset_fts f{join}"  # noqa: S608 # fixed fragments
                f" WHERE dataset_fts MATCH :match{quality}"
                f" ORDER BY {order} LIMIT :limit OFFSET :offset"
            ),
            {**params, "limit": query.limit, "offset": query.offset},
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

    def index(self, session: Session, entries: Sequence[IndexEntry]) -> None:
        """Insert or replace the entries' rows."""
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
        if query.min_quality is not None:
            # The score lives on the dataset row (joined as d), not in the index.
            clauses.append("d.quality_score >= :min_quality")
            params["min_quality"] = query.min_quality
        return " AND ".join(clauses), params

    def search(self, session: Session, query: SearchQuery) -> SearchResult:
        """Run a free-text query (``query.text`` is not empty)."""
        where, params = self._where(query)
        join_quality = (
            " JOIN dataset d ON d.id = s.dataset_id" if query.min_quality is not None else ""
        )
        grouped = session.execute(
            text(
                "SELECT s.publisher, s.country, s.access_rights, s.personal_data, s.status,"  # noqa: S608
                f" s.themes, count(*) FROM dataset_search s{join_quality} WHERE {where}"
                " GROUP BY s.publisher, s.country, s.access_rights, s.personal_data, s.status,"
                " s.themes"
            ),
            params,
        ).all()
        total, facets = facet_counts(grouped)
        if total == 0 or query.offset >= total:
            return SearchResult(total=total, ids=[], facets=facets)
        order = {
            "relevance": "ts_rank(s.document, to_tsquery('simple', :tsquery)) DESC, s.dataset_id",
            "modified": "d.modified DESC, d.name",
            "title": "d.name",
            "name": "d.name",
            "quality": "d.quality_score DESC, d.name",
        }[query.sort]
        join = (
            " JOIN dataset d ON d.id = s.dataset_id"
            if query.min_quality is not None or query.sort != "relevance"
            else ""
        )
        rows = session.execute(
            text(
                f"SELECT s.dataset_id FROM dataset_search s{join} WHERE {where}"  # noqa: S608
                f" ORDER BY {order} LIMIT :limit OFFSET :offset"
            ),
            {**params, "limit": query.limit, "offset": query.offset},
        ).all()
        return SearchResult(total=total, ids=[row[0] for row in rows], facets=facets)

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
