"""The demo's SDMX structures: a labour-migration DSD for the region and its dataflows.

The codes of the region's countries, ISCO-08 major groups, ISIC Rev.4 sections and the
ILO 20th ICLS labour-migration concepts are taken from the catalog's vocabularies, with
their Spanish and English labels, so the DSD and the dataset metadata speak the same
codes. Sex, age bands, units, multipliers and observation status follow the SDMX
cross-domain conventions (``_T`` for totals), which no vocabulary of ours covers.

The committed message ``simel-labour-migration-structures.xml`` is this module's
output; regenerate it after changing the module or the vocabularies::

    python -m catalog.demo.sdmx_structures           # rewrite the file
    python -m catalog.demo.sdmx_structures --check   # exit 1 if it is out of date

The demo loader imports the file through the same service administrators use.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from sdmx.model import common as m
from sdmx.model import v21

from catalog.sdmx import SDMX_FREQUENCY
from catalog.sdmx_ml import write_message
from vocab import Concept, get_registry

AGENCY: Final = "SIMEL"
VERSION: Final = "1.0"
MESSAGE_PATH: Final = Path(__file__).with_name("simel-labour-migration-structures.xml")
# A fixed preparation time keeps the generated file byte-for-byte reproducible.
PREPARED: Final = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)
COUNTRIES: Final = ("GTM", "SLV", "HND", "MEX", "BLZ")
FREQUENCIES: Final = ("ANNUAL", "QUARTERLY", "MONTHLY")
TOTAL: Final = {"es": "Total", "en": "Total"}

# Dataflows: id, names, and the demo datasets published under each.
DATAFLOWS: Final[Sequence[tuple[str, Mapping[str, str], Mapping[str, str], Sequence[str]]]] = (
    (
        "DF_LFS_MIGRATION",
        {
            "es": "Encuestas de fuerza de trabajo: indicadores de migración laboral",
            "en": "Labour force surveys: labour migration indicators",
        },
        {
            "es": "Población ocupada, desocupada y fuera de la fuerza de trabajo por condición "
            "migratoria, de las encuestas de hogares de la región.",
            "en": "Employed, unemployed and outside-the-labour-force population by migration "
            "status, from the household surveys of the region.",
        },
        ("enei-2024", "ehpm-2023", "ephpm-2024", "enoe-2024", "belize-labour-force-survey-2024"),
    ),
    (
        "DF_FRONTIER_WORKERS",
        {
            "es": "Trabajadores fronterizos: tarjetas, registros y cruces",
            "en": "Frontier workers: cards, registers and crossings",
        },
        {
            "es": "Trabajadores fronterizos registrados o que cruzan las fronteras de la región.",
            "en": "Frontier workers registered or crossing the borders of the region.",
        },
        (
            "tarjetas-visitante-trabajador-fronterizo",
            "registro-titulares-tvtf",
            "cruces-frontera-occidental-belize",
        ),
    ),
    (
        "DF_WORK_PERMITS",
        {
            "es": "Permisos de trabajo otorgados a personas extranjeras",
            "en": "Work permits granted to foreign nationals",
        },
        {
            "es": "Permisos de trabajo por ocupación y actividad económica.",
            "en": "Work permits by occupation and economic activity.",
        },
        (
            "permisos-trabajo-extranjeros-gt",
            "permisos-trabajo-extranjeros-sv",
            "work-permits-belize",
        ),
    ),
    (
        "DF_RETURNED_MIGRANTS",
        {
            "es": "Trabajadores migrantes retornados",
            "en": "Returned migrant workers",
        },
        {
            "es": "Personas retornadas, de los registros de recepción de cada país.",
            "en": "Returned persons, from each country's reception registers.",
        },
        (
            "personas-retornadas-gt",
            "personas-retornadas-sv",
            "personas-retornadas-hn",
            "estadisticas-retornados-hn",
        ),
    ),
)


def _labels(concept: Concept) -> dict[str, str]:
    return {lang: concept.labels[lang] for lang in ("es", "en") if lang in concept.labels}


def _codelist(
    code_id: str, name: Mapping[str, str], description: Mapping[str, str] | None = None
) -> m.Codelist:
    return m.Codelist(
        id=code_id,
        version=VERSION,
        maintainer=m.Agency(id=AGENCY),
        is_final=True,
        name=dict(name),
        description=dict(description or {}),
    )


def _add(
    codelist: m.Codelist,
    codes: Iterable[tuple[str, Mapping[str, str]]],
    parents: Mapping[str, str] | None = None,
) -> m.Codelist:
    for code_id, name in codes:
        codelist.append(m.Code(id=code_id, name=dict(name)))
    for child, parent in (parents or {}).items():
        codelist[parent].append_child(codelist[child])
    return codelist


def _vocabulary_codes(scheme: str, codes: Iterable[str]) -> list[tuple[str, dict[str, str]]]:
    concepts = get_registry().scheme(scheme)
    return [(code, _labels(concepts[code])) for code in codes]


def codelists() -> dict[str, m.Codelist]:
    """The DSD's codelists, keyed by the concept they enumerate."""
    registry = get_registry()
    occupations = registry.scheme("occupations")
    activities = registry.scheme("activities")
    migration = registry.scheme("migration-concepts")
    root = "international-labour-migration"
    subtree = [root, *(c.code for c in migration.descendants(root))]
    frequency = registry.scheme("frequency")
    lists = {
        "REF_AREA": _add(
            _codelist(
                "CL_REF_AREA",
                {"es": "Países del SIMEL", "en": "SIMEL countries"},
                {
                    "es": "Códigos ISO 3166-1 alfa-3 de los países de la región.",
                    "en": "ISO 3166-1 alpha-3 codes of the countries of the region.",
                },
            ),
            _vocabulary_codes("countries", COUNTRIES),
        ),
        "SEX": _add(
            _codelist("CL_SEX", {"es": "Sexo", "en": "Sex"}),
            [
                ("F", {"es": "Mujeres", "en": "Female"}),
                ("M", {"es": "Hombres", "en": "Male"}),
                ("_T", TOTAL),
            ],
        ),
        "AGE": _add(
            _codelist("CL_AGE", {"es": "Grupos de edad", "en": "Age bands"}),
            [
                *(
                    (
                        f"Y{low}T{low + 9}",
                        {"es": f"{low} a {low + 9} años", "en": f"{low} to {low + 9} years"},
                    )
                    for low in (15, 25, 35, 45, 55)
                ),
                ("Y_GE65", {"es": "65 años y más", "en": "65 years and over"}),
                ("_T", TOTAL),
            ],
        ),
        "MIG_STATUS": _add(
            _codelist(
                "CL_MIG_STATUS",
                {"es": "Condición migratoria laboral", "en": "Labour migration status"},
                {
                    "es": "Conceptos de migración laboral internacional de la 20.ª CIET (OIT).",
                    "en": "International labour migration concepts of the 20th ICLS (ILO).",
                },
            ),
            [*_vocabulary_codes("migration-concepts", subtree), ("_T", TOTAL)],
            {
                code: migration[code].broader[0]
                for code in subtree
                if migration[code].broader and migration[code].broader[0] in subtree
            },
        ),
        "ECO": _add(
            _codelist(
                "CL_ECO_ISIC4",
                {
                    "es": "Actividad económica (CIIU Rev.4, secciones)",
                    "en": "Economic activity (ISIC Rev.4 sections)",
                },
            ),
            [*((c.code, _labels(c)) for c in activities.top_concepts), ("_T", TOTAL)],
        ),
        "OCU": _add(
            _codelist(
                "CL_OCU_ISCO08",
                {
                    "es": "Ocupación (CIUO-08, grandes grupos)",
                    "en": "Occupation (ISCO-08 major groups)",
                },
            ),
            [*((c.code, _labels(c)) for c in occupations.top_concepts), ("_T", TOTAL)],
        ),
        "FREQ": _add(
            _codelist("CL_FREQ", {"es": "Frecuencia", "en": "Frequency"}),
            [(SDMX_FREQUENCY[code], _labels(frequency[code])) for code in FREQUENCIES],
        ),
        "UNIT_MEASURE": _add(
            _codelist("CL_UNIT_MEASURE", {"es": "Unidad de medida", "en": "Unit of measure"}),
            [
                ("PS", {"es": "Personas", "en": "Persons"}),
                ("NUM", {"es": "Número de casos", "en": "Number of cases"}),
                ("PT", {"es": "Porcentaje", "en": "Percentage"}),
                ("LCU", {"es": "Moneda nacional", "en": "Local currency"}),
                ("USD", {"es": "Dólares de los Estados Unidos", "en": "US dollars"}),
            ],
        ),
        "OBS_STATUS": _add(
            _codelist(
                "CL_OBS_STATUS", {"es": "Estado de la observación", "en": "Observation status"}
            ),
            [
                ("A", {"es": "Valor normal", "en": "Normal value"}),
                ("B", {"es": "Ruptura de serie", "en": "Time series break"}),
                ("E", {"es": "Valor estimado", "en": "Estimated value"}),
                ("P", {"es": "Valor provisional", "en": "Provisional value"}),
                ("M", {"es": "Valor faltante", "en": "Missing value"}),
                ("U", {"es": "Baja confiabilidad", "en": "Low reliability"}),
            ],
        ),
        "UNIT_MULT": _add(
            _codelist("CL_UNIT_MULT", {"es": "Multiplicador de unidad", "en": "Unit multiplier"}),
            [
                ("0", {"es": "Unidades", "en": "Units"}),
                ("3", {"es": "Miles", "en": "Thousands"}),
                ("6", {"es": "Millones", "en": "Millions"}),
            ],
        ),
    }
    for code in subtree:
        definition = migration[code].definitions.get("en")
        if definition:
            lists["MIG_STATUS"][code].description = {"en": definition}
    return lists


