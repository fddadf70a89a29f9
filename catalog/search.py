"""Full-text search with facets, behind one interface for SQLite FTS5 and PostgreSQL.

Text is folded before it is indexed and before it is queried (Unicode decomposition,
combining marks dropped, case folded), so "migracion" finds "Migración" and "albanil"
finds "Albañil" on both backends. Query terms match word prefixes ("trabajador" finds
"trabajadores") and the other regular number and gender forms of the word ("retornados"
finds "retornadas", "trabajadores fronterizos" finds "trabajador fronterizo"), and are
combined with AND; quoted phrases match exactly, as phrases.

Facets: each dataset's facet values (publisher, country, access rights, personal-data
class, status, themes) form a *combination*, numbered in the ``search_facet`` table with
a maintained count of datasets. A dataset records its combination (``facet_combo``), so

* browsing (no text) counts facets from the combination counts alone, and filters the
  page with an indexed integer set, whatever the size of the catalog;
* a text search groups its matches by combination (one pass, no per-facet queries),
  and applies the filters to those groups (SQLite) or to the matches as the same
  integer set (PostgreSQL).

On SQLite the combination is also folded into the FTS5 rowid, so match-time facets and
filters never read FTS5's content table.

The index also keeps each dataset's sort keys (name, sort title, modification time,
quality score), so that matches sorted by anything but relevance, or filtered by
quality, are never looked up one by one in the dataset table.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from sqlalchemy import text
from sqlmodel import Session

from catalog.db import fetch_together

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
# Words shorter than this keep their one form ("mes", "ley", "gtm").
_SHORTEST_INFLECTED = 4
# Stems (a word less its final o or a) whose word changes gender, not meaning: the
# endings of participles and of adjectives and nouns of origin or trade (retornado,
# fronterizo, extranjero, mexicano, hondureno, domestico, migratorio, funcionario,
# nuevo). Other words ending in o or a keep their gender, since plazo is not plaza,
# nor caso casa, nor empleo emplea, nor trabajo trabaja.
_GENDERED_STEMS = ("ad", "id", "iz", "er", "an", "in", "iv", "os", "en", "ec", "ic", "ri", "ev")
_PHRASE = re.compile(r'"([^"]*)"')


_COMBINING_MARKS = re.compile(
    r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)


def fold(value: str) -> str:
    """Lower-case ``value`` and strip its accents (NFKD, combining marks removed)."""
    if value.isascii():
        return value.lower()
    return _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", value)).casefold()


def words(value: str) -> str:
    """``value`` folded and reduced to the words a query can ask for, space-separated.

    PostgreSQL's parser would also index hyphenated compounds, URLs and version numbers
    as single lexemes; queries are split into runs of letters and digits, so those could
    never match and only made every document longer.
    """
    return " ".join(_WORD.findall(fold(value)))


@dataclass(frozen=True)
class ParsedQuery:
    """A free-text query as prefix terms and exact phrases (all folded).

    ``unsearchable`` says the query also held words the index cannot hold (other
    scripts, emoji): with nothing else to search for, it finds nothing, where a query
    of stopwords and punctuation alone lists the whole catalog.
    """

    terms: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]
    unsearchable: bool = False

    @property
    def is_empty(self) -> bool:
        """Whether nothing searchable is left (only stopwords or punctuation)."""
        return not self.terms and not self.phrases

    @property
    def finds_nothing(self) -> bool:
        """Whether the query asked only for words no document can hold."""
        return self.is_empty and self.unsearchable


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
    unsearchable = any(
        unicodedata.category(character)[0] in "LN" or unicodedata.category(character) == "So"
        for character in _WORD.sub("", folded)
    )
    return ParsedQuery(terms=terms[:32], phrases=tuple(phrases[:8]), unsearchable=unsearchable)


def inflections(term: str) -> tuple[str, ...]:
    """The other regular number and gender forms of a folded Spanish or English word.

    "retornados" gives "retornada", "retornadas" and "retornado"; "trabajadores" gives
    "trabajador", "trabajadora" and "trabajadoras"; "countries" gives "country". Forms the
    term begins are left out: it matches those as a prefix already.

    Not a stemmer: the regular endings are undone and redone, and a form no document uses
    simply matches nothing. Words are never cut down to a stem that would also begin
    unrelated words, so "empleo" does not find "empleadores"; and only words whose
    ending marks a gender change it (:data:`_GENDERED_STEMS`), so "plazo" does not find
    "plaza". Short words, numbers and codes have no forms.
    """
    if len(term) < _SHORTEST_INFLECTED or not term.isalpha():
        return ()
    singulars = {term}
    if term.endswith("s") and not term.endswith("ss"):
        singulars.add(term[:-1])  # remesas, workers
        if term.endswith("es"):
            singulars.add(term[:-2])  # hogares, inspecciones, boxes
        if term.endswith("ces"):
            singulars.add(term[:-3] + "z")  # luces
        if term.endswith("ies"):
            singulars.add(term[:-3] + "y")  # countries
    forms: set[str] = set()
    for singular in singulars:
        forms.add(singular)
        last = singular[-1]
        if last in "oa":  # retornado, retornada
            stem = singular[:-1]
            forms.update((stem + last + "s",))
            if stem.endswith(_GENDERED_STEMS):
                forms.update((stem + "o", stem + "a", stem + "os", stem + "as"))
        elif last == "z":
            forms.add(singular[:-1] + "ces")
        elif last == "y":
            forms.update((singular + "s", singular + "es", singular[:-1] + "ies"))
        elif last in "eiu":
            forms.add(singular + "s")
        else:
            forms.update((singular + "es", singular + "s"))
            if singular.endswith("or"):  # trabajador, trabajadora
                forms.update((singular + "a", singular + "as"))
    return tuple(sorted(form for form in forms if not form.startswith(term)))


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
    # What the other orders sort by, kept with the text so that sorting the matches
    # of a broad query needs no lookup of each dataset row.
    name: str
    sort_title: str
    modified: dt.datetime
    quality: int

    @property
    def signature(self) -> tuple[str, str, str, str, str, str]:
        """The entry's facet combination, as stored in ``search_facet``."""
        return (
            self.publisher,
            self.country,
            self.access_rights,
            self.personal_data,
            self.status,
            " ".join(sorted(set(self.themes))),
        )


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

    def quality_clause(self, row: str = "d") -> str:
        """The condition on ``row`` for ``min_quality``, or nothing.

        ``row`` is the dataset row (``d``), or the index's row, which keeps the score too
        (``s`` in PostgreSQL's ``dataset_search``, ``k`` in SQLite's
        ``dataset_search_key``, which a text search joins only when it filters or sorts
        on such keys).
        """
        return "" if self.min_quality is None else f" AND {row}.quality_score >= :min_quality"

    @property
    def quality_params(self) -> dict[str, Any]:
        """The parameters :meth:`quality_clause` binds."""
        return {} if self.min_quality is None else {"min_quality": self.min_quality}


