"""Password logins: throttling, lockout, sessions and their audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from catalog import logins
from catalog.errors import TooManyRequests, Unauthenticated
from catalog.models import AuditEvent, LoginThrottle, User, UserSession, secret_digest

PASSWORD = "correct horse battery"
POLICY = logins.LoginPolicy(
    name_key=b"test login key", max_failures=3, lockout_seconds=600, session_lifetime=3600
)


@pytest.fixture
def ana(make_org, make_user):
    make_org("mintrab-gt")
    user, _ = make_user("ana", password=PASSWORD, steward="mintrab-gt")
    return user


def attempt(session, password, username="ana"):
    return logins.log_in(session, username=username, password=password, policy=POLICY)


def actions(session):
    return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()]


def test_success_opens_a_server_side_session(session, ana):
    user, sid = attempt(session, PASSWORD)
    assert user.username == "ana"
    row = session.exec(select(UserSession)).one()
    assert row.sid_hash == secret_digest(sid)
    assert sid not in str(row.model_dump())
    assert logins.session_user(session, sid).username == "ana"
    assert actions(session)[-1] == "login.succeeded"


def test_unknown_and_wrong_give_the_same_answer(session, ana):
    with pytest.raises(Unauthenticated) as unknown:
        attempt(session, PASSWORD, username="nadie")
    with pytest.raises(Unauthenticated) as wrong:
        attempt(session, "wrong password")
    assert unknown.value.detail == wrong.value.detail == "wrong username or password"
    # Unknown users change nothing, so they leave no audit event; known ones do.
    assert actions(session)[-1] == "login.failed"
    assert actions(session).count("login.failed") == 1


def test_an_unknown_name_is_not_logged_since_it_may_be_a_password(session, ana, caplog):
    typed = "Contraseña-de-Ana-2026"
    for _ in range(2):
        with pytest.raises(Unauthenticated), caplog.at_level("WARNING", logger=logins.log.name):
            attempt(session, PASSWORD, username=typed)
    assert typed not in caplog.text
    first, second = (r.getMessage() for r in caplog.records)
    assert first == second == f"failed login for unknown user #{POLICY.name_digest(typed)[:12]}"
    assert secret_digest(typed)[:12] not in first  # not a plain digest of the password


def test_repeated_failures_lock_the_account(session, ana):
    for _ in range(POLICY.max_failures - 1):
        with pytest.raises(Unauthenticated):
            attempt(session, "wrong password")
    with pytest.raises(TooManyRequests) as locked:
        attempt(session, "wrong password")
    assert locked.value.retry_after == POLICY.lockout_seconds
    # While locked, even the right password is refused, and the password is not checked.
    with pytest.raises(TooManyRequests) as still:
        attempt(session, PASSWORD)
    assert 0 < still.value.retry_after <= POLICY.lockout_seconds
    assert actions(session)[-1] == "login.locked"
    assert session.exec(select(UserSession)).all() == []


def answers(session, username, password, times):
    """What each of ``times`` attempts was answered: the error's class, detail and retry."""
    seen = []
    for _ in range(times):
        with pytest.raises((Unauthenticated, TooManyRequests)) as caught:
            attempt(session, password, username=username)
        error = caught.value
        seen.append((type(error).__name__, error.detail, getattr(error, "retry_after", None)))
    return seen


@pytest.mark.parametrize("name", ["nadie", "disabled"])
def test_a_name_that_is_no_account_locks_as_an_account_does(session, ana, make_user, name):
    # Otherwise the lock itself tells which names are accounts.
    if name == "disabled":
        user, _ = make_user("disabled", password=PASSWORD)
        user.is_active = False
        session.add(user)
        session.commit()
    times = POLICY.max_failures + 1
    expected = answers(session, "ana", "wrong password", times)
    assert [kind for kind, *_ in expected] == ["Unauthenticated"] * 2 + ["TooManyRequests"] * 2
    got = answers(session, name, PASSWORD, times)
    assert [(kind, detail) for kind, detail, _ in got] == [(k, d) for k, d, _ in expected]
    assert got[-2][2] == POLICY.lockout_seconds
    assert 0 < got[-1][2] <= POLICY.lockout_seconds
    # Only a keyed digest of the name is kept (it may be a password typed too early).
    (row,) = session.exec(select(LoginThrottle)).all()
    assert row.name_key == POLICY.name_digest(name)
    assert row.name_key != secret_digest(name)
    assert row.locked_until is not None


def test_idle_counts_of_names_that_are_no_account_are_forgotten(session, ana):
    answers(session, "nadie", PASSWORD, 1)
    (row,) = session.exec(select(LoginThrottle)).all()
    row.last_failure_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    session.add(row)
    session.commit()
    answers(session, "otro", PASSWORD, 1)  # any failure sweeps what is idle
    session.expire_all()
    remaining = session.exec(select(LoginThrottle.name_key)).all()
    assert remaining == [POLICY.name_digest("otro")]


def test_the_lock_expires_and_success_resets_the_count(session, ana):
    for _ in range(POLICY.max_failures):
        with pytest.raises((Unauthenticated, TooManyRequests)):
            attempt(session, "wrong password")
    user = session.exec(select(User).where(User.username == "ana")).one()
    session.refresh(user)
    user.locked_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    session.add(user)
    session.commit()
    with pytest.raises(Unauthenticated):
        attempt(session, "wrong password")
    attempt(session, PASSWORD)
    session.refresh(user)
    assert user.failed_login_count == 0
    assert user.locked_until is None
    assert user.last_login_at is not None


def test_logout_ends_the_session_on_the_server(session, ana):
    _, sid = attempt(session, PASSWORD)
    logins.log_out(session, sid)
    assert logins.session_user(session, sid) is None
    assert actions(session)[-1] == "logout"
    logins.log_out(session, sid)  # a second logout is a no-op
    assert actions(session).count("logout") == 1


def test_sessions_expire_and_follow_the_user(session, ana):
    _, sid = attempt(session, PASSWORD)
    ana.is_active = False
    session.add(ana)
    session.commit()
    assert logins.session_user(session, sid) is None
    ana.is_active = True
    session.add(ana)
    row = session.exec(select(UserSession)).one()
    row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert logins.session_user(session, sid) is None


def test_disabled_users_cannot_log_in(session, ana):
    ana.is_active = False
    session.add(ana)
    session.commit()
    with pytest.raises(Unauthenticated):
        attempt(session, PASSWORD)
