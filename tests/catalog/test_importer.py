"""Bulk import: all or nothing."""

from __future__ import annotations

import gc

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from catalog import audit, datasets, importer
from catalog.errors import InvalidMetadata
from catalog.importer import import_datasets
from catalog.models import AuditEvent, Dataset, DatasetRevision
from tests.conftest import SYSTEM, dataset_document


@pytest.fixture(autouse=True)
def _orgs(make_org):
    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")


def count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def test_valid_import_writes_everything_searchable_and_audited(session):
    records = [
        dataset_document(f"ds-{i}", title={"es": f"Migración {i}", "en": f"Migration {i}"})
        for i in range(30)
    ]
    records[0]["status"] = "published"
    report = import_datasets(session, actor=SYSTEM, records=records)
    assert (report.created, report.published) == (30, 1)
    assert count(session, Dataset) == 30
    assert count(session, DatasetRevision) == 30
    page = datasets.search_datasets(session, actor=SYSTEM, text="migracion", limit=100)
    assert page.total == 30
    assert audit.verify_chain(session).ok
    assert count(session, AuditEvent) >= 31


def test_one_bad_record_imports_nothing_and_every_problem_is_reported(session):
    before = count(session, AuditEvent)
    records = [dataset_document(f"ok-{i}") for i in range(5)]
    records.insert(2, {**dataset_document("bad"), "access_rights": "MAYBE"})
    records.append(dataset_document("ok-1"))  # a repeated name
    records.append(dataset_document("no-pub", "nadie"))
    records.append("not an object")
    records.append({**dataset_document("s"), "status": "archived"})
    # PostgreSQL could not store it; refused on SQLite too, so that both agree.
    records.append(dataset_document("nul", version="2024\x00"))
    records.append(dataset_document("backwards", temporal=[{"start": "2024-02-01", "end": "2024"}]))
    reversed_period = [{"start": "2024-02-01", "end": "2023-01-01"}]
    # Every problem of a record is reported, the schema's and the periods' alike.
    records.append(dataset_document("reversed", temporal=reversed_period, access_rights="X"))
    profile = dataset_document()["labour_migration"]
    records.append(dataset_document("frac", labour_migration={**profile, "num_series": 3.0}))
    with pytest.raises(InvalidMetadata) as caught:
        import_datasets(session, actor=SYSTEM, records=records)
    pointers = [error.pointer for error in caught.value.errors]
    assert pointers == [
        "/2/access_rights",
        "/6/name",
        "/7/publisher",
        "/8",
        "/9/status",
        "/10/version",
        "/11/temporal/0/end",
        "/12/access_rights",
        "/12/temporal/0/end",
        "/13/labour_migration/num_series",
    ]
    assert "NUL" in caught.value.errors[5].detail
    assert "must not be before the start" in caught.value.errors[8].detail
    assert "9 of 14 records" in caught.value.detail
    assert count(session, Dataset) == 0
    assert count(session, AuditEvent) == before


