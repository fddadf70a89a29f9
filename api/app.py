"""The application factory."""

from __future__ import annotations

import datetime as dt
import gc
import logging
import re
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from api import auth, context, oauth, problems
from api.json_provider import OrjsonProvider
from catalog.db import Database, check_schema_current
from catalog.settings import Settings, instance_secret, load_settings


def create_app(
    overrides: Mapping[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    check_schema: bool = True,
) -> Flask:
    """Build the SIMEL Catalog WSGI application.

    Configuration comes from ``config.toml``, then ``SIMEL_*`` environment variables,
    then ``overrides`` (see :mod:`catalog.settings`).

    Raises:
        ConfigurationError: invalid configuration, or a database schema that is not at
            the code's migration (the message names ``simel db upgrade``).
    """
    settings = settings or load_settings(overrides)
    logging.basicConfig(level=settings.app.log_level)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.json = OrjsonProvider(app)
    app.config.update(
        SECRET_KEY=instance_secret(settings),
        MAX_CONTENT_LENGTH=settings.api.max_request_bytes,
        SESSION_COOKIE_NAME="simel_session",
        SESSION_COOKIE_SECURE=settings.security.session_cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(seconds=settings.auth.session_lifetime),
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    database = Database.from_settings(settings)
    if check_schema:
        check_schema_current(database.engine)
    state = context.AppState(settings=settings, database=database)
    state.token_resolvers.append(auth._api_token_resolver)
    state.token_resolvers.append(auth._oauth_token_resolver)
    app.extensions["simel"] = state

    context.register(app)
    problems.register(app)

    from api.rdf import blueprint as rdf
    from api.v1 import blueprint as api_v1
    from api.web import blueprint as web

    app.register_blueprint(api_v1)
    app.register_blueprint(web)
    oauth.init_app(app)
    app.register_blueprint(rdf)
    if settings.api.cors_origins:
        _allow_cross_origin(app, settings.api.cors_origins)
    if settings.app.trusted_proxies:
        # Links, OAuth's HTTPS check and secure cookies need the client's own scheme and
        # host, which only the proxies know; their headers are believed, and only theirs.
        hops = settings.app.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops
        )
    return app


def freeze_long_lived_objects() -> None:
    """Keep what start-up loaded out of the garbage collector's full collections.

    Schemas, vocabularies and the app (~200,000 objects) live as long as the process. A
    full collection walks every object it tracks: unfrozen, that was a pause of about
    100 ms on whichever request triggered one; frozen, under 1 ms. ``simel serve`` calls
    this once the app is built, and so does the search benchmark, which measures the
    app as served.
    """
    gc.collect()
    gc.freeze()


# What a browser app on another origin may call: the JSON API, the RDF export, the OAuth
# server's metadata and its token and revocation endpoints (public clients with PKCE).
# Never the web pages, the login form or the authorization endpoint, which browsers
# reach by navigation and which rely on the session cookie.
_CROSS_ORIGIN_PATHS = (
    r"/api/v1/.*",
    r"/catalog(\.[a-z]+)?$",
    r"/dataset/[^/]+$",
    r"/\.well-known/oauth-authorization-server$",
    r"/oauth/(token|revoke)$",
)
# Request headers the API reads, and response headers a script needs to see.
_CROSS_ORIGIN_REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Range",
    "X-Request-Id",
)
_CROSS_ORIGIN_EXPOSED_HEADERS = (
    "ETag",
    "Link",
    "Location",
    "Retry-After",
    "WWW-Authenticate",
    "Content-Disposition",
    "Content-Range",
    "X-Request-Id",
    "X-Simel-Agreement",
)


def _allow_cross_origin(app: Flask, origins: tuple[str, ...]) -> None:
    """Answer CORS preflights and requests from ``origins`` (``("*",)``: any).

    Credentials are never allowed: cross-origin callers authenticate with bearer
    tokens, which a browser never attaches on its own, so the session cookie of the
    web pages can never ride along.
    """
    CORS(
        app,
        resources={path: {} for path in _CROSS_ORIGIN_PATHS},
        origins=list(origins),
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=list(_CROSS_ORIGIN_REQUEST_HEADERS),
        expose_headers=list(_CROSS_ORIGIN_EXPOSED_HEADERS),
        supports_credentials=False,
        send_wildcard=origins == ("*",),
        always_send=False,
        max_age=3600,
    )
    if origins != ("*",):

        @app.after_request
        def _vary_on_origin(response: Response) -> Response:
            # The answer depends on the caller's Origin (listed or not), also when one
            # origin is listed, which flask-cors leaves out: shared caches must know.
            if any(re.match(path, request.path) for path in _CROSS_ORIGIN_PATHS):
                response.vary.add("Origin")
            return response
