"""The governance endpoints: legal bases, consents, policy, governance view, templates, evaluate.

Every response here is also checked against the OpenAPI document (tests/openapi_contract.py).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from rdflib.compare import isomorphic
from sqlalchemy import event

from catalog import audit
from policies import from_jsonld, to_graph
from tests.catalog.test_governance_policies import offer
from tests.conftest import BASE_URI, bearer, dataset_document, legal_basis_document

PROBLEM = "application/problem+json"
LD = "application/ld+json"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture
def tokens(make_org, make_user):
    make_org("mintrab-gt", country="GTM")
    make_org("stps-mx", country="MEX")
    make_org("sisca", country="SLV", kind="regional-body")
    return {
        "steward": make_user("ana", steward="mintrab-gt")[1],
        "requester": make_user("rosa", requester="mintrab-gt")[1],
        "other": make_user("luis", steward="stps-mx")[1],
        "mx_requester": make_user("juan", requester="stps-mx")[1],
        "auditor": make_user("eva", auditor="sisca")[1],
    }


@pytest.fixture
def draft(client, tokens):
    """A restricted personal dataset, still a draft: it cannot be published yet."""
    response = client.post(
        "/api/v1/datasets",
        json=dataset_document(personal_data="personal", access_rights="RESTRICTED"),
        headers=bearer(tokens["steward"]),
    )
    assert response.status_code == 201
    return "enei-2024"


def add_legal_basis(client, token, **overrides):
    return client.post(
        "/api/v1/datasets/enei-2024/legal-bases",
        json=legal_basis_document(**overrides),
        headers=bearer(token),
    )


def set_policy(client, token, body, **headers):
    return client.put(
        "/api/v1/datasets/enei-2024/policy", json=body, headers={**bearer(token), **headers}
    )


@pytest.fixture
def published(client, tokens, draft):
    assert add_legal_basis(client, tokens["steward"]).status_code == 201
    assert set_policy(client, tokens["steward"], offer()).status_code == 201
    response = client.post("/api/v1/datasets/enei-2024/publish", headers=bearer(tokens["steward"]))
    assert response.status_code == 200
    return "enei-2024"


def consent_body(**overrides):
    body = {
        "data_subjects": {"description": {"es": "Cohorte 2024"}},
        "subjects_count": 300,
        "purposes": ["PublicBenefit"],
        "recipients": {"organizations": ["stps-mx"]},
        "given_at": (NOW - dt.timedelta(days=10)).isoformat(),
        "evidence": {"reference": "F-2024"},
    }
    body.update(overrides)
    return body


# ------------------------------------------------------------------------- the publish guard


def test_create_published_personal_data_is_a_409_naming_what_is_missing(client, tokens):
    response = client.post(
        "/api/v1/datasets?status=published",
        json=dataset_document(personal_data="sensitive", access_rights="RESTRICTED"),
        headers=bearer(tokens["steward"]),
    )
    assert response.status_code == 409
    assert response.mimetype == PROBLEM
    body = response.json
    assert body["type"].endswith("/governance-incomplete")
    assert [m["requirement"] for m in body["missing"]] == ["legal-basis", "policy"]
    assert "needs a legal basis" in body["detail"]


def test_publish_is_refused_until_the_records_exist(client, tokens, draft):
    publish = "/api/v1/datasets/enei-2024/publish"
    first = client.post(publish, headers=bearer(tokens["steward"]))
    assert first.status_code == 409
    assert [m["requirement"] for m in first.json["missing"]] == ["legal-basis", "policy"]
    add_legal_basis(client, tokens["steward"])
    second = client.post(publish, headers=bearer(tokens["steward"]))
    assert [m["requirement"] for m in second.json["missing"]] == ["policy"]
    set_policy(client, tokens["steward"], {"template": "restricted-statistical-aggregates"})
    third = client.post(publish, headers=bearer(tokens["steward"]))
    assert third.status_code == 200
    assert third.json["governance"] == {
        "legal_basis": True,
        "policy": True,
        "publishable": True,
        "shareable": True,
    }


# ------------------------------------------------------------------------------ legal bases


def test_legal_basis_lifecycle(client, tokens, published):
    listing = client.get("/api/v1/datasets/enei-2024/legal-bases")
    (basis,) = listing.json["items"]
    assert basis["valid"] is True
    assert basis["ended"] is None
    url = basis["links"]["self"].removeprefix("http://localhost")
    one = client.get(url)
    assert one.headers["ETag"] == '"1"'
    # Corrections need If-Match.
    patch = {"instrument": {**basis["instrument"], "article": "Artículo 61"}}
    headers = {**bearer(tokens["steward"]), "Content-Type": "application/merge-patch+json"}
    assert client.patch(url, json=patch, headers=bearer(tokens["steward"])).status_code == 428
    patched = client.patch(url, data=json.dumps(patch), headers={**headers, "If-Match": '"1"'})
    assert patched.status_code == 200
    assert patched.json["instrument"]["article"] == "Artículo 61"
    assert patched.headers["ETag"] == '"2"'
    stale = client.put(
        url, json=legal_basis_document(), headers={**bearer(tokens["steward"]), "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    # Sending the representation back unchanged (server members included) is fine.
    same = client.put(
        url, json=patched.json, headers={**bearer(tokens["steward"]), "If-Match": '"2"'}
    )
    assert same.status_code == 200
    assert same.json["revision"] == 2
    # The last valid basis of a published personal dataset cannot be ended...
    end = client.post(f"{url}/end", json={"reason": "derogada"}, headers=bearer(tokens["steward"]))
    assert end.status_code == 409
    # ... until another covers it.
    add_legal_basis(client, tokens["steward"], basis="PublicInterest")
    ended = client.post(
        f"{url}/end", json={"reason": "derogada"}, headers=bearer(tokens["steward"])
    )
    assert ended.status_code == 200
    assert ended.json["valid"] is False
    assert ended.json["ended"]["reason"] == "derogada"
    assert len(client.get("/api/v1/datasets/enei-2024/legal-bases").json["items"]) == 2


@pytest.mark.parametrize(
    ("who", "offered"),
    [(None, False), ("auditor", False), ("requester", False), ("other", False), ("steward", True)],
)
def test_only_who_may_end_a_legal_basis_gets_the_end_link(client, tokens, published, who, offered):
    headers = bearer(tokens[who]) if who else {}
    listing = client.get("/api/v1/datasets/enei-2024/legal-bases", headers=headers).json
    (basis,) = listing["items"]
    url = basis["links"]["self"].removeprefix("http://localhost")
    one = client.get(url, headers=headers).json
    view = client.get("/api/v1/datasets/enei-2024/governance", headers=headers).json
    for shown in (basis, one, view["legal_bases"][0]):
        assert set(shown["links"]) == (
            {"self", "dataset", "end"} if offered else {"self", "dataset"}
        )
    if offered:
        # The link is usable: it leads to the action (here refused for a reason of state).
        end = client.post(
            basis["links"]["end"].removeprefix("http://localhost"),
            json={"reason": "derogada"},
            headers=headers,
        )
        assert end.status_code == 409
    else:
        end = client.post(f"{url}/end", json={"reason": "derogada"}, headers=headers)
        assert end.status_code == (401 if who is None else 403)


def test_the_end_link_leads_from_writes_and_goes_once_ended(client, tokens, published):
    created = add_legal_basis(client, tokens["steward"], basis="PublicInterest")
    assert set(created.json["links"]) == {"self", "dataset", "end"}
    ended = client.post(
        created.json["links"]["end"].removeprefix("http://localhost"),
        json={"reason": "derogada"},
        headers=bearer(tokens["steward"]),
    )
    assert ended.status_code == 200
    assert set(ended.json["links"]) == {"self", "dataset"}  # it cannot be ended twice
    again = client.get(
        created.json["links"]["self"].removeprefix("http://localhost"),
        headers=bearer(tokens["steward"]),
    )
    assert set(again.json["links"]) == {"self", "dataset"}


def test_invalid_legal_bases_are_422_with_pointers(client, tokens, draft):
    response = add_legal_basis(
        client,
        tokens["steward"],
        basis="PublicTask",
        jurisdictions=["GT"],
        valid_from="2024-01-01",
        valid_until="2023-01-01",
    )
    assert response.status_code == 422
    errors = {e["pointer"]: e for e in response.json["errors"]}
    assert set(errors) == {"/basis", "/jurisdictions/0"}
    assert errors["/basis"]["scheme"] == "legal-bases"
    assert "PublicInterest" in errors["/basis"]["suggestions"] or errors["/basis"]["suggestions"]
    response = add_legal_basis(client, tokens["steward"], valid_until="2019-12-31")
    assert [e["pointer"] for e in response.json["errors"]] == ["/valid_until"]


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("other", 403), ("auditor", 403), ("requester", 403)],
)
def test_who_may_write_legal_bases(client, tokens, draft, who, status):
    headers = bearer(tokens[who]) if who else {}
    response = client.post(
        "/api/v1/datasets/enei-2024/legal-bases", json=legal_basis_document(), headers=headers
    )
    if who == "other":  # a draft of another organization does not exist for it
        status = 404
    assert response.status_code == status
    assert response.mimetype == PROBLEM


def test_legal_bases_of_drafts_are_private_and_of_published_datasets_public(client, tokens, draft):
    add_legal_basis(client, tokens["steward"])
    assert client.get("/api/v1/datasets/enei-2024/legal-bases").status_code == 404
    assert (
        client.get(
            "/api/v1/datasets/enei-2024/legal-bases", headers=bearer(tokens["auditor"])
        ).status_code
        == 200
    )
    set_policy(client, tokens["steward"], offer())
    client.post("/api/v1/datasets/enei-2024/publish", headers=bearer(tokens["steward"]))
    assert client.get("/api/v1/datasets/enei-2024/legal-bases").status_code == 200


# --------------------------------------------------------------------------------- consents


def test_consent_withdrawal_is_an_event_in_the_governance_view(client, tokens, published):
    created = client.post(
        "/api/v1/datasets/enei-2024/consents",
        json=consent_body(),
        headers=bearer(tokens["steward"]),
    )
    assert created.status_code == 201
    consent = created.json
    assert consent["status"] == "ConsentGiven"
    assert consent["valid"] is True
    events_url = consent["links"]["events"].removeprefix("http://localhost")
    withdrawn = client.post(
        events_url,
        json={"event": "withdrawn", "reason": "Retiro por escrito"},
        headers=bearer(tokens["steward"]),
    )
    assert withdrawn.status_code == 201
    assert withdrawn.json["status"] == "ConsentWithdrawn"
    assert withdrawn.json["withdrawn_at"] is not None
    history = client.get(events_url, headers=bearer(tokens["auditor"])).json
    assert [(e["seq"], e["event"], e["status"]) for e in history["items"]] == [
        (1, "given", "ConsentGiven"),
        (2, "withdrawn", "ConsentWithdrawn"),
    ]
    assert history["items"][0]["at"] == consent["given_at"]  # the past is intact
    again = client.post(events_url, json={"event": "renewed"}, headers=bearer(tokens["steward"]))
    assert again.status_code == 409
    assert again.json["allowed_events"] == []
    view = client.get("/api/v1/datasets/enei-2024/governance", headers=bearer(tokens["steward"]))
    assert view.json["consent_required"] is True
    assert view.json["links"]["consents"].endswith("/datasets/enei-2024/consents")
    (shown,) = view.json["consents"]
    assert [e["event"] for e in shown["events"]] == ["given", "withdrawn"]
    assert [w["requirement"] for w in view.json["readiness"]["share"]["warnings"]] == [
        "retention-period",
        "consent",
    ]


@pytest.mark.parametrize(
    ("who", "sees_gaps"),
    [
        (None, False),
        ("other", False),  # a steward of another ministry
        ("mx_requester", False),
        ("requester", False),  # a member of the publisher, but not its steward
        ("steward", True),
        ("auditor", True),
        ("admin", True),
    ],
)
def test_only_stewards_auditors_and_admins_see_compliance_gaps(
    client, tokens, make_user, published, who, sees_gaps
):
    """No valid consent is the publisher's problem to fix, not news for the public."""
    consent = client.post(
        "/api/v1/datasets/enei-2024/consents",
        json=consent_body(),
        headers=bearer(tokens["steward"]),
    ).json
    client.post(
        consent["links"]["events"].removeprefix("http://localhost"),
        json={"event": "withdrawn", "reason": "Retiro por escrito"},
        headers=bearer(tokens["steward"]),
    )
    if who == "admin":
        tokens = {**tokens, "admin": make_user("root", admin="sisca")[1]}
    view = client.get(
        "/api/v1/datasets/enei-2024/governance", headers=bearer(tokens[who]) if who else {}
    )
    assert view.status_code == 200
    readiness = view.json["readiness"]
    assert readiness["legal_basis"] is True
    assert readiness["policy"] is True
    assert (readiness["publish"]["ready"], readiness["share"]["ready"]) == (True, True)
    assert [b["basis"] for b in view.json["legal_bases"]] == ["LegalObligation"]
    assert view.json["access_rights"] == "RESTRICTED"
    assert view.json["policy"]["document"] == offer()
    for check in ("publish", "share"):
        if sees_gaps:
            warned = [w["requirement"] for w in readiness[check]["warnings"]]
            assert warned == ["retention-period", "consent"]
            assert readiness[check]["missing"] == []
        else:
            assert readiness[check]["warnings"] is None
            assert readiness[check]["missing"] is None
    assert ("consent record is valid" in view.get_data(as_text=True)) is sees_gaps


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("other", 403), ("mx_requester", 403), ("requester", 200), ("auditor", 200)],
)
def test_who_may_read_consents(client, tokens, published, who, status):
    client.post(
        "/api/v1/datasets/enei-2024/consents",
        json=consent_body(),
        headers=bearer(tokens["steward"]),
    )
    headers = bearer(tokens[who]) if who else {}
    response = client.get("/api/v1/datasets/enei-2024/consents", headers=headers)
    assert response.status_code == status
    view = client.get("/api/v1/datasets/enei-2024/governance", headers=headers).json
    assert (view["consents"] is None) is (status != 200)


