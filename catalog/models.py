"""SQLModel tables of the catalog (architecture section 3).

Multilingual texts are JSON objects keyed by language (``{"es": ..., "en": ...}``). Codes
(roles, statuses, access rights) are plain strings checked by the services against the
enumerations below, so that adding a code never needs a database type migration.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from catalog.db import JSONDocument, UTCDateTime, utcnow


def _json_column(*, nullable: bool = False) -> Any:
    return Column(JSONDocument, nullable=nullable)


def _time_column(*, nullable: bool = False, index: bool = False) -> Any:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class OrganizationKind(StrEnum):
    """What kind of institution an organization is."""

    LABOUR_MINISTRY = "labour-ministry"
    MIGRATION_AUTHORITY = "migration-authority"
    STATISTICS_OFFICE = "statistics-office"
    FOREIGN_AFFAIRS = "foreign-affairs"
    REGIONAL_BODY = "regional-body"
    OTHER = "other"


class Role(StrEnum):
    """Roles a user holds within an organization."""

    STEWARD = "steward"
    REQUESTER = "requester"
    SIGNATORY = "signatory"
    AUDITOR = "auditor"
    ADMIN = "admin"


class DatasetStatus(StrEnum):
    """Life cycle of a dataset's metadata record."""

    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> dict[str, str]:
        """The status in words, in Spanish and English (as the other facets are)."""
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    DatasetStatus.DRAFT: {"es": "Borrador", "en": "Draft"},
    DatasetStatus.PUBLISHED: {"es": "Publicado", "en": "Published"},
    DatasetStatus.WITHDRAWN: {"es": "Retirado", "en": "Withdrawn"},
}


class AccessRights(StrEnum):
    """The EU access-right authority table codes the catalog uses."""

    PUBLIC = "PUBLIC"
    RESTRICTED = "RESTRICTED"
    NON_PUBLIC = "NON_PUBLIC"


class PersonalData(StrEnum):
    """Personal-data classification of a dataset."""

    NONE = "none"
    PSEUDONYMISED = "pseudonymised"
    PERSONAL = "personal"
    SENSITIVE = "sensitive"


class Organization(SQLModel, table=True):
    """A ministry, migration authority, statistics office or regional body."""

    __tablename__ = "organization"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True, index=True)
    acronym: str = Field(max_length=40)
    title: dict[str, str] = Field(sa_column=_json_column())
    country: str = Field(max_length=3, index=True)
    kind: str = Field(max_length=40)
    homepage: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=254)
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())


class User(SQLModel, table=True):
    """A person (or service account) who signs in or holds API tokens."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True, index=True)
    full_name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=254)
    password_hash: str | None = Field(default=None, max_length=255)
    is_active: bool = True
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    # Login throttling (catalog/logins.py): consecutive failures, and the lock they set.
    failed_login_count: int = 0
    locked_until: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    last_login_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))


class Membership(SQLModel, table=True):
    """A user's role in an organization; one row per (user, organization, role)."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organization_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", index=True)
    role: str = Field(max_length=20)


class ApiToken(SQLModel, table=True):
    """A personal API token. Only its SHA-256 is kept; the token is shown once."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=100)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    expires_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    revoked_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    last_used_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))


def secret_digest(secret: str) -> str:
    """SHA-256 hex digest under which tokens, codes and client secrets are stored.

    A fast hash is right for these: they are 256-bit random strings, so there is nothing
    to brute-force, and the digest lets a secret be found by one indexed lookup.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _scope_list(scope: str | None) -> list[str]:
    return scope.split() if scope else []


class GrantType(StrEnum):
    """OAuth 2 grants the authorization server offers."""

    CLIENT_CREDENTIALS = "client_credentials"
    AUTHORIZATION_CODE = "authorization_code"
    REFRESH_TOKEN = "refresh_token"  # noqa: S105 # a grant name, not a secret


