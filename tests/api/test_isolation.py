"""Tenant isolation: who sees and changes what, for every kind of object.

A table-driven matrix. Each row is one action on one kind of object owned by the
organization ``mintrab-gt``; each column is a caller, holding an OAuth access token
bound to its organization with the scopes the consent page would grant its role:

- ``owner.<role>``: people of the owning organization, one per role, plus an auditor
  whose token carries every scope (auditors never write, whatever the token says) and
  the owner's machine client (client credentials, role requester);
- ``party.*``: callers of ``dgme-sv``, party (assignee) to an active agreement covering
  the owner's restricted dataset ``shared``;
- ``other.*``: the same kinds of caller in ``stps-mx``, which is neither owner nor party;
- ``anonymous``: no token.

Extending it:

- a new kind of object: add its objects to :func:`world` and its rows to ``ROWS``;
- a new kind of caller: add a group to ``GROUPS``; :func:`outcome` then refuses every
  row until it says what the new group gets, so no row can silently miss the column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from catalog.models import Role
from catalog.principals import SCOPES, usable_scopes
from tests.conftest import basic, bearer

ROLES = ("steward", "requester", "signatory", "auditor", "admin")
GROUPS: dict[str, tuple[str, ...]] = {
    "owner": (*(f"owner.{r}" for r in ROLES), "owner.auditor+writes", "owner.client"),
    "party": ("party.requester", "party.signatory", "party.client"),
    "other": ("other.steward", "other.requester", "other.client"),
    "anonymous": ("anonymous",),
}
CALLERS = tuple(c for callers in GROUPS.values() for c in callers)
CLIENT_CALLERS = ("owner.client", "party.client", "other.client")
PARTY_ORG = "dgme-sv"
N_A = "n/a"  # the caller has no client credentials, so the action does not apply


def outcome(*, only: Mapping[str, Any] | None = None, **groups: Any) -> dict[str, Any]:
    """What each caller gets: one value per group, then per-caller exceptions."""
    missing = set(GROUPS) - set(groups)
    if missing:
        raise TypeError(f"the row must say what {', '.join(sorted(missing))} get(s)")
    expected = {caller: groups[group] for group, callers in GROUPS.items() for caller in callers}
    for caller, value in (only or {}).items():
        assert caller in expected, caller
        expected[caller] = value
    return expected


@dataclass
class World:
    client: Any
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    credentials: dict[str, tuple[str, str]] = field(default_factory=dict)
    objects: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def world(client, session, make_org, make_user, make_client, make_dataset, user_token, settings):
    from catalog import distributions

    make_org("sisca", country="SLV", kind="regional-body")
    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")
    make_org(PARTY_ORG, country="SLV", kind="migration-authority")
    state = World(client)
    for caller in CALLERS:
        if caller == "anonymous":
            state.headers[caller] = {}
            continue
        side, _, who = caller.partition(".")
        org = {"owner": "mintrab-gt", "party": PARTY_ORG}.get(side, "stps-mx")
        if who == "client":
            machine, secret = make_client(org, name=f"{org} pipeline")
            state.credentials[caller] = (machine.client_id, secret)
            response = client.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                headers=basic(*state.credentials[caller]),
            )
            state.headers[caller] = bearer(response.json["access_token"])
            continue
        role = who.removesuffix("+writes")
        user, _ = make_user(caller.replace("+", "-"), **{role: org})
        scopes = SCOPES if who.endswith("+writes") else sorted(usable_scopes([Role(role)]))
        state.headers[caller] = bearer(user_token(user, org, " ".join(scopes))["access_token"])

    make_dataset("published", "mintrab-gt")
    make_dataset("draft", "mintrab-gt", publish=False)
    make_dataset("withdrawn", "mintrab-gt")
    from catalog import datasets
    from tests.conftest import SYSTEM

    datasets.withdraw_dataset(session, actor=SYSTEM, name="withdrawn", reason="superseded")
    for name in ("published", "draft", "shared"):
        folder = settings.storage_path / "mintrab-gt" / "restricted" / name
        folder.mkdir(parents=True)
        (folder / "extract.csv").write_bytes(b"id,sexo\nA1,F\n")
    for name in ("published", "draft"):
        distribution = distributions.add_distribution(
            session,
            actor=SYSTEM,
            name=name,
            document={
                "title": {"es": "Extracto", "en": "Extract"},
                "format": "CSV",
                "media_type": "text/csv",
                "storage_key": f"mintrab-gt/restricted/{name}/extract.csv",
                "restricted": True,
            },
            storage_root=settings.storage_path,
        )
        state.objects[f"{name}.distribution"] = str(distribution.id)
    # A second token of the owner's machine client, as the target of token actions.
    target = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers=basic(*state.credentials["owner.client"]),
    )
    state.objects["owner.client.token"] = target.json["access_token"]
    state.objects["owner.client.id"] = state.credentials["owner.client"][0]
    _share(session, state, settings)
    return state


def _share(session: Any, state: World, settings: Any) -> None:
    """The owner's restricted dataset ``shared``, under an active agreement with the party."""
    import datetime as dt

    from catalog import access_requests, agreements, dataset_policies, datasets, distributions
    from tests.conftest import BASE_URI, SYSTEM, dataset_document

    datasets.create_dataset(
        session,
        actor=SYSTEM,
        document=dataset_document("shared", "mintrab-gt", access_rights="RESTRICTED"),
        publish=True,
    )
    dataset_policies.set_policy(
        session,
        actor=SYSTEM,
        name="shared",
        body={
            "template": "binational-labour-migration-exchange",
            "parameters": {"assignees": [PARTY_ORG], "recipient_countries": ["SLV"]},
        },
        if_match=None,
        base_uri=BASE_URI,
    )
    distribution = distributions.add_distribution(
        session,
        actor=SYSTEM,
        name="shared",
        document={
            "title": {"es": "Extracto", "en": "Extract"},
            "format": "CSV",
            "media_type": "text/csv",
            "storage_key": "mintrab-gt/restricted/shared/extract.csv",
            "restricted": True,
        },
        storage_root=settings.storage_path,
    )
    state.objects["shared.distribution"] = str(distribution.id)
    today = dt.date.today()
    request = access_requests.submit(
        session,
        actor=SYSTEM,
        document={
            "requester": PARTY_ORG,
            "datasets": ["shared"],
            "purpose": "ProvideOfficialStatistics",
            "intended_use": {"es": "Estadísticas."},
            "period": {"start": today.isoformat()},
        },
        base_uri=BASE_URI,
        default_days=30,
    ).request
    access_requests.start_review(session, actor=SYSTEM, request_id=request.id)
    approved = access_requests.approve(
        session, actor=SYSTEM, request_id=request.id, reason=None, base_uri=BASE_URI
    )
    assert approved.agreement is not None
    agreement_id = approved.agreement.id
    agreements.send_for_signature(session, actor=SYSTEM, agreement_id=agreement_id)
    for party in ("mintrab-gt", PARTY_ORG):
        agreements.sign(session, actor=SYSTEM, agreement_id=agreement_id, organization=party)
    state.objects["request.id"] = str(request.id)
    state.objects["agreement.id"] = str(agreement_id)
    session.commit()  # the services read after their commit: end that before the app writes


