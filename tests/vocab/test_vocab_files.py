"""The JSON cache equals the Turtle, graphs round-trip, the build is reproducible, and the
package stays a leaf."""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from tests.standards_dir import STANDARDS
from vocab import Concept, ConceptScheme, Note, Registry, VocabularyError
from vocab.generate import build_all, main, write_schemes
from vocab.generate.common import PYCOUNTRY_VERSION
from vocab.model import Notation
from vocab.rdf import scheme_from_graph, to_turtle
from vocab.registry import SCHEMES_DIR

VOCAB_DIR = Path(__file__).resolve().parents[2] / "vocab"


def test_json_cache_equals_turtle(
    registry: Registry, from_turtle: dict[str, ConceptScheme]
) -> None:
    for name in registry.names:
        cached = registry.scheme(name)
        parsed = from_turtle[name]
        assert parsed.to_json() == cached.to_json(), name
        assert list(parsed) == list(cached), name


def test_scheme_graph_is_the_turtle_file(registry: Registry, graphs: dict[str, Graph]) -> None:
    for name in registry.names:
        assert isomorphic(registry.scheme(name).to_graph(), graphs[name]), name


def test_concept_graph(registry: Registry, graphs: dict[str, Graph]) -> None:
    concept = registry.scheme("occupations")["2512"]
    graph = concept.to_graph()
    assert set(graph) <= set(graphs["occupations"])
    turtle = graph.serialize(format="turtle")
    assert "http://data.europa.eu/esco/isco/C251" in turtle
    jsonld = json.loads(graph.serialize(format="json-ld"))
    assert jsonld[0]["@id"] == "http://data.europa.eu/esco/isco/C2512"


SHAPES = STANDARDS / "shapes"


@pytest.mark.skipif(not SHAPES.is_dir(), reason="DCAT-AP shapes not available")
def test_concept_graphs_satisfy_dcat_ap_vocabulary_shapes(registry: Registry) -> None:
    from pyshacl import validate

    fixture = SHAPES / "fixtures" / "valid-minimal-catalog.ttl"
    shapes = Graph().parse(
        SHAPES / "dcat-ap-3.0.1" / "html" / "shacl" / "mdr-vocabularies.shape.ttl"
    )
    data = Graph().parse(fixture)
    conforms, _, _ = validate(data, shacl_graph=shapes, allow_warnings=True)
    assert not conforms  # the fixture alone lacks the vocabulary background knowledge
    used = {
        str(o)
        for o in data.objects()
        if str(o).startswith("http://publications.europa.eu/resource/authority/")
    }
    assert used
    for iri in sorted(used):
        concept = registry.resolve(iri)
        assert concept is not None, iri
        data += concept.to_graph(with_scheme=True)
    conforms, _, report = validate(data, shacl_graph=shapes, allow_warnings=True)
    assert conforms, report


def test_manifest_matches_the_files(registry: Registry) -> None:
    for name in registry.names:
        info = registry.info(name)
        assert (SCHEMES_DIR / info.turtle).is_file()
        assert (SCHEMES_DIR / info.cache).is_file()
        assert len(registry.scheme(name)) == info.concept_count
        assert all(
            any(c.iri.startswith(p) for p in info.iri_prefixes) for c in registry.scheme(name)
        )


def _tricky_scheme() -> ConceptScheme:
    text = 'He said "hi"\\ then\nleft "'
    return ConceptScheme(
        name="tricky",
        iri="https://w3id.org/simel/vocab/tricky",
        titles={"en": "Tricky", "es": "Difícil"},
        version="0",
        concepts=[
            Concept(
                scheme="tricky",
                code="a",
                iri="https://w3id.org/simel/vocab/tricky/a",
                labels={"en": text, "es": 'tab\there "x"'},
                alt_labels={"en": ("z", "y")},
                definitions={"en": 'ends with a quote "'},
                notations=(Notation("A-1"), Notation("1", "https://example.org/dt")),
                narrower=("b",),
                notes=(Note("editorial", "line\r\nbreak", "en"), Note("source", "Cited work")),
            ),
            Concept(
                scheme="tricky",
                code="b",
                iri="https://w3id.org/simel/vocab/tricky/b",
                labels={"en": "b"},
                broader=("a",),
            ),
        ],
    )


