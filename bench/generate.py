"""Realistic synthetic dataset documents for benchmarks.

Documents look like what the region's ministries publish: series of surveys, registers
and administrative statistics, broken down by year, period and subnational unit, with
bilingual titles and descriptions and codes from the catalog's vocabularies. They are
deterministic for a given seed, valid against the dataset schema and the vocabularies,
and published by the demo organizations (load those first).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from catalog.demo.institutions import ORGANIZATIONS

SUBDIVISIONS = {
    "GTM": [
        "Alta Verapaz",
        "Baja Verapaz",
        "Chimaltenango",
        "Chiquimula",
        "El Progreso",
        "Escuintla",
        "Guatemala",
        "Huehuetenango",
        "Izabal",
        "Jalapa",
        "Jutiapa",
        "Petén",
        "Quetzaltenango",
        "Quiché",
        "Retalhuleu",
        "Sacatepéquez",
        "San Marcos",
        "Santa Rosa",
        "Sololá",
        "Suchitepéquez",
        "Totonicapán",
        "Zacapa",
    ],
    "SLV": [
        "Ahuachapán",
        "Cabañas",
        "Chalatenango",
        "Cuscatlán",
        "La Libertad",
        "La Paz",
        "La Unión",
        "Morazán",
        "San Miguel",
        "San Salvador",
        "San Vicente",
        "Santa Ana",
        "Sonsonate",
        "Usulután",
    ],
    "HND": [
        "Atlántida",
        "Choluteca",
        "Colón",
        "Comayagua",
        "Copán",
        "Cortés",
        "El Paraíso",
        "Francisco Morazán",
        "Gracias a Dios",
        "Intibucá",
        "Islas de la Bahía",
        "La Paz",
        "Lempira",
        "Ocotepeque",
        "Olancho",
        "Santa Bárbara",
        "Valle",
        "Yoro",
    ],
    "MEX": [
        "Chiapas",
        "Tabasco",
        "Campeche",
        "Quintana Roo",
        "Oaxaca",
        "Veracruz",
        "Yucatán",
        "Guerrero",
        "Puebla",
        "Ciudad de México",
        "Jalisco",
        "Nuevo León",
        "Baja California",
        "Sonora",
        "Chihuahua",
        "Tamaulipas",
    ],
    "BLZ": ["Belize", "Cayo", "Corozal", "Orange Walk", "Stann Creek", "Toledo"],
}

# (es title stem, en title stem, themes, population, method, unit es/en, restricted?)
TOPICS: dict[str, list[tuple[str, str, list[str], list[str], str, tuple[str, str], bool]]] = {
    "labour-ministry": [
        (
            "Permisos de trabajo otorgados a personas extranjeras",
            "Work permits granted to foreign nationals",
            ["labour-migration"],
            ["international-migrant-workers"],
            "administrative-register",
            ("Permisos", "Permits"),
            False,
        ),
        (
            "Inspecciones de trabajo y denuncias atendidas",
            "Labour inspections and complaints handled",
            ["labour-inspection", "working-conditions"],
            [],
            "administrative-register",
            ("Inspecciones", "Inspections"),
            False,
        ),
        (
            "Vacantes y colocaciones del servicio público de empleo",
            "Vacancies and placements of the public employment service",
            ["public-employment-services", "employment"],
            [],
            "administrative-register",
            ("Vacantes", "Vacancies"),
            False,
        ),
        (
            "Participantes en programas de trabajo temporal en el extranjero",
            "Participants in temporary work abroad programmes",
            ["labour-migration"],
            ["for-work-international-migrants", "seasonal-workers"],
            "administrative-register",
            ("Personas", "Persons"),
            True,
        ),
        (
            "Salarios mínimos y remuneraciones registradas",
            "Minimum wages and recorded earnings",
            ["wages-and-income"],
            [],
            "administrative-register",
            ("Moneda local", "Local currency"),
            False,
        ),
        (
            "Certificación de competencias laborales",
            "Occupational skills certification",
            ["skills-and-certification"],
            ["return-international-migrant-workers"],
            "administrative-register",
            ("Personas", "Persons"),
            False,
        ),
    ],
    "migration-authority": [
        (
            "Personas retornadas recibidas",
            "Returned migrants received",
            ["return-and-reintegration", "labour-migration"],
            ["return-international-migrant-workers"],
            "administrative-register",
            ("Personas", "Persons"),
            True,
        ),
        (
            "Tarjetas de trabajador fronterizo emitidas",
            "Border worker cards issued",
            ["border-work", "labour-migration"],
            ["frontier-workers"],
            "administrative-register",
            ("Tarjetas", "Cards"),
            False,
        ),
        (
            "Entradas y salidas por motivos laborales",
            "Entries and exits for work purposes",
            ["labour-migration"],
            ["non-resident-foreign-workers"],
            "administrative-register",
            ("Eventos", "Events"),
            False,
        ),
        (
            "Registro de trabajadores temporales extranjeros",
            "Register of foreign temporary workers",
            ["labour-migration"],
            ["seasonal-workers", "international-migrant-workers"],
            "administrative-register",
            ("Personas", "Persons"),
            True,
        ),
    ],
    "statistics-office": [
        (
            "Encuesta de fuerza de trabajo: ocupación y desocupación",
            "Labour force survey: employment and unemployment",
            ["employment", "unemployment"],
            [],
            "household-survey",
            ("Personas", "Persons"),
            False,
        ),
        (
            "Encuesta de hogares: ingresos laborales y remesas",
            "Household survey: labour income and remittances",
            ["wages-and-income", "remittances"],
            ["return-international-migrant-workers"],
            "household-survey",
            ("Hogares", "Households"),
            False,
        ),
        (
            "Informalidad laboral por rama de actividad",
            "Labour informality by branch of activity",
            ["informality", "employment"],
            [],
            "household-survey",
            ("Personas", "Persons"),
            False,
        ),
        (
            "Módulo de migración laboral de la encuesta de hogares",
            "Labour migration module of the household survey",
            ["labour-migration"],
            ["international-migrant-workers", "for-work-international-migrants"],
            "household-survey",
            ("Personas", "Persons"),
            False,
        ),
        (
            "Trabajo infantil y adolescente",
            "Child and adolescent labour",
            ["child-labour"],
            [],
            "household-survey",
            ("Personas", "Persons"),
            False,
        ),
    ],
    "foreign-affairs": [
        (
            "Registro consular de nacionales en el exterior",
            "Consular register of nationals abroad",
            ["labour-migration"],
            ["international-migrant-workers"],
            "administrative-register",
            ("Personas", "Persons"),
            True,
        ),
        (
            "Asistencia consular a personas trabajadoras migrantes",
            "Consular assistance to migrant workers",
            ["labour-migration", "social-protection"],
            ["international-migrant-workers"],
            "administrative-register",
            ("Casos", "Cases"),
            False,
        ),
    ],
}
PERIODS = [
    ("ANNUAL", "anual", "annual"),
    ("QUARTERLY", "trimestral", "quarterly"),
    ("MONTHLY", "mensual", "monthly"),
]
OCCUPATIONS = ["9211", "9313", "5223", "7112", "6111", "9111", "8322", "5120", "9412", "7411"]
ACTIVITIES = ["A", "C", "F", "G", "I", "H", "T", "0111", "4100", "5610"]
DESTINATIONS = ["USA", "CAN", "MEX", "ESP", "CRI", "PAN"]
DETAIL_ES = [
    "Datos desagregados por sexo, grupo de edad y nivel educativo.",
    "Incluye series comparables con la metodología de la 20.a CIET.",
    "Las cifras son preliminares y se revisan trimestralmente.",
    "Cobertura nacional con representatividad departamental.",
    "Fuente: registros administrativos del sistema institucional.",
]
DETAIL_EN = [
    "Data broken down by sex, age group and level of education.",
    "Includes series comparable with the 20th ICLS methodology.",
    "Figures are preliminary and revised every quarter.",
    "National coverage, representative at department level.",
    "Source: administrative records of the institutional system.",
]


def _slug(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in folded).split())


def documents(count: int, *, seed: int = 2026) -> Iterator[dict[str, Any]]:
    """Yield ``count`` valid dataset documents with unique names."""
    rng = random.Random(seed)  # synthetic benchmark data
    publishers = [o for o in ORGANIZATIONS if o["kind"] in TOPICS]
    for number in range(count):
        org = rng.choice(publishers)
        country = org["country"]
        title_es, title_en, themes, population, method, unit, restricted = rng.choice(
            TOPICS[org["kind"]]
        )
        year = rng.randint(2005, 2025)
        frequency, freq_es, freq_en = rng.choice(PERIODS)
        place = rng.choice(SUBDIVISIONS[country])
        personal = (
            "personal" if restricted else rng.choice(["none", "none", "none", "pseudonymised"])
        )
        access = "RESTRICTED" if restricted else rng.choice(["PUBLIC"] * 8 + ["NON_PUBLIC"])
        detail = rng.randrange(len(DETAIL_ES))
        profile: dict[str, Any] = {
            "unit_of_measure": {"es": unit[0], "en": unit[1]},
            "geographic_breakdown": ["national", "first-level-subdivision"],
            "collection_method": method,
            "source_system": f"Sistema de información de {org['acronym']}",
            "reference_period": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
            "occupations": rng.sample(OCCUPATIONS, 2),
            "economic_activities": rng.sample(ACTIVITIES, 2),
        }
        if population:
            profile["statistical_population"] = population
        if "labour-migration" in themes:
            profile["migration_corridors"] = [
                {"origin": country, "destination": rng.choice(DESTINATIONS)}
            ]
        governance: dict[str, Any] = {}
        if personal == "personal":
            # Published personal data needs a legal basis, and restricted data an offer.
            governance = {
                "legal_bases": [
                    {
                        "basis": "OfficialAuthorityOfController",
                        "instrument": {
                            "kind": "law",
                            "title": {"es": f"Ley orgánica de {org['acronym']} (sintética)"},
                        },
                        "jurisdictions": [country],
                        "purposes": ["ProvideOfficialStatistics"],
                        "valid_from": f"{year}-01-01",
                    }
                ],
                "policy": {"template": "restricted-statistical-aggregates"},
            }
        yield {
            **governance,
            "name": f"{_slug(title_es)[:40]}-{_slug(place)[:20]}-{year}-{number}",
            "publisher": org["name"],
            "title": {
                "es": f"{title_es}, {place}, {year} ({freq_es})",
                "en": f"{title_en}, {place}, {year} ({freq_en})",
            },
            "description": {
                "es": f"{title_es} en {place} ({org['title']['es']}), {year}. {DETAIL_ES[detail]}",
                "en": f"{title_en} in {place} ({org['title']['en']}), {year}. {DETAIL_EN[detail]}",
            },
            "keywords": {
                "es": [*[w for w in _slug(title_es).split("-") if len(w) > 4][:4], _slug(place)],
                "en": [w for w in _slug(title_en).split("-") if len(w) > 4][:4],
            },
            "themes": themes,
            "access_rights": access,
            "personal_data": personal,
            "spatial": [country],
            "temporal": [{"start": f"{year}-01-01", "end": f"{year}-12-31"}],
            "accrual_periodicity": frequency,
            "languages": ["ENG"] if country == "BLZ" else ["SPA"],
            "contact_point": {
                "name": f"Unidad de estadística, {org['acronym']}",
                "url": org["homepage"],
            },
            "version": str(year),
            "labour_migration": profile,
            "status": "published",
        }
