"""The representations the catalog serves: each media type, URL suffix and name, once.

The DCAT export writes the four RDF serializations (:mod:`catalog.rdfio`); the HTTP
layer negotiates over them and plain JSON (``api/conneg.py``) and describes each
endpoint's offer in its OpenAPI document; the command line names them by suffix. This
module imports nothing heavy, so that the command line can list them without rdflib.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Format:
    """A representation the catalog produces.

    Attributes:
        name: Our name for it (``json``, ``turtle``, ``jsonld``, ``rdfxml``, ``ntriples``).
        media_type: Its IANA media type.
        suffix: The URL suffix or ``?format=`` value that asks for it (``ttl``...).
        rdflib: rdflib's parser/serializer name; ``None`` for our own JSON, which is
            not RDF.
        aliases: Other media types that ask for the same representation; a response
            chosen by one of them is sent as that type.
    """

    name: str
    media_type: str
    suffix: str
    rdflib: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def media_types(self) -> tuple[str, ...]:
        """Every media type that asks for it, its own first."""
        return (self.media_type, *self.aliases)


JSON: Final = Format("json", "application/json", "json")
TURTLE: Final = Format("turtle", "text/turtle", "ttl", "turtle")
JSON_LD: Final = Format("jsonld", "application/ld+json", "jsonld", "json-ld")
RDF_XML: Final = Format("rdfxml", "application/rdf+xml", "rdf", "xml")
N_TRIPLES: Final = Format("ntriples", "application/n-triples", "nt", "nt")

#: SDMX-ML 2.1 structure messages, as XML or as the SDMX media type (which matches the
#: parameter it is asked with; a request without it is answered with ``version=2.1``).
SDMX_STRUCTURE: Final = "application/vnd.sdmx.structure+xml"
SDMX_ML: Final = Format(
    "sdmxml",
    "application/xml",
    "sdmx-ml",
    aliases=("text/xml", SDMX_STRUCTURE, f"{SDMX_STRUCTURE};version=2.1"),
)

#: The RDF serializations, Turtle (the default) first.
RDF_FORMATS: Final = (TURTLE, JSON_LD, RDF_XML, N_TRIPLES)
FORMATS: Final[Mapping[str, Format]] = {fmt.name: fmt for fmt in RDF_FORMATS}
FORMAT_BY_SUFFIX: Final[Mapping[str, Format]] = {fmt.suffix: fmt for fmt in RDF_FORMATS}
