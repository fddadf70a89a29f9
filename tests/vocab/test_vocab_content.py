"""Counts and content of each scheme, against the official figures of the sources."""

from __future__ import annotations

from collections import Counter

import pytest

from vocab import SIMEL_NS, Registry, consent_valid_for_processing


def _levels(registry: Registry, name: str) -> dict[int, int]:
    return dict(Counter(c.level for c in registry.scheme(name)))


def test_isco_has_the_official_counts_per_level(registry: Registry) -> None:
    assert _levels(registry, "occupations") == {1: 10, 2: 43, 3: 130, 4: 436}
    assert all(len(c.code) == c.level for c in registry.scheme("occupations"))


def test_isic_has_the_official_counts_per_level(registry: Registry) -> None:
    assert _levels(registry, "activities") == {1: 21, 2: 88, 3: 238, 4: 419}


def test_all_iso_countries(registry: Registry) -> None:
    countries = registry.scheme("countries")
    assert len(countries) == 249
    assert all(len(c.code) == 3 and c.code.isupper() for c in countries)


def test_icls_concepts(registry: Registry) -> None:
    concepts = registry.scheme("migration-concepts")
    assert len(concepts) == 21
    assert [c.code for c in concepts.top_concepts] == [
        "excluded-military-diplomatic",
        "excluded-remote-service-providers",
        "excluded-tourism-not-for-work",
        "international-labour-migration",
    ]
    frontier = concepts["frontier-workers"]
    assert frontier.broader == ("international-migrant-workers",)
    assert frontier.iri == f"{SIMEL_NS}migration-concept/frontier-workers"
    assert any(n.text == "Definition status: category-list-via-secondary." for n in frontier.notes)


def test_eu_data_themes(registry: Registry) -> None:
    themes = registry.scheme("data-themes")
    assert themes.codes == (
        "AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL",
        "INTR", "JUST", "REGI", "SOCI", "TECH", "TRAN",
    )  # fmt: skip
    assert themes.iri == "http://publications.europa.eu/resource/authority/data-theme"
    assert themes["SOCI"].iri == "http://publications.europa.eu/resource/authority/data-theme/SOCI"
    assert themes["SOCI"].labels == {"en": "Population and society", "es": "Población y sociedad"}


def test_eu_access_rights_as_the_catalogue_uses_them(registry: Registry) -> None:
    rights = registry.scheme("access-rights")
    assert set(rights.codes) == {"PUBLIC", "RESTRICTED", "NON_PUBLIC"}
    assert rights["NON_PUBLIC"].label("es") == "no público"


def test_eu_file_types_for_statistics(registry: Registry) -> None:
    types = registry.scheme("file-types")
    for code in ("CSV", "JSON", "XML", "XLSX", "PDF", "ZIP", "SDMX", "RDF_TURTLE", "RDF_XML",
                 "JSON_LD", "RDF_N_TRIPLES", "PARQUET"):  # fmt: skip
        assert (
            types[code].iri == f"http://publications.europa.eu/resource/authority/file-type/{code}"
        )
    # The table has no Spanish labels: Spanish users get the English one.
    assert types["TXT"].label("es") == "Plain text"


def test_eu_frequency_and_languages(registry: Registry) -> None:
    frequency = registry.scheme("frequency")
    assert frequency["ANNUAL"].label("es") == "anual"
    assert frequency["ANNUAL"].exact_matches == ("http://purl.org/cld/freq/annual",)
    assert "OP_DATPRO" not in frequency
    languages = registry.scheme("languages")
    assert {"SPA", "ENG", "FRA", "POR", "BZJ", "CAB", "KEK", "MOP", "PDT", "YUA"} == set(
        languages.codes
    )
    assert languages["CAB"].labels == {"en": "Garifuna"}


def test_countries_use_eu_authority_iris_and_dpv_locations(registry: Registry) -> None:
    countries = registry.scheme("countries")
    base = "http://publications.europa.eu/resource/authority/country/"
    assert all(c.iri == base + c.code for c in countries if c.code != "ATF")
    # The one ISO code the EU table does not have: its concept for the territory is FQ0.
    assert countries["ATF"].iri == base + "FQ0"
    for code, alpha2 in (("GTM", "GT"), ("SLV", "SV"), ("HND", "HN"), ("MEX", "MX"), ("BLZ", "BZ")):
        assert countries[code].exact_matches == (f"https://w3id.org/dpv/loc#{alpha2}",)
    assert countries["MEX"].labels == {"en": "Mexico", "es": "México"}


