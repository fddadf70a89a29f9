"""The demo catalog: the region's institutions, their datasets, and synthetic files.

It also imports the region's labour-migration SDMX structures
(:mod:`catalog.demo.sdmx_structures`) and links the surveys and registers to their
dataflows.

Everything goes through the same services a steward uses, so the demo is validated,
revisioned and audited like real data. Files are generated deterministically from each
dataset's name (so checksums are stable) and contain made-up records only.
"""

from __future__ import annotations

import csv
import io
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from catalog import (
    accounts,
    consents,
    dataset_policies,
    datasets,
    distributions,
    legal_bases,
    oauth,
    organizations,
    sdmx,
)
from catalog.demo.governance import GOVERNANCE, DemoGovernance
from catalog.demo.institutions import ORGANIZATIONS, USERS
from catalog.demo.records import DATASETS
from catalog.demo.sharing import DemoSharing, load_sharing
from catalog.models import Role
from catalog.principals import Principal

LICENCE_CC_BY = "https://creativecommons.org/licenses/by/4.0/"
DEMO_ACTOR = "demo-loader"
DEMO_REDIRECT_URI = "http://127.0.0.1:8765/callback"
MACHINE_SCOPES = ("catalog:read", "data:read", "requests:write")
# The browser/CLI app is for people of every organization; not for administration.
APP_SCOPES = (
    "catalog:read",
    "catalog:write",
    "governance:write",
    "requests:write",
    "agreements:sign",
    "audit:read",
    "data:read",
)


@dataclass
class DemoCredentials:
    """A demo user and the API token created for it."""

    username: str
    roles: list[tuple[str, str]]
    token: str


@dataclass
class DemoClient:
    """A demo OAuth client; ``secret`` is ``None`` for the public app."""

    client_id: str
    secret: str | None
    organization: str
    description: str


@dataclass
class DemoResult:
    """What the demo loader created."""

    password: str
    users: list[DemoCredentials] = field(default_factory=list)
    clients: list[DemoClient] = field(default_factory=list)
    organizations: int = 0
    datasets: int = 0
    sdmx_structures: int = 0
    sdmx_links: int = 0
    legal_bases: int = 0
    policies: int = 0
    consents: int = 0
    sharing: DemoSharing | None = None


def _months(start: date, end: date, step: int) -> list[str]:
    periods = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        periods.append(f"{year}-{month:02d}")
        month += step
        while month > 12:
            month -= 12
            year += 1
    return periods


def _periods(spec: dict[str, Any]) -> list[str]:
    start, end = (date.fromisoformat(d) for d in spec["period"])
    frequency = spec["frequency"]
    if frequency == "ANNUAL":
        return [str(year) for year in range(start.year, end.year + 1)]
    if frequency == "QUARTERLY":
        return [f"{p[:4]}-T{(int(p[5:]) - 1) // 3 + 1}" for p in _months(start, end, 3)]
    return _months(start, end, 1)


