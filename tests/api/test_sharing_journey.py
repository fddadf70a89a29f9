"""The whole sharing journey over real HTTP on 127.0.0.1, with real OAuth tokens.

Guatemala's Ministry of Labour asks El Salvador's migration authority for its returned
migrants register; El Salvador's steward reviews and approves; both signatories sign;
Guatemala's machine client (client_credentials, fetched with Authlib's own client)
downloads the file, in full and by range; a Honduran client, party to nothing, is
refused; El Salvador suspends and the very next download is refused; the audit log
shows every step and its chain verifies.

People's tokens are minted as the authorization-code flow stores them (the pages are
exercised in test_interop); the machine client's comes from ``/oauth/token``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from werkzeug.serving import make_server

from api.app import create_app
from tests.sharing_support import DATASET, make_world, request_document


@pytest.fixture
def server(settings) -> Iterator[str]:
    """The catalog on an ephemeral port, same settings (so the same token audience)."""
    app = create_app(settings=settings)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)
    app.extensions["simel"].database.dispose()


@pytest.fixture
def world(session, make_org, make_user, make_dataset, settings):
    return make_world(session, make_org, make_user, make_dataset, settings.storage_path)


class Caller:
    """A requests session carrying one bearer token, against the live server."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.base + path, timeout=10, **kwargs)

    def post(self, path: str, json: Any = None) -> requests.Response:
        return self.http.post(self.base + path, json=json if json is not None else {}, timeout=10)


def machine_token(base: str, client_id: str, secret: str, scope: str) -> str:
    with OAuth2Session(client_id, secret, scope=scope) as oauth:
        token = oauth.fetch_token(f"{base}/oauth/token", grant_type="client_credentials")
    assert token["scope"] == scope
    return str(token["access_token"])