# ------------------------------------------------------------------------------ actions


Action = Callable[[World, str], Any]


def status(method: str, path: str) -> Action:
    def call(world: World, caller: str) -> int:
        url = path.format(**{k.replace(".", "_"): v for k, v in world.objects.items()})
        body = {"json": BODIES[(method, path)]} if (method, path) in BODIES else {}
        headers = {**world.headers[caller], **EXTRA.get(method, {})}
        response = world.client.open(url, method=method, headers=headers, **body)
        response.close()  # a file download streams: release it
        return response.status_code

    return call


EXTRA = {"PATCH": {"If-Match": "*"}}
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/agreements/{agreement_id}/suspend"): {"reason": "audit"},
    ("PATCH", "/api/v1/datasets/published"): {"version": "2"},
    ("PATCH", "/api/v1/datasets/draft"): {"version": "2"},
    ("POST", "/api/v1/organizations"): {
        "name": "sib-bz",
        "acronym": "SIB",
        "country": "BLZ",
        "kind": "statistics-office",
        "title": {"es": "Instituto de Estadística de Belice", "en": "Statistical Institute"},
    },
    ("POST", "/api/v1/clients"): {
        "organization": "mintrab-gt",
        "name": "another",
        "grant_types": ["client_credentials"],
        "scopes": ["catalog:read"],
        "roles": ["steward"],
    },
}


