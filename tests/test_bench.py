"""The benchmark helpers stay valid: generated catalogs, and the README section."""

from __future__ import annotations

from sqlmodel import func, select

from bench import dcat_export
from bench.generate import generate_datasets, generate_distributions, load_catalog
from catalog import datasets as catalog_datasets
from catalog import distributions as catalog_distributions
from catalog import quality
from catalog.db import Database
from catalog.models import Dataset, Distribution
from catalog.validation import dataset_document_errors, distribution_document_errors
from tests.conftest import SYSTEM


def test_generated_documents_are_valid_and_reproducible():
    documents = list(generate_datasets(300))
    assert len({d["name"] for d in documents}) == 300
    # Records carry their governance records beside the document (as imports do).
    governance = {"legal_bases", "policy"}
    records = [{k: v for k, v in d.items() if k not in governance} for d in documents]
    assert all(dataset_document_errors(record) == [] for record in records)
    assert all(
        distribution_document_errors(item) == []
        for d in documents
        for item in generate_distributions(d)
    )
    assert list(generate_datasets(5)) == documents[:5]


def test_load_catalog(session):
    load_catalog(session, 40)
    datasets = session.exec(select(Dataset)).all()
    assert len(datasets) == 40
    assert all(d.status == "published" and d.quality_score > 0 for d in datasets)
    assert len(session.exec(select(Distribution)).all()) >= 40
    # Scored with their distributions, everywhere the score is kept.
    for dataset in datasets:
        dists = [
            d.document
            for d in catalog_distributions.distributions_of(session, [dataset.id])[dataset.id]
        ]
        assessed = quality.assess(dataset.document, dists, issued=True)
        assert {c: getattr(dataset, c) for c in quality.stored_columns(assessed)} == (
            quality.stored_columns(assessed)
        )
    by_quality = catalog_datasets.search_datasets(session, actor=SYSTEM, sort="quality", limit=40)
    found = catalog_datasets.search_datasets(
        session, actor=SYSTEM, text="migracion", sort="quality", limit=40
    )
    assert found.total > 0
    assert [d.name for d in found.datasets] == [
        d.name for d in by_quality.datasets if d in found.datasets
    ]


def test_the_readme_section_is_replaced_in_place(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n\n## Search\n\nkept\n", encoding="utf-8")
    figures = {
        "datasets": 10,
        "ours": {"seconds": 1.0, "peak_rss_mb": 100.0, "baseline_rss_mb": 80.0},
        "rdflib": {
            "seconds": 2.0,
            "build_seconds": 1.0,
            "triples": 900,
            "peak_rss_mb": 120.0,
            "baseline_rss_mb": 80.0,
        },
        "rdflib_batches": {
            "seconds": 1.5,
            "total_seconds": 2.0,
            "peak_rss_mb": 110.0,
            "baseline_rss_mb": 80.0,
        },
        "ratio": 0.5,
        "ratio_batches": 0.67,
        "ours_bytes": 1000,
        "rdflib_bytes": 1100,
        "python": "3.11",
        "rdflib_version": "7",
        "cpus": 2,
        "machine": "x86_64",
        "date": "2026-01-01",
    }
    dcat_export.write_readme(figures, readme)
    dcat_export.write_readme({**figures, "ratio": 0.25}, readme)
    text = readme.read_text(encoding="utf-8")
    assert text.count("## DCAT export") == 1
    assert "kept" in text
    assert "ours / rdflib = 0.25" in text


def test_the_search_benchmark_lists_datasets_with_distributions(database_url, tmp_path):
    from bench import search

    search._load(database_url, 30, tmp_path)
    figures = search._measure(database_url, tmp_path, repeat=1)
    assert figures["api_p50_ms"] > 0
    database = Database.from_url(database_url)
    with database.session() as session:
        counts = session.exec(
            select(Distribution.dataset_id, func.count()).group_by(Distribution.dataset_id)
        ).all()
        assert len(counts) == 30
        assert all(1 <= count <= 3 for _, count in counts)
        listed = catalog_datasets.search_datasets(session, actor=SYSTEM, limit=30, details=True)
        assert all(listed.distributions[d.id] for d in listed.datasets)
    database.dispose()
