"""Drive the sign-in and consent pages like a browser (Flask test client or requests)."""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge

from tests.conftest import APP_REDIRECT

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    return verifier, create_s256_code_challenge(verifier)


def authorize_url(client_id: str, challenge: str | None, **extra: Any) -> str:
    params: dict[str, Any] = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": APP_REDIRECT,
        "scope": "catalog:read catalog:write",
        "state": "st4te",
    }
    if challenge is not None:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    params.update(extra)
    return "/oauth/authorize?" + urlencode({k: v for k, v in params.items() if v is not None})


def log_in(browser: Any, username: str, password: str) -> Any:
    page = browser.get("/login")
    if 'name="password"' not in page.text:
        return page  # already signed in
    return browser.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
    )


def consent(browser: Any, url: str, decision: str = "allow", **form: str) -> Any:
    """Open the consent page for ``url`` and answer it; returns the response to the form."""
    page = browser.get(url)
    assert page.status_code == 200, page.text
    return browser.post(url, data={"csrf_token": csrf_of(page.text), "decision": decision, **form})


def code_from(response: Any) -> str:
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == APP_REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["st4te"]
    assert "code" in query, query
    return query["code"][0]


def redirect_error(response: Any) -> str:
    assert response.status_code == 302, response.text
    return parse_qs(urlsplit(response.headers["Location"]).query)["error"][0]
