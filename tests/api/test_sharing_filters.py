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
    assert response.json == {"items": [], "total": 0}
