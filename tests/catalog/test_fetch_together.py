"""Lean reads (catalog.db.fetch_together): what the ORM would load, in one round trip."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import bindparam, exists
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from catalog import datasets, distributions, readiness
from catalog.db import JSONDocument, ModelRows, fetch_together
from catalog.models import Dataset, Distribution, LegalBasis, Organization
from tests.conftest import SYSTEM, legal_basis_document


def _columns(instance: object, model: type) -> dict[str, object]:
    return {column.key: getattr(instance, column.key) for column in model.__table__.columns}


def test_instances_hold_what_the_orm_loads(session, make_org, make_dataset):
    make_org("mintrab-gt")
    first = make_dataset("enei-2024", "mintrab-gt", legal_basis=legal_basis_document())
    second = make_dataset("permisos-trabajo-2024", "mintrab-gt")
    session.commit()
    ids = [second.id, first.id]
    with_basis = ModelRows(
        Dataset,
        exists().where(col(LegalBasis.dataset_id) == Dataset.id),
        where=col(Dataset.id).in_(ids),
        order_by=[col(Dataset.name)],
    )

    rows, organizations, bases = fetch_together(
        session,
        (with_basis, {}),
        (ModelRows(Organization), {}),
        (readiness.LEGAL_BASES_OF.lean, {"ids": ids}),
    )

    session.expire_all()
    assert [(row[0].name, bool(row[1])) for row in rows] == [
        ("enei-2024", True),
        ("permisos-trabajo-2024", False),
    ]
    for lean, *_ in rows:
        loaded = session.get(Dataset, lean.id)
        assert _columns(lean, Dataset) == _columns(loaded, Dataset)
        assert lean.modified.tzinfo == dt.UTC  # column types applied, as the ORM does
        assert isinstance(lean.document, dict)
        assert isinstance(lean.id, uuid.UUID)
    (org,) = (org for (org,) in organizations)
    assert _columns(org, Organization) == _columns(session.get(Organization, org.id), Organization)
    (basis,) = (basis for (basis,) in bases)
    assert basis.dataset_id == first.id
    assert _columns(basis, LegalBasis) == _columns(session.get(LegalBasis, basis.id), LegalBasis)
    # Read-only copies: never in the session, so nothing done to them is written.
    assert all(lean not in session for lean, *_ in rows)


def test_rows_per_dataset_group_lean_rows_like_the_orm(session, settings, make_org, make_dataset):
    make_org("mintrab-gt")
    dataset = make_dataset("enei-2024", "mintrab-gt")
    other = make_dataset("permisos-trabajo-2024", "mintrab-gt")
    for title, url in (("Tabulados", "tabulados.xlsx"), ("Microdatos", "microdatos.csv")):
        distributions.add_distribution(
            session,
            actor=SYSTEM,
            name="enei-2024",
            document={"title": {"es": title}, "download_url": f"https://ine.gob.gt/{url}"},
            storage_root=settings.storage_path,
        )
    session.commit()
    ids = [dataset.id, other.id]
    by_orm = datasets.DISTRIBUTIONS_OF(session, ids)
    (rows,) = fetch_together(session, (datasets.DISTRIBUTIONS_OF.lean, {"ids": ids}))
    by_lean = datasets.DISTRIBUTIONS_OF.grouped(ids, (row for (row,) in rows))
    assert by_lean.keys() == by_orm.keys()
    for dataset_id in ids:
        assert [_columns(d, Distribution) for d in by_lean[dataset_id]] == [
            _columns(d, Distribution) for d in by_orm[dataset_id]
        ]
    assert [d.title for d in by_lean[dataset.id]] == [{"es": "Tabulados"}, {"es": "Microdatos"}]
    assert by_lean[other.id] == []


def test_a_failing_statement_raises_as_sqlalchemy_does(session, backend):
    if backend != "postgresql":
        pytest.skip("SQL text is fetched together on PostgreSQL only")
    with pytest.raises(DBAPIError, match="division by zero"):
        fetch_together(session, (ModelRows(Organization), {}), ("SELECT 1 / 0", {}))


def test_text_is_fetched_together_on_postgresql_only(session, backend):
    if backend == "postgresql":
        ((one,),) = fetch_together(session, ("SELECT 1 AS one", {}))
        assert one == (1,)
    else:
        with pytest.raises(ValueError, match="only on PostgreSQL"):
            fetch_together(session, ("SELECT 1", {}))


def test_instances_work_before_the_orm_ran_any_query():
    # A process whose first read is a listing: the mappers are not configured yet.
    script = (
        "from catalog.db import ModelRows\n"
        "from catalog.models import Organization\n"
        "rows = ModelRows(Organization)\n"
        "values = [None] * len(rows.keys)\n"
        "values[rows.keys.index('name')] = 'mintrab-gt'\n"
        "(org,) = rows.instance(values)\n"
        "print(org.name)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "mintrab-gt"


def test_parameters_go_through_their_column_types(session, make_org):
    # A dict bound to a JSON column: the driver adapts it only as the column type says.
    make_org("mintrab-gt")
    org = session.exec(select(Organization)).one()
    by_title = ModelRows(
        Organization, where=col(Organization.title) == bindparam("title", type_=JSONDocument)
    )
    (rows,) = fetch_together(session, (by_title, {"title": org.title}))
    assert [found.name for (found,) in rows] == ["mintrab-gt"]


def test_lists_of_each_length_bind_their_own_values(session, make_org):
    # A plan keeps the rendering of an IN list per length: the values are the call's.
    for name in ("mintrab-gt", "mtps-sv", "stss-hn"):
        make_org(name)
    session.commit()
    ids = {org.name: org.id for org in session.exec(select(Organization)).all()}
    by_ids = ModelRows(
        Organization,
        where=col(Organization.id).in_(bindparam("ids", expanding=True)),
        order_by=[col(Organization.name)],
    )

    def names(*wanted: str) -> list[str]:
        (rows,) = fetch_together(session, (by_ids, {"ids": [ids[name] for name in wanted]}))
        return [org.name for (org,) in rows]

    assert names("mintrab-gt") == ["mintrab-gt"]
    assert names("stss-hn") == ["stss-hn"]
    assert names("stss-hn", "mtps-sv") == ["mtps-sv", "stss-hn"]
    assert names("mintrab-gt", "mtps-sv") == ["mintrab-gt", "mtps-sv"]
    assert names() == []
    assert names("mintrab-gt", "mtps-sv", "stss-hn") == ["mintrab-gt", "mtps-sv", "stss-hn"]
