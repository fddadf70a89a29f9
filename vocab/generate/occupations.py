"""``occupations``: ISCO-08, all four levels, from the ESCO exports (English and Spanish)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Final

from vocab.generate.common import LICENSE_EC_REUSE, Draft, assemble, input_note
from vocab.model import ConceptScheme, Notation, Note, VocabularyError

ESCO_ISCO_SCHEME: Final = "http://data.europa.eu/esco/concept-scheme/isco"
EN_CSV: Final = Path("vocab/isco08/ESCO-ISCOGroups_en.csv")
ES_CSV: Final = Path("vocab/isco08/ESCO-ISCOGroups_es.csv")

#: Known defect of the Spanish ESCO export: group 215 ("Electrotechnology engineers")
#: repeats the label of unit group 2149. The correct CIUO-08 title replaces it, with a note.
SPANISH_FIXES: Final = {
    "215": (
        "Ingenieros no clasificados bajo otros epígrafes",
        "Ingenieros en electrotecnología",
    ),
}


def _read(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_code = {row["code"]: row for row in rows}
    if len(by_code) != len(rows):
        raise VocabularyError(f"{path}: duplicate codes")
    return by_code


def build(standards: Path) -> ConceptScheme:
    """Build the ISCO-08 scheme (10 major, 43 sub-major, 130 minor, 436 unit groups).

    Concept IRIs, codes, English labels and descriptions come from the ESCO English
    export; Spanish labels from the ESCO Spanish export (same codes and IRIs, checked).

    Args:
        standards: the shared/standards directory.

    Returns:
        The scheme (619 concepts).

    Raises:
        VocabularyError: the two exports disagree on codes or IRIs, or the known Spanish
            defect is no longer what it was (re-check SPANISH_FIXES).
    """
    english = _read(standards / EN_CSV)
    spanish = _read(standards / ES_CSV)
    if set(english) != set(spanish):
        raise VocabularyError("the English and Spanish ISCO exports have different codes")

    drafts = []
    for code in sorted(english):
        en, es = english[code], spanish[code]
        if en["conceptUri"] != es["conceptUri"]:
            raise VocabularyError(f"ISCO {code}: the exports give different IRIs")
        draft = Draft(code=code, iri=en["conceptUri"])
        draft.labels["en"] = en["preferredLabel"].strip()
        label_es = es["preferredLabel"].strip()
        if code in SPANISH_FIXES:
            wrong, right = SPANISH_FIXES[code]
            if label_es != wrong:
                raise VocabularyError(
                    f"ISCO {code}: Spanish label changed upstream, re-check the fix"
                )
            label_es = right
            draft.notes += [
                Note(
                    "editorial",
                    f"The Spanish ESCO export gives this group the label of unit group 2149 "
                    f'("{wrong}"); replaced by the CIUO-08 title of group {code} (source in '
                    "vocab/README.md).",
                    "en",
                ),
                Note(
                    "editorial",
                    f"La exportación ESCO en español asigna a este grupo la etiqueta del grupo "
                    f'primario 2149 ("{wrong}"); se sustituye por el título CIUO-08 del '
                    f"grupo {code} (fuente en vocab/README.md).",
                    "es",
                ),
            ]
        draft.labels["es"] = label_es
        for row, lang in ((en, "en"), (es, "es")):
            for alt in row.get("altLabels", "").splitlines():
                draft.add_alt(lang, alt)
        description = en["description"].strip()
        if description:
            draft.definitions["en"] = "\n".join(line.rstrip() for line in description.splitlines())
        draft.notations.append(Notation(code))
        if len(code) > 1:
            draft.broader.append(code[:-1])
        drafts.append(draft)

    return assemble(
        name="occupations",
        iri=ESCO_ISCO_SCHEME,
        titles={
            "en": "ISCO-08 International Standard Classification of Occupations",
            "es": "CIUO-08 Clasificación Internacional Uniforme de Ocupaciones",
        },
        descriptions={
            "en": "ISCO-08 major, sub-major, minor and unit groups with the ESCO concept IRIs.",
            "es": "Grandes grupos, subgrupos principales, subgrupos y grupos primarios de la "
            "CIUO-08, con los IRI de conceptos de ESCO.",
        },
        drafts=drafts,
        version="ISCO-08 (ESCO ISCO groups export)",
        sources=(
            "https://github.com/MohamedGouaouri/esco/blob/381d16fb6ae1c22f7c7b16a0631dbdc4bada5e8d/ISCOGroups_en.csv",
            "https://github.com/emanuellandell/public/blob/d2764d58d0a3a5ec5a0f5145fc6c2a72c6923d8e/ISCOGroups_es.csv",
            "https://esco.ec.europa.eu/",
        ),
        license=LICENSE_EC_REUSE,
        notes=[
            input_note(standards, standards / EN_CSV),
            input_note(standards, standards / ES_CSV),
            Note(
                "editorial",
                "ISCO-08 is an ILO classification; the concepts, IRIs and labels are those "
                "of ESCO (European Commission), reusable under Commission Decision "
                "2011/833/EU. Definitions are the English ESCO descriptions.",
                "en",
            ),
        ],
    )
