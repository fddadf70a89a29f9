"""The OAuth 2 authorization server: Authlib's Flask integration over catalog.oauth.

Endpoints (outside ``/api/v1``, answering RFC 6749 JSON, not problem documents):

- ``POST /oauth/token``: ``client_credentials`` (confidential clients, for themselves),
  ``authorization_code`` with PKCE (S256 only, required for every client) and
  ``refresh_token`` (rotated on every use);
- ``GET/POST /oauth/authorize``: the consent page, for a person signed in to the web
  session;
- ``POST /oauth/introspect`` (RFC 7662) and ``POST /oauth/revoke`` (RFC 7009);
- ``GET /.well-known/oauth-authorization-server`` (RFC 8414).

Authlib defaults that are changed here, and why:

- the client credentials grant takes the requested scope as it comes; here it must be
  registered for the client *and* usable by the client's roles, else ``invalid_scope``;
- ``CodeChallenge`` accepts ``plain`` and PKCE-less requests; here S256 is required;
- the authorization code and refresh grants accept only secret-based client
  authentication by default; public clients (``none``) are allowed too, with PKCE;
- the refresh grant keeps the refresh token; here it is rotated, and a replayed one
  revokes its whole family;
- tokens are opaque, prefixed, and stored as SHA-256 digests only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from authlib.consts import default_json_headers
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import (
    InsecureTransportError,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
)
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint as _RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint as _IntrospectionEndpoint
from flask import Blueprint, Flask, current_app, json, jsonify, request
from werkzeug.wrappers import Response

from api.auth import access
from api.context import db_session, state
from api.web import page, security
from api.web.i18n import translate
from api.web.views import csrf_failure
from catalog import oauth
from catalog.errors import Conflict
from catalog.models import (
    AuthorizationCode,
    GrantType,
    OAuthClient,
    OAuthToken,
    Organization,
    Role,
    User,
)
from catalog.principals import SCOPES, usable_scopes

blueprint = Blueprint("oauth", __name__)

SECRET_AUTH = ["client_secret_basic", "client_secret_post"]
ANY_AUTH = [*SECRET_AUTH, "none"]
CLIENT_AUTH_NOTE = (
    "OAuth client authentication: client_secret_basic or client_secret_post; public "
    "clients send only client_id (authorization_code with PKCE, refresh_token)"
)


def token_policy() -> oauth.TokenPolicy:
    """Audience and refresh lifetime of the tokens this server issues."""
    settings = state().settings
    return oauth.TokenPolicy(
        audience=settings.token_audience,
        refresh_token_lifetime=settings.auth.refresh_token_lifetime,
    )


def server() -> CatalogAuthorizationServer:
    """The running app's authorization server."""
    found: CatalogAuthorizationServer = current_app.extensions["simel_oauth"]
    return found


# ------------------------------------------------------------------------------ grants


class ClientCredentialsGrant(grants.ClientCredentialsGrant):  # type: ignore[misc]
    """A confidential client acting for itself, with its roles in its organization."""

    TOKEN_ENDPOINT_AUTH_METHODS = SECRET_AUTH

    def validate_token_request(self) -> None:
        """Authenticate the client, then settle the scope (registered and usable)."""
        super().validate_token_request()
        scope = oauth.client_credentials_scope(self.request.client, self.request.payload.scope)
        if scope is None:
            raise InvalidScopeError(
                "the client may not have that scope: it must be registered for the "
                "client and usable by the client's roles"
            )
        self.granted_scope = scope

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        """Issue an access token (no refresh token: the client can always ask again)."""
        client: OAuthClient = self.request.client
        token = self.generate_token(
            scope=oauth.format_scope(self.granted_scope), include_refresh_token=False
        )
        oauth.store_client_credentials_token(
            db_session(), client=client, token=token, policy=token_policy()
        )
        return 200, token, self.TOKEN_RESPONSE_HEADER