def test_auditors_read_but_cannot_write_consents(client, tokens, published):
    response = client.post(
        "/api/v1/datasets/enei-2024/consents",
        json=consent_body(),
        headers=bearer(tokens["auditor"]),
    )
    assert response.status_code == 403


def test_invalid_consents_and_events_are_422(client, tokens, published):
    bad = client.post(
        "/api/v1/datasets/enei-2024/consents",
        json=consent_body(purposes=["Statistics"], recipients={"organizations": ["nadie"]}),
        headers=bearer(tokens["steward"]),
    )
    assert bad.status_code == 422
    assert {e["pointer"] for e in bad.json["errors"]} == {
        "/purposes/0",
        "/recipients/organizations/0",
    }
    consent = client.post(
        "/api/v1/datasets/enei-2024/consents",
        json=consent_body(),
        headers=bearer(tokens["steward"]),
    ).json
    events_url = consent["links"]["events"].removeprefix("http://localhost")
    response = client.post(
        events_url, json={"event": "withdrawn"}, headers=bearer(tokens["steward"])
    )
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json["errors"]] == ["/reason"]
    missing = client.get(
        "/api/v1/datasets/enei-2024/consents/00000000-0000-0000-0000-000000000000",
        headers=bearer(tokens["auditor"]),
    )
    assert missing.status_code == 404