def test_turtle_writer_escapes_and_round_trips() -> None:
    scheme = _tricky_scheme()
    graph = Graph().parse(data=to_turtle(scheme), format="turtle")
    assert isomorphic(graph, scheme.to_graph())
    assert scheme_from_graph(graph).to_json() == scheme.to_json()


def test_turtle_writer_rejects_bad_iris() -> None:
    scheme = ConceptScheme(
        name="bad",
        iri="https://w3id.org/simel/vocab/bad",
        titles={"en": "Bad"},
        concepts=[
            Concept(scheme="bad", code="x", iri="https://example.org/a b", labels={"en": "x"})
        ],
    )
    with pytest.raises(VocabularyError):
        to_turtle(scheme)


@pytest.mark.parametrize(
    ("concepts", "message"),
    [
        (
            [Concept(scheme="s", code="a", iri="urn:a", broader=("zz",))],
            "unknown broader",
        ),
        (
            [
                Concept(scheme="s", code="a", iri="urn:a"),
                Concept(scheme="s", code="b", iri="urn:b", broader=("a",)),
            ],
            "not the inverse",
        ),
        (
            [
                Concept(scheme="s", code="a", iri="urn:a"),
                Concept(scheme="s", code="a", iri="urn:b"),
            ],
            "duplicate code",
        ),
        (
            [
                Concept(scheme="s", code="a", iri="urn:a"),
                Concept(scheme="s", code="b", iri="urn:a"),
            ],
            "duplicate IRI",
        ),
        (
            [
                Concept(scheme="s", code="a", iri="urn:a", broader=("b",), narrower=("b",)),
                Concept(scheme="s", code="b", iri="urn:b", broader=("a",), narrower=("a",)),
            ],
            "cycle",
        ),
        ([Concept(scheme="other", code="a", iri="urn:a")], "belongs to"),
    ],
)
def test_inconsistent_schemes_are_refused(concepts: list[Concept], message: str) -> None:
    with pytest.raises(VocabularyError, match=message):
        ConceptScheme(name="s", iri="urn:s", titles={"en": "S"}, concepts=concepts)


def test_detached_concepts_cannot_make_graphs() -> None:
    with pytest.raises(VocabularyError):
        Concept(scheme="s", code="a", iri="urn:a").to_graph()


# ---------------------------------------------------------------------- build


def _standards() -> Path:
    return STANDARDS


def _build_prerequisites() -> str | None:
    if not (_standards() / "vocab").is_dir():
        return f"standards not found at {_standards()} (set SIMEL_STANDARDS_DIR)"
    if importlib.util.find_spec("pycountry") is None:
        return "pycountry (build-time helper) is not installed"
    if importlib.metadata.version("pycountry") != PYCOUNTRY_VERSION:
        return f"the build needs pycountry {PYCOUNTRY_VERSION}"
    return None


needs_build_inputs = pytest.mark.skipif(
    _build_prerequisites() is not None, reason=_build_prerequisites() or ""
)


@needs_build_inputs
def test_build_is_reproducible(tmp_path: Path) -> None:
    written = write_schemes(build_all(_standards()), tmp_path)
    committed = sorted(p.name for p in SCHEMES_DIR.iterdir() if p.suffix in {".ttl", ".json"})
    assert sorted(p.name for p in written) == committed
    for path in written:
        assert path.read_bytes() == (SCHEMES_DIR / path.name).read_bytes(), path.name


@needs_build_inputs
def test_build_check_mode(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--standards", str(_standards()), "--check"]) == 0
    assert capsys.readouterr().err == ""


def test_build_reports_missing_standards(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--standards", str(tmp_path), "--out", str(tmp_path / "out")]) == 1
    assert "vocab.generate" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------- a leaf package


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_vocab_imports_only_the_standard_library_and_rdflib() -> None:
    allowed = set(sys.stdlib_module_names) | {"vocab", "rdflib"}
    for path in VOCAB_DIR.rglob("*.py"):
        assert _imports(path) <= allowed, (path, _imports(path) - allowed)


def test_lookups_do_not_import_rdflib_or_pycountry() -> None:
    code = (
        "import sys, vocab;"
        "s = vocab.get_registry().scheme('countries');"
        "assert s.by_code('gt').code == 'GTM';"
        "print(sorted(m for m in ('rdflib', 'pycountry', 'flask') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