@dataclass(frozen=True)
class Consent:
    """What a person granted on the consent page: the grant's ``user`` for Authlib."""

    user: User
    organization_id: int
    scope: frozenset[str]


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    """A person's consent, exchanged by the client (with the PKCE verifier) for tokens."""

    TOKEN_ENDPOINT_AUTH_METHODS = ANY_AUTH

    def save_authorization_code(self, code: str, request: Any) -> AuthorizationCode:
        """Store the code's digest with the consent and the PKCE challenge."""
        consent: Consent = request.user
        data = request.payload.data
        return oauth.create_authorization_code(
            db_session(),
            client=request.client,
            user=consent.user,
            organization_id=consent.organization_id,
            code=code,
            redirect_uri=request.payload.redirect_uri,
            scope=consent.scope,
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
            lifetime=state().settings.auth.authorization_code_lifetime,
        )

    def query_authorization_code(self, code: str, client: OAuthClient) -> AuthorizationCode | None:
        """The unused, unexpired code of this client (a replay revokes its tokens)."""
        return oauth.find_authorization_code(db_session(), code=code, client=client)

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Unused: the code is spent in the same transaction as the token is stored."""
        raise NotImplementedError  # pragma: no cover

    def authenticate_user(self, authorization_code: AuthorizationCode) -> User | None:
        """The consenting person, if still active and still a member."""
        return oauth.active_user_of(db_session(), authorization_code)

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        """Issue the tokens and spend the code, atomically."""
        client: OAuthClient = self.request.client
        code: AuthorizationCode = self.request.authorization_code
        session = db_session()
        user = self.authenticate_user(code)
        if user is None:
            raise InvalidGrantError("the user is disabled or no longer a member")
        scope = oauth.user_scope(session, user, code.organization_id, oauth.parse_scope(code.scope))
        if not scope:
            raise InvalidGrantError("the user no longer holds a role for the granted scope")
        token = self.generate_token(
            user=user,
            scope=oauth.format_scope(scope),
            include_refresh_token=client.check_grant_type(GrantType.REFRESH_TOKEN),
        )
        try:
            oauth.exchange_authorization_code(
                session, code=code, client=client, user=user, token=token, policy=token_policy()
            )
        except Conflict as exc:
            raise InvalidGrantError("the authorization code was already used") from exc
        return 200, token, self.TOKEN_RESPONSE_HEADER


class RefreshTokenGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    """Rotating refresh tokens: each use returns a new one and retires the old."""

    TOKEN_ENDPOINT_AUTH_METHODS = ANY_AUTH
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> OAuthToken | None:
        """The usable refresh token of the authenticated client (a replay revokes all)."""
        return oauth.find_refresh_token(
            db_session(), refresh_token=refresh_token, client=self.request.client
        )

    def authenticate_user(self, refresh_token: OAuthToken) -> User | None:
        """The token's person, if still active and still a member."""
        return oauth.active_user_of(db_session(), refresh_token)

    def revoke_old_credential(self, refresh_token: OAuthToken) -> None:
        """Unused: rotation happens in the same transaction as the new token is stored."""
        raise NotImplementedError  # pragma: no cover

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        """Issue new tokens (scope re-checked against the person's current roles)."""
        old: OAuthToken = self.request.refresh_token
        client: OAuthClient = self.request.client
        session = db_session()
        user = self.authenticate_user(old)
        if user is None:
            raise InvalidGrantError("the user is disabled or no longer a member")
        requested = oauth.parse_scope(self.request.payload.scope) or old.scope_set
        scope = oauth.user_scope(session, user, old.organization_id, requested)
        if not scope:
            raise InvalidScopeError("the user no longer holds a role for that scope")
        token = self.generate_token(
            user=user, scope=oauth.format_scope(scope), include_refresh_token=True
        )
        try:
            oauth.rotate_refresh_token(
                session, old=old, client=client, user=user, token=token, policy=token_policy()
            )
        except Conflict as exc:
            raise InvalidGrantError("the refresh token was already used") from exc
        return 200, token, self.TOKEN_RESPONSE_HEADER