# Concept id -> (es, en) names; in the order of the concept scheme.
CONCEPTS: Final[Mapping[str, tuple[str, str]]] = {
    "FREQ": ("Frecuencia", "Frequency"),
    "REF_AREA": ("Área de referencia", "Reference area"),
    "SEX": ("Sexo", "Sex"),
    "AGE": ("Edad", "Age"),
    "MIG_STATUS": ("Condición migratoria laboral", "Labour migration status"),
    "ECO": ("Actividad económica", "Economic activity"),
    "OCU": ("Ocupación", "Occupation"),
    "TIME_PERIOD": ("Período de tiempo", "Time period"),
    "OBS_VALUE": ("Valor de la observación", "Observation value"),
    "UNIT_MEASURE": ("Unidad de medida", "Unit of measure"),
    "UNIT_MULT": ("Multiplicador de unidad", "Unit multiplier"),
    "OBS_STATUS": ("Estado de la observación", "Observation status"),
}
DIMENSIONS: Final = ("FREQ", "REF_AREA", "SEX", "AGE", "MIG_STATUS", "ECO", "OCU")


def _enumerated(codelist: m.Codelist) -> m.Representation:
    return m.Representation(enumerated=codelist)


def _text(value_type: m.FacetValueType) -> m.Representation:
    return m.Representation(non_enumerated=[m.Facet(value_type=value_type)])


