"""Datasets: register, find, change, publish and withdraw, with revisions and audit.

A dataset's metadata document (validated against the profile schema it records) is the
source of truth; the table columns and the search index are projections of it kept in
step by this module, in the same transaction as the change and its audit event.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import bindparam, delete, exists, func
from sqlmodel import Session, col, select

import metadata_schemas
from catalog import audit, quality, readiness
from catalog.db import Listing, ModelRows, RowsPerDataset, fetch_together, utcnow
from catalog.errors import (
    BadRequest,
    Conflict,
    FieldError,
    GovernanceIncomplete,
    InvalidMetadata,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from catalog.models import (
    Dataset,
    DatasetPolicy,
    DatasetRevision,
    DatasetSdmxLink,
    DatasetStatus,
    DatasetTheme,
    Distribution,
    HarvestRecord,
    LegalBasis,
    Organization,
)
from catalog.principals import Principal
from catalog.search import (
    FACET_FIELDS,
    IndexEntry,
    SearchQuery,
    SortKey,
    Visibility,
    facet_condition,
    fold,
    parse_query,
    search_index,
)
from catalog.validation import dataset_document_errors, require_object
from catalog.vocabularies import canonical_filter

PROFILE = metadata_schemas.DATASET_SCHEMA
# Revisions start at 1, so 0 can stand for ``If-Match: *`` (any current revision).
ANY_REVISION = 0
# If-Match held something that is none of the catalog's ETags (weak, foreign, malformed).
NO_REVISION = -1
# Members of the JSON representation that the server computes; a client may send them
# back unchanged (GET, edit, PUT) and they are ignored.
READ_ONLY_MEMBERS = frozenset(
    {
        "id",
        "iri",
        "status",
        "revision",
        "created",
        "modified",
        "issued",
        "withdrawn",
        "profile",
        "organization",
        "distributions",
        "links",
        "quality",
        "sdmx",
        "governance",
        "harvest",
    }
)


@dataclass(frozen=True)
class Attached:
    """Which kinds of governance and linking records a listed dataset has.

    Read with the datasets themselves, so that a listing queries only the kinds that
    some dataset of the page has: most pages have no SDMX link or harvest record, and
    every statement is a round trip on PostgreSQL.
    """

    legal_basis: bool = True
    policy: bool = True
    sdmx_link: bool = True
    harvest_record: bool = True


@dataclass(frozen=True)
class Page:
    """One page of datasets with the total and facet counts of the whole result."""

    datasets: list[Dataset]
    total: int
    facets: dict[str, dict[str, int]]
    offset: int
    limit: int
    attached: dict[uuid.UUID, Attached] = field(default_factory=dict)
    # With ``details`` (search_datasets): what a listing shows of each dataset, read in
    # the same round trip as the datasets.
    publishers: dict[int, Organization] = field(default_factory=dict)
    distributions: dict[uuid.UUID, list[Distribution]] = field(default_factory=dict)
    legal_bases: dict[uuid.UUID, list[LegalBasis]] = field(default_factory=dict)

    def attached_to(self, dataset_id: uuid.UUID) -> Attached:
        """What is attached to one of the page's datasets (everything, if not known)."""
        return self.attached.get(dataset_id, _UNKNOWN)


_UNKNOWN = Attached()


# --------------------------------------------------------------------------- visibility


# What a listing shows unless asked for a status: withdrawn datasets stay reachable by
# name but are not listed.
LISTED_STATUSES = (DatasetStatus.PUBLISHED.value, DatasetStatus.DRAFT.value)


def listed_condition(session: Session, actor: Principal) -> str | None:
    """A SQL condition on the dataset row ``d``: the datasets ``actor`` sees listed.

    ``None`` when there are none. The condition is built from integers only (the
    allowed facet combinations), so it needs no parameters.
    """
    query = SearchQuery(
        filters={"status": LISTED_STATUSES}, visibility=visibility_for(session, actor)
    )
    condition = facet_condition(query).resolve(session)
    return None if condition.is_nothing else "1 = 1" + condition.combo_in("d.facet_combo")


def visibility_for(session: Session, actor: Principal) -> Visibility:
    """What ``actor`` may see: published records, plus its own organizations' drafts."""
    if actor.is_auditor or actor.is_admin:
        return Visibility(everything=True)
    own: tuple[str, ...] = ()
    readable = actor.readable_organization_ids
    if readable:
        own = tuple(
            session.exec(select(Organization.name).where(col(Organization.id).in_(readable))).all()
        )
    return Visibility(own_publishers=own)


