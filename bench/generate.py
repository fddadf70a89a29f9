"""Realistic synthetic catalogs for benchmarks, shared by every benchmark in bench/.

``generate_datasets(n)`` yields valid dataset documents for the demo organizations
(catalog/demo/institutions.py): the demo's own records as templates, varied by year,
country, population and breakdown, with the vocabulary codes the catalog validates.
``generate_distributions(document)`` gives each one to three distributions.
``load_catalog(session, n)`` writes them through the importer (set-based, audited) and
adds the distributions, so a benchmark starts from the same catalog every time
(the generator is seeded).

Two corpora live here. ``generate_datasets`` (above) varies the demo's own records and is
what the DCAT export benchmark writes. ``documents`` (below) is the search benchmark's
corpus: titles and descriptions built from the ministries' typical series and the
subnational units of each country, so that the query mix finds broad and narrow matches.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, select

from catalog import datasets, importer, organizations, quality
from catalog.db import utcnow
from catalog.demo import build_document
from catalog.demo.institutions import ORGANIZATIONS
from catalog.demo.records import DATASETS
from catalog.models import Dataset, Distribution, Organization
from catalog.principals import Principal

YEARS = list(range(2010, 2026))
POPULATIONS = [
    "international-migrant-workers",
    "return-international-migrant-workers",
    "for-work-international-migrants",
    "frontier-workers",
    "seasonal-workers",
    "foreign-domestic-workers",
]
BREAKDOWNS = ["national", "first-level-subdivision", "municipality", "border-area"]
OCCUPATIONS = ["2", "3", "5", "6", "7", "9", "5223", "6111", "7112", "9211", "9313"]
ACTIVITIES = ["A", "C", "F", "G", "I", "M", "Q"]
COUNTRIES = ["GTM", "SLV", "HND", "MEX", "BLZ", "USA", "CAN", "CRI", "PAN", "ESP"]
FORMATS = [
    ("CSV", "text/csv", "csv"),
    ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("JSON", "application/json", "json"),
    ("PDF", "application/pdf", "pdf"),
    ("SDMX", "application/vnd.sdmx.structurespecificdata+xml", "xml"),
]
LICENCES = [
    "https://creativecommons.org/licenses/by/4.0/",
    "https://creativecommons.org/publicdomain/zero/1.0/",
    "https://opendatacommons.org/licenses/odbl/1-0/",
]


def governance_records(
    personal: str, access: str, org: dict[str, Any], country: str, year: int
) -> dict[str, Any]:
    """The records a generated dataset needs to be published (see catalog.readiness).

    Published personal or sensitive data needs a legal basis valid now, and restricted
    personal data an offer policy as well.
    """
    if personal not in {"personal", "sensitive"}:
        return {}
    records: dict[str, Any] = {
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
        ]
    }
    if access == "RESTRICTED":
        records["policy"] = {"template": "restricted-statistical-aggregates"}
    return records


def generate_datasets(n: int, *, seed: int = 20261124) -> Iterator[dict[str, Any]]:
    """Yield ``n`` valid, varied dataset documents (unique names) for the demo organizations."""
    rng = random.Random(seed)  # reproducible synthetic data
    publishers = {org["name"]: org for org in ORGANIZATIONS}
    for number in range(n):
        spec = dict(rng.choice(DATASETS))
        year = rng.choice(YEARS)
        spec["name"] = f"{spec['name'][:80]}-{year}-{number:05d}"
        spec["period"] = (f"{year}-01-01", f"{year}-12-31")
        spec["title"] = {
            lang: f"{text} ({year}, n.º {number})" for lang, text in spec["title"].items()
        }
        spec["spatial"] = list(
            dict.fromkeys([spec["spatial"][0], *rng.sample(COUNTRIES, rng.randint(0, 2))])
        )
        spec["population"] = rng.sample(POPULATIONS, rng.randint(1, 3))
        spec["breakdown"] = rng.sample(BREAKDOWNS, rng.randint(1, 3))
        if rng.random() < 0.5:
            spec["occupations"] = rng.sample(OCCUPATIONS, rng.randint(1, 4))
        if rng.random() < 0.5:
            spec["activities"] = rng.sample(ACTIVITIES, rng.randint(1, 3))
        spec.pop("status", None)
        document = build_document(spec, publishers[spec["publisher"]])
        if rng.random() < 0.3:
            document["documentation"] = [
                f"{publishers[spec['publisher']]['homepage']}/metodologia/{spec['name']}"
            ]
        org = publishers[spec["publisher"]]
        governance = governance_records(
            document["personal_data"], document["access_rights"], org, org["country"], year
        )
        yield {**document, **governance}


def generate_distributions(document: dict[str, Any], *, seed: int = 0) -> list[dict[str, Any]]:
    """One to three distribution documents for ``document`` (links on the publisher's site)."""
    rng = random.Random(f"{seed}:{document['name']}")  # reproducible
    homepage = (document.get("landing_page") or _HOMEPAGES[document["publisher"]]).rstrip("/")
    restricted = document["access_rights"] != "PUBLIC"
    items = []
    for index in range(rng.randint(1, 3)):
        code, media, suffix = rng.choice(FORMATS)
        url = f"{homepage}/datos/{document['name']}/{index + 1}.{suffix}"
        item: dict[str, Any] = {
            "title": {"es": f"Archivo {index + 1} ({code})", "en": f"File {index + 1} ({code})"},
            "description": {"es": "Tabulados del periodo.", "en": "Tables of the period."},
            "format": code,
            "media_type": media,
            "byte_size": rng.randint(10_000, 90_000_000),
            "checksum": hashlib.sha256(url.encode()).hexdigest(),
            "languages": ["SPA"],
        }
        if restricted:
            item["access_url"] = homepage
            item["rights"] = {
                "es": "Uso estadístico bajo acuerdo.",
                "en": "Statistical use under agreement.",
            }
        else:
            item["download_url"] = url
            item["access_url"] = url
            item["license"] = rng.choice(LICENCES)
        items.append(item)
    return items


_HOMEPAGES = {org["name"]: org["homepage"] for org in ORGANIZATIONS}


def distribution_rows(
    documents: Iterable[dict[str, Any]], ids: Mapping[str, uuid.UUID], *, seed: int
) -> Iterator[tuple[uuid.UUID, list[dict[str, Any]], list[dict[str, Any]]]]:
    """Each document's dataset id, its generated distributions, and their table rows."""
    now = utcnow()
    for document in documents:
        dataset_id = ids[document["name"]]
        items = generate_distributions(document, seed=seed)
        rows = [
            {
                "id": uuid.uuid4(),
                "dataset_id": dataset_id,
                "title": item["title"],
                "access_url": item.get("access_url"),
                "download_url": item.get("download_url"),
                "media_type": item["media_type"],
                "format": item["format"],
                "byte_size": item["byte_size"],
                "checksum": item["checksum"],
                "restricted": False,
                "storage_key": None,
                "document": item,
                "position": position,
                "created": now,
                "modified": now,
            }
            for position, item in enumerate(items)
        ]
        yield dataset_id, items, rows


def ensure_organizations(session: Session) -> dict[str, Organization]:
    """The demo organizations, created if missing."""
    actor = Principal.system("bench")
    existing = {org.name: org for org in session.exec(select(Organization)).all()}
    for data in ORGANIZATIONS:
        if data["name"] not in existing:
            existing[data["name"]] = organizations.create_organization(
                session, actor=actor, data=data
            )
    return existing


def load_catalog(
    session: Session, n: int, *, seed: int = 20261124, base_uri: str = "http://localhost:5000/"
) -> int:
    """Write ``n`` generated published datasets with their distributions; returns ``n``."""
    ensure_organizations(session)
    documents = list(generate_datasets(n, seed=seed))
    importer.import_datasets(
        session,
        actor=Principal.system("bench"),
        records=documents,
        default_status="published",
        base_uri=base_uri,
    )
    ids = dict(session.exec(select(Dataset.name, Dataset.id)).all())
    rows, scores = [], []
    for (dataset_id, items, written), document in zip(
        distribution_rows(documents, ids, seed=seed), documents, strict=True
    ):
        rows += written
        scores.append((dataset_id, quality.assess(document, items, issued=True)))
    for start in range(0, len(rows), 2000):
        session.execute(insert(Distribution), rows[start : start + 2000])
    for dataset_id, assessed in scores:
        session.execute(
            update(Dataset)
            .where(Dataset.id == dataset_id)  # type: ignore[arg-type]
            .values(**quality.stored_columns(assessed))
        )
    # The search index keeps each dataset's score too (sorting and filtering by quality).
    session.expire_all()
    written = session.exec(select(Dataset).order_by(Dataset.name)).all()
    for start in range(0, len(written), 1000):
        datasets.reindex(session, written[start : start + 1000])
    session.commit()
    return n


# ------------------------------------------------------------------ search benchmark corpus

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
        governance = governance_records(personal, access, org, country, year)
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