def listed(name: str) -> Action:
    def call(world: World, caller: str) -> bool:
        response = world.client.get("/api/v1/datasets?page_size=100", headers=world.headers[caller])
        return name in {item["name"] for item in response.json["items"]}

    return call


def storage_key(world: World, caller: str) -> str:
    path = f"/api/v1/datasets/published/distributions/{world.objects['published.distribution']}"
    body = world.client.get(path, headers=world.headers[caller]).json
    return "shown" if "storage_key" in body else "hidden"


def introspect_owner_token(world: World, caller: str) -> Any:
    if caller not in CLIENT_CALLERS and caller != "anonymous":
        return N_A
    response = world.client.post(
        "/oauth/introspect",
        data={"token": world.objects["owner.client.token"]},
        headers=basic(*world.credentials[caller]) if caller in CLIENT_CALLERS else {},
    )
    if response.status_code != 200:
        return "refused"
    return "active" if response.json["active"] else "inactive"


def revoke_owner_token(world: World, caller: str) -> Any:
    if caller not in CLIENT_CALLERS and caller != "anonymous":
        return N_A
    response = world.client.post(
        "/oauth/revoke",
        data={"token": world.objects["owner.client.token"]},
        headers=basic(*world.credentials[caller]) if caller in CLIENT_CALLERS else {},
    )
    alive = world.client.get("/api/v1/me", headers=bearer(world.objects["owner.client.token"]))
    if response.status_code == 200 and alive.status_code == 401:
        return "revoked"
    return "refused"


OWNER_WRITERS = {"owner.steward": 200, "owner.admin": 200}
AUDITORS = {"owner.auditor": 200, "owner.auditor+writes": 200, "owner.admin": 200}
CLIENT_ROWS = {
    "owner.client": "active",
    "party.client": "inactive",
    "other.client": "inactive",
    "anonymous": "refused",
}
PARTY_READERS = {"party.requester": 200, "party.signatory": 200, "party.client": 200}

