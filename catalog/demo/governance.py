"""Governance records of the demo datasets: legal bases, offers, consent records.

The legal instruments are real and named by their official titles; a number (decree,
law) is given only where it is certain, and no article or URL is cited unless it is
certain too (only the Vienna Convention's article 5 is). The consent form of the
temporary-work programme is a demo stand-in and says so; consent counts are made up.
Validity dates are the start of each register's demo period, not claims about when an
instrument entered into force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATISTICS = "ProvideOfficialStatistics"
POLICY = "PublicPolicyMaking"
SERVICES = "ImprovePublicServices"


def _instrument(
    kind: str, es: str, en: str, identifier: str | None = None, article: str | None = None
) -> dict[str, Any]:
    instrument: dict[str, Any] = {"kind": kind, "title": {"es": es, "en": en}}
    if identifier:
        instrument["identifier"] = identifier
    if article:
        instrument["article"] = article
    return instrument


def _basis(
    basis: str,
    instrument: dict[str, Any],
    jurisdictions: list[str],
    purposes: list[str],
    valid_from: str,
    notes: dict[str, str] | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "basis": basis,
        "instrument": instrument,
        "jurisdictions": jurisdictions,
        "purposes": purposes,
        "valid_from": valid_from,
    }
    if notes:
        document["notes"] = notes
    return document


# ------------------------------------------------------------------------- instruments

GT_LABOUR_CODE = _instrument(
    "law", "Código de Trabajo (Decreto 1441)", "Labour Code (Decree 1441)", "Decreto 1441"
)
GT_MIGRATION_CODE = _instrument(
    "law",
    "Código de Migración (Decreto 44-2016)",
    "Migration Code (Decree 44-2016)",
    "Decreto 44-2016",
)
GT_STATISTICS_LAW = _instrument(
    "decree",
    "Ley Orgánica del Instituto Nacional de Estadística (Decreto Ley 3-85)",
    "Organic Law of the National Statistics Institute (Decree-Law 3-85)",
    "Decreto Ley 3-85",
)
GT_ACCESS_LAW = _instrument(
    "law",
    "Ley de Acceso a la Información Pública (Decreto 57-2008)",
    "Access to Public Information Law (Decree 57-2008)",
    "Decreto 57-2008",
)
SV_MIGRATION_LAW = _instrument(
    "law",
    "Ley Especial de Migración y de Extranjería",
    "Special Law on Migration and Foreigners",
)
HN_MIGRATION_LAW = _instrument(
    "law", "Ley de Migración y Extranjería", "Law on Migration and Foreigners"
)
HN_LABOUR_CODE = _instrument("law", "Código del Trabajo", "Labour Code")
MX_MIGRATION_LAW = _instrument("law", "Ley de Migración", "Migration Law")
MX_DATA_PROTECTION = _instrument(
    "law",
    "Ley General de Protección de Datos Personales en Posesión de Sujetos Obligados",
    "General Law on the Protection of Personal Data Held by Obligated Subjects",
)
MX_STATISTICS_LAW = _instrument(
    "law",
    "Ley del Sistema Nacional de Información Estadística y Geográfica",
    "Law of the National System of Statistical and Geographical Information",
)
BZ_LABOUR_ACT = _instrument("law", "Labour Act", "Labour Act")
VIENNA_CONSULAR = _instrument(
    "treaty",
    "Convención de Viena sobre Relaciones Consulares (1963)",
    "Vienna Convention on Consular Relations (1963)",
    article="Artículo 5 (funciones consulares)",
)
PROGRAMME_CONSENT_FORM = _instrument(
    "other",
    "Aviso de privacidad y formulario de consentimiento del programa (ejemplo de demostración)",
    "Privacy notice and consent form of the programme (demo example)",
)

# ------------------------------------------------------------------------- per dataset


@dataclass(frozen=True)
class DemoGovernance:
    """What the demo records for one dataset before it is published."""

    legal_bases: list[dict[str, Any]] = field(default_factory=list)
    policy: dict[str, Any] | None = None
    retention_period: str | None = None
    consents: list[dict[str, Any]] = field(default_factory=list)
    """Consent documents, each optionally with ``events`` to append after it."""


def _aggregates(min_cell_size: int = 10) -> dict[str, Any]:
    return {
        "template": "restricted-statistical-aggregates",
        "parameters": {"min_cell_size": min_cell_size},
    }


def _binational(assignees: list[str], **parameters: Any) -> dict[str, Any]:
    return {
        "template": "binational-labour-migration-exchange",
        "parameters": {"assignees": assignees, **parameters},
    }


OPEN_DATA = {"template": "open-data"}

_PROGRAMME_SUBJECTS = {
    "es": "Personas trabajadoras inscritas en el Programa de Trabajo Temporal en el "
    "Extranjero que firmaron el formulario de consentimiento",
    "en": "Workers registered in the Temporary Work Abroad Programme who signed the consent form",
}

GOVERNANCE: dict[str, DemoGovernance] = {
    # Guatemala
    "enei-2024": DemoGovernance(
        legal_bases=[
            _basis("LegalObligation", GT_STATISTICS_LAW, ["GTM"], [STATISTICS], "2024-01-01")
        ],
        policy=OPEN_DATA,
    ),
    "enei-2024-microdatos": DemoGovernance(
        legal_bases=[
            _basis(
                "PublicInterest",
                GT_STATISTICS_LAW,
                ["GTM"],
                [STATISTICS, "ScientificResearch"],
                "2024-01-01",
                {
                    "es": "Microdatos seudonimizados; el secreto estadístico impide difundir "
                    "información individual.",
                    "en": "Pseudonymised microdata; statistical confidentiality forbids "
                    "releasing individual information.",
                },
            )
        ],
        policy=_aggregates(10),
        retention_period="P10Y",
    ),
    "programa-trabajo-temporal-extranjero-gt": DemoGovernance(
        legal_bases=[
            _basis(
                "OfficialAuthorityOfController",
                GT_LABOUR_CODE,
                ["GTM"],
                [SERVICES, POLICY],
                "2022-01-01",
            ),
            _basis(
                "ExplicitlyExpressedConsent",
                PROGRAMME_CONSENT_FORM,
                ["GTM"],
                [STATISTICS, POLICY],
                "2022-01-01",
                {
                    "es": "Compartir los datos con los ministerios de trabajo de los países de "
                    "destino solo se hace con el consentimiento de cada cohorte.",
                    "en": "The data are shared with the labour ministries of destination "
                    "countries only with each cohort's consent.",
                },
            ),
        ],
        policy=_binational(["stps-mx"], purposes=[STATISTICS, POLICY], retention="P3Y"),
        retention_period="P5Y",
        consents=[
            {
                "data_subjects": {
                    "description": {**_PROGRAMME_SUBJECTS},
                    "populations": ["for-work-international-migrants", "seasonal-workers"],
                },
                "subjects_count": 1840,
                "purposes": [STATISTICS, POLICY],
                "recipients": {"organizations": ["stps-mx"], "countries": ["MEX"]},
                "given_at": "2023-01-16T08:00:00-06:00",
                "expires_at": "2026-01-15T23:59:59-06:00",
                "evidence": {
                    "reference": "Formularios de consentimiento, cohorte 2023 (demo)",
                    "method": "formulario firmado en papel",
                },
            },
            {
                "data_subjects": {
                    "description": {**_PROGRAMME_SUBJECTS},
                    "populations": ["for-work-international-migrants", "seasonal-workers"],
                },
                "subjects_count": 2315,
                "purposes": [STATISTICS],
                "recipients": {"organizations": ["stps-mx"], "countries": ["MEX"]},
                "given_at": "2024-02-01T08:00:00-06:00",
                "expires_at": "2027-01-31T23:59:59-06:00",
                "evidence": {
                    "reference": "Formularios de consentimiento, cohorte 2024 (demo)",
                    "method": "formulario firmado en papel",
                },
            },
            {
                "data_subjects": {
                    "description": {
                        "es": "Grupo de San Marcos de la cohorte 2024, que retiró su "
                        "consentimiento",
                        "en": "San Marcos group of the 2024 cohort, who withdrew their consent",
                    },
                    "populations": ["seasonal-workers"],
                },
                "subjects_count": 37,
                "purposes": [STATISTICS],
                "recipients": {"organizations": ["stps-mx"], "countries": ["MEX"]},
                "given_at": "2024-02-05T08:00:00-06:00",
                "expires_at": "2027-01-31T23:59:59-06:00",
                "evidence": {
                    "reference": "Formularios de consentimiento, cohorte 2024, San Marcos (demo)",
                    "method": "formulario firmado en papel",
                },
                "events": [
                    {
                        "event": "withdrawn",
                        "at": "2025-06-30T10:00:00-06:00",
                        "reason": "Las personas trabajadoras retiraron su consentimiento por "
                        "escrito ante la delegación departamental (demo).",
                        "evidence": "Oficio de retiro de consentimiento, San Marcos (demo)",
                    }
                ],
            },
        ],
    ),
    "personas-retornadas-gt": DemoGovernance(
        legal_bases=[
            _basis(
                "OfficialAuthorityOfController",
                GT_MIGRATION_CODE,
                ["GTM"],
                [POLICY, SERVICES, STATISTICS],
                "2023-01-01",
            ),
            _basis(
                "LegalObligation",
                GT_ACCESS_LAW,
                ["GTM"],
                [STATISTICS],
                "2023-01-01",
                {
                    "es": "Protege los datos sensibles en poder de las instituciones públicas.",
                    "en": "Protects sensitive data held by public institutions.",
                },
            ),
        ],
        policy=_aggregates(20),
        retention_period="P10Y",
    ),
    "registro-consular-guatemaltecos-exterior": DemoGovernance(
        legal_bases=[
            _basis(
                "OfficialAuthorityOfController",
                VIENNA_CONSULAR,
                ["GTM"],
                [SERVICES],
                "2020-01-01",
            )
        ],
        retention_period="P10Y",
    ),
    # El Salvador
    "personas-retornadas-sv": DemoGovernance(
        legal_bases=[
            _basis(
                "OfficialAuthorityOfController",
                SV_MIGRATION_LAW,
                ["SLV"],
                [POLICY, SERVICES, STATISTICS],
                "2023-01-01",
            )
        ],
        policy=_aggregates(20),
        retention_period="P10Y",
    ),
    "registro-consular-salvadorenos-exterior": DemoGovernance(
        legal_bases=[
            _basis(
                "OfficialAuthorityOfController",
                VIENNA_CONSULAR,
                ["SLV"],
                [SERVICES],
                "2020-01-01",
            )
        ],
        retention_period="P10Y",
    ),
    # Honduras
    "personas-retornadas-hn": DemoGovernance(
        legal_bases=[
            _basis(
                "OfficialAuthorityOfController",
                HN_MIGRATION_LAW,
                ["HND"],
                [POLICY, SERVICES, STATISTICS],
                "2023-01-01",
            )
        ],
        policy=_aggregates(10),
        retention_period="P10Y",
    ),
    "trabajo-temporal-extranjero-hn": DemoGovernance(
        legal_bases=[
            _basis(
                "OfficialAuthorityOfController",
                HN_LABOUR_CODE,
                ["HND"],
                [SERVICES, POLICY, STATISTICS],
                "2022-01-01",
            )
        ],
        policy=_binational(["stps-mx"], min_cell_size=5),
        retention_period="P5Y",
    ),
    # Mexico
    "enoe-2024": DemoGovernance(
        legal_bases=[
            _basis("LegalObligation", MX_STATISTICS_LAW, ["MEX"], [STATISTICS], "2024-01-01")
        ],
        policy=OPEN_DATA,
    ),
    "registro-titulares-tvtf": DemoGovernance(
        legal_bases=[
            _basis(
                "OfficialAuthorityOfController",
                MX_MIGRATION_LAW,
                ["MEX"],
                [SERVICES, POLICY, STATISTICS],
                "2022-01-01",
                {
                    "es": "La Tarjeta de Visitante Trabajador Fronterizo se expide con "
                    "fundamento en esta ley.",
                    "en": "The Border Worker Visitor Card is issued under this law.",
                },
            ),
            _basis(
                "DataTransferLegalBasis",
                MX_DATA_PROTECTION,
                ["MEX"],
                [STATISTICS, POLICY],
                "2022-01-01",
                {
                    "es": "Las transferencias a autoridades de Guatemala siguen las reglas de "
                    "transferencia de esta ley.",
                    "en": "Transfers to Guatemalan authorities follow this law's rules on "
                    "transfers.",
                },
            ),
        ],
        policy=_binational(["mintrab-gt", "igm-gt"], recipient_countries=["GTM"]),
        retention_period="P10Y",
    ),
    "matriculas-consulares": DemoGovernance(
        legal_bases=[
            _basis(
                "OfficialAuthorityOfController",
                VIENNA_CONSULAR,
                ["MEX"],
                [SERVICES],
                "2020-01-01",
            )
        ],
        retention_period="P10Y",
    ),
    # Belize
    "work-permits-belize": DemoGovernance(
        legal_bases=[
            _basis("LegalObligation", BZ_LABOUR_ACT, ["BLZ"], [STATISTICS, POLICY], "2019-01-01")
        ],
    ),
}
"""Governance records by dataset name."""