def search_rows(session):
    table = "dataset_search" if session.get_bind().dialect.name == "postgresql" else "dataset_fts"
    indexed = session.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    counted = session.execute(text("SELECT sum(dataset_count) FROM search_facet")).scalar()
    return indexed, counted or 0


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of three records, validated by worker processes from the second chunk on."""
    monkeypatch.setattr(importer, "_CHUNK", 3)
    monkeypatch.setattr(importer, "_PARALLEL_FROM", 4)


@pytest.fixture
def written(monkeypatch):
    """The sizes of the chunks the importer writes, in order."""
    sizes = []
    real_write = importer._Writer.write
    monkeypatch.setattr(
        importer._Writer,
        "write",
        lambda self, chunk: sizes.append(len(chunk)) or real_write(self, chunk),
    )
    return sizes


def test_chunks_are_written_while_later_ones_are_validated(session, small_chunks, written):
    records = [dataset_document(f"lote-{i}") for i in range(10)]
    report = import_datasets(session, actor=SYSTEM, records=records)
    assert report.created == 10
    assert written == [3, 3, 3, 1]
    assert search_rows(session) == (10, 10)
    page = datasets.search_datasets(session, actor=SYSTEM, text="encuesta", limit=100)
    assert {d.name for d in page.datasets} == {f"lote-{i}" for i in range(10)}


def test_a_bad_record_after_written_chunks_takes_them_all_back(session, small_chunks, written):
    before = count(session, AuditEvent)
    records = [dataset_document(f"lote-{i}") for i in range(10)]
    records[7]["themes"] = ["no-such-theme"]
    records[9] = dataset_document("lote-0")
    with pytest.raises(InvalidMetadata) as caught:
        import_datasets(session, actor=SYSTEM, records=records)
    assert written == [3, 3]  # the third chunk held the first problem
    assert [e.pointer for e in caught.value.errors] == ["/7/themes/0", "/9/name"]
    assert (count(session, Dataset), count(session, DatasetRevision)) == (0, 0)
    assert count(session, AuditEvent) == before
    assert search_rows(session) == (0, 0)
    # The session goes on: the same records, mended, import.
    records[7]["themes"] = ["employment"]
    records[9] = dataset_document("lote-9")
    assert import_datasets(session, actor=SYSTEM, records=records).created == 10


def test_a_failing_write_leaves_nothing_behind(session, small_chunks, monkeypatch):
    calls = []
    real_write = importer._Writer.write

    def failing(self, chunk):
        calls.append(len(chunk))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real_write(self, chunk)

    monkeypatch.setattr(importer._Writer, "write", failing)
    records = [dataset_document(f"lote-{i}") for i in range(10)]
    with pytest.raises(RuntimeError, match="disk full"):
        import_datasets(session, actor=SYSTEM, records=records)
    assert count(session, Dataset) == 0
    assert search_rows(session) == (0, 0)


def test_the_cycle_collector_is_paused_only_while_importing(session, monkeypatch):
    seen = []
    real_write = importer._Writer.write
    monkeypatch.setattr(
        importer._Writer, "write", lambda *args: seen.append(gc.isenabled()) or real_write(*args)
    )
    import_datasets(session, actor=SYSTEM, records=[dataset_document("ds-gc")])
    assert seen == [False]
    assert gc.isenabled()
    with pytest.raises(InvalidMetadata):
        import_datasets(session, actor=SYSTEM, records=[{"name": "broken"}])
    assert gc.isenabled()
    gc.disable()
    try:
        import_datasets(session, actor=SYSTEM, records=[dataset_document("ds-gc-2")])
        assert not gc.isenabled()  # a caller's own setting is left as it was
    finally:
        gc.enable()


def test_names_already_in_the_catalog_are_refused(session, make_dataset):
    make_dataset("ds-1")
    with pytest.raises(InvalidMetadata) as caught:
        import_datasets(
            session, actor=SYSTEM, records=[dataset_document("ds-0"), dataset_document("ds-1")]
        )
    assert [e.pointer for e in caught.value.errors] == ["/1/name"]
    assert count(session, Dataset) == 1


def test_input_must_be_a_list(session):
    with pytest.raises(InvalidMetadata, match="JSON list"):
        import_datasets(session, actor=SYSTEM, records={"name": "x"})


def test_a_steward_imports_only_for_their_organization(session, make_user):
    from catalog import accounts

    user, _ = make_user("ana", steward="mintrab-gt")
    actor = accounts.user_principal(session, user)
    with pytest.raises(InvalidMetadata) as caught:
        import_datasets(
            session, actor=actor, records=[dataset_document("a"), dataset_document("b", "stps-mx")]
        )
    assert [e.pointer for e in caught.value.errors] == ["/1/publisher"]


def test_distributions_in_a_record_are_reported_not_dropped(session):
    csv = {"title": {"es": "CSV"}, "download_url": "https://mintrab.gob.gt/permisos.csv"}
    records = [dataset_document("ok"), {**dataset_document("with-files"), "distributions": [csv]}]
    with pytest.raises(InvalidMetadata) as caught:
        import_datasets(session, actor=SYSTEM, records=records)
    assert [error.pointer for error in caught.value.errors] == ["/1/distributions"]
    assert count(session, Dataset) == 0
    records[1]["distributions"] = []
    assert import_datasets(session, actor=SYSTEM, records=records).created == 2
