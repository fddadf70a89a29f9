"""`simel validate`, `simel harvest dcat`, `simel export dcat`."""

from __future__ import annotations

import re

from sqlmodel import select

from catalog.models import Dataset, HarvestRecord
from tests.catalog.test_harvest import FOREIGN
from tests.conftest import BASE_URI
from tests.test_cli import run  # noqa: F401 # the fixture


def test_validate_the_catalog_and_one_dataset(run, make_org, make_dataset):  # noqa: F811
    make_org("mintrab-gt")
    make_dataset("enei-2024")
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert "DCAT-AP 3.0.1 validation of the catalog (1 dataset)" in result.output
    assert "vocabularies" in result.output
    assert "Conforms: no violations." in result.output
    assert re.search(
        r"^Metadata quality of the catalog: \d+(\.\d)? of 375 points \(\d+ %, \w+\) "
        r"over 1 dataset$",
        result.stdout,
        re.MULTILINE,
    ), result.stdout
    assert result.stdout.startswith("DCAT-AP")  # no blank line first
    one = run("validate", "--dataset", "enei-2024", "--details")
    assert one.exit_code == 0, one.output
    assert "warning" in one.output
    assert run("validate", "--dataset", "nope").exit_code == 1


def test_scores_are_written_without_a_needless_fraction():
    from api import cli

    assert (cli._points(340.0), cli._points(312.5), cli._points(375)) == ("340", "312.5", "375")


def test_validate_fails_on_violations(run, make_org, make_dataset, monkeypatch):  # noqa: F811
    from catalog import shacl

    make_org("mintrab-gt")
    make_dataset("enei-2024")
    real = shacl.validate_graph

    def with_a_violation(graph, keys=tuple(shacl.SHAPES)):
        report = real(graph, keys)
        broken = shacl.Finding("base", "violation", "x", "dct:title", None, "dct:title is missing")
        return shacl.ShaclReport(report.files, (broken, *report.findings))

    monkeypatch.setattr(shacl, "validate_graph", with_a_violation)
    result = run("validate")
    assert result.exit_code == 1
    assert "dct:title is missing" in result.output
    assert result.stderr == "1 violation\n"


def test_harvest_a_file_then_again(run, make_org, session, tmp_path):  # noqa: F811
    make_org("mintrab-gt", homepage="https://mintrab.example")
    source = tmp_path / "source.ttl"
    source.write_text(FOREIGN, encoding="utf-8")
    first = run("harvest", "dcat", str(source))
    assert first.exit_code == 2  # one record skipped
    assert "1 created" in first.output
    assert "sin-editor" in first.output
    assert "/publisher" in first.output
    mapped = run(
        "harvest", "dcat", str(source), "--publisher", "https://unknown.example/org=mintrab-gt"
    )
    assert mapped.exit_code == 0, mapped.output
    assert "2 datasets in 1 page; 1 created, 0 updated, 1 unchanged, 0 skipped" in mapped.output
    session.expire_all()
    assert len(session.exec(select(Dataset)).all()) == 2
    assert len(session.exec(select(HarvestRecord)).all()) == 2
    session.rollback()  # let go of SQLite's write lock before the next command
    strict = run("harvest", "dcat", str(source), "--strict", "--format", "turtle")
    assert strict.exit_code == 1  # the unmapped publisher again: nothing harvested
    assert "nothing was harvested" in strict.output
    assert run("harvest", "dcat", str(tmp_path / "missing.ttl")).exit_code == 1
    assert run("harvest", "dcat", str(source), "--publisher", "nonsense").exit_code == 2


def test_export_the_catalog(run, make_org, make_dataset, tmp_path):  # noqa: F811
    make_org("mintrab-gt")
    make_dataset("enei-2024")
    out = tmp_path / "catalog.jsonld"
    result = run("export", "dcat", "--format", "jsonld", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert '"@graph"' in out.read_text(encoding="utf-8")
    assert result.stderr == f"Wrote 1 dataset to {out}.\n"
    printed = run("export", "dcat")
    assert "dcat:Dataset" in printed.output


def test_a_catalog_is_validated_in_batches_with_the_findings_of_one_graph(
    session, settings, make_org, make_dataset, monkeypatch
):
    """Batches of datasets, each beside the catalog's description, find exactly what the
    whole catalog as one graph does, each finding once."""
    from api import cli
    from catalog import dcat, shacl
    from catalog.principals import Principal
    from catalog.rdfio import to_graph

    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")
    for number in range(5):
        make_dataset(f"enei-{2020 + number}", "mintrab-gt" if number % 2 else "stps-mx")
    make_dataset("sin-temas", themes=[], keywords={})
    query = dcat.CatalogQuery(paged=False)
    anonymous = Principal.anonymous()
    whole = dcat.catalog_export(session, actor=anonymous, settings=settings, query=query)
    graph = to_graph(t for batch in whole.batches for t in batch)
    expected = shacl.validate_graph(graph)
    monkeypatch.setattr(cli, "VALIDATION_BATCH", 2)
    report, triples, total = cli._validate_catalog(session, anonymous, settings, query, jobs=2)
    assert total == 6
    assert expected.findings  # the shapes have something to say about these datasets
    assert report.findings == expected.findings
    assert report.files == expected.files
    assert triples == len(graph)  # shared descriptions counted once, as in one graph
    # Forked workers (above) and this process alone give the same report.
    serial = cli._validate_catalog(session, anonymous, settings, query, jobs=1)
    assert serial == (report, triples, total)


def test_batches_count_a_dataset_named_as_another_ones_page_once(
    session, settings, make_org, make_dataset, monkeypatch
):
    """Both batches say the page is a foaf:Document: one triple of the whole graph."""
    from api import cli
    from catalog import dcat
    from catalog.principals import Principal
    from catalog.rdfio import to_graph

    make_org("mintrab-gt")
    make_dataset("a", landing_page=BASE_URI + "dataset/b")
    make_dataset("b", landing_page=BASE_URI + "dataset/b")
    query = dcat.CatalogQuery(paged=False)
    anonymous = Principal.anonymous()
    whole = dcat.catalog_export(session, actor=anonymous, settings=settings, query=query)
    graph = to_graph(t for batch in whole.batches for t in batch)
    monkeypatch.setattr(cli, "VALIDATION_BATCH", 1)
    _, triples, _ = cli._validate_catalog(session, anonymous, settings, query)
    assert triples == len(graph)