# ----------------------------------------------------------------------------------- policy


def test_policy_from_a_template_then_edited_as_json_ld(client, tokens, draft):
    created = set_policy(
        client,
        tokens["steward"],
        {
            "template": "binational-labour-migration-exchange",
            "parameters": {"assignees": ["stps-mx"]},
        },
    )
    assert created.status_code == 201
    assert created.mimetype == LD
    assert created.headers["ETag"] == '"1"'
    document = created.json
    assert document["assignee"] == f"{BASE_URI}organization/stps-mx"
    # The steward edits it: a shorter retention.
    document["permission"][0]["duty"][1]["constraint"][0]["rightOperand"]["@value"] = "P1Y"
    edited = client.put(
        "/api/v1/datasets/enei-2024/policy",
        data=json.dumps(document),
        headers={**bearer(tokens["steward"]), "Content-Type": LD, "If-Match": '"1"'},
    )
    assert edited.status_code == 200
    assert edited.headers["ETag"] == '"2"'
    fetched = client.get("/api/v1/datasets/enei-2024/policy", headers=bearer(tokens["auditor"]))
    assert fetched.json == document  # canonical JSON-LD comes back unchanged
    view = client.get("/api/v1/datasets/enei-2024/governance", headers=bearer(tokens["steward"]))
    assert view.json["policy"]["revision"] == 2
    assert view.json["policy"]["template"] is None  # edited: no longer the template's output


