"""Shared fixtures for the policies tests: the standards folder, the schema, hierarchies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from policies import Hierarchy, Policy, RequestContext, templates
from tests.standards_dir import STANDARDS

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEMA_PATH = REPO / "metadata_schemas" / "odrl-policy-1.0.schema.json"


@pytest.fixture(scope="session")
def standards() -> Path:
    assert (STANDARDS / "odrl").is_dir(), f"the standards folder {STANDARDS} has no odrl/"
    return STANDARDS


@pytest.fixture(scope="session")
def schema_validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def own_fixture_names() -> list[str]:
    return sorted(p.name for p in FIXTURES.glob("*.json"))


NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

DPV = "https://w3id.org/dpv#"
ODRL = "http://www.w3.org/ns/odrl/2/"
SIMEL = "https://w3id.org/simel/odrl#"
EU = "http://publications.europa.eu/resource/authority/country/"

MINTRAB_GT = "https://catalog.simel.example/org/mintrab-gt"
STPS_MX = "https://catalog.simel.example/org/stps-mx"
INM_MX = "https://catalog.simel.example/org/inm-mx"
STPS_SV = "https://catalog.simel.example/org/mtps-sv"
THIRD_PARTY = "https://example.org/org/consultancy"
DATASET = "https://catalog.simel.example/dataset/gt-emigrant-workers-2023"
OTHER_DATASET = "https://catalog.simel.example/dataset/hn-wages-2022"


def request(**overrides: Any) -> RequestContext:
    """A request by STPS (MX) to read the GT dataset for official statistics, now."""
    values: dict[str, Any] = {
        "action": "read",
        "time": NOW,
        "assignee": STPS_MX,
        "assignee_country": "MEX",
        "target": DATASET,
        "purpose": DPV + "ProvideOfficialStatistics",
    }
    values.update(overrides)
    return RequestContext(**values)


SMALL_HIERARCHY = Hierarchy(
    purposes={
        DPV + "ProvideOfficialStatistics": [DPV + "PublicBenefit"],
        DPV + "PublicPolicyMaking": [DPV + "PublicBenefit"],
        DPV + "PublicBenefit": [DPV + "Purpose"],
        DPV + "AcademicResearch": [DPV + "ResearchAndDevelopment"],
        DPV + "ResearchAndDevelopment": [DPV + "Purpose"],
        "https://example.org/purpose/LabourMigrationStatistics": [
            DPV + "ProvideOfficialStatistics"
        ],
    },
    places={
        "GTM": ["https://example.org/region/CA4"],
        "SLV": ["https://example.org/region/CA4"],
        "HND": ["https://example.org/region/CA4"],
        "NIC": ["https://example.org/region/CA4"],
        "https://example.org/region/CA4": ["https://example.org/region/SICA"],
        "BLZ": ["https://example.org/region/SICA"],
    },
    parties={STPS_MX: ["https://catalog.simel.example/group/mx-ministries"]},
    assets={DATASET: ["https://catalog.simel.example/collection/migration"]},
)


def all_templates() -> list[Policy]:
    """One of each template, plus an Agreement derived from each Offer."""
    offers = [
        templates.open_data(
            uid="https://catalog.simel.example/policy/open", assigner=MINTRAB_GT, targets=[DATASET]
        ),
        templates.restricted_statistical_aggregates(
            uid="https://catalog.simel.example/policy/aggregates",
            assigner=MINTRAB_GT,
            targets=[DATASET],
            min_cell_size=5,
        ),
        templates.binational_labour_migration_exchange(
            uid="https://catalog.simel.example/policy/binational",
            assigner=MINTRAB_GT,
            assignees=[STPS_MX, INM_MX],
            recipient_countries=["MEX"],
            targets=[DATASET],
        ),
        templates.binational_labour_migration_exchange(
            uid="https://catalog.simel.example/policy/binational-aggregates",
            assigner=MINTRAB_GT,
            assignees=[STPS_SV],
            recipient_countries=[EU + "SLV"],
            targets=[DATASET, OTHER_DATASET],
            purposes=[DPV + "ProvideOfficialStatistics"],
            retention="P18M",
            min_cell_size=10,
        ),
    ]
    agreements = [
        templates.agreement_from_offer(
            offer,
            uid=offer.uid + "/agreement",
            assigner=MINTRAB_GT,
            assignees=[STPS_MX],
            targets=[DATASET],
            valid_from=datetime(2025, 1, 1, tzinfo=UTC),
            valid_until=datetime(2027, 1, 1, tzinfo=UTC),
            purpose=DPV + "ProvideOfficialStatistics",
            legal_basis=[DPV + "PublicInterest", DPV + "LegalObligation"],
        )
        for offer in offers
    ]
    return offers + agreements
