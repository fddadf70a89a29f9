"""``migration-concepts``: the 21 ILO 20th ICLS labour-migration concepts."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Final

from vocab.generate.common import (
    LICENSE_APACHE_2,
    TRANSLATION_NOTE_EN,
    TRANSLATION_NOTE_ES,
    Draft,
    assemble,
    input_note,
    load_toml,
)
from vocab.model import SIMEL_NS, ConceptScheme, Note, VocabularyError

SEGMENT: Final = "migration-concept"
ICLS_CSV: Final = Path("vocab/icls20/icls20-labour-migration-concepts.csv")


def build(standards: Path) -> ConceptScheme:
    """Build the scheme of the 20th ICLS labour-migration concepts.

    English labels, definitions, hierarchy and the how-close-to-the-source status come
    from the transcription in shared/standards; Spanish labels are SIMEL translations
    (vocab/sources/translations_es.toml) and say so in an editorial note.

    Args:
        standards: the shared/standards directory.

    Returns:
        The scheme (21 concepts).

    Raises:
        VocabularyError: a translation for an unknown concept, or a bad broader link.
    """
    path = standards / ICLS_CSV
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    spanish: dict[str, str] = load_toml("translations_es")["migration-concepts"]
    unknown = set(spanish) - {row["concept_id"] for row in rows}
    if unknown:
        raise VocabularyError(f"Spanish labels for unknown ICLS concepts: {sorted(unknown)}")

    drafts = []
    for row in rows:
        code = row["concept_id"]
        draft = Draft(code=code, iri=f"{SIMEL_NS}{SEGMENT}/{code}")
        draft.labels["en"] = row["label_en"]
        draft.definitions["en"] = row["definition"]
        if row["broader"]:
            draft.broader.append(row["broader"])
        draft.notes.append(Note("source", row["source"], "en"))
        draft.notes.append(
            Note("editorial", f"Definition status: {row['definition_status']}.", "en")
        )
        if code in spanish:
            draft.labels["es"] = spanish[code]
            draft.notes += [
                Note("editorial", TRANSLATION_NOTE_EN, "en"),
                Note("editorial", TRANSLATION_NOTE_ES, "es"),
            ]
        drafts.append(draft)

    return assemble(
        name="migration-concepts",
        iri=f"{SIMEL_NS}{SEGMENT}",
        titles={
            "en": "Concepts of international labour migration statistics (20th ICLS)",
            "es": "Conceptos de estadísticas de migración laboral internacional (20.ª CIET)",
        },
        descriptions={
            "en": "Concepts of the ILO Guidelines concerning statistics of international "
            "labour migration (ICLS/20/2018/Guidelines), with the categories of workers "
            "the guidelines include and exclude.",
            "es": "Conceptos de las Directrices de la OIT sobre estadísticas de migración "
            "laboral internacional (ICLS/20/2018/Guidelines), con las categorías de "
            "trabajadores que las directrices incluyen y excluyen.",
        },
        drafts=drafts,
        version="ICLS/20/2018/Guidelines",
        # The guidelines have no stable IRI we could cite; the citation is a note.
        sources=(),
        license=LICENSE_APACHE_2,
        notes=[
            input_note(standards, path),
            Note(
                "source",
                "ILO, Guidelines concerning statistics of international labour migration, "
                "ICLS/20/2018/Guidelines, 20th International Conference of Labour "
                "Statisticians, Geneva, 10-19 October 2018.",
                "en",
            ),
            Note(
                "editorial",
                "Transcribed for SIMEL Catalog from the guidelines via secondary sources "
                "(see shared/standards/vocab/README.md); each concept's definition status "
                "says how close its text is to the source. Spanish labels are SIMEL "
                "translations following the terms of the 1990 International Convention on "
                "the Protection of the Rights of All Migrant Workers, art. 2. Concept IRIs "
                "are SIMEL's: the ILO publishes no IRIs for these concepts.",
                "en",
            ),
        ],
    )
