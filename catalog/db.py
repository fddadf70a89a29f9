"""Engine and sessions. SQLite is the embedded default, PostgreSQL the production database.

SQLite runs in WAL mode with foreign keys on. Sessions that will write start with
``BEGIN IMMEDIATE`` on SQLite: a deferred transaction that reads and later writes can fail
with ``SQLITE_BUSY`` when another writer committed in between, and the audit chain reads
its head before appending, so writers are serialised up front instead.

On PostgreSQL, writing sessions take the writers' advisory lock
(:data:`POSTGRES_WRITER_LOCK`) as their first statement, for the same reason: every
write transaction appends to the audit chain, which must serialise appenders anyway.
Taking that lock only when the chain was reached let a transaction hold row locks
(search facet counts, say) while it waited for the lock, and another hold the lock while
it waited for those rows: a deadlock, which PostgreSQL ends by failing one of them.
Readers never wait for it.

A writer waits at most :data:`WRITER_WAIT_SECONDS` for the lock on either database
(SQLite's busy timeout, PostgreSQL's ``lock_timeout`` for that one statement), then
gets :class:`~catalog.errors.CatalogBusy`: a clear "try again" instead of a request
that hangs while it holds a pooled connection.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import orjson
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    insert,
    literal_column,
    text,
    update,
)
from sqlalchemy import inspect as sqlalchemy_inspect
from sqlalchemy import select as select_columns
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Dialect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import ClassManager, configure_mappers
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.compiler import ExpandedState, SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, col, select

from catalog.errors import CatalogBusy, ConfigurationError, Conflict, InvalidMetadata
from catalog.settings import Settings

if TYPE_CHECKING:
    import psycopg

Row = TypeVar("Row", bound=SQLModel)

MIGRATIONS_PATH = Path(__file__).resolve().parent.parent / "migrations"
_WRITE_OPTION = "simel_write"
_READ_ONLY_INFO = "simel_read_only"
# Any constant works; every writer (and the audit chain) uses the same one.
POSTGRES_WRITER_LOCK = 0x51_4D_45_4C
# How long a writer waits for another write transaction to end.
WRITER_WAIT_SECONDS = 10.0
_POSTGRES_LOCK_NOT_AVAILABLE = "55P03"


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones, so values are stored as
    naive UTC and made aware again on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Refuse naive values; store UTC (naive on SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        assert isinstance(value, dt.datetime)  # noqa: S101 # the column type guarantees it
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")

_JSON_KEY = re.compile(r"[a-z][a-z_]*")


class json_field(FunctionElement[str]):
    """The text at top-level ``key`` of a :data:`JSONDocument` column, key written in.

    ``column[key].as_string()`` binds the key as a parameter, and an expression with a
    parameter matches no index on an expression: never on SQLite, and not in the generic
    plan of a prepared statement on PostgreSQL. Written in, the expression is the one an
    index was built on (``details ->> 'agreement'``, ``json_extract(details,
    '$.agreement')``).
    """

    type = String()
    inherit_cache = True

    def __init__(self, column: Any, key: str) -> None:
        if not _JSON_KEY.fullmatch(key):
            raise ValueError(f"not a plain JSON key: {key!r}")
        # Literal columns, so that the key is part of the statement's cache key.
        super().__init__(column, literal_column(f"'{key}'"), literal_column(f"'$.{key}'"))


@compiles(json_field, "postgresql")
def _json_field_postgresql(element: json_field, compiler: SQLCompiler, **kw: Any) -> str:
    column, key, _ = element.clauses
    return f"({compiler.process(column, **kw)} ->> {compiler.process(key, **kw)})"


@compiles(json_field)
def _json_field_sqlite(element: json_field, compiler: SQLCompiler, **kw: Any) -> str:
    column, _, path = element.clauses
    return f"json_extract({compiler.process(column, **kw)}, {compiler.process(path, **kw)})"


def text_limit(attribute: Any) -> int:
    """How many characters the ``VARCHAR`` column behind a model attribute holds.

    Checks that name the field for the caller take their limit from here, so that they
    refuse exactly what :func:`_refuse_overlong_text` would and follow the column.
    """
    length = attribute.expression.type.length
    assert isinstance(length, int)  # noqa: S101 # only VARCHAR attributes are asked for
    return length


def utcnow() -> dt.datetime:
    """Return the current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def _take_writers_lock(conn: Any, statement: str, writer_wait: float) -> None:
    """Run the statement that takes the writers' lock; a timeout is :class:`CatalogBusy`."""
    try:
        conn.exec_driver_sql(statement)
    except DBAPIError as error:
        cause = error.orig
        timed_out = (
            getattr(cause, "sqlstate", None) == _POSTGRES_LOCK_NOT_AVAILABLE
            or getattr(cause, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY
        )
        if not timed_out:
            raise
        raise CatalogBusy(
            f"another change to the catalog took longer than {writer_wait:g} s; try again",
            retry_after=max(1, math.ceil(writer_wait)),
        ) from error


def _configure_sqlite(engine: Engine, writer_wait: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so that BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {round(writer_wait * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(_WRITE_OPTION, False):
            _take_writers_lock(conn, "BEGIN IMMEDIATE", writer_wait)
        else:
            conn.exec_driver_sql("BEGIN")


def _configure_postgresql(engine: Engine, writer_wait: float) -> None:
    # One round trip: bound the wait, take the lock, lift the bound for the rest of the
    # transaction (its row locks keep the server's setting).
    take_lock = (
        f"SET LOCAL lock_timeout = {round(writer_wait * 1000)};"
        f" SELECT pg_advisory_xact_lock({POSTGRES_WRITER_LOCK});"
        " SET LOCAL lock_timeout TO DEFAULT"
    )

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(_WRITE_OPTION, False):
            _take_writers_lock(conn, take_lock, writer_wait)


def json_text(value: Any) -> str:
    """``value`` as the JSON text stored in JSON columns (orjson: UTF-8, not escaped).

    Every dataset write stores its document twice (dataset and revision) and every
    listing reads twenty back: the standard library spent more time on that text than
    SQLite spent storing it.
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        # Integers beyond 64 bits: JSON allows them, orjson does not write them.
        return json.dumps(value, ensure_ascii=False)


def bulk_insert(session: Session, model: type[SQLModel], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (keyed as the first) into ``model``'s table; on PostgreSQL by ``COPY``.

    Row-by-row ``INSERT``s cost PostgreSQL a statement each (psycopg pipelines them, but
    still parses, binds and executes every one): with COPY for the four big tables an
    import of 20,000 datasets went from 21.3 to 17.4 s (writing only). Values go through each
    column's own bind processing (JSON, UTC timestamps) as they would in an ``INSERT``.
    Columns left out get their server defaults only, so rows must carry every column
    with a Python-side default.
    """
    if not rows:
        return
    table: Table = model.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        session.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    missing = [c.name for c in table.columns if c.default is not None and c.name not in names]
    if missing:
        raise ValueError(f"rows for {table.name} lack {', '.join(missing)} (Python defaults)")
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    preparer = dialect.identifier_preparer
    columns = ", ".join(preparer.quote(name) for name in names)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [
                    row[name] if process is None else process(row[name])
                    for name, process in zip(names, processors, strict=True)
                ]
            )


Item = TypeVar("Item")


@dataclass(frozen=True)
class Listing(Generic[Item]):
    """One page of a list, and how many items the whole list holds."""

    items: list[Item]
    total: int


def page_slice(items: Sequence[Item], offset: int, limit: int | None) -> Sequence[Item]:
    """The items of one page (all from ``offset`` when ``limit`` is None)."""
    return items[offset:] if limit is None else items[offset : offset + limit]


Processor = Callable[[Any], Any]


# Distinct list lengths whose expansion a plan keeps (page sizes run to 100).
_KEPT_EXPANSIONS = 128


@dataclass(frozen=True)
class _Plan:
    """A statement compiled for one dialect, and how its values are bound and read.

    An ``IN`` list is written out as one placeholder per value. SQLAlchemy renders that
    on every execution (0.1 ms a statement, measured: a third of reading a page of 20
    datasets on SQLite); a plan keeps the rendering for each length of its lists.
    """

    compiled: SQLCompiler
    binds: Mapping[str, Processor]
    results: list[Processor | None] | None  # None: rows as the driver gives them
    lists: tuple[str, ...]  # the expanding parameters (given, or written in the statement)
    expansions: dict[tuple[int, ...], tuple[ExpandedState, dict[str, Processor]]] = field(
        default_factory=dict, compare=False
    )

    @classmethod
    def of(
        cls, compiled: SQLCompiler, dialect: Dialect, results: list[Processor | None] | None
    ) -> _Plan:
        binds: dict[str, Processor] = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                binds[name] = process
        lists = tuple(name for name, bind in compiled.binds.items() if bind.expanding)
        return cls(compiled, binds, results, lists)

    def bound(self, params: Mapping[str, Any]) -> tuple[str, dict[str, Any] | tuple[Any, ...]]:
        """The SQL and the driver's parameters for ``params`` (lists expanded, values bound).

        Parameters are a tuple in the statement's order for a positional driver (SQLite).
        """
        lengths = tuple(
            len(params[name] if name in params else self.compiled.binds[name].value or ())
            for name in self.lists
        )
        kept = self.expansions.get(lengths)
        if kept is None:
            state = self.compiled.construct_expanded_state(dict(params))
            kept = (state, {**self.binds, **state.processors})
            if len(self.expansions) < _KEPT_EXPANSIONS:
                self.expansions[lengths] = kept
        state, processors = kept
        # The kept parameters carry the statement's own values (literals); the call's
        # replace the rest, list items under the names their expansion gave them.
        values = dict(state.parameters)
        for name, value in params.items():
            expanded = state.parameter_expansion.get(name)
            if expanded is None:
                values[name] = value
            else:
                values.update(zip(expanded, value, strict=True))
        for name, value in values.items():
            if name in processors:
                values[name] = processors[name](value)
        if state.positiontup is not None:
            return state.statement, tuple(values[name] for name in state.positiontup)
        return state.statement, values


class ModelRows(Generic[Row]):
    """A built-once SELECT of a model's columns (then any extra values), read lean.

    :func:`fetch_together` returns its rows as ``(instance, *extras)``. The instances are
    built straight from the columns, without the ORM's per-statement work, and belong to
    no session: they are for reading (listings), never for changing and committing.
    """

    def __init__(
        self,
        model: type[Row],
        *extras: ColumnElement[Any],
        where: ColumnElement[bool] | None = None,
        order_by: Sequence[Any] = (),
    ) -> None:
        table: Table = model.__table__  # type: ignore[attr-defined]
        mapper = sqlalchemy_inspect(model)
        self.model = model
        self.keys = tuple(mapper.get_property_by_column(column).key for column in table.columns)
        statement = select_columns(*table.columns, *extras)
        if where is not None:
            statement = statement.where(where)
        self.statement: Select[Any] = statement.order_by(*order_by)
        self._prepared: dict[str, _Plan] = {}
        self._manager: ClassManager[Row] | None = None

    def prepared(self, dialect: Dialect) -> _Plan:
        """The statement compiled for ``dialect``, with its columns' result processors."""
        if dialect.name not in self._prepared:
            self._prepared[dialect.name] = _Plan.of(
                self.statement.compile(dialect=dialect),
                dialect,
                [
                    column.type.dialect_impl(dialect).result_processor(dialect, None)
                    for column in self.statement.selected_columns
                ],
            )
        return self._prepared[dialect.name]

    def instance(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """``(instance, *extras)`` from a row's processed values."""
        if self._manager is None:
            # The ORM configures its mappers before its first query; this is not one.
            configure_mappers()
            self._manager = sqlalchemy_inspect(self.model).class_manager
        width = len(self.keys)
        # What ORM loading does for each row: a new instance, its loaded values in its
        # __dict__ (the instrumented attributes read them from there).
        instance = self._manager.new_instance()
        instance.__dict__.update(zip(self.keys, values[:width], strict=True))
        return (instance, *values[width:])


Fetch = str | ModelRows[Any]


def fetch_together(session: Session, *queries: tuple[Fetch, Mapping[str, Any]]) -> list[list[Any]]:
    """Run ``queries`` in order, in one round trip on PostgreSQL; the rows of each.

    A query is SQL text (PostgreSQL only; its rows as the driver gives them) or a
    :class:`ModelRows` (rows as ``(instance, *extras)``). Each statement through the
    ORM costs a round trip and, measured in a listing on PostgreSQL, about 1 ms of
    Python: four of them cost more than the page's full-text search. Psycopg's pipeline
    mode sends them all at once; parameters and results go through their column types
    as SQLAlchemy's own execution would. An error is raised as SQLAlchemy raises it.
    """
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        return _fetch_one_by_one(connection, queries)
    driver = cast("psycopg.Connection[Any]", connection.connection.driver_connection)
    plans = [
        _Plan.of(text(query).compile(dialect=dialect), dialect, None)
        if isinstance(query, str)
        else query.prepared(dialect)
        for query, _ in queries
    ]
    cursors = []
    try:
        with driver.pipeline():
            for plan, (_, params) in zip(plans, queries, strict=True):
                cursors.append(driver.execute(*plan.bound(params)))
        raw = [
            # A model's query always has rows to fetch; text may be a command (SET).
            cursor.fetchall() if plan.results is not None or cursor.description else []
            for plan, cursor in zip(plans, cursors, strict=True)
        ]
    except dialect.loaded_dbapi.Error as error:
        statements = " ; ".join(str(plan.compiled) for plan in plans)
        raise DBAPIError.instance(statements, None, error, dialect.loaded_dbapi.Error) from error
    results = []
    for (query, _), plan, rows in zip(queries, plans, raw, strict=True):
        if isinstance(query, str) or plan.results is None:
            results.append(rows)
            continue
        results.append([query.instance(_processed(plan.results, row)) for row in rows])
    return results


def _fetch_one_by_one(
    connection: Connection, queries: Sequence[tuple[Fetch, Mapping[str, Any]]]
) -> list[list[Any]]:
    """:func:`fetch_together` on SQLite, where a round trip costs nothing: in turn."""
    dialect = connection.dialect
    driver = cast("sqlite3.Connection", connection.connection.driver_connection)
    results: list[list[Any]] = []
    for query, params in queries:
        if isinstance(query, str):
            raise ValueError("SQL text is fetched together only on PostgreSQL")
        plan = query.prepared(dialect)
        statement, values = plan.bound(params)
        try:
            rows = driver.execute(statement, values).fetchall()
        except sqlite3.Error as error:
            raise DBAPIError.instance(statement, values, error, sqlite3.Error) from error
        assert plan.results is not None  # noqa: S101 # a model's query reads its columns
        results.append([query.instance(_processed(plan.results, row)) for row in rows])
    return results


def _processed(processors: Sequence[Processor | None], row: Sequence[Any]) -> list[Any]:
    return [value if p is None else p(value) for p, value in zip(processors, row, strict=True)]


class RowsPerDataset(Generic[Row]):
    """Rows of a table with a ``dataset_id``, for several datasets at once, by dataset.

    The statement is built once: listings run it on every page, and building a
    statement and its cache key cost about as much as running it on SQLite.
    :attr:`lean` is the same query for :func:`fetch_together`.
    """

    def __init__(self, model: type[Row], *order_by: Any) -> None:
        dataset_id = model.__table__.c.dataset_id  # type: ignore[attr-defined]
        in_ids = dataset_id.in_(bindparam("ids", expanding=True))
        self.statement = select(model).where(in_ids).order_by(*order_by)
        self.lean = ModelRows(model, where=in_ids, order_by=order_by)

    def __call__(
        self, session: Session, dataset_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[Row]]:
        """Every given dataset's rows in order (an empty list where it has none)."""
        ids = list(dict.fromkeys(dataset_ids))
        if not ids:
            return {}
        return self.grouped(ids, session.exec(self.statement, params={"ids": ids}).all())

    @staticmethod
    def grouped(
        dataset_ids: Sequence[uuid.UUID], rows: Iterable[Row]
    ) -> dict[uuid.UUID, list[Row]]:
        """``rows`` by dataset, in order (an empty list for a dataset without any)."""
        found: dict[uuid.UUID, list[Row]] = {i: [] for i in dataset_ids}
        for row in rows:
            found[row.dataset_id].append(row)  # type: ignore[attr-defined]
        return found


def create_db_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = 5,
    writer_wait: float = WRITER_WAIT_SECONDS,
) -> Engine:
    """Create an engine for ``url`` with the settings each backend needs.

    ``writer_wait`` is how long, in seconds, a writing session waits for the writers' lock.
    """
    parsed = make_url(url)
    json_options: dict[str, Any] = {"json_serializer": json_text, "json_deserializer": orjson.loads}
    if parsed.get_backend_name() == "sqlite":
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}, **json_options}
        if parsed.database in (None, "", ":memory:"):
            kwargs["poolclass"] = StaticPool
        else:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, **kwargs)
        _configure_sqlite(engine, writer_wait)
        _refuse_unfit_values(engine)
        return engine
    engine = create_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        pool_pre_ping=True,
        max_overflow=pool_size * 2,
        **json_options,
    )
    _configure_postgresql(engine, writer_wait)
    _refuse_unfit_values(engine)
    return engine


