"""Per-request state: the database session and the request id."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g, request
from sqlmodel import Session

from catalog.db import Database
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


def db_session() -> Session:
    """The request's session; writing requests take the write lock on SQLite."""
    session: Session | None = g.get("db_session")
    if session is None:
        session = state().database.new_session(write=request.method not in SAFE_METHODS)
        g.db_session = session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()


def _assign_request_id() -> None:
    # Accept a caller's id (a gateway's) only if it looks harmless in logs.
    supplied = request.headers.get("X-Request-Id", "")
    ok = 0 < len(supplied) <= 64 and all(c.isalnum() or c in "-_" for c in supplied)
    g.request_id = supplied if ok else secrets.token_hex(8)


def register(app: Flask) -> None:
    """Install the per-request hooks."""
    app.before_request(_assign_request_id)
    app.teardown_appcontext(_close_session)

    @app.after_request
    def _headers(response: Any) -> Any:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
