"""DCAT-AP endpoints in four RDF serializations: catalog, datasets, publishers.

``/catalog``, ``/dataset/<name>``, and ``/organization/<name>`` (a publisher, as the
``foaf:Agent`` that publisher IRIs and ODRL parties name).

The format comes from the URL suffix (``.ttl .jsonld .rdf .nt``) or the same name in
``?format=`` (for links and clients that cannot set a header) or, without either, from
the ``Accept`` header (Turtle when anything goes); what cannot be produced is a 406.
``/catalog`` takes the JSON list's search and filters (``q``, ``publisher``, ``theme``,
... ``sort``, ``min_quality``) and is paged with a Hydra ``PartialCollectionView``
beyond ``[rdf] page_size`` datasets, and streamed as it is written; a single dataset is
small enough to be answered at once.

Withdrawn datasets are not listed in the catalog (unless ``status=withdrawn`` asks for
them); ``/dataset/<name>`` answers for them with 410 Gone and a tombstone: title,
publisher, ``owl:deprecated``, ``adms:status`` Withdrawn, when and why.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, request
from sqlmodel import Session

from api.auth import access, current_principal
from api.conneg import by_accept, negotiate
from api.context import db_session, state
from api.v1.common import query_list, whole_number
from api.v1.datasets import sort_and_quality
from catalog import dcat
from catalog.db import end_session
from catalog.formats import RDF_FORMATS, Format
from catalog.search import FACET_FIELDS

blueprint = Blueprint("rdf", __name__)

_SUFFIXES = f"any({', '.join(fmt.suffix for fmt in RDF_FORMATS)})"
_VISIBILITY = "only what the caller may see: drafts only to their organization, auditors, admins"


def _response(export: dcat.RdfExport, fmt: Format, negotiated: bool) -> Response:
    response = Response(export.chunks, status=export.status, mimetype=fmt.media_type)
    if negotiated:
        response.headers["Vary"] = "Accept"
    return response


def _closing(chunks: Iterator[str], session: Session) -> Iterator[str]:
    """The chunks, then the session ended (also when the client goes away midway)."""
    try:
        yield from chunks
    finally:
        end_session(session)


@blueprint.get("/catalog")
@blueprint.get(f"/catalog.<{_SUFFIXES}:suffix>")
@access(public=True, note=_VISIBILITY)
def catalog(suffix: str | None = None) -> Response:
    """The catalog as DCAT-AP, paged beyond ``[rdf] page_size`` datasets."""
    fmt = negotiate(RDF_FORMATS, suffix)
    settings = state().settings
    sort, min_quality = sort_and_quality()
    page = whole_number("page", None, maximum=10**9)
    page_size = whole_number("page_size", None, maximum=settings.rdf.max_page_size)
    kept = [
        (key, value)
        for key, value in request.args.items(multi=True)
        if key not in {"page", "page_size"}
    ]
    if suffix and "format" not in request.args:
        # The page links name the catalog's IRI, without the suffix: they keep the
        # format as ?format= instead.
        kept.append(("format", suffix))
    query = dcat.CatalogQuery(
        text=request.args.get("q"),
        filters={name: query_list(name) for name in FACET_FIELDS},
        sort=sort,
        min_quality=min_quality,
        page=page,
        page_size=page_size,
        parameters=kept,
    )
    # The document is written after this view returns, while the server sends it, so it
    # reads through a session of its own that the stream closes when it ends.
    session = state().database.new_session(read_only=True)
    try:
        export = dcat.export_catalog(
            session, actor=current_principal(), settings=settings, fmt=fmt, query=query
        )
    except BaseException:
        end_session(session)
        raise
    export.chunks = _closing(export.chunks, session)
    return _response(export, fmt, negotiated=by_accept(suffix))


@blueprint.get("/organization/<name>")
@blueprint.get(f"/organization/<name>.<{_SUFFIXES}:suffix>")
@access(
    public=True, note="organizations are public: names, acronym, kind, country, homepage, e-mail"
)
def organization(name: str, suffix: str | None = None) -> Response:
    """An organization as a ``foaf:Agent``: where its publisher IRI resolves to."""
    fmt = negotiate(RDF_FORMATS, suffix)
    export = dcat.export_organization(db_session(), name=name, settings=state().settings, fmt=fmt)
    return _response(export, fmt, negotiated=by_accept(suffix))


@blueprint.get("/dataset/<name>")
@blueprint.get(f"/dataset/<name>.<{_SUFFIXES}:suffix>")
@access(public=True, note=_VISIBILITY + "; withdrawn datasets answer 410 with a tombstone")
def dataset(name: str, suffix: str | None = None) -> Response:
    """One dataset as DCAT-AP (a withdrawn one: 410 and its tombstone)."""
    fmt = negotiate(RDF_FORMATS, suffix)
    export = dcat.export_dataset(
        db_session(),
        actor=current_principal(),
        name=name,
        settings=state().settings,
        fmt=fmt,
    )
    return _response(export, fmt, negotiated=by_accept(suffix))