def test_json_ld_round_trip_through_the_api(client, tokens, published):
    as_ld = client.get("/api/v1/datasets/enei-2024/policy", headers={"Accept": LD})
    assert as_ld.mimetype == LD
    assert as_ld.json == offer()
    as_json = client.get(
        "/api/v1/datasets/enei-2024/policy", headers={"Accept": "application/json"}
    )
    assert as_json.mimetype == "application/json"
    assert as_json.json == offer()
    assert isomorphic(to_graph(from_jsonld(as_ld.json)), to_graph(from_jsonld(offer())))
    cached = client.get("/api/v1/datasets/enei-2024/policy", headers={"If-None-Match": '"1"'})
    assert cached.status_code == 304
    assert client.get("/api/v1/datasets/enei-2024/policy?format=ttl").status_code == 406
    # POST is the same operation as PUT; a non-canonical document is stored canonically.
    variant = offer(target=[f"{BASE_URI}dataset/enei-2024"])
    posted = client.post(
        "/api/v1/datasets/enei-2024/policy",
        json=variant,
        headers={**bearer(tokens["steward"]), "If-Match": '"1"'},
    )
    assert posted.status_code == 200
    assert posted.headers["ETag"] == '"1"'  # the same policy: no new revision


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        (offer(permission={"action": "use"}), "/permission"),
        (offer(**{"zz:note": "x"}), "/zz:note"),
        (
            offer(
                prohibition=[
                    {
                        "action": "distribute",
                        "constraint": [
                            {"leftOperand": "resolution", "operator": "lt", "rightOperand": 300}
                        ],
                    }
                ]
            ),
            "/prohibition/0/constraint/0",
        ),
        ({"template": "open-data", "parameters": {"x": 1}}, "/parameters/x"),
    ],
)
def test_invalid_policies_are_422_with_pointers(client, tokens, draft, document, pointer):
    response = set_policy(client, tokens["steward"], document)
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert [e["pointer"] for e in response.json["errors"]] == [pointer]


