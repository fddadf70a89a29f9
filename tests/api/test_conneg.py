"""Content negotiation (api/conneg.py): the rules, and the endpoints that use them."""

from __future__ import annotations

import pytest
from flask import Flask

from api.conneg import by_accept, negotiate
from catalog import access_requests, accounts
from catalog.errors import BadRequest, NotAcceptable
from catalog.formats import JSON, JSON_LD, N_TRIPLES, RDF_FORMATS, TURTLE
from tests.conftest import BASE_URI, bearer
from tests.sharing_support import make_world, request_document

VOCAB_FORMATS = (JSON, TURTLE, JSON_LD)
PROBLEM = "application/problem+json"


def _negotiate(path: str, *, accept: str | None = None, suffix: str | None = None):
    headers = {"Accept": accept} if accept is not None else {}
    with Flask(__name__).test_request_context(path, headers=headers):
        return negotiate(VOCAB_FORMATS, suffix), by_accept(suffix)


@pytest.mark.parametrize(
    ("path", "accept", "suffix", "chosen", "by_header"),
    [
        ("/", None, None, JSON, True),  # no Accept: the first offered
        ("/", "", None, JSON, True),  # an Accept that names nothing is no Accept
        ("/", "*/*", None, JSON, True),
        ("/", "text/*", None, TURTLE, True),
        ("/", "text/turtle;q=0.5, application/ld+json", None, JSON_LD, True),
        ("/?format=TTL", "application/json", None, TURTLE, False),  # format beats Accept
        ("/?format=.jsonld", None, None, JSON_LD, False),
        ("/?format=", "text/turtle", None, TURTLE, True),  # an empty format is none
        ("/", "application/json", "ttl", TURTLE, False),  # the suffix beats Accept...
        ("/?format=json", None, "jsonld", JSON_LD, False),  # ...and format
    ],
)
def test_the_choice(path, accept, suffix, chosen, by_header):
    assert _negotiate(path, accept=accept, suffix=suffix) == (chosen, by_header)


def test_what_is_not_offered_is_406_naming_what_is():
    with pytest.raises(NotAcceptable) as refused:
        _negotiate("/", accept="application/pdf, text/html;q=0.5")
    assert refused.value.detail == (
        "this resource is available as application/json, text/turtle, application/ld+json"
    )
    assert refused.value.extensions == {"acceptable": [f.media_type for f in VOCAB_FORMATS]}
    # A format that exists, but not here, is as unknown as one that does not.
    for named in ("nt", "xlsx"):
        with pytest.raises(NotAcceptable) as refused:
            _negotiate(f"/?format={named}")
        assert refused.value.detail == (
            f"'{named}' is not available here; use one of json, ttl, jsonld"
        )


def test_format_is_given_once():
    with pytest.raises(BadRequest, match="give format once"):
        _negotiate("/?format=ttl&format=json")
    with pytest.raises(BadRequest, match="give format once"):
        _negotiate("/?format=ttl&format=ttl", suffix="ttl")


def test_vocabulary_negotiation(client):
    path = "/api/v1/vocab/countries/MEX"
    for query, media_type in (
        ({}, JSON.media_type),
        ({"format": "ttl"}, TURTLE.media_type),
        ({"format": "jsonld"}, JSON_LD.media_type),
    ):
        response = client.get(path, query_string=query)
        assert response.status_code == 200
        assert response.mimetype == media_type
        assert response.headers["Vary"] == "Accept"
    refused = client.get(path, headers={"Accept": "application/n-triples"})
    assert refused.status_code == 406
    assert refused.mimetype == PROBLEM
    assert refused.json["type"].endswith("/not-acceptable")
    assert refused.json["acceptable"] == [f.media_type for f in VOCAB_FORMATS]
    unknown = client.get(path, query_string={"format": "rdf"})
    assert unknown.status_code == 406
    assert unknown.json["detail"] == "'rdf' is not available here; use one of json, ttl, jsonld"
    twice = client.get("/api/v1/vocab/countries", query_string=[("format", "ttl")] * 2)
    assert twice.status_code == 400
    assert twice.json["detail"] == "give format once"


def test_organization_negotiation(client, make_org):
    make_org("mintrab-gt")
    path = "/organization/mintrab-gt"
    response = client.get(path, query_string={"format": "nt"})
    assert response.mimetype == N_TRIPLES.media_type
    assert "Vary" not in response.headers
    response = client.get(path, headers={"Accept": "application/ld+json"})
    assert response.mimetype == JSON_LD.media_type
    assert response.headers["Vary"] == "Accept"
    refused = client.get(path, headers={"Accept": "application/json"})
    assert refused.status_code == 406
    assert refused.json["acceptable"] == [f.media_type for f in RDF_FORMATS]
    assert client.get(path, query_string=[("format", "nt")] * 2).status_code == 400


def test_agreement_negotiation(client, session, make_org, make_user, make_dataset, settings):
    world = make_world(session, make_org, make_user, make_dataset, settings.storage_path)
    steward = accounts.authenticate_api_token(session, world.tokens["sv.steward"])
    submitted = access_requests.submit(
        session,
        actor=accounts.authenticate_api_token(session, world.tokens["gt.requester"]),
        document=request_document(),
        base_uri=BASE_URI,
        default_days=365,
    ).request
    access_requests.start_review(session, actor=steward, request_id=submitted.id)
    agreement = access_requests.approve(
        session, actor=steward, request_id=submitted.id, reason="conforme", base_uri=BASE_URI
    ).agreement
    assert agreement is not None
    path = f"/api/v1/agreements/{agreement.id}"
    headers = bearer(world.tokens["gt.requester"])

    as_json = client.get(path, headers=headers)
    assert as_json.mimetype == JSON.media_type
    assert as_json.json["id"] == str(agreement.id)
    assert as_json.headers["Vary"] == "Accept"
    for query, accept in (({}, JSON_LD.media_type), ({"format": "jsonld"}, None)):
        odrl = client.get(
            path, query_string=query, headers={**headers, **({"Accept": accept} if accept else {})}
        )
        assert odrl.mimetype == JSON_LD.media_type
        assert odrl.json == client.get(f"{path}/odrl", headers=headers).json
        assert odrl.headers["Vary"] == "Accept"
    refused = client.get(path, headers={**headers, "Accept": "text/turtle"})
    assert refused.status_code == 406
    assert refused.json["detail"] == (
        "this resource is available as application/json, application/ld+json"
    )