def aggregate_csv(spec: dict[str, Any]) -> bytes:
    """A table of synthetic totals by period, sex and (where relevant) country."""
    rng = random.Random(spec["name"])  # noqa: S311 # deterministic synthetic figures
    unit = spec["unit"]["es"].lower()
    scale = rng.randint(200, 20_000)
    countries = list(spec["spatial"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["periodo", "pais", "sexo", "unidad", "valor"])
    for period in _periods(spec)[-36:]:
        for country in countries:
            for sex in ("F", "M"):
                writer.writerow([period, country, sex, unit, int(scale * rng.uniform(0.6, 1.4))])
    return buffer.getvalue().encode("utf-8")


def register_csv(spec: dict[str, Any], rows: int = 200) -> bytes:
    """A pseudonymised register extract with made-up records (no names, no real ids)."""
    rng = random.Random(spec["name"])  # noqa: S311 # deterministic synthetic records
    country = spec["spatial"][0]
    prefix = spec["name"].split("-")[0][:4].upper()
    occupations = spec.get("occupations") or ["9211", "9313", "5223", "7112"]
    start, end = (date.fromisoformat(d) for d in spec["period"])
    span = (end - start).days
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "id_seudonimo",
            "fecha_registro",
            "sexo",
            "grupo_edad",
            "pais_residencia",
            "subdivision",
            "ocupacion_ciuo08",
        ]
    )
    for number in range(1, rows + 1):
        day = date.fromordinal(start.toordinal() + rng.randint(0, span))
        writer.writerow(
            [
                f"{prefix}-{rng.randrange(16**6):06x}-{number:04d}",
                day.isoformat(),
                rng.choice(["F", "M"]),
                rng.choice(["15-24", "25-34", "35-44", "45-54", "55-64"]),
                country,
                f"{country}-{rng.randint(1, 22):02d}",
                rng.choice(occupations),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def build_document(spec: dict[str, Any], publisher: dict[str, Any]) -> dict[str, Any]:
    """Expand a compact demo entry into a full dataset document."""
    start, end = spec["period"]
    document: dict[str, Any] = {
        "name": spec["name"],
        "publisher": spec["publisher"],
        "title": spec["title"],
        "description": spec["description"],
        "keywords": spec["keywords"],
        "themes": spec["themes"],
        "access_rights": spec["access_rights"],
        "personal_data": spec["personal_data"],
        "spatial": spec["spatial"],
        "temporal": [{"start": start, "end": end}],
        "accrual_periodicity": spec["frequency"],
        "languages": spec.get("languages", ["SPA"]),
        "contact_point": {
            "name": f"Unidad de estadística y datos, {publisher['acronym']}",
            "url": publisher["homepage"],
        },
        "landing_page": spec.get("landing_page", publisher["homepage"]),
        "version": end[:4],
        "provenance": {
            "es": f"Producido por {publisher['title']['es']} a partir de {spec['source_system']}.",
            "en": f"Produced by the {publisher['title']['en']} from {spec['source_system']}.",
        },
    }
    profile: dict[str, Any] = {
        "unit_of_measure": spec["unit"],
        "geographic_breakdown": spec["breakdown"],
        "collection_method": spec["method"],
        "source_system": spec["source_system"],
        "reference_period": {"start": start, "end": end},
    }
    if spec.get("population"):
        profile["statistical_population"] = spec["population"]
    if spec.get("occupations"):
        profile["occupations"] = spec["occupations"]
    if spec.get("activities"):
        profile["economic_activities"] = spec["activities"]
    if spec.get("corridors"):
        profile["migration_corridors"] = [
            {"origin": origin, "destination": destination}
            for origin, destination in spec["corridors"]
        ]
    if any(kind == "csv" for kind, _, _ in spec["distributions"]):
        # The published tables (aggregate_csv) have one series per country and sex.
        profile.update(
            {
                "dimensions": [dict(component) for component in _TABLE_DIMENSIONS],
                "attributes": [dict(component) for component in _TABLE_ATTRIBUTES],
                "num_series": 2 * len(spec["spatial"]),
            }
        )
    if spec["method"] in {"survey", "household-survey"}:
        profile["quality_annotations"] = [dict(_SAMPLING_NOTE)]
    if spec.get("sdmx_dataflow"):
        profile["sdmx_dataflow"] = dict(spec["sdmx_dataflow"])
    document["labour_migration"] = profile
    return document


# The columns of the synthetic tables, as StatDCAT-AP components (SDMX concept ids).
_TABLE_DIMENSIONS: tuple[dict[str, Any], ...] = (
    {"code": "TIME_PERIOD", "label": {"es": "Periodo", "en": "Time period"}},
    {"code": "REF_AREA", "label": {"es": "País", "en": "Reference area"}},
    {"code": "SEX", "label": {"es": "Sexo", "en": "Sex"}},
)
_TABLE_ATTRIBUTES: tuple[dict[str, Any], ...] = (
    {"code": "UNIT_MEASURE", "label": {"es": "Unidad de medida", "en": "Unit of measure"}},
)
_SAMPLING_NOTE: dict[str, Any] = {
    "text": {
        "es": "Estimaciones por muestreo: cada cifra tiene error de muestreo; los coeficientes "
        "de variación se publican con la documentación metodológica.",
        "en": "Sample estimates: every figure carries sampling error; coefficients of "
        "variation are published with the methodological documentation.",
    }
}
_DISTRIBUTION_NOTES: dict[str, dict[str, str]] = {
    "csv": {
        "es": "Archivo CSV (UTF-8) con una fila por periodo, país y sexo.",
        "en": "CSV file (UTF-8) with one row per period, country and sex.",
    },
    "restricted": {
        "es": "Extracto seudonimizado, servido solo por la pasarela de datos del catálogo a "
        "instituciones con un acuerdo de intercambio vigente.",
        "en": "Pseudonymised extract, served only by the catalog's data gateway to "
        "institutions with an active sharing agreement.",
    },
    "page": {
        "es": "Página de la institución con la documentación.",
        "en": "The institution's page with the documentation.",
    },
}
_RESTRICTED_RIGHTS: dict[str, str] = {
    "es": "Uso estadístico exclusivamente, en los términos del acuerdo de intercambio.",
    "en": "Statistical use only, on the terms of the sharing agreement.",
}


def _distribution(
    spec: dict[str, Any],
    kind: str,
    title_es: str,
    title_en: str,
    publisher: dict[str, Any],
    storage_root: Path,
    index: int,
) -> dict[str, Any]:
    title = {"es": title_es, "en": title_en}
    description = dict(_DISTRIBUTION_NOTES[kind])
    if kind == "page":
        return {
            "title": title,
            "description": description,
            "access_url": publisher["homepage"],
            "format": "HTML",
            "media_type": "text/html",
        }
    restricted = kind == "restricted"
    folder = "restricted" if restricted else "public"
    key = f"{publisher['name']}/{folder}/{spec['name']}/{index + 1}.csv"
    path = storage_root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(register_csv(spec) if restricted else aggregate_csv(spec))
    document: dict[str, Any] = {
        "title": title,
        "description": description,
        "format": "CSV",
        "media_type": "text/csv",
        "storage_key": key,
        "restricted": restricted,
        "languages": spec.get("languages", ["SPA"]),
    }
    if restricted:
        document["rights"] = dict(_RESTRICTED_RIGHTS)
    else:
        document["license"] = LICENCE_CC_BY
    return document


def _record_governance(
    session: Session,
    actor: Principal,
    name: str,
    governance: DemoGovernance,
    base_uri: str,
    result: DemoResult,
) -> None:
    for document in governance.legal_bases:
        legal_bases.create_legal_basis(session, actor=actor, name=name, document=document)
        result.legal_bases += 1
    if governance.policy is not None:
        dataset_policies.set_policy(
            session,
            actor=actor,
            name=name,
            body=governance.policy,
            if_match=None,
            base_uri=base_uri,
        )
        result.policies += 1
    for consent in governance.consents:
        document = {k: v for k, v in consent.items() if k != "events"}
        state = consents.create_consent(session, actor=actor, name=name, document=document)
        for event in consent.get("events", ()):
            consents.add_event(
                session, actor=actor, name=name, consent_id=state.record.id, document=event
            )
        result.consents += 1


def load_demo(
    session: Session,
    *,
    storage_root: Path,
    base_uri: str,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Fill an empty catalog with the demo institutions, users, datasets and their governance.

    A dataset with personal data gets its legal bases (and, if restricted, its offer)
    while it is a draft, because the catalog refuses to publish it without them.
    """
    actor = Principal.system(DEMO_ACTOR)
    say = progress or (lambda _message: None)
    result = DemoResult(password=secrets.token_urlsafe(12))
    by_name = {}
    for data in ORGANIZATIONS:
        by_name[data["name"]] = organizations.create_organization(session, actor=actor, data=data)
    result.organizations = len(by_name)
    say(f"{len(by_name)} organizations")
    for username, full_name, roles in USERS:
        user = accounts.create_user(
            session, actor=actor, username=username, full_name=full_name, password=result.password
        )
        for org_name, role in roles:
            accounts.add_membership(
                session, actor=actor, user=user, organization=by_name[org_name], role=Role(role)
            )
        _, token = accounts.create_api_token(session, actor=actor, user=user, name="demo")
        result.users.append(DemoCredentials(username, roles, token))
    say(f"{len(result.users)} users with API tokens")
    result.clients = _demo_clients(session, actor)
    say(f"{len(result.clients)} OAuth clients")
    publishers = {data["name"]: data for data in ORGANIZATIONS}
    for spec in DATASETS:
        publisher = publishers[spec["publisher"]]
        status = spec.get("status", "published")
        governance = GOVERNANCE.get(spec["name"])
        document = build_document(spec, publisher)
        if governance is not None and governance.retention_period:
            document["retention_period"] = governance.retention_period
        publish = status in {"published", "withdrawn"}
        dataset = datasets.create_dataset(
            session, actor=actor, document=document, publish=publish and governance is None
        )
        for index, (kind, title_es, title_en) in enumerate(spec["distributions"]):
            distributions.add_distribution(
                session,
                actor=actor,
                name=dataset.name,
                document=_distribution(
                    spec, kind, title_es, title_en, publisher, storage_root, index
                ),
                storage_root=storage_root,
            )
        if governance is not None:
            _record_governance(session, actor, dataset.name, governance, base_uri, result)
            if publish:
                datasets.publish_dataset(session, actor=actor, name=dataset.name)
        if status == "withdrawn":
            datasets.withdraw_dataset(
                session, actor=actor, name=dataset.name, reason=spec["withdrawal_reason"]
            )
    result.datasets = len(DATASETS)
    say(f"{len(DATASETS)} datasets")
    say(
        f"{result.legal_bases} legal bases, {result.policies} offer policies, "
        f"{result.consents} consent records"
    )
    # Imported here so that `python -m catalog.demo.sdmx_structures` (which regenerates
    # the message) does not find its module already imported by this package.
    from catalog.demo.sdmx_structures import MESSAGE_PATH, dataflow_links

    message = MESSAGE_PATH.read_bytes()
    report = sdmx.import_message(session, actor=actor, data=message, max_bytes=len(message))
    result.sdmx_structures = len(report.items)
    for name, urn in dataflow_links():
        sdmx.link_dataset(session, actor=actor, name=name, target=sdmx.ref_from(urn=urn))
    result.sdmx_links = len(dataflow_links())
    say(
        f"{result.sdmx_structures} SDMX structures (DSD_LABOUR_MIGRATION), "
        f"{result.sdmx_links} datasets linked to their dataflows"
    )
    result.sharing = load_sharing(session, actor=actor, base_uri=base_uri)
    say(
        "sharing: an active GT–MX agreement on border-worker cards, a pending HN→SV request "
        "on returned migrants, an expired HN–MX agreement"
    )
    return result


def _demo_clients(session: Session, actor: Principal) -> list[DemoClient]:
    """A machine client per ministry with requesters, and one public app for people."""
    clients = []
    requester_orgs = sorted(
        {org for _, _, roles in USERS for org, role in roles if role == Role.REQUESTER}
    )
    for org_name in requester_orgs:
        client, secret = oauth.create_client(
            session,
            actor=actor,
            organization=org_name,
            name=f"Sistema de información de {org_name}",
            grant_types=["client_credentials"],
            scopes=MACHINE_SCOPES,
            roles=[Role.REQUESTER],
        )
        clients.append(
            DemoClient(
                client.client_id,
                secret,
                org_name,
                f"client_credentials, role requester, scopes {' '.join(MACHINE_SCOPES)}",
            )
        )
    app, _ = oauth.create_client(
        session,
        actor=actor,
        organization="sisca",
        name="Aplicación SIMEL (navegador y línea de comandos)",
        grant_types=["authorization_code", "refresh_token"],
        scopes=APP_SCOPES,
        redirect_uris=[DEMO_REDIRECT_URI],
        public=True,
    )
    clients.append(
        DemoClient(app.client_id, None, "sisca", f"public, PKCE, redirect {DEMO_REDIRECT_URI}")
    )
    return clients