def test_isco_spanish_defect_of_group_215_is_fixed_and_documented(registry: Registry) -> None:
    occupations = registry.scheme("occupations")
    group = occupations["215"]
    assert group.labels["en"] == "Electrotechnology engineers"
    assert group.labels["es"] == "Ingenieros en electrotecnología"
    assert {n.lang for n in group.notes if "2149" in n.text} == {"en", "es"}
    # The wrong label stays only where it belongs.
    assert [
        c.code for c in occupations.all_by_label("Ingenieros no clasificados bajo otros epígrafes")
    ] == ["2149"]


def test_isco_uses_esco_iris(registry: Registry) -> None:
    occupations = registry.scheme("occupations")
    assert occupations.iri == "http://data.europa.eu/esco/concept-scheme/isco"
    assert occupations["2512"].iri == "http://data.europa.eu/esco/isco/C2512"
    assert occupations["2512"].broader == ("251",)
    assert occupations["2512"].definition("en").startswith("Software developers")


def test_isic_iris_and_hierarchy(registry: Registry) -> None:
    activities = registry.scheme("activities")
    assert activities.iri == "https://unstats.un.org/classifications/ISIC/rev4/scheme"
    assert activities["0111"].iri == "https://unstats.un.org/classifications/ISIC/rev4/0111"
    assert [c.code for c in activities.ancestors("0111")] == ["011", "01", "A"]
    assert activities["A"].label("es") == "Agricultura, ganadería, silvicultura y pesca"


def test_dpv_legal_bases(registry: Registry) -> None:
    legal = registry.scheme("legal-bases")
    assert [c.code for c in legal.top_concepts] == [
        "Consent", "Contract", "DataTransferLegalBasis", "LegalObligation",
        "LegitimateInterest", "OfficialAuthorityOfController", "PublicInterest", "VitalInterest",
    ]  # fmt: skip
    assert "PublicTask" not in legal  # DPV has no such concept
    assert legal["Consent"].iri == "https://w3id.org/dpv#Consent"
    assert legal.is_a("ExplicitlyExpressedConsent", "Consent")
    assert legal["LegalObligation"].label("es") == "Obligación legal"
    assert legal["LegalObligation"].label("en") == "Legal Obligation"


def test_dpv_purposes(registry: Registry) -> None:
    purposes = registry.scheme("purposes")
    assert purposes["ProvideOfficialStatistics"].broader == ("PublicBenefit",)
    assert purposes["CommercialResearch"].broader == ("CommercialPurpose", "ResearchAndDevelopment")
    # Organisational measures filed under Purpose in DPV are not purposes here.
    assert "DataGovernance" not in purposes


@pytest.mark.parametrize(
    ("status", "valid"),
    [
        ("ConsentGiven", True),
        ("RenewedConsentGiven", True),
        ("ConsentExpired", False),
        ("ConsentWithdrawn", False),
        ("ConsentRefused", False),
        ("ConsentRevoked", False),
        ("ConsentInvalidated", False),
        ("ConsentRequested", False),
        ("ConsentRequestDeferred", False),
        ("ConsentUnknown", False),
    ],
)
def test_consent_statuses_record_validity(registry: Registry, status: str, valid: bool) -> None:
    assert consent_valid_for_processing(status, registry) is valid
    concept = registry.scheme("consent-statuses")[status]
    expected = "yes" if valid else "no"
    assert any(n.text.startswith(f"Valid for processing: {expected}") for n in concept.notes)


def test_simel_themes_map_to_eu_themes(registry: Registry) -> None:
    themes = registry.scheme("simel-themes")
    assert themes.iri == f"{SIMEL_NS}theme"
    employment = themes["employment"]
    assert employment.iri == "https://w3id.org/simel/vocab/theme/employment"
    soci = registry.scheme("data-themes")["SOCI"].iri
    assert soci in employment.broad_matches
    for theme in themes:
        assert theme.broad_matches, theme.code
        for iri in theme.broad_matches:
            assert registry.resolve(iri) is not None
    border = themes["border-work"]
    assert border.broader == ("labour-migration",)
    assert registry.scheme("migration-concepts")["frontier-workers"].iri in border.close_matches


def test_simel_small_schemes(registry: Registry) -> None:
    assert set(registry.scheme("personal-data-classes").codes) == {
        "none", "pseudonymised", "personal", "sensitive",
    }  # fmt: skip
    levels = registry.scheme("geographic-levels")
    assert levels.by_label("departamento") is levels["first-level-subdivision"]
    assert levels.by_label("Estado", lang="es") is levels["first-level-subdivision"]
    methods = registry.scheme("collection-methods")
    assert methods["household-survey"].broader == ("survey",)
    assert {"census", "administrative-register", "survey"} <= set(methods.codes)
    for name in ("personal-data-classes", "geographic-levels", "collection-methods"):
        assert all(c.iri.startswith(SIMEL_NS) for c in registry.scheme(name))