class OAuthClient(SQLModel, table=True):
    """A registered OAuth 2 client, bound to one organization.

    Implements Authlib's ``ClientMixin`` protocol (duck-typed, so that the domain does
    not import the HTTP layer's library). Confidential clients hold a secret, of which
    only the SHA-256 is kept; public clients (browser and command-line apps) have none
    and must use PKCE. ``roles`` are the roles a client holds in its organization when
    it acts on its own behalf (client credentials grant).
    """

    __tablename__ = "oauth_client"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=100, unique=True, index=True)
    client_secret_hash: str | None = Field(default=None, max_length=64)
    name: str = Field(max_length=200)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    grant_types: list[str] = Field(sa_column=_json_column())
    redirect_uris: list[str] = Field(sa_column=_json_column())
    scopes: list[str] = Field(sa_column=_json_column())
    roles: list[str] = Field(sa_column=_json_column())
    token_endpoint_auth_method: str = Field(max_length=40)
    can_introspect: bool = False
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    created_by: str = Field(max_length=200)
    revoked_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))

    @property
    def is_public(self) -> bool:
        """Public clients cannot keep a secret (RFC 6749 section 2.1)."""
        return self.token_endpoint_auth_method == "none"  # noqa: S105 # a method name

    def get_client_id(self) -> str:
        """The public identifier."""
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        """The redirect URI to use when a request names none: only if just one is registered."""
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The scope to grant: all registered scopes if none is requested.

        Returns ``None`` (Authlib's "invalid_scope") when a requested scope is not
        registered for this client, rather than silently granting less.
        """
        requested = _scope_list(scope)
        if not requested:
            return " ".join(self.scopes)
        if not set(requested) <= set(self.scopes):
            return None
        return " ".join(sorted(set(requested)))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Exact string match against a registered redirect URI (no prefixes, no patterns)."""
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        """Compare the secret's digest in constant time."""
        if self.client_secret_hash is None:
            return False
        return hmac.compare_digest(self.client_secret_hash, secret_digest(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """Public clients authenticate with ``none``; confidential ones with their secret."""
        if self.is_public:
            return method == "none"
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type: str) -> bool:
        """Only ``code``, for clients registered for the authorization code grant."""
        return response_type == "code" and GrantType.AUTHORIZATION_CODE in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        """Whether the client was registered for ``grant_type``."""
        return grant_type in self.grant_types


class OAuthToken(SQLModel, table=True):
    """An issued access token (and its refresh token), stored as SHA-256 digests only.

    Implements Authlib's ``TokenMixin`` protocol for the access token. Tokens of one
    grant share a ``family_id``: a refresh token is rotated on every use, and
    presenting a rotated one again revokes the whole family (RFC 9700 section 4.14).
    """

    __tablename__ = "oauth_token"

    id: int | None = Field(default=None, primary_key=True)
    oauth_client_id: int = Field(foreign_key="oauth_client.id", index=True)
    user_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="CASCADE"
    )
    organization_id: int = Field(foreign_key="organization.id", index=True)
    grant_type: str = Field(max_length=40)
    scope: str = Field(max_length=1000)
    audience: str = Field(max_length=500)
    access_token_hash: str = Field(max_length=64, unique=True)
    refresh_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    family_id: str = Field(max_length=32, index=True)
    issued_at: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    expires_at: dt.datetime = Field(sa_column=_time_column())
    refresh_expires_at: dt.datetime | None = Field(
        default=None, sa_column=_time_column(nullable=True)
    )
    revoked_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    refresh_revoked_at: dt.datetime | None = Field(
        default=None, sa_column=_time_column(nullable=True)
    )

    @property
    def scope_set(self) -> frozenset[str]:
        """The granted scopes."""
        return frozenset(_scope_list(self.scope))

    def check_client(self, client: OAuthClient) -> bool:
        """Whether the token was issued to ``client``."""
        return self.oauth_client_id == client.id

    def get_scope(self) -> str:
        """The granted scopes, space-separated."""
        return self.scope

    def get_expires_in(self) -> int:
        """The access token's lifetime in seconds."""
        return int((self.expires_at - self.issued_at).total_seconds())

    def is_expired(self) -> bool:
        """Whether the access token has expired."""
        return self.expires_at <= utcnow()

    def is_revoked(self) -> bool:
        """Whether the access token was revoked."""
        return self.revoked_at is not None

    def refresh_is_usable(self) -> bool:
        """Whether the refresh token may still be exchanged."""
        return (
            self.refresh_token_hash is not None
            and self.refresh_revoked_at is None
            and (self.refresh_expires_at is None or self.refresh_expires_at > utcnow())
        )


class AuthorizationCode(SQLModel, table=True):
    """A single-use authorization code, stored as a SHA-256 digest.

    Implements Authlib's ``AuthorizationCodeMixin`` protocol and carries the PKCE
    challenge. A used code is kept (``used_at``) so that its replay can be detected.
    """

    __tablename__ = "oauth_authorization_code"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    oauth_client_id: int = Field(foreign_key="oauth_client.id", index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id")
    redirect_uri: str | None = Field(default=None, max_length=2000)
    scope: str = Field(max_length=1000)
    code_challenge: str = Field(max_length=128)
    code_challenge_method: str = Field(max_length=10)
    family_id: str = Field(max_length=32)
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    expires_at: dt.datetime = Field(sa_column=_time_column())
    used_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))

    def get_redirect_uri(self) -> str | None:
        """The redirect URI named in the authorization request, if any."""
        return self.redirect_uri

    def get_scope(self) -> str:
        """The consented scopes, space-separated."""
        return self.scope

    def is_expired(self) -> bool:
        """Whether the code is past its (short) lifetime."""
        return self.expires_at <= utcnow()


