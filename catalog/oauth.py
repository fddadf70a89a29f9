"""OAuth 2 clients, tokens and authorization codes.

The persistence and the rules of the authorization server; the protocol itself (request
parsing, client authentication, PKCE, error responses) is Authlib's, wired in
``api/oauth.py``. Nothing here imports Flask or Authlib.

Secrets are random 256-bit strings with a recognisable prefix (so secret scanners and
people can tell them apart): ``simel_at_`` access tokens, ``simel_rt_`` refresh tokens,
``simel_cs_`` client secrets. Only their SHA-256 digests are stored (see
:func:`catalog.models.secret_digest`), as for authorization codes and session ids.

What a token may do is the intersection of its scopes and its subject's roles in the
token's organization (:data:`catalog.principals.ROLE_SCOPES`). A person's token is bound
to the organization chosen at consent; a client's token (client credentials) to the
client's organization, where the client holds the roles an administrator gave it.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlalchemy.sql import Executable
from sqlmodel import Session, col, select

from catalog import accounts, audit, organizations
from catalog.db import utcnow
from catalog.errors import Conflict, FieldError, InvalidMetadata, NotFound, Unauthenticated
from catalog.models import (
    AuthorizationCode,
    GrantType,
    Membership,
    OAuthClient,
    OAuthToken,
    Organization,
    Role,
    User,
    secret_digest,
)
from catalog.principals import SCOPES, Principal, usable_scopes

ACCESS_TOKEN_PREFIX = "simel_at_"  # noqa: S105 # a public marker, not a secret
REFRESH_TOKEN_PREFIX = "simel_rt_"  # noqa: S105 # a public marker, not a secret
CLIENT_SECRET_PREFIX = "simel_cs_"  # noqa: S105 # a public marker, not a secret

# Roles a client may hold for itself. Not admin (a leaked machine secret must not run
# the platform) and not signatory (agreements are signed by accountable people).
CLIENT_ROLES: frozenset[Role] = frozenset({Role.STEWARD, Role.REQUESTER, Role.AUDITOR})

TokenKind = Literal["access_token", "refresh_token"]


@dataclass(frozen=True)
class TokenPolicy:
    """Where tokens are valid and how long refresh tokens live."""

    audience: str
    refresh_token_lifetime: int


def new_access_token() -> str:
    """A fresh opaque access token."""
    return ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_refresh_token() -> str:
    """A fresh opaque refresh token."""
    return REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(32)


def client_principal(client: OAuthClient) -> Principal:
    """The client as an actor in the audit log (no rights of its own)."""
    return Principal(
        kind="client",
        name=client.client_id,
        organization_id=client.organization_id,
        credential_id=f"oauth_client:{client.client_id}",
    )


# ------------------------------------------------------------------------- registration


def _is_loopback(host: str | None) -> bool:
    return host in {"127.0.0.1", "::1", "localhost"}


def _redirect_uri_errors(uris: Sequence[Any]) -> list[FieldError]:
    errors = []
    for index, uri in enumerate(uris):
        pointer = f"/redirect_uris/{index}"
        if not isinstance(uri, str) or len(uri) > 2000:
            errors.append(FieldError(pointer, "a URL of at most 2000 characters"))
            continue
        parts = urlsplit(uri)
        if parts.fragment or not parts.netloc:
            errors.append(FieldError(pointer, "an absolute URL without a fragment"))
        elif parts.scheme != "https" and not (
            parts.scheme == "http" and _is_loopback(parts.hostname)
        ):
            errors.append(
                FieldError(pointer, "must use https (http only for loopback addresses, RFC 8252)")
            )
    return errors


def _string_list(value: Any) -> list[str] | None:
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(dict.fromkeys(value))
    return None


def _registration_errors(
    *,
    name: Any,
    grant_types: list[str] | None,
    scopes: list[str] | None,
    redirect_uris: list[str] | None,
    roles: list[str] | None,
    public: bool,
    can_introspect: bool,
) -> list[FieldError]:
    errors: list[FieldError] = []
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 200:
        errors.append(FieldError("/name", "a name of 1 to 200 characters is required"))
    known_grants = {g.value for g in GrantType}
    if not grant_types or not set(grant_types) <= known_grants:
        errors.append(FieldError("/grant_types", f"one or more of {', '.join(known_grants)}"))
        grant_types = []
    if not scopes or not set(scopes) <= set(SCOPES):
        errors.append(FieldError("/scopes", f"one or more of {', '.join(SCOPES)}"))
        scopes = []
    client_roles = {r.value for r in CLIENT_ROLES}
    if roles is None or not set(roles) <= client_roles:
        errors.append(FieldError("/roles", f"zero or more of {', '.join(sorted(client_roles))}"))
        roles = []
    if redirect_uris is None:
        errors.append(FieldError("/redirect_uris", "a list of URLs"))
        redirect_uris = []
    errors.extend(_redirect_uri_errors(redirect_uris))
    code = GrantType.AUTHORIZATION_CODE in grant_types
    if code and not redirect_uris:
        errors.append(FieldError("/redirect_uris", "the authorization code grant needs one"))
    if not code and redirect_uris:
        errors.append(FieldError("/redirect_uris", "only for the authorization code grant"))
    if GrantType.REFRESH_TOKEN in grant_types and not code:
        errors.append(FieldError("/grant_types", "refresh_token goes with authorization_code"))
    if GrantType.CLIENT_CREDENTIALS in grant_types:
        if public:
            errors.append(
                FieldError("/grant_types", "public clients cannot use client_credentials")
            )
        if not roles:
            errors.append(
                FieldError("/roles", "a client_credentials client acts with roles; give one")
            )
        elif not code:
            unusable = sorted(set(scopes) - usable_scopes(Role(r) for r in roles))
            if unusable:
                errors.append(
                    FieldError("/scopes", f"the client's roles cannot use {', '.join(unusable)}")
                )
    elif roles:
        errors.append(FieldError("/roles", "roles are for client_credentials clients"))
    if public and can_introspect:
        errors.append(FieldError("/can_introspect", "public clients cannot introspect"))
    return errors


def create_client(
    session: Session,
    *,
    actor: Principal,
    organization: str,
    name: str,
    grant_types: Iterable[str],
    scopes: Iterable[str],
    redirect_uris: Iterable[str] = (),
    roles: Iterable[str] = (),
    public: bool = False,
    can_introspect: bool = False,
) -> tuple[OAuthClient, str | None]:
    """Register a client (administrators only); return it and its secret (shown once).

    Raises:
        Unauthenticated: the caller is anonymous.
        Forbidden: the caller is not an administrator.
        InvalidMetadata: an unknown organization, grant, scope or role, or a combination
            that makes no sense (see the field errors).
    """
    actor.require_admin()
    grants = _string_list(grant_types)
    scope_list = _string_list(scopes)
    uris = _string_list(redirect_uris)
    role_list = _string_list(roles)
    errors = _registration_errors(
        name=name,
        grant_types=grants,
        scopes=scope_list,
        redirect_uris=uris,
        roles=role_list,
        public=bool(public),
        can_introspect=bool(can_introspect),
    )
    owner: Organization | None = None
    try:
        owner = organizations.get_organization(session, organization)
    except NotFound:
        errors.insert(0, FieldError("/organization", f"there is no organization '{organization}'"))
    if errors or owner is None:
        raise InvalidMetadata("the client registration is not valid", errors)
    assert owner.id is not None  # noqa: S101 # persisted rows have ids
    secret = None if public else CLIENT_SECRET_PREFIX + secrets.token_urlsafe(32)
    client = OAuthClient(
        client_id=f"{owner.name}-{secrets.token_hex(8)}",
        client_secret_hash=secret_digest(secret) if secret else None,
        name=name.strip(),
        organization_id=owner.id,
        grant_types=grants or [],
        redirect_uris=uris or [],
        scopes=sorted(scope_list or []),
        roles=sorted(role_list or []),
        token_endpoint_auth_method="none" if public else "client_secret_basic",
        can_introspect=bool(can_introspect),
        created_by=actor.name,
    )
    session.add(client)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="oauth_client.create",
        object_type="oauth_client",
        object_id=client.client_id,
        organization_id=owner.id,
        details={
            "name": client.name,
            "grant_types": client.grant_types,
            "scopes": client.scopes,
            "roles": client.roles,
            "redirect_uris": client.redirect_uris,
            "public": client.is_public,
            "can_introspect": client.can_introspect,
        },
    )
    session.commit()
    return client, secret


def list_clients(
    session: Session, *, actor: Principal, organization: str | None = None
) -> list[tuple[OAuthClient, Organization]]:
    """Registered clients with their organizations (auditors and administrators).

    Raises:
        Unauthenticated: the caller is anonymous.
        Forbidden: the caller is neither auditor nor administrator.
        NotFound: no such organization.
    """
    actor.require_auditor()
    statement = select(OAuthClient, Organization).join(
        Organization, col(Organization.id) == col(OAuthClient.organization_id)
    )
    if organization is not None:
        owner = organizations.get_organization(session, organization)
        statement = statement.where(OAuthClient.organization_id == owner.id)
    rows = session.exec(statement.order_by(col(Organization.name), col(OAuthClient.id))).all()
    return [(client, org) for client, org in rows]


def get_client(
    session: Session, *, actor: Principal, client_id: str
) -> tuple[OAuthClient, Organization]:
    """One client with its organization (auditors and administrators).

    Raises:
        Unauthenticated: the caller is anonymous.
        Forbidden: the caller is neither auditor nor administrator.
        NotFound: no such client.
    """
    actor.require_auditor()
    row = session.exec(
        select(OAuthClient, Organization)
        .join(Organization, col(Organization.id) == col(OAuthClient.organization_id))
        .where(OAuthClient.client_id == client_id)
    ).first()
    if row is None:
        raise NotFound(f"there is no OAuth client '{client_id}'")
    return row[0], row[1]


_Select = TypeVar("_Select", bound=Executable)


def _fresh(statement: _Select) -> _Select:
    # Token state changes through conditional UPDATEs (race-free), which bypass the
    # session's identity map: lookups must never answer from a cached row.
    return statement.execution_options(populate_existing=True)


def _revoke_where(session: Session, *conditions: Any) -> int:
    now = utcnow()
    access: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(OAuthToken)
        .where(*conditions, col(OAuthToken.revoked_at).is_(None))
        .values(revoked_at=now),
        execution_options={"synchronize_session": False},
    )
    refresh: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(OAuthToken)
        .where(
            *conditions,
            col(OAuthToken.refresh_token_hash).is_not(None),
            col(OAuthToken.refresh_revoked_at).is_(None),
        )
        .values(refresh_revoked_at=now),
        execution_options={"synchronize_session": False},
    )
    session.expire_all()
    return max(access.rowcount, refresh.rowcount)


def revoke_client(session: Session, *, actor: Principal, client_id: str) -> OAuthClient:
    """Revoke a client and every token issued to it; effective on the next request.

    Raises:
        Unauthenticated: the caller is anonymous.
        Forbidden: the caller is not an administrator.
        NotFound: no such client.
        Conflict: the client was already revoked.
    """
    actor.require_admin()
    client, _ = get_client(session, actor=actor, client_id=client_id)
    if client.revoked_at is not None:
        raise Conflict(f"OAuth client '{client_id}' was already revoked")
    client.revoked_at = utcnow()
    session.add(client)
    session.flush()
    revoked = _revoke_where(session, OAuthToken.oauth_client_id == client.id)
    audit.record(
        session,
        actor=actor,
        action="oauth_client.revoke",
        object_type="oauth_client",
        object_id=client.client_id,
        organization_id=client.organization_id,
        details={"tokens_revoked": revoked},
    )
    session.commit()
    return client


def find_active_client(session: Session, client_id: str) -> OAuthClient | None:
    """The client with ``client_id``, unless it does not exist or was revoked."""
    if "\x00" in client_id:  # from decoded Basic credentials; PostgreSQL cannot compare it
        return None
    client = session.exec(select(OAuthClient).where(OAuthClient.client_id == client_id)).first()
    if client is None or client.revoked_at is not None:
        return None
    return client


# ------------------------------------------------------------------------------ scopes


def parse_scope(scope: str | None) -> frozenset[str]:
    """A space-separated scope string as a set."""
    return frozenset(scope.split()) if scope else frozenset()


def format_scope(scopes: Iterable[str]) -> str:
    """A set of scopes as a space-separated string (sorted, like the clients' scopes)."""
    return " ".join(sorted(set(scopes)))


def client_credentials_scope(client: OAuthClient, requested: str | None) -> frozenset[str] | None:
    """The scopes a client may get for itself: registered and usable by its roles.

    No requested scope means all of them. ``None`` means the request asks for a scope
    the client may not have (the caller answers ``invalid_scope``).
    """
    usable = frozenset(client.scopes) & usable_scopes(Role(r) for r in client.roles)
    wanted = parse_scope(requested) or usable
    if not wanted or not wanted <= usable:
        return None
    return wanted


def memberships_of(session: Session, user: User) -> list[tuple[Organization, frozenset[Role]]]:
    """The organizations in which ``user`` holds roles, with the roles, by name."""
    assert user.id is not None  # noqa: S101 # persisted users have ids
    rows = session.exec(
        select(Organization, Membership.role)
        .join(Membership, col(Membership.organization_id) == col(Organization.id))
        .where(Membership.user_id == user.id)
        .order_by(col(Organization.name))
    ).all()
    held: dict[int, tuple[Organization, set[Role]]] = {}
    for organization, role in rows:
        assert organization.id is not None  # noqa: S101 # persisted rows have ids
        held.setdefault(organization.id, (organization, set()))[1].add(Role(role))
    return [(org, frozenset(roles)) for org, roles in held.values()]


def user_scope(
    session: Session, user: User, organization_id: int, requested: Iterable[str]
) -> frozenset[str]:
    """The requested scopes that ``user``'s roles in the organization can use."""
    roles = accounts.roles_of(session, user.id or 0).get(organization_id, frozenset())
    return frozenset(requested) & usable_scopes(roles)


# ---------------------------------------------------------------------- token issuance


def _add_token(
    session: Session,
    *,
    client: OAuthClient,
    user: User | None,
    organization_id: int,
    grant_type: str,
    token: Mapping[str, Any],
    policy: TokenPolicy,
    family_id: str,
    action: str,
) -> OAuthToken:
    now = utcnow()
    assert client.id is not None  # noqa: S101 # persisted rows have ids
    refresh = token.get("refresh_token")
    row = OAuthToken(
        oauth_client_id=client.id,
        user_id=user.id if user is not None else None,
        organization_id=organization_id,
        grant_type=grant_type,
        scope=str(token.get("scope") or ""),
        audience=policy.audience,
        access_token_hash=secret_digest(str(token["access_token"])),
        refresh_token_hash=secret_digest(str(refresh)) if refresh else None,
        family_id=family_id,
        issued_at=now,
        expires_at=now + dt.timedelta(seconds=int(token["expires_in"])),
        refresh_expires_at=(
            now + dt.timedelta(seconds=policy.refresh_token_lifetime) if refresh else None
        ),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=client_principal(client),
        action=action,
        object_type="oauth_token",
        object_id=str(row.id),
        organization_id=organization_id,
        details={
            "client_id": client.client_id,
            "grant_type": grant_type,
            "scope": row.scope,
            "user": user.username if user is not None else None,
            "family": family_id,
            "refresh_token": refresh is not None,
        },
    )
    return row


def store_client_credentials_token(
    session: Session, *, client: OAuthClient, token: Mapping[str, Any], policy: TokenPolicy
) -> OAuthToken:
    """Record a token issued to a client for itself (client credentials grant)."""
    row = _add_token(
        session,
        client=client,
        user=None,
        organization_id=client.organization_id,
        grant_type=GrantType.CLIENT_CREDENTIALS,
        token=token,
        policy=policy,
        family_id=uuid.uuid4().hex,
        action="oauth_token.issue",
    )
    session.commit()
    return row


def create_authorization_code(
    session: Session,
    *,
    client: OAuthClient,
    user: User,
    organization_id: int,
    code: str,
    redirect_uri: str | None,
    scope: Iterable[str],
    code_challenge: str,
    code_challenge_method: str,
    lifetime: int,
) -> AuthorizationCode:
    """Record a person's consent as a single-use authorization code."""
    assert client.id is not None  # noqa: S101 # persisted rows have ids
    assert user.id is not None  # noqa: S101 # persisted rows have ids
    now = utcnow()
    row = AuthorizationCode(
        code_hash=secret_digest(code),
        oauth_client_id=client.id,
        user_id=user.id,
        organization_id=organization_id,
        redirect_uri=redirect_uri,
        scope=format_scope(scope),
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
        family_id=uuid.uuid4().hex,
        created=now,
        expires_at=now + dt.timedelta(seconds=lifetime),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=accounts.user_principal(session, user, organization_id=organization_id),
        action="oauth.authorize",
        object_type="oauth_client",
        object_id=client.client_id,
        organization_id=organization_id,
        details={"scope": row.scope, "family": row.family_id},
    )
    session.commit()
    return row


def find_authorization_code(
    session: Session, *, code: str, client: OAuthClient
) -> AuthorizationCode | None:
    """The unused, unexpired code issued to ``client``.

    A code presented a second time is refused, and every token issued from it is
    revoked (RFC 6749 section 4.1.2): someone other than its client may hold it.
    """
    row = session.exec(
        _fresh(select(AuthorizationCode).where(AuthorizationCode.code_hash == secret_digest(code)))
    ).first()
    if row is None or row.oauth_client_id != client.id:
        return None
    if row.used_at is not None:
        revoked = _revoke_where(session, OAuthToken.family_id == row.family_id)
        audit.record(
            session,
            actor=client_principal(client),
            action="oauth.code_replay",
            object_type="oauth_client",
            object_id=client.client_id,
            organization_id=row.organization_id,
            details={"family": row.family_id, "tokens_revoked": revoked},
        )
        session.commit()
        return None
    if row.is_expired():
        return None
    return row


def exchange_authorization_code(
    session: Session,
    *,
    code: AuthorizationCode,
    client: OAuthClient,
    user: User,
    token: Mapping[str, Any],
    policy: TokenPolicy,
) -> OAuthToken:
    """Spend ``code`` and record the tokens issued for it, atomically.

    Raises:
        Conflict: the code was spent concurrently by another request.
    """
    spent: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(AuthorizationCode)
        .where(col(AuthorizationCode.id) == code.id, col(AuthorizationCode.used_at).is_(None))
        .values(used_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    if spent.rowcount != 1:
        session.rollback()
        raise Conflict("the authorization code was already used")
    row = _add_token(
        session,
        client=client,
        user=user,
        organization_id=code.organization_id,
        grant_type=GrantType.AUTHORIZATION_CODE,
        token=token,
        policy=policy,
        family_id=code.family_id,
        action="oauth_token.issue",
    )
    session.commit()
    return row


def find_refresh_token(
    session: Session, *, refresh_token: str, client: OAuthClient
) -> OAuthToken | None:
    """The usable refresh token issued to ``client``.

    A rotated (or revoked) refresh token presented again revokes its whole family: the
    legitimate client only ever holds the newest one (RFC 9700 section 4.14.2).
    """
    row = session.exec(
        _fresh(
            select(OAuthToken).where(OAuthToken.refresh_token_hash == secret_digest(refresh_token))
        )
    ).first()
    if row is None or row.oauth_client_id != client.id:
        return None
    if row.refresh_revoked_at is not None:
        revoked = _revoke_where(session, OAuthToken.family_id == row.family_id)
        if revoked:
            audit.record(
                session,
                actor=client_principal(client),
                action="oauth.refresh_replay",
                object_type="oauth_token",
                object_id=str(row.id),
                organization_id=row.organization_id,
                details={"family": row.family_id, "tokens_revoked": revoked},
            )
        session.commit()
        return None
    if not row.refresh_is_usable():
        return None
    return row


def active_user_of(session: Session, token: OAuthToken | AuthorizationCode) -> User | None:
    """The token's (or code's) user, if still active and still a member of its organization."""
    if token.user_id is None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    if not accounts.roles_of(session, token.user_id).get(token.organization_id):
        return None
    return user


def rotate_refresh_token(
    session: Session,
    *,
    old: OAuthToken,
    client: OAuthClient,
    user: User,
    token: Mapping[str, Any],
    policy: TokenPolicy,
) -> OAuthToken:
    """Replace ``old`` (access and refresh) by the newly issued tokens, atomically.

    Raises:
        Conflict: the refresh token was used concurrently by another request.
    """
    now = utcnow()
    rotated: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(OAuthToken)
        .where(col(OAuthToken.id) == old.id, col(OAuthToken.refresh_revoked_at).is_(None))
        .values(refresh_revoked_at=now),
        execution_options={"synchronize_session": False},
    )
    if rotated.rowcount != 1:
        session.rollback()
        raise Conflict("the refresh token was already used")
    session.execute(
        update(OAuthToken)
        .where(col(OAuthToken.id) == old.id, col(OAuthToken.revoked_at).is_(None))
        .values(revoked_at=now),
        execution_options={"synchronize_session": False},
    )
    row = _add_token(
        session,
        client=client,
        user=user,
        organization_id=old.organization_id,
        grant_type=GrantType.REFRESH_TOKEN,
        token=token,
        policy=policy,
        family_id=old.family_id,
        action="oauth_token.refresh",
    )
    session.commit()
    return row


# ------------------------------------------------------- lookup, revocation, introspection


def find_token(
    session: Session, token: str, hint: str | None = None
) -> tuple[OAuthToken, TokenKind] | None:
    """The token row for an access or refresh token string, with which of the two it is."""
    digest = secret_digest(token)
    kinds: list[TokenKind] = ["access_token", "refresh_token"]
    if token.startswith(REFRESH_TOKEN_PREFIX) or hint == "refresh_token":
        kinds.reverse()
    for kind in kinds:
        column = (
            OAuthToken.access_token_hash
            if kind == "access_token"
            else OAuthToken.refresh_token_hash
        )
        row = session.exec(_fresh(select(OAuthToken).where(column == digest))).first()
        if row is not None:
            return row, kind
    return None


def find_access_token(session: Session, token: str) -> OAuthToken | None:
    """The row of an access token string (whatever its state)."""
    return session.exec(
        _fresh(select(OAuthToken).where(OAuthToken.access_token_hash == secret_digest(token)))
    ).first()


def revoke_token(
    session: Session, *, token: OAuthToken, kind: TokenKind, client: OAuthClient
) -> None:
    """Revoke an access token, or a refresh token with every token of its grant (RFC 7009)."""
    if kind == "refresh_token":  # a token kind, not a secret
        revoked = _revoke_where(session, OAuthToken.family_id == token.family_id)
    else:
        revoked = _revoke_where(session, col(OAuthToken.id) == token.id)
    if revoked:
        audit.record(
            session,
            actor=client_principal(client),
            action="oauth_token.revoke",
            object_type="oauth_token",
            object_id=str(token.id),
            organization_id=token.organization_id,
            details={"kind": kind, "family": token.family_id, "tokens_revoked": revoked},
        )
    session.commit()


def principal_for_token(session: Session, token: OAuthToken) -> Principal:
    """The principal an (active) access token stands for, as of now.

    Roles are read afresh on every request, so a role taken away takes effect at once.

    Raises:
        Unauthenticated: the token's client was revoked or its user disabled.
    """
    client = session.get(OAuthClient, token.oauth_client_id)
    if client is None or client.revoked_at is not None:
        raise Unauthenticated("the token's client has been revoked")
    credential = f"oauth_token:{token.id}"
    if token.user_id is not None:
        user = session.get(User, token.user_id)
        if user is None or not user.is_active:
            raise Unauthenticated("the token's user is disabled")
        return accounts.user_principal(
            session,
            user,
            scopes=token.scope_set,
            credential_id=credential,
            organization_id=token.organization_id,
        )
    roles = frozenset(Role(r) for r in client.roles)
    return Principal(
        kind="client",
        name=client.client_id,
        roles=MappingProxyType({token.organization_id: roles} if roles else {}),
        scopes=token.scope_set,
        organization_id=token.organization_id,
        credential_id=credential,
    )


def _timestamp(value: dt.datetime | None) -> int | None:
    return int(value.timestamp()) if value is not None else None


def introspect(
    session: Session,
    *,
    token: str,
    hint: str | None,
    client: OAuthClient,
    issuer: str,
) -> dict[str, Any]:
    """RFC 7662 introspection of ``token`` on behalf of ``client``.

    A client may introspect the tokens issued to itself; clients registered as resource
    servers (``can_introspect``) may introspect any. Everything else, like unknown,
    expired or revoked tokens, is simply ``{"active": false}``. The ``scope`` reported
    is the effective one: the granted scopes the subject's current roles can use.
    """
    inactive: dict[str, Any] = {"active": False}
    found = find_token(session, token, hint)
    if found is None:
        return inactive
    row, kind = found
    if row.oauth_client_id != client.id and not client.can_introspect:
        return inactive
    if kind == "access_token" and (row.is_expired() or row.is_revoked()):
        return inactive
    if kind == "refresh_token" and not row.refresh_is_usable():
        return inactive
    try:
        principal = principal_for_token(session, row)
    except Unauthenticated:
        return inactive
    owner = session.get(OAuthClient, row.oauth_client_id)
    organization = session.get(Organization, row.organization_id)
    assert owner is not None  # noqa: S101 # a foreign key
    assert organization is not None  # noqa: S101 # a foreign key
    held = principal.roles.get(row.organization_id, frozenset())
    body: dict[str, Any] = {
        "active": True,
        "scope": format_scope(row.scope_set & usable_scopes(held)),
        "client_id": owner.client_id,
        "token_type": "Bearer" if kind == "access_token" else "refresh_token",
        "exp": _timestamp(row.expires_at if kind == "access_token" else row.refresh_expires_at),
        "iat": _timestamp(row.issued_at),
        "iss": issuer,
        "aud": row.audience,
        "sub": principal.name,
        "organization": organization.name,
    }
    if principal.kind == "user":
        body["username"] = principal.name
    return body
