"""Migrations from empty, and the refusal to run on an outdated schema."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session, select

from api.app import create_app
from catalog import datasets, distributions, organizations, quality
from catalog.db import (
    Database,
    alembic_config,
    check_schema_current,
    schema_heads,
    upgrade_schema,
)
from catalog.errors import ConfigurationError
from catalog.models import Dataset, Distribution
from catalog.settings import load_settings
from tests.conftest import SYSTEM, dataset_document, scratch_postgres_database


@pytest.fixture
def empty_sqlite(tmp_path):
    return f"sqlite:///{tmp_path / 'empty.db'}"


def test_upgrade_from_empty_creates_every_table(empty_sqlite):
    upgrade_schema(empty_sqlite)
    engine = create_engine(empty_sqlite)
    tables = set(inspect(engine).get_table_names())
    check_schema_current(engine)
    engine.dispose()
    assert {
        "organization",
        "user_account",
        "membership",
        "api_token",
        "dataset",
        "dataset_revision",
        "dataset_theme",
        "distribution",
        "audit_event",
        "dataset_fts",
        "oauth_client",
        "oauth_token",
        "oauth_authorization_code",
        "user_session",
    } <= tables


def test_downgrade_to_base_and_back(empty_sqlite):
    upgrade_schema(empty_sqlite)
    command.downgrade(alembic_config(empty_sqlite), "base")
    engine = create_engine(empty_sqlite)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    upgrade_schema(empty_sqlite)


def test_postgres_schema_is_current(database_template, backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL run only")
    engine = create_engine(database_template)
    check_schema_current(engine)
    assert "dataset_search" in inspect(engine).get_table_names()
    engine.dispose()


def test_app_refuses_an_empty_database(empty_sqlite, tmp_path):
    settings = load_settings(
        {"database": {"url": empty_sqlite}, "app": {"instance_path": str(tmp_path / "i")}},
        environ={},
    )
    with pytest.raises(ConfigurationError, match="simel db upgrade"):
        create_app(settings=settings)


def test_app_refuses_an_outdated_schema(empty_sqlite, tmp_path):
    upgrade_schema(empty_sqlite)
    engine = create_engine(empty_sqlite)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'older'")
    settings = load_settings(
        {"database": {"url": empty_sqlite}, "app": {"instance_path": str(tmp_path / "i")}},
        environ={},
    )
    with pytest.raises(ConfigurationError) as caught:
        create_app(settings=settings)
    assert "older" in caught.value.detail
    assert "simel db upgrade" in caught.value.detail
    engine.dispose()


def test_single_head():
    assert len(schema_heads("sqlite://")) == 1


def test_models_match_the_migrations(database_template):
    """The tables the code declares are exactly the tables the migrations build."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    import catalog.models  # noqa: F401

    engine = create_engine(database_template)
    with engine.connect() as conn, warnings.catch_warnings():
        # SQLite's reflection skips indexes on expressions (ix_audit_event_agreement,
        # built by its migration for the query that uses it), and says so.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    # Built by hand, not from models: the search index tables (FTS5 / tsvector) and the
    # index on an expression that catalog.db.json_field writes.
    by_hand = ("dataset_fts", "dataset_search", "search_facet", "search_word")
    by_hand += ("ix_audit_event_agreement",)
    unexpected = [d for d in differences if not any(t in str(d) for t in by_hand)]
    assert unexpected == []


def test_oauth_migration_downgrades_to_the_core(empty_sqlite):
    upgrade_schema(empty_sqlite)
    command.downgrade(alembic_config(empty_sqlite), "0001_core")
    engine = create_engine(empty_sqlite)
    inspector = inspect(engine)
    assert "oauth_token" not in inspector.get_table_names()
    assert "failed_login_count" not in {c["name"] for c in inspector.get_columns("user_account")}
    engine.dispose()
    upgrade_schema(empty_sqlite)


