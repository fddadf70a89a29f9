"""The search index's maintained facet counts always equal a recount of the datasets."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import text
from sqlmodel import select

from catalog import datasets
from catalog.importer import import_datasets
from catalog.models import Dataset, Organization
from tests.conftest import SYSTEM, dataset_document


def recount(session):
    """Facet counts computed the slow way, from the dataset rows themselves."""
    orgs = {o.id: o.name for o in session.exec(select(Organization)).all()}
    counts = {name: Counter() for name in ("publisher", "country", "theme", "status")}
    for d in session.exec(select(Dataset)).all():
        counts["publisher"][orgs[d.publisher_id]] += 1
        counts["country"][d.country] += 1
        counts["status"][d.status] += 1
        for theme in d.document.get("themes", []):
            counts["theme"][theme] += 1
    return counts


def assert_counts_are_true(session):
    page = datasets.search_datasets(
        session, actor=SYSTEM, filters={"status": ["draft", "published", "withdrawn"]}
    )
    expected = recount(session)
    for name, counter in expected.items():
        assert page.facets[name] == dict(counter), name
    stored = session.execute(text("SELECT sum(dataset_count) FROM search_facet")).scalar() or 0
    assert stored == sum(expected["status"].values())
    negative = session.execute(text("SELECT count(*) FROM search_facet WHERE dataset_count < 0"))
    assert negative.scalar() == 0


def test_counts_follow_every_change(session, make_org, make_dataset):
    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")
    make_dataset("a", "mintrab-gt", publish=False)
    make_dataset("b", "mintrab-gt", themes=["employment", "labour-migration"])
    make_dataset("c", "stps-mx", themes=["labour-migration"])
    assert_counts_are_true(session)
    datasets.publish_dataset(session, actor=SYSTEM, name="a")
    datasets.update_dataset(
        session,
        actor=SYSTEM,
        name="b",
        document=dataset_document("b", "mintrab-gt", themes=["informality"]),
        if_match=1,
    )
    datasets.withdraw_dataset(session, actor=SYSTEM, name="c", reason="superseded")
    make_dataset("d", "stps-mx", publish=False)
    datasets.delete_draft(session, actor=SYSTEM, name="d")
    assert_counts_are_true(session)
    import_datasets(
        session,
        actor=SYSTEM,
        records=[dataset_document(f"i-{n}", "stps-mx", themes=["employment"]) for n in range(25)],
    )
    assert_counts_are_true(session)


def test_a_rolled_back_change_leaves_the_counts_alone(session, make_org, make_dataset):
    make_org("mintrab-gt")
    make_dataset("a", "mintrab-gt")
    before = recount(session)
    dataset = session.exec(select(Dataset).where(Dataset.name == "a")).one()
    dataset.document = {**dataset.document, "themes": ["child-labour"]}
    datasets.reindex(session, [dataset])
    session.rollback()
    assert recount(session) == before
    assert_counts_are_true(session)