class LoginThrottle(SQLModel, table=True):
    """Failed logins under a name that is no active account, counted as an account's are.

    An account locks after repeated failures; if other names never did, the lock would
    tell which accounts exist. The name is kept only as a keyed digest: what is typed
    there is often a password.
    """

    __tablename__ = "login_throttle"

    name_key: str = Field(max_length=64, primary_key=True)
    failed_login_count: int = 0
    locked_until: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    last_failure_at: dt.datetime = Field(sa_column=_time_column(index=True))


class UserSession(SQLModel, table=True):
    """A web login session, ended on the server by logging out.

    The cookie carries a random id; only its SHA-256 is kept here.
    """

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    sid_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    expires_at: dt.datetime = Field(sa_column=_time_column())
    revoked_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))


class Dataset(SQLModel, table=True):
    """A dataset's record: its metadata document and the columns projected from it."""

    __tablename__ = "dataset"
    __table_args__ = (
        Index("ix_dataset_status_modified", "status", "modified"),
        Index("ix_dataset_publisher_status", "publisher_id", "status"),
        Index("ix_dataset_browse_modified", "modified", "id", "facet_combo"),
        Index("ix_dataset_browse_title", "sort_title", "id", "facet_combo"),
        Index("ix_dataset_browse_name", "name", "facet_combo"),
        Index("ix_dataset_browse_quality", "quality_score", "id", "facet_combo"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=100, unique=True, index=True)
    publisher_id: int = Field(foreign_key="organization.id")
    country: str = Field(max_length=3, index=True)
    title: dict[str, str] = Field(sa_column=_json_column())
    description: dict[str, str] = Field(sa_column=_json_column())
    sort_title: str = Field(max_length=500, index=True)
    # The dataset's facet combination in the search index (catalog.search): filters and
    # facet counts work on it instead of the wide rows.
    facet_combo: int | None = None
    status: str = Field(default=DatasetStatus.DRAFT, max_length=20)
    access_rights: str = Field(max_length=20, index=True)
    personal_data: str = Field(max_length=20, index=True)
    document: dict[str, Any] = Field(sa_column=_json_column())
    profile: str = Field(max_length=200)
    revision: int = 1
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    modified: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    issued: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    withdrawn_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    withdrawal_reason: str | None = Field(default=None, max_length=2000)
    # Metadata quality points (catalog.quality), kept in step with the document for sorting
    # and filtering; computed on every write.
    quality_score: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Its points per dimension, so that the catalog's quality is a sum over rows.
    quality_findability: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    quality_accessibility: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    quality_interoperability: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    quality_reusability: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    quality_contextuality: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class DatasetTheme(SQLModel, table=True):
    """A dataset's theme codes, one row each, for filtering and facet counts."""

    __tablename__ = "dataset_theme"

    dataset_id: uuid.UUID = Field(foreign_key="dataset.id", primary_key=True, ondelete="CASCADE")
    theme: str = Field(max_length=100, primary_key=True, index=True)


class DatasetRevision(SQLModel, table=True):
    """One change of a dataset: who, when, what changed, and the document after it."""

    __tablename__ = "dataset_revision"
    __table_args__ = (UniqueConstraint("dataset_id", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: uuid.UUID = Field(foreign_key="dataset.id", index=True, ondelete="CASCADE")
    revision: int
    action: str = Field(max_length=40)
    actor: str = Field(max_length=200)
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    time: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    changes: list[dict[str, Any]] = Field(sa_column=_json_column())
    document: dict[str, Any] = Field(sa_column=_json_column())
    status: str = Field(max_length=20)


class Distribution(SQLModel, table=True):
    """A distribution of a dataset: a downloadable file, an API, or a gateway-held file."""

    __tablename__ = "distribution"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dataset_id: uuid.UUID = Field(foreign_key="dataset.id", index=True, ondelete="CASCADE")
    title: dict[str, str] = Field(sa_column=_json_column())
    access_url: str | None = Field(default=None, max_length=2000)
    download_url: str | None = Field(default=None, max_length=2000)
    media_type: str | None = Field(default=None, max_length=200)
    format: str | None = Field(default=None, max_length=100)
    byte_size: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    # Indexed: downloads and writes look for other files of the same key or content.
    checksum: str | None = Field(default=None, max_length=128, index=True)
    restricted: bool = False
    storage_key: str | None = Field(default=None, max_length=500, index=True)
    document: dict[str, Any] = Field(sa_column=_json_column())
    position: int = 0
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    modified: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    file_replaced_at: dt.datetime | None = Field(
        default=None, sa_column=_time_column(nullable=True)
    )
    """When the catalog's file (``storage_key``) was last set to other content."""

    @property
    def served_by_catalog(self) -> bool:
        """Whether the catalog's data endpoint serves it (and only it: no other link).

        A file the catalog holds is; so is a restricted distribution, whose file is
        served only under an agreement, even while it awaits that file (no
        ``storage_key`` until a steward uploads it).
        """
        return bool(self.storage_key) or self.restricted

    @property
    def awaiting_file(self) -> bool:
        """A restricted distribution whose file has not been uploaded yet."""
        return self.restricted and not self.storage_key


class SdmxKind(StrEnum):
    """Kinds of SDMX structures the catalog stores (SDMX REST resource names)."""

    DATASTRUCTURE = "datastructure"
    DATAFLOW = "dataflow"
    CODELIST = "codelist"
    CONCEPTSCHEME = "conceptscheme"


class SdmxStructure(SQLModel, table=True):
    """One version of an SDMX structure (DSD, dataflow, codelist or concept scheme).

    ``document`` is the parsed structure as JSON (``catalog.sdmx_ml.structure_document``):
    the source of truth for browsing, linking and code checks. ``sdmx_ml`` is the same
    structure as an SDMX-ML 2.1 message written by sdmx1, from which exports are built.
    Rows are never overwritten by a newer version: each version is its own row.
    """

    __tablename__ = "sdmx_structure"
    __table_args__ = (
        UniqueConstraint("kind", "agency", "sdmx_id", "version"),
        Index("ix_sdmx_structure_kind_agency", "kind", "agency"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    agency: str = Field(max_length=100)
    sdmx_id: str = Field(max_length=200)
    version: str = Field(max_length=50)
    urn: str = Field(max_length=500, unique=True)
    name: dict[str, str] = Field(sa_column=_json_column())
    is_final: bool = False
    document: dict[str, Any] = Field(sa_column=_json_column())
    sdmx_ml: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=64)
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    modified: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())


class DatasetSdmxLink(SQLModel, table=True):
    """The SDMX structure a dataset conforms to: a dataflow (and its DSD), or a DSD.

    ``dsd_id`` is the DSD itself for a DSD link and the dataflow's DSD for a dataflow
    link, so that both are protected: the database refuses to delete a referenced row.
    """

    __tablename__ = "dataset_sdmx_link"

    dataset_id: uuid.UUID = Field(foreign_key="dataset.id", primary_key=True, ondelete="CASCADE")
    structure_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("sdmx_structure.id", ondelete="RESTRICT"),
            nullable=False,
            index=True,
        )
    )
    dsd_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("sdmx_structure.id", ondelete="RESTRICT"),
            nullable=False,
            index=True,
        )
    )
    linked_at: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    linked_by: str = Field(max_length=200)


