"""A small sharing world for tests: Guatemala asks El Salvador for returned-migrant data.

``make_world()`` creates, through the services:

* organizations mintrab-gt (GTM, the requester), dgme-sv (SLV, the provider), inm-hn
  (HND, in no agreement) and sisca (the regional body);
* people: ``gt.requester``, ``gt.signatory``, ``sv.steward``, ``sv.signatory``,
  ``hn.requester``, ``auditor`` (their personal API tokens in ``world.tokens``);
* ``retornados-sv``: restricted, sensitive, published by dgme-sv with a legal basis and
  the binational offer naming mintrab-gt (recipient country GTM), and one restricted
  CSV distribution whose file is in storage (``world.content``).

Everything is synthetic.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session

from catalog import distributions
from catalog.models import Dataset, Distribution, User
from tests.conftest import SYSTEM, legal_basis_document

DATASET = "retornados-sv"
CONTENT = (
    "id_seudonimo,sexo,grupo_edad,via_retorno,pais_procedencia\n"
    + "".join(f"SV{n:05d},{'F' if n % 2 else 'M'},25-34,aerea,USA\n" for n in range(200))
).encode()


@dataclass
class World:
    """What :func:`make_world` created."""

    dataset: Dataset
    distribution: Distribution
    content: bytes
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def data_path(self) -> str:
        return f"/api/v1/datasets/{DATASET}/distributions/{self.distribution.id}/data"


def request_document(**overrides: Any) -> dict[str, Any]:
    """A valid access request from mintrab-gt for the world's dataset."""
    today = dt.date.today()
    document: dict[str, Any] = {
        "datasets": [DATASET],
        "purpose": "ProvideOfficialStatistics",
        "intended_use": {"es": "Estadísticas de retorno para el SIMEL de Guatemala."},
        "fields": ["sexo", "grupo_edad"],
        "period": {
            "start": today.isoformat(),
            "end": (today + dt.timedelta(days=180)).isoformat(),
        },
    }
    document.update(overrides)
    return document


def make_world(
    session: Session,
    make_org: Any,
    make_user: Any,
    make_dataset: Any,
    storage: Path,
    *,
    policy: dict[str, Any] | None = None,
    legal_basis: dict[str, Any] | None = None,
) -> World:
    """Create the world (see the module docstring); ``policy`` replaces the offer."""
    make_org("sisca", country="SLV", kind="regional-body")
    make_org("mintrab-gt", country="GTM")
    make_org("dgme-sv", country="SLV", kind="migration-authority")
    make_org("inm-hn", country="HND", kind="migration-authority")
    users: dict[str, User] = {}
    tokens: dict[str, str] = {}
    for username, roles in (
        ("gt.requester", {"requester": "mintrab-gt"}),
        ("gt.signatory", {"signatory": "mintrab-gt"}),
        ("sv.steward", {"steward": "dgme-sv"}),
        ("sv.signatory", {"signatory": "dgme-sv"}),
        ("hn.requester", {"requester": "inm-hn"}),
        ("auditor", {"auditor": "sisca"}),
    ):
        users[username], tokens[username] = make_user(username, **roles)
    dataset = make_dataset(
        DATASET,
        "dgme-sv",
        legal_basis=legal_basis
        or legal_basis_document(
            basis="OfficialAuthorityOfController",
            jurisdictions=["SLV"],
            purposes=["ProvideOfficialStatistics", "PublicPolicyMaking"],
        ),
        policy=policy
        or {
            "template": "binational-labour-migration-exchange",
            "parameters": {"assignees": ["mintrab-gt"], "recipient_countries": ["GTM"]},
        },
        access_rights="RESTRICTED",
        personal_data="sensitive",
        spatial=["SLV"],
        labour_migration={
            "statistical_population": ["return-international-migrant-workers"],
            "collection_method": "administrative-register",
            "unit_of_measure": {"es": "Personas", "en": "Persons"},
        },
    )
    key = f"dgme-sv/restricted/{DATASET}/extracto.csv"
    (storage / "dgme-sv" / "restricted" / DATASET).mkdir(parents=True, exist_ok=True)
    (storage / key).write_bytes(CONTENT)
    distributions.add_distribution(
        session,
        actor=SYSTEM,
        name=DATASET,
        document={
            "title": {"es": "Extracto seudonimizado", "en": "Pseudonymised extract"},
            "format": "CSV",
            "media_type": "text/csv",
            "storage_key": key,
            "restricted": True,
        },
        storage_root=storage,
    )
    session.refresh(dataset)
    (distribution,) = [d for d in session.exec(_distributions_of(dataset)).all() if d.restricted]
    session.commit()  # end the test session's transaction: the app writes next
    return World(dataset, distribution, CONTENT, users, tokens)


def activate_agreement(session: Session, world: World, *, days: int = 90) -> uuid.UUID:
    """mintrab-gt's request approved and signed by both parties: the active agreement's id."""
    from catalog import access_requests, accounts, agreements
    from tests.conftest import BASE_URI

    def who(username: str) -> Any:
        return accounts.authenticate_api_token(session, world.tokens[username])

    today = dt.datetime.now(dt.UTC).date()
    period = {"start": today.isoformat(), "end": (today + dt.timedelta(days=days)).isoformat()}
    request = access_requests.submit(
        session,
        actor=who("gt.requester"),
        document=request_document(period=period),
        base_uri=BASE_URI,
        default_days=365,
    ).request
    access_requests.start_review(session, actor=who("sv.steward"), request_id=request.id)
    approved = access_requests.approve(
        session, actor=who("sv.steward"), request_id=request.id, reason=None, base_uri=BASE_URI
    )
    assert approved.agreement is not None
    agreement_id = approved.agreement.id
    agreements.send_for_signature(session, actor=who("sv.steward"), agreement_id=agreement_id)
    for signatory in ("sv.signatory", "gt.signatory"):
        agreements.sign(session, actor=who(signatory), agreement_id=agreement_id)
    session.commit()  # end the session's transaction: the app writes next
    return agreement_id


def _distributions_of(dataset: Dataset) -> Any:
    from sqlmodel import select

    return select(Distribution).where(Distribution.dataset_id == dataset.id)
