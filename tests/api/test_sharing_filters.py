"""Listing agreements over HTTP: filters that name nothing are refused, not answered empty."""

from __future__ import annotations

import pytest

from tests.conftest import bearer
from tests.sharing_support import make_world

PROBLEM = "application/problem+json"


@pytest.fixture
def auditor(session, make_org, make_user, make_dataset, settings):
    world = make_world(session, make_org, make_user, make_dataset, settings.storage_path)
    return bearer(world.tokens["auditor"])


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ({"dataset": "retornados"}, "there is no dataset named 'retornados'"),
        ({"organization": "mintrab"}, "there is no organization named 'mintrab'"),
    ],
)
def test_an_unknown_name_is_a_404_problem(client, auditor, query, detail):
    response = client.get("/api/v1/agreements", query_string=query, headers=auditor)
    assert response.status_code == 404
    assert response.content_type == PROBLEM
    assert response.json["detail"] == detail


def test_a_known_name_with_no_agreement_is_an_empty_list(client, auditor):
    response = client.get(
        "/api/v1/agreements",
        query_string={"dataset": "retornados-sv", "organization": "inm-hn"},
        headers=auditor,
    )
    assert response.status_code == 200
    assert (response.json["items"], response.json["total"]) == ([], 0)


@pytest.mark.parametrize(
    ("path", "status"), [("/api/v1/agreements", "active"), ("/api/v1/access-requests", "approved")]
)
def test_lists_are_paged_with_links(client, auditor, path, status):
    response = client.get(path, query_string={"page_size": 5, "status": status}, headers=auditor)
    assert response.status_code == 200
    body = response.json
    assert (body["page"], body["page_size"]) == (1, 5)
    assert body["links"]["self"].endswith(f"status={status}&page=1&page_size=5")
    assert "next" not in body["links"]
    too_big = client.get(path, query_string={"page_size": 10**6}, headers=auditor)
    assert too_big.status_code == 400
    assert too_big.content_type == PROBLEM