def test_search_migrations_rebuild_from_existing_documents(backend):
    """0007 and 0008 on PostgreSQL: documents lose their unaskable compounds, keep their
    words, and the lexicon is filled from them."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL run only")
    with scratch_postgres_database(os.environ["SIMEL_TEST_DATABASE_URL"]) as url:
        upgrade_schema(url)
        database = Database.from_url(url)
        with database.session(write=True) as session:
            _labour_ministry(session)
            datasets.create_dataset(
                session, actor=SYSTEM, document=dataset_document("asistencia-consular")
            )
            session.commit()
        # Back to the documents and tables of 0006, compounds included.
        command.downgrade(alembic_config(url), "0006_sharing")
        with database.session(write=True) as session:
            session.execute(
                text(
                    "UPDATE dataset_search SET document = document"
                    " || 'asistencia-consular'::tsvector || 'v1.0'::tsvector"
                )
            )
            session.commit()
        upgrade_schema(url)
        with database.session() as session:
            lexemes = set(
                session.execute(text("SELECT lexeme FROM dataset_search, unnest(document)"))
                .scalars()
                .all()
            )
            lexicon = set(session.execute(text("SELECT word FROM search_word")).scalars().all())
            found = datasets.search_datasets(session, actor=SYSTEM, text="asistencia consul")
            indexes = {
                index["name"]
                for index in inspect(session.connection()).get_indexes("dataset_search")
            }
        database.dispose()
    assert {"asistencia", "consular"} <= lexemes
    assert not {"asistencia-consular", "v1.0"} & lexemes
    assert lexicon == lexemes
    assert [d.name for d in found.datasets] == ["asistencia-consular"]
    assert "ix_dataset_search_combo" in indexes


def test_quality_migration_scores_existing_datasets(backend, empty_sqlite, tmp_path):
    """0009 stores every existing dataset's points per dimension, distributions included."""
    with (
        _small_catalog_down_and_up(backend, empty_sqlite, tmp_path, "0008_search_lexicon") as (
            database
        ),
        database.session() as session,
    ):
        stored = {
            d.name: {n: getattr(d, f"quality_{n}") for n in quality.DIMENSIONS}
            for d in session.exec(select(Dataset)).all()
        }
        expected = {
            d.name: {
                n: quality.assess(
                    d.document,
                    [x.document for x in distributions.distributions_of(session, [d.id])[d.id]],
                    issued=True,
                ).dimension(n)[0]
                for n in quality.DIMENSIONS
            }
            for d in session.exec(select(Dataset)).all()
        }
    assert stored == expected
    assert stored["enei-2024"]["accessibility"] > stored["enei-2023"]["accessibility"] == 0


def _scratch(backend: str, empty_sqlite: str) -> AbstractContextManager[str]:
    if backend == "postgresql":
        return scratch_postgres_database(os.environ["SIMEL_TEST_DATABASE_URL"])
    return nullcontext(empty_sqlite)


@contextmanager
def _small_catalog_down_and_up(
    backend: str, empty_sqlite: str, storage: Path, revision: str
) -> Iterator[Database]:
    """A scratch database holding :func:`_small_catalog`, migrated down to ``revision``
    and up again."""
    with _scratch(backend, empty_sqlite) as url:
        upgrade_schema(url)
        database = Database.from_url(url)
        try:
            _small_catalog(database, storage)
            command.downgrade(alembic_config(url), revision)
            upgrade_schema(url)
            yield database
        finally:
            database.dispose()


def _labour_ministry(session: Session) -> None:
    organizations.create_organization(
        session,
        actor=SYSTEM,
        data={
            "name": "mintrab-gt",
            "acronym": "MINTRAB",
            "title": {"es": "Ministerio de Trabajo", "en": "Ministry of Labour"},
            "country": "GTM",
            "kind": "labour-ministry",
        },
    )