def test_policy_bodies_must_be_json(client, tokens, draft):
    response = client.put(
        "/api/v1/datasets/enei-2024/policy",
        data="use it",
        headers={**bearer(tokens["steward"]), "Content-Type": "text/plain"},
    )
    assert response.status_code == 415


def test_offers_of_drafts_are_private(client, tokens, draft):
    set_policy(client, tokens["steward"], offer())
    assert client.get("/api/v1/datasets/enei-2024/policy").status_code == 404
    assert (
        client.get("/api/v1/datasets/enei-2024/policy", headers=bearer(tokens["other"])).status_code
        == 404
    )
    assert (
        client.get(
            "/api/v1/datasets/enei-2024/policy", headers=bearer(tokens["requester"])
        ).status_code
        == 200
    )


def test_templates_are_listed_in_both_languages(client):
    response = client.get("/api/v1/policies/templates")
    names = [t["name"] for t in response.json["items"]]
    assert names == [
        "open-data",
        "restricted-statistical-aggregates",
        "binational-labour-migration-exchange",
    ]
    binational = response.json["items"][2]
    assert set(binational["title"]) == {"es", "en"}
    assert binational["parameters"]["required"] == ["assignees"]


# ---------------------------------------------------------------------- governance view


def test_governance_view_links_to_the_offer_policy_only_once_there_is_one(client, tokens, draft):
    def view():
        response = client.get(
            "/api/v1/datasets/enei-2024/governance", headers=bearer(tokens["steward"])
        )
        assert response.status_code == 200
        return response.json

    assert view()["policy"] is None
    assert "policy" not in view()["links"]  # it would answer 404
    steward = bearer(tokens["steward"])
    assert client.get("/api/v1/datasets/enei-2024/policy", headers=steward).status_code == 404
    assert set_policy(client, tokens["steward"], offer()).status_code == 201
    link = view()["links"]["policy"].removeprefix("http://localhost")
    assert client.get(link, headers=steward).status_code == 200


