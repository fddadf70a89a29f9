"""Content negotiation for the RDF-capable endpoints.

One table maps media types to rdflib serializers, and the same formats are reachable by
file suffix (``.ttl``) or ``?format=`` for clients that cannot set ``Accept``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import request

from catalog.errors import NotAcceptable


@dataclass(frozen=True)
class Format:
    """A representation the catalog can produce."""

    media_type: str
    rdflib_format: str | None  # None: our own JSON
    suffix: str


JSON = Format("application/json", None, "json")
TURTLE = Format("text/turtle", "turtle", "ttl")
JSON_LD = Format("application/ld+json", "json-ld", "jsonld")
RDF_XML = Format("application/rdf+xml", "xml", "rdf")
N_TRIPLES = Format("application/n-triples", "nt", "nt")
RDF_FORMATS: tuple[Format, ...] = (TURTLE, JSON_LD, RDF_XML, N_TRIPLES)
_BY_SUFFIX = {fmt.suffix: fmt for fmt in (JSON, *RDF_FORMATS)}


def by_suffix(suffix: str, offered: Sequence[Format]) -> Format:
    """The format named by a file suffix or ``?format=`` value.

    Raises:
        NotAcceptable: the suffix names no format offered here.
    """
    fmt = _BY_SUFFIX.get(suffix.lower().lstrip("."))
    if fmt is None or fmt not in offered:
        raise NotAcceptable(
            f"'{suffix}' is not available here; use one of " + ", ".join(f.suffix for f in offered)
        )
    return fmt


def negotiate(offered: Sequence[Format]) -> Format:
    """Pick the best of ``offered`` for the request's ``Accept`` header (or ``?format=``).

    The first offered format is the default for ``*/*`` and a missing header.

    Raises:
        NotAcceptable: the client accepts none of them (406).
    """
    explicit = request.args.get("format")
    if explicit:
        return by_suffix(explicit, offered)
    if not request.accept_mimetypes:
        return offered[0]
    best = request.accept_mimetypes.best_match([f.media_type for f in offered])
    if best is None:
        raise NotAcceptable(
            "this resource is available as " + ", ".join(f.media_type for f in offered)
        )
    return next(f for f in offered if f.media_type == best)
