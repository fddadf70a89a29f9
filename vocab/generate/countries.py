"""``countries``: ISO 3166-1 (all 249 entries) with EU country-authority IRIs."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Final

from vocab.generate.common import (
    DT_EU_AUTHORITY_CODE,
    DT_ISO3166_ALPHA2,
    DT_ISO3166_ALPHA3,
    DT_ISO3166_NUMERIC,
    LICENSE_LGPL_21,
    PYCOUNTRY_VERSION,
    Draft,
    assemble,
    github_url,
    input_note,
    load_toml,
    pycountry_dir,
    read_mo,
)
from vocab.model import ConceptScheme, Notation, Note, VocabularyError

EU_COUNTRY: Final = "http://publications.europa.eu/resource/authority/country"
ISO_JSON: Final = Path("vocab/iso3166/pycountry-26.2.16-iso3166-1.json")
DPV_LOC_CSV: Final = Path("vocab/iso3166/central-america-5.csv")


def build(standards: Path) -> ConceptScheme:
    """Build the countries scheme.

    Codes and English names are ISO 3166-1 as shipped by pycountry (copied into
    shared/standards); Spanish names are the iso-codes translations that the same
    pycountry release ships (gettext domain ``iso3166-1``, locale ``es``). The concept IRI
    is the EU country authority IRI of the alpha-3 code, the one DCAT-AP expects.

    Args:
        standards: the shared/standards directory.

    Returns:
        The scheme (249 concepts).

    Raises:
        VocabularyError: an ISO code missing from the EU table without a documented
            mapping, or a missing input.
    """
    iso_path = standards / ISO_JSON
    entries = json.loads(iso_path.read_text(encoding="utf-8"))["3166-1"]
    spanish = read_mo(pycountry_dir() / "locales" / "es" / "LC_MESSAGES" / "iso3166-1.mo")
    table = load_toml("eu_authority_tables")["country"]
    eu_codes = set(table["codes"].split())
    iso_to_authority: dict[str, str] = table["iso_to_authority"]
    dpv_loc = _dpv_locations(standards / DPV_LOC_CSV)

    drafts = []
    for entry in entries:
        alpha3: str = entry["alpha_3"]
        authority = iso_to_authority.get(alpha3, alpha3)
        if authority not in eu_codes:
            raise VocabularyError(f"ISO {alpha3} is not in the EU country table and has no mapping")
        draft = Draft(code=alpha3, iri=f"{EU_COUNTRY}/{authority}")
        draft.labels["en"] = entry["name"]
        if entry["name"] in spanish:
            draft.labels["es"] = spanish[entry["name"]]
        for key in ("official_name", "common_name"):
            if key in entry:
                draft.add_alt("en", entry[key])
                if entry[key] in spanish:
                    draft.add_alt("es", spanish[entry[key]])
        draft.notations = [
            _notation(entry["alpha_2"], DT_ISO3166_ALPHA2),
            _notation(alpha3, DT_ISO3166_ALPHA3),
            _notation(entry["numeric"], DT_ISO3166_NUMERIC),
        ]
        if authority != alpha3:
            draft.notations.append(_notation(authority, DT_EU_AUTHORITY_CODE))
            draft.notes += [
                Note(
                    "editorial",
                    f"The EU country table has no {alpha3} entry; its concept for this "
                    f"territory is {authority} (mapped TED code {entry['alpha_2']}), whose "
                    "IRI is used here.",
                    "en",
                ),
                Note(
                    "editorial",
                    f"La tabla de países de la UE no tiene la entrada {alpha3}; su concepto "
                    f"para este territorio es {authority} (código TED {entry['alpha_2']}), "
                    "cuyo IRI se usa aquí.",
                    "es",
                ),
            ]
        if entry["alpha_2"] in dpv_loc:
            eu_iri, loc_iri = dpv_loc[entry["alpha_2"]]
            if eu_iri != draft.iri:
                raise VocabularyError(f"{alpha3}: {draft.iri} differs from {eu_iri}")
            draft.exact_matches.append(loc_iri)
        drafts.append(draft)

    eu_source = github_url(table["source_repository"], table["source_commit"], table["source_path"])
    untranslated = sorted(d.code for d in drafts if "es" not in d.labels)
    notes = [
        input_note(standards, iso_path),
        input_note(standards, standards / DPV_LOC_CSV),
        Note(
            "editorial",
            f"Codes and English names: ISO 3166-1 from pycountry {PYCOUNTRY_VERSION} (data "
            "of Debian iso-codes). Spanish names: iso-codes translations shipped with the "
            "same pycountry release (gettext domain iso3166-1, locale es); "
            + (
                f"{len(untranslated)} entries have no Spanish name there and show the "
                f"English one: {', '.join(untranslated)}."
                if untranslated
                else "every entry has one."
            ),
            "en",
        ),
        Note(
            "editorial",
            "Concept IRIs: EU Publications Office country authority table "
            f"(http://publications.europa.eu/resource/authority/country/<alpha-3>), table "
            f"version {table['version']}; every IRI was checked against the table. Exact "
            "matches to DPV locations (https://w3id.org/dpv/loc#<alpha-2>) only for the "
            "five SIMEL countries, the ones checked in DPV 2.3 loc.ttl.",
            "en",
        ),
    ]
    return assemble(
        name="countries",
        iri=EU_COUNTRY,
        titles={"en": "Countries (ISO 3166-1)", "es": "Países (ISO 3166-1)"},
        descriptions={
            "en": "ISO 3166-1 countries and territories; code = alpha-3; the alpha-2 and "
            "numeric codes are notations. Concept IRIs of the EU country authority table.",
            "es": "Países y territorios de la ISO 3166-1; código = alfa-3; los códigos alfa-2 "
            "y numérico son notaciones. IRI de conceptos de la tabla de países de la UE.",
        },
        drafts=drafts,
        version=f"ISO 3166-1 (pycountry {PYCOUNTRY_VERSION}); EU country table {table['version']}",
        sources=(
            f"https://pypi.org/project/pycountry/{PYCOUNTRY_VERSION}/",
            "https://salsa.debian.org/iso-codes-team/iso-codes",
            eu_source,
        ),
        license=LICENSE_LGPL_21,
        notes=notes,
    )


def _notation(value: str, datatype: str) -> Notation:
    return Notation(value, datatype)


def _dpv_locations(path: Path) -> dict[str, tuple[str, str]]:
    # alpha-2 -> (EU country IRI, DPV location IRI), as checked in shared/standards.
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["alpha_2"]: (row["eu_country_nal_iri"], row["dpv_loc_iri"])
            for row in csv.DictReader(handle)
        }