def can_view(actor: Principal, dataset: Dataset) -> bool:
    """Whether ``actor`` may see ``dataset``'s metadata."""
    if dataset.status != DatasetStatus.DRAFT:
        return True
    return (
        actor.is_auditor
        or actor.is_admin
        or dataset.publisher_id in actor.readable_organization_ids
    )


def get_dataset(session: Session, *, actor: Principal, name: str) -> Dataset:
    """Return the dataset ``name`` if ``actor`` may see it.

    Raises:
        NotFound: no such dataset, or a draft of another organization (whose existence
            is not disclosed).
    """
    dataset = session.exec(select(Dataset).where(Dataset.name == name)).first()
    if dataset is None or not can_view(actor, dataset):
        raise NotFound(f"there is no dataset named '{name}'")
    return dataset


def publisher_of(session: Session, dataset: Dataset) -> Organization:
    """The dataset's publishing organization."""
    organization = session.get(Organization, dataset.publisher_id)
    assert organization is not None  # noqa: S101 # guaranteed by the foreign key
    return organization


def stewarded_dataset(
    session: Session, *, actor: Principal, name: str
) -> tuple[Dataset, Organization]:
    """The dataset ``name`` and its publisher, if ``actor`` may write on its behalf.

    Raises:
        NotFound: no such dataset visible to the caller.
        Unauthenticated: anonymous caller.
        Forbidden: the caller is not a steward of the publisher nor an administrator.
    """
    dataset = get_dataset(session, actor=actor, name=name)
    publisher = publisher_of(session, dataset)
    assert publisher.id is not None  # noqa: S101 # persisted organizations have ids
    actor.require_steward(publisher.id, publisher.name)
    return dataset, publisher


def list_distributions(session: Session, dataset: Dataset) -> list[Distribution]:
    """The dataset's distributions in their display order."""
    return list(
        session.exec(
            select(Distribution)
            .where(Distribution.dataset_id == dataset.id)
            .order_by(col(Distribution.position), col(Distribution.created))
        ).all()
    )


# ------------------------------------------------------------------------ search & list


def search_datasets(
    session: Session,
    *,
    actor: Principal,
    text: str | None = None,
    filters: Mapping[str, Sequence[str]] | None = None,
    sort: SortKey | None = None,
    offset: int = 0,
    limit: int = 20,
    min_quality: int | None = None,
    details: bool = False,
) -> Page:
    """Find datasets by free text and filters, with facet counts over all matches.

    Filters combine with OR within a facet and AND across facets. Unless a status filter
    is given, withdrawn datasets are left out (they stay reachable by name).
    ``min_quality`` keeps datasets whose metadata quality score reaches it. With
    ``details``, the page also holds every organization and the page's distributions
    and legal bases. The page's records are read-only instances in no session
    (:class:`catalog.db.ModelRows`): get a dataset by name to change it.

    Raises:
        BadRequest: a filter value that is no code of its vocabulary, no status or no
            organization's name.
    """
    clean = {
        name: canonical_filter(name, tuple(dict.fromkeys(v for v in values if v)))
        for name, values in (filters or {}).items()
        if name in FACET_FIELDS and any(values)
    }
    if "status" in clean:
        clean["status"] = _statuses(clean["status"])
    if "publisher" in clean:
        clean["publisher"] = _publishers(session, clean["publisher"])
    if "status" not in clean:
        clean["status"] = LISTED_STATUSES
    parsed = parse_query(text) if text else None
    has_text = parsed is not None and not parsed.is_empty
    query = SearchQuery(
        text=parsed if has_text or (parsed is not None and parsed.finds_nothing) else None,
        filters=clean,
        visibility=visibility_for(session, actor),
        sort=sort or ("relevance" if has_text else "modified"),
        offset=offset,
        limit=limit,
        min_quality=min_quality,
    )
    result = search_index(session).search(session, query)
    if not details:
        found, attached = _load(session, result.ids)
        return Page(found, result.total, result.facets, offset, limit, attached)
    return _load_details(session, Page([], result.total, result.facets, offset, limit), result.ids)


