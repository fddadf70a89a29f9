"""The metadata quality score (docs/metadata-quality.md)."""

from __future__ import annotations

from sqlmodel import select

from catalog import distributions, quality
from catalog.models import Dataset
from tests.conftest import SYSTEM, dataset_document

CSV = {
    "title": {"es": "Cuadros"},
    "download_url": "https://example.org/a.csv",
    "format": "CSV",
    "media_type": "text/csv",
    "license": "https://creativecommons.org/licenses/by/4.0/",
    "rights": {"es": "Cítese la fuente"},
    "byte_size": 10,
}


def test_maximum_and_dimensions():
    assert quality.MAX_SCORE == 375
    empty = quality.assess({}, [], issued=False)
    maxima = {name: empty.dimension(name)[1] for name in quality.DIMENSIONS}
    assert maxima == {
        "findability": 100,
        "accessibility": 100,
        "interoperability": 80,
        "reusability": 75,
        "contextuality": 20,
    }
    assert empty.score == 5  # every record has a modification date
    assert empty.rating == "bad"


def test_a_complete_record_is_excellent():
    result = quality.assess(dataset_document(), [CSV], issued=True)
    assert result.score == quality.MAX_SCORE
    assert result.percent == 100
    assert result.rating == "excellent"
    body = result.to_json()
    assert body["dimensions"]["findability"] == {"score": 100, "max_score": 100}
    assert sum(c["score"] for c in body["checks"]) == body["score"]


def test_distribution_checks_count_in_proportion():
    pdf = {"title": {"es": "Informe"}, "access_url": "https://example.org/r", "format": "PDF"}
    result = quality.assess(dataset_document(), [CSV, pdf], issued=True)
    checks = {c.name: c.points for c in result.checks}
    assert checks["download_url"] == 25  # one of two
    assert checks["licence"] == 10
    assert checks["machine_readable"] == 10
    assert checks["non_proprietary"] == 20  # PDF is an open format
    assert checks["access_url"] == 50


def test_gateway_files_have_access_and_public_ones_a_download():
    held = {"title": {"es": "x"}, "storage_key": "public/a.csv", "format": "CSV"}
    gated = {**held, "storage_key": "restricted/a.csv", "restricted": True}
    checks = {c.name: c.points for c in quality.assess({}, [held, gated], issued=False).checks}
    assert checks["access_url"] == 50
    assert checks["download_url"] == 25


def test_restricted_distributions_have_access_but_no_download_even_awaiting_their_file():
    awaiting = {"title": {"es": "x"}, "restricted": True, "format": "CSV"}
    linked = {**awaiting, "download_url": "https://example.org/a.csv"}
    checks = {c.name: c.points for c in quality.assess({}, [awaiting, linked], issued=False).checks}
    assert checks["access_url"] == 50
    assert checks["download_url"] == 0


def test_ratings_follow_the_mqa_bands():
    assert quality.rating_for(351, 405) == "excellent"
    assert quality.rating_for(350, 405) == "good"
    assert quality.rating_for(221, 405) == "good"
    assert quality.rating_for(220, 405) == "sufficient"
    assert quality.rating_for(120, 405) == "bad"


def test_the_stored_score_follows_every_write(session, make_org, make_dataset, settings):
    make_org("mintrab-gt")
    dataset = make_dataset("enei-2024", publish=False)
    draft_score = dataset.quality_score
    assert draft_score == quality.assess(dataset.document, [], issued=False).score
    distributions.add_distribution(
        session,
        actor=SYSTEM,
        name="enei-2024",
        document=CSV,
        storage_root=settings.storage_path,
    )
    with_file = session.get(Dataset, dataset.id).quality_score
    assert with_file > draft_score
    from catalog import datasets

    published = datasets.publish_dataset(session, actor=SYSTEM, name="enei-2024")
    assert published.quality_score == with_file + 5 == quality.MAX_SCORE
    assert stored_points(published) == {
        name: quality.assess({}, [], issued=False).dimension(name)[1] for name in quality.DIMENSIONS
    }


def stored_points(dataset: Dataset) -> dict[str, int]:
    return {name: getattr(dataset, f"quality_{name}") for name in quality.DIMENSIONS}


def test_catalog_quality_is_the_mean(session, make_org, make_dataset):
    make_org("mintrab-gt")
    a_dataset = make_dataset("a")
    b_dataset = make_dataset("b", keywords={}, themes=[])
    make_dataset("draft", publish=False)
    from catalog.principals import Principal

    result = quality.catalog_quality_for(session, actor=Principal.anonymous())
    assert result["datasets"] == 2
    a = quality.assess(dataset_document("a"), [], issued=True).score
    b = quality.assess(dataset_document("b", keywords={}, themes=[]), [], issued=True).score
    assert result["score"] == round((a + b) / 2, 1)
    assert sum(result["by_rating"].values()) == 2
    assert result == quality.catalog_quality(
        quality.assess(d.document, [], issued=True) for d in (a_dataset, b_dataset)
    )
    empty = quality.catalog_quality([])
    assert empty["datasets"] == 0
    assert empty["rating"] is None


def test_catalog_quality_counts_what_the_caller_sees_listed(
    session, make_org, make_dataset, make_user, settings
):
    """Sums in the database agree with scoring each listed dataset, rating by rating."""
    from catalog import accounts, datasets
    from catalog.principals import Principal

    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")
    shapes = [{}, {"keywords": {}}, {"themes": [], "keywords": {}, "spatial": None}]
    for number, shape in enumerate(shapes):
        make_dataset(f"gt-{number}", **{k: v for k, v in shape.items() if v is not None})
    distributions.add_distribution(
        session, actor=SYSTEM, name="gt-0", document=CSV, storage_root=settings.storage_path
    )
    make_dataset("gt-draft", publish=False, keywords={})
    make_dataset("mx-draft", "stps-mx", publish=False)
    make_dataset("mx-gone", "stps-mx")
    datasets.withdraw_dataset(session, actor=SYSTEM, name="mx-gone", reason="Duplicada")
    _, token = make_user("ana", steward="mintrab-gt")

    def expected(names: list[str]) -> dict[str, object]:
        rows = [session.exec(select(Dataset).where(Dataset.name == n)).one() for n in names]
        return quality.catalog_quality(
            quality.assess(
                d.document,
                [x.document for x in distributions.distributions_of(session, [d.id])[d.id]],
                issued=d.issued is not None,
            )
            for d in rows
        )

    published = ["gt-0", "gt-1", "gt-2"]
    anonymous = quality.catalog_quality_for(session, actor=Principal.anonymous())
    assert anonymous == expected(published)
    assert len({rating for rating, n in anonymous["by_rating"].items() if n}) > 1
    steward = quality.catalog_quality_for(
        session, actor=accounts.authenticate_api_token(session, token)
    )
    assert steward == expected([*published, "gt-draft"])
    auditor = quality.catalog_quality_for(session, actor=SYSTEM)
    assert auditor == expected([*published, "gt-draft", "mx-draft"])