def test_request_approve_sign_download_suspend_audit(
    server, world, session, user_token, make_client
):
    people = {
        name: Caller(server, user_token(world.users[name], org, scope)["access_token"])
        for name, org, scope in (
            ("gt.requester", "mintrab-gt", "catalog:read requests:write"),
            ("gt.signatory", "mintrab-gt", "catalog:read agreements:sign"),
            ("sv.steward", "dgme-sv", "catalog:read governance:write"),
            ("sv.signatory", "dgme-sv", "catalog:read agreements:sign"),
            ("auditor", "sisca", "catalog:read audit:read"),
        )
    }
    gt_client, gt_secret = make_client("mintrab-gt")
    hn_client, hn_secret = make_client("inm-hn")
    session.commit()
    gt_machine = Caller(
        server, machine_token(server, gt_client.client_id, gt_secret, "catalog:read data:read")
    )
    hn_machine = Caller(
        server, machine_token(server, hn_client.client_id, hn_secret, "catalog:read data:read")
    )

    # 1. Guatemala asks; the engine's decision on the offer is stored with the request.
    submitted = people["gt.requester"].post("/api/v1/access-requests", request_document())
    assert submitted.status_code == 201, submitted.text
    request_url = submitted.headers["Location"]
    request_path = request_url.removeprefix(server)
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["datasets"][0]["outcome"] == "permit"

    # Nothing to download yet, and El Salvador's steward has it in the inbox.
    early = gt_machine.get(world.data_path)
    assert early.status_code == 403
    assert early.json()["check"] == "agreement"
    inbox = people["sv.steward"].get("/api/v1/inbox").json()
    assert [(i["id"], i["action"]) for i in inbox["waiting"]] == [
        (submitted.json()["id"], "review")
    ]

    # 2. El Salvador reviews and approves: a draft agreement derived from the offer.
    assert people["sv.steward"].post(request_path + "/review").json()["status"] == "under_review"
    approved = people["sv.steward"].post(request_path + "/approve", {"reason": "Conforme."})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    agreement_path = approved.json()["links"]["agreement"].removeprefix(server)
    odrl = people["gt.requester"].get(agreement_path + "/odrl")
    assert odrl.headers["Content-Type"].startswith("application/ld+json")
    assert "Agreement" in str(odrl.json().get("@type") or odrl.json().get("type"))

    sent = people["sv.steward"].post(agreement_path + "/send-for-signature")
    assert sent.json()["status"] == "pending_signatures"
    assert sorted(sent.json()["awaiting_signature"]) == ["dgme-sv", "mintrab-gt"]

    # 3. Both signatories sign; the second signature makes it active.
    first = people["gt.signatory"].post(agreement_path + "/sign")
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "pending_signatures"
    assert gt_machine.get(world.data_path).status_code == 403
    second = people["sv.signatory"].post(agreement_path + "/sign")
    assert second.json()["status"] == "active"
    assert {s["organization"] for s in second.json()["signatures"]} == {"dgme-sv", "mintrab-gt"}

    # 4. Guatemala's client downloads: whole, then a range.
    whole = gt_machine.get(world.data_path)
    assert whole.status_code == 200, whole.text
    assert whole.content == world.content
    assert whole.headers["X-Simel-Agreement"] == agreement_path.rsplit("/", 1)[-1]
    assert "no-store" in whole.headers["Cache-Control"]
    part = gt_machine.get(world.data_path, headers={"Range": "bytes=10-29"})
    assert part.status_code == 206
    assert part.content == world.content[10:30]

    # A Honduran client is party to nothing; a wrong purpose or country is refused too.
    outsider = hn_machine.get(world.data_path)
    assert outsider.status_code == 403
    assert outsider.headers["Content-Type"] == "application/problem+json"
    assert outsider.json()["check"] == "agreement"
    wrong_country = gt_machine.get(world.data_path, params={"recipient_country": "USA"})
    assert wrong_country.status_code == 403
    assert wrong_country.json()["check"] == "policy"
    for cell_size in ("0", "x", "100001"):
        bad = gt_machine.get(world.data_path, params={"min_cell_size": cell_size})
        assert bad.status_code == 400, cell_size
        assert "min_cell_size" in bad.json()["detail"]
    assert gt_machine.get(world.data_path, params={"min_cell_size": "10"}).status_code == 200

    # 5. El Salvador suspends: the very next download is refused, with the reason.
    # A reason longer than its column is refused on either database (a 500 on PostgreSQL).
    too_long = people["sv.steward"].post(agreement_path + "/suspend", {"reason": "x" * 4001})
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["pointer"] == "/reason"
    suspended = people["sv.steward"].post(
        agreement_path + "/suspend", {"reason": "Revisión de seguridad de la información."}
    )
    assert suspended.json()["status"] == "suspended"
    refused = gt_machine.get(world.data_path)
    assert refused.status_code == 403
    assert refused.json()["check"] == "agreement"
    assert "suspended" in refused.json()["detail"]

    # 6. The audit log shows each step, and the chain verifies.
    events = (
        people["auditor"].get("/api/v1/audit/events", params={"page_size": 100}).json()["items"]
    )
    actions = [e["action"] for e in events]
    for expected in (
        "access_request.submitted",
        "access_request.under_review",
        "access_request.approved",
        "agreement.drafted",
        "agreement.sent_for_signature",
        "agreement.signed",
        "agreement.activated",
        "data.access.granted",
        "data.access.denied",
        "agreement.suspended",
    ):
        assert expected in actions, expected
    assert actions.count("agreement.signed") == 2
    assert actions.count("data.access.granted") == 3  # whole, range, declared cell size
    denials = [e for e in events if e["action"] == "data.access.denied"]
    assert {e["details"]["check"] for e in denials} == {"agreement", "policy"}
    assert any(e["details"]["requester"] == "inm-hn" for e in denials)
    # An auditor follows one agreement, or one receiving organization.
    agreement_id = agreement_path.rsplit("/", 1)[-1]
    under = (
        people["auditor"]
        .get("/api/v1/audit/events", params={"agreement": agreement_id, "page_size": 100})
        .json()["items"]
    )
    assert {"agreement.drafted", "agreement.activated", "data.access.granted"} <= {
        e["action"] for e in under
    }
    assert all(
        e["object"]["id"] == agreement_id or e["details"].get("agreement") == agreement_id
        for e in under
    )
    received = people["auditor"].get(
        "/api/v1/audit/events", params={"requester": "mintrab-gt", "action": "data.access."}
    )
    items = received.json()["items"]
    assert received.json()["total"] == len(items) > 3
    assert {e["details"]["requester"] for e in items} == {"mintrab-gt"}
    assert [e["action"] for e in items].count("data.access.granted") == 3
    honduras = people["auditor"].get("/api/v1/audit/events", params={"requester": "inm-hn"})
    assert [e["action"] for e in honduras.json()["items"]] == ["data.access.denied"]
    assert (
        people["auditor"].get("/api/v1/audit/events", params={"requester": "nadie"}).status_code
        == 404
    )
    verification = people["auditor"].get("/api/v1/audit/verification").json()
    assert verification["ok"] is True
    assert verification["events_checked"] >= len(events)

    # The requester sees the outcome; an outsider cannot even see the request.
    assert people["gt.requester"].get(request_path).json()["status"] == "approved"
    assert hn_machine.get(request_path).status_code == 404
    assert DATASET in [
        d["name"] for d in people["gt.requester"].get(agreement_path).json()["datasets"]
    ]


