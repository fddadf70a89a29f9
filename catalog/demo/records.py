"""The datasets of the demo catalog.

Real institutions and real survey and programme names; every record, figure and file
is synthetic. Each entry is expanded by :func:`catalog.demo.build_document` into a full
DCAT-AP + SIMEL labour-migration document, so the demo exercises the same validation
as any steward's submission.
"""

from __future__ import annotations

from typing import Any

# Distribution kinds: "csv" public file served by the catalog, "restricted" a file held
# by the catalog's data gateway, "page" a link to the publisher's own pages.
DATASETS: list[dict[str, Any]] = [
    # ------------------------------------------------------------------ Guatemala
    {
        "name": "enei-2024",
        "publisher": "ine-gt",
        "title": {
            "es": "Encuesta Nacional de Empleo e Ingresos (ENEI) 2024",
            "en": "National Employment and Income Survey (ENEI) 2024",
        },
        "description": {
            "es": "Indicadores de fuerza de trabajo, ocupación, desocupación, informalidad e "
            "ingresos laborales de Guatemala, por dominio de estudio, sexo y grupo de edad. "
            "Incluye el módulo de migración con personas que trabajaron en el extranjero.",
            "en": "Labour force, employment, unemployment, informality and labour income "
            "indicators for Guatemala, by study domain, sex and age group. Includes the "
            "migration module on people who worked abroad.",
        },
        "keywords": {
            "es": ["empleo", "desocupación", "informalidad", "ingresos", "encuesta de hogares"],
            "en": ["employment", "unemployment", "informality", "income", "household survey"],
        },
        "themes": ["employment", "unemployment", "informality", "wages-and-income"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["GTM"],
        "period": ("2024-01-01", "2024-12-31"),
        "frequency": "ANNUAL",
        "method": "survey",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national", "first-level-subdivision"],
        "population": ["international-migrant-workers", "return-international-migrant-workers"],
        "source_system": "ENEI - Encuesta Nacional de Empleo e Ingresos",
        "distributions": [
            ("csv", "Cuadros de indicadores", "Indicator tables"),
            ("page", "Documentación metodológica", "Methodology documentation"),
        ],
    },
    {
        "name": "enei-2024-microdatos",
        "publisher": "ine-gt",
        "title": {
            "es": "ENEI 2024: microdatos seudonimizados",
            "en": "ENEI 2024: pseudonymised microdata",
        },
        "description": {
            "es": "Registros a nivel de persona y hogar de la ENEI 2024, con identificadores "
            "seudonimizados y variables geográficas agregadas a nivel departamental. "
            "Acceso para uso estadístico bajo acuerdo.",
            "en": "Person- and household-level records of ENEI 2024 with pseudonymised "
            "identifiers and geography aggregated to departments. Statistical use "
            "under agreement.",
        },
        "keywords": {
            "es": ["microdatos", "empleo", "migración"],
            "en": ["microdata", "employment", "migration"],
        },
        "themes": ["employment", "labour-migration"],
        "access_rights": "RESTRICTED",
        "personal_data": "pseudonymised",
        "spatial": ["GTM"],
        "period": ("2024-01-01", "2024-12-31"),
        "frequency": "ANNUAL",
        "method": "survey",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national", "first-level-subdivision"],
        "population": ["international-migrant-workers", "return-international-migrant-workers"],
        "occupations": ["6", "9", "7"],
        "activities": ["A", "F", "G"],
        "source_system": "ENEI - Encuesta Nacional de Empleo e Ingresos",
        "distributions": [("restricted", "Microdatos en CSV", "Microdata as CSV")],
    },
    {
        "name": "enei-2022",
        "publisher": "ine-gt",
        "title": {
            "es": "Encuesta Nacional de Empleo e Ingresos (ENEI) 2022",
            "en": "National Employment and Income Survey (ENEI) 2022",
        },
        "description": {
            "es": "Indicadores laborales de la ENEI 2022. Retirado: reemplazado por la serie "
            "revisada con nuevas proyecciones de población.",
            "en": "Labour indicators of ENEI 2022. Withdrawn: superseded by the revised series "
            "with new population projections.",
        },
        "keywords": {"es": ["empleo"], "en": ["employment"]},
        "themes": ["employment"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["GTM"],
        "period": ("2022-01-01", "2022-12-31"),
        "frequency": "ANNUAL",
        "method": "survey",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national"],
        "source_system": "ENEI - Encuesta Nacional de Empleo e Ingresos",
        "distributions": [("csv", "Cuadros de indicadores", "Indicator tables")],
        "status": "withdrawn",
        "withdrawal_reason": "Reemplazado por la serie revisada con las proyecciones de población 2024.",
    },
    {
        "name": "permisos-trabajo-extranjeros-gt",
        "publisher": "mintrab-gt",
        "title": {
            "es": "Permisos de trabajo otorgados a personas extranjeras en Guatemala",
            "en": "Work permits granted to foreign nationals in Guatemala",
        },
        "description": {
            "es": "Número mensual de permisos de trabajo nuevos y renovados para personas "
            "extranjeras, por nacionalidad, sexo, ocupación (CIUO-08) y actividad económica (CIIU Rev. 4).",
            "en": "Monthly number of new and renewed work permits for foreign nationals, by "
            "nationality, sex, occupation (ISCO-08) and economic activity (ISIC Rev. 4).",
        },
        "keywords": {
            "es": ["permisos de trabajo", "extranjeros", "migración laboral"],
            "en": ["work permits", "foreign workers", "labour migration"],
        },
        "themes": ["labour-migration"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["GTM"],
        "period": ("2019-01-01", "2025-06-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Permisos", "en": "Permits"},
        "breakdown": ["national"],
        "population": ["international-migrant-workers"],
        "occupations": ["2", "3", "7"],
        "activities": ["C", "G", "M"],
        "source_system": "Sistema de Permisos de Trabajo para Extranjeros",
        "distributions": [
            ("csv", "Permisos por mes y nacionalidad", "Permits by month and nationality")
        ],
    },
    {
        "name": "vacantes-colocaciones-sne-gt",
        "publisher": "mintrab-gt",
        "title": {
            "es": "Vacantes y colocaciones del Servicio Nacional de Empleo de Guatemala",
            "en": "Vacancies and placements of Guatemala's National Employment Service",
        },
        "description": {
            "es": "Vacantes registradas, personas buscadoras de empleo atendidas y colocaciones "
            "del Servicio Nacional de Empleo, por departamento y sexo.",
            "en": "Registered vacancies, jobseekers served and placements of the National "
            "Employment Service, by department and sex.",
        },
        "keywords": {
            "es": ["vacantes", "colocaciones", "intermediación laboral"],
            "en": ["vacancies", "placements", "job matching"],
        },
        "themes": ["public-employment-services", "employment"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["GTM"],
        "period": ("2021-01-01", "2025-09-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Vacantes", "en": "Vacancies"},
        "breakdown": ["national", "first-level-subdivision"],
        "source_system": "Servicio Nacional de Empleo (SNE)",
        "distributions": [("csv", "Serie mensual", "Monthly series")],
    },
    {
        "name": "inspecciones-trabajo-gt",
        "publisher": "mintrab-gt",
        "title": {
            "es": "Inspecciones de trabajo realizadas en Guatemala",
            "en": "Labour inspections carried out in Guatemala",
        },
        "description": {
            "es": "Inspecciones programadas y por denuncia, infracciones encontradas y personas "
            "trabajadoras cubiertas, por departamento y actividad económica.",
            "en": "Scheduled and complaint-driven inspections, infringements found and workers "
            "covered, by department and economic activity.",
        },
        "keywords": {
            "es": ["inspección del trabajo", "condiciones de trabajo"],
            "en": ["labour inspection", "working conditions"],
        },
        "themes": ["labour-inspection", "working-conditions"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["GTM"],
        "period": ("2020-01-01", "2025-06-30"),
        "frequency": "QUARTERLY",
        "method": "administrative-register",
        "unit": {"es": "Inspecciones", "en": "Inspections"},
        "breakdown": ["national", "first-level-subdivision"],
        "activities": ["A", "C", "G", "I"],
        "source_system": "Inspección General de Trabajo",
        "distributions": [("csv", "Inspecciones trimestrales", "Quarterly inspections")],
    },
    {
        "name": "programa-trabajo-temporal-extranjero-gt",
        "publisher": "mintrab-gt",
        "title": {
            "es": "Participantes del Programa de Trabajo Temporal en el Extranjero (Guatemala)",
            "en": "Participants in the Temporary Work Abroad Programme (Guatemala)",
        },
        "description": {
            "es": "Registro seudonimizado de personas trabajadoras reclutadas para empleos "
            "temporales en el extranjero, con país de destino, ocupación, fechas de salida "
            "y retorno. Datos personales: acceso solo bajo acuerdo.",
            "en": "Pseudonymised register of workers recruited for temporary jobs abroad, with "
            "destination country, occupation, departure and return dates. Personal data: "
            "access under agreement only.",
        },
        "keywords": {
            "es": ["trabajo temporal", "migración laboral", "reclutamiento"],
            "en": ["temporary work", "labour migration", "recruitment"],
        },
        "themes": ["labour-migration"],
        "access_rights": "RESTRICTED",
        "personal_data": "personal",
        "spatial": ["GTM", "USA", "CAN", "MEX"],
        "period": ("2022-01-01", "2025-09-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national", "first-level-subdivision"],
        "population": ["for-work-international-migrants", "seasonal-workers"],
        "occupations": ["9211", "6111"],
        "activities": ["A"],
        "corridors": [("GTM", "USA"), ("GTM", "CAN"), ("GTM", "MEX")],
        "source_system": "Sistema de Registro de Trabajo Temporal en el Extranjero",
        "distributions": [("restricted", "Extracto seudonimizado", "Pseudonymised extract")],
    },
    {
        "name": "personas-retornadas-gt",
        "publisher": "igm-gt",
        "title": {
            "es": "Registro de recepción de personas guatemaltecas retornadas",
            "en": "Reception register of returned Guatemalan migrants",
        },
        "description": {
            "es": "Registro de personas guatemaltecas retornadas recibidas en los centros de "
            "recepción aérea y terrestre, con país de retorno, sexo, edad, departamento de "
            "origen y experiencia laboral declarada.",
            "en": "Register of returned Guatemalans received at air and land reception centres, "
            "with returning country, sex, age, department of origin and declared work "
            "experience.",
        },
        "keywords": {
            "es": ["retornados", "reintegración", "migración de retorno"],
            "en": ["returnees", "reintegration", "return migration"],
        },
        "themes": ["return-and-reintegration", "labour-migration"],
        "access_rights": "RESTRICTED",
        "personal_data": "sensitive",
        "spatial": ["GTM"],
        "period": ("2023-01-01", "2025-09-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national", "first-level-subdivision", "municipality"],
        "population": ["return-international-migrant-workers"],
        "corridors": [("USA", "GTM"), ("MEX", "GTM")],
        "source_system": "Sistema de Registro de Personas Retornadas",
        "distributions": [("restricted", "Extracto seudonimizado", "Pseudonymised extract")],
    },
    {
        "name": "estadisticas-retornados-gt",
        "publisher": "igm-gt",
        "title": {
            "es": "Estadísticas mensuales de personas guatemaltecas retornadas",
            "en": "Monthly statistics of returned Guatemalan migrants",
        },
        "description": {
            "es": "Totales mensuales de personas retornadas por vía de retorno (aérea o terrestre), "
            "país desde el que retornan, sexo y grupo de edad.",
            "en": "Monthly totals of returned persons by route (air or land), country returned "
            "from, sex and age group.",
        },
        "keywords": {
            "es": ["retornados", "estadísticas migratorias"],
            "en": ["returnees", "migration statistics"],
        },
        "themes": ["return-and-reintegration"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["GTM"],
        "period": ("2019-01-01", "2025-09-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national"],
        "population": ["return-international-migrant-workers"],
        "corridors": [("USA", "GTM"), ("MEX", "GTM")],
        "source_system": "Sistema de Registro de Personas Retornadas",
        "distributions": [("csv", "Serie mensual", "Monthly series")],
    },
    {
        "name": "registro-consular-guatemaltecos-exterior",
        "publisher": "minex-gt",
        "title": {
            "es": "Registro consular de personas guatemaltecas en el exterior",
            "en": "Consular register of Guatemalans abroad",
        },
        "description": {
            "es": "Personas guatemaltecas inscritas en la red consular, con país y circunscripción "
            "consular, ocupación declarada y situación laboral. Uso interno.",
            "en": "Guatemalans registered with the consular network, by country and consular "
            "district, declared occupation and employment situation. Internal use.",
        },
        "keywords": {
            "es": ["registro consular", "diáspora"],
            "en": ["consular register", "diaspora"],
        },
        "themes": ["labour-migration"],
        "access_rights": "NON_PUBLIC",
        "personal_data": "personal",
        "spatial": ["USA", "MEX", "CAN"],
        "period": ("2020-01-01", "2025-06-30"),
        "frequency": "ANNUAL",
        "method": "administrative-register",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national"],
        "population": ["international-migrant-workers"],
        "source_system": "Sistema Consular",
        "distributions": [
            ("page", "Información del registro consular", "About the consular register")
        ],
    },
    # ----------------------------------------------------------------- El Salvador
    {
        "name": "ehpm-2023",
        "publisher": "onec-sv",
        "title": {
            "es": "Encuesta de Hogares de Propósitos Múltiples (EHPM) 2023",
            "en": "Multi-Purpose Household Survey (EHPM) 2023",
        },
        "description": {
            "es": "Indicadores de mercado laboral, ingresos, remesas y migración de El Salvador, "
            "por área, departamento, sexo y grupo de edad.",
            "en": "Labour market, income, remittances and migration indicators for El Salvador, "
            "by area, department, sex and age group.",
        },
        "keywords": {
            "es": ["encuesta de hogares", "empleo", "remesas", "migración"],
            "en": ["household survey", "employment", "remittances", "migration"],
        },
        "themes": ["employment", "wages-and-income", "labour-migration"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["SLV"],
        "period": ("2023-01-01", "2023-12-31"),
        "frequency": "ANNUAL",
        "method": "survey",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national", "first-level-subdivision"],
        "population": ["return-international-migrant-workers"],
        "source_system": "EHPM - Encuesta de Hogares de Propósitos Múltiples",
        "sdmx_dataflow": {"agency": "ONEC_SV", "id": "DF_EHPM_INDICADORES", "version": "1.0"},
        "distributions": [("csv", "Cuadros de indicadores", "Indicator tables")],
    },
    {
        "name": "ehpm-2023-microdatos",
        "publisher": "onec-sv",
        "title": {
            "es": "EHPM 2023: microdatos seudonimizados",
            "en": "EHPM 2023: pseudonymised microdata",
        },
        "description": {
            "es": "Microdatos de personas y hogares de la EHPM 2023 con identificadores "
            "seudonimizados. Acceso bajo acuerdo de uso estadístico.",
            "en": "Person and household microdata of EHPM 2023 with pseudonymised identifiers. "
            "Access under a statistical-use agreement.",
        },
        "keywords": {"es": ["microdatos", "remesas"], "en": ["microdata", "remittances"]},
        "themes": ["employment", "labour-migration"],
        "access_rights": "RESTRICTED",
        "personal_data": "pseudonymised",
        "spatial": ["SLV"],
        "period": ("2023-01-01", "2023-12-31"),
        "frequency": "ANNUAL",
        "method": "survey",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national", "first-level-subdivision"],
        "source_system": "EHPM - Encuesta de Hogares de Propósitos Múltiples",
        "distributions": [("restricted", "Microdatos en CSV", "Microdata as CSV")],
    },
    {
        "name": "personas-retornadas-sv",
        "publisher": "dgme-sv",
        "title": {
            "es": "Registro de personas salvadoreñas retornadas",
            "en": "Register of returned Salvadoran migrants",
        },
        "description": {
            "es": "Personas salvadoreñas retornadas atendidas por la DGME, con vía de retorno, "
            "país de procedencia, sexo, edad, departamento de residencia y ocupación previa.",
            "en": "Returned Salvadorans received by DGME, with route, country returned from, sex, "
            "age, department of residence and previous occupation.",
        },
        "keywords": {"es": ["retornados", "reintegración"], "en": ["returnees", "reintegration"]},
        "themes": ["return-and-reintegration", "labour-migration"],
        "access_rights": "RESTRICTED",
        "personal_data": "sensitive",
        "spatial": ["SLV"],
        "period": ("2023-01-01", "2025-09-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national", "first-level-subdivision"],
        "population": ["return-international-migrant-workers"],
        "corridors": [("USA", "SLV"), ("MEX", "SLV")],
        "source_system": "Sistema de Atención a Personas Retornadas",
        "distributions": [("restricted", "Extracto seudonimizado", "Pseudonymised extract")],
    },
    {
        "name": "estadisticas-retornados-sv",
        "publisher": "dgme-sv",
        "title": {
            "es": "Estadísticas de personas salvadoreñas retornadas",
            "en": "Statistics of returned Salvadoran migrants",
        },
        "description": {
            "es": "Totales mensuales de personas retornadas por país de procedencia, sexo y grupo de edad.",
            "en": "Monthly totals of returned persons by country returned from, sex and age group.",
        },
        "keywords": {
            "es": ["retornados", "estadísticas migratorias"],
            "en": ["returnees", "migration statistics"],
        },
        "themes": ["return-and-reintegration"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["SLV"],
        "period": ("2019-01-01", "2025-09-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national"],
        "population": ["return-international-migrant-workers"],
        "source_system": "Sistema de Atención a Personas Retornadas",
        "distributions": [("csv", "Serie mensual", "Monthly series")],
    },
    {
        "name": "permisos-trabajo-extranjeros-sv",
        "publisher": "mtps-sv",
        "title": {
            "es": "Permisos de trabajo para personas extranjeras en El Salvador",
            "en": "Work permits for foreign nationals in El Salvador",
        },
        "description": {
            "es": "Permisos de trabajo emitidos por nacionalidad, sexo y actividad económica.",
            "en": "Work permits issued by nationality, sex and economic activity.",
        },
        "keywords": {
            "es": ["permisos de trabajo", "extranjeros"],
            "en": ["work permits", "foreign workers"],
        },
        "themes": ["labour-migration"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["SLV"],
        "period": ("2020-01-01", "2025-06-30"),
        "frequency": "QUARTERLY",
        "method": "administrative-register",
        "unit": {"es": "Permisos", "en": "Permits"},
        "breakdown": ["national"],
        "population": ["international-migrant-workers"],
        "activities": ["C", "G", "P"],
        "source_system": "Registro de Permisos de Trabajo",
        "distributions": [("csv", "Permisos trimestrales", "Quarterly permits")],
    },
    {
        "name": "red-nacional-empleo-sv",
        "publisher": "mtps-sv",
        "title": {
            "es": "Vacantes y colocaciones de la Red Nacional de Empleo (El Salvador)",
            "en": "Vacancies and placements of the National Employment Network (El Salvador)",
        },
        "description": {
            "es": "Oferta de vacantes, personas inscritas y colocaciones de la Red Nacional de Empleo, "
            "incluidas personas retornadas atendidas en ventanillas de reintegración.",
            "en": "Vacancies offered, people registered and placements of the National Employment "
            "Network, including returnees served at reintegration desks.",
        },
        "keywords": {
            "es": ["vacantes", "colocaciones", "reintegración laboral"],
            "en": ["vacancies", "placements", "labour reintegration"],
        },
        "themes": ["public-employment-services", "return-and-reintegration"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["SLV"],
        "period": ("2021-01-01", "2025-09-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Vacantes", "en": "Vacancies"},
        "breakdown": ["national", "first-level-subdivision"],
        "source_system": "Red Nacional de Empleo (RNE)",
        "distributions": [("csv", "Serie mensual", "Monthly series")],
    },
    {
        "name": "inspecciones-trabajo-sv",
        "publisher": "mtps-sv",
        "title": {
            "es": "Inspecciones de trabajo en El Salvador",
            "en": "Labour inspections in El Salvador",
        },
        "description": {
            "es": "Inspecciones realizadas, reinspecciones, infracciones y multas por departamento.",
            "en": "Inspections, re-inspections, infringements and fines by department.",
        },
        "keywords": {"es": ["inspección del trabajo"], "en": ["labour inspection"]},
        "themes": ["labour-inspection"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["SLV"],
        "period": ("2020-01-01", "2025-06-30"),
        "frequency": "QUARTERLY",
        "method": "administrative-register",
        "unit": {"es": "Inspecciones", "en": "Inspections"},
        "breakdown": ["national", "first-level-subdivision"],
        "source_system": "Dirección General de Inspección de Trabajo",
        "distributions": [("csv", "Inspecciones trimestrales", "Quarterly inspections")],
    },
    {
        "name": "registro-consular-salvadorenos-exterior",
        "publisher": "rree-sv",
        "title": {
            "es": "Registro consular de personas salvadoreñas en el exterior",
            "en": "Consular register of Salvadorans abroad",
        },
        "description": {
            "es": "Personas salvadoreñas registradas en consulados, por país y circunscripción. Uso interno.",
            "en": "Salvadorans registered at consulates, by country and district. Internal use.",
        },
        "keywords": {
            "es": ["registro consular", "diáspora"],
            "en": ["consular register", "diaspora"],
        },
        "themes": ["labour-migration"],
        "access_rights": "NON_PUBLIC",
        "personal_data": "personal",
        "spatial": ["USA", "CAN", "MEX"],
        "period": ("2020-01-01", "2025-06-30"),
        "frequency": "ANNUAL",
        "method": "administrative-register",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national"],
        "population": ["international-migrant-workers"],
        "source_system": "Sistema de Registro Consular",
        "distributions": [("page", "Servicios consulares", "Consular services")],
    },
    # -------------------------------------------------------------------- Honduras
    {
        "name": "ephpm-2024",
        "publisher": "ine-hn",
        "title": {
            "es": "Encuesta Permanente de Hogares de Propósitos Múltiples (EPHPM) 2024",
            "en": "Permanent Multi-Purpose Household Survey (EPHPM) 2024",
        },
        "description": {
            "es": "Indicadores de empleo, subempleo, ingresos y migración de Honduras por dominio, "
            "sexo y grupo de edad.",
            "en": "Employment, underemployment, income and migration indicators for Honduras by "
            "domain, sex and age group.",
        },
        "keywords": {
            "es": ["encuesta de hogares", "subempleo", "empleo"],
            "en": ["household survey", "underemployment", "employment"],
        },
        "themes": ["employment", "unemployment", "wages-and-income"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["HND"],
        "period": ("2024-01-01", "2024-12-31"),
        "frequency": "ANNUAL",
        "method": "survey",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national"],
        "source_system": "EPHPM - Encuesta Permanente de Hogares de Propósitos Múltiples",
        "distributions": [("csv", "Cuadros de indicadores", "Indicator tables")],
    },
    {
        "name": "personas-retornadas-hn",
        "publisher": "inm-hn",
        "title": {
            "es": "Registro de personas hondureñas retornadas",
            "en": "Register of returned Honduran migrants",
        },
        "description": {
            "es": "Personas hondureñas retornadas atendidas en los Centros de Atención al Migrante "
            "Retornado (CAMR), con país de procedencia, sexo, edad, departamento y necesidades "
            "de reintegración laboral.",
            "en": "Returned Hondurans received at the Returned Migrant Care Centres (CAMR), with "
            "country returned from, sex, age, department and labour reintegration needs.",
        },
        "keywords": {
            "es": ["retornados", "reintegración", "CAMR"],
            "en": ["returnees", "reintegration", "CAMR"],
        },
        "themes": ["return-and-reintegration", "labour-migration"],
        "access_rights": "RESTRICTED",
        "personal_data": "sensitive",
        "spatial": ["HND"],
        "period": ("2023-01-01", "2025-09-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national", "first-level-subdivision"],
        "population": ["return-international-migrant-workers"],
        "corridors": [("USA", "HND"), ("MEX", "HND"), ("GTM", "HND")],
        "source_system": "Sistema de Registro de Retornados",
        "distributions": [("restricted", "Extracto seudonimizado", "Pseudonymised extract")],
    },
    {
        "name": "estadisticas-retornados-hn",
        "publisher": "inm-hn",
        "title": {
            "es": "Estadísticas de personas hondureñas retornadas",
            "en": "Statistics of returned Honduran migrants",
        },
        "description": {
            "es": "Totales mensuales de personas retornadas por vía, país de procedencia, sexo y edad.",
            "en": "Monthly totals of returned persons by route, country returned from, sex and age.",
        },
        "keywords": {"es": ["retornados"], "en": ["returnees"]},
        "themes": ["return-and-reintegration"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["HND"],
        "period": ("2019-01-01", "2025-09-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national"],
        "population": ["return-international-migrant-workers"],
        "source_system": "Sistema de Registro de Retornados",
        "distributions": [("csv", "Serie mensual", "Monthly series")],
    },
    {
        "name": "trabajo-temporal-extranjero-hn",
        "publisher": "stss-hn",
        "title": {
            "es": "Participantes del Programa de Trabajo Temporal en el Extranjero (Honduras)",
            "en": "Participants in the Temporary Work Abroad Programme (Honduras)",
        },
        "description": {
            "es": "Registro seudonimizado de personas seleccionadas para empleo temporal en el "
            "extranjero, con destino, empleador, ocupación y periodo del contrato.",
            "en": "Pseudonymised register of people selected for temporary employment abroad, "
            "with destination, employer, occupation and contract period.",
        },
        "keywords": {
            "es": ["trabajo temporal", "migración laboral"],
            "en": ["temporary work", "labour migration"],
        },
        "themes": ["labour-migration"],
        "access_rights": "RESTRICTED",
        "personal_data": "personal",
        "spatial": ["HND", "USA", "CAN", "ESP"],
        "period": ("2022-01-01", "2025-09-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national"],
        "population": ["for-work-international-migrants", "seasonal-workers"],
        "occupations": ["9211", "9412"],
        "activities": ["A", "I"],
        "corridors": [("HND", "USA"), ("HND", "CAN"), ("HND", "ESP")],
        "source_system": "Programa de Trabajo Temporal en el Extranjero",
        "distributions": [("restricted", "Extracto seudonimizado", "Pseudonymised extract")],
    },
    {
        "name": "inspecciones-trabajo-hn",
        "publisher": "stss-hn",
        "title": {
            "es": "Inspecciones de trabajo en Honduras",
            "en": "Labour inspections in Honduras",
        },
        "description": {
            "es": "Inspecciones, infracciones y personas trabajadoras cubiertas por regional.",
            "en": "Inspections, infringements and workers covered by regional office.",
        },
        "keywords": {"es": ["inspección del trabajo"], "en": ["labour inspection"]},
        "themes": ["labour-inspection"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["HND"],
        "period": ("2021-01-01", "2025-06-30"),
        "frequency": "QUARTERLY",
        "method": "administrative-register",
        "unit": {"es": "Inspecciones", "en": "Inspections"},
        "breakdown": ["national", "first-level-subdivision"],
        "source_system": "Dirección General de Inspección del Trabajo",
        "distributions": [("csv", "Inspecciones trimestrales", "Quarterly inspections")],
    },
    {
        "name": "servicio-nacional-empleo-hn",
        "publisher": "stss-hn",
        "title": {
            "es": "Vacantes y colocaciones del Servicio Nacional de Empleo de Honduras",
            "en": "Vacancies and placements of Honduras' National Employment Service",
        },
        "description": {
            "es": "Vacantes, solicitantes y colocaciones del Servicio Nacional de Empleo de Honduras (SENAEH).",
            "en": "Vacancies, applicants and placements of the National Employment Service of Honduras (SENAEH).",
        },
        "keywords": {"es": ["vacantes", "colocaciones"], "en": ["vacancies", "placements"]},
        "themes": ["public-employment-services"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["HND"],
        "period": ("2021-01-01", "2025-09-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Vacantes", "en": "Vacancies"},
        "breakdown": ["national"],
        "source_system": "SENAEH",
        "distributions": [("csv", "Serie mensual", "Monthly series")],
    },
    # ---------------------------------------------------------------------- Mexico
    {
        "name": "enoe-2024",
        "publisher": "inegi-mx",
        "title": {
            "es": "Encuesta Nacional de Ocupación y Empleo (ENOE) 2024",
            "en": "National Survey of Occupation and Employment (ENOE) 2024",
        },
        "description": {
            "es": "Indicadores trimestrales de ocupación, desocupación, informalidad laboral e "
            "ingresos de México, por entidad federativa, sexo y grupo de edad.",
            "en": "Quarterly indicators of employment, unemployment, labour informality and "
            "income for Mexico, by state, sex and age group.",
        },
        "keywords": {
            "es": ["empleo", "informalidad laboral", "ocupación"],
            "en": ["employment", "labour informality", "occupation"],
        },
        "themes": ["employment", "informality", "unemployment"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["MEX"],
        "period": ("2024-01-01", "2024-12-31"),
        "frequency": "QUARTERLY",
        "method": "survey",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national", "first-level-subdivision"],
        "source_system": "ENOE - Encuesta Nacional de Ocupación y Empleo",
        "landing_page": "https://www.inegi.org.mx/programas/enoe/15ymas/",
        "sdmx_dataflow": {"agency": "INEGI", "id": "DF_ENOE_INDICADORES", "version": "1.0"},
        "distributions": [("csv", "Indicadores trimestrales", "Quarterly indicators")],
    },
    {
        "name": "tarjetas-visitante-trabajador-fronterizo",
        "publisher": "upmrip-mx",
        "title": {
            "es": "Tarjetas de Visitante Trabajador Fronterizo (TVTF) emitidas",
            "en": "Border Worker Visitor Cards (TVTF) issued",
        },
        "description": {
            "es": "Tarjetas de Visitante Trabajador Fronterizo emitidas en la frontera sur de "
            "México, por nacionalidad (Guatemala, Belice), sexo, entidad y actividad económica.",
            "en": "Border Worker Visitor Cards issued on Mexico's southern border, by "
            "nationality (Guatemala, Belize), sex, state and economic activity.",
        },
        "keywords": {
            "es": ["trabajadores fronterizos", "frontera sur", "TVTF"],
            "en": ["border workers", "southern border", "TVTF"],
        },
        "themes": ["border-work", "labour-migration"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["MEX", "GTM", "BLZ"],
        "period": ("2018-01-01", "2025-09-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Tarjetas", "en": "Cards"},
        "breakdown": ["national", "first-level-subdivision"],
        "population": ["frontier-workers"],
        "activities": ["A", "G", "I", "T"],
        "corridors": [("GTM", "MEX"), ("BLZ", "MEX")],
        "source_system": "Boletín Mensual de Estadísticas Migratorias",
        "distributions": [("csv", "Serie mensual", "Monthly series")],
    },
    {
        "name": "registro-titulares-tvtf",
        "publisher": "inm-mx",
        "title": {
            "es": "Registro de titulares de Tarjetas de Visitante Trabajador Fronterizo",
            "en": "Register of Border Worker Visitor Card holders",
        },
        "description": {
            "es": "Registro seudonimizado de titulares de TVTF: nacionalidad, municipio de "
            "residencia, empleador, actividad, vigencia de la tarjeta y puntos de internación. "
            "Compartido con el Ministerio de Trabajo de Guatemala bajo acuerdo binacional.",
            "en": "Pseudonymised register of TVTF holders: nationality, municipality of residence, "
            "employer, activity, card validity and entry points. Shared with Guatemala's "
            "Ministry of Labour under a binational agreement.",
        },
        "keywords": {
            "es": ["trabajadores fronterizos", "registro", "frontera sur"],
            "en": ["border workers", "register", "southern border"],
        },
        "themes": ["border-work", "labour-migration"],
        "access_rights": "RESTRICTED",
        "personal_data": "personal",
        "spatial": ["MEX", "GTM"],
        "period": ("2022-01-01", "2025-09-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national", "first-level-subdivision", "border-crossing-point"],
        "population": ["frontier-workers"],
        "activities": ["A", "G", "I", "T"],
        "occupations": ["9211", "9111", "5223"],
        "corridors": [("GTM", "MEX")],
        "source_system": "Sistema Electrónico de Trámites Migratorios",
        "distributions": [("restricted", "Extracto seudonimizado", "Pseudonymised extract")],
    },
    {
        "name": "emif-sur",
        "publisher": "upmrip-mx",
        "title": {
            "es": "Encuesta sobre Migración en la Frontera Sur de México (EMIF Sur)",
            "en": "Survey on Migration at Mexico's Southern Border (EMIF Sur)",
        },
        "description": {
            "es": "Flujos de personas migrantes guatemaltecas, hondureñas y salvadoreñas en la "
            "frontera sur: procedentes de México, de Estados Unidos y devueltas por autoridades.",
            "en": "Flows of Guatemalan, Honduran and Salvadoran migrants at the southern border: "
            "coming from Mexico, from the United States and returned by the authorities.",
        },
        "keywords": {
            "es": ["flujos migratorios", "frontera sur", "encuesta de flujos"],
            "en": ["migration flows", "southern border", "flow survey"],
        },
        "themes": ["labour-migration", "border-work", "return-and-reintegration"],
        "access_rights": "PUBLIC",
        "personal_data": "pseudonymised",
        "spatial": ["MEX", "GTM", "HND", "SLV"],
        "period": ("2023-01-01", "2023-12-31"),
        "frequency": "ANNUAL",
        "method": "survey",
        "unit": {"es": "Eventos", "en": "Events"},
        "breakdown": ["national", "border-crossing-point"],
        "population": [
            "frontier-workers",
            "return-international-migrant-workers",
            "for-work-international-migrants",
        ],
        "corridors": [("GTM", "MEX"), ("HND", "USA"), ("SLV", "USA")],
        "source_system": "EMIF Sur",
        "distributions": [("csv", "Tabulados", "Tables"), ("page", "Metodología", "Methodology")],
    },
    {
        "name": "ptat-mexico-canada",
        "publisher": "stps-mx",
        "title": {
            "es": "Programa de Trabajadores Agrícolas Temporales México-Canadá (PTAT)",
            "en": "Mexico-Canada Seasonal Agricultural Workers Program (SAWP)",
        },
        "description": {
            "es": "Personas trabajadoras agrícolas vinculadas al PTAT por entidad de origen, "
            "provincia canadiense de destino, sexo y duración del contrato.",
            "en": "Agricultural workers placed through the SAWP by state of origin, Canadian "
            "province of destination, sex and contract length.",
        },
        "keywords": {
            "es": ["trabajo agrícola temporal", "movilidad laboral"],
            "en": ["seasonal agricultural work", "labour mobility"],
        },
        "themes": ["labour-migration"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["MEX", "CAN"],
        "period": ("2019-01-01", "2024-12-31"),
        "frequency": "ANNUAL",
        "method": "administrative-register",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national", "first-level-subdivision"],
        "population": ["seasonal-workers", "for-work-international-migrants"],
        "occupations": ["9211", "6111"],
        "activities": ["A"],
        "corridors": [("MEX", "CAN")],
        "source_system": "Servicio Nacional de Empleo - Movilidad Laboral",
        "distributions": [("csv", "Participantes por año", "Participants by year")],
    },
    {
        "name": "vacantes-servicio-nacional-empleo-mx",
        "publisher": "stps-mx",
        "title": {
            "es": "Vacantes y colocaciones del Servicio Nacional de Empleo de México",
            "en": "Vacancies and placements of Mexico's National Employment Service",
        },
        "description": {
            "es": "Vacantes captadas, personas atendidas y colocadas por el Servicio Nacional de "
            "Empleo, por entidad federativa y subprograma.",
            "en": "Vacancies collected, people served and placed by the National Employment "
            "Service, by state and sub-programme.",
        },
        "keywords": {
            "es": ["vacantes", "colocaciones", "bolsa de trabajo"],
            "en": ["vacancies", "placements", "job board"],
        },
        "themes": ["public-employment-services"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["MEX"],
        "period": ("2021-01-01", "2025-09-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Vacantes", "en": "Vacancies"},
        "breakdown": ["national", "first-level-subdivision"],
        "source_system": "Portal del Empleo",
        "distributions": [("csv", "Serie mensual", "Monthly series")],
    },
    {
        "name": "matriculas-consulares",
        "publisher": "sre-mx",
        "title": {
            "es": "Registro de matrículas consulares de alta seguridad",
            "en": "Register of high-security consular identity cards",
        },
        "description": {
            "es": "Matrículas consulares emitidas por la red consular de México, con ocupación "
            "declarada y estado de residencia. Uso interno.",
            "en": "Consular identity cards issued by Mexico's consular network, with declared "
            "occupation and state of residence. Internal use.",
        },
        "keywords": {"es": ["matrícula consular", "diáspora"], "en": ["consular ID", "diaspora"]},
        "themes": ["labour-migration"],
        "access_rights": "NON_PUBLIC",
        "personal_data": "personal",
        "spatial": ["USA", "CAN"],
        "period": ("2020-01-01", "2025-06-30"),
        "frequency": "ANNUAL",
        "method": "administrative-register",
        "unit": {"es": "Matrículas", "en": "ID cards"},
        "breakdown": ["national"],
        "population": ["international-migrant-workers"],
        "source_system": "Sistema Integral de Administración Consular",
        "distributions": [("page", "Protección consular", "Consular protection")],
    },
    # ---------------------------------------------------------------------- Belize
    {
        "name": "belize-labour-force-survey-2024",
        "publisher": "sib-bz",
        "title": {
            "es": "Encuesta de Fuerza de Trabajo de Belice, abril 2024",
            "en": "Belize Labour Force Survey, April 2024",
        },
        "description": {
            "es": "Población económicamente activa, empleo, desempleo y subempleo de Belice por "
            "distrito, sexo y grupo de edad, incluida la población nacida en el extranjero.",
            "en": "Labour force, employment, unemployment and underemployment in Belize by "
            "district, sex and age group, including the foreign-born population.",
        },
        "keywords": {
            "es": ["fuerza de trabajo", "desempleo"],
            "en": ["labour force", "unemployment"],
        },
        "themes": ["employment", "unemployment"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["BLZ"],
        "period": ("2024-04-01", "2024-04-30"),
        "frequency": "ANNUAL",
        "method": "survey",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national", "first-level-subdivision"],
        "population": ["international-migrant-workers"],
        "languages": ["ENG", "SPA"],
        "source_system": "Labour Force Survey",
        "distributions": [("csv", "Cuadros", "Tables")],
    },
    {
        "name": "work-permits-belize",
        "publisher": "labour-bz",
        "title": {
            "es": "Permisos de trabajo temporales emitidos en Belice",
            "en": "Temporary employment permits issued in Belize",
        },
        "description": {
            "es": "Permisos de empleo temporal aprobados por nacionalidad, ocupación y distrito.",
            "en": "Temporary employment permits approved by nationality, occupation and district.",
        },
        "keywords": {
            "es": ["permisos de trabajo"],
            "en": ["work permits", "temporary employment permits"],
        },
        "themes": ["labour-migration"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["BLZ"],
        "period": ("2020-01-01", "2025-06-30"),
        "frequency": "QUARTERLY",
        "method": "administrative-register",
        "unit": {"es": "Permisos", "en": "Permits"},
        "breakdown": ["national", "first-level-subdivision"],
        "population": ["international-migrant-workers"],
        "occupations": ["5", "6", "9"],
        "languages": ["ENG"],
        "source_system": "Labour Department Work Permit System",
        "distributions": [("csv", "Permisos trimestrales", "Quarterly permits")],
    },
    {
        "name": "labour-inspections-belize",
        "publisher": "labour-bz",
        "title": {"es": "Inspecciones laborales en Belice", "en": "Labour inspections in Belize"},
        "description": {
            "es": "Inspecciones y quejas atendidas por el Departamento de Trabajo, por distrito.",
            "en": "Inspections and complaints handled by the Labour Department, by district.",
        },
        "keywords": {"es": ["inspección del trabajo"], "en": ["labour inspection", "complaints"]},
        "themes": ["labour-inspection"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["BLZ"],
        "period": ("2021-01-01", "2025-06-30"),
        "frequency": "ANNUAL",
        "method": "administrative-register",
        "unit": {"es": "Inspecciones", "en": "Inspections"},
        "breakdown": ["national", "first-level-subdivision"],
        "languages": ["ENG"],
        "source_system": "Labour Department case records",
        "distributions": [("csv", "Inspecciones anuales", "Annual inspections")],
    },
    {
        "name": "cruces-frontera-occidental-belize",
        "publisher": "immigration-bz",
        "title": {
            "es": "Cruces fronterizos por motivos laborales en la frontera occidental de Belice",
            "en": "Work-related crossings at Belize's western border",
        },
        "description": {
            "es": "Entradas y salidas diarias de trabajadores transfronterizos en el puesto de "
            "Benque Viejo del Carmen, agregadas por mes y nacionalidad.",
            "en": "Daily entries and exits of cross-border workers at the Benque Viejo del Carmen "
            "border post, aggregated by month and nationality.",
        },
        "keywords": {
            "es": ["trabajadores fronterizos", "cruces"],
            "en": ["border workers", "crossings"],
        },
        "themes": ["border-work", "labour-migration"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["BLZ", "GTM"],
        "period": ("2022-01-01", "2025-09-30"),
        "frequency": "MONTHLY",
        "method": "administrative-register",
        "unit": {"es": "Cruces", "en": "Crossings"},
        "breakdown": ["border-crossing-point"],
        "population": ["frontier-workers"],
        "corridors": [("GTM", "BLZ")],
        "languages": ["ENG"],
        "source_system": "Border Management Information System",
        "distributions": [("csv", "Cruces mensuales", "Monthly crossings")],
    },
    # -------------------------------------------------------------------- drafts
    {
        "name": "permisos-trabajo-extranjeros-hn",
        "publisher": "stss-hn",
        "title": {
            "es": "Permisos de trabajo para personas extranjeras en Honduras",
            "en": "Work permits for foreign nationals in Honduras",
        },
        "description": {
            "es": "Borrador en preparación: permisos de trabajo emitidos por nacionalidad y actividad.",
            "en": "Draft in preparation: work permits issued by nationality and activity.",
        },
        "keywords": {"es": ["permisos de trabajo"], "en": ["work permits"]},
        "themes": ["labour-migration"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["HND"],
        "period": ("2022-01-01", "2025-06-30"),
        "frequency": "QUARTERLY",
        "method": "administrative-register",
        "unit": {"es": "Permisos", "en": "Permits"},
        "breakdown": ["national"],
        "population": ["international-migrant-workers"],
        "source_system": "Registro de Permisos de Trabajo",
        "distributions": [("csv", "Permisos trimestrales", "Quarterly permits")],
        "status": "draft",
    },
    {
        "name": "certificacion-competencias-sv",
        "publisher": "mtps-sv",
        "title": {
            "es": "Certificación de competencias laborales de personas retornadas",
            "en": "Skills certification of returned migrants",
        },
        "description": {
            "es": "Borrador: personas retornadas que certificaron competencias laborales, por "
            "ocupación y sexo.",
            "en": "Draft: returned migrants who certified occupational skills, by occupation and sex.",
        },
        "keywords": {
            "es": ["certificación", "competencias", "retornados"],
            "en": ["certification", "skills", "returnees"],
        },
        "themes": ["skills-and-certification", "return-and-reintegration"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["SLV"],
        "period": ("2024-01-01", "2025-06-30"),
        "frequency": "QUARTERLY",
        "method": "administrative-register",
        "unit": {"es": "Personas", "en": "Persons"},
        "breakdown": ["national"],
        "population": ["return-international-migrant-workers"],
        "source_system": "Sistema de Certificación de Competencias",
        "distributions": [("csv", "Certificaciones", "Certifications")],
        "status": "draft",
    },
]
