"""Controlled vocabularies: SKOS concept schemes in JSON, Turtle and JSON-LD."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, url_for
from rdflib import Graph

from api.auth import access
from api.conneg import negotiate
from api.v1 import blueprint
from api.v1.common import whole_number
from catalog.errors import BadRequest, NotFound
from catalog.formats import JSON, JSON_LD, TURTLE, Format
from vocab import Concept, ConceptScheme, UnknownScheme, get_registry

OFFERED: tuple[Format, ...] = (JSON, TURTLE, JSON_LD)
# Vocabularies change only with a release of the catalog.
CACHE = "public, max-age=3600"


def _scheme(name: str) -> ConceptScheme:
    try:
        return get_registry().scheme(name)
    except UnknownScheme as exc:
        raise NotFound(
            f"there is no vocabulary '{name}'; see {url_for('api_v1.list_vocabularies')}"
        ) from exc


def _concept(scheme: ConceptScheme, code: str) -> Concept:
    concept = scheme.by_code(code)
    if concept is None:
        suggestions = scheme.suggest_codes(code, n=5)
        raise NotFound(
            f"'{code}' is not a code of {scheme.name}",
            suggestions=suggestions,
        )
    return concept


def _rdf(graph: Graph, fmt: Format) -> Response:
    assert fmt.rdflib is not None  # noqa: S101 # only RDF formats reach here
    body = graph.serialize(format=fmt.rdflib)
    response = Response(body, mimetype=fmt.media_type)
    response.headers["Cache-Control"] = CACHE
    response.vary.add("Accept")
    return response


def _json(body: Any) -> Response:
    response = jsonify(body)
    response.headers["Cache-Control"] = CACHE
    response.vary.add("Accept")
    return response


def _concept_json(concept: Concept) -> dict[str, Any]:
    body = concept.to_json()
    body["links"] = {
        "self": url_for(
            "api_v1.get_concept", scheme=concept.scheme, code=concept.code, _external=True
        ),
        "scheme": url_for("api_v1.get_vocabulary", scheme=concept.scheme, _external=True),
    }
    return body


@blueprint.get("/vocab")
@access(public=True)
def list_vocabularies() -> Response:
    """Every concept scheme the catalog uses."""
    registry = get_registry()
    items = []
    for name in registry.names:
        info = registry.info(name)
        items.append(
            {
                "name": info.name,
                "iri": info.iri,
                "titles": dict(info.titles),
                "concept_count": info.concept_count,
                "links": {
                    "self": url_for("api_v1.get_vocabulary", scheme=name, _external=True),
                    "search": url_for("api_v1.search_vocabulary", scheme=name, _external=True),
                },
            }
        )
    return _json({"total": len(items), "items": items})


@blueprint.get("/vocab/<scheme>")
@access(public=True)
def get_vocabulary(scheme: str) -> Response:
    """A whole concept scheme: JSON, or SKOS as Turtle or JSON-LD."""
    found = _scheme(scheme)
    fmt = negotiate(OFFERED)
    if fmt is JSON:
        body = found.to_json(include_concepts=True)
        return _json(body)
    return _rdf(found.to_graph(), fmt)


@blueprint.get("/vocab/<scheme>/search")
@access(public=True)
def search_vocabulary(scheme: str) -> Response:
    """Autocomplete: concepts whose labels or codes start with ``q`` (accents ignored)."""
    found = _scheme(scheme)
    query = request.args.get("q", "").strip()
    if not query:
        raise BadRequest("give the start of a label or code in q")
    lang = request.args.get("lang") or None
    limit = whole_number("limit", 10, maximum=50)
    concepts = found.search(query, lang=lang, limit=limit)
    label_lang = lang or "es"
    return _json(
        {
            "scheme": found.name,
            "query": query,
            "items": [
                {
                    "code": c.code,
                    "iri": c.iri,
                    "label": c.label(label_lang),
                    "labels": dict(c.labels),
                }
                for c in concepts
            ],
        }
    )


@blueprint.get("/vocab/<scheme>/<code>")
@access(public=True)
def get_concept(scheme: str, code: str) -> Response:
    """One concept with its labels, definition and neighbours."""
    found = _scheme(scheme)
    concept = _concept(found, code)
    fmt = negotiate(OFFERED)
    if fmt is JSON:
        return _json(_concept_json(concept))
    return _rdf(concept.to_graph(with_scheme=True), fmt)
