"""Users, memberships, passwords and personal API tokens.

Passwords are hashed with Argon2id. API tokens are 256-bit random strings; only their
SHA-256 is stored (a fast hash is right for high-entropy secrets, and it lets a token be
found by its hash in one indexed lookup). A token is shown once, when it is created.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections import defaultdict
from types import MappingProxyType

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

import metadata_schemas
from catalog import audit
from catalog.db import utcnow
from catalog.errors import Conflict, FieldError, InvalidMetadata, NotFound, Unauthenticated
from catalog.models import ApiToken, Membership, Organization, Role, User
from catalog.principals import Principal

TOKEN_PREFIX = "simel_pat_"  # noqa: S105 # a public marker, not a secret
_hasher = PasswordHasher()

# The organizations' name rule (common schema, organizationName) with dots added, which
# the role logins of the demo have (mintrab-gt.steward): a name that fits in a URL,
# a log line or a command without quoting.
USERNAME = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,98}[a-z0-9])?")
USERNAME_RULE = (
    "1 to 100 lower-case letters, digits, '.' and '-', starting and ending with a "
    "letter or digit (e.g. mintrab-gt.steward)"
)
# Contact points' e-mail rule: one @, a name before it, a domain with a dot, no spaces.
EMAIL = "urn:simel:schema:common:1.0#/$defs/email"


def hash_password(password: str) -> str:
    """Return an Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password`` against a stored hash without leaking why it failed."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    """SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def get_user(session: Session, username: str) -> User:
    """Return the user called ``username``.

    Raises:
        NotFound: no such user.
    """
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"there is no user named '{username}'")
    return user


def create_user(
    session: Session,
    *,
    actor: Principal,
    username: str,
    full_name: str = "",
    email: str | None = None,
    password: str | None = None,
) -> User:
    """Create a user (administrators only).

    Raises:
        Forbidden: the caller is not an administrator.
        InvalidMetadata: the username or e-mail address is malformed, or the password
            too short.
        Conflict: the username is taken.
    """
    actor.require_admin()
    errors = []
    if not USERNAME.fullmatch(username):
        errors.append(FieldError("/username", f"{username!r} is not a user name: {USERNAME_RULE}"))
    if email is not None and metadata_schemas.value_errors(EMAIL, email):
        errors.append(
            FieldError(
                "/email",
                f"{email!r} is not an e-mail address: one @, a name before it and a domain "
                "with a dot after it, no spaces",
            )
        )
    if password is not None and len(password) < 12:
        errors.append(FieldError("/password", "at least 12 characters"))
    if errors:
        raise InvalidMetadata("the user is not valid", errors)
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(f"a user named '{username}' already exists") from exc
    audit.record(
        session,
        actor=actor,
        action="user.create",
        object_type="user",
        object_id=username,
        organization_id=None,
        details={"full_name": full_name},
    )
    session.commit()
    return user


def add_membership(
    session: Session, *, actor: Principal, user: User, organization: Organization, role: Role
) -> Membership:
    """Give ``user`` a role in ``organization`` (administrators only).

    Raises:
        Forbidden: the caller is not an administrator.
        Conflict: the user already holds that role there.
    """
    actor.require_admin()
    assert user.id is not None  # noqa: S101 # persisted rows have ids
    assert organization.id is not None  # noqa: S101 # persisted rows have ids
    membership = Membership(user_id=user.id, organization_id=organization.id, role=role.value)
    session.add(membership)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(f"{user.username} is already {role.value} of {organization.name}") from exc
    audit.record(
        session,
        actor=actor,
        action="membership.create",
        object_type="user",
        object_id=user.username,
        organization_id=organization.id,
        details={"role": role.value, "organization": organization.name},
    )
    session.commit()
    return membership


def roles_of(session: Session, user_id: int) -> dict[int, frozenset[Role]]:
    """The user's roles per organization id."""
    rows = session.exec(
        select(Membership.organization_id, Membership.role).where(Membership.user_id == user_id)
    ).all()
    roles: dict[int, set[Role]] = defaultdict(set)
    for organization_id, role in rows:
        roles[organization_id].add(Role(role))
    return {org: frozenset(held) for org, held in roles.items()}


def user_principal(
    session: Session,
    user: User,
    *,
    scopes: frozenset[str] | None = None,
    credential_id: str | None = None,
    organization_id: int | None = None,
) -> Principal:
    """Build the principal of ``user``, optionally limited to scopes and one organization."""
    assert user.id is not None  # noqa: S101 # persisted users have ids
    roles = roles_of(session, user.id)
    if organization_id is not None:
        roles = {org: held for org, held in roles.items() if org == organization_id}
    return Principal(
        kind="user",
        name=user.username,
        user_id=user.id,
        roles=MappingProxyType(roles),
        scopes=scopes,
        organization_id=organization_id,
        credential_id=credential_id,
    )


def create_api_token(
    session: Session,
    *,
    actor: Principal,
    user: User,
    name: str = "",
    expires_at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a personal API token for ``user``; return the row and the token (shown once).

    Raises:
        Forbidden: the caller is neither the user nor an administrator.
    """
    if not (actor.is_admin or actor.user_id == user.id):
        actor.require_admin()
    assert user.id is not None  # noqa: S101 # persisted users have ids
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name,
        prefix=token[: len(TOKEN_PREFIX) + 6],
        token_hash=token_digest(token),
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="api_token.create",
        object_type="api_token",
        object_id=str(row.id),
        organization_id=None,
        details={"user": user.username, "name": name, "prefix": row.prefix},
    )
    session.commit()
    return row, token


def revoke_api_token(session: Session, *, actor: Principal, token_id: int) -> ApiToken:
    """Revoke a token; it stops working on the very next request.

    Raises:
        NotFound: no such token.
        Forbidden: the caller is neither its owner nor an administrator.
        Conflict: the token was already revoked.
    """
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"there is no API token {token_id}")
    if not (actor.is_admin or actor.user_id == row.user_id):
        actor.require_admin()
    if row.revoked_at is not None:
        raise Conflict(f"API token {token_id} was already revoked")
    row.revoked_at = utcnow()
    session.add(row)
    audit.record(
        session,
        actor=actor,
        action="api_token.revoke",
        object_type="api_token",
        object_id=str(row.id),
        organization_id=None,
        details={"prefix": row.prefix},
    )
    session.commit()
    return row


def list_api_tokens(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(col(ApiToken.created).desc())
        ).all()
    )


def authenticate_api_token(session: Session, token: str) -> Principal:
    """Resolve a personal API token to its user's principal.

    Raises:
        Unauthenticated: unknown, revoked or expired token, or inactive user.
    """
    if not token.startswith(TOKEN_PREFIX):
        raise Unauthenticated("the token is not a SIMEL API token")
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(token))).first()
    now = utcnow()
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("the token is unknown or has been revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthenticated("the token has expired")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthenticated("the token's user is disabled")
    return user_principal(session, user, scopes=None, credential_id=f"api_token:{row.id}")
