"""Helpers shared by the scheme builders: drafts, provenance, the pycountry data files."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import struct
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from vocab.model import SIMEL_NS, Concept, ConceptScheme, Notation, Note, VocabularyError

SOURCES_DIR: Final = Path(__file__).resolve().parent.parent / "sources"

#: Datatypes of typed notations (SIMEL's own IRIs: no registry defines these codes as
#: RDF datatypes). Lookups ignore the datatype; it only says which code system it is.
DT_ISO3166_ALPHA2: Final = f"{SIMEL_NS}datatype/iso3166-1-alpha-2"
DT_ISO3166_ALPHA3: Final = f"{SIMEL_NS}datatype/iso3166-1-alpha-3"
DT_ISO3166_NUMERIC: Final = f"{SIMEL_NS}datatype/iso3166-1-numeric"
DT_EU_AUTHORITY_CODE: Final = f"{SIMEL_NS}datatype/eu-authority-code"
DT_ISO639_1: Final = f"{SIMEL_NS}datatype/iso639-1"
DT_ISO639_3: Final = f"{SIMEL_NS}datatype/iso639-3"

#: Licences, as IRIs for dct:license.
LICENSE_APACHE_2: Final = "https://spdx.org/licenses/Apache-2.0.html"
LICENSE_LGPL_21: Final = "https://spdx.org/licenses/LGPL-2.1-only.html"
LICENSE_CC0: Final = "https://creativecommons.org/publicdomain/zero/1.0/"
LICENSE_EC_REUSE: Final = "http://data.europa.eu/eli/dec/2011/833/oj"
LICENSE_W3C_DOCUMENT: Final = "https://www.w3.org/copyright/document-license-2023/"
LICENSE_UN_TERMS: Final = "https://www.un.org/en/about-us/terms-of-use"

#: The pycountry release whose data files are in shared/standards; the build reads its
#: translations from the installed package and refuses any other release.
PYCOUNTRY_VERSION: Final = "26.2.16"

TRANSLATION_NOTE_EN: Final = "Spanish label: translation by SIMEL Catalog, not upstream text."
TRANSLATION_NOTE_ES: Final = "Etiqueta en español: traducción de SIMEL Catalog, no del original."


def github_url(repository: str, commit: str, path: str) -> str:
    """Return the permanent GitHub URL of a file at a commit.

    Args:
        repository: ``owner/name``.
        commit: full commit hash.
        path: file path in the repository.

    Returns:
        The ``https://github.com/<repo>/blob/<commit>/<path>`` URL.
    """
    return f"https://github.com/{repository}/blob/{commit}/{path}"


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 of a file (recorded so a reader can check the input).

    Args:
        path: the file.

    Returns:
        The digest.
    """
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_note(standards: Path, path: Path) -> Note:
    """Return an editorial note naming an input file and its checksum.

    Args:
        standards: the standards directory (paths are recorded relative to it).
        path: the input file.

    Returns:
        The note.
    """
    relative = path.relative_to(standards).as_posix()
    return Note(
        "editorial", f"Built from shared/standards/{relative} (sha256 {sha256_of(path)}).", "en"
    )


def load_toml(name: str) -> dict[str, Any]:
    """Read one of the curated files in ``vocab/sources``.

    Args:
        name: file name without ``.toml``.

    Returns:
        The parsed document.
    """
    with (SOURCES_DIR / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


@dataclass
class Draft:
    """A concept under construction; :func:`assemble` derives narrower and freezes it."""

    code: str
    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    alt_labels: dict[str, list[str]] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    notations: list[Notation] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)
    exact_matches: list[str] = field(default_factory=list)
    close_matches: list[str] = field(default_factory=list)
    broad_matches: list[str] = field(default_factory=list)
    narrow_matches: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def add_alt(self, lang: str, text: str) -> None:
        """Add an alternative label unless it repeats the preferred one.

        Args:
            lang: language tag.
            text: the label.
        """
        text = text.strip()
        if text and text != self.labels.get(lang) and text not in self.alt_labels.get(lang, []):
            self.alt_labels.setdefault(lang, []).append(text)


