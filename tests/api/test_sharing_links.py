"""An agreement links to what it came from: its access request and the version it renews."""

from __future__ import annotations

import datetime as dt

from tests.conftest import bearer
from tests.sharing_support import activate_agreement, make_world


def test_an_agreement_links_its_request_and_the_version_it_renews(
    client, session, make_org, make_user, make_dataset, settings
):
    world = make_world(session, make_org, make_user, make_dataset, settings.storage_path)
    agreement_id = activate_agreement(session, world)
    consumer = bearer(world.tokens["gt.requester"])
    first = client.get(f"/api/v1/agreements/{agreement_id}", headers=consumer).json
    request_url = first["links"]["access_request"]
    assert request_url.endswith(f"/api/v1/access-requests/{first['access_request']}")
    request = client.get(request_url, headers=consumer)
    assert request.status_code == 200
    assert request.json["links"]["agreement"] == first["links"]["self"]
    assert "previous" not in first["links"]
    until = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=400)).isoformat()
    renewed = client.post(
        f"/api/v1/agreements/{agreement_id}/renew",
        json={"valid_until": until},
        headers=bearer(world.tokens["sv.steward"]),
    )
    assert renewed.status_code == 201, renewed.json
    assert renewed.json["previous"] == str(agreement_id)
    assert renewed.json["links"]["previous"] == first["links"]["self"]
    assert renewed.json["links"]["access_request"] == request_url


def test_a_renewal_sets_the_cell_size_its_body_gives(
    client, session, make_org, make_user, make_dataset, settings
):
    world = make_world(session, make_org, make_user, make_dataset, settings.storage_path)
    agreement_id = activate_agreement(session, world)
    until = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=400)).isoformat()
    steward = bearer(world.tokens["sv.steward"])
    url = f"/api/v1/agreements/{agreement_id}/renew"
    invalid = client.post(url, json={"valid_until": until, "min_cell_size": 0}, headers=steward)
    assert invalid.status_code == 422
    assert [e["pointer"] for e in invalid.json["errors"]] == ["/min_cell_size"]
    renewed = client.post(url, json={"valid_until": until, "min_cell_size": 30}, headers=steward)
    assert renewed.status_code == 201, renewed.json
    assert renewed.json["min_cell_size"] == 30
