"""CSRF tokens and the login session of the web pages.

The Flask session cookie is signed (itsdangerous), HttpOnly, SameSite=Lax and Secure
(``security.session_cookie_secure``; only plain-HTTP demos turn it off). It holds two
random values: ``sid``, the login session (whose SHA-256 the database keeps, see
:mod:`catalog.logins`), and ``csrf``, the token every form must send back. Both are
replaced when a person signs in, so a session fixed before login is worthless after.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlencode, urlsplit

from flask import redirect, request, session, url_for
from werkzeug.wrappers import Response

from api.context import db_session
from catalog import logins
from catalog.models import User

CSRF_FIELD = "csrf_token"  # a form field name, not a secret


def csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_valid() -> bool:
    """Whether the submitted form carries the session's CSRF token."""
    expected = session.get("csrf")
    submitted = request.form.get(CSRF_FIELD, "")
    return isinstance(expected, str) and hmac.compare_digest(expected, submitted)


def current_user() -> User | None:
    """The signed-in person, if the session is live on the server."""
    sid = session.get("sid")
    if not isinstance(sid, str):
        return None
    user = logins.session_user(db_session(), sid)
    if user is None:
        session.pop("sid", None)
    return user


def begin_session(sid: str) -> None:
    """Bind a fresh cookie session to the login session ``sid`` (new CSRF token too)."""
    session.clear()
    session.permanent = True
    session["sid"] = sid
    session["csrf"] = secrets.token_urlsafe(32)


def end_session() -> None:
    """End the login session on the server and forget the cookie's contents."""
    sid = session.get("sid")
    if isinstance(sid, str):
        logins.log_out(db_session(), sid)
    session.clear()


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (no open redirects), else ``None``.

    A path with control characters is no path either: a line break would end the
    ``Location`` header (and Werkzeug refuses to write one).
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(character) < 0x20 or ord(character) == 0x7F for character in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def login_redirect() -> Response:
    """Send the browser to the sign-in page, coming back to this request afterwards."""
    back = request.full_path if request.query_string else request.path
    return redirect(url_for("web.login") + "?" + urlencode({"next": back}))
