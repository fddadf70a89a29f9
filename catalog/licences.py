"""Licences the catalog recognises, with their ADMS licence type.

DCAT-AP recommends typing a ``dct:LicenseDocument`` with a concept of the ADMS licence-type
vocabulary, and the metadata quality score gives points for a licence that comes from a
known list. Both read this table. An IRI is matched without its scheme's ``s`` and without
a trailing slash, because both spellings circulate (``http://creativecommons.org/...``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

ADMS_LICENCE_TYPE_SCHEME: Final = "http://purl.org/adms/licencetype/1.0"
ADMS_LICENCE_TYPE_NS: Final = "http://purl.org/adms/licencetype/"


@dataclass(frozen=True)
class Licence:
    """A recognised licence.

    Attributes:
        iri: The canonical IRI.
        title: Its usual name.
        types: Codes of the ADMS licence-type vocabulary that describe it.
        open: Whether it is an open licence (Open Definition conformant).
    """

    iri: str
    title: str
    types: tuple[str, ...]
    open: bool = True


# Labels of the ADMS licence types used below (as the vocabulary gives them).
LICENCE_TYPE_LABELS: Final = {
    "Attribution": "Attribution",
    "PublicDomain": "Public domain",
    "ShareAlike": "Share alike",
    "NonCommercialUseOnly": "Non-commercial use only",
    "NoDerivativeWork": "No derivative work",
}

LICENCES: Final = (
    Licence(
        "https://creativecommons.org/licenses/by/4.0/",
        "Creative Commons Attribution 4.0",
        ("Attribution",),
    ),
    Licence(
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "Creative Commons Attribution-ShareAlike 4.0",
        ("Attribution", "ShareAlike"),
    ),
    Licence(
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "Creative Commons CC0 1.0",
        ("PublicDomain",),
    ),
    Licence(
        "https://creativecommons.org/licenses/by-nc/4.0/",
        "Creative Commons Attribution-NonCommercial 4.0",
        ("Attribution", "NonCommercialUseOnly"),
        open=False,
    ),
    Licence(
        "https://creativecommons.org/licenses/by-nd/4.0/",
        "Creative Commons Attribution-NoDerivatives 4.0",
        ("Attribution", "NoDerivativeWork"),
        open=False,
    ),
    Licence(
        "https://opendatacommons.org/licenses/odbl/1-0/",
        "Open Data Commons Open Database License 1.0",
        ("Attribution", "ShareAlike"),
    ),
    Licence(
        "https://opendatacommons.org/licenses/by/1-0/",
        "Open Data Commons Attribution License 1.0",
        ("Attribution",),
    ),
    Licence(
        "https://opendatacommons.org/licenses/pddl/1-0/",
        "Open Data Commons Public Domain Dedication and License 1.0",
        ("PublicDomain",),
    ),
)


def _key(iri: str) -> str:
    head, sep, rest = iri.partition("://")
    return (head.lower().rstrip("s") + sep + rest).rstrip("/") if sep else iri.rstrip("/")


_BY_KEY: Final = {_key(licence.iri): licence for licence in LICENCES}


def known_licence(iri: str | None) -> Licence | None:
    """The recognised licence with IRI ``iri`` (any http/https, slash spelling), if any."""
    if not iri:
        return None
    return _BY_KEY.get(_key(iri))