class S256CodeChallenge(CodeChallenge):  # type: ignore[misc]
    """PKCE (RFC 7636) required on every authorization request, with S256 only."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        """Refuse requests without a challenge or with another method than S256."""
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge (S256)")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256")
        super().validate_code_challenge(grant, redirect_uri)


# --------------------------------------------------------- introspection and revocation


def _token_param_present(request: Any) -> None:
    """Require ``token``; any ``token_type_hint`` is only a hint (RFC 7662 2.1, RFC 7009 2.1).

    Both RFCs let a server ignore the hint and have it search every kind of token when
    the hint does not find it, which :func:`catalog.oauth.find_token` does. Authlib
    refused hints it did not list (``id_token``...) with a 401, as if the client had
    failed to authenticate.
    """
    if "token" not in request.form:
        raise InvalidRequestError("send the token in the 'token' form field")


class IntrospectionEndpoint(_IntrospectionEndpoint):  # type: ignore[misc]
    """RFC 7662 for confidential clients: their own tokens, or any for resource servers."""

    CLIENT_AUTH_METHODS = SECRET_AUTH

    def check_params(self, request: Any, client: OAuthClient) -> None:
        """Only ``token`` is required (see :func:`_token_param_present`)."""
        _token_param_present(request)

    def create_endpoint_response(self, request: Any) -> tuple[int, dict[str, Any], Any]:
        """Authenticate the client and describe the token (or say it is inactive)."""
        client = self.authenticate_endpoint_client(request)
        self.check_params(request, client)
        body = oauth.introspect(
            db_session(),
            token=request.form["token"],
            hint=request.form.get("token_type_hint"),
            client=client,
            issuer=state().settings.issuer,
        )
        return 200, body, default_json_headers


@dataclass(frozen=True)
class _FoundToken:
    row: OAuthToken
    kind: oauth.TokenKind

    def check_client(self, client: OAuthClient) -> bool:
        return self.row.check_client(client)


class RevocationEndpoint(_RevocationEndpoint):  # type: ignore[misc]
    """RFC 7009: a client revokes its own tokens; a refresh token takes its family along."""

    CLIENT_AUTH_METHODS = ANY_AUTH

    def check_params(self, request: Any, client: OAuthClient) -> None:
        """Only ``token`` is required (see :func:`_token_param_present`)."""
        _token_param_present(request)

    def query_token(self, token_string: str, token_type_hint: str | None) -> _FoundToken | None:
        """Find the token by digest, whichever kind it is."""
        found = oauth.find_token(db_session(), token_string, token_type_hint)
        return _FoundToken(*found) if found else None

    def revoke_token(self, token: _FoundToken, request: Any) -> None:
        """Revoke it; the next request with it gets 401."""
        oauth.revoke_token(db_session(), token=token.row, kind=token.kind, client=request.client)


# ------------------------------------------------------------------------------ server


class CatalogAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    """Authlib's Flask authorization server with the catalog's grants and endpoints."""

    def __init__(self, access_token_lifetime: int) -> None:
        super().__init__()
        self.scopes_supported = list(SCOPES)
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=lambda **_: oauth.new_access_token(),
                refresh_token_generator=lambda **_: oauth.new_refresh_token(),
                expires_generator=lambda client, grant_type: access_token_lifetime,
            ),
        )
        self.register_grant(ClientCredentialsGrant)
        self.register_grant(AuthorizationCodeGrant, [S256CodeChallenge(required=True)])
        self.register_grant(RefreshTokenGrant)
        self.register_endpoint(IntrospectionEndpoint)
        self.register_endpoint(RevocationEndpoint)

    def query_client(self, client_id: str) -> OAuthClient | None:
        """An active (not revoked) client."""
        return oauth.find_active_client(db_session(), client_id)

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        """Unused: each grant stores its tokens together with its other changes."""
        raise NotImplementedError  # pragma: no cover

    def handle_response(self, status_code: int, payload: Any, headers: Any) -> Response:
        """Authlib's response, with a final newline as Flask's own JSON has (for curl)."""
        if isinstance(payload, dict):
            payload = json.dumps(payload) + "\n"
        response: Response = super().handle_response(status_code, payload, headers)
        return response


def init_app(app: Flask) -> None:
    """Create the app's authorization server and register the OAuth endpoints."""
    settings = app.extensions["simel"].settings
    app.extensions["simel_oauth"] = CatalogAuthorizationServer(settings.auth.access_token_lifetime)
    app.register_blueprint(blueprint)


def _guarded(call: Any) -> Response:
    # Authlib refuses plain-HTTP requests except to loopback hosts (RFC 6749 section 1.6);
    # that refusal is raised before its own error handling, so it is answered here.
    try:
        response: Response = call()
    except InsecureTransportError as error:
        response = server().handle_error_response(None, error)
    except UnicodeDecodeError:
        # Basic credentials that are not UTF-8 once decoded: Authlib lets that through.
        failed = InvalidClientError(
            description="the client credentials are not UTF-8 text", status_code=401
        )
        response = server().handle_error_response(None, failed)
    return response


# ---------------------------------------------------------------------------- endpoints


@blueprint.post("/oauth/token")
@access(public=True, bearer=False, note=CLIENT_AUTH_NOTE)
def token() -> Response:
    """The token endpoint (RFC 6749 section 3.2)."""
    return _guarded(lambda: server().create_token_response())


@blueprint.post("/oauth/introspect")
@access(
    public=True,
    bearer=False,
    note="confidential client authentication; a client may introspect its own tokens, "
    "resource-server clients (can_introspect) any token",
)
def introspect() -> Response:
    """Token introspection (RFC 7662)."""
    return _guarded(lambda: server().create_endpoint_response("introspection"))


@blueprint.post("/oauth/revoke")
@access(public=True, bearer=False, note=CLIENT_AUTH_NOTE + "; a client revokes only its own tokens")
def revoke() -> Response:
    """Token revocation (RFC 7009)."""
    return _guarded(lambda: server().create_endpoint_response("revocation"))


