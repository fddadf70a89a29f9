"""catalog.oauth: client registration, scope rules and the intersection of scopes and roles."""

from __future__ import annotations

import pytest
from sqlmodel import select

from catalog import audit, oauth
from catalog.errors import Forbidden, InvalidMetadata, Unauthenticated
from catalog.models import AuditEvent, OAuthClient, OAuthToken, Role, secret_digest
from catalog.principals import ROLE_SCOPES, SCOPES, Principal
from tests.conftest import SYSTEM


@pytest.fixture
def orgs(make_org):
    make_org("mintrab-gt")
    make_org("igm-gt", kind="migration-authority")


def register(session, **fields):
    base = {
        "organization": "igm-gt",
        "name": "pipeline",
        "grant_types": ["client_credentials"],
        "scopes": ["catalog:read", "data:read"],
        "roles": ["requester"],
    }
    return oauth.create_client(session, actor=SYSTEM, **{**base, **fields})


def pointers(excinfo):
    return {e.pointer for e in excinfo.value.errors}


def test_secret_is_shown_once_and_stored_hashed(session, orgs):
    client, secret = register(session)
    assert secret.startswith("simel_cs_")
    stored = session.get(OAuthClient, client.id)
    assert stored.client_secret_hash == secret_digest(secret)
    assert secret not in str(stored.model_dump())
    assert stored.check_client_secret(secret)
    assert not stored.check_client_secret(secret + "x")
    assert client.client_id.startswith("igm-gt-")


def test_public_clients_have_no_secret(session, orgs):
    client, secret = register(
        session,
        grant_types=["authorization_code"],
        roles=[],
        redirect_uris=["http://127.0.0.1:8765/callback"],
        public=True,
    )
    assert secret is None
    assert client.is_public
    assert not client.check_client_secret("")
    assert client.check_endpoint_auth_method("none", "token")
    assert not client.check_endpoint_auth_method("client_secret_basic", "token")


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"organization": "nadie"}, "/organization"),
        ({"name": ""}, "/name"),
        ({"grant_types": ["password"]}, "/grant_types"),
        ({"scopes": ["everything"]}, "/scopes"),
        ({"scopes": []}, "/scopes"),
        ({"roles": ["admin"]}, "/roles"),  # a leaked machine secret must not run the platform
        ({"roles": ["signatory"]}, "/roles"),  # agreements are signed by people
        ({"roles": []}, "/roles"),  # client credentials need roles to act with
        ({"scopes": ["catalog:write"]}, "/scopes"),  # a requester cannot use it
        ({"public": True}, "/grant_types"),  # public clients cannot use client credentials
        ({"redirect_uris": ["https://x.example/cb"]}, "/redirect_uris"),
        ({"grant_types": ["authorization_code"], "roles": []}, "/redirect_uris"),
        ({"grant_types": ["refresh_token"], "roles": []}, "/grant_types"),
    ],
)
def test_registration_errors(session, orgs, fields, pointer):
    with pytest.raises(InvalidMetadata) as caught:
        register(session, **fields)
    assert pointer in pointers(caught)


@pytest.mark.parametrize(
    ("uri", "ok"),
    [
        ("https://app.example.org/callback", True),
        ("http://127.0.0.1:8765/callback", True),
        ("http://localhost/cb", True),
        ("http://[::1]:9000/cb", True),
        ("http://app.example.org/callback", False),  # plain HTTP off loopback
        ("https://app.example.org/cb#frag", False),
        ("/relative", False),
        ("javascript:alert(1)", False),
    ],
)
def test_redirect_uris(session, orgs, uri, ok):
    fields = {"grant_types": ["authorization_code"], "roles": [], "redirect_uris": [uri]}
    if ok:
        client, _ = register(session, **fields)
        assert client.check_redirect_uri(uri)
        assert not client.check_redirect_uri(uri + "/")  # exact match only
    else:
        with pytest.raises(InvalidMetadata):
            register(session, **fields)


def test_only_admins_register_clients(session, orgs, make_user):
    steward = Principal(kind="user", name="x", roles={1: frozenset({Role.STEWARD})}, scopes=None)
    with pytest.raises(Forbidden):
        oauth.create_client(
            session,
            actor=steward,
            organization="igm-gt",
            name="x",
            grant_types=["client_credentials"],
            scopes=["catalog:read"],
            roles=["requester"],
        )
    with pytest.raises(Unauthenticated):
        oauth.list_clients(session, actor=Principal.anonymous())
    with pytest.raises(Forbidden):
        oauth.list_clients(session, actor=steward)


def test_registration_and_revocation_are_audited(session, orgs, user_token, make_user):
    client, _ = register(session)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "oauth_client.create")).one()
    assert event.object_id == client.client_id
    assert event.details["roles"] == ["requester"]
    oauth.revoke_client(session, actor=SYSTEM, client_id=client.client_id)
    assert oauth.find_active_client(session, client.client_id) is None
    assert audit.verify_chain(session).ok


