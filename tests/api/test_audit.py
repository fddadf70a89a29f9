"""The audit log over HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import bearer


@pytest.fixture
def tokens(make_org, make_user):
    make_org("sisca", country="SLV", kind="regional-body")
    make_org("mintrab-gt")
    _, auditor = make_user("aud", auditor="sisca")
    _, steward = make_user("ana", steward="mintrab-gt")
    return {"auditor": auditor, "steward": steward}


def test_every_change_is_audited_and_readable_by_auditors(client, tokens, make_dataset):
    make_dataset("enei-2024", "mintrab-gt")
    response = client.get("/api/v1/audit/events?action=dataset.", headers=bearer(tokens["auditor"]))
    assert response.status_code == 200
    (event,) = response.json["items"]
    assert event["action"] == "dataset.create"
    assert event["object"] == {"type": "dataset", "id": "enei-2024"}
    assert event["organization"] == "mintrab-gt"
    everything = client.get(
        "/api/v1/audit/events?page_size=100", headers=bearer(tokens["auditor"])
    ).json
    seqs = [e["seq"] for e in everything["items"]]
    assert seqs == sorted(seqs, reverse=True)
    # Each event links to the one before it.
    for newer, older in zip(everything["items"], everything["items"][1:], strict=False):
        assert newer["prev_hash"] == older["hash"]


def test_filters(client, tokens, make_dataset):
    make_dataset("enei-2024", "mintrab-gt")
    auditor = bearer(tokens["auditor"])
    by_org = client.get("/api/v1/audit/events?organization=mintrab-gt", headers=auditor).json
    assert {e["organization"] for e in by_org["items"]} == {"mintrab-gt"}
    by_object = client.get(
        "/api/v1/audit/events?object_type=dataset&object_id=enei-2024", headers=auditor
    )
    assert by_object.json["total"] == 1
    future = client.get("/api/v1/audit/events?since=2999-01-01", headers=auditor)
    assert future.json["total"] == 0
    past = client.get("/api/v1/audit/events?until=2000-01-01T00:00:00", headers=auditor)
    assert past.json["total"] == 0
    for since in ("yesterday", "0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-14:00"):
        response = client.get(
            "/api/v1/audit/events", query_string={"since": since}, headers=auditor
        )
        assert response.status_code == 400, since
    assert client.get("/api/v1/audit/events?organization=nadie", headers=auditor).status_code == 404


def test_pages_do_not_shift_while_events_are_added(client, tokens, make_dataset):
    auditor = bearer(tokens["auditor"])
    for name in ("a", "b", "c", "d"):
        make_dataset(f"encuesta-{name}", "mintrab-gt")
    first = client.get("/api/v1/audit/events?action=dataset.&page_size=2", headers=auditor).json
    newest = first["items"][0]["seq"]
    assert first["up_to"] >= newest
    assert f"up_to={first['up_to']}" in first["links"]["next"]
    make_dataset("encuesta-e", "mintrab-gt")  # arrives between two pages
    second = client.get(first["links"]["next"], headers=auditor).json
    assert second["total"] == first["total"] == 4
    assert [e["object"]["id"] for e in first["items"] + second["items"]] == [
        "encuesta-d",
        "encuesta-c",
        "encuesta-b",
        "encuesta-a",
    ]
    # A fresh first page reads the log as it stands now.
    now = client.get("/api/v1/audit/events?action=dataset.&page_size=2", headers=auditor).json
    assert now["total"] == 5
    assert now["up_to"] > first["up_to"]
    bad = client.get("/api/v1/audit/events?up_to=0", headers=auditor)
    assert bad.status_code == 400


def test_only_auditors_and_admins(client, tokens):
    assert client.get("/api/v1/audit/events").status_code == 401
    assert client.get("/api/v1/audit/events", headers=bearer(tokens["steward"])).status_code == 403
    assert (
        client.get("/api/v1/audit/verification", headers=bearer(tokens["steward"])).status_code
        == 403
    )


def test_verification_names_the_tampered_event(client, tokens, make_dataset, db):
    make_dataset("enei-2024", "mintrab-gt")
    auditor = bearer(tokens["auditor"])
    assert client.get("/api/v1/audit/verification", headers=auditor).json["ok"] is True
    with db.engine.begin() as conn:
        seq = conn.execute(
            text("SELECT seq FROM audit_event WHERE action = 'dataset.create'")
        ).scalar_one()
        conn.execute(
            text("UPDATE audit_event SET actor_name = 'mallory' WHERE seq = :seq"), {"seq": seq}
        )
    result = client.get("/api/v1/audit/verification", headers=auditor).json
    assert result["ok"] is False
    assert result["broken_seq"] == seq


def test_removing_the_latest_events_is_found_against_a_recorded_head(
    client, tokens, make_dataset, db
):
    make_dataset("enei-2024", "mintrab-gt")
    make_dataset("enei-2025", "mintrab-gt")
    auditor = bearer(tokens["auditor"])
    first = client.get("/api/v1/audit/verification", headers=auditor).json
    head = f"{first['head']['seq']}:{first['head']['hash']}"
    assert client.get(
        "/api/v1/audit/verification", query_string={"anchor": head}, headers=auditor
    ).json["ok"]
    with db.engine.begin() as conn:  # the latest event goes: the chain itself stays valid
        conn.execute(
            text("DELETE FROM audit_event WHERE seq = :seq"), {"seq": first["head"]["seq"]}
        )
    unanchored = client.get("/api/v1/audit/verification", headers=auditor).json
    assert unanchored["ok"] is True
    assert unanchored["head"]["seq"] == first["head"]["seq"] - 1
    anchored = client.get(
        "/api/v1/audit/verification", query_string={"anchor": head}, headers=auditor
    ).json
    assert anchored["ok"] is False
    assert anchored["broken_seq"] == first["head"]["seq"]
    assert anchored["reason"].endswith("events were removed")
    # A forged head does not match the event recorded under its number.
    forged = f"{first['head']['seq'] - 1}:{'0' * 64}"
    response = client.get(
        "/api/v1/audit/verification", query_string={"anchor": forged}, headers=auditor
    )
    assert response.json["reason"].endswith("its hash differs")
    bad = client.get("/api/v1/audit/verification?anchor=x", headers=auditor)
    assert bad.status_code == 400
