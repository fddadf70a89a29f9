"""The application factory."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
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
    if settings.app.trusted_proxies:
        # Links, OAuth's HTTPS check and secure cookies need the client's own scheme and
        # host, which only the proxies know; their headers are believed, and only theirs.
        hops = settings.app.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops
        )
    return app