class HarvestRecord(SQLModel, table=True):
    """Where a harvested dataset came from: one row per harvested dataset.

    ``original_iri`` is the dataset's IRI in the source catalog; a later harvest that
    meets the same IRI updates the dataset instead of creating another.
    """

    __tablename__ = "harvest_record"

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: uuid.UUID = Field(
        foreign_key="dataset.id", unique=True, index=True, ondelete="CASCADE"
    )
    original_iri: str = Field(max_length=2000, unique=True, index=True)
    source_catalog: str = Field(max_length=2000)
    source: str = Field(max_length=2000)
    harvested_at: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())


class AuditEvent(SQLModel, table=True):
    """An append-only, hash-chained record of a state change or an access decision.

    ``hash = SHA-256(prev_hash || canonical JSON of the event)``; no code path updates or
    deletes a row, so any edit breaks the chain at that row (``simel audit verify``).
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_org_time", "organization_id", "occurred_at"),
        Index("ix_audit_event_object", "object_type", "object_id"),
    )

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    occurred_at: dt.datetime = Field(sa_column=_time_column(index=True))
    actor_type: str = Field(max_length=20)
    actor_id: str | None = Field(default=None, max_length=200)
    actor_name: str = Field(max_length=200)
    organization_id: int | None = None
    action: str = Field(max_length=100, index=True)
    object_type: str = Field(max_length=60)
    object_id: str | None = Field(default=None, max_length=200)
    details: dict[str, Any] = Field(sa_column=_json_column())
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))


class LegalBasis(SQLModel, table=True):
    """A legal ground on which a dataset is held and shared: a DPV legal basis and its instrument.

    The validated legal-basis document (``urn:simel:schema:legal-basis:1.0``) is the source
    of truth; ``basis`` and the validity columns are projections of it. A legal basis is
    never deleted: a steward *ends* it (``ended_at``, with a reason), which keeps the record
    of what the dataset was held on.
    """

    __tablename__ = "legal_basis"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dataset_id: uuid.UUID = Field(foreign_key="dataset.id", index=True, ondelete="CASCADE")
    basis: str = Field(max_length=100)
    document: dict[str, Any] = Field(sa_column=_json_column())
    valid_from: dt.date
    valid_until: dt.date | None = None
    ended_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    end_reason: str | None = Field(default=None, max_length=2000)
    revision: int = 1
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    modified: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    created_by: str = Field(max_length=200)


class ConsentRecord(SQLModel, table=True):
    """Consent given (or asked) by a category of data subjects for a dataset's processing.

    ``status`` and the time columns reflect the record's events (:class:`ConsentEvent`) as
    recorded; expiry by time is derived on reading, so ``status`` may still say
    ``ConsentGiven`` after ``expires_at`` until the expiry is recorded as an event.
    """

    __tablename__ = "consent_record"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dataset_id: uuid.UUID = Field(foreign_key="dataset.id", index=True, ondelete="CASCADE")
    document: dict[str, Any] = Field(sa_column=_json_column())
    status: str = Field(max_length=60)
    status_at: dt.datetime = Field(sa_column=_time_column())
    given_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    withdrawn_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    expires_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    subjects_count: int = Field(sa_column=Column(BigInteger, nullable=False))
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    created_by: str = Field(max_length=200)


class ConsentEvent(SQLModel, table=True):
    """One change of a consent record's status. Append-only: rows are never updated or deleted.

    ``occurred_at`` is when it happened (a withdrawal signed last week, an expiry at
    ``expires_at``), ``recorded_at`` when the catalog learnt of it.
    """

    __tablename__ = "consent_event"
    __table_args__ = (UniqueConstraint("consent_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    consent_id: uuid.UUID = Field(foreign_key="consent_record.id", index=True, ondelete="CASCADE")
    seq: int
    event: str = Field(max_length=30)
    status: str = Field(max_length=60)
    occurred_at: dt.datetime = Field(sa_column=_time_column())
    recorded_at: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    actor: str = Field(max_length=200)
    reason: str | None = Field(default=None, max_length=2000)
    expires_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    details: dict[str, Any] = Field(sa_column=_json_column())


class DatasetPolicy(SQLModel, table=True):
    """One revision of a dataset's ODRL offer, as compact JSON-LD. Append-only.

    The dataset's policy is its highest revision; earlier ones stay for the record (an
    access request or agreement cites the revision it was made against).
    """

    __tablename__ = "policy"
    __table_args__ = (UniqueConstraint("dataset_id", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: uuid.UUID = Field(foreign_key="dataset.id", index=True, ondelete="CASCADE")
    revision: int
    uid: str = Field(max_length=2000)
    policy_type: str = Field(max_length=20)
    document: dict[str, Any] = Field(sa_column=_json_column())
    template: str | None = Field(default=None, max_length=100)
    parameters: dict[str, Any] | None = Field(default=None, sa_column=_json_column(nullable=True))
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    created_by: str = Field(max_length=200)


# --------------------------------------------------------------------- data sharing


class AccessRequestStatus(StrEnum):
    """Life cycle of an access request (architecture section 3)."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class AgreementStatus(StrEnum):
    """Life cycle of a sharing agreement (architecture section 3)."""

    DRAFT = "draft"
    PENDING_SIGNATURES = "pending_signatures"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    TERMINATED = "terminated"


