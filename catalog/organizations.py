"""Organizations: the ministries, migration authorities and statistics offices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

import metadata_schemas
from catalog import audit
from catalog.errors import Conflict, InvalidMetadata, NotFound
from catalog.models import DatasetStatus, Organization, Role
from catalog.principals import Principal
from catalog.search import FacetIndex
from catalog.validation import require_object, schema_errors
from catalog.vocabularies import ORGANIZATION_FIELDS, code_errors


def get_organization(session: Session, name: str) -> Organization:
    """Return the organization called ``name`` (names are lower case: ``MINTRAB-GT`` finds it).

    Raises:
        NotFound: no such organization.
    """
    organization = session.exec(
        select(Organization).where(Organization.name == name.lower())
    ).first()
    if organization is None:
        raise NotFound(f"there is no organization named '{name}'")
    return organization


def list_organizations(
    session: Session, *, country: str | None = None
) -> list[tuple[Organization, int]]:
    """Organizations (optionally of one country) with their published dataset counts."""
    statement = select(Organization).order_by(col(Organization.country), col(Organization.name))
    if country:
        statement = statement.where(Organization.country == country)
    published = FacetIndex().dataset_counts(session, "publisher", DatasetStatus.PUBLISHED.value)
    return [(org, published.get(org.name, 0)) for org in session.exec(statement).all()]


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
    data = require_object(data, "organization")
    errors = schema_errors(metadata_schemas.ORGANIZATION_SCHEMA, data)
    errors += [
        e
        for e in code_errors(data, ORGANIZATION_FIELDS)
        if e.pointer not in {x.pointer for x in errors}
    ]
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


def organizations_where(session: Session, actor: Principal, role: Role) -> list[Organization]:
    """The organizations in which ``actor`` holds ``role``, by name.

    An OAuth token's principal holds roles only in the organization it is bound to, so
    for it this is that organization or nothing.
    """
    ids = [o for o in actor.organization_ids if actor.has_role(role, o)]
    return sorted(organizations_by_id(session, ids).values(), key=lambda o: o.name)
