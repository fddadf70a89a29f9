"""Web pages (Spanish and English): home, sign-in, sign-out and the OAuth consent page.

The package is the home of the catalog's HTML interface: a base template with the
language switch (``templates/web/base.html``), the translator (:mod:`api.web.i18n`),
CSRF protection and the login session (:mod:`api.web.security`), and :func:`page`,
which every HTML view uses so that each page gets the same security headers.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from api.context import state
from api.web import i18n, security

blueprint = Blueprint("web", __name__, template_folder="templates")

# Pages must not be framed (the consent page above all: clickjacking), cached, or load
# anything from elsewhere. No form-action here: the consent form's answer is a
# redirect to the client, which browsers check against form-action.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def _language_url(language: str) -> str:
    values: dict[str, Any] = {**request.args.to_dict(), **(request.view_args or {})}
    values["lang"] = language
    return url_for(request.endpoint or "web.login", **values)


def page(template: str, *, status: int = 200, **context: Any) -> Response:
    """Render an HTML page in the request's language, with the pages' security headers."""
    language = i18n.current_language()
    html = render_template(
        template,
        _=i18n.translate,
        lang=language,
        languages=i18n.languages(),
        language_url=_language_url,
        csrf_token=security.csrf_token,
        session_user=security.current_user(),
        **context,
    )
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    chosen = i18n.requested_language()
    if chosen:
        response.set_cookie(
            i18n.LANG_COOKIE,
            chosen,
            max_age=365 * 86400,
            secure=state().settings.security.session_cookie_secure,
            httponly=True,
            samesite="Lax",
        )
    return response


# The view modules register their routes on the blueprint when imported.
from api.web import views  # noqa: E402, F401
