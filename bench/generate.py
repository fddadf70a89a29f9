"""Realistic synthetic catalogs for benchmarks, shared by every benchmark in bench/.

``generate_datasets(n)`` yields valid dataset documents for the demo organizations
(catalog/demo/institutions.py): the demo's own records as templates, varied by year,
country, population and breakdown, with the vocabulary codes the catalog validates.
``generate_distributions(document)`` gives each one to three distributions.
``load_catalog(session, n)`` writes them through the importer (set-based, audited) and
adds the distributions, so a benchmark starts from the same catalog every time
(the generator is seeded).
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, select

from catalog import importer, organizations, quality
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
        yield document


def generate_distributions(document: dict[str, Any], *, seed: int = 0) -> list[dict[str, Any]]:
    """One to three distribution documents for ``document`` (links on the publisher's site)."""
    rng = random.Random(f"{seed}:{document['name']}")  # reproducible
    homepage = document["landing_page"].rstrip("/")
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


def load_catalog(session: Session, n: int, *, seed: int = 20261124) -> int:
    """Write ``n`` generated published datasets with their distributions; returns ``n``."""
    ensure_organizations(session)
    documents = list(generate_datasets(n, seed=seed))
    importer.import_datasets(
        session,
        actor=Principal.system("bench"),
        records=documents,
        default_status="published",
    )
    ids = dict(session.exec(select(Dataset.name, Dataset.id)).all())
    now = utcnow()
    rows, scores = [], []
    for document in documents:
        dataset_id = ids[document["name"]]
        items = generate_distributions(document, seed=seed)
        rows += [
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
        scores.append((dataset_id, quality.assess(document, items, issued=True).score))
    for start in range(0, len(rows), 2000):
        session.execute(insert(Distribution), rows[start : start + 2000])
    for dataset_id, score in scores:
        session.execute(
            update(Dataset).where(Dataset.id == dataset_id).values(quality_score=score)  # type: ignore[arg-type]
        )
    session.commit()
    return n
