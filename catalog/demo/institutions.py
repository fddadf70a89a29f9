"""The institutions of the demo catalog: real names, made-up records."""

from __future__ import annotations

from typing import Any

ORGANIZATIONS: list[dict[str, Any]] = [
    # Guatemala
    {
        "name": "mintrab-gt",
        "acronym": "MINTRAB",
        "country": "GTM",
        "kind": "labour-ministry",
        "title": {
            "es": "Ministerio de Trabajo y Previsión Social de Guatemala",
            "en": "Ministry of Labour and Social Welfare of Guatemala",
        },
        "homepage": "https://www.mintrabajo.gob.gt",
    },
    {
        "name": "igm-gt",
        "acronym": "IGM",
        "country": "GTM",
        "kind": "migration-authority",
        "title": {
            "es": "Instituto Guatemalteco de Migración",
            "en": "Guatemalan Migration Institute",
        },
        "homepage": "https://igm.gob.gt",
    },
    {
        "name": "ine-gt",
        "acronym": "INE",
        "country": "GTM",
        "kind": "statistics-office",
        "title": {
            "es": "Instituto Nacional de Estadística de Guatemala",
            "en": "National Statistics Institute of Guatemala",
        },
        "homepage": "https://www.ine.gob.gt",
    },
    {
        "name": "minex-gt",
        "acronym": "MINEX",
        "country": "GTM",
        "kind": "foreign-affairs",
        "title": {
            "es": "Ministerio de Relaciones Exteriores de Guatemala",
            "en": "Ministry of Foreign Affairs of Guatemala",
        },
        "homepage": "https://www.minex.gob.gt",
    },
    # El Salvador
    {
        "name": "mtps-sv",
        "acronym": "MTPS",
        "country": "SLV",
        "kind": "labour-ministry",
        "title": {
            "es": "Ministerio de Trabajo y Previsión Social de El Salvador",
            "en": "Ministry of Labour and Social Welfare of El Salvador",
        },
        "homepage": "https://www.mtps.gob.sv",
    },
    {
        "name": "dgme-sv",
        "acronym": "DGME",
        "country": "SLV",
        "kind": "migration-authority",
        "title": {
            "es": "Dirección General de Migración y Extranjería de El Salvador",
            "en": "General Directorate of Migration and Foreigners of El Salvador",
        },
        "homepage": "https://www.migracion.gob.sv",
    },
    {
        "name": "onec-sv",
        "acronym": "ONEC",
        "country": "SLV",
        "kind": "statistics-office",
        "title": {
            "es": "Oficina Nacional de Estadística y Censos (Banco Central de Reserva)",
            "en": "National Office of Statistics and Censuses (Central Reserve Bank)",
        },
        "homepage": "https://onec.bcr.gob.sv",
    },
    {
        "name": "rree-sv",
        "acronym": "RREE",
        "country": "SLV",
        "kind": "foreign-affairs",
        "title": {
            "es": "Ministerio de Relaciones Exteriores de El Salvador",
            "en": "Ministry of Foreign Affairs of El Salvador",
        },
        "homepage": "https://rree.gob.sv",
    },
    # Honduras
    {
        "name": "stss-hn",
        "acronym": "STSS",
        "country": "HND",
        "kind": "labour-ministry",
        "title": {
            "es": "Secretaría de Trabajo y Seguridad Social de Honduras",
            "en": "Secretariat of Labour and Social Security of Honduras",
        },
        "homepage": "https://www.trabajo.gob.hn",
    },
    {
        "name": "inm-hn",
        "acronym": "INM",
        "country": "HND",
        "kind": "migration-authority",
        "title": {
            "es": "Instituto Nacional de Migración de Honduras",
            "en": "National Migration Institute of Honduras",
        },
        "homepage": "https://inm.gob.hn",
    },
    {
        "name": "ine-hn",
        "acronym": "INE",
        "country": "HND",
        "kind": "statistics-office",
        "title": {
            "es": "Instituto Nacional de Estadística de Honduras",
            "en": "National Statistics Institute of Honduras",
        },
        "homepage": "https://www.ine.gob.hn",
    },
    {
        "name": "sreci-hn",
        "acronym": "SRECI",
        "country": "HND",
        "kind": "foreign-affairs",
        "title": {
            "es": "Secretaría de Relaciones Exteriores y Cooperación Internacional de Honduras",
            "en": "Secretariat of Foreign Affairs and International Cooperation of Honduras",
        },
        "homepage": "https://sreci.gob.hn",
    },
    # Mexico
    {
        "name": "stps-mx",
        "acronym": "STPS",
        "country": "MEX",
        "kind": "labour-ministry",
        "title": {
            "es": "Secretaría del Trabajo y Previsión Social de México",
            "en": "Ministry of Labour and Social Welfare of Mexico",
        },
        "homepage": "https://www.gob.mx/stps",
    },
    {
        "name": "inm-mx",
        "acronym": "INM",
        "country": "MEX",
        "kind": "migration-authority",
        "title": {
            "es": "Instituto Nacional de Migración de México",
            "en": "National Migration Institute of Mexico",
        },
        "homepage": "https://www.gob.mx/inm",
    },
    {
        "name": "upmrip-mx",
        "acronym": "UPMRIP",
        "country": "MEX",
        "kind": "migration-authority",
        "title": {
            "es": "Unidad de Política Migratoria, Registro e Identidad de Personas",
            "en": "Migration Policy, Registry and Identity of Persons Unit",
        },
        "homepage": "https://portales.segob.gob.mx/es/PoliticaMigratoria",
    },
    {
        "name": "inegi-mx",
        "acronym": "INEGI",
        "country": "MEX",
        "kind": "statistics-office",
        "title": {
            "es": "Instituto Nacional de Estadística y Geografía",
            "en": "National Institute of Statistics and Geography",
        },
        "homepage": "https://www.inegi.org.mx",
    },
    {
        "name": "sre-mx",
        "acronym": "SRE",
        "country": "MEX",
        "kind": "foreign-affairs",
        "title": {
            "es": "Secretaría de Relaciones Exteriores de México",
            "en": "Ministry of Foreign Affairs of Mexico",
        },
        "homepage": "https://www.gob.mx/sre",
    },
    # Belize
    {
        "name": "labour-bz",
        "acronym": "LD",
        "country": "BLZ",
        "kind": "labour-ministry",
        "title": {"es": "Departamento de Trabajo de Belice", "en": "Labour Department of Belize"},
        "homepage": "https://labour.gov.bz",
    },
    {
        "name": "immigration-bz",
        "acronym": "INDB",
        "country": "BLZ",
        "kind": "migration-authority",
        "title": {
            "es": "Departamento de Inmigración y Nacionalidad de Belice",
            "en": "Immigration and Nationality Department of Belize",
        },
        "homepage": "https://immigration.gov.bz",
    },
    {
        "name": "sib-bz",
        "acronym": "SIB",
        "country": "BLZ",
        "kind": "statistics-office",
        "title": {
            "es": "Instituto de Estadística de Belice",
            "en": "Statistical Institute of Belize",
        },
        "homepage": "https://sib.org.bz",
    },
    # Regional
    {
        "name": "sisca",
        "acronym": "SISCA",
        "country": "SLV",
        "kind": "regional-body",
        "title": {
            "es": "Secretaría de la Integración Social Centroamericana",
            "en": "Secretariat for Central American Social Integration",
        },
        "homepage": "https://www.sisca.int",
    },
]

# (username, full name, [(organization, role), ...]). Fictitious people.
USERS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("admin", "Administración del catálogo", [("sisca", "admin")]),
    ("auditor", "Auditoría regional de gobernanza de datos", [("sisca", "auditor")]),
]
for _org in ORGANIZATIONS:
    if _org["kind"] == "regional-body":
        continue
    USERS.append(
        (
            f"{_org['name']}.steward",
            f"Responsable de datos, {_org['acronym']}",
            [(_org["name"], "steward")],
        )
    )
    # Every publisher signs the agreements on its datasets (statistics offices offer
    # microdata too); ministries and migration authorities also request data.
    USERS.append(
        (
            f"{_org['name']}.signatory",
            f"Firmante autorizado, {_org['acronym']}",
            [(_org["name"], "signatory")],
        )
    )
    if _org["kind"] in {"labour-ministry", "migration-authority"}:
        USERS.append(
            (
                f"{_org['name']}.requester",
                f"Solicitante, {_org['acronym']}",
                [(_org["name"], "requester")],
            )
        )
