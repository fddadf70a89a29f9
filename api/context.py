"""Per-request state: the database session and the request id."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from sqlmodel import Session
from werkzeug.datastructures import MultiDict

from catalog.db import Database, end_session
from catalog.distributions import FORM_MEDIA_TYPES
from catalog.errors import BadRequest
from catalog.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class AppState:
    """What the app keeps in ``app.extensions['simel']``."""

    settings: Settings
    database: Database
    token_resolvers: list[Any] = field(default_factory=list)


def state() -> AppState:
    """The running app's state."""
    result: AppState = current_app.extensions["simel"]
    return result


F = TypeVar("F", bound=Callable[..., Any])


def db_session() -> Session:
    """The request's session; requests that write take the writers' lock (catalog.db).

    Every other request reads in a read-only transaction on PostgreSQL: safe methods,
    and views marked :func:`read_only` whatever their method. Views marked
    :func:`writes` take the lock whatever their method.
    """
    session: Session | None = g.get("db_session")
    if session is None:
        view = current_app.view_functions.get(request.endpoint or "")
        database = state().database
        write = takes_write_lock(view, request.method)
        session = database.new_session(write=write, read_only=not write)
        g.db_session = session
    return session


def read_only(view: F) -> F:
    """Mark a view that changes nothing though its method is not safe (POST /evaluate)."""
    view.simel_read_only = True  # type: ignore[attr-defined]
    return view


def writes(view: F) -> F:
    """Mark a view that writes though its method is safe (the data gateway audits GETs)."""
    view.simel_writes = True  # type: ignore[attr-defined]
    return view


def raw_body(view: F) -> F:
    """Mark a view whose body is a file, never read as a form (a file upload).

    Whatever its Content-Type says: a form's is the view's to refuse (415), rather than
    the form parser's to read, and refuse with 413 at its own much smaller limit.
    """
    view.simel_raw_body = True  # type: ignore[attr-defined]
    return view


def takes_write_lock(view: Callable[..., Any] | None, method: str) -> bool:
    """Whether a request to ``view`` by ``method`` gets a writing session.

    The marks are attributes, so they reach the registered view through any decorator
    that copies its wrapped function's attributes (``functools.wraps``), in any order.
    """
    if _marked(view, "simel_writes"):
        return True
    return method.upper() not in SAFE_METHODS and not _marked(view, "simel_read_only")


def _marked(view: Callable[..., Any] | None, mark: str) -> bool:
    return bool(getattr(view, mark, False))


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        end_session(session)


def _assign_request_id() -> None:
    # Accept a caller's id (a gateway's) only if it looks harmless in logs.
    supplied = request.headers.get("X-Request-Id", "")
    ok = 0 < len(supplied) <= 64 and all(c.isalnum() or c in "-_" for c in supplied)
    g.request_id = supplied if ok else secrets.token_hex(8)


# Longer addresses are refused: links echo the query, and a 100,000-character one
# made a Link header too long for common HTTP clients (Python's: 64 KiB).
MAX_ADDRESS = 8192


def _refuse_unusable_addresses() -> None:
    if len(request.full_path) > MAX_ADDRESS:
        raise BadRequest(f"the address is longer than {MAX_ADDRESS} characters")
    # PostgreSQL cannot compare or store text holding NUL: a name or filter with one
    # would fail there (and not on SQLite). No address or form here needs it.
    sources: list[MultiDict[str, str]] = [request.args]
    view = current_app.view_functions.get(request.endpoint or "")
    if request.mimetype in FORM_MEDIA_TYPES and not _marked(view, "simel_raw_body"):
        sources.append(request.form)
    for values in sources:
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise BadRequest(f"the parameter {key!r} holds the NUL character (U+0000)")
    if "\x00" in request.path:
        raise BadRequest("the address holds the NUL character (%00)")


def register(app: Flask) -> None:
    """Install the per-request hooks."""
    app.before_request(_assign_request_id)
    app.before_request(_refuse_unusable_addresses)
    app.teardown_appcontext(_close_session)

    @app.after_request
    def _headers(response: Any) -> Any:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.status_code == 204 or (request.method == "OPTIONS" and not response.data):
            # Nothing is sent, so no media type (Werkzeug's default would say text/html).
            response.headers.pop("Content-Type", None)
        return response