def test_client_credentials_scope(session, orgs):
    client, _ = register(session, scopes=["catalog:read", "data:read", "requests:write"])
    assert oauth.client_credentials_scope(client, None) == {
        "catalog:read",
        "data:read",
        "requests:write",
    }
    assert oauth.client_credentials_scope(client, "data:read") == {"data:read"}
    assert oauth.client_credentials_scope(client, "data:read admin") is None
    assert oauth.client_credentials_scope(client, "catalog:write") is None


def test_role_scope_table_covers_every_role_and_keeps_auditors_read_only():
    assert set(ROLE_SCOPES) == set(Role)
    assert ROLE_SCOPES[Role.ADMIN] == set(SCOPES)
    writes = {"catalog:write", "governance:write", "requests:write", "agreements:sign", "admin"}
    assert not ROLE_SCOPES[Role.AUDITOR] & writes


# ------------------------------------------------------------- intersection at request time


def principal_of(session, token):
    row = oauth.find_access_token(session, token["access_token"])
    return oauth.principal_for_token(session, row)


def test_user_token_is_bound_to_its_organization(session, orgs, make_user, user_token):
    from catalog.organizations import get_organization

    mintrab, igm = (get_organization(session, n).id for n in ("mintrab-gt", "igm-gt"))
    user, _ = make_user("ana", steward=["mintrab-gt", "igm-gt"], admin="igm-gt")
    token = user_token(user, "mintrab-gt", "catalog:read catalog:write admin")
    principal = principal_of(session, token)
    assert principal.kind == "user"
    assert principal.organization_id == mintrab
    assert set(principal.roles) == {mintrab}
    assert principal.can_steward(mintrab)
    assert not principal.can_steward(igm)
    assert not principal.is_admin  # admin of igm-gt, but the token is mintrab-gt's
    assert principal.credential_id.startswith("oauth_token:")


def test_steward_without_write_scope_cannot_write(session, orgs, make_user, user_token):
    user, _ = make_user("ana", steward="mintrab-gt")
    principal = principal_of(session, user_token(user, "mintrab-gt", "catalog:read"))
    org = principal.organization_id
    assert not principal.can_steward(org)
    assert principal.readable_organization_ids == {org}


def test_auditor_needs_audit_read_and_never_writes(session, orgs, make_user, user_token):
    user, _ = make_user("aud", auditor="mintrab-gt")
    read_only = principal_of(session, user_token(user, "mintrab-gt", "catalog:read"))
    assert not read_only.is_auditor
    full = principal_of(session, user_token(user, "mintrab-gt", " ".join(SCOPES)))
    assert full.is_auditor
    assert not full.is_admin
    assert not full.can_steward(full.organization_id)


def test_token_without_read_scope_sees_no_drafts(session, orgs, make_user, user_token):
    user, _ = make_user("req", requester="mintrab-gt")
    principal = principal_of(session, user_token(user, "mintrab-gt", "requests:write"))
    assert principal.readable_organization_ids == frozenset()


def test_roles_are_read_afresh(session, orgs, make_user, user_token):
    from catalog.models import Membership

    user, _ = make_user("ana", steward="mintrab-gt")
    token = user_token(user, "mintrab-gt", "catalog:read catalog:write")
    assert principal_of(session, token).can_steward(principal_of(session, token).organization_id)
    membership = session.exec(select(Membership).where(Membership.user_id == user.id)).one()
    session.delete(membership)
    session.commit()
    principal = principal_of(session, token)
    assert principal.roles == {}
    assert not principal.can_steward(principal.organization_id)


def test_client_principal_holds_its_registered_roles(session, orgs, make_client):
    client, _ = make_client("igm-gt")
    token = {"access_token": oauth.new_access_token(), "expires_in": 600, "scope": "data:read"}
    oauth.store_client_credentials_token(
        session,
        client=client,
        token=token,
        policy=oauth.TokenPolicy(audience="http://catalog.test/", refresh_token_lifetime=60),
    )
    principal = principal_of(session, token)
    assert principal.kind == "client"
    assert principal.name == client.client_id
    assert principal.roles == {client.organization_id: {Role.REQUESTER}}
    assert principal.scopes == {"data:read"}
    assert principal.user_id is None
    assert not principal.has_scope("catalog:read")


def test_disabled_user_and_revoked_client_invalidate_tokens(session, orgs, make_user, user_token):
    user, _ = make_user("ana", steward="mintrab-gt")
    token = user_token(user, "mintrab-gt")
    user.is_active = False
    session.add(user)
    session.commit()
    with pytest.raises(Unauthenticated, match="disabled"):
        principal_of(session, token)
    user.is_active = True
    session.add(user)
    session.commit()
    row = oauth.find_access_token(session, token["access_token"])
    client = session.get(OAuthClient, row.oauth_client_id)
    oauth.revoke_client(session, actor=SYSTEM, client_id=client.client_id)
    row = oauth.find_access_token(session, token["access_token"])
    assert row.is_revoked()


def test_tokens_are_stored_as_digests_only(session, orgs, make_user, user_token):
    user, _ = make_user("ana", steward="mintrab-gt")
    token = user_token(user, "mintrab-gt")
    row = session.exec(select(OAuthToken)).one()
    dumped = str(row.model_dump())
    assert token["access_token"] not in dumped
    assert token["refresh_token"] not in dumped
    assert row.access_token_hash == secret_digest(token["access_token"])