def _refuse_unfit_values(engine: Engine) -> None:
    """Make a value the database cannot hold an :class:`InvalidMetadata`, not a crash.

    Validation keeps such values out (lengths, ranges, NUL...); this is the net below
    it, for a column limit a check does not know of yet: the driver's data errors
    (SQLSTATE class 22: too long, out of range, malformed) and integers beyond what
    SQLite binds. The caller gets a 422 naming the problem; the statement's text and
    parameters stay in the log.
    """

    @event.listens_for(engine, "handle_error")
    def _unfit(context: Any) -> None:
        original = context.original_exception
        data_error = getattr(context.dialect.dbapi, "DataError", ())
        if isinstance(original, OverflowError | data_error):
            reason = str(original).splitlines()[0] if str(original) else type(original).__name__
            raise InvalidMetadata(f"a value does not fit the catalog's database: {reason}", [])


@event.listens_for(Session, "before_flush")
def _refuse_overlong_text(session: Session, _context: Any, _instances: Any) -> None:
    """Refuse text longer than its column on every backend, before it is written.

    PostgreSQL enforces ``VARCHAR(n)`` (a data error, which :func:`_refuse_unfit_values`
    turns into a 422); SQLite stores any length, so without this a value the production
    database refuses would be kept by the embedded one. Checks that know the field name
    it for the caller; this is the net for the columns they do not cover.
    """
    for row in (*session.new, *session.dirty):
        table = getattr(type(row), "__table__", None)
        if table is None:
            continue
        loaded = sqlalchemy_inspect(row).dict  # what is in memory: no attribute is loaded
        for column in table.columns:
            limit = getattr(column.type, "length", None)
            value = loaded.get(column.key)
            if limit is not None and isinstance(value, str) and len(value) > limit:
                raise InvalidMetadata(
                    f"a value does not fit the catalog's database: {column.name} holds at"
                    f" most {limit} characters, this one has {len(value)}",
                    [],
                )


