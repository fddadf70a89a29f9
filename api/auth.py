"""Who may call what: credentials to principals, and each route's declared access rule.

Every view is decorated with :func:`access`, which records its rule (public, or the
scopes and roles it needs) and enforces the coarse part of it before the view runs:
an anonymous caller gets 401, a caller without the scope or role gets 403. The fine
part (a steward of *this* publisher) is the domain services' job. The rules of all
routes together form the authorization table (:func:`authorization_table`), which the
tests check for completeness.

Bearer tokens become principals through resolvers: personal API tokens
(``simel_pat_``) and OAuth 2 access tokens (``simel_at_``). The OAuth resolver goes
through Authlib's ``BearerTokenValidator`` (expiry, revocation, and the audience, which
Authlib's opaque-token validator does not check by itself) and a ``ResourceProtector``
whose errors become problem documents that keep Authlib's ``WWW-Authenticate`` header.
Scopes are not checked by Authlib here but by :func:`enforce`, against the principal,
so that a valid token with too little scope gets 403 ``insufficient_scope``, never 401.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, NoReturn, TypeVar

from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6750 import BearerTokenValidator, InvalidTokenError
from flask import Flask, g, request

from api.context import db_session, state
from catalog import accounts, oauth
from catalog.errors import Forbidden, Unauthenticated
from catalog.models import OAuthToken, Role
from catalog.principals import Principal

REALM = "simel"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class AccessRule:
    """Who may call a route.

    Attributes:
        public: Anyone, with or without credentials (what they see may still differ).
        scopes: Scopes the credential must grant (all of them).
        roles: Roles of which the caller must hold at least one, in some organization.
        note: What the services check beyond this (shown in the docs).
        bearer: Whether the route reads bearer tokens. Public routes that authenticate
            callers otherwise (OAuth client authentication, the login session) say
            ``False``, and an ``Authorization`` header is then theirs to interpret.
    """

    public: bool = False
    scopes: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    note: str = ""
    bearer: bool = True

    def describe(self) -> str:
        """One line for documentation."""
        if self.public:
            return "public" + (f" ({self.note})" if self.note else "")
        parts = ["authenticated"]
        if self.scopes:
            parts.append("scopes " + " ".join(self.scopes))
        if self.roles:
            parts.append("role " + " or ".join(role.value for role in self.roles))
        text = ", ".join(parts)
        return text + (f"; {self.note}" if self.note else "")


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "use 'Authorization: Bearer <token>'",
            www_authenticate=f'Bearer realm="{REALM}", error="invalid_request"',
        )
    return token.strip()


# Resolvers turn a bearer token into a principal, or return None if the token is not
# theirs. The OAuth server adds its own at start-up.
TokenResolver = Callable[[str], Principal | None]


def _api_token_resolver(token: str) -> Principal | None:
    if not token.startswith(accounts.TOKEN_PREFIX):
        return None
    return accounts.authenticate_api_token(db_session(), token)


class OpaqueTokenValidator(BearerTokenValidator):  # type: ignore[misc]
    """Authlib validator for the catalog's opaque access tokens, found by their digest."""

    def authenticate_token(self, token_string: str) -> OAuthToken | None:
        """The token's row, whatever its state (the checks come next)."""
        return oauth.find_access_token(db_session(), token_string)

    def validate_token(self, token: OAuthToken | None, scopes: Any, request: Any) -> None:
        """Unknown, expired or revoked tokens, and tokens for another audience, are invalid."""
        super().validate_token(token, scopes, request)
        assert token is not None  # noqa: S101 # the base class rejects None
        if token.audience != state().settings.token_audience:
            raise InvalidTokenError(
                description="the token was issued for another audience",
                realm=self.realm,
            )