@blueprint.get("/.well-known/oauth-authorization-server")
@access(public=True, bearer=False)
def metadata() -> Response:
    """Authorization server metadata (RFC 8414)."""
    settings = state().settings
    issuer = settings.issuer
    body = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "introspection_endpoint": f"{issuer}/oauth/introspect",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": [g.value for g in GrantType],
        "token_endpoint_auth_methods_supported": ANY_AUTH,
        "revocation_endpoint_auth_methods_supported": ANY_AUTH,
        "introspection_endpoint_auth_methods_supported": SECRET_AUTH,
        "code_challenge_methods_supported": ["S256"],
        "service_documentation": f"{issuer}/api/v1/docs",
        "ui_locales_supported": list(settings.i18n.languages),
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# ----------------------------------------------------------------------------- consent


@dataclass(frozen=True)
class _Choice:
    organization: Organization
    role_labels: list[str]
    granted: list[str]
    refused: list[str]


def _choices(user: User, requested: frozenset[str]) -> list[_Choice]:
    choices = []
    for organization, roles in oauth.memberships_of(db_session(), user):
        usable = requested & usable_scopes(roles)
        choices.append(
            _Choice(
                organization=organization,
                role_labels=[translate(f"role.{r.value}") for r in Role if r in roles],
                granted=[s for s in SCOPES if s in usable],
                refused=[s for s in SCOPES if s in requested - usable],
            )
        )
    return choices


# The authorization request's parameters, and what RFC 6749 (appendix A) lets them hold:
# printable ASCII, and for the ones authlib may quote in an error description (which
# must hold neither), no quote or backslash either. Such a request gets the error page,
# not a redirect, even from a known client: its parameters cannot be echoed back.
_AUTHORIZATION_PARAMETERS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "code_challenge",
    "code_challenge_method",
    "state",
)
_PRINTABLE_ASCII = frozenset(map(chr, range(0x20, 0x7F)))
_QUOTABLE = _PRINTABLE_ASCII - {'"', "\\"}
_UNQUOTED = frozenset({"client_id", "state"})


def _unsendable_parameter() -> str | None:
    """The first authorization parameter holding characters RFC 6749 does not allow."""
    for name in _AUTHORIZATION_PARAMETERS:
        allowed = _PRINTABLE_ASCII if name in _UNQUOTED else _QUOTABLE
        if any(not set(value) <= allowed for value in request.values.getlist(name)):
            return name
    return None


def _authorization_error(error: OAuth2Error) -> Response:
    if error.redirect_uri:
        # The client and its redirect URI are known: tell the client (RFC 6749 4.1.2.1).
        response: Response = server().handle_error_response(None, error)
        return response
    # Otherwise never redirect (it could be anywhere): tell the person.
    return page(
        "web/message.html",
        status=400,
        title=translate("oauth.error.title"),
        message=translate(
            "oauth.error.message", detail=error.get_error_description() or error.error
        ),
    )


@blueprint.route("/oauth/authorize", methods=["GET", "POST"])
@access(
    public=True,
    bearer=False,
    note="a person signed in to the web session (else redirected to /login); "
    "the consent form needs the session's CSRF token",
)
def authorize() -> Response:
    """The authorization endpoint: sign in, choose the organization, consent."""
    user = security.current_user()
    if user is None:
        return security.login_redirect()
    if request.method == "POST" and not security.csrf_valid():
        return csrf_failure()
    unsendable = _unsendable_parameter()
    if unsendable:
        return _authorization_error(
            InvalidRequestError(
                f"the {unsendable} parameter holds characters that OAuth 2.0 does not allow"
            )
        )
    authorization_server = server()
    try:
        grant = authorization_server.get_consent_grant(end_user=user)
    except OAuth2Error as error:
        return _authorization_error(error)
    client: OAuthClient = grant.client
    requested = oauth.parse_scope(grant.request.scope)
    choices = _choices(user, requested)
    usable = [choice for choice in choices if choice.granted]
    if request.method == "POST":
        # With a single possible organization the choice is implied.
        wanted = request.form.get("organization") or (
            usable[0].organization.name if len(usable) == 1 else None
        )
        chosen = next((c for c in usable if c.organization.name == wanted), None)
        if request.form.get("decision") != "allow" or chosen is None:
            response: Response = authorization_server.create_authorization_response(
                grant_user=None, grant=grant
            )
            return response
        assert chosen.organization.id is not None  # noqa: S101 # persisted rows have ids
        consent = Consent(user, chosen.organization.id, frozenset(chosen.granted))
        response = authorization_server.create_authorization_response(
            grant_user=consent, grant=grant
        )
        return response
    if not usable:
        return page(
            "web/message.html",
            status=403,
            title=translate("consent.title"),
            message=translate("consent.no_role"),
        )
    owner = db_session().get(Organization, client.organization_id)
    return page(
        "web/consent.html",
        client=client,
        client_organization=owner,
        user=user,
        choices=usable,
        selected=usable[0].organization.name,
        action=request.full_path,
    )
