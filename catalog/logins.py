"""Password logins, their throttling, and web login sessions.

After ``max_failures`` consecutive wrong passwords an account is locked for
``lockout_seconds``; while locked, every attempt is refused without checking the
password (so a correct guess during the lock teaches nothing) and answered with a
retry time. A successful login resets the count. An unknown or disabled username costs
the same password-hash work as an account, gets the same answer, and locks the same way
(counted in ``login_throttle`` under a keyed digest of the name), so logins do not
reveal which accounts exist.

A web session is a random id in the (signed, HttpOnly) cookie; the database keeps only
its SHA-256, so logging out ends the session on the server, not just in the browser.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import logging
import math
import secrets
from dataclasses import dataclass
from typing import NoReturn

from sqlalchemy import delete, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from catalog import accounts, audit
from catalog.db import utcnow
from catalog.errors import TooManyRequests, Unauthenticated
from catalog.models import LoginThrottle, User, UserSession, secret_digest
from catalog.principals import Principal

log = logging.getLogger("simel.logins")

# Idle counts of names that are no account are forgotten after a day: every attempt
# under a new name adds a row.
_THROTTLE_MEMORY = dt.timedelta(days=1)


# Names that are no account are answered in these same words: they must not differ.
WRONG_CREDENTIALS = "wrong username or password"
LOCKED_NOW = "too many failed logins: the account is locked for a while"
STILL_LOCKED = "too many failed logins: try again later"


@dataclass(frozen=True)
class LoginPolicy:
    """Throttling and session lifetime (``[auth]`` in the configuration)."""

    name_key: bytes
    """Secret for the digests of names that are no account (what is typed as a user name
    is often a password typed one field early: neither the log nor the database keeps
    anything a dictionary could be checked against)."""
    max_failures: int = 5
    lockout_seconds: int = 900
    session_lifetime: int = 28800

    def name_digest(self, name: str) -> str:
        """The keyed SHA-256 of ``name``, in hex."""
        return hmac.new(self.name_key, name.encode(), "sha256").hexdigest()


@functools.cache
def _dummy_hash() -> str:
    return accounts.hash_password(secrets.token_urlsafe(16))


def _retry_after(locked_until: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((locked_until - now).total_seconds()))


def _user_actor(session: Session, user: User) -> Principal:
    return accounts.user_principal(session, user)


def log_in(
    session: Session, *, username: str, password: str, policy: LoginPolicy
) -> tuple[User, str]:
    """Check a username and password; on success open a session and return its id.

    Raises:
        Unauthenticated: unknown user, disabled user or wrong password (one message).
        TooManyRequests: the account is locked after repeated failures.
    """
    now = utcnow()
    # populate_existing: the counters are updated in SQL, so never trust a cached row.
    user = session.exec(
        select(User).where(User.username == username).execution_options(populate_existing=True)
    ).first()
    if user is None or not user.is_active or not user.password_hash:
        if user is None:
            log.warning("failed login for unknown user #%s", policy.name_digest(username)[:12])
        else:
            log.warning("failed login for disabled user %s", user.username)
        _refuse_no_account(session, username, password, policy, now)
    assert user.id is not None  # noqa: S101 # persisted users have ids
    if user.locked_until is not None and user.locked_until > now:
        log.warning("login attempt for locked user %s", user.username)
        raise TooManyRequests(
            STILL_LOCKED,
            retry_after=_retry_after(user.locked_until, now),
        )
    if not accounts.verify_password(user.password_hash, password):
        _record_failure(session, user, policy, now)
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(user)
    sid = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            sid_hash=secret_digest(sid),
            user_id=user.id,
            created=now,
            expires_at=now + dt.timedelta(seconds=policy.session_lifetime),
        )
    )
    audit.record(
        session,
        actor=_user_actor(session, user),
        action="login.succeeded",
        object_type="user",
        object_id=user.username,
        organization_id=None,
    )
    session.commit()
    return user, sid


def _refuse_no_account(
    session: Session, name: str, password: str, policy: LoginPolicy, now: dt.datetime
) -> NoReturn:
    """Answer a name that is no active account exactly as a wrong password is answered.

    Raises:
        TooManyRequests: the name is locked, or this failure locks it.
        Unauthenticated: otherwise.
    """
    key = policy.name_digest(name)
    throttle = session.get(LoginThrottle, key, populate_existing=True)
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        raise TooManyRequests(
            STILL_LOCKED,
            retry_after=_retry_after(throttle.locked_until, now),
        )
    accounts.verify_password(_dummy_hash(), password)  # same work as a real check
    upsert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    counted = (
        upsert(LoginThrottle)
        .values(name_key=key, failed_login_count=1, last_failure_at=now)
        .on_conflict_do_update(
            index_elements=["name_key"],
            set_={
                "failed_login_count": LoginThrottle.failed_login_count + 1,
                "last_failure_at": now,
            },
        )
        .returning(col(LoginThrottle.failed_login_count))
    )
    failures = session.execute(counted).scalar_one()
    session.execute(
        delete(LoginThrottle).where(
            col(LoginThrottle.last_failure_at) < now - _THROTTLE_MEMORY,
            or_(col(LoginThrottle.locked_until).is_(None), col(LoginThrottle.locked_until) < now),
        )
    )
    if failures >= policy.max_failures:
        session.execute(
            update(LoginThrottle)
            .where(col(LoginThrottle.name_key) == key)
            .values(
                failed_login_count=0,
                locked_until=now + dt.timedelta(seconds=policy.lockout_seconds),
            ),
            execution_options={"synchronize_session": False},
        )
        session.commit()
        raise TooManyRequests(
            LOCKED_NOW,
            retry_after=policy.lockout_seconds,
        )
    session.commit()
    raise Unauthenticated(WRONG_CREDENTIALS)


def _record_failure(session: Session, user: User, policy: LoginPolicy, now: dt.datetime) -> None:
    # Count atomically: concurrent guesses must not be lost to a read-modify-write race.
    failures = session.execute(
        update(User)
        .where(col(User.id) == user.id)
        .values(failed_login_count=User.failed_login_count + 1)
        .returning(col(User.failed_login_count)),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    anonymous = Principal.anonymous()
    if failures >= policy.max_failures:
        locked_until = now + dt.timedelta(seconds=policy.lockout_seconds)
        session.execute(
            update(User)
            .where(col(User.id) == user.id)
            .values(failed_login_count=0, locked_until=locked_until),
            execution_options={"synchronize_session": False},
        )
        audit.record(
            session,
            actor=anonymous,
            action="login.locked",
            object_type="user",
            object_id=user.username,
            organization_id=None,
            details={"failures": failures, "locked_seconds": policy.lockout_seconds},
        )
        session.commit()
        raise TooManyRequests(
            LOCKED_NOW,
            retry_after=policy.lockout_seconds,
        )
    audit.record(
        session,
        actor=anonymous,
        action="login.failed",
        object_type="user",
        object_id=user.username,
        organization_id=None,
        details={"failures": failures},
    )
    session.commit()
    raise Unauthenticated(WRONG_CREDENTIALS)


def _live_session(session: Session, sid: str) -> UserSession | None:
    row = session.exec(
        select(UserSession).where(UserSession.sid_hash == secret_digest(sid))
    ).first()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row


def session_user(session: Session, sid: str) -> User | None:
    """The user of a live web session, if the session and the user are still valid."""
    row = _live_session(session, sid)
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return user


def log_out(session: Session, sid: str) -> None:
    """End a web session on the server (a no-op for an unknown or ended session)."""
    row = _live_session(session, sid)
    if row is None:
        return
    row.revoked_at = utcnow()
    session.add(row)
    user = session.get(User, row.user_id)
    assert user is not None  # noqa: S101 # the foreign key cascades deletes
    audit.record(
        session,
        actor=_user_actor(session, user),
        action="logout",
        object_type="user",
        object_id=user.username,
        organization_id=None,
    )
    session.commit()
