"""The gateway over HTTP: declarations said once, and refusals the OpenAPI document lists.

Guatemala's requester holds an active agreement for El Salvador's returned migrants
(``tests/sharing_support.py``), for ``ProvideOfficialStatistics`` in Guatemala.
"""

from __future__ import annotations

import datetime as dt

import pytest

from catalog import accounts
from tests.conftest import bearer
from tests.sharing_support import World, activate_agreement, make_world

PROBLEM = "application/problem+json"


@pytest.fixture
def world(session, make_org, make_user, make_dataset, settings) -> World:
    """The world, with mintrab-gt's agreement active."""
    world = make_world(session, make_org, make_user, make_dataset, settings.storage_path)
    activate_agreement(session, world)
    return world


@pytest.mark.parametrize(
    "query",
    [
        # The agreed purpose first, then one the agreement does not cover: serving on the
        # first alone would hand the data over for a use nobody checked.
        [("purpose", "ProvideOfficialStatistics"), ("purpose", "Marketing")],
        [("recipient_country", "GTM"), ("recipient_country", "USA")],
    ],
)
def test_a_declaration_given_twice_is_refused_not_read_once(client, world, query):
    headers = bearer(world.tokens["gt.requester"])
    served = client.get(world.data_path, headers=headers)
    assert served.status_code == 200
    served.close()
    response = client.get(world.data_path, query_string=query, headers=headers)
    assert response.status_code == 400, response.data
    assert response.content_type == PROBLEM
    assert response.json["detail"] == f"give {query[0][0]} once"


def test_a_withdrawn_datasets_refusal_is_a_documented_problem(client, world, session):
    # check=dataset (and check=legal-basis) are refusals the gateway gives: the OpenAPI
    # document must list them, or a client generated from it rejects the answer.
    from catalog import datasets

    datasets.withdraw_dataset(
        session,
        actor=accounts.authenticate_api_token(session, world.tokens["sv.steward"]),
        name=world.dataset.name,
        reason="datos en revisión",
    )
    session.commit()
    response = client.get(world.data_path, headers=bearer(world.tokens["gt.requester"]))
    assert response.status_code == 403
    assert response.content_type == PROBLEM
    assert response.json["check"] == "dataset"


def test_a_refusal_for_want_of_a_legal_basis_is_a_documented_problem(client, world, session):
    from sqlalchemy import update

    from catalog.models import LegalBasis

    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    session.execute(update(LegalBasis).values(valid_until=yesterday))
    session.commit()
    response = client.get(world.data_path, headers=bearer(world.tokens["gt.requester"]))
    assert response.status_code == 403
    assert response.content_type == PROBLEM
    assert response.json["check"] == "legal-basis"


def test_a_restricted_datasets_file_is_not_served_again_without_the_flag(client, world, settings):
    # The same extract under its own key is another distribution's file, refused as such;
    # a copy under another key must be flagged restricted too, and is then served under
    # the agreement only.
    document = {
        "title": {"es": "Extracto", "en": "Extract"},
        "media_type": "text/csv",
        "storage_key": world.distribution.storage_key,
        "restricted": False,
    }
    steward = bearer(world.tokens["sv.steward"])
    url = f"/api/v1/datasets/{world.dataset.name}/distributions"
    same = client.post(url, json=document, headers=steward)
    assert same.status_code == 422, same.json
    assert [e["pointer"] for e in same.json["errors"]] == ["/storage_key"]
    copy = settings.storage_path / "dgme-sv" / "public" / "copia.csv"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(world.content)
    copied = {**document, "storage_key": "dgme-sv/public/copia.csv"}
    unflagged = client.post(url, json=copied, headers=steward)
    assert unflagged.status_code == 422, unflagged.json
    assert [e["pointer"] for e in unflagged.json["errors"]] == ["/restricted"]
    added = client.post(url, json={**copied, "restricted": True}, headers=steward)
    assert added.status_code == 201, added.json
    assert "download_url" not in added.json
    data_url = added.json["data_url"]
    anonymous = client.get(data_url)
    assert anonymous.status_code == 401
    assert anonymous.content_type == PROBLEM
    served = client.get(data_url, headers=bearer(world.tokens["gt.requester"]))
    assert served.status_code == 200
    assert served.headers["X-Simel-Agreement"]
    served.close()


def test_a_head_request_is_decided_as_its_get_and_recorded_as_a_head(client, world, session):
    # Under an agreement that counts uses, a HEAD must not use one up: the gateway can
    # tell it from a download only if the HTTP layer says which it is.
    from sqlmodel import col, select

    from catalog.models import AuditEvent

    response = client.head(world.data_path, headers=bearer(world.tokens["gt.requester"]))
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["X-Simel-Agreement"]
    response.close()
    client.get(world.data_path, headers=bearer(world.tokens["gt.requester"])).close()
    session.rollback()
    events = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(2)).all()
    assert [(e.action, e.details.get("method")) for e in reversed(events)] == [
        ("data.access.granted", "HEAD"),
        ("data.access.granted", None),
    ]


def test_a_get_for_the_file_held_already_is_a_304_that_uses_nothing_up(client, world, session):
    from sqlmodel import col, select

    from catalog.models import AuditEvent

    headers = bearer(world.tokens["gt.requester"])
    first = client.get(world.data_path, headers=headers)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    first.close()
    unchanged = client.get(world.data_path, headers={**headers, "If-None-Match": f"W/{tag}"})
    assert unchanged.status_code == 304
    assert unchanged.data == b""
    assert unchanged.headers["ETag"] == tag
    assert unchanged.headers["Cache-Control"] == "private, no-store"
    assert unchanged.headers["X-Simel-Agreement"]
    changed = client.get(world.data_path, headers={**headers, "If-None-Match": '"other"'})
    assert changed.status_code == 200
    assert changed.get_data() == world.content
    changed.close()
    session.rollback()
    events = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(3)).all()
    assert [(e.action, e.details.get("response")) for e in reversed(events)] == [
        ("data.access.granted", None),
        ("data.access.granted", "304"),
        ("data.access.granted", None),
    ]


@pytest.mark.parametrize(
    ("header", "held"),
    [
        ('"{tag}"', True),
        ('W/"{tag}"', True),
        ('"old", "{tag}"', True),
        ("*", True),
        ('"old"', False),
        ("{tag}", False),  # unquoted: not an entity tag
        ("", False),
        (None, False),
    ],
)
def test_if_none_match_is_compared_as_rfc_9110_says(header, held):
    from catalog import gateway
    from catalog.models import Distribution

    distribution = Distribution(checksum="sha256:" + "ab" * 32)
    value = header.format(tag="ab" * 32) if header is not None else None
    assert gateway.holds_current(value, distribution) is held
    assert gateway.holds_current('"x"', Distribution(checksum=None)) is False
