"""Lookups, search, suggestions and the registry."""

from __future__ import annotations

import copy
import pickle
import threading
from dataclasses import FrozenInstanceError

import pytest

from vocab import (
    AmbiguousConcept,
    Concept,
    ConceptScheme,
    Registry,
    UnknownConcept,
    UnknownScheme,
    fold,
)
from vocab.registry import SCHEMES_DIR


@pytest.fixture(scope="module")
def countries(registry: Registry) -> ConceptScheme:
    return registry.scheme("countries")


@pytest.fixture(scope="module")
def occupations(registry: Registry) -> ConceptScheme:
    return registry.scheme("occupations")


@pytest.mark.parametrize("value", ["GTM", "gtm", "GT", "gt", "320", " GTM "])
def test_country_by_any_iso_code(countries: ConceptScheme, value: str) -> None:
    concept = countries.by_code(value)
    assert concept is not None
    assert concept.code == "GTM"


def test_by_iri(countries: ConceptScheme, occupations: ConceptScheme) -> None:
    iri = "http://publications.europa.eu/resource/authority/country/BLZ"
    assert countries.by_iri(iri) is countries["BLZ"]
    assert occupations.by_iri("http://data.europa.eu/esco/isco/C7112") is occupations["7112"]
    assert countries.by_iri("http://publications.europa.eu/resource/authority/country/XXX") is None


@pytest.mark.parametrize(
    ("text", "lang", "code"),
    [
        ("México", "es", "MEX"),
        ("mexico", None, "MEX"),
        ("MEXICO", "en", "MEX"),
        ("Belice", "es", "BLZ"),
        ("belize", "en", "BLZ"),
        ("United Mexican States", None, "MEX"),  # an alternative (official) name
        ("Estados Unidos Mexicanos", "es", "MEX"),
    ],
)
def test_country_by_label_any_case_and_accent(
    countries: ConceptScheme, text: str, lang: str | None, code: str
) -> None:
    concept = countries.by_label(text, lang)
    assert concept is not None
    assert concept.code == code


def test_by_label_respects_the_language(countries: ConceptScheme) -> None:
    assert countries.by_label("Belice", lang="en") is None
    assert countries.by_label("no such country") is None


def test_by_label_accent_insensitive(registry: Registry) -> None:
    migration = registry.scheme("migration-concepts")
    concept = migration.by_label("migracion laboral internacional")
    assert concept is not None
    assert concept.code == "international-labour-migration"
    assert migration.by_label("International labour migration", lang="en") is concept


def test_by_label_prefers_the_most_general_concept(occupations: ConceptScheme) -> None:
    # ISCO repeats "Oficiales de las fuerzas armadas" at levels 2, 3 and 4.
    assert [c.code for c in occupations.all_by_label("oficiales de las fuerzas armadas")] == [
        "01",
        "011",
        "0110",
    ]
    assert occupations.by_label("Oficiales de las fuerzas armadas") is occupations["01"]


def test_lookup_and_require(countries: ConceptScheme) -> None:
    assert (
        countries.lookup("http://publications.europa.eu/resource/authority/country/HND")
        is countries["HND"]
    )
    assert countries.lookup("El Salvador") is countries["SLV"]
    with pytest.raises(UnknownConcept) as excinfo:
        countries.require("Guatamala")
    assert excinfo.value.suggestions[0] == "GTM"
    assert "did you mean GTM" in str(excinfo.value)
    with pytest.raises(UnknownConcept):
        countries["XYZ"]


def test_search_prefix_on_any_word_accent_insensitive(occupations: ConceptScheme) -> None:
    assert [c.code for c in occupations.search("albanil", lang="es")] == ["7112"]
    assert "7112" in [c.code for c in occupations.search("ALBAÑ")]
    # A later word of the label: "Desarrolladores de software".
    assert "2512" in [c.code for c in occupations.search("softw", lang="es")]


def test_search_ranking(registry: Registry) -> None:
    countries = registry.scheme("countries")
    # Exact label first, then label prefixes, then prefixes of later words.
    results = [c.code for c in countries.search("guinea", lang="en", limit=10)]
    assert results[0] == "GIN"
    assert results.index("GNB") < results.index("PNG")  # "Guinea-Bissau" before "Papua New Guinea"
    assert set(results) >= {"GIN", "GNB", "GNQ", "PNG"}


def test_search_by_code_prefix_ranks_general_concepts_first(occupations: ConceptScheme) -> None:
    results = [c.code for c in occupations.search("251", limit=4)]
    assert results[0] == "251"
    assert set(results[1:]) <= {"2511", "2512", "2513", "2514", "2519"}


def test_search_all_words_in_any_order(registry: Registry) -> None:
    migration = registry.scheme("migration-concepts")
    codes = [c.code for c in migration.search("trabajadores retornados", lang="es")]
    assert codes == ["return-international-migrant-workers"]


def test_search_limits_and_empty_queries(occupations: ConceptScheme) -> None:
    assert len(occupations.search("ingenieros", limit=3)) == 3
    assert occupations.search("") == []
    assert occupations.search("   ") == []
    assert occupations.search("zzzzzz") == []


def test_suggest_for_typos(countries: ConceptScheme, occupations: ConceptScheme) -> None:
    assert countries.suggest_codes("GTMX")[0] == "GTM"
    assert countries.suggest("Hondura")[0].code == "HND"
    assert occupations.suggest("Ingeniero electrisista", n=3)[0].code == "2151"
    assert len(occupations.suggest("ingenier", n=2)) == 2
    assert countries.suggest("qqqqqqqq") == []


