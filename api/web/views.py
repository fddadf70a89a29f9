"""Sign-in and sign-out pages, and the pages' static files."""

from __future__ import annotations

import hmac
import math
from pathlib import Path

from flask import Response, current_app, redirect, request, send_from_directory, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as BaseResponse

from api.auth import access
from api.context import db_session, state
from api.web import blueprint, page, security
from api.web.i18n import translate
from catalog import logins, organizations
from catalog.errors import TooManyRequests, Unauthenticated

STATIC = Path(__file__).resolve().parent / "static"
SESSION_NOTE = "the web login session (cookie); forms need the session's CSRF token"


def login_policy() -> logins.LoginPolicy:
    """Throttling and session lifetime from the ``[auth]`` settings."""
    auth = state().settings.auth
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return logins.LoginPolicy(
        # Derived from the app's secret key: no second secret to keep, and none written
        # where the instance folder is read-only.
        name_key=hmac.new(secret, b"login names", "sha256").digest(),
        max_failures=auth.login_max_failures,
        lockout_seconds=auth.login_lockout_seconds,
        session_lifetime=auth.session_lifetime,
    )


def csrf_failure() -> Response:
    """The page for a form whose CSRF token is missing or wrong."""
    return page(
        "web/message.html",
        status=400,
        title=translate("csrf.title"),
        message=translate("csrf.message"),
    )


@blueprint.get("/")
@access(public=True, bearer=False)
def home() -> Response:
    """The catalog's front page: what it holds, in figures, and where to go from here."""
    publishing = [
        (organization, count)
        for organization, count in organizations.list_organizations(db_session())
        if count
    ]
    return page(
        "web/home.html",
        datasets=sum(count for _, count in publishing),
        organizations=len(publishing),
        countries=len({organization.country for organization, _ in publishing}),
    )


@blueprint.route("/login", methods=["GET", "POST"])
@access(public=True, bearer=False, note=SESSION_NOTE)
def login() -> BaseResponse:
    """Sign in with a username and password (throttled after repeated failures)."""
    target = security.safe_next(request.values.get("next"))
    if request.method == "GET":
        user = security.current_user()
        if user is not None and target:
            return redirect(target)
        notice = translate("login.signed_out") if request.args.get("signed_out") else None
        return page("web/login.html", user=user, next=target, notice=notice)
    if not security.csrf_valid():
        return csrf_failure()
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    if not username or not password:
        return page("web/login.html", status=400, next=target, username=username,
                    error=translate("login.missing"))  # fmt: skip
    try:
        _, sid = logins.log_in(
            db_session(), username=username, password=password, policy=login_policy()
        )
    except TooManyRequests as locked:
        response = page(
            "web/login.html",
            status=429,
            next=target,
            username=username,
            error=translate("login.locked", minutes=math.ceil(locked.retry_after / 60)),
        )
        response.headers["Retry-After"] = str(locked.retry_after)
        return response
    except Unauthenticated:
        return page("web/login.html", status=400, next=target, username=username,
                    error=translate("login.failed"))  # fmt: skip
    security.begin_session(sid)
    return redirect(target or url_for("web.home"))


@blueprint.route("/logout", methods=["GET", "POST"])
@access(public=True, bearer=False, note=SESSION_NOTE)
def logout() -> BaseResponse:
    """Ask for confirmation (GET), then end the session on the server (POST)."""
    if request.method == "GET":
        user = security.current_user()
        if user is None:
            return redirect(url_for("web.login"))
        return page("web/logout.html", user=user)
    if not security.csrf_valid():
        return csrf_failure()
    security.end_session()
    return redirect(url_for("web.login", signed_out=1))


@blueprint.get("/static/web/<path:filename>")
@access(public=True, bearer=False)
def static_file(filename: str) -> Response:
    """The pages' style sheet and images."""
    if not (STATIC / filename).resolve().is_relative_to(STATIC):
        raise NotFound()
    return send_from_directory(STATIC, filename, max_age=3600)
