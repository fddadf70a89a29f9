"""The demo's data sharing: one agreement or request in each state worth seeing.

* **Active**: Mexico's INM shares the Border Worker Visitor Card register
  (``registro-titulares-tvtf``) with Guatemala's Ministry of Labour. MINTRAB asked,
  INM's steward approved, both signatories signed; MINTRAB's machine client can download
  the extract through the gateway.
* **Pending**: Honduras' migration institute asks El Salvador's DGME for its returned
  migrants register, for official statistics with cells of 20 or more, waiting for
  DGME's review.
* **Expired**: Honduras' STSS shared the temporary-work-abroad register with Mexico's
  STPS for a period that ended a month ago (replayed with the dates it had), for tables
  with cells of 10 or more, as the offer (cells of 5 or more) asks: so STSS's steward
  can renew it as it was.

Everything goes through the services a steward, a requester and a signatory use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from catalog import access_requests, agreements, organizations
from catalog.datasets import get_dataset
from catalog.db import utcnow
from catalog.principals import Principal


@dataclass(frozen=True)
class DemoSharing:
    """What the demo's sharing step created."""

    active: str
    pending_request: str
    expired: str


def load_sharing(session: Session, *, actor: Principal, base_uri: str) -> DemoSharing:
    """Create the demo's active and expired agreements and its pending request."""
    today = utcnow().date()
    active = access_requests.submit(
        session,
        actor=actor,
        document={
            "requester": "mintrab-gt",
            "datasets": ["registro-titulares-tvtf"],
            "purpose": "ProvideOfficialStatistics",
            "intended_use": {
                "es": "Estadísticas de la migración laboral transfronteriza de personas "
                "guatemaltecas hacia el sur de México, para el SIMEL de Guatemala.",
                "en": "Statistics of Guatemalan cross-border labour migration to southern "
                "Mexico, for Guatemala's SIMEL.",
            },
            "fields": ["sexo", "grupo_edad", "entidad_federativa", "ocupacion", "mes"],
            "period": {
                "start": (today - dt.timedelta(days=30)).isoformat(),
                "end": (today + dt.timedelta(days=365)).isoformat(),
            },
        },
        base_uri=base_uri,
        default_days=365,
    )
    request_id = active.request.id
    access_requests.start_review(session, actor=actor, request_id=request_id)
    approved = access_requests.approve(
        session,
        actor=actor,
        request_id=request_id,
        reason="Conforme al memorando de entendimiento sobre movilidad laboral (demo).",
        base_uri=base_uri,
    )
    assert approved.agreement is not None  # noqa: S101 # approval drafts the agreement
    agreement_id = approved.agreement.id
    agreements.send_for_signature(session, actor=actor, agreement_id=agreement_id)
    for party in ("inm-mx", "mintrab-gt"):
        agreements.sign(session, actor=actor, agreement_id=agreement_id, organization=party)

    pending = access_requests.submit(
        session,
        actor=actor,
        document={
            "requester": "inm-hn",
            "datasets": ["personas-retornadas-sv"],
            "purpose": "ProvideOfficialStatistics",
            "intended_use": {
                "es": "Cuadros regionales de retorno por país de procedencia, sexo y edad "
                "(celdas de 20 personas o más).",
                "en": "Regional return tables by country of origin, sex and age (cells of "
                "20 people or more).",
            },
            "fields": ["pais_procedencia", "sexo", "grupo_edad", "via_retorno"],
            "period": {
                "start": today.isoformat(),
                "end": (today + dt.timedelta(days=180)).isoformat(),
            },
            "min_cell_size": 20,
        },
        base_uri=base_uri,
        default_days=180,
    )

    expired = _expired_agreement(session, actor=actor, base_uri=base_uri, today=today)
    return DemoSharing(str(agreement_id), str(pending.request.id), str(expired))


def _expired_agreement(session: Session, *, actor: Principal, base_uri: str, today: dt.date) -> str:
    start = today - dt.timedelta(days=400)
    drafted = dt.datetime.combine(start, dt.time(15), tzinfo=dt.UTC)
    draft = agreements.create_draft(
        session,
        actor=actor,
        provider=organizations.get_organization(session, "stss-hn"),
        assignees=[organizations.get_organization(session, "stps-mx")],
        datasets=[get_dataset(session, actor=actor, name="trabajo-temporal-extranjero-hn")],
        purpose="PublicPolicyMaking",
        valid_from=start,
        valid_until=today - dt.timedelta(days=31),
        base_uri=base_uri,
        # STPS's commitment: the offer shares aggregates only (cells of 5 or more); without
        # one the agreement would have been record-level use, which the offer denies.
        min_cell_size=10,
        title={
            "es": "Intercambio STSS–STPS sobre trabajo temporal en el extranjero (2025)",
            "en": "STSS–STPS exchange on temporary work abroad (2025)",
        },
        at=drafted,
    )
    session.commit()
    agreements.send_for_signature(
        session, actor=actor, agreement_id=draft.id, at=drafted + dt.timedelta(days=1)
    )
    for days, party in ((3, "stss-hn"), (6, "stps-mx")):
        agreements.sign(
            session,
            actor=actor,
            agreement_id=draft.id,
            organization=party,
            at=drafted + dt.timedelta(days=days),
        )
    agreements.expire_due(session, actor=actor)
    return str(draft.id)