def test_governance_view_for_anyone_without_consents(client, tokens, published):
    view = client.get("/api/v1/datasets/enei-2024/governance")
    assert view.status_code == 200
    body = view.json
    assert body["personal_data"] == "personal"
    assert body["consents"] is None
    assert "consents" not in body["links"]  # it would answer 401
    assert [b["basis"] for b in body["legal_bases"]] == ["LegalObligation"]
    assert body["policy"]["document"] == offer()
    assert body["readiness"]["publish"]["ready"] is True
    assert body["readiness"]["share"]["ready"] is True
    # What is missing and the warnings are the publisher's work list, not public facts.
    assert body["readiness"]["publish"]["warnings"] is None
    assert body["readiness"]["share"]["missing"] is None
    steward = client.get("/api/v1/datasets/enei-2024/governance", headers=bearer(tokens["steward"]))
    assert [w["requirement"] for w in steward.json["readiness"]["publish"]["warnings"]] == [
        "retention-period"
    ]


def test_outsiders_see_whether_a_draft_is_ready_but_not_why(client, tokens, draft):
    """The auditor sees the gaps of a draft it may read; a member who is no steward does not."""
    requester = client.get(
        "/api/v1/datasets/enei-2024/governance", headers=bearer(tokens["requester"])
    ).json["readiness"]
    assert (requester["publish"]["ready"], requester["publish"]["missing"]) == (False, None)
    assert (requester["share"]["ready"], requester["share"]["missing"]) == (False, None)
    auditor = client.get(
        "/api/v1/datasets/enei-2024/governance", headers=bearer(tokens["auditor"])
    ).json["readiness"]
    assert [m["requirement"] for m in auditor["publish"]["missing"]] == ["legal-basis", "policy"]
    assert [m["requirement"] for m in auditor["share"]["missing"]] == [
        "published",
        "legal-basis",
        "policy",
    ]


def test_dataset_listing_carries_the_summary_without_a_query_per_dataset(
    client, tokens, app, make_dataset
):
    for number in range(3):
        make_dataset(f"d-{number}")

    def queries_for_listing():
        count = [0]
        engine = app.extensions["simel"].database.engine

        def counter(*_args):
            count[0] += 1

        event.listen(engine, "before_cursor_execute", counter)
        try:
            response = client.get("/api/v1/datasets?page_size=50")
        finally:
            event.remove(engine, "before_cursor_execute", counter)
        return response, count[0]

    small, few = queries_for_listing()
    for number in range(3, 15):
        make_dataset(f"d-{number}")
    large, many = queries_for_listing()
    assert len(large.json["items"]) == 15
    assert many == few
    assert all(item["governance"]["publishable"] for item in large.json["items"])
    assert small.json["items"][0]["links"]["governance"].endswith("/governance")