def test_hierarchy_navigation(occupations: ConceptScheme) -> None:
    unit = occupations["2512"]
    assert [c.code for c in unit.broader_concepts] == ["251"]
    assert "2512" in [c.code for c in occupations["251"].narrower_concepts]
    assert [c.code for c in occupations.ancestors("2512")] == ["251", "25", "2"]
    assert [c.code for c in occupations.descendants("25")][:2] == ["251", "2511"]
    assert occupations.is_a("2512", "2")
    assert not occupations.is_a("2512", "3")
    assert [c.code for c in occupations.top_concepts] == [str(i) for i in range(10)]
    with pytest.raises(UnknownConcept):
        occupations.is_a("2512", "99999")


def test_label_falls_back_from_spanish_to_english(registry: Registry) -> None:
    purposes = registry.scheme("purposes")
    concept = purposes["ProvideOfficialStatistics"]
    assert concept.label() == "Elaboración de estadísticas oficiales"
    assert concept.label("en") == "Provide Official Statistics"
    assert concept.label("fr") == "Elaboración de estadísticas oficiales"
    assert concept.label("fr", fallback=("en",)) == "Provide Official Statistics"
    cab = registry.scheme("languages")["CAB"]
    assert cab.label("es") == "Garifuna"


def test_concepts_are_frozen(countries: ConceptScheme) -> None:
    concept = countries["GTM"]
    with pytest.raises(FrozenInstanceError):
        concept.code = "XXX"  # type: ignore[misc]
    with pytest.raises(TypeError):
        concept.labels["es"] = "x"  # type: ignore[index]
    assert hash(concept) == hash(countries["GTM"])


def test_concepts_pickle_and_copy(countries: ConceptScheme) -> None:
    concept = countries["GTM"]
    assert pickle.loads(pickle.dumps(concept)) == concept  # noqa: S301  (our own bytes)
    assert copy.deepcopy(concept) == concept


def test_json_of_a_concept(countries: ConceptScheme) -> None:
    data = countries["GTM"].to_json()
    assert data["code"] == "GTM"
    assert data["labels"] == {"en": "Guatemala", "es": "Guatemala"}
    assert {
        "value": "GT",
        "datatype": "https://w3id.org/simel/vocab/datatype/iso3166-1-alpha-2",
    } in data["notations"]
    assert Concept.from_json(data) == countries["GTM"]


def test_scheme_json_listing(countries: ConceptScheme) -> None:
    data = countries.to_json(include_concepts=False)
    assert data["concept_count"] == 249
    assert "concepts" not in data
    assert data["titles"]["es"] == "Países (ISO 3166-1)"


def test_fold() -> None:
    assert fold("Migración  Laboral") == "migracion laboral"
    assert fold("Albañil") == "albanil"
    assert fold("Côte d'Ivoire") == "cote d ivoire"
    assert fold("Ølstykke") == "ølstykke"  # letters without a decomposition are kept


# ---------------------------------------------------------------------- registry


def test_unknown_scheme(registry: Registry) -> None:
    with pytest.raises(UnknownScheme) as excinfo:
        registry.scheme("contries")
    assert "countries" in excinfo.value.known
    with pytest.raises(LookupError):
        registry.info("nope")


def test_resolve(registry: Registry) -> None:
    assert (
        registry.resolve("http://data.europa.eu/esco/isco/C2512")
        is registry.scheme("occupations")["2512"]
    )
    assert (
        registry.resolve("https://w3id.org/dpv#ConsentGiven")
        is registry.scheme("consent-statuses")["ConsentGiven"]
    )
    assert (
        registry.resolve("https://w3id.org/dpv#Consent")
        is registry.scheme("legal-bases")["Consent"]
    )
    assert registry.resolve("countries:slv") is registry.scheme("countries")["SLV"]
    assert registry.resolve("sv", scheme="countries") is registry.scheme("countries")["SLV"]
    assert registry.resolve("Honduras", scheme="countries") is registry.scheme("countries")["HND"]
    assert registry.resolve("NON_PUBLIC") is registry.scheme("access-rights")["NON_PUBLIC"]
    assert registry.resolve("https://example.org/nothing") is None
    with pytest.raises(AmbiguousConcept) as excinfo:
        registry.resolve("01")  # ISCO sub-major group and ISIC division
    assert set(excinfo.value.schemes) == {"occupations", "activities"}
    with pytest.raises(UnknownScheme):
        registry.resolve("x", scheme="nope")


def test_registry_loads_lazily_and_once() -> None:
    fresh = Registry(SCHEMES_DIR)
    assert fresh.loaded() == ()
    assert fresh.info("occupations").concept_count == 619
    assert fresh.loaded() == ()
    fresh.scheme("countries")
    assert fresh.loaded() == ("countries",)
    # An IRI only loads the schemes whose concept IRIs can contain it.
    fresh.resolve("http://data.europa.eu/esco/isco/C2512")
    assert set(fresh.loaded()) == {"countries", "occupations"}


def test_registry_is_thread_safe() -> None:
    fresh = Registry(SCHEMES_DIR)
    results: list[ConceptScheme] = []
    barrier = threading.Barrier(8)

    def load() -> None:
        barrier.wait()
        results.append(fresh.scheme("activities"))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert all(scheme is results[0] for scheme in results)


def test_registry_without_cache_reads_turtle() -> None:
    fresh = Registry(SCHEMES_DIR, use_cache=False)
    themes = fresh.scheme("data-themes")
    assert themes.same_content(Registry(SCHEMES_DIR).scheme("data-themes"))