def _small_catalog(database: Database, storage: Path) -> None:
    """Two published datasets, ``enei-2024`` with a distribution."""
    with database.session(write=True) as session:
        _labour_ministry(session)
        for name in ("enei-2024", "enei-2023"):
            datasets.create_dataset(
                session, actor=SYSTEM, document=dataset_document(name), publish=True
            )
        distributions.add_distribution(
            session,
            actor=SYSTEM,
            name="enei-2024",
            document={"title": {"es": "Cuadros"}, "download_url": "https://example.org/a.csv"},
            storage_root=storage,
        )
        session.commit()


def test_rebuilding_the_dataset_table_keeps_the_rows_under_it(backend, empty_sqlite, tmp_path):
    """On SQLite, changing the dataset table's columns rebuilds it (0003's downgrade does).
    Distributions, revisions and themes cascade from it and must all survive."""
    counts = (
        "SELECT (SELECT count(*) FROM distribution), (SELECT count(*) FROM dataset_revision),"
        " (SELECT count(*) FROM dataset_theme)"
    )
    with _scratch(backend, empty_sqlite) as url:
        upgrade_schema(url)
        database = Database.from_url(url)
        _small_catalog(database, tmp_path)
        with database.session() as session:
            before = session.execute(text(counts)).one()
        command.downgrade(alembic_config(url), "0002_oauth")
        upgrade_schema(url)
        with database.session() as session:
            after = session.execute(text(counts)).one()
        database.dispose()
    assert before[0] == 1
    assert after == before


def test_sort_keys_migration_fills_the_index(backend, empty_sqlite, tmp_path):
    """0010 copies each dataset's sort keys into the search index, in the form later
    writes use: sorted matches agree with sorted datasets, old and new together."""
    with _small_catalog_down_and_up(
        backend, empty_sqlite, tmp_path, "0009_quality_dimensions"
    ) as database:
        with database.session(write=True) as session:
            datasets.create_dataset(
                session, actor=SYSTEM, document=dataset_document("enei-2025"), publish=True
            )
            session.commit()
        with database.session() as session:
            orders = {
                sort: (
                    datasets.search_datasets(session, actor=SYSTEM, text="enei", sort=sort),
                    datasets.search_datasets(session, actor=SYSTEM, sort=sort),
                )
                for sort in ("modified", "title", "name", "quality")
            }
    for sort, (found, browsed) in orders.items():
        assert len(found.datasets) == 3
        assert [d.name for d in found.datasets] == [d.name for d in browsed.datasets], sort
    assert orders["modified"][0].datasets[0].name == "enei-2025"
    assert orders["quality"][0].datasets[0].name == "enei-2024"


def test_file_time_migration_dates_held_files_from_their_distribution(
    backend, empty_sqlite, tmp_path
):
    """0011: a distribution holding a file counts it as made when the distribution was."""
    key = "mintrab-gt/restricted/enei-2024/extracto.csv"
    (tmp_path / key).parent.mkdir(parents=True)
    (tmp_path / key).write_text("id\n1\n", encoding="utf-8")
    with _scratch(backend, empty_sqlite) as url:
        upgrade_schema(url)
        database = Database.from_url(url)
        try:
            _small_catalog(database, tmp_path)
            with database.session(write=True) as session:
                distributions.add_distribution(
                    session,
                    actor=SYSTEM,
                    name="enei-2024",
                    document={"title": {"es": "Extracto"}, "storage_key": key, "restricted": True},
                    storage_root=tmp_path,
                )
                session.commit()
            command.downgrade(alembic_config(url), "0010_search_sort_keys")
            upgrade_schema(url)
            with database.session() as session:
                rows = session.exec(select(Distribution)).all()
                times = {(d.storage_key, d.file_replaced_at == d.created) for d in rows}
                assert {d.file_replaced_at for d in rows if d.storage_key is None} == {None}
        finally:
            database.dispose()
    assert (key, True) in times