def test_public_files_need_no_agreement_and_bad_ranges_get_416(client, world, session, settings):
    from catalog import distributions
    from tests.conftest import SYSTEM

    folder = settings.storage_path / "dgme-sv" / "public" / DATASET
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cuadros.csv").write_bytes(b"anio,total\n2025,1200\n")
    public = distributions.add_distribution(
        session,
        actor=SYSTEM,
        name=DATASET,
        document={
            "title": {"es": "Cuadros", "en": "Tables"},
            "format": "CSV",
            "media_type": "text/csv",
            "storage_key": f"dgme-sv/public/{DATASET}/cuadros.csv",
            "license": "https://creativecommons.org/licenses/by/4.0/",
        },
        storage_root=settings.storage_path,
    )
    session.commit()
    path = f"/api/v1/datasets/{DATASET}/distributions/{public.id}/data"
    whole = client.get(path)
    assert whole.status_code == 200
    assert whole.data == b"anio,total\n2025,1200\n"
    assert "X-Simel-Agreement" not in whole.headers
    whole.close()
    beyond = client.get(path, headers={"Range": "bytes=500-600"})
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == "bytes */21"
    # RFC 9110: an unknown range unit is ignored, and a suffix longer than the file
    # stands for all of it (werkzeug answered 416 to both).
    other_unit = client.get(path, headers={"Range": "items=0-1"})
    assert (other_unit.status_code, other_unit.data) == (200, whole.data)
    other_unit.close()
    long_suffix = client.get(path, headers={"Range": "bytes=-99999999"})
    assert long_suffix.status_code == 206
    assert long_suffix.headers["Content-Range"] == "bytes 0-20/21"
    assert long_suffix.data == whole.data
    long_suffix.close()
    tail = client.get(path, headers={"Range": "bytes=-5"})
    assert (tail.status_code, tail.data) == (206, b"1200\n")
    tail.close()
    # Several ranges: the whole file rather than werkzeug's 416 (no multipart answers).
    several = client.get(path, headers={"Range": "bytes=0-1,5-6"})
    assert (several.status_code, several.data) == (200, whole.data)
    several.close()
    # The restricted file: an anonymous caller is asked for a token, not told why.
    anonymous = client.get(world.data_path)
    assert anonymous.status_code == 401
    assert "data:read" in anonymous.headers["WWW-Authenticate"]
