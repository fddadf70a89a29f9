"""The EU authority tables DCAT-AP needs, from ``vocab/sources/eu_authority_tables.toml``.

Access rights, frequency, data themes, file types and languages.
"""

from __future__ import annotations

import json
from typing import Any, Final

from vocab.generate.common import (
    DT_ISO639_1,
    DT_ISO639_3,
    LICENSE_CC0,
    Draft,
    assemble,
    github_url,
    load_toml,
    pycountry_dir,
)
from vocab.model import ConceptScheme, Notation, Note, VocabularyError

AUTHORITY: Final = "http://publications.europa.eu/resource/authority/"

#: Scheme name -> description (es, en); order is the manifest order.
SCHEMES: Final = {
    "access-rights": (
        "Derechos de acceso de un conjunto de datos (dct:accessRights en DCAT-AP).",
        "Access rights of a dataset (dct:accessRights in DCAT-AP).",
    ),
    "frequency": (
        "Frecuencia de actualización de un conjunto de datos (dct:accrualPeriodicity).",
        "Update frequency of a dataset (dct:accrualPeriodicity).",
    ),
    "data-themes": (
        "Temas de datos de la UE usados por DCAT-AP (dcat:theme).",
        "EU data themes used by DCAT-AP (dcat:theme).",
    ),
    "file-types": (
        "Formatos de archivo de las distribuciones (dct:format).",
        "File formats of distributions (dct:format).",
    ),
    "languages": (
        "Idiomas de los conjuntos de datos y de sus metadatos (dct:language).",
        "Languages of datasets and their metadata (dct:language).",
    ),
}


def _iso639_3_names() -> dict[str, str]:
    path = pycountry_dir() / "databases" / "iso639-3.json"
    entries = json.loads(path.read_text(encoding="utf-8"))["639-3"]
    return {entry["alpha_3"]: entry["name"] for entry in entries}


def _build_one(name: str, table: dict[str, Any], iso639_names: dict[str, str]) -> ConceptScheme:
    base = f"{AUTHORITY}{table['table']}"
    source = github_url(table["source_repository"], table["source_commit"], table["source_path"])
    drafts = []
    for item in table["concepts"]:
        code: str = item["code"]
        draft = Draft(code=code, iri=f"{base}/{code}")
        draft.labels = dict(item.get("label", {}))
        if item.get("label_from_iso639_3"):
            draft.labels["en"] = iso639_names[item["iso639_3"]]
            draft.notes.append(
                Note(
                    "editorial",
                    "English name from ISO 639-3 (pycountry): the EU table labels this "
                    "language only in the language itself.",
                    "en",
                )
            )
        if not draft.labels:
            raise VocabularyError(f"{name}/{code}: no label")
        for lang, texts in item.get("alt", {}).items():
            for text in texts:
                draft.add_alt(lang, text)
        draft.definitions = dict(item.get("definition", {}))
        draft.notations.append(Notation(code))
        if "iso639_1" in item:
            draft.notations.append(Notation(item["iso639_1"], DT_ISO639_1))
        if "iso639_3" in item:
            draft.notations.append(Notation(item["iso639_3"], DT_ISO639_3))
        draft.exact_matches = list(item.get("exact_match", []))
        if "source_note" in item:
            draft.notes.append(Note("editorial", item["source_note"], "en"))
        drafts.append(draft)

    description_es, description_en = SCHEMES[name]
    notes = [
        Note(
            "editorial",
            f"Excerpt of the EU Publications Office authority table {table['table']!r}, "
            f"version {table['version']}, transcribed in vocab/sources/eu_authority_tables.toml "
            f"from {source}. Left out: {table['omitted']} Codes, IRIs and labels are the "
            "table's; a Spanish label is present only where the table has one.",
            "en",
        ),
    ]
    if table.get("title_es_is_translation"):
        notes.append(
            Note(
                "editorial",
                "Spanish title: translation by SIMEL Catalog (the table has English titles only).",
                "en",
            )
        )
    return assemble(
        name=name,
        iri=base,
        titles=table["title"],
        descriptions={"es": description_es, "en": description_en},
        drafts=drafts,
        version=table["version"],
        sources=(source,),
        license=LICENSE_CC0,
        notes=notes,
    )


def build() -> list[ConceptScheme]:
    """Build the five EU authority-table schemes.

    Returns:
        access-rights, frequency, data-themes, file-types and languages, in that order.

    Raises:
        VocabularyError: a concept without any label.
    """
    tables = load_toml("eu_authority_tables")
    iso639_names = _iso639_3_names()
    return [_build_one(name, tables[name], iso639_names) for name in SCHEMES]