def build_structures() -> list[Any]:
    """Codelists, concept scheme, DSD and dataflows, as sdmx1 objects."""
    lists = codelists()
    agency = m.Agency(id=AGENCY)
    scheme = m.ConceptScheme(
        id="CS_LABOUR_MIGRATION",
        version=VERSION,
        maintainer=agency,
        is_final=True,
        name={"es": "Conceptos de migración laboral", "en": "Labour migration concepts"},
    )
    concepts = {}
    for concept_id, (es, en) in CONCEPTS.items():
        concept = m.Concept(id=concept_id, name={"es": es, "en": en})
        if concept_id in lists:
            concept.core_representation = _enumerated(lists[concept_id])
        scheme.append(concept)
        concepts[concept_id] = concept
    dsd = v21.DataStructureDefinition(
        id="DSD_LABOUR_MIGRATION",
        version=VERSION,
        maintainer=agency,
        is_final=True,
        name={
            "es": "Estadísticas de migración laboral de la región SIMEL",
            "en": "Labour migration statistics of the SIMEL region",
        },
        description={
            "es": "Estructura común para los indicadores de fuerza de trabajo y migración "
            "laboral de Guatemala, El Salvador, Honduras, México y Belice.",
            "en": "Common structure of the labour force and labour migration indicators of "
            "Guatemala, El Salvador, Honduras, Mexico and Belize.",
        },
    )
    dsd.dimensions.id = "DimensionDescriptor"
    dsd.attributes.id = "AttributeDescriptor"
    dsd.measures.id = "MeasureDescriptor"
    dimensions = {}
    for order, concept_id in enumerate(DIMENSIONS, start=1):
        dimensions[concept_id] = v21.Dimension(
            id=concept_id,
            concept_identity=concepts[concept_id],
            local_representation=_enumerated(lists[concept_id]),
            order=order,
        )
        dsd.dimensions.append(dimensions[concept_id])
    dsd.dimensions.append(
        v21.TimeDimension(
            id="TIME_PERIOD",
            concept_identity=concepts["TIME_PERIOD"],
            local_representation=_text(m.FacetValueType.observationalTimePeriod),
            order=len(DIMENSIONS) + 1,
        )
    )
    series = [dimensions[d] for d in DIMENSIONS]
    for attribute_id, usage, related in (
        ("UNIT_MEASURE", m.UsageStatus.mandatory, m.DimensionRelationship(dimensions=series)),
        ("UNIT_MULT", m.UsageStatus.conditional, m.DimensionRelationship(dimensions=series)),
        ("OBS_STATUS", m.UsageStatus.conditional, v21.PrimaryMeasureRelationship()),
    ):
        dsd.attributes.append(
            m.DataAttribute(
                id=attribute_id,
                concept_identity=concepts[attribute_id],
                local_representation=_enumerated(lists[attribute_id]),
                usage_status=usage,
                related_to=related,
            )
        )
    dsd.measures.append(
        v21.PrimaryMeasure(
            id="OBS_VALUE",
            concept_identity=concepts["OBS_VALUE"],
            local_representation=_text(m.FacetValueType.double),
        )
    )
    flows = [
        v21.DataflowDefinition(
            id=flow_id,
            version=VERSION,
            maintainer=agency,
            is_final=True,
            name=dict(name),
            description=dict(description),
            structure=dsd,
        )
        for flow_id, name, description, _ in DATAFLOWS
    ]
    return [*lists.values(), scheme, dsd, *flows]


def build_message() -> bytes:
    """The demo structure message, as SDMX-ML 2.1 bytes."""
    return write_message(build_structures(), header_id="SIMEL_LABOUR_MIGRATION", prepared=PREPARED)


def dataflow_links() -> list[tuple[str, str]]:
    """``(dataset name, dataflow URN)`` for every demo dataset published under a dataflow."""
    return [
        (
            name,
            f"urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow={AGENCY}:{flow_id}({VERSION})",
        )
        for flow_id, _, _, names in DATAFLOWS
        for name in names
    ]


def main(argv: Sequence[str]) -> int:
    """Write the message file, or with ``--check`` compare it; returns the exit status."""
    generated = build_message()
    if "--check" in argv:
        current = MESSAGE_PATH.read_bytes() if MESSAGE_PATH.exists() else b""
        if current != generated:
            print(f"{MESSAGE_PATH.name} is out of date: run python -m {__spec__.name}")
            return 1
        return 0
    MESSAGE_PATH.write_bytes(generated)
    print(f"wrote {MESSAGE_PATH} ({len(generated)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