class AccessRequest(SQLModel, table=True):
    """A ministry's request for datasets of another organization, for a purpose.

    ``document`` holds what the requester submitted (purpose, intended use, fields,
    period); ``purpose`` and the period are also columns, for listings and agreements.
    """

    __tablename__ = "access_request"
    __table_args__ = (
        Index("ix_access_request_provider_status", "provider_id", "status"),
        Index("ix_access_request_requester_status", "requester_id", "status"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    requester_id: int = Field(foreign_key="organization.id")
    provider_id: int = Field(foreign_key="organization.id")
    submitted_by: str = Field(max_length=200)
    submitted_by_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    purpose: str = Field(max_length=100)
    period_start: dt.date
    period_end: dt.date
    document: dict[str, Any] = Field(sa_column=_json_column())
    status: str = Field(default=AccessRequestStatus.SUBMITTED, max_length=20)
    decision_reason: str | None = Field(default=None, max_length=4000)
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    revision: int = 1
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    modified: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())


class AccessRequestItem(SQLModel, table=True):
    """One requested dataset, with the policy engine's decision on it against its offer.

    ``decision`` is the engine's explained decision at submission (``policy_revision``
    says which offer revision); a re-evaluation at approval replaces it.
    """

    __tablename__ = "access_request_item"

    request_id: uuid.UUID = Field(
        foreign_key="access_request.id", primary_key=True, ondelete="CASCADE"
    )
    dataset_id: uuid.UUID = Field(foreign_key="dataset.id", primary_key=True, index=True)
    policy_revision: int | None = None
    outcome: str = Field(max_length=20)
    decision: dict[str, Any] = Field(sa_column=_json_column())


class SharingAgreement(SQLModel, table=True):
    """An ODRL Agreement between a provider and one or more consumers, one version of it.

    Renewals are new rows of the same ``series_id`` with the next ``version`` and
    ``previous_id`` pointing back, so a renewal never rewrites what was signed.
    """

    __tablename__ = "sharing_agreement"
    __table_args__ = (UniqueConstraint("series_id", "version"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    series_id: uuid.UUID = Field(index=True)
    version: int = 1
    previous_id: uuid.UUID | None = Field(default=None, foreign_key="sharing_agreement.id")
    access_request_id: uuid.UUID | None = Field(
        default=None, foreign_key="access_request.id", index=True
    )
    provider_id: int = Field(foreign_key="organization.id", index=True)
    title: dict[str, str] = Field(sa_column=_json_column())
    purpose: str = Field(max_length=100)
    legal_bases: list[str] = Field(sa_column=_json_column())
    valid_from: dt.datetime = Field(sa_column=_time_column())
    valid_until: dt.datetime = Field(sa_column=_time_column())
    # The smallest output cell the consumers committed to; None for record-level use.
    min_cell_size: int | None = None
    status: str = Field(default=AgreementStatus.DRAFT, max_length=20, index=True)
    status_reason: str | None = Field(default=None, max_length=4000)
    status_changed_at: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    policy: dict[str, Any] = Field(sa_column=_json_column())
    revision: int = 1
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    created_by: str = Field(max_length=200)
    activated_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))


class AgreementParty(SQLModel, table=True):
    """A party to an agreement: the provider (``assigner``) or a consumer (``assignee``)."""

    __tablename__ = "agreement_party"

    agreement_id: uuid.UUID = Field(
        foreign_key="sharing_agreement.id", primary_key=True, ondelete="CASCADE"
    )
    organization_id: int = Field(foreign_key="organization.id", primary_key=True, index=True)
    role: str = Field(max_length=20)


class AgreementDataset(SQLModel, table=True):
    """A dataset an agreement covers (its ODRL target)."""

    __tablename__ = "agreement_dataset"

    agreement_id: uuid.UUID = Field(
        foreign_key="sharing_agreement.id", primary_key=True, ondelete="CASCADE"
    )
    dataset_id: uuid.UUID = Field(foreign_key="dataset.id", primary_key=True, index=True)


class Signature(SQLModel, table=True):
    """A party's signature of an agreement version, by a person with the signatory role."""

    __tablename__ = "agreement_signature"
    __table_args__ = (UniqueConstraint("agreement_id", "organization_id"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: uuid.UUID = Field(
        foreign_key="sharing_agreement.id", index=True, ondelete="CASCADE"
    )
    organization_id: int = Field(foreign_key="organization.id")
    user_id: int = Field(foreign_key="user_account.id")
    signer: str = Field(max_length=200)
    signed_at: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    policy_hash: str = Field(max_length=64)


class OutboxMessage(SQLModel, table=True):
    """A notification to an organization, written with the change it reports.

    The inbox API reads recent ones; ``simel mail send`` mails the pending ones when mail
    is configured. ``status``: pending, sent, failed (retried until the attempt limit),
    or skipped (no address to send to).
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_status", "status", "id"),
        Index("ix_outbox_message_org", "organization_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    organization_id: int = Field(foreign_key="organization.id")
    event: str = Field(max_length=60)
    object_type: str = Field(max_length=40)
    object_id: str = Field(max_length=100)
    subject: dict[str, str] = Field(sa_column=_json_column())
    body: dict[str, str] = Field(sa_column=_json_column())
    recipients: list[str] = Field(sa_column=_json_column())
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
    sent_at: dt.datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
