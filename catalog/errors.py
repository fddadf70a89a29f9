"""The one error hierarchy of the domain.

Every service raises only subclasses of :class:`CatalogError`. The HTTP layer maps them,
once, to RFC 9457 problem documents (``api/problems.py``); the CLI prints their ``detail``.
A status is a plain ``int`` so that the domain never imports an HTTP framework.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    """One failing field of a submitted document.

    Attributes:
        pointer: JSON Pointer (RFC 6901) of the failing member, ``""`` for the root.
        detail: What is wrong, in words a data steward understands.
        extra: Machine-readable context (e.g. the vocabulary and suggestions).
    """

    pointer: str
    detail: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the problem+json ``errors`` member for this field."""
        return {"pointer": self.pointer, "detail": self.detail, **self.extra}


class CatalogError(Exception):
    """Base of every error the domain reports to a caller.

    Subclasses declare ``slug`` (the last segment of the problem type URI), ``title``
    (a short, stable summary) and ``status`` (the HTTP status that fits).
    """

    slug: ClassVar[str] = "catalog-error"
    title: ClassVar[str] = "Catalog error"
    status: ClassVar[int] = 400

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions: dict[str, Any] = dict(extensions)


class BadRequest(CatalogError):
    """The request is malformed (unparseable body, wrong parameter type)."""

    slug = "bad-request"
    title = "Bad request"
    status = 400


class Unauthenticated(CatalogError):
    """No credentials, or credentials that are wrong, expired or revoked."""

    slug = "unauthenticated"
    title = "Authentication required"
    status = 401


class Forbidden(CatalogError):
    """The caller is known but lacks the role, scope or agreement the action needs."""

    slug = "forbidden"
    title = "Forbidden"
    status = 403


class PolicyDenied(Forbidden):
    """The policy engine denied the request; ``decision`` carries its explanation."""

    slug = "policy-denied"
    title = "Denied by policy"


class NotFound(CatalogError):
    """The object does not exist, or the caller may not know that it exists."""

    slug = "not-found"
    title = "Not found"
    status = 404


class NotAcceptable(CatalogError):
    """None of the representations the client accepts (``Accept``) can be produced."""

    slug = "not-acceptable"
    title = "Not acceptable"
    status = 406


class Conflict(CatalogError):
    """The request conflicts with the current state (duplicate name, illegal transition)."""

    slug = "conflict"
    title = "Conflict"
    status = 409


class GovernanceIncomplete(Conflict):
    """A change needs governance records the dataset lacks (a valid legal basis, a policy).

    ``missing`` (an extension) lists each requirement as ``{"requirement", "detail"}``.
    """

    slug = "governance-incomplete"
    title = "Governance records missing"


class PreconditionFailed(CatalogError):
    """An ``If-Match`` precondition names a revision that is no longer current."""

    slug = "precondition-failed"
    title = "Precondition failed"
    status = 412


class PayloadTooLarge(CatalogError):
    """The request body or a harvested source is over the configured size limit."""

    slug = "payload-too-large"
    title = "Payload too large"
    status = 413


class UnsupportedMediaType(CatalogError):
    """The body is not in a media type the endpoint accepts."""

    slug = "unsupported-media-type"
    title = "Unsupported media type"
    status = 415


class InvalidMetadata(CatalogError):
    """A document does not satisfy its schema, vocabularies or business rules."""

    slug = "invalid-metadata"
    title = "Invalid metadata"
    status = 422

    def __init__(self, detail: str, errors: Sequence[FieldError], **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.errors: tuple[FieldError, ...] = tuple(errors)


class PreconditionRequired(CatalogError):
    """An update arrived without ``If-Match``, so a lost update cannot be ruled out."""

    slug = "precondition-required"
    title = "Precondition required"
    status = 428


class RetryLater(CatalogError):
    """An error the caller may retry after ``retry_after`` seconds (``Retry-After``)."""

    def __init__(self, detail: str, retry_after: int, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.retry_after = retry_after


class TooManyRequests(RetryLater):
    """Throttled, for example after repeated failed logins."""

    slug = "too-many-requests"
    title = "Too many requests"
    status = 429


class CatalogBusy(RetryLater):
    """Another write held the catalog for longer than a writer waits; try again shortly."""

    slug = "busy"
    title = "Catalog busy"
    status = 503


class SourceUnavailable(CatalogError):
    """A source the catalog fetches from (a harvested catalog) failed or did not answer."""

    slug = "source-unavailable"
    title = "Source unavailable"
    status = 502


class ConfigurationError(CatalogError):
    """The configuration or the database schema does not allow the service to run."""

    slug = "configuration-error"
    title = "Configuration error"
    status = 500