class CatalogResourceProtector(ResourceProtector):  # type: ignore[misc]
    """Authlib's protector, answering with problem documents instead of Authlib's JSON."""

    def raise_error_response(self, error: OAuth2Error) -> NoReturn:
        """Raise the domain error for ``error``, keeping its ``WWW-Authenticate`` header."""
        challenge = dict(error.get_headers()).get("WWW-Authenticate")
        detail = error.get_error_description() or error.error
        if error.status_code == 403:
            raise Forbidden(detail, www_authenticate=challenge)
        raise Unauthenticated(detail, www_authenticate=challenge)

    def principal_for(self, token_string: str) -> Principal:
        """Validate an access token and return the principal it stands for.

        Raises:
            Unauthenticated: the token is unknown, expired, revoked, for another
                audience, or its client or user is no longer valid.
        """
        validator: OpaqueTokenValidator = self.get_token_validator("bearer")
        try:
            token = validator.authenticate_token(token_string)
            validator.validate_token(token, None, request)
        except OAuth2Error as error:
            self.raise_error_response(error)
        assert token is not None  # noqa: S101 # validate_token rejects None
        return oauth.principal_for_token(db_session(), token)


protector = CatalogResourceProtector()
protector.register_token_validator(OpaqueTokenValidator(realm=REALM))


def _oauth_token_resolver(token: str) -> Principal | None:
    if not token.startswith(oauth.ACCESS_TOKEN_PREFIX):
        return None
    return protector.principal_for(token)


def current_principal() -> Principal:
    """The caller of this request (resolved once per request).

    Raises:
        Unauthenticated: a credential was presented but is not valid.
    """
    cached: Principal | None = g.get("principal")
    if cached is not None:
        return cached
    token = _bearer_token()
    principal = Principal.anonymous()
    if token is not None:
        from flask import current_app

        resolvers: Iterable[TokenResolver] = current_app.extensions["simel"].token_resolvers
        for resolver in resolvers:
            found = resolver(token)
            if found is not None:
                principal = found
                break
        else:
            raise Unauthenticated("the token is unknown, expired or revoked")
    g.principal = principal
    return principal


def access(
    *,
    public: bool = False,
    scopes: Iterable[str] = (),
    roles: Iterable[Role] = (),
    note: str = "",
    bearer: bool = True,
) -> Callable[[F], F]:
    """Declare and enforce who may call a view."""
    rule = AccessRule(
        public=public, scopes=tuple(scopes), roles=tuple(roles), note=note, bearer=bearer
    )
    if public and (rule.scopes or rule.roles):
        raise ValueError("a public route cannot also demand scopes or roles")
    if not (public or bearer):
        raise ValueError("a route that reads no bearer token must be public")

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if rule.bearer:
                principal = current_principal()
                if not rule.public:
                    enforce(rule, principal)
            return view(*args, **kwargs)

        guarded.access_rule = rule  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def enforce(rule: AccessRule, principal: Principal) -> None:
    """Apply the coarse part of ``rule`` to ``principal``.

    Raises:
        Unauthenticated: anonymous caller on a non-public route.
        Forbidden: a scope or role is missing.
    """
    if not principal.is_authenticated:
        raise Unauthenticated(
            "this endpoint needs a bearer token",
            www_authenticate=f'Bearer realm="{REALM}"',
        )
    missing = [scope for scope in rule.scopes if not principal.has_scope(scope)]
    if missing:
        raise Forbidden(
            f"the token lacks the scope {' '.join(missing)}",
            www_authenticate=(
                f'Bearer realm="{REALM}", error="insufficient_scope", scope="{" ".join(missing)}"'
            ),
            required_scopes=missing,
        )
    if rule.roles and not (principal.is_admin or principal.has_any_role(rule.roles)):
        wanted = " or ".join(role.value for role in rule.roles)
        raise Forbidden(f"this needs the role {wanted} in some organization")


def rule_of(view: Callable[..., Any]) -> AccessRule | None:
    """The access rule declared on ``view``, if any."""
    return getattr(view, "access_rule", None)


def authorization_table(app: Flask) -> list[dict[str, Any]]:
    """Every route with its methods and declared rule (``None`` when undeclared)."""
    rows = []
    for url_rule in app.url_map.iter_rules():
        view = app.view_functions[url_rule.endpoint]
        rule = rule_of(view)
        rows.append(
            {
                "path": url_rule.rule,
                "endpoint": url_rule.endpoint,
                "methods": sorted((url_rule.methods or set()) - {"HEAD", "OPTIONS"}),
                "rule": rule,
            }
        )
    return sorted(rows, key=lambda row: (row["path"], row["endpoint"]))