@dataclass(frozen=True)
class SearchResult:
    """One page of dataset ids, the total count and the facet counts of all matches."""

    total: int
    ids: list[uuid.UUID]
    facets: dict[str, dict[str, int]]


def facet_counts(rows: Iterable[Sequence[Any]]) -> tuple[int, dict[str, dict[str, int]]]:
    """Sum rows ``(publisher, country, access, personal, status, themes, n)`` per facet."""
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACET_FIELDS}
    total = 0
    for publisher, country, access, personal, status, themes, count in rows:
        total += count
        counters["publisher"][publisher] += count
        counters["country"][country] += count
        counters["access_rights"][access] += count
        counters["personal_data"][personal] += count
        counters["status"][status] += count
        for theme in themes:
            counters["theme"][theme] += count
    facets = {
        name: dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
        for name, counter in counters.items()
    }
    return total, facets


# ----------------------------------------------------------------------- combinations

# Filters allowing at most this share of the catalog's datasets use the combination index.
_SELECTIVE_SHARE = 0.3
_COMBINATION_COLUMNS = "publisher, country, access_rights, personal_data, status, themes"
_SF_COLUMNS = ", ".join(f"sf.{c}" for c in _COMBINATION_COLUMNS.split(", "))


@dataclass(frozen=True)
class FacetCondition:
    """Which combinations a result may have, as SQL over ``search_facet sf``.

    Filters (OR within a facet, AND across facets) and the caller's visibility both
    become conditions on that small table. :meth:`resolve` turns them into the list of
    allowed combination ids, which the search then inlines: an explicit integer set
    gives both planners exact estimates, where a semi-join with LIKE on themes led
    PostgreSQL to scan instead of using the full-text index.

    ``broad`` says the condition holds only status and visibility, which keep most of
    a catalog: no index on the combination can help it, so a text search may test it
    on the groups of its matches instead of resolving it beforehand.
    """

    sql: str
    params: dict[str, Any]
    allowed: tuple[int, ...] | None = None
    selective: bool = True
    broad: bool = False

    @property
    def is_everything(self) -> bool:
        """Whether every combination is allowed (no condition to apply)."""
        return not self.sql

    def resolve(self, session: Session) -> FacetCondition:
        """The same condition with its allowed combination ids read from the table.

        Also notes whether the allowed combinations hold few enough of the catalog's
        datasets for an index on the combination to pay (:meth:`combo_in`).
        """
        if self.is_everything:
            return self
        return self.resolved(session.execute(text(self.resolving_sql), self.params).all())

    @property
    def resolving_sql(self) -> str:
        """The statement whose rows :meth:`resolved` takes (run with :attr:`params`)."""
        return (
            f"SELECT sf.id, sf.dataset_count, CASE WHEN {self.sql} THEN 1 ELSE 0 END"  # noqa: S608
            " FROM search_facet sf"
        )

    def resolved(self, rows: Sequence[Sequence[Any]]) -> FacetCondition:
        """:meth:`resolve` given the rows of :attr:`resolving_sql`."""
        allowed = tuple(int(combo) for combo, _, matches in rows if matches)
        in_catalog = sum(int(count) for _, count, _ in rows)
        in_allowed = sum(int(count) for _, count, matches in rows if matches)
        return FacetCondition(
            self.sql,
            self.params,
            allowed,
            selective=in_allowed <= _SELECTIVE_SHARE * in_catalog,
            broad=self.broad,
        )

    @property
    def admits_sql(self) -> str:
        """A SQL expression over ``search_facet sf``: 1 if a combination passes, else 0."""
        return f"CASE WHEN {self.sql} THEN 1 ELSE 0 END" if self.sql else "1"

    @property
    def is_nothing(self) -> bool:
        """Whether no combination is allowed (an empty result, no search needed)."""
        return self.allowed == ()

    def combo_in(self, column: str) -> str:
        """`` AND column IN (allowed ids)``, or nothing (call :meth:`resolve` first).

        When the allowed combinations hold most of the catalog (visibility alone, or a
        broad filter), the column is wrapped (``+ 0``) so that PostgreSQL checks it on
        the rows the text index found instead of also scanning the b-tree on it for
        nearly every row, which its estimates otherwise lead it to do.
        """
        if self.is_everything:
            return ""
        assert self.allowed is not None  # noqa: S101 # resolved before use
        tested = column if self.selective else f"{column} + 0"
        # Integers from our own table: safe to inline.
        return f" AND {tested} IN ({', '.join(map(str, self.allowed))})"


