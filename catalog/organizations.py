"""Organizations: the ministries, migration authorities and statistics offices."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from catalog import audit
from catalog.errors import Conflict, FieldError, InvalidMetadata, NotFound
from catalog.models import Dataset, DatasetStatus, Organization, OrganizationKind
from catalog.principals import Principal
from catalog.vocabularies import ORGANIZATION_FIELDS, code_errors

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")
_COUNTRY = re.compile(r"^[A-Z]{3}$")


def get_organization(session: Session, name: str) -> Organization:
    """Return the organization called ``name``.

    Raises:
        NotFound: no such organization.
    """
    organization = session.exec(select(Organization).where(Organization.name == name)).first()
    if organization is None:
        raise NotFound(f"there is no organization named '{name}'")
    return organization


def list_organizations(
    session: Session, *, country: str | None = None
) -> list[tuple[Organization, int]]:
    """Organizations (optionally of one country) with their published dataset counts."""
    counts = (
        select(Dataset.publisher_id, func.count().label("n"))
        .where(Dataset.status == DatasetStatus.PUBLISHED)
        .group_by(col(Dataset.publisher_id))
        .subquery()
    )
    statement = (
        select(Organization, func.coalesce(counts.c.n, 0))
        .join(counts, counts.c.publisher_id == Organization.id, isouter=True)
        .order_by(col(Organization.country), col(Organization.name))
    )
    if country:
        statement = statement.where(Organization.country == country)
    return [(org, int(n)) for org, n in session.exec(statement).all()]


def _validate(data: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    if not isinstance(data.get("name"), str) or not _SLUG.match(data["name"]):
        errors.append(FieldError("/name", "a lower-case slug (letters, digits, hyphens)"))
    if not isinstance(data.get("acronym"), str) or not 1 <= len(data["acronym"]) <= 40:
        errors.append(FieldError("/acronym", "an acronym of 1 to 40 characters is required"))
    title = data.get("title")
    if not (
        isinstance(title, dict)
        and title
        and all(isinstance(k, str) and isinstance(v, str) and v for k, v in title.items())
    ):
        errors.append(FieldError("/title", 'a title per language, e.g. {"es": ..., "en": ...}'))
    if not isinstance(data.get("country"), str) or not _COUNTRY.match(data["country"]):
        errors.append(FieldError("/country", "an ISO 3166-1 alpha-3 code, e.g. GTM"))
    kinds = [kind.value for kind in OrganizationKind]
    if data.get("kind") not in kinds:
        errors.append(FieldError("/kind", f"one of {', '.join(kinds)}"))
    for name in ("homepage", "email"):
        if data.get(name) is not None and not isinstance(data[name], str):
            errors.append(FieldError(f"/{name}", "a string"))
    if not errors:
        errors.extend(code_errors(data, ORGANIZATION_FIELDS))
    unknown = set(data) - {"name", "acronym", "title", "country", "kind", "homepage", "email"}
    errors.extend(FieldError(f"/{name}", "not a recognised member") for name in sorted(unknown))
    return errors


def create_organization(
    session: Session, *, actor: Principal, data: Mapping[str, Any]
) -> Organization:
    """Register an organization (administrators only).

    Raises:
        Unauthenticated: anonymous caller.
        Forbidden: the caller is not an administrator.
        InvalidMetadata: a field is missing or malformed.
        Conflict: the name is taken.
    """
    actor.require_admin()
    errors = _validate(data)
    if errors:
        raise InvalidMetadata("the organization is not valid", errors)
    if session.exec(select(Organization.id).where(Organization.name == data["name"])).first():
        raise Conflict(f"an organization named '{data['name']}' already exists")
    organization = Organization(
        name=data["name"],
        acronym=data["acronym"],
        title=dict(data["title"]),
        country=data["country"],
        kind=data["kind"],
        homepage=data.get("homepage"),
        email=data.get("email"),
    )
    session.add(organization)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(f"an organization named '{data['name']}' already exists") from exc
    audit.record(
        session,
        actor=actor,
        action="organization.create",
        object_type="organization",
        object_id=organization.name,
        organization_id=organization.id,
        details={"title": organization.title, "country": organization.country},
    )
    session.commit()
    return organization


def organizations_by_id(session: Session, ids: Sequence[int]) -> dict[int, Organization]:
    """Load organizations by id in one query."""
    if not ids:
        return {}
    rows = session.exec(select(Organization).where(col(Organization.id).in_(set(ids)))).all()
    return {org.id: org for org in rows if org.id is not None}
