"""RFC 9457 problem details: the one place where errors become HTTP responses.

Four handlers: domain errors (:class:`CatalogError`), HTTP errors raised by Flask or
Werkzeug (404 routing, 405, 413...), and anything else (a 500 that reveals nothing of
the internals). Each answers ``application/problem+json`` with an ``instance`` that
carries the request id, which is also logged, so a report can be traced.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, Response, current_app, g, json, request
from werkzeug.exceptions import HTTPException, RequestedRangeNotSatisfiable

from catalog.errors import (
    BadRequest,
    CatalogError,
    InvalidMetadata,
    NotFound,
    PayloadTooLarge,
    RetryLater,
    Unauthenticated,
    UnsupportedMediaType,
)

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("simel.api")


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response:
    """Build an ``application/problem+json`` response."""
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = f"{request.path}#request-{getattr(g, 'request_id', '-')}"
    body.update(extensions)
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


# Control characters (line breaks above all), Unicode's line separators, and lone
# surrogates (which a log file's UTF-8 cannot hold).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def loggable(text: str) -> str:
    """``text`` with control characters escaped, so that it stays on its log line.

    A path or message with an encoded line break would otherwise start a line of its
    own, which a reader (or a log parser) could take for another event.
    """
    return _UNPRINTABLE.sub(lambda found: ascii(found.group())[1:-1], text)


def _log(status: int, message: str) -> None:
    level = logging.ERROR if status >= 500 else logging.WARNING
    log.log(
        level,
        "%s %s -> %s (request %s): %s",
        request.method,
        loggable(request.path),
        status,
        getattr(g, "request_id", "-"),
        loggable(message),
    )


def catalog_error(error: CatalogError) -> Response:
    """Map a domain error to its problem document."""
    extensions = dict(error.extensions)
    headers: dict[str, str] = {}
    if isinstance(error, InvalidMetadata):
        extensions["errors"] = [item.to_dict() for item in error.errors]
    # RFC 6750 section 3: 401 always names the scheme; a 403 for a missing scope says so.
    challenge = extensions.pop("www_authenticate", None)
    if isinstance(error, Unauthenticated):
        challenge = challenge or 'Bearer realm="simel", error="invalid_token"'
    if challenge:
        headers["WWW-Authenticate"] = challenge
    if isinstance(error, RetryLater):
        headers["Retry-After"] = str(error.retry_after)
    base = current_app.extensions["simel"].settings.app.problem_base_uri
    _log(error.status, error.detail)
    return problem(
        error.status,
        error.title,
        error.detail,
        type_=base + error.slug,
        headers=headers,
        **extensions,
    )


# Werkzeug's own errors (routing, size limits...) as the domain's problem types, with
# the domain's titles; its generic descriptions ("If you entered the URL manually...")
# give way to ones that name what was asked.
_HTTP_PROBLEMS: dict[int, tuple[str, str]] = {
    **{
        kind.status: (kind.slug, kind.title)
        for kind in (BadRequest, NotFound, PayloadTooLarge, UnsupportedMediaType)
    },
    # Only Werkzeug raises these: the domain has no class for them.
    405: ("method-not-allowed", "Method not allowed"),
    416: ("range-not-satisfiable", "Range not satisfiable"),
}


def _http_detail(error: HTTPException, allowed: list[str]) -> str | None:
    if error.description != type(error).description:
        return error.description  # raised with words of its own
    if error.code == 404:
        return f"nothing here answers to {request.path}"
    if error.code == 405:
        return f"{request.method} is not allowed on {request.path}; use {', '.join(allowed)}"
    if error.code == 413 and current_app.config.get("MAX_CONTENT_LENGTH"):
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        return f"the request body is larger than this server's limit of {limit:,} bytes"
    return error.description


def http_error(error: HTTPException) -> Response:
    """Map a Werkzeug HTTP error (routing 404, 405, 413, 415...) to a problem document."""
    status = error.code or 500
    headers = {}
    allowed = sorted(getattr(error, "valid_methods", None) or [])
    if status == 405 and allowed:
        headers["Allow"] = ", ".join(allowed)
    if isinstance(error, RequestedRangeNotSatisfiable) and error.length is not None:
        headers["Content-Range"] = f"{error.units} */{error.length}"  # RFC 9110 15.5.17
    detail = _http_detail(error, allowed)
    _log(status, detail or error.name)
    if status not in _HTTP_PROBLEMS:
        return problem(status, error.name, detail, headers=headers)
    slug, title = _HTTP_PROBLEMS[status]
    base = current_app.extensions["simel"].settings.app.problem_base_uri
    return problem(status, title, detail, type_=base + slug, headers=headers)


def unexpected_error(error: Exception) -> Response:
    """A generic 500: the details go to the log, never to the client."""
    if isinstance(error, HTTPException):
        return http_error(error)
    log.exception(
        "unhandled error on %s %s (request %s)",
        request.method,
        loggable(request.path),
        getattr(g, "request_id", "-"),
    )
    return problem(
        500,
        "Internal Server Error",
        "Something went wrong on our side. The error was logged; quote the instance "
        "identifier if you report it.",
    )


def register(app: Flask) -> None:
    """Install the problem handlers on ``app``."""
    app.register_error_handler(CatalogError, catalog_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)