def _publishers(session: Session, values: tuple[str, ...]) -> tuple[str, ...]:
    """The organization names a ``publisher`` filter gives, matched without regard to case.

    An unknown name is refused, as an unknown code is, rather than answered with an
    empty page that reads as "this organization publishes nothing".
    """
    names = {name.lower(): name for name in session.exec(select(Organization.name)).all()}
    unknown = [value for value in values if value.lower() not in names]
    if unknown:
        close = difflib.get_close_matches(unknown[0].lower(), list(names), n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise BadRequest(f"publisher: no organization is named '{unknown[0]}'{hint}")
    return tuple(dict.fromkeys(names[value.lower()] for value in values))


def _statuses(values: tuple[str, ...]) -> tuple[str, ...]:
    known = [status.value for status in DatasetStatus]
    unknown = [value for value in values if value.lower() not in known]
    if unknown:
        raise BadRequest(f"status: '{unknown[0]}' is not one of {', '.join(known)}")
    return tuple(dict.fromkeys(value.lower() for value in values))


# Built once: constructing this statement (and its cache key) per call cost more than
# running it on SQLite (0.35 ms of 0.95 ms, measured for a page of 20).
_WITH_ATTACHED = ModelRows(
    Dataset,
    *(
        exists().where(col(kind.dataset_id) == Dataset.id)
        for kind in (LegalBasis, DatasetPolicy, DatasetSdmxLink, HarvestRecord)
    ),
    where=col(Dataset.id).in_(bindparam("ids", expanding=True)),
)
_ORGANIZATIONS = ModelRows(Organization)
# In display order; catalog.distributions reads them this way too.
DISTRIBUTIONS_OF = RowsPerDataset(
    Distribution, col(Distribution.position), col(Distribution.created)
)


def _load(
    session: Session, ids: Sequence[uuid.UUID]
) -> tuple[list[Dataset], dict[uuid.UUID, Attached]]:
    """The datasets in ``ids`` order, with what is attached to each (one statement)."""
    if not ids:
        return [], {}
    (rows,) = fetch_together(session, (_WITH_ATTACHED, {"ids": list(ids)}))
    return _in_order(ids, rows)


def _in_order(
    ids: Sequence[uuid.UUID], rows: Sequence[Sequence[Any]]
) -> tuple[list[Dataset], dict[uuid.UUID, Attached]]:
    by_id: dict[uuid.UUID, Dataset] = {}
    attached: dict[uuid.UUID, Attached] = {}
    for dataset, *flags in rows:
        by_id[dataset.id] = dataset
        attached[dataset.id] = Attached(*(bool(flag) for flag in flags))
    return [by_id[i] for i in ids if i in by_id], attached


def _load_details(session: Session, page: Page, ids: Sequence[uuid.UUID]) -> Page:
    """``page`` with its datasets, every organization, and its distributions and legal bases.

    One round trip on PostgreSQL: each statement through the ORM cost more than the
    search itself for a narrow query.
    """
    wanted = {"ids": list(ids)}
    if not ids:
        (organizations,) = fetch_together(session, (_ORGANIZATIONS, {}))
        return replace(page, publishers={org.id: org for (org,) in organizations})
    datasets, organizations, distributions, legal_bases = fetch_together(
        session,
        (_WITH_ATTACHED, wanted),
        (_ORGANIZATIONS, {}),
        (DISTRIBUTIONS_OF.lean, wanted),
        (readiness.LEGAL_BASES_OF.lean, wanted),
    )
    found, attached = _in_order(ids, datasets)
    return replace(
        page,
        datasets=found,
        attached=attached,
        publishers={org.id: org for (org,) in organizations},
        distributions=RowsPerDataset.grouped(ids, (row for (row,) in distributions)),
        legal_bases=RowsPerDataset.grouped(ids, (row for (row,) in legal_bases)),
    )


# ------------------------------------------------------------------------------ writing


def index_entry(dataset: Dataset, publisher: Organization) -> IndexEntry:
    """What the search index keeps of ``dataset``."""
    return entry_for(
        dataset.id,
        dataset.name,
        dataset.document,
        dataset.status,
        publisher,
        modified=dataset.modified,
        quality=dataset.quality_score,
    )


def entry_for(
    dataset_id: uuid.UUID,
    name: str,
    document: Mapping[str, Any],
    status: str,
    publisher: Organization,
    *,
    modified: dt.datetime,
    quality: int,
) -> IndexEntry:
    """The index entry of a dataset given its parts (bulk paths have no model object)."""
    keywords = " ".join(word for words in document.get("keywords", {}).values() for word in words)
    profile = document.get("labour_migration", {})
    other = " ".join(
        str(part)
        for part in (
            name,
            document.get("identifier", ""),
            publisher.acronym,
            *publisher.title.values(),
            profile.get("source_system", ""),
            document.get("version", ""),
        )
        if part
    )
    return IndexEntry(
        dataset_id=dataset_id,
        title=" ".join(document["title"].values()),
        keywords=keywords,
        description=" ".join(document["description"].values()),
        other=other,
        publisher=publisher.name,
        country=publisher.country,
        access_rights=document["access_rights"],
        personal_data=document["personal_data"],
        status=status,
        themes=tuple(document.get("themes", ())),
        name=name,
        sort_title=_sort_title(document["title"]),
        modified=modified,
        quality=quality,
    )


def reindex(session: Session, datasets: Sequence[Dataset]) -> None:
    """Write the datasets' current state to the search index."""
    publishers = {
        org.id: org
        for org in session.exec(
            select(Organization).where(col(Organization.id).in_({d.publisher_id for d in datasets}))
        ).all()
    }
    combinations = search_index(session).index(
        session, [index_entry(dataset, publishers[dataset.publisher_id]) for dataset in datasets]
    )
    for dataset, combination in zip(datasets, combinations, strict=True):
        dataset.facet_combo = combination
        session.add(dataset)


def _sort_title(title: Mapping[str, str]) -> str:
    first = title.get("es") or title.get("en") or next(iter(title.values()), "")
    return fold(first)[:500]


def document_columns(document: dict[str, Any], publisher: Organization) -> dict[str, Any]:
    """The dataset columns projected from ``document`` (and its publisher)."""
    assert publisher.id is not None  # noqa: S101 # persisted organizations have ids
    return {
        "document": document,
        "title": dict(document["title"]),
        "description": dict(document["description"]),
        "sort_title": _sort_title(document["title"]),
        "access_rights": document["access_rights"],
        "personal_data": document["personal_data"],
        "publisher_id": publisher.id,
        "country": publisher.country,
        "profile": PROFILE,
    }


def replace_themes(session: Session, dataset: Dataset) -> None:
    """Rewrite the dataset's theme rows from its document (no commit)."""
    session.execute(delete(DatasetTheme).where(col(DatasetTheme.dataset_id) == dataset.id))
    for theme in dict.fromkeys(dataset.document.get("themes", ())):
        session.add(DatasetTheme(dataset_id=dataset.id, theme=theme))


def changes_between(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """List what changed from ``old`` to ``new`` as ``{path, old, new}`` (JSON Pointers).

    Objects are compared member by member; lists and scalars are compared whole, which
    keeps the record readable ("keywords/es changed from [...] to [...]").
    """
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        changes: list[dict[str, Any]] = []
        for key in sorted(set(old) | set(new)):
            pointer = f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if key not in new:
                changes.append({"path": pointer, "old": old[key], "new": None})
            elif key not in old:
                changes.append({"path": pointer, "old": None, "new": new[key]})
            else:
                changes.extend(changes_between(old[key], new[key], pointer))
        return changes
    return [] if old == new else [{"path": path or "/", "old": old, "new": new}]


def _resolve_publisher(
    session: Session, document: Mapping[str, Any], prefix: str = ""
) -> Organization:
    organization = session.exec(
        select(Organization).where(Organization.name == document["publisher"])
    ).first()
    if organization is None:
        raise InvalidMetadata(
            "the dataset is not valid",
            [
                FieldError(
                    f"{prefix}/publisher", f"no organization is named '{document['publisher']}'"
                )
            ],
        )
    return organization


def new_record_errors(document: Mapping[str, Any], prefix: str = "") -> list[FieldError]:
    """Members a new dataset's document carries that registering it would drop.

    The read-only members are ignored so that a document read back can be sent again,
    but distributions are records of their own, added once the dataset exists: a new
    dataset that lists some would otherwise be registered without them, unnoticed.
    """
    if document.get("distributions") in (None, []):
        return []
    return [
        FieldError(
            f"{prefix}/distributions",
            "distributions are not registered with the dataset: register it without "
            "them, then add each one under the dataset's distributions",
        )
    ]


def status_errors(sent: Any, *, name: str, status: str, new: bool) -> list[FieldError]:
    """Why the ``status`` sent with a dataset's document is not the one it has (or will have).

    ``status`` is the dataset's status, or the one a new dataset is registered with. The
    status is a read-only member, so that a document read back can be sent again; one
    that differs would otherwise be ignored, and a steward who sent ``published`` left
    with a draft, none the wiser.
    """
    if sent is None or sent == status:
        return []
    publish = f"publish it with POST /datasets/{name}/publish"
    if new:
        state = f"a new dataset is registered as {status}"
        how = f"{publish}, or register it with ?status=published"
    else:
        state = f"'{name}' is {status}"
        how = f"{publish}, or withdraw it with POST /datasets/{name}/withdraw"
    shown = f"'{sent}'" if isinstance(sent, str) else "that"
    return [
        FieldError(
            "/status",
            f"{state}, not {shown}: the status does not change with the document; {how}",
        )
    ]


# Members of a distribution's JSON that the server writes: not compared when it is sent
# back with its dataset.
_DISTRIBUTION_SERVER_MEMBERS = frozenset({"id", "dataset", "created", "modified", "data_url"})
# A file the catalog holds (or a restricted distribution, even awaiting its file) is
# reached through its data endpoint: its JSON shows that endpoint as its access (and,
# unless restricted, download) URL, or no URL once the dataset is withdrawn.
_HELD_FILE_LINKS = frozenset({"access_url", "download_url"})


def distribution_errors(
    sent: Any, stored: Sequence[Distribution], *, name: str
) -> list[FieldError]:
    """Why the ``distributions`` sent with a dataset's document are not the ones it has.

    Distributions are records of their own, changed one by one under the dataset's
    distributions. A document read back may be sent again with them, or without them;
    a list that differs would otherwise be ignored, and the steward none the wiser.
    """
    if sent is None:
        return []
    difference = _distribution_difference(sent, stored)
    if difference is None:
        return []
    return [
        FieldError(
            "/distributions",
            f"{difference}: distributions do not change with the dataset's document; add, "
            f"replace or remove each one under /datasets/{name}/distributions, and send "
            "them back as read or leave them out",
        )
    ]


def _distribution_difference(sent: Any, stored: Sequence[Distribution]) -> str | None:
    if not isinstance(sent, list):
        return "not the list of the dataset's distributions"
    if len(sent) != len(stored):
        return f"{len(sent)} sent where the dataset has {len(stored)}"
    for index, (item, distribution) in enumerate(zip(sent, stored, strict=True)):
        if not isinstance(item, Mapping) or not _same_id(item.get("id"), distribution.id):
            return f"item {index} is not the dataset's distribution {distribution.id}"
        ignored = _DISTRIBUTION_SERVER_MEMBERS
        if distribution.served_by_catalog:
            ignored |= _HELD_FILE_LINKS
        if "storage_key" not in item:
            # Shown only to the publisher's stewards: another reader's copy lacks it.
            ignored |= {"storage_key"}
        have = {k: v for k, v in distribution.document.items() if k not in ignored}
        got = {k: v for k, v in item.items() if k not in ignored}
        differing = sorted(k for k in have.keys() | got.keys() if have.get(k) != got.get(k))
        if differing:
            return f"distribution {index} ({distribution.id}) differs in {', '.join(differing)}"
    return None


def _same_id(value: Any, distribution_id: uuid.UUID) -> bool:
    try:
        return isinstance(value, str) and uuid.UUID(value) == distribution_id
    except ValueError:
        return False


def _validated(
    document: Any,
    *,
    status: str,
    stored: Sequence[Distribution] | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """The document, checked, without its read-only members.

    ``status`` is the dataset's status (or a new one's); ``stored`` and ``name`` are the
    dataset's distributions and name, ``None`` for a new dataset. Read-only members sent
    back as they were are ignored; ones that differ are refused, as they would not be
    written.

    Raises:
        InvalidMetadata: the document is not valid, or a read-only member differs.
    """
    document = dict(require_object(document, "dataset"))
    new = stored is None
    if name is None:
        name = document["name"] if isinstance(document.get("name"), str) else "NAME"
    errors = status_errors(document.get("status"), name=name, status=status, new=new)
    if stored is None:
        errors += new_record_errors(document)
    else:
        errors += distribution_errors(document.get("distributions"), stored, name=name)
    for member in READ_ONLY_MEMBERS:
        document.pop(member, None)
    errors += dataset_document_errors(document)
    if errors:
        raise InvalidMetadata("the dataset is not valid", errors)
    return copy.deepcopy(document)


def record_revision(
    session: Session,
    dataset: Dataset,
    *,
    actor: Principal,
    action: str,
    changes: list[dict[str, Any]],
) -> None:
    """Store the dataset's current revision with its changes (no commit)."""
    session.add(
        DatasetRevision(
            dataset_id=dataset.id,
            revision=dataset.revision,
            action=action,
            actor=actor.name,
            user_id=actor.user_id,
            time=dataset.modified,
            changes=changes,
            document=copy.deepcopy(dataset.document),
            status=dataset.status,
        )
    )


def require_publishable(
    session: Session,
    *,
    name: str,
    document: Mapping[str, Any],
    dataset_id: uuid.UUID | None,
    at: dt.datetime,
    advice: str = "",
) -> None:
    """Refuse to publish a dataset (``document``) whose governance records fall short.

    The rules are :mod:`catalog.readiness`'s: personal or sensitive data needs a legal
    basis valid at ``at``; restricted personal or sensitive data also needs an offer
    policy. ``dataset_id`` is None for a dataset that does not exist yet (it has neither).

    Raises:
        GovernanceIncomplete: something is missing; ``missing`` lists what.
    """
    bases, with_policy = readiness.governance_records(
        session, [dataset_id] if dataset_id is not None else []
    )
    check = readiness.assess_document(
        document,
        status=DatasetStatus.PUBLISHED,
        legal_bases=bases.get(dataset_id, []) if dataset_id is not None else [],
        has_policy=dataset_id in with_policy,
        at=at,
    ).publish
    if not check.ready:
        raise GovernanceIncomplete(
            f"'{name}' cannot be published: {readiness.missing_details(check.missing)}{advice}",
            missing=[r.to_dict() for r in check.missing],
        )


def create_dataset(
    session: Session, *, actor: Principal, document: Any, publish: bool = False
) -> Dataset:
    """Register a dataset as a draft (or published at once, if ``publish``).

    Raises:
        InvalidMetadata: the document fails its schema, names an unknown publisher,
            lists distributions or has a status other than the one it is registered with.
        Unauthenticated: anonymous caller.
        Forbidden: the caller is not a steward of the publisher.
        Conflict: the name is taken.
        GovernanceIncomplete: ``publish`` for personal or sensitive data, which needs a
            legal basis (and, if restricted, a policy) recorded before it is published.
    """
    actor.require_authenticated()
    status = DatasetStatus.PUBLISHED if publish else DatasetStatus.DRAFT
    document = _validated(document, status=status)
    publisher = _resolve_publisher(session, document)
    assert publisher.id is not None  # noqa: S101 # persisted organizations have ids
    actor.require_steward(publisher.id, publisher.name)
    if session.exec(select(Dataset.id).where(Dataset.name == document["name"])).first():
        raise Conflict(f"a dataset named '{document['name']}' already exists")
    now = utcnow()
    if publish:
        require_publishable(
            session,
            name=document["name"],
            document=document,
            dataset_id=None,
            at=now,
            advice=". Register it as a draft, record its legal basis (and policy), then publish it",
        )
    dataset = Dataset(
        name=document["name"],
        created=now,
        modified=now,
        revision=1,
        **document_columns(document, publisher),
    )
    dataset.status = status
    if publish:
        dataset.issued = now
    session.add(dataset)
    session.flush()
    replace_themes(session, dataset)
    refresh_quality(session, dataset)
    record_revision(
        session, dataset, actor=actor, action="create", changes=changes_between({}, document)
    )
    reindex(session, [dataset])
    audit.record(
        session,
        actor=actor,
        action="dataset.create",
        object_type="dataset",
        object_id=dataset.name,
        organization_id=publisher.id,
        details={"revision": 1, "status": dataset.status},
    )
    session.commit()
    return dataset


def refresh_quality(session: Session, dataset: Dataset) -> None:
    """Recompute the stored quality points from the document and the distributions."""
    assessed = quality.assess(
        dataset.document,
        [distribution.document for distribution in list_distributions(session, dataset)],
        issued=dataset.issued is not None,
    )
    for column, points in quality.stored_columns(assessed).items():
        setattr(dataset, column, points)


def check_if_match(dataset: Dataset, if_match: int | None, *, required: bool = True) -> None:
    """Enforce optimistic concurrency on ``dataset`` (see :func:`check_revision`)."""
    check_revision(dataset.revision, if_match, "dataset", required=required)


def check_revision(current: int, if_match: int | None, what: str, *, required: bool) -> None:
    """Optimistic concurrency for a record (``what``) at revision ``current``.

    Raises:
        PreconditionRequired: ``if_match`` is missing and required.
        PreconditionFailed: ``if_match`` names another revision, or none
            (:data:`NO_REVISION`).
    """
    if if_match is None:
        if required:
            raise PreconditionRequired(
                f"send If-Match with the ETag of the {what} you edited, so that a concurrent "
                "change is not overwritten"
            )
        return
    if if_match in (current, ANY_REVISION):
        return
    if if_match == NO_REVISION:
        reason = (
            f"If-Match holds no ETag of this {what}: send the ETag it was returned with, "
            f'now "{current}" (a weak ETag never matches)'
        )
    elif if_match > current:
        reason = f"the {what} has no revision {if_match}: it is at revision {current}"
    else:
        reason = (
            f"the {what} was changed since revision {if_match}: it is now at revision "
            f"{current}; fetch it again and reapply your change"
        )
    raise PreconditionFailed(reason, current_revision=current)


def record_change(
    session: Session,
    dataset: Dataset,
    *,
    actor: Principal,
    action: str,
    changes: list[dict[str, Any]],
    details: dict[str, Any] | None = None,
) -> None:
    """Bump the dataset's revision and record the change, reindex and audit it (no commit)."""
    dataset.revision += 1
    dataset.modified = utcnow()
    refresh_quality(session, dataset)
    session.add(dataset)
    record_revision(session, dataset, actor=actor, action=action, changes=changes)
    reindex(session, [dataset])
    audit.record(
        session,
        actor=actor,
        action=f"dataset.{action}",
        object_type="dataset",
        object_id=dataset.name,
        organization_id=dataset.publisher_id,
        details={"revision": dataset.revision, **(details or {})},
    )


def update_dataset(
    session: Session,
    *,
    actor: Principal,
    name: str,
    document: Any,
    if_match: int | None,
    merge: bool = False,
) -> Dataset:
    """Replace (or, with ``merge``, JSON-merge-patch) a dataset's document.

    Raises:
        NotFound: no such dataset visible to the caller.
        Forbidden: the caller is not a steward of the publisher.
        PreconditionRequired: no If-Match.
        PreconditionFailed: stale If-Match.
        InvalidMetadata: the new document is invalid, tries to rename or move it, has
            distributions or a status other than the dataset's (they have endpoints of
            their own), or (for a dataset linked to an SDMX structure) uses codes the
            DSD's codelists do not have.
        GovernanceIncomplete: the dataset is published and the change of its
            classification or access rights needs a legal basis or policy it lacks.
    """
    dataset, publisher = stewarded_dataset(session, actor=actor, name=name)
    check_if_match(dataset, if_match)
    if merge:
        patch = require_object(document, "merge patch")
        document = merge_patch(dataset.document, patch)
    document = _validated(
        document,
        status=dataset.status,
        stored=list_distributions(session, dataset),
        name=dataset.name,
    )
    fixed = [
        FieldError(f"/{member}", f"cannot be changed (it is '{dataset.document[member]}')")
        for member in ("name", "publisher")
        if document.get(member) != dataset.document[member]
    ]
    if fixed:
        raise InvalidMetadata("the dataset is not valid", fixed)
    changes = changes_between(dataset.document, document)
    if not changes:
        return dataset
    # Imported here: catalog.sdmx builds on this module (links are dataset changes).
    from catalog.sdmx import check_codes

    check_codes(session, dataset, document)
    governed = ("personal_data", "access_rights")
    if dataset.status == DatasetStatus.PUBLISHED and any(
        document[member] != dataset.document[member] for member in governed
    ):
        # Otherwise publishing "none" and then reclassifying would bypass the guard.
        require_publishable(
            session, name=name, document=document, dataset_id=dataset.id, at=utcnow()
        )
    for column, value in document_columns(document, publisher).items():
        setattr(dataset, column, value)
    replace_themes(session, dataset)
    record_change(
        session,
        dataset,
        actor=actor,
        action="update",
        changes=changes,
        details={"changed": [change["path"] for change in changes]},
    )
    session.commit()
    return dataset


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply an RFC 7396 JSON merge patch."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def publish_dataset(
    session: Session, *, actor: Principal, name: str, if_match: int | None = None
) -> Dataset:
    """Publish a draft, or reinstate a withdrawn dataset.

    Raises:
        NotFound: no such dataset visible to the caller.
        Forbidden: the caller is not a steward of the publisher.
        PreconditionFailed: stale If-Match.
        Conflict: the dataset is already published.
        GovernanceIncomplete: personal or sensitive data without a legal basis valid now,
            or restricted personal or sensitive data without an offer policy.
    """
    dataset, _ = stewarded_dataset(session, actor=actor, name=name)
    check_if_match(dataset, if_match, required=False)
    if dataset.status == DatasetStatus.PUBLISHED:
        raise Conflict(f"'{name}' is already published")
    require_publishable(
        session, name=name, document=dataset.document, dataset_id=dataset.id, at=utcnow()
    )
    previous = dataset.status
    dataset.status = DatasetStatus.PUBLISHED
    dataset.withdrawn_at = None
    dataset.withdrawal_reason = None
    if dataset.issued is None:
        dataset.issued = utcnow()
    record_change(
        session,
        dataset,
        actor=actor,
        action="publish",
        changes=[{"path": "/status", "old": previous, "new": DatasetStatus.PUBLISHED.value}],
    )
    session.commit()
    return dataset


def withdraw_dataset(
    session: Session, *, actor: Principal, name: str, reason: str, if_match: int | None = None
) -> Dataset:
    """Withdraw a published dataset: it stays on record, with the reason, but is unlisted.

    Raises:
        NotFound: no such dataset visible to the caller.
        Forbidden: the caller is not a steward of the publisher.
        PreconditionFailed: stale If-Match.
        Conflict: the dataset is not published.
        InvalidMetadata: no reason was given.
    """
    dataset, _ = stewarded_dataset(session, actor=actor, name=name)
    check_if_match(dataset, if_match, required=False)
    if dataset.status != DatasetStatus.PUBLISHED:
        raise Conflict(
            f"only published datasets can be withdrawn; '{name}' is {dataset.status}"
            + (" (delete the draft instead)" if dataset.status == DatasetStatus.DRAFT else "")
        )
    reason = (reason or "").strip()
    if not reason:
        raise InvalidMetadata(
            "a reason is required", [FieldError("/reason", "say why it is withdrawn")]
        )
    dataset.status = DatasetStatus.WITHDRAWN
    dataset.withdrawn_at = utcnow()
    dataset.withdrawal_reason = reason[:2000]
    record_change(
        session,
        dataset,
        actor=actor,
        action="withdraw",
        changes=[{"path": "/status", "old": "published", "new": "withdrawn"}],
        details={"reason": dataset.withdrawal_reason},
    )
    session.commit()
    return dataset


def delete_draft(
    session: Session, *, actor: Principal, name: str, if_match: int | None = None
) -> None:
    """Delete a draft that was never published; published datasets are only withdrawn.

    Raises:
        NotFound: no such dataset visible to the caller.
        Forbidden: the caller is not a steward of the publisher.
        PreconditionFailed: stale If-Match.
        Conflict: the dataset was published at some time.
    """
    dataset, _ = stewarded_dataset(session, actor=actor, name=name)
    check_if_match(dataset, if_match, required=False)
    if dataset.status != DatasetStatus.DRAFT or dataset.issued is not None:
        raise Conflict(f"'{name}' has been published, so it is kept on record: withdraw it instead")
    search_index(session).remove(session, [dataset.id])
    audit.record(
        session,
        actor=actor,
        action="dataset.delete",
        object_type="dataset",
        object_id=dataset.name,
        organization_id=dataset.publisher_id,
        details={"revision": dataset.revision},
    )
    session.delete(dataset)
    session.commit()


def list_revisions(
    session: Session, *, actor: Principal, name: str, offset: int = 0, limit: int | None = None
) -> Listing[DatasetRevision]:
    """The dataset's revisions, newest first: the page from ``offset``, ``limit`` long.

    Raises:
        NotFound: no such dataset visible to the caller.
    """
    dataset = get_dataset(session, actor=actor, name=name)
    of_dataset = col(DatasetRevision.dataset_id) == dataset.id
    total = session.exec(select(func.count()).select_from(DatasetRevision).where(of_dataset))
    rows = session.exec(
        select(DatasetRevision)
        .where(of_dataset)
        .order_by(col(DatasetRevision.revision).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return Listing(list(rows), total=int(total.one()))


def get_revision(
    session: Session, *, actor: Principal, name: str, revision: int
) -> DatasetRevision:
    """One revision of a dataset.

    Raises:
        NotFound: no such dataset or revision.
    """
    dataset = get_dataset(session, actor=actor, name=name)
    row = session.exec(
        select(DatasetRevision).where(
            DatasetRevision.dataset_id == dataset.id, DatasetRevision.revision == revision
        )
    ).first()
    if row is None:
        raise NotFound(f"'{name}' has no revision {revision}")
    return row