def assemble(
    *,
    name: str,
    iri: str,
    titles: Mapping[str, str],
    drafts: Iterable[Draft],
    descriptions: Mapping[str, str] | None = None,
    version: str,
    sources: Iterable[str],
    license: str,  # the DCTERMS term, shadowing the builtin on purpose
    notes: Iterable[Note] = (),
) -> ConceptScheme:
    """Freeze drafts into a :class:`ConceptScheme`, deriving ``skos:narrower``.

    Args:
        name: scheme name.
        iri: scheme IRI.
        titles: language -> title.
        drafts: the concepts.
        descriptions: language -> description.
        version: ``owl:versionInfo``.
        sources: IRIs of the source documents.
        license: IRI of the licence.
        notes: scheme-level notes.

    Returns:
        The validated scheme.

    Raises:
        VocabularyError: duplicate codes or a broader code that does not exist.
    """
    by_code: dict[str, Draft] = {}
    for draft in drafts:
        if draft.code in by_code:
            raise VocabularyError(f"{name}: duplicate code {draft.code!r}")
        by_code[draft.code] = draft
    narrower: dict[str, list[str]] = {code: [] for code in by_code}
    for draft in by_code.values():
        for parent in draft.broader:
            if parent not in narrower:
                raise VocabularyError(f"{name}: {draft.code!r} has unknown broader {parent!r}")
            narrower[parent].append(draft.code)
    concepts = [
        Concept(
            scheme=name,
            code=d.code,
            iri=d.iri,
            labels=d.labels,
            alt_labels={lang: tuple(texts) for lang, texts in d.alt_labels.items()},
            definitions=d.definitions,
            notations=tuple(d.notations),
            broader=tuple(d.broader),
            narrower=tuple(narrower[d.code]),
            exact_matches=tuple(d.exact_matches),
            close_matches=tuple(d.close_matches),
            broad_matches=tuple(d.broad_matches),
            narrow_matches=tuple(d.narrow_matches),
            notes=tuple(d.notes),
        )
        for d in by_code.values()
    ]
    return ConceptScheme(
        name=name,
        iri=iri,
        titles=titles,
        descriptions=descriptions,
        concepts=concepts,
        version=version,
        sources=sources,
        license=license,
        notes=notes,
    )


# ---------------------------------------------------------------------- pycountry data


def pycountry_dir() -> Path:
    """Return the directory of the installed pycountry package (a build-time helper).

    Only its data files are read (JSON databases and gettext catalogues), so the runtime
    package never needs pycountry.

    Returns:
        The package directory.

    Raises:
        VocabularyError: pycountry is missing or not the release the standards use.
    """
    spec = importlib.util.find_spec("pycountry")
    if spec is None or spec.origin is None:
        raise VocabularyError(
            f"the build needs pycountry=={PYCOUNTRY_VERSION} for Spanish country names "
            f"and ISO 639-3 names: pip install pycountry=={PYCOUNTRY_VERSION}"
        )
    installed = importlib.metadata.version("pycountry")
    if installed != PYCOUNTRY_VERSION:
        raise VocabularyError(
            f"pycountry {installed} is installed; the standards were taken from "
            f"{PYCOUNTRY_VERSION}, install that release for a reproducible build"
        )
    return Path(spec.origin).parent


def read_mo(path: Path) -> dict[str, str]:
    """Read a GNU gettext ``.mo`` catalogue into ``{msgid: msgstr}``.

    A direct reader (the format is a small table of offsets) rather than ``gettext``,
    because the build must tell a missing translation from one equal to the msgid.

    Args:
        path: the ``.mo`` file.

    Returns:
        The translations that are present and non-empty (the header entry excluded).

    Raises:
        VocabularyError: not a ``.mo`` file.
    """
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    if magic == 0x950412DE:
        order = "<"
    elif magic == 0xDE120495:
        order = ">"
    else:
        raise VocabularyError(f"{path} is not a gettext .mo file")
    _, count, originals, translations = struct.unpack(f"{order}4I", data[4:20])
    catalogue: dict[str, str] = {}
    for i in range(count):
        o_len, o_off = struct.unpack(f"{order}2I", data[originals + 8 * i : originals + 8 * i + 8])
        t_len, t_off = struct.unpack(
            f"{order}2I", data[translations + 8 * i : translations + 8 * i + 8]
        )
        msgid = data[o_off : o_off + o_len].decode("utf-8")
        msgstr = data[t_off : t_off + t_len].decode("utf-8")
        if msgid and msgstr:
            catalogue[msgid] = msgstr
    return catalogue
