"""SDMX structures: import and version them, browse and export them, link datasets to them.

Statistics offices and ILOSTAT describe a statistical dataset by its SDMX structures: a
data structure definition (DSD: dimensions, attributes, measures, each with a concept
and, where enumerated, a codelist), the codelists and concept schemes it uses, and the
dataflows that publish data under it. The catalog stores those structures (reading
SDMX-ML 2.1 with sdmx1, see :mod:`catalog.sdmx_ml`) and lets a dataset name the
dataflow or DSD it conforms to; the dataset's codes are then checked against the DSD's
codelists, at link time and on every later update.

Versioning. A structure is identified by (kind, agency, id, version) and each version is
its own row: importing 1.1 never touches 1.0. Importing content under an identity that
is already stored:

* identical content: nothing happens ("unchanged"), so re-imports are idempotent;
* both versions are *partial* codelists whose common codes agree: the stored codelist
  gains the new codes ("extended"); SDMX ``isPartial`` marks a subset of the codelist
  with that identity, and adding codes cannot invalidate a dataset;
* otherwise, a stored structure that is *final* (``isFinal="true"``) is immutable, and
  one that a dataset references (directly, as its dataflow's DSD, or as a codelist or
  concept scheme of a linked DSD) is protected: both are a 409 Conflict, and the fix is
  a new version; a draft that nothing references is replaced ("replaced").

A message is stored all or nothing, in one transaction with its audit events.

Codes. A DSD dimension stands for a field of the dataset document when its id, its
concept's id or its concept role's id is one of :data:`FIELD_DIMENSIONS` (REF_AREA or
COUNTRY for ``spatial``, OCU for ``occupations``, ECO for ``economic_activities``,
MIG_STATUS for ``statistical_population``, FREQ for ``accrual_periodicity``). If the
dimension's codelist is stored, each code of the field must be one of its codes, or
roll up to one through the field's vocabulary (ISCO ``9211`` is in major group ``9``).

StatDCAT-AP. :func:`statistical_components` gives a dataset's dimensions and attributes
as plain data (ids, concept URNs, labels) for the DCAT mapping.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, or_, select

from catalog import audit, datasets
from catalog.db import utcnow
from catalog.errors import BadRequest, Conflict, FieldError, InvalidMetadata, NotFound
from catalog.models import Dataset, DatasetSdmxLink, SdmxStructure
from catalog.principals import Principal
from catalog.sdmx_ml import (
    EXTERNAL_REFERENCE,
    KINDS,
    Location,
    Parsed,
    Ref,
    Skipped,
    code_entries,
    external_locations,
    merged_partial_codelist,
    parse_urn,
    read_structure_message,
    references_of,
    stored_object,
    stored_objects,
    structure_document,
    structure_xml,
    structures_of,
    write_message,
)
from catalog.vocabularies import field_values
from vocab import get_registry

Outcome = Literal["created", "unchanged", "extended", "replaced"]
References = Literal["none", "children", "descendants"]
LATEST: Final = "latest"

# The EU frequency codes of ``accrual_periodicity`` and the SDMX CL_FREQ codes for the
# same periods (SDMX cross-domain code list CL_FREQ).
SDMX_FREQUENCY: Final[Mapping[str, str]] = {
    "ANNUAL": "A",
    "ANNUAL_2": "S",
    "QUARTERLY": "Q",
    "MONTHLY": "M",
    "WEEKLY": "W",
    "DAILY": "D",
    "HOURLY": "H",
}


@dataclass(frozen=True)
class FieldDimension:
    """A dataset-document field whose codes a DSD dimension enumerates.

    Attributes:
        pointer: The field, as a JSON Pointer without list indexes (``/spatial``).
        path: Member names from the document root; ``*`` for every list item.
        concepts: Dimension ids, concept ids or concept-role ids that stand for the field.
        scheme: The field's vocabulary; a code is accepted when it or one of its broader
            concepts is in the codelist (``9211`` rolls up to ISCO major group ``9``).
        to_sdmx: Translates catalog codes to the SDMX codes of the dimension.
    """

    pointer: str
    path: tuple[str, ...]
    concepts: frozenset[str]
    scheme: str | None = None
    to_sdmx: Mapping[str, str] = field(default_factory=dict)


FIELD_DIMENSIONS: Final[tuple[FieldDimension, ...]] = (
    FieldDimension(
        "/spatial", ("spatial", "*"), frozenset({"REF_AREA", "COUNTRY", "GEO"}), "countries"
    ),
    FieldDimension(
        "/labour_migration/occupations",
        ("labour_migration", "occupations", "*"),
        frozenset({"OCU", "OCCUPATION", "ISCO"}),
        "occupations",
    ),
    FieldDimension(
        "/labour_migration/economic_activities",
        ("labour_migration", "economic_activities", "*"),
        frozenset({"ECO", "ECONOMIC_ACTIVITY", "ACTIVITY", "ISIC"}),
        "activities",
    ),
    FieldDimension(
        "/labour_migration/statistical_population",
        ("labour_migration", "statistical_population", "*"),
        frozenset({"MIG_STATUS", "MIGRATION_STATUS"}),
        "migration-concepts",
    ),
    FieldDimension(
        "/accrual_periodicity",
        ("accrual_periodicity",),
        frozenset({"FREQ", "FREQUENCY"}),
        to_sdmx=SDMX_FREQUENCY,
    ),
)


# -------------------------------------------------------------------------- references


def ref_from(
    *,
    urn: str | None = None,
    kind: str | None = None,
    agency: str | None = None,
    structure_id: str | None = None,
    version: str | None = None,
) -> Ref:
    """A reference from a URN, or from kind, agency, id and version (``latest`` allowed).

    Both forms may be given (a structure view sent back, say) if they name the same
    structure.

    Raises:
        InvalidMetadata: neither form is complete, the two name different structures,
            or the URN or kind is not one we store.
    """
    if version == "":
        raise InvalidMetadata(
            "version is empty",
            [FieldError("/version", "give a version, or omit it for the latest")],
        )
    if urn:
        try:
            ref = parse_urn(urn)
        except ValueError as exc:
            raise InvalidMetadata(str(exc), [FieldError("/urn", str(exc))]) from exc
        given = [
            ("kind", kind, ref.kind),
            ("agency", agency, ref.agency),
            ("id", structure_id, ref.id),
            ("version", version, ref.version),
        ]
        differ = [
            FieldError(f"/{name}", f"'{value}' is not the urn's {name} ('{named}')")
            for name, value, named in given
            if value is not None and value != named
        ]
        if differ:
            raise InvalidMetadata("the urn and the other fields name different structures", differ)
        return ref
    missing = [
        name
        for name, value in (("kind", kind), ("agency", agency), ("id", structure_id))
        if not value
    ]
    if missing:
        raise InvalidMetadata(
            "name the structure by urn, or by kind, agency, id and version",
            [FieldError(f"/{name}", "is required without a urn") for name in missing],
        )
    assert kind  # noqa: S101 # checked just above
    assert agency  # noqa: S101
    assert structure_id  # noqa: S101
    if kind not in KINDS:
        raise InvalidMetadata(
            f"kind must be one of {', '.join(KINDS)}",
            [FieldError("/kind", f"'{kind}' is not one of {', '.join(KINDS)}")],
        )
    return Ref(kind, agency, structure_id, version or LATEST)


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Order SDMX versions numerically part by part (``1.10`` after ``1.9``)."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.]", version))


def _ref_of_row(row: SdmxStructure) -> Ref:
    return Ref(row.kind, row.agency, row.sdmx_id, row.version)


def find_structure(session: Session, ref: Ref) -> SdmxStructure | None:
    """The stored structure ``ref`` (``latest`` picks the highest version), or ``None``."""
    query = select(SdmxStructure).where(
        SdmxStructure.kind == ref.kind,
        SdmxStructure.agency == ref.agency,
        SdmxStructure.sdmx_id == ref.id,
    )
    if ref.version != LATEST:
        return session.exec(query.where(SdmxStructure.version == ref.version)).first()
    rows = session.exec(query).all()
    return max(rows, key=lambda r: version_key(r.version)) if rows else None


def get_structure(session: Session, ref: Ref) -> SdmxStructure:
    """The stored structure ``ref``.

    Raises:
        NotFound: it is not stored.
    """
    row = find_structure(session, ref)
    if row is None:
        shown = f"{ref.agency}:{ref.id}" + ("" if ref.version == LATEST else f"({ref.version})")
        raise NotFound(f"no {ref.kind} {shown} is stored")
    return row


# ------------------------------------------------------------------------------ import


@dataclass(frozen=True)
class ImportItem:
    """What happened to one structure of an imported message."""

    ref: Ref
    outcome: Outcome
    detail: str = ""


@dataclass(frozen=True)
class ImportReport:
    """The result of importing one structure message."""

    message_id: str
    sha256: str
    items: tuple[ImportItem, ...]
    skipped: tuple[Skipped, ...]

    @property
    def changed(self) -> bool:
        """Whether anything was stored or changed."""
        return any(item.outcome != "unchanged" for item in self.items)

    def count(self, outcome: Outcome) -> int:
        """How many structures had ``outcome``."""
        return sum(1 for item in self.items if item.outcome == outcome)


def _hash(document: Mapping[str, Any]) -> str:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_ACTIONS: Final[Mapping[str, str]] = {
    "created": "create",
    "extended": "extend",
    "replaced": "replace",
}


@dataclass
class _Plan:
    parsed: Parsed
    outcome: Outcome
    row: SdmxStructure | None
    detail: str = ""
    obj: Any = None


def _conflict_for_change(session: Session, row: SdmxStructure, parsed: Parsed) -> None:
    if row.is_final:
        raise Conflict(
            f"{row.kind} {parsed.ref.label} is stored as final and the message has different "
            "content under the same version: final structures never change, so give the "
            "new content a new version",
            structure=row.urn,
        )
    users = referencing_datasets(session, row)
    if users:
        raise Conflict(
            f"{row.kind} {parsed.ref.label} is referenced by the dataset(s) "
            f"{', '.join(sorted(users))} and the message has different content under the same "
            "version: give the new content a new version (and relink the datasets to it)",
            structure=row.urn,
            datasets=sorted(users),
        )


def _plan(session: Session, parsed: Parsed) -> _Plan:
    row = find_structure(session, parsed.ref)
    if row is None:
        return _Plan(parsed, "created", None)
    if row.document == parsed.document:
        return _Plan(parsed, "unchanged", row)
    if (
        parsed.ref.kind == "codelist"
        and row.document.get("is_partial")
        and parsed.document.get("is_partial")
    ):
        merged = merged_partial_codelist(stored_object(row.sdmx_ml, parsed.ref), parsed)
        if merged is not None:
            document = structure_document(merged)
            if document == row.document:
                return _Plan(parsed, "unchanged", row, "its codes are all stored already")
            added = len(document["codes"]) - len(row.document["codes"])
            return _Plan(parsed, "extended", row, f"{added} code(s) added", merged)
    _conflict_for_change(session, row, parsed)
    return _Plan(parsed, "replaced", row, "a draft that no dataset references")


def _store(session: Session, plan: _Plan, now: dt.datetime) -> SdmxStructure:
    obj = plan.obj if plan.obj is not None else plan.parsed.obj
    document = structure_document(obj)
    values: dict[str, Any] = {
        "name": document["name"],
        "is_final": document["is_final"],
        "document": document,
        "sdmx_ml": structure_xml(obj, prepared=now),
        "content_hash": _hash(document),
        "modified": now,
    }
    row = plan.row
    if row is None:
        ref = plan.parsed.ref
        row = SdmxStructure(
            kind=ref.kind,
            agency=ref.agency,
            sdmx_id=ref.id,
            version=ref.version,
            urn=ref.urn,
            created=now,
            **values,
        )
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.add(row)
    return row


def _placed(
    session: Session, skip: Skipped, storing: set[Ref], locations: Mapping[Ref, Location]
) -> Skipped:
    """An external reference, with where it is held: here, where the message says, nowhere.

    A dataflow or DSD may name a structure the message only refers to; whether the
    catalog, or a place the message names, holds it tells whether it can be used.
    """
    if not skip.external or skip.ref is None:
        return skip
    if skip.ref in storing or find_structure(session, skip.ref) is not None:
        return replace(skip, held="catalog", reason=f"{EXTERNAL_REFERENCE}; this catalog holds it")
    location = locations.get(skip.ref)
    if location is not None and location.url is not None:
        where = location.url
        return replace(
            skip,
            location=location,
            held="elsewhere",
            reason=f"{EXTERNAL_REFERENCE}; the message says it is held at {where}, which "
            "this catalog does not read: import it from there to use it here",
        )
    return replace(
        skip,
        held="nowhere",
        reason=f"{EXTERNAL_REFERENCE} nor say where it is held, and this catalog does not "
        "hold it: it resolves nowhere until it is imported",
    )


def import_message(
    session: Session, *, actor: Principal, data: bytes, max_bytes: int
) -> ImportReport:
    """Store the DSDs, dataflows, codelists and concept schemes of an SDMX-ML message.

    All or nothing: every structure is checked against what is stored before anything
    is written, and the structures and their audit events commit in one transaction.

    Raises:
        Unauthenticated: anonymous caller.
        Forbidden: the caller is not an administrator.
        PayloadTooLarge: the message is over ``max_bytes``.
        BadRequest: not well-formed XML, or XML with a DOCTYPE/ENTITY declaration.
        InvalidMetadata: not an SDMX-ML 2.1 structure message, unreadable by sdmx1, or
            holding no structure the catalog stores.
        Conflict: the message changes a final or referenced stored structure, or stores
            a codelist or concept scheme, used by a linked DSD, that lacks codes of the
            linked datasets.
    """
    actor.require_admin()
    message = read_structure_message(data, max_bytes=max_bytes)
    parsed, skipped = structures_of(message)
    if any(skip.external for skip in skipped):
        # Reading the XML again is cheap beside sdmx1's reading, and needed only here.
        locations, storing = external_locations(data), {item.ref for item in parsed}
        skipped = [_placed(session, skip, storing, locations) for skip in skipped]
    if not parsed:
        detail = (
            "the message holds no DSD, dataflow, codelist or concept scheme to store "
            f"({len(skipped)} item(s) skipped: external references or other kinds)"
        )
        raise InvalidMetadata(detail, [FieldError("", detail)])
    header = getattr(message, "header", None)
    message_id = str(getattr(header, "id", "") or "")
    sha256 = hashlib.sha256(data).hexdigest()
    plans = [_plan(session, item) for item in parsed]
    now = utcnow()
    events: list[audit.EventSpec] = []
    for plan in plans:
        if plan.outcome == "unchanged":
            continue
        row = _store(session, plan, now)
        ref = plan.parsed.ref
        events.append(
            audit.EventSpec(
                action=f"sdmx_structure.{_ACTIONS[plan.outcome]}",
                object_type="sdmx_structure",
                object_id=ref.key[:200],
                organization_id=None,
                details={"urn": row.urn, "content_hash": row.content_hash, "message": sha256},
            )
        )
    items = tuple(ImportItem(p.parsed.ref, p.outcome, p.detail) for p in plans)
    events.append(
        audit.EventSpec(
            action="sdmx_message.import",
            object_type="sdmx_message",
            object_id=sha256,
            organization_id=None,
            details={
                "message_id": message_id,
                "outcomes": {item.ref.key: item.outcome for item in items},
                "skipped": len(skipped),
            },
        )
    )
    try:
        session.flush()
        _refuse_lacking_codes(session, [p.parsed.ref for p in plans if p.outcome == "created"])
        audit.record_many(session, actor=actor, events=events)
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            "another import stored some of these structures at the same time; try again"
        ) from exc
    return ImportReport(message_id, sha256, items, tuple(skipped))


# ---------------------------------------------------------------------- protection


def _refuse_lacking_codes(session: Session, created: Sequence[Ref]) -> None:
    """Refuse new codelists and concept schemes that linked datasets' codes are not in.

    A linked DSD may name a codelist that is not stored yet: its dimension cannot be
    checked, so the link was made without it. Storing the codelist then starts checking
    the datasets' codes; one that is not in it would make every later update of the
    dataset fail on a code nobody changed. Called after the new rows are flushed, so
    that the check sees them; rolls the session back before raising.

    Raises:
        Conflict: a linked dataset has a code that the new structures lack.
    """
    errors: list[dict[str, Any]] = []
    lacking: list[str] = []
    for ref in created:
        if ref.kind not in ("codelist", "conceptscheme"):
            continue
        row = find_structure(session, ref)
        assert row is not None  # noqa: S101 # flushed just before
        for dsd in _dsds_using(session, row):
            links = session.exec(select(DatasetSdmxLink).where(DatasetSdmxLink.dsd_id == dsd.id))
            for link in links.all():
                dataset = session.get(Dataset, link.dataset_id)
                assert dataset is not None  # noqa: S101 # guaranteed by the foreign key
                found = dsd_code_errors(session, dsd, dataset.document)
                errors.extend({"dataset": dataset.name, **e.to_dict()} for e in found)
                if found and f"{ref.kind} {ref.label}" not in lacking:
                    lacking.append(f"{ref.kind} {ref.label}")
    if not errors:
        return
    session.rollback()
    names = sorted({error["dataset"] for error in errors})
    raise Conflict(
        f"{' and '.join(lacking)} would lack codes of {', '.join(names)}, linked to a DSD "
        "that uses it: add the codes, or relink or unlink the dataset(s) first",
        datasets=names,
        errors=errors,
    )


def _linked_dsd_ids(session: Session) -> set[int]:
    return set(session.exec(select(DatasetSdmxLink.dsd_id).distinct()).all())


def _dsds_using(session: Session, row: SdmxStructure) -> list[SdmxStructure]:
    """Linked DSDs that use ``row`` (a codelist or concept scheme).

    A DSD uses the codelists and concept schemes it names, and the codelists that the
    concepts of those schemes take as core representation (SDMX lets a component
    without a local representation take its concept's).
    """
    ids = _linked_dsd_ids(session)
    if not ids:
        return []
    dsds = session.exec(select(SdmxStructure).where(col(SdmxStructure.id).in_(ids))).all()
    key = _ref_of_row(row).key
    resolver = _Resolver(session)
    users = []
    for dsd in dsds:
        used = references_of(dsd.document)
        for ref in list(used):
            scheme = resolver.row(ref) if ref.kind == "conceptscheme" else None
            if scheme is not None:
                used.extend(references_of(scheme.document))
        if any(ref.key == key for ref in used):
            users.append(dsd)
    return users


def _links_to(session: Session, row: SdmxStructure) -> list[DatasetSdmxLink]:
    assert row.id is not None  # noqa: S101 # stored rows have ids
    if row.kind in ("dataflow", "datastructure"):
        return list(
            session.exec(
                select(DatasetSdmxLink).where(
                    or_(DatasetSdmxLink.structure_id == row.id, DatasetSdmxLink.dsd_id == row.id)
                )
            ).all()
        )
    dsd_ids = [dsd.id for dsd in _dsds_using(session, row)]
    if not dsd_ids:
        return []
    return list(
        session.exec(select(DatasetSdmxLink).where(col(DatasetSdmxLink.dsd_id).in_(dsd_ids))).all()
    )


def referencing_datasets(session: Session, row: SdmxStructure) -> list[str]:
    """Names of the datasets that depend on ``row`` (whatever their status)."""
    links = _links_to(session, row)
    if not links:
        return []
    return list(
        session.exec(
            select(Dataset.name).where(col(Dataset.id).in_([link.dataset_id for link in links]))
        ).all()
    )


def delete_structure(session: Session, *, actor: Principal, ref: Ref) -> None:
    """Delete a stored structure that no dataset depends on.

    Raises:
        Unauthenticated: anonymous caller.
        Forbidden: the caller is not an administrator.
        NotFound: it is not stored.
        Conflict: a dataset references it (directly, or through a linked DSD).
    """
    actor.require_admin()
    row = get_structure(session, ref)
    users = referencing_datasets(session, row)
    if users:
        raise Conflict(
            f"{row.kind} {_ref_of_row(row).label} is referenced by the dataset(s) "
            f"{', '.join(sorted(users))}: unlink them first",
            datasets=sorted(users),
        )
    audit.record(
        session,
        actor=actor,
        action="sdmx_structure.delete",
        object_type="sdmx_structure",
        object_id=_ref_of_row(row).key[:200],
        organization_id=None,
        details={"urn": row.urn, "content_hash": row.content_hash},
    )
    session.delete(row)
    session.commit()


# ---------------------------------------------------------------------------- browsing


def list_structures(
    session: Session,
    *,
    kind: str | None = None,
    agency: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[SdmxStructure], int]:
    """Stored structures, by kind, agency, id and version; with the total count.

    Raises:
        BadRequest: ``kind`` is not one the catalog stores.
    """
    conditions: list[Any] = []
    if kind:
        if kind not in KINDS:
            raise BadRequest(f"kind must be one of {', '.join(KINDS)}")
        conditions.append(SdmxStructure.kind == kind)
    if agency:
        conditions.append(SdmxStructure.agency == agency)
    total = session.exec(select(func.count()).select_from(SdmxStructure).where(*conditions)).one()
    rows = session.exec(
        select(SdmxStructure)
        .where(*conditions)
        .order_by(
            col(SdmxStructure.kind),
            col(SdmxStructure.agency),
            col(SdmxStructure.sdmx_id),
            col(SdmxStructure.version),
        )
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(total)


class _Resolver:
    """Stored structures by reference, each looked up once per request."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[str, SdmxStructure | None] = {}

    def row(self, ref: Ref | Mapping[str, Any] | None) -> SdmxStructure | None:
        if ref is None:
            return None
        if not isinstance(ref, Ref):
            ref = Ref.from_json(ref)
        if ref.key not in self._rows:
            self._rows[ref.key] = find_structure(self.session, ref)
        return self._rows[ref.key]

    def concept(self, concept: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        if not concept or "scheme" not in concept:
            return None
        scheme = self.row(concept["scheme"])
        if scheme is None:
            return None
        return code_entries(scheme.document).get(concept["id"])


def _summary_ref(ref: Mapping[str, Any], resolver: _Resolver) -> dict[str, Any]:
    row = resolver.row(ref)
    body = {key: ref[key] for key in ("kind", "agency", "id", "version", "urn")}
    body["stored"] = row is not None
    if row is not None and row.name:
        body["name"] = row.name
    return body


def _enumeration(component: Mapping[str, Any], resolver: _Resolver) -> Mapping[str, Any] | None:
    representation = component.get("representation") or {}
    if "enumeration" in representation:
        enumeration: Mapping[str, Any] = representation["enumeration"]
        return enumeration
    if "text_type" in representation:
        return None
    concept = resolver.concept(component.get("concept"))
    core = (concept or {}).get("representation") or {}
    return core.get("enumeration")


def _text_type(component: Mapping[str, Any], resolver: _Resolver) -> str | None:
    representation = component.get("representation") or {}
    if "text_type" in representation:
        text_type: str = representation["text_type"]
        return text_type
    concept = resolver.concept(component.get("concept"))
    core = (concept or {}).get("representation") or {}
    return core.get("text_type")


def field_for(component: Mapping[str, Any]) -> FieldDimension | None:
    """The dataset field a DSD dimension enumerates, matched by id, concept or role."""
    names = {component.get("id")}
    for member in ("concept", "role"):
        if component.get(member):
            names.add(component[member]["id"])
    for mapping in FIELD_DIMENSIONS:
        if names & mapping.concepts:
            return mapping
    return None


def component_view(
    component: Mapping[str, Any], resolver: _Resolver, *, with_codes: bool, dimension: bool
) -> dict[str, Any]:
    """A DSD component with its concept's labels and its codelist (and codes if asked)."""
    body: dict[str, Any] = {"id": component["id"], "type": component["type"]}
    if "position" in component:
        body["position"] = component["position"]
    concept = component.get("concept")
    if concept:
        entry = resolver.concept(concept)
        view: dict[str, Any] = {"id": concept["id"]}
        if concept.get("urn"):
            view["urn"] = concept["urn"]
        if entry and entry.get("name"):
            view["label"] = entry["name"]
        body["concept"] = view
    if component.get("role"):
        body["role"] = {k: v for k, v in component["role"].items() if k in ("id", "urn")}
    enumeration = _enumeration(component, resolver)
    if enumeration is not None:
        body["codelist"] = _summary_ref(enumeration, resolver)
        row = resolver.row(enumeration)
        if with_codes and row is not None:
            body["codes"] = [
                {k: v for k, v in entry.items() if k in ("id", "name", "parent")}
                for entry in code_entries(row.document).values()
            ]
    text_type = _text_type(component, resolver)
    if text_type:
        body["text_type"] = text_type
    if "usage" in component:
        body["usage"] = component["usage"]
    if "relationship" in component:
        body["relationship"] = component["relationship"]
    if dimension:
        mapping = field_for(component)
        if mapping is not None:
            body["field"] = mapping.pointer
    return body


def _components(
    dsd: SdmxStructure, resolver: _Resolver, *, with_codes: bool
) -> dict[str, list[dict[str, Any]]]:
    document = dsd.document
    return {
        "dimensions": [
            component_view(c, resolver, with_codes=with_codes, dimension=True)
            for c in document["dimensions"]
        ],
        "attributes": [
            component_view(c, resolver, with_codes=with_codes, dimension=False)
            for c in document["attributes"]
        ],
        "measures": [
            component_view(c, resolver, with_codes=with_codes, dimension=False)
            for c in document["measures"]
        ],
    }


def structure_summary(row: SdmxStructure) -> dict[str, Any]:
    """What a listing shows of a stored structure."""
    document = row.document
    return {
        **_ref_of_row(row).to_json(),
        "name": row.name,
        "description": document.get("description", {}),
        "is_final": row.is_final,
        "created": row.created.isoformat(),
        "modified": row.modified.isoformat(),
    }


def structure_view(session: Session, row: SdmxStructure) -> dict[str, Any]:
    """A stored structure with its content resolved: concept labels, codelists, codes.

    A DSD (and a dataflow whose DSD is stored) lists its dimensions, attributes and
    measures; a codelist its codes; a concept scheme its concepts.
    """
    resolver = _Resolver(session)
    document = row.document
    body = structure_summary(row)
    if row.kind == "codelist":
        body["is_partial"] = bool(document.get("is_partial"))
        body["codes"] = document["codes"]
    elif row.kind == "conceptscheme":
        body["concepts"] = document["concepts"]
    elif row.kind == "datastructure":
        body.update(_components(row, resolver, with_codes=True))
    else:
        target = document.get("structure")
        body["structure"] = _summary_ref(target, resolver) if target else None
        dsd = resolver.row(target)
        if dsd is not None:
            body.update(_components(dsd, resolver, with_codes=True))
    return body


def _closure(session: Session, row: SdmxStructure, references: References) -> list[SdmxStructure]:
    rows: dict[str, SdmxStructure] = {_ref_of_row(row).key: row}
    if references == "none":
        return [row]
    frontier = [row]
    while frontier:
        current = frontier.pop()
        for ref in references_of(current.document):
            if ref.key in rows:
                continue
            found = find_structure(session, ref)
            if found is None:
                continue
            rows[ref.key] = found
            if references == "descendants":
                frontier.append(found)
    return list(rows.values())


def export_structure(
    session: Session, ref: Ref, *, references: References = "none"
) -> tuple[SdmxStructure, bytes]:
    """A stored structure as an SDMX-ML 2.1 structure message (sdmx1's writer).

    ``references`` adds stored structures it refers to, as the SDMX REST API does:
    ``children`` (those it names) or ``descendants`` (and theirs, transitively).

    Raises:
        NotFound: it is not stored.
    """
    row = get_structure(session, ref)
    objects: list[Any] = []
    for member in _closure(session, row, references):
        objects.extend(stored_objects(member.sdmx_ml))
    header_id = re.sub(r"[^A-Za-z0-9_@$-]", "_", f"SIMEL_{row.kind}_{row.agency}_{row.sdmx_id}")
    return row, write_message(objects, header_id=header_id, prepared=utcnow())


def linked_datasets(session: Session, *, actor: Principal, ref: Ref) -> list[Dataset]:
    """The datasets ``actor`` may see that depend on a stored structure.

    Raises:
        NotFound: it is not stored.
    """
    row = get_structure(session, ref)
    links = _links_to(session, row)
    if not links:
        return []
    rows = session.exec(
        select(Dataset)
        .where(col(Dataset.id).in_([link.dataset_id for link in links]))
        .order_by(col(Dataset.name))
    ).all()
    return [dataset for dataset in rows if datasets.can_view(actor, dataset)]


# ------------------------------------------------------------------------------ links


def _codes_accepted(mapping: FieldDimension, value: str) -> list[str]:
    candidates = [mapping.to_sdmx.get(value, value)]
    if mapping.scheme is not None:
        scheme = get_registry().scheme(mapping.scheme)
        concept = scheme.by_code(value)
        if concept is not None:
            candidates.extend(broader.code for broader in scheme.ancestors(concept.code))
    return candidates


def dsd_code_errors(
    session: Session, dsd: SdmxStructure, document: Mapping[str, Any]
) -> list[FieldError]:
    """Codes of a dataset document that the DSD's codelists do not have.

    For each DSD dimension that stands for a document field (:data:`FIELD_DIMENSIONS`)
    and whose codelist is stored, every code of the field must be in the codelist, or
    roll up to one of its codes through the field's vocabulary. Dimensions whose
    codelist is not stored cannot be checked and are left alone.
    """
    resolver = _Resolver(session)
    errors: list[FieldError] = []
    for dimension in dsd.document["dimensions"]:
        mapping = field_for(dimension)
        enumeration = _enumeration(dimension, resolver)
        if mapping is None or enumeration is None:
            continue
        codelist = resolver.row(enumeration)
        if codelist is None:
            continue
        codes = code_entries(codelist.document)
        label = Ref.from_json(enumeration).label
        for pointer, value in field_values(document, mapping.path):
            if not isinstance(value, str):
                continue
            candidates = _codes_accepted(mapping, value)
            if any(code in codes for code in candidates):
                continue
            detail = (
                f"'{value}' is not a code of {label}, the codelist of dimension {dimension['id']}"
            )
            if candidates[0] != value:
                detail += f" (as SDMX code '{candidates[0]}')"
            if len(candidates) > 1:
                detail += f", nor are its broader codes {', '.join(candidates[1:])}"
            errors.append(
                FieldError(
                    pointer,
                    detail,
                    {
                        "code": value,
                        "codelist": Ref.from_json(enumeration).urn,
                        "dimension": dimension["id"],
                    },
                )
            )
    return errors


def _dsd_of(session: Session, row: SdmxStructure) -> SdmxStructure:
    if row.kind == "datastructure":
        return row
    if row.kind != "dataflow":
        detail = f"a dataset links to a dataflow or a DSD, not to a {row.kind}"
        raise InvalidMetadata(detail, [FieldError("/urn", detail)])
    target = row.document.get("structure")
    if not target:
        raise Conflict(f"dataflow {_ref_of_row(row).label} names no DSD")
    dsd = find_structure(session, Ref.from_json(target))
    if dsd is None:
        raise Conflict(
            f"the DSD of dataflow {_ref_of_row(row).label}, {Ref.from_json(target).label}, is "
            "not stored: import it first",
            structure=Ref.from_json(target).urn,
        )
    return dsd


def link_of(session: Session, dataset: Dataset) -> DatasetSdmxLink | None:
    """The dataset's link to an SDMX structure, if any."""
    return session.get(DatasetSdmxLink, dataset.id)


def check_codes(session: Session, dataset: Dataset, document: Mapping[str, Any]) -> None:
    """Refuse a document whose codes the linked DSD's codelists lack (if it is linked).

    Raises:
        InvalidMetadata: some codes are not in the DSD's codelists.
    """
    link = link_of(session, dataset)
    if link is None:
        return
    dsd = session.get(SdmxStructure, link.dsd_id)
    assert dsd is not None  # noqa: S101 # guaranteed by the foreign key
    errors = dsd_code_errors(session, dsd, document)
    if errors:
        raise InvalidMetadata(
            f"the dataset is linked to {_ref_of_row(dsd).label}, whose codelists do not have "
            "some of its codes: change the codes, or unlink or relink the dataset first",
            errors,
        )


def link_dataset(
    session: Session, *, actor: Principal, name: str, target: Ref, if_match: int | None = None
) -> Dataset:
    """Link a dataset to a stored dataflow (and so its DSD) or DSD.

    Raises:
        NotFound: no such dataset visible to the caller, or the structure is not stored.
        Forbidden: the caller is not a steward of the publisher.
        PreconditionFailed: stale If-Match.
        InvalidMetadata: the target is not a dataflow or DSD, or the dataset's codes are
            not in the DSD's codelists (each listed with field, code and codelist).
        Conflict: the dataflow's DSD is not stored.
    """
    dataset, _ = datasets.stewarded_dataset(session, actor=actor, name=name)
    datasets.check_if_match(dataset, if_match, required=False)
    row = get_structure(session, target)
    dsd = _dsd_of(session, row)
    errors = dsd_code_errors(session, dsd, dataset.document)
    if errors:
        raise InvalidMetadata(
            f"the dataset's codes are not all in the codelists of {_ref_of_row(dsd).label}",
            errors,
        )
    assert row.id is not None  # noqa: S101 # stored rows have ids
    assert dsd.id is not None  # noqa: S101
    link = link_of(session, dataset)
    if link is not None and link.structure_id == row.id:
        return dataset
    old = session.get(SdmxStructure, link.structure_id) if link is not None else None
    if link is None:
        link = DatasetSdmxLink(
            dataset_id=dataset.id, structure_id=row.id, dsd_id=dsd.id, linked_by=actor.name
        )
    link.structure_id, link.dsd_id = row.id, dsd.id
    link.linked_at, link.linked_by = utcnow(), actor.name
    session.add(link)
    datasets.record_change(
        session,
        dataset,
        actor=actor,
        action="sdmx_link",
        changes=[{"path": "/sdmx", "old": old.urn if old else None, "new": row.urn}],
        details={"structure": row.urn, "dsd": dsd.urn},
    )
    session.commit()
    return dataset


def unlink_dataset(
    session: Session, *, actor: Principal, name: str, if_match: int | None = None
) -> Dataset:
    """Remove a dataset's link to its SDMX structure.

    Raises:
        NotFound: no such dataset visible to the caller, or it is not linked.
        Forbidden: the caller is not a steward of the publisher.
        PreconditionFailed: stale If-Match.
    """
    dataset, _ = datasets.stewarded_dataset(session, actor=actor, name=name)
    datasets.check_if_match(dataset, if_match, required=False)
    link = link_of(session, dataset)
    if link is None:
        raise NotFound(f"'{name}' is not linked to an SDMX structure")
    old = session.get(SdmxStructure, link.structure_id)
    session.delete(link)
    datasets.record_change(
        session,
        dataset,
        actor=actor,
        action="sdmx_unlink",
        changes=[{"path": "/sdmx", "old": old.urn if old else None, "new": None}],
        details={"structure": old.urn if old else None},
    )
    session.commit()
    return dataset


def _named_ref(row: SdmxStructure) -> dict[str, Any]:
    body: dict[str, Any] = dict(_ref_of_row(row).to_json())
    body["name"] = row.name
    return body


def dataset_sdmx_views(
    session: Session, dataset_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """The ``sdmx`` member of each linked dataset's JSON: structure, DSD and components."""
    if not dataset_ids:
        return {}
    links = session.exec(
        select(DatasetSdmxLink).where(col(DatasetSdmxLink.dataset_id).in_(dataset_ids))
    ).all()
    if not links:
        return {}
    wanted = {link.structure_id for link in links} | {link.dsd_id for link in links}
    rows = {
        row.id: row
        for row in session.exec(
            select(SdmxStructure).where(col(SdmxStructure.id).in_(wanted))
        ).all()
    }
    resolver = _Resolver(session)
    components: dict[int, dict[str, list[dict[str, Any]]]] = {}
    views = {}
    for link in links:
        structure, dsd = rows[link.structure_id], rows[link.dsd_id]
        if link.dsd_id not in components:
            components[link.dsd_id] = _components(dsd, resolver, with_codes=False)
        views[link.dataset_id] = {
            "structure": _named_ref(structure),
            "dsd": _named_ref(dsd),
            "linked_at": link.linked_at.isoformat(),
            **components[link.dsd_id],
        }
    return views


def dataset_sdmx_view(session: Session, dataset: Dataset) -> dict[str, Any] | None:
    """The ``sdmx`` member of one dataset's JSON, or ``None`` when it is not linked."""
    return dataset_sdmx_views(session, [dataset.id]).get(dataset.id)


# ---------------------------------------------------------------------------- StatDCAT


@dataclass(frozen=True)
class StatComponent:
    """A dimension or attribute of a dataset's DSD, as plain data for StatDCAT-AP.

    Attributes:
        id: The component id in the DSD (``REF_AREA``).
        iri: The SDMX URN of its concept (an IRI), or of the component when the concept's
            scheme is unknown.
        label: The concept's name by language, when its concept scheme is stored.
        codelist: The URN of the codelist enumerating it, if any.
    """

    id: str
    iri: str
    label: Mapping[str, str]
    codelist: str | None = None


def _stat_components(
    dsd: SdmxStructure, components: Iterable[Mapping[str, Any]], resolver: _Resolver
) -> list[StatComponent]:
    result = []
    for component in components:
        concept = component.get("concept") or {}
        entry = resolver.concept(concept) or {}
        enumeration = _enumeration(component, resolver)
        iri = concept.get("urn") or f"{dsd.urn}.{component['id']}"
        result.append(
            StatComponent(
                id=component["id"],
                iri=iri,
                label=dict(entry.get("name") or {}),
                codelist=Ref.from_json(enumeration).urn if enumeration else None,
            )
        )
    return result


def statistical_components(
    session: Session, dataset: Dataset
) -> tuple[list[StatComponent], list[StatComponent], str | None]:
    """A dataset's dimensions and attributes from its linked DSD, and its dataflow's URN.

    For the StatDCAT-AP mapping (``stat:dimension``, ``stat:attribute``): each component
    comes with an IRI (its concept's SDMX URN) and its labels. Returns ``([], [], None)``
    for a dataset without a link; the URN is ``None`` when the link is to a DSD directly.
    """
    link = link_of(session, dataset)
    if link is None:
        return [], [], None
    dsd = session.get(SdmxStructure, link.dsd_id)
    structure = session.get(SdmxStructure, link.structure_id)
    assert dsd is not None  # noqa: S101 # guaranteed by the foreign keys
    assert structure is not None  # noqa: S101
    resolver = _Resolver(session)
    dimensions = _stat_components(dsd, dsd.document["dimensions"], resolver)
    attributes = _stat_components(dsd, dsd.document["attributes"], resolver)
    return dimensions, attributes, structure.urn if structure.kind == "dataflow" else None