def facet_condition(query: SearchQuery) -> FacetCondition:
    """The condition on ``search_facet sf`` for the query's filters and visibility."""
    clauses: list[str] = []
    params: dict[str, Any] = {}

    def placeholders(values: Iterable[str]) -> list[str]:
        names = []
        for value in values:
            name = f"p{len(params)}"
            params[name] = value
            names.append(f":{name}")
        return names

    for field_name, values in sorted(query.filters.items()):
        if not values:
            continue
        if field_name == "theme":
            # Themes are stored space-separated: pad both sides so a code matches whole.
            tests = placeholders(f"% {value} %" for value in values)
            clauses.append(
                "(" + " OR ".join(f"(' ' || sf.themes || ' ') LIKE {t}" for t in tests) + ")"
            )
        else:
            clauses.append(f"sf.{field_name} IN ({', '.join(placeholders(values))})")
    visibility = query.visibility
    if not visibility.everything:
        visible = f"sf.status IN ({', '.join(placeholders(visibility.public_statuses))})"
        if visibility.own_publishers:
            visible += f" OR sf.publisher IN ({', '.join(placeholders(visibility.own_publishers))})"
        clauses.append(f"({visible})")
    # Status and visibility keep most of a catalog; only the other facets narrow it.
    broad = {name for name, values in query.filters.items() if values} <= {"status"}
    return FacetCondition(" AND ".join(clauses), params, broad=broad)


def _facet_rows(rows: Iterable[Sequence[Any]]) -> Iterator[tuple[Any, ...]]:
    """Rows of ``search_facet`` columns and a count, as :func:`facet_counts` rows."""
    for publisher, country, access, personal, status, themes, count in rows:
        yield (publisher, country, access, personal, status, tuple(themes.split()), int(count))


class FacetIndex:
    """The ``search_facet`` table: combination ids and their dataset counts."""

    def combination_ids(
        self, session: Session, signatures: Iterable[tuple[str, ...]]
    ) -> dict[tuple[str, ...], int]:
        """The ids of these combinations, numbering the new ones."""
        wanted = list(dict.fromkeys(signatures))
        if not wanted:
            return {}
        # One read of the (small) table instead of one lookup per combination: bulk
        # imports ask for hundreds at a time.
        known = {
            tuple(row[1:]): int(row[0])
            for row in session.execute(
                text(f"SELECT id, {_COMBINATION_COLUMNS} FROM search_facet")  # noqa: S608
            ).all()
        }
        result: dict[tuple[str, ...], int] = {}
        for signature in wanted:
            if signature not in known:
                values = dict(zip(_COMBINATION_COLUMNS.split(", "), signature, strict=True))
                known[signature] = int(
                    session.execute(
                        text(
                            f"INSERT INTO search_facet ({_COMBINATION_COLUMNS}, dataset_count)"  # noqa: S608
                            " VALUES (:publisher, :country, :access_rights, :personal_data,"
                            " :status, :themes, 0) RETURNING id"
                        ),
                        values,
                    ).scalar_one()
                )
            result[signature] = known[signature]
        return result

    def dataset_counts(self, session: Session, by: str, status: str) -> dict[str, int]:
        """How many datasets with ``status`` each value of facet ``by`` has (no zeros).

        Read from the maintained combination counts, not by counting dataset rows: the
        cost follows the number of combinations, not the size of the catalog.
        """
        if by not in _COMBINATION_COLUMNS.split(", ") or by == "themes":
            raise ValueError(f"cannot count datasets by {by!r}")
        rows = session.execute(
            text(
                f"SELECT {by}, sum(dataset_count) FROM search_facet"  # noqa: S608 # checked name
                f" WHERE status = :status GROUP BY {by} HAVING sum(dataset_count) > 0"
            ),
            {"status": status},
        ).all()
        return {str(value): int(count) for value, count in rows}

    def adjust(self, session: Session, deltas: Counter[int]) -> None:
        """Add ``deltas`` (combination id -> change) to the dataset counts."""
        changes = [{"id": combo, "delta": delta} for combo, delta in deltas.items() if delta]
        if changes:
            session.execute(
                text(
                    "UPDATE search_facet SET dataset_count = dataset_count + :delta WHERE id = :id"
                ),
                changes,
            )