class Database:
    """One engine and the sessions made from it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write_engine = engine.execution_options(**{_WRITE_OPTION: True})
        # BEGIN READ ONLY: psycopg puts it in the BEGIN it sends, so it costs no round trip.
        self._read_only_engine = (
            engine.execution_options(postgresql_readonly=True)
            if engine.dialect.name == "postgresql"
            else None
        )

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = 5,
        writer_wait: float = WRITER_WAIT_SECONDS,
    ) -> Database:
        """Build a database from a SQLAlchemy URL (see :func:`create_db_engine`)."""
        return cls(create_db_engine(url, echo=echo, pool_size=pool_size, writer_wait=writer_wait))

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """Build the configured database (``[database]``), as the service and the CLI use it."""
        section = settings.database
        return cls.from_url(
            settings.database_url,
            echo=section.echo,
            pool_size=section.pool_size,
            writer_wait=section.writer_wait_seconds,
        )

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def new_session(self, *, write: bool = False, read_only: bool = False) -> Session:
        """Return a new session; ``write`` sessions take the writers' lock when they begin.

        On PostgreSQL a ``read_only`` session's transactions are read-only: a write in
        one fails, and :func:`end_session` ends them by COMMIT (see there). On SQLite the
        flag changes nothing.
        """
        if write and read_only:
            raise ValueError("a session cannot both write and be read-only")
        if read_only and self._read_only_engine is not None:
            session = Session(self._read_only_engine, expire_on_commit=False)
            session.info[_READ_ONLY_INFO] = True
            return session
        return Session(self._write_engine if write else self.engine, expire_on_commit=False)

    @contextmanager
    def session(self, *, write: bool = False, read_only: bool = False) -> Iterator[Session]:
        """Yield a session that is ended with :func:`end_session` afterwards."""
        session = self.new_session(write=write, read_only=read_only)
        try:
            yield session
        finally:
            end_session(session)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def end_session(session: Session) -> None:
    """Close ``session``: roll back what it did not commit, or commit a read-only one.

    Committing a read-only transaction changes nothing a rollback would not, but psycopg
    deallocates every prepared statement of the connection on each ROLLBACK. Ended by
    COMMIT, a pooled connection keeps them, and a request's statements (the page's
    reads, the lexicon, the facets) are parsed and planned once per connection instead
    of on every request: measured on a search page at 100,000 datasets, 2.2 ms of 23.
    A session holding unflushed changes is rolled back as before: nothing a read-only
    request changed in memory is meant to be written.
    """
    if (
        session.info.get(_READ_ONLY_INFO)
        and session.in_transaction()
        and not (session.new or session.dirty or session.deleted)
    ):
        # A failed commit (a lost connection, say) leaves the rollback to the close below.
        with suppress(DBAPIError):
            session.commit()
    session.close()


def alembic_config(url: str) -> AlembicConfig:
    """Alembic configuration for our migrations folder and ``url``."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_PATH))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def schema_heads(url: str) -> set[str]:
    """The migration heads the code expects."""
    return set(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def check_schema_current(engine: Engine) -> None:
    """Refuse to run on a database whose schema is not at the code's migration heads.

    Raises:
        ConfigurationError: the schema is missing or out of date, naming the fix.
    """
    expected = schema_heads(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current != expected:
        state = "empty" if not current else f"at revision {', '.join(sorted(current))}"
        raise ConfigurationError(
            f"the database schema is {state} but this version of SIMEL Catalog needs "
            f"{', '.join(sorted(expected))}: run `simel db upgrade` to migrate it"
        )


def upgrade_schema(url: str, revision: str = "heads") -> None:
    """Apply migrations up to ``revision`` (all heads by default)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def compare_and_set(session: Session, row: SQLModel, values: dict[str, Any], what: str) -> None:
    """Write ``values`` and the next ``revision`` to ``row`` if nobody changed it since it was read.

    The row's model needs ``id`` and ``revision`` columns. On success ``row`` holds the
    new values (no commit); otherwise the transaction is rolled back.

    Raises:
        Conflict: a concurrent transaction changed the row first (``what`` names it).
    """
    model = type(row)
    changes = {**values, "revision": getattr(row, "revision") + 1}  # noqa: B009
    done = session.execute(
        update(model)
        .where(
            col(getattr(model, "id")) == getattr(row, "id"),  # noqa: B009
            col(getattr(model, "revision")) == getattr(row, "revision"),  # noqa: B009
        )
        .values(**changes)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict(f"the {what} was changed by someone else meanwhile; fetch it and retry")
    for key, value in changes.items():
        setattr(row, key, value)
