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
from api.context import db_session, state
from api.v1.common import query_list, whole_number
from api.v1.datasets import sort_and_quality
from catalog import dcat
from catalog.errors import BadRequest, NotAcceptable
from catalog.rdfio import FORMAT_BY_SUFFIX, FORMATS, RdfFormat
from catalog.search import FACET_FIELDS

blueprint = Blueprint("rdf", __name__)

_SUFFIXES = "any(ttl, jsonld, rdf, nt)"
_OFFERED = [fmt.media_type for fmt in FORMATS.values()]
_VISIBILITY = "only what the caller may see: drafts only to their organization, auditors, admins"


def negotiate(suffix: str | None) -> RdfFormat:
    """The serialization asked for by the URL suffix, ``?format=`` or the ``Accept`` header.

    Raises:
        NotAcceptable: ``format`` names none of the four serializations, or the client
            accepts none of them.
    """
    asked = request.args.getlist("format")
    if len(asked) > 1:
        raise BadRequest("give format once")
    named = suffix or (asked[0] if asked else None)
    if named:
        try:
            return FORMAT_BY_SUFFIX[named.lower()]
        except KeyError:
            raise NotAcceptable(
                f"'{named}' is not available here; use one of {', '.join(FORMAT_BY_SUFFIX)}",
                acceptable=_OFFERED,
            ) from None
    if not request.headers.get("Accept"):
        return FORMATS["turtle"]
    best = request.accept_mimetypes.best_match(_OFFERED)
    if best is None:
        raise NotAcceptable(
            "this resource is available as " + ", ".join(_OFFERED),
            acceptable=_OFFERED,
        )
    return next(fmt for fmt in FORMATS.values() if fmt.media_type == best)


def _by_header(suffix: str | None) -> bool:
    """Whether the format came from ``Accept`` (so caches must vary on it)."""
    return not (suffix or request.args.get("format"))


def _response(export: dcat.RdfExport, fmt: RdfFormat, negotiated: bool) -> Response:
    response = Response(export.chunks, status=export.status, mimetype=fmt.media_type)
    if negotiated:
        response.headers["Vary"] = "Accept"
    return response


def _closing(chunks: Iterator[str], session: Session) -> Iterator[str]:
    """The chunks, then the session closed (also when the client goes away midway)."""
    try:
        yield from chunks
    finally:
        session.close()


@blueprint.get("/catalog")
@blueprint.get(f"/catalog.<{_SUFFIXES}:suffix>")
@access(public=True, note=_VISIBILITY)
def catalog(suffix: str | None = None) -> Response:
    """The catalog as DCAT-AP, paged beyond ``[rdf] page_size`` datasets."""
    fmt = negotiate(suffix)
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
    session = state().database.new_session()
    try:
        export = dcat.export_catalog(
            session, actor=current_principal(), settings=settings, fmt=fmt, query=query
        )
    except BaseException:
        session.close()
        raise
    export.chunks = _closing(export.chunks, session)
    return _response(export, fmt, negotiated=_by_header(suffix))


@blueprint.get("/organization/<name>")
@blueprint.get(f"/organization/<name>.<{_SUFFIXES}:suffix>")
@access(
    public=True, note="organizations are public: names, acronym, kind, country, homepage, e-mail"
)
def organization(name: str, suffix: str | None = None) -> Response:
    """An organization as a ``foaf:Agent``: where its publisher IRI resolves to."""
    fmt = negotiate(suffix)
    export = dcat.export_organization(db_session(), name=name, settings=state().settings, fmt=fmt)
    return _response(export, fmt, negotiated=_by_header(suffix))


@blueprint.get("/dataset/<name>")
@blueprint.get(f"/dataset/<name>.<{_SUFFIXES}:suffix>")
@access(public=True, note=_VISIBILITY + "; withdrawn datasets answer 410 with a tombstone")
def dataset(name: str, suffix: str | None = None) -> Response:
    """One dataset as DCAT-AP (a withdrawn one: 410 and its tombstone)."""
    fmt = negotiate(suffix)
    export = dcat.export_dataset(
        db_session(),
        actor=current_principal(),
        name=name,
        settings=state().settings,
        fmt=fmt,
    )
    return _response(export, fmt, negotiated=_by_header(suffix))