# --------------------------------------------------------------------------- backends


class TextBackend(Protocol):
    """What differs between SQLite FTS5 and PostgreSQL full-text search."""

    def insert(self, session: Session, entries: Sequence[tuple[IndexEntry, int]]) -> None:
        """Add the entries (with their combination ids) to the text index."""

    def delete(self, session: Session, dataset_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Remove datasets from the text index; return the combination each had."""

    def matches(
        self, session: Session, query: SearchQuery, condition: FacetCondition
    ) -> tuple[list[tuple[Any, ...]], list[uuid.UUID]]:
        """Facet rows of the allowed matches (see :func:`_facet_rows`), and one page of ids.

        ``condition`` is not resolved yet: each backend applies it where it costs least.
        """

    def raw_match(self, session: Session, parsed: ParsedQuery, limit: int) -> list[str]:
        """The bare ranked full-text query, without filters or facets (benchmarks)."""


# The column each order other than relevance sorts by, in the dataset table and in the
# search index (which keeps them so that sorting the matches reads no dataset row).
_SORT_COLUMNS = {
    "modified": "modified",
    "title": "sort_title",
    "name": "name",
    "quality": "quality_score",
}


def _sort_order(sort: SortKey, key: str, dataset_id: str) -> str:
    """The ORDER BY of ``sort`` (not relevance) over the expressions of its key and id.

    Newest and best first; ties in a fixed order (names are unique).
    """
    if sort == "name":
        return key
    if sort == "title":
        return f"{key}, {dataset_id}"
    # Both descending, so that browsing walks the (key, id) index backwards.
    return f"{key} DESC, {dataset_id} DESC"


_COMBO_SHIFT = 40
_TSQUERY_TEXT = re.compile(r"[0-9a-z:*&|()<> -]*")
# A prefix standing for more indexed words than this stays a prefix in the tsquery.
_MOST_EXPANSIONS = 32
_FTS_COMBO = f"(f.rowid >> {_COMBO_SHIFT})"
# A match's row in ``dataset_search_key`` (sort keys, quality), by its primary key: the
# low bits of the FTS rowid.
_KEY_JOIN = f" JOIN dataset_search_key k ON k.seq = (f.rowid & {(1 << _COMBO_SHIFT) - 1})"


def _sqlite_time(moment: dt.datetime) -> str:
    """``moment`` as SQLite holds the dataset table's times.

    UTC and fixed width, so that they sort as text in time order.
    """
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class SqliteText:
    """SQLite FTS5 (``unicode61``, BM25 with per-column weights).

    A row's FTS rowid is ``combination << 40 | sequence``: FTS5 yields rowids from its
    doclists, so grouping and filtering matches by combination cost a shift per match
    and never touch the content table.
    """

    def insert(self, session: Session, entries: Sequence[tuple[IndexEntry, int]]) -> None:
        """Add the entries (with their combination ids) to the text index."""
        keys: list[dict[str, Any]] = [{"dataset_id": e.dataset_id.hex} for e, _ in entries]
        session.execute(
            text(
                "INSERT INTO dataset_search_key (dataset_id, fts_rowid, name, sort_title,"
                " modified, quality_score) VALUES (:dataset_id, 0, :name, :sort_title,"
                " :modified, :quality)"
            ),
            [
                {
                    **key,
                    "name": entry.name,
                    "sort_title": entry.sort_title,
                    "modified": _sqlite_time(entry.modified),
                    "quality": entry.quality,
                }
                for key, (entry, _) in zip(keys, entries, strict=True)
            ],
        )
        sequences = self._sequences(session, [key["dataset_id"] for key in keys])
        rows = []
        for (entry, combo), key in zip(entries, keys, strict=True):
            rowid = (combo << _COMBO_SHIFT) | sequences[key["dataset_id"]]
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

    def delete(self, session: Session, dataset_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Remove datasets from the text index; return the combination each had."""
        removed: dict[uuid.UUID, int] = {}
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
            removed[dataset_id] = int(rowid) >> _COMBO_SHIFT
        return removed

    @staticmethod
    def match_expression(parsed: ParsedQuery) -> str:
        """The FTS5 MATCH expression: terms and phrases, all required.

        A term matches as a prefix or as one of its other forms (:func:`inflections`).
        """
        parts = []
        for term in parsed.terms:
            alternatives = [f'"{term}"*', *(f'"{form}"' for form in inflections(term))]
            parts.append(
                "(" + " OR ".join(alternatives) + ")" if len(alternatives) > 1 else alternatives[0]
            )
        parts += ['"' + " ".join(words) + '"' for words in parsed.phrases]
        return " AND ".join(parts)

    def matches(
        self, session: Session, query: SearchQuery, condition: FacetCondition
    ) -> tuple[list[tuple[Any, ...]], list[uuid.UUID]]:
        """Two statements over FTS5's doclists, joined to the sort keys only when needed.

        The keys (``dataset_search_key``, by the rowid's low bits) are read only for a
        quality filter or an order other than relevance.

        Matches are grouped by combination (the rowid's high bits) before the small
        ``search_facet`` table is joined, so the join costs one lookup per combination,
        and the filters and visibility are evaluated on the groups, in the same
        statement, rather than tested on every match (or on every combination of the
        catalog beforehand). The page statement then leaves out just the disallowed
        combinations that matched, usually none: the read transaction (one ``BEGIN``)
        gives both statements the same snapshot, so that list is exact.
        """
        assert query.text is not None  # noqa: S101 # browsing does not come here
        params = {"match": self.match_expression(query.text), **query.quality_params}
        quality_join = _KEY_JOIN if query.quality_clause() else ""
        where = f"dataset_fts MATCH :match{query.quality_clause('k')}"
        groups = session.execute(
            text(
                f"SELECT {condition.admits_sql}, sf.id, {_SF_COLUMNS}, g.n"  # noqa: S608
                f" FROM (SELECT f.rowid >> {_COMBO_SHIFT} AS combo, count(*) AS n"
                f" FROM dataset_fts f{quality_join} WHERE {where} GROUP BY 1) g"
                " JOIN search_facet sf ON sf.id = g.combo"
            ),
            {**params, **condition.params},
        ).all()
        allowed: list[Any] = []
        hidden: list[int] = []
        for admitted, *row in groups:
            if admitted:
                allowed.append(row)
            else:
                hidden.append(int(row[0]))
        grouped = list(_facet_rows(row[1:] for row in allowed))
        if query.offset >= sum(row[-1] for row in grouped):
            return grouped, []
        if hidden:
            # Whichever list is shorter; both name only combinations that matched.
            shown = [int(row[0]) for row in allowed]
            test = ("IN", shown) if len(shown) < len(hidden) else ("NOT IN", hidden)
            where += f" AND {_FTS_COMBO} {test[0]} ({', '.join(map(str, test[1]))})"
        if query.sort == "relevance":
            order, join, dataset_id = "f.rank, f.rowid", quality_join, "f.dataset_id"
        else:
            order = _sort_order(query.sort, f"k.{_SORT_COLUMNS[query.sort]}", "k.dataset_id")
            join, dataset_id = _KEY_JOIN, "k.dataset_id"
        ids = session.execute(
            text(
                f"SELECT {dataset_id} FROM dataset_fts f{join}"  # noqa: S608 # fixed fragments
                f" WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset"
            ),
            {**params, "limit": query.limit, "offset": query.offset},
        ).scalars()
        return grouped, [uuid.UUID(hex=value) for value in ids]

    def raw_match(self, session: Session, parsed: ParsedQuery, limit: int) -> list[str]:
        """The bare ranked full-text query, without filters or facets (benchmarks)."""
        rows = session.execute(
            text(
                "SELECT dataset_id FROM dataset_fts WHERE dataset_fts MATCH :match"
                " ORDER BY rank LIMIT :limit"
            ),
            {"match": self.match_expression(parsed), "limit": limit},
        ).scalars()
        return list(rows)


class PostgresText:
    """PostgreSQL ``tsvector`` (``simple`` configuration over folded words), GIN-indexed.

    ``dataset_search.combo`` has its own b-tree, so a filtered search intersects the
    full-text bitmap with the allowed combinations before it reads a row.

    ``search_word`` is the lexicon of every indexed word, kept in byte order: a prefix
    term is looked up there and queried as the words it begins (see :meth:`expansions`),
    which GIN intersects far faster than a ``term:*`` prefix scan.
    """

    def insert(self, session: Session, entries: Sequence[tuple[IndexEntry, int]]) -> None:
        """Add the entries (with their combination ids) to the text index."""
        session.execute(
            text(
                "INSERT INTO dataset_search (dataset_id, combo, name, sort_title, modified,"
                " quality_score, document) VALUES (:dataset_id, :combo, :name, :sort_title,"
                " :modified, :quality,"
                " setweight(to_tsvector('simple', :title), 'A')"
                " || setweight(to_tsvector('simple', :keywords), 'B')"
                " || setweight(to_tsvector('simple', :description), 'C')"
                " || setweight(to_tsvector('simple', :other), 'D'))"
            ),
            [
                {
                    "dataset_id": entry.dataset_id,
                    "combo": combo,
                    "name": entry.name,
                    "sort_title": entry.sort_title,
                    "modified": entry.modified,
                    "quality": entry.quality,
                    "title": words(entry.title),
                    "keywords": words(entry.keywords),
                    "description": words(entry.description),
                    "other": words(entry.other),
                }
                for entry, combo in entries
            ],
        )
        # The lexicon takes the lexemes PostgreSQL stored, so it holds exactly what the
        # index can match. NOT EXISTS rather than a unique index, so that writers never
        # wait for each other here (migration 0008).
        session.execute(
            text(
                "INSERT INTO search_word (word) SELECT DISTINCT lexeme FROM dataset_search s,"
                " unnest(s.document) WHERE s.dataset_id = ANY(:ids) AND lexeme ~ '^[0-9a-z]+$'"
                " AND NOT EXISTS (SELECT 1 FROM search_word w WHERE w.word = lexeme)"
            ),
            {"ids": [entry.dataset_id for entry, _ in entries]},
        )

    def delete(self, session: Session, dataset_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Remove datasets from the text index; return the combination each had."""
        if not dataset_ids:
            return {}
        rows = session.execute(
            text(
                "DELETE FROM dataset_search WHERE dataset_id = ANY(:ids)"
                " RETURNING dataset_id, combo"
            ),
            {"ids": list(dataset_ids)},
        ).all()
        return {dataset_id: int(combo) for dataset_id, combo in rows}

    @staticmethod
    def tsquery(parsed: ParsedQuery, expansions: Mapping[str, Sequence[str]] | None = None) -> str:
        """The tsquery text: terms and phrases, all required.

        A term listed in ``expansions`` becomes the alternation of those operands (see
        :meth:`expansions`); any other term becomes its prefix (``term:*``) or its other
        forms (:func:`inflections`).
        """
        # Terms and words are [0-9a-z]+, so they are safe inside tsquery syntax.
        expansions = expansions or {}
        parts = []
        for term in parsed.terms:
            operands = expansions.get(term) or (f"{term}:*", *inflections(term))
            single = len(operands) == 1 and term not in expansions
            parts.append(operands[0] if single else "(" + " | ".join(operands) + ")")
        parts += ["(" + " <-> ".join(words) + ")" for words in parsed.phrases]
        return " & ".join(parts)

    @classmethod
    def expansions(cls, session: Session, parsed: ParsedQuery) -> dict[str, list[str]] | None:
        """What each query term stands for in the tsquery, from the ``search_word`` lexicon.

        A term stands for the indexed words it begins and its other forms
        (:func:`inflections`) that are indexed words. A term beginning more than
        :data:`_MOST_EXPANSIONS` words stays a prefix (``term:*``) beside those forms.
        ``None`` when some term stands for nothing: nothing can match.
        """
        if not parsed.terms:
            return {}
        (rows,) = fetch_together(session, cls._lexicon_lookup(parsed))
        return cls._operands(parsed, rows)

    @staticmethod
    def _lexicon_lookup(parsed: ParsedQuery) -> tuple[str, dict[str, Any]]:
        """The statement, and its parameters, that looks the terms up in the lexicon."""
        forms = [(term, form) for term in parsed.terms for form in inflections(term)]
        return (
            "SELECT t.term, w.word, true FROM unnest(CAST(:terms AS text[]),"
            " CAST(:ends AS text[])) AS t(term, term_end)"
            " JOIN LATERAL (SELECT DISTINCT word FROM search_word WHERE word >= t.term"
            " AND word < t.term_end ORDER BY word LIMIT :cap) w ON true"
            " UNION ALL SELECT f.term, f.form, false FROM unnest(CAST(:form_terms AS text[]),"
            " CAST(:forms AS text[])) AS f(term, form)"
            " WHERE EXISTS (SELECT 1 FROM search_word w WHERE w.word = f.form)",
            {
                "terms": list(parsed.terms),
                # The first string after every word that starts with the term (byte order).
                "ends": [term[:-1] + chr(ord(term[-1]) + 1) for term in parsed.terms],
                "cap": _MOST_EXPANSIONS + 1,
                "form_terms": [term for term, _ in forms],
                "forms": [form for _, form in forms],
            },
        )

    @staticmethod
    def _operands(
        parsed: ParsedQuery, rows: Iterable[Sequence[Any]]
    ) -> dict[str, list[str]] | None:
        """:meth:`expansions` given the rows of :meth:`_lexicon_lookup`."""
        begun: dict[str, list[str]] = {term: [] for term in parsed.terms}
        other_forms: dict[str, list[str]] = {term: [] for term in parsed.terms}
        for term, word, is_begun in rows:
            (begun if is_begun else other_forms)[term].append(word)
        operands = {}
        for term in parsed.terms:
            words = begun[term] if len(begun[term]) <= _MOST_EXPANSIONS else [f"{term}:*"]
            operands[term] = words + other_forms[term]
            if not operands[term]:
                return None
        return operands

    @classmethod
    def _expanded_tsquery(cls, session: Session, parsed: ParsedQuery) -> str | None:
        """:meth:`tsquery_literal` with prefixes expanded; ``None`` if nothing can match."""
        expansions = cls.expansions(session, parsed)
        return None if expansions is None else cls.tsquery_literal(parsed, expansions)

    @classmethod
    def tsquery_literal(
        cls, parsed: ParsedQuery, expansions: Mapping[str, Sequence[str]] | None = None
    ) -> str:
        """``to_tsquery('simple', '...')`` with the query written into the statement.

        A bound parameter would let the driver prepare the statement and PostgreSQL then
        settle on one generic plan for every query text, planned without knowing how many
        documents the terms match: measured at 100,000 datasets, that plan doubled the
        time of broad queries. Written in, each query text is planned for its own terms.
        """
        query = cls.tsquery(parsed, expansions)
        # Parsing leaves only [0-9a-z] words joined by our operators: nothing can close
        # the literal. Checked anyway, since the text goes into SQL.
        if not _TSQUERY_TEXT.fullmatch(query):
            raise ValueError(f"unexpected characters in tsquery {query!r}")
        return f"to_tsquery('simple', '{query}')"

    def matches(
        self, session: Session, query: SearchQuery, condition: FacetCondition
    ) -> tuple[list[tuple[Any, ...]], list[uuid.UUID]]:
        """Facet rows and the page in one statement.

        The matches are read once, with their rank, into a materialised CTE from which
        both the page and the counts are taken: the heap is visited once instead of once
        for ranking and again for counting. A term that begins no indexed word ends the
        search before it reaches the index.

        A broad condition (status and visibility only) is tested on the groups of
        matches inside that statement, as on SQLite; a narrowing one is resolved first,
        so that its combinations can be inlined and, when few, read from their index.
        """
        assert query.text is not None  # noqa: S101 # browsing does not come here
        on_groups = condition.broad and not condition.is_everything
        resolving = not on_groups and not condition.is_everything
        lookups = [self._lexicon_lookup(query.text)] if query.text.terms else []
        if resolving:
            lookups.append((condition.resolving_sql, condition.params))
        # The lexicon and the allowed combinations are read in one round trip.
        rows = fetch_together(session, *lookups) if lookups else []
        if resolving:
            condition = condition.resolved(rows.pop())
            if condition.is_nothing:
                return [], []
        expansions = self._operands(query.text, rows[0]) if rows else {}
        if expansions is None:
            return [], []
        tsquery = self.tsquery_literal(query.text, expansions)
        if query.sort == "relevance":
            sort_key, order = f"ts_rank(s.document, {tsquery})", "m.sort_key DESC, m.dataset_id"
        else:
            sort_key = f"s.{_SORT_COLUMNS[query.sort]}"
            order = _sort_order(query.sort, "m.sort_key", "m.dataset_id")
        nulls = ", ".join(f"NULL::text AS {c}" for c in _COMBINATION_COLUMNS.split(", "))
        matched = (
            f"WITH m AS MATERIALIZED (SELECT s.dataset_id, s.combo, {sort_key} AS sort_key"  # noqa: S608
            f" FROM dataset_search s WHERE s.document @@ {tsquery}"
            f"{'' if on_groups else condition.combo_in('s.combo')}{query.quality_clause('s')})"
        )
        if on_groups:
            # The page is cut from the best ``offset + limit + hidden`` matches, where
            # ``hidden`` counts the matches of refused groups (usually none): at most that
            # many of them can be refused, and the matches need no test of their own.
            statement = (
                f"{matched}, a AS MATERIALIZED (SELECT sf.id, {condition.admits_sql} AS ok,"  # noqa: S608
                f" {_SF_COLUMNS}, g.n FROM (SELECT m.combo, count(*) AS n FROM m"
                " GROUP BY m.combo) g JOIN search_facet sf ON sf.id = g.combo)"
                f" (SELECT 0 AS kind, m.dataset_id, {nulls}, 0::bigint AS n FROM (SELECT m.*"
                f" FROM m ORDER BY {order} LIMIT :limit + :offset"
                f" + (SELECT coalesce(sum(a.n), 0) FROM a WHERE a.ok = 0)) m"
                " WHERE m.combo NOT IN (SELECT a.id FROM a WHERE a.ok = 0)"
                f" ORDER BY {order} LIMIT :limit OFFSET :offset)"
                f" UNION ALL (SELECT 1, NULL, {_SF_COLUMNS.replace('sf.', 'a.')}, a.n FROM a"
                " WHERE a.ok = 1)"
            )
        else:
            statement = (
                f"{matched} (SELECT 0 AS kind, m.dataset_id, {nulls}, 0::bigint AS n"  # noqa: S608
                f" FROM m ORDER BY {order} LIMIT :limit OFFSET :offset)"
                f" UNION ALL (SELECT 1, NULL, {_SF_COLUMNS}, g.n FROM (SELECT m.combo,"
                " count(*) AS n FROM m GROUP BY m.combo) g JOIN search_facet sf"
                " ON sf.id = g.combo)"
            )
        rows = _index_driven(
            session,
            statement,
            {
                "limit": query.limit,
                "offset": query.offset,
                **query.quality_params,
                **(condition.params if on_groups else {}),
            },
        )
        grouped = list(_facet_rows(row[2:] for row in rows if row[0] == 1))
        return grouped, [row[1] for row in rows if row[0] == 0]

    def raw_match(self, session: Session, parsed: ParsedQuery, limit: int) -> list[str]:
        """The bare ranked full-text query, without filters or facets (benchmarks).

        The same text query as :meth:`matches`: prefixes expanded from the lexicon.
        """
        tsquery = self._expanded_tsquery(session, parsed)
        if tsquery is None:
            return []
        rows = _index_driven(
            session,
            "SELECT dataset_id FROM dataset_search"  # noqa: S608 # checked literal
            f" WHERE document @@ {tsquery} ORDER BY ts_rank(document, {tsquery}) DESC"
            " LIMIT :limit",
            {"limit": limit},
        )
        return [str(row[0]) for row in rows]


def _index_driven(session: Session, statement: str, params: Mapping[str, Any]) -> list[Any]:
    """The rows of ``statement``, planned as bitmap scans (of the full-text or combination index).

    PostgreSQL prices ``@@`` like a comparison of two integers, which misleads it twice.
    For a term in a quarter of the catalog it prefers testing every row to the GIN
    index (measured at 100,000 datasets: 48-60 ms where the index took 25-40 ms). And
    when the table's order follows the facet combinations (datasets loaded publisher by
    publisher), it prefers walking a filter's combination index and testing ``@@`` on
    each row found (measured: `retornadas` restricted 27.9 ms, `consular` personal
    28.4 ms, where the bitmap plans took 15.6 and 19.0). Every text search has an
    index to start from; the settings end with the statement, and setting, statement
    and reset travel in one round trip.

    After an error the settings are not reset: PostgreSQL refuses every command until
    the transaction is rolled back, which drops them.
    """
    _, _, rows, _, _ = fetch_together(
        session,
        ("SET LOCAL enable_seqscan = off", {}),
        ("SET LOCAL enable_indexscan = off", {}),
        (statement, params),
        ("RESET enable_seqscan", {}),
        ("RESET enable_indexscan", {}),
    )
    return rows


# ------------------------------------------------------------------------- the index


class SearchIndex:
    """Full-text search, facets and filtered browsing over the catalog's datasets."""

    def __init__(self, text_backend: TextBackend) -> None:
        self.text = text_backend
        self.facets = FacetIndex()

    def combination_ids(self, session: Session, entries: Sequence[IndexEntry]) -> list[int]:
        """The combination id of each entry (numbering new combinations)."""
        ids = self.facets.combination_ids(session, (entry.signature for entry in entries))
        return [ids[entry.signature] for entry in entries]

    def index(
        self,
        session: Session,
        entries: Sequence[IndexEntry],
        *,
        replace: bool = True,
        combinations: Sequence[int] | None = None,
    ) -> list[int]:
        """Index entries (replacing what was indexed of them); return their combinations.

        ``replace=False`` is for datasets never indexed before (bulk imports), and
        ``combinations`` passes ids already obtained from :meth:`combination_ids`.
        """
        if not entries:
            return []
        deltas: Counter[int] = Counter()
        if replace:
            for combo in self.text.delete(session, [e.dataset_id for e in entries]).values():
                deltas[combo] -= 1
        combos = (
            list(combinations)
            if combinations is not None
            else self.combination_ids(session, entries)
        )
        self.text.insert(session, list(zip(entries, combos, strict=True)))
        deltas.update(combos)
        self.facets.adjust(session, deltas)
        return combos

    def remove(self, session: Session, dataset_ids: Iterable[uuid.UUID]) -> None:
        """Remove datasets from the index."""
        deltas: Counter[int] = Counter()
        for combo in self.text.delete(session, list(dataset_ids)).values():
            deltas[combo] -= 1
        self.facets.adjust(session, deltas)

    def search(self, session: Session, query: SearchQuery) -> SearchResult:
        """Free-text search (``query.text``) or browsing, with facets over all results."""
        condition = facet_condition(query)
        if query.text is not None and query.text.finds_nothing:
            return SearchResult(total=0, ids=[], facets=facet_counts([])[1])
        if query.text is None or query.text.is_empty:
            return self._browse(session, condition.resolve(session), query)
        grouped, ids = self.text.matches(session, query, condition)
        total, facets = facet_counts(grouped)
        return SearchResult(total=total, ids=ids, facets=facets)

    @staticmethod
    def _browse(session: Session, condition: FacetCondition, query: SearchQuery) -> SearchResult:
        if condition.is_nothing:
            return SearchResult(total=0, ids=[], facets=facet_counts([])[1])
        if query.min_quality is None:
            # Facets come from the maintained counts: no dataset row is read for them.
            statement = (
                f"SELECT {_SF_COLUMNS}, sf.dataset_count FROM search_facet sf"  # noqa: S608
                f" WHERE sf.dataset_count > 0{condition.combo_in('sf.id')}"
            )
        else:
            # A quality threshold cuts across combinations: count the qualifying rows.
            statement = (
                f"SELECT {_SF_COLUMNS}, g.n FROM (SELECT d.facet_combo AS combo,"  # noqa: S608
                " count(*) AS n FROM dataset d"
                f" WHERE 1 = 1{condition.combo_in('d.facet_combo')}{query.quality_clause()}"
                " GROUP BY d.facet_combo) g JOIN search_facet sf ON sf.id = g.combo"
            )
        total, facets = facet_counts(
            _facet_rows(session.execute(text(statement), query.quality_params).all())
        )
        if total == 0 or query.offset >= total:
            return SearchResult(total=total, ids=[], facets=facets)
        sort = "modified" if query.sort == "relevance" else query.sort
        ids = session.execute(
            text(
                "SELECT d.id FROM dataset d"  # noqa: S608 # fixed fragments, ints
                f" WHERE 1 = 1{condition.combo_in('d.facet_combo')}{query.quality_clause()}"
                f" ORDER BY {_sort_order(sort, f'd.{_SORT_COLUMNS[sort]}', 'd.id')}"
                " LIMIT :limit OFFSET :offset"
            ),
            {"limit": query.limit, "offset": query.offset, **query.quality_params},
        ).scalars()
        return SearchResult(total=total, ids=[_as_uuid(value) for value in ids], facets=facets)

    def raw_match(self, session: Session, parsed: ParsedQuery, limit: int) -> list[str]:
        """The bare ranked full-text query, without filters or facets (benchmarks)."""
        return self.text.raw_match(session, parsed, limit)


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(hex=str(value))


def search_index(session: Session) -> SearchIndex:
    """The search index of the session's database."""
    postgres = session.get_bind().dialect.name == "postgresql"
    return SearchIndex(PostgresText() if postgres else SqliteText())
