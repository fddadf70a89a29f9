"""SQLModel tables of the catalog (architecture section 3).

Multilingual texts are JSON objects keyed by language (``{"es": ..., "en": ...}``). Codes
(roles, statuses, access rights) are plain strings checked by the services against the
enumerations below, so that adding a code never needs a database type migration.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, Index, String, UniqueConstraint
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


class Dataset(SQLModel, table=True):
    """A dataset's record: its metadata document and the columns projected from it."""

    __tablename__ = "dataset"
    __table_args__ = (
        Index("ix_dataset_status_modified", "status", "modified"),
        Index("ix_dataset_publisher_status", "publisher_id", "status"),
        Index("ix_dataset_quality_score", "quality_score"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=100, unique=True, index=True)
    publisher_id: int = Field(foreign_key="organization.id")
    country: str = Field(max_length=3, index=True)
    title: dict[str, str] = Field(sa_column=_json_column())
    description: dict[str, str] = Field(sa_column=_json_column())
    sort_title: str = Field(max_length=500, index=True)
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
    checksum: str | None = Field(default=None, max_length=128)
    restricted: bool = False
    storage_key: str | None = Field(default=None, max_length=500)
    document: dict[str, Any] = Field(sa_column=_json_column())
    position: int = 0
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())
    modified: dt.datetime = Field(default_factory=utcnow, sa_column=_time_column())


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