ROWS: list[tuple[str, str, Action, dict[str, Any]]] = [
    # datasets
    ("dataset:published", "read", status("GET", "/api/v1/datasets/published"),
     outcome(owner=200, party=200, other=200, anonymous=200)),
    ("dataset:published", "listed", listed("published"),
     outcome(owner=True, party=True, other=True, anonymous=True)),
    ("dataset:published", "write", status("PATCH", "/api/v1/datasets/published"),
     outcome(owner=403, party=403, other=403, anonymous=401, only=OWNER_WRITERS)),
    ("dataset:draft", "read", status("GET", "/api/v1/datasets/draft"),
     outcome(owner=200, party=404, other=404, anonymous=404)),
    ("dataset:draft", "listed", listed("draft"),
     outcome(owner=True, party=False, other=False, anonymous=False)),
    ("dataset:draft", "write", status("PATCH", "/api/v1/datasets/draft"),
     outcome(owner=403, party=403, other=403, anonymous=401,
             only={**OWNER_WRITERS, "other.steward": 404})),
    ("dataset:withdrawn", "read", status("GET", "/api/v1/datasets/withdrawn"),
     outcome(owner=200, party=200, other=200, anonymous=200)),
    # revisions
    ("revision:published", "read", status("GET", "/api/v1/datasets/published/revisions/1"),
     outcome(owner=200, party=200, other=200, anonymous=200)),
    ("revision:draft", "read", status("GET", "/api/v1/datasets/draft/revisions"),
     outcome(owner=200, party=404, other=404, anonymous=404)),
    # distributions
    ("distribution:restricted", "storage_key", storage_key,
     outcome(owner="hidden", party="hidden", other="hidden", anonymous="hidden",
             only={"owner.steward": "shown", "owner.admin": "shown"})),
    ("distribution:of-draft", "read",
     status("GET", "/api/v1/datasets/draft/distributions/{draft_distribution}"),
     outcome(owner=200, party=404, other=404, anonymous=404)),
    # audit events
    ("audit_event", "read", status("GET", "/api/v1/audit/events"),
     outcome(owner=403, party=403, other=403, anonymous=401, only=AUDITORS)),
    ("audit_event", "verify", status("GET", "/api/v1/audit/verification"),
     outcome(owner=403, party=403, other=403, anonymous=401, only=AUDITORS)),
    # organizations
    ("organization", "read", status("GET", "/api/v1/organizations/mintrab-gt"),
     outcome(owner=200, party=200, other=200, anonymous=200)),
    ("organization", "create", status("POST", "/api/v1/organizations"),
     outcome(owner=403, party=403, other=403, anonymous=401, only={"owner.admin": 201})),
    # tokens
    ("token", "introspect", introspect_owner_token,
     outcome(owner=N_A, party=N_A, other=N_A, anonymous="refused", only=CLIENT_ROWS)),
    ("token", "revoke", revoke_owner_token,
     outcome(owner=N_A, party=N_A, other=N_A, anonymous="refused",
             only={"owner.client": "revoked", "party.client": "refused",
                   "other.client": "refused"})),
    # OAuth clients
    ("oauth_client", "list", status("GET", "/api/v1/clients"),
     outcome(owner=403, party=403, other=403, anonymous=401, only=AUDITORS)),
    ("oauth_client", "read", status("GET", "/api/v1/clients/{owner_client_id}"),
     outcome(owner=403, party=403, other=403, anonymous=401, only=AUDITORS)),
    ("oauth_client", "register", status("POST", "/api/v1/clients"),
     outcome(owner=403, party=403, other=403, anonymous=401, only={"owner.admin": 201})),
    ("oauth_client", "revoke", status("DELETE", "/api/v1/clients/{owner_client_id}"),
     outcome(owner=403, party=403, other=403, anonymous=401, only={"owner.admin": 204})),
    # sharing: the owner is the provider, the party the consumer
    ("distribution:shared", "download",
     status("GET", "/api/v1/datasets/shared/distributions/{shared_distribution}/data"),
     outcome(owner=403, party=403, other=403, anonymous=401,
             only={"party.requester": 200, "party.client": 200})),
    ("access_request", "read", status("GET", "/api/v1/access-requests/{request_id}"),
     outcome(owner=200, party=200, other=404, anonymous=401)),
    ("agreement", "read", status("GET", "/api/v1/agreements/{agreement_id}"),
     outcome(owner=200, party=200, other=404, anonymous=401)),
    ("agreement", "odrl", status("GET", "/api/v1/agreements/{agreement_id}/odrl"),
     outcome(owner=200, party=200, other=404, anonymous=401)),
    ("agreement", "suspend", status("POST", "/api/v1/agreements/{agreement_id}/suspend"),
     outcome(owner=403, party=403, other=403, anonymous=401,
             only={"owner.steward": 200, "owner.admin": 409, "other.steward": 404})),
    ("agreement", "sign", status("POST", "/api/v1/agreements/{agreement_id}/sign"),
     outcome(owner=403, party=403, other=403, anonymous=401,
             only={"owner.signatory": 409, "party.signatory": 409, "owner.admin": 409,
                   "other.steward": 403})),
]  # fmt: skip


def test_every_row_covers_every_caller():
    for kind, action, _, expected in ROWS:
        assert set(expected) == set(CALLERS), (kind, action)
    assert len({(kind, action) for kind, action, _, _ in ROWS}) == len(ROWS)


@pytest.mark.parametrize(
    ("kind", "action", "call", "expected"),
    ROWS,
    ids=[f"{kind}-{action}" for kind, action, _, _ in ROWS],
)
def test_isolation(world, kind, action, call, expected):
    # The owner's admin goes last: some rows are destructive (revoke a client...).
    order = sorted(CALLERS, key=lambda caller: caller == "owner.admin")
    got = {caller: call(world, caller) for caller in order}
    wrong = {c: (expected[c], got[c]) for c in CALLERS if got[c] != expected[c]}
    assert not wrong, f"{kind} {action}: caller -> (expected, got): {wrong}"