def test_listing_summaries_match_each_dataset_own(client, published, make_dataset):
    """The listing reads legal bases and policies only for datasets that have them."""
    make_dataset("without-records")
    listing = client.get("/api/v1/datasets?page_size=50").json["items"]
    summaries = {item["name"]: item["governance"] for item in listing}
    assert summaries[published]["legal_basis"] is True
    assert summaries[published]["policy"] is True
    assert summaries["without-records"]["legal_basis"] is False
    assert summaries["without-records"]["policy"] is False
    for name, summary in summaries.items():
        assert client.get(f"/api/v1/datasets/{name}").json["governance"] == summary


# --------------------------------------------------------------------------------- evaluate


def evaluate(client, token, body):
    return client.post(
        "/api/v1/policies/evaluate", json=body, headers=bearer(token) if token else {}
    )


def test_evaluate_permit_deny_and_not_applicable_with_no_side_effects(
    client, tokens, published, session
):
    before = audit.count_events(session)
    request = {"action": "use", "purpose": "ProvideOfficialStatistics"}
    permit = evaluate(client, tokens["mx_requester"], {"dataset": "enei-2024", "request": request})
    assert permit.status_code == 200
    body = permit.json
    assert body["outcome"] == "permit"
    assert body["granted_by"] == ["permission #0"]
    assert body["request"]["assignee"] == f"{BASE_URI}organization/stps-mx"  # the caller's org
    assert body["request"]["assignee_country"] == "MEX"
    assert [d["action"] for d in body["duties"]] == ["http://www.w3.org/ns/odrl/2/attribute"]
    assert body["source"] == {"dataset": "enei-2024", "policy_revision": 1}
    assert set(body["summary"]) == {"en", "es"}
    deny = evaluate(
        client,
        tokens["mx_requester"],
        {"dataset": "enei-2024", "request": {"action": "simel:reidentify"}},
    ).json
    assert (deny["outcome"], deny["forbidden_by"]) == ("deny", ["prohibition #0"])
    not_permitted = evaluate(
        client,
        tokens["mx_requester"],
        {"dataset": "enei-2024", "request": {"action": "use", "purpose": "Marketing"}},
    ).json
    assert (not_permitted["outcome"], not_permitted["reason"]) == ("deny", "not_permitted")
    held = [c["held"] for c in not_permitted["rules"][0]["constraints"]]
    assert held == [False]
    nothing = evaluate(
        client, tokens["mx_requester"], {"dataset": "enei-2024", "request": {"action": "transfer"}}
    ).json
    assert nothing["outcome"] == "not_applicable"
    session.expire_all()
    assert audit.count_events(session) == before


def test_evaluate_needs_a_token_and_hides_invisible_offers(client, tokens, draft):
    set_policy(client, tokens["steward"], offer())
    body = {"dataset": "enei-2024", "request": {"action": "use"}}
    assert evaluate(client, None, body).status_code == 401
    assert evaluate(client, tokens["other"], body).status_code == 404  # a draft elsewhere
    assert evaluate(client, tokens["requester"], body).status_code == 200
    inline = evaluate(
        client,
        tokens["other"],
        {
            "policy": offer(),
            "request": {
                "action": "use",
                "purpose": "https://w3id.org/dpv#ProvideOfficialStatistics",
                "target": f"{BASE_URI}dataset/enei-2024",
            },
        },
    )
    assert inline.json["outcome"] == "permit"
    assert inline.json["source"] == {"dataset": None, "policy_revision": None}


def test_bad_evaluation_requests_are_422(client, tokens, published):
    response = evaluate(
        client,
        tokens["auditor"],
        {"dataset": "enei-2024", "request": {"action": "use", "purpose": "Estadistica"}},
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["pointer"] == "/request/purpose"
    assert evaluate(client, tokens["auditor"], {"request": {"action": "use"}}).status_code == 422
    assert (
        evaluate(
            client, tokens["auditor"], {"dataset": "nothing", "request": {"action": "use"}}
        ).status_code
        == 404
    )
