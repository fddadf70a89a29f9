"""Who is calling: the principal every service receives.

A principal is built by the HTTP layer from a credential (a personal API token, or an
OAuth 2 access token: see catalog/oauth.py) and carries the caller's roles per
organization and, for scoped credentials, the granted scopes. Its effective rights are
the intersection of the two. Services ask it questions; they never look at credentials
themselves.

An OAuth token's principal is bound to one organization (``organization_id``) and holds
roles there only: a person's roles in the organization chosen at consent, or, for a
client acting for itself (``kind="client"``), the roles an administrator gave the client
when registering it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from catalog.errors import Forbidden, Unauthenticated
from catalog.models import Role

PrincipalKind = Literal["anonymous", "user", "client", "system"]

SCOPES: tuple[str, ...] = (
    "catalog:read",
    "catalog:write",
    "governance:write",
    "requests:write",
    "agreements:sign",
    "audit:read",
    "data:read",
    "admin",
)

# What each role can make use of. A credential's effective rights are the intersection
# of its scopes and its subject's roles (in the credential's organization): the methods
# of Principal below check both, on every request. The authorization server also uses
# this table to issue no scope that the subject's roles could never use.
ROLE_SCOPES: Mapping[Role, frozenset[str]] = MappingProxyType(
    {
        Role.STEWARD: frozenset({"catalog:read", "catalog:write", "governance:write"}),
        Role.REQUESTER: frozenset({"catalog:read", "requests:write", "data:read"}),
        Role.SIGNATORY: frozenset({"catalog:read", "agreements:sign"}),
        # Auditors read everything and write nothing, whatever scope a token carries.
        Role.AUDITOR: frozenset({"catalog:read", "audit:read"}),
        Role.ADMIN: frozenset(SCOPES),
    }
)


def usable_scopes(roles: Iterable[Role]) -> frozenset[str]:
    """The scopes that holders of ``roles`` can make use of."""
    usable: frozenset[str] = frozenset()
    for role in roles:
        usable |= ROLE_SCOPES[role]
    return usable


@dataclass(frozen=True)
class Principal:
    """An authenticated (or anonymous) caller.

    Attributes:
        kind: ``anonymous``, ``user`` (a person), ``client`` (a machine client) or ``system``.
        name: Username or client id, as written to the audit log.
        user_id: The user's id, when a person stands behind the call.
        roles: Roles per organization id.
        scopes: Granted scopes; ``None`` means not scope-limited (personal API tokens).
        organization_id: The organization a credential is bound to, if any.
        credential_id: Identifies the token used, for audit and revocation.
        is_system: An internal actor (CLI, demo loader), not a remote caller.
    """

    kind: PrincipalKind
    name: str
    user_id: int | None = None
    roles: Mapping[int, frozenset[Role]] = field(default_factory=lambda: MappingProxyType({}))
    scopes: frozenset[str] | None = frozenset()
    organization_id: int | None = None
    credential_id: str | None = None
    is_system: bool = False

    @classmethod
    def anonymous(cls) -> Principal:
        """The caller without credentials."""
        return cls(kind="anonymous", name="anonymous", scopes=frozenset())

    @classmethod
    def system(cls, name: str = "system") -> Principal:
        """An internal actor (CLI, demo loader) with every right."""
        return cls(kind="system", name=name, scopes=None, is_system=True)

    @property
    def is_authenticated(self) -> bool:
        """Whether any credential was presented and accepted."""
        return self.kind != "anonymous"

    def has_scope(self, scope: str) -> bool:
        """Whether the credential grants ``scope`` (unscoped credentials grant all)."""
        return self.scopes is None or scope in self.scopes

    def has_role(self, role: Role, organization_id: int | None = None) -> bool:
        """Whether the caller holds ``role`` (in ``organization_id``, if given)."""
        if self.is_system:
            return True
        if organization_id is not None:
            return role in self.roles.get(organization_id, frozenset())
        return any(role in held for held in self.roles.values())

    def has_any_role(self, roles: Iterable[Role], organization_id: int | None = None) -> bool:
        """Whether the caller holds at least one of ``roles``."""
        return any(self.has_role(role, organization_id) for role in roles)

    @property
    def is_admin(self) -> bool:
        """Platform administrators: the admin role anywhere, and the admin scope."""
        return self.is_system or (self.has_role(Role.ADMIN) and self.has_scope("admin"))

    @property
    def is_auditor(self) -> bool:
        """Auditors read everything, including governance records and the audit log."""
        return self.is_admin or (self.has_role(Role.AUDITOR) and self.has_scope("audit:read"))

    @property
    def organization_ids(self) -> frozenset[int]:
        """Organizations in which the caller holds any role."""
        return frozenset(org for org, held in self.roles.items() if held)

    @property
    def readable_organization_ids(self) -> frozenset[int]:
        """Organizations whose unpublished records (drafts) the caller may read.

        Its own organizations, if the credential grants ``catalog:read`` (or
        ``catalog:write``: who may edit a draft may see it).
        """
        if self.has_scope("catalog:read") or self.has_scope("catalog:write"):
            return self.organization_ids
        return frozenset()

    def can_steward(self, organization_id: int) -> bool:
        """Whether the caller may write metadata on behalf of ``organization_id``."""
        if self.is_admin:
            return True
        return self.has_scope("catalog:write") and self.has_role(Role.STEWARD, organization_id)

    def require_authenticated(self) -> None:
        """Raise unless some credential was accepted.

        Raises:
            Unauthenticated: the caller is anonymous.
        """
        if not self.is_authenticated:
            raise Unauthenticated("this action needs an API token or an OAuth access token")

    def require_steward(self, organization_id: int, organization_name: str) -> None:
        """Raise unless the caller may write metadata for the organization.

        Raises:
            Unauthenticated: the caller is anonymous.
            Forbidden: the caller is not a steward of the organization nor an admin.
        """
        self.require_authenticated()
        if not self.can_steward(organization_id):
            raise Forbidden(f"only stewards of {organization_name} (or administrators) may do this")

    def require_admin(self) -> None:
        """Raise unless the caller is a platform administrator.

        Raises:
            Unauthenticated: the caller is anonymous.
            Forbidden: the caller is not an administrator.
        """
        self.require_authenticated()
        if not self.is_admin:
            raise Forbidden("only administrators may do this")

    def require_auditor(self) -> None:
        """Raise unless the caller may read audit and governance records of everyone.

        Raises:
            Unauthenticated: the caller is anonymous.
            Forbidden: the caller is neither auditor nor administrator.
        """
        self.require_authenticated()
        if not self.is_auditor:
            raise Forbidden("only auditors and administrators may read this")
