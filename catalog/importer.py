"""Bulk import of dataset documents: all or nothing, with a report of every bad record.

Records go through in chunks: worker processes validate them (schemas and
vocabularies) while the importer checks and writes the chunks already validated, with
set-based inserts inside a savepoint. If any record fails, writing stops, every later
record is still checked, and the import ends with the list of failures (JSON Pointers
into the imported list) and the savepoint rolled back: the catalog is unchanged. A
valid import commits once, so a hundred thousand records load in one transaction.

A record may carry its governance records beside the document: ``legal_bases`` (a list
of legal-basis documents) and ``policy`` (an offer, as ODRL JSON-LD or as
``{"template", "parameters"}``). A record imported as ``published`` must satisfy the
same rules as publishing one by hand (:mod:`catalog.readiness`): personal or sensitive
data needs a legal basis valid now, and restricted personal or sensitive data an offer.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from catalog import audit, quality, readiness
from catalog.dataset_policies import PreparedPolicy, prepare_policy
from catalog.datasets import (
    READ_ONLY_MEMBERS,
    changes_between,
    document_columns,
    entry_for,
    new_record_errors,
)
from catalog.db import bulk_insert, utcnow
from catalog.errors import FieldError, InvalidMetadata
from catalog.legal_bases import columns_of
from catalog.models import (
    Dataset,
    DatasetPolicy,
    DatasetRevision,
    DatasetStatus,
    DatasetTheme,
    LegalBasis,
    Organization,
)
from catalog.principals import Principal
from catalog.search import search_index
from catalog.validation import dataset_document_errors, legal_basis_document_errors
from catalog.workers import forked_workers

_STATUSES = (DatasetStatus.DRAFT.value, DatasetStatus.PUBLISHED.value)
_CHUNK = 2000
_PARALLEL_FROM = 4000  # below this, starting worker processes costs more than it saves
_ANALYZE_FROM = 1000  # imports this big change the tables' statistics noticeably
Progress = Callable[[int], None]


_GOVERNANCE_MEMBERS = frozenset({"legal_bases", "policy"})
_RECORD_MEMBER = {"legal-basis": "legal_bases", "policy": "policy"}


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    created: int
    published: int
    legal_bases: int = 0
    policies: int = 0


@dataclass(frozen=True)
class _Valid:
    document: dict[str, Any]
    status: str
    publisher: Organization
    legal_bases: list[dict[str, Any]]
    policy: PreparedPolicy | None


@dataclass(frozen=True)
class _ImportedBasis:
    """The part of a legal basis the publishing rules read (no model object: imports are big)."""

    basis: str
    valid_from: dt.date
    valid_until: dt.date | None
    ended_at: dt.datetime | None = None


def _validity(document: dict[str, Any]) -> dict[str, Any]:
    columns = columns_of(document)
    return {key: columns[key] for key in ("basis", "valid_from", "valid_until")}


def _document_of(record: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in record.items()
        if k not in READ_ONLY_MEMBERS and k not in _GOVERNANCE_MEMBERS
    }


def _validate_chunk(chunk: list[tuple[int, Any]]) -> list[FieldError]:
    errors: list[FieldError] = []
    for index, record in chunk:
        if not isinstance(record, dict):
            continue
        errors.extend(dataset_document_errors(_document_of(record), prefix=f"/{index}"))
        errors.extend(new_record_errors(record, prefix=f"/{index}"))
        bases = record.get("legal_bases", [])
        if not isinstance(bases, list):
            errors.append(FieldError(f"/{index}/legal_bases", "must be a list of legal bases"))
            continue
        for number, basis in enumerate(bases):
            pointer = f"/{index}/legal_bases/{number}"
            if isinstance(basis, dict):
                errors.extend(legal_basis_document_errors(basis, prefix=pointer))
            else:
                errors.append(FieldError(pointer, "expected a JSON object"))
    return errors


@contextmanager
def _validated_chunks(
    records: Sequence[Any],
) -> Iterator[Iterator[tuple[list[tuple[int, Any]], dict[int, list[FieldError]]]]]:
    """Chunks of ``(index, record)`` with their schema and vocabulary errors, in order.

    Validation is pure CPU (jsonschema), so large imports hand it to forked worker
    processes (sharing the loaded schemas and vocabularies), which run ahead through
    the later chunks while the caller checks and writes the earlier ones.
    """
    indexed = list(enumerate(records))
    chunks = [indexed[start : start + _CHUNK] for start in range(0, len(indexed), _CHUNK)]
    workers = min(os.cpu_count() or 1, len(chunks)) if len(records) >= _PARALLEL_FROM else 1
    with forked_workers(workers) as pool:
        if pool is None:
            yield ((chunk, _by_record(_validate_chunk(chunk))) for chunk in chunks)
        else:
            yield zip(chunks, map(_by_record, pool.map(_validate_chunk, chunks)), strict=True)


def _by_record(errors: list[FieldError]) -> dict[int, list[FieldError]]:
    by_record: dict[int, list[FieldError]] = {}
    for error in errors:
        by_record.setdefault(_record_index(error.pointer), []).append(error)
    return by_record


def _governance_errors(
    session: Session,
    record: dict[str, Any],
    document: dict[str, Any],
    status: str,
    publisher: Organization,
    base_uri: str | None,
    prefix: str,
) -> tuple[PreparedPolicy | None, list[FieldError]]:
    policy: PreparedPolicy | None = None
    if "policy" in record:
        if base_uri is None:
            return None, [
                FieldError(
                    f"{prefix}/policy",
                    "policies are imported only where the catalog's base URI is known "
                    "(simel import-datasets)",
                )
            ]
        try:
            policy = prepare_policy(
                session,
                name=document["name"],
                publisher=publisher,
                body=record["policy"],
                base_uri=base_uri,
                prefix=f"{prefix}/policy",
            )
        except InvalidMetadata as error:
            return None, list(error.errors)
    if status != DatasetStatus.PUBLISHED:
        return policy, []
    bases = [_ImportedBasis(**_validity(basis)) for basis in record.get("legal_bases", [])]
    check = readiness.assess_document(
        document, status=status, legal_bases=bases, has_policy=policy is not None, at=utcnow()
    ).publish
    return policy, [
        FieldError(
            f"{prefix}/status",
            f"cannot be published: {missing.detail} (give the record its "
            f"{_RECORD_MEMBER.get(missing.code, missing.code)}, or import it as a draft)",
        )
        for missing in check.missing
    ]


class _Checker:
    """Checks records chunk by chunk, remembering the names the earlier chunks used."""

    def __init__(
        self,
        session: Session,
        actor: Principal,
        default_status: str,
        base_uri: str | None,
    ) -> None:
        self.session = session
        self.actor = actor
        self.default_status = default_status
        self.base_uri = base_uri
        self.organizations = {org.name: org for org in session.exec(select(Organization)).all()}
        self.seen: dict[str, int] = {}

    def check(
        self, chunk: Sequence[tuple[int, Any]], document_errors: dict[int, list[FieldError]]
    ) -> tuple[list[_Valid], list[FieldError]]:
        """The chunk's importable records, and the problems of the others."""
        valid: list[tuple[int, _Valid]] = []
        errors: list[FieldError] = []
        for index, record in chunk:
            item, record_errors = self._check_record(index, record, document_errors)
            errors.extend(record_errors)
            if item is not None:
                valid.append((index, item))
        taken = _existing_names(self.session, [item.document["name"] for _, item in valid])
        importable: list[_Valid] = []
        for index, item in valid:
            name = item.document["name"]
            if name in taken:
                errors.append(
                    FieldError(f"/{index}/name", f"a dataset named '{name}' already exists")
                )
            else:
                importable.append(item)
        return importable, errors

    def _check_record(
        self, index: int, record: Any, document_errors: dict[int, list[FieldError]]
    ) -> tuple[_Valid | None, list[FieldError]]:
        prefix = f"/{index}"
        if not isinstance(record, dict):
            return None, [FieldError(prefix, "each record must be a JSON object")]
        errors: list[FieldError] = []
        document = _document_of(record)
        status = record.get("status", self.default_status)
        if status not in _STATUSES:
            errors.append(FieldError(f"{prefix}/status", f"must be one of {', '.join(_STATUSES)}"))
        errors.extend(document_errors.get(index, []))
        if document_errors.get(index):
            return None, errors
        name = document["name"]
        if name in self.seen:
            errors.append(
                FieldError(f"{prefix}/name", f"'{name}' is also used by record {self.seen[name]}")
            )
            return None, errors
        self.seen[name] = index
        publisher = self.organizations.get(document["publisher"])
        if publisher is None:
            errors.append(
                FieldError(
                    f"{prefix}/publisher", f"no organization is named '{document['publisher']}'"
                )
            )
            return None, errors
        assert publisher.id is not None  # noqa: S101 # persisted organizations have ids
        if not self.actor.can_steward(publisher.id):
            errors.append(
                FieldError(f"{prefix}/publisher", f"you are not a steward of {publisher.name}")
            )
            return None, errors
        policy, governance_errors = _governance_errors(
            self.session, record, document, status, publisher, self.base_uri, prefix
        )
        if governance_errors or errors:
            return None, errors + governance_errors
        return _Valid(document, status, publisher, list(record.get("legal_bases", [])), policy), []


def _existing_names(session: Session, names: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(names), 900):
        chunk = names[start : start + 900]
        found.update(session.exec(select(Dataset.name).where(col(Dataset.name).in_(chunk))).all())
    return found


def import_datasets(
    session: Session,
    *,
    actor: Principal,
    records: Any,
    default_status: str = DatasetStatus.DRAFT.value,
    base_uri: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a JSON list of dataset documents, each optionally with a ``status``.

    Records may carry ``legal_bases`` and a ``policy`` (module docstring); policies need
    ``base_uri``, the catalog's, to name the dataset and its publisher.

    Raises:
        Unauthenticated: anonymous caller.
        InvalidMetadata: the input is not a list, or any record is invalid, names an
            unknown publisher, repeats a name or uses one already taken, or is to be
            published without the legal basis or policy it needs; ``errors`` lists
            every problem and nothing is written.
    """
    actor.require_authenticated()
    with cyclic_gc_paused():
        return _import(session, actor, records, default_status, base_uri, progress)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector for the length of an import.

    An import holds every record, its validation and its rows in memory at once, and
    the collector's full passes walk all of them again and again: measured at 100,000
    records, they took a quarter of the import. Nothing the import builds forms
    reference cycles that need the collector, and it is restored (as it was) after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(
    session: Session,
    actor: Principal,
    records: Any,
    default_status: str,
    base_uri: str | None,
    progress: Progress | None,
) -> ImportReport:
    if not isinstance(records, list):
        raise InvalidMetadata(
            "the import file must hold a JSON list of datasets",
            [FieldError("", "expected a JSON array")],
        )
    checker = _Checker(session, actor, default_status, base_uri)
    writer = _Writer(session, actor)
    errors: list[FieldError] = []
    # Chunks are written as they pass, while the workers validate the next ones; the
    # first problem stops the writing, the rest are still collected for the report, and
    # the savepoint takes back whatever was written.
    savepoint = session.begin_nested()
    try:
        with _validated_chunks(records) as chunks:
            for chunk, document_errors in chunks:
                valid, chunk_errors = checker.check(chunk, document_errors)
                errors.extend(chunk_errors)
                if not errors:
                    writer.write(valid)
                if progress:
                    progress(len(chunk))
    except BaseException:
        savepoint.rollback()
        raise
    if errors:
        savepoint.rollback()
        errors.sort(key=lambda error: _record_index(error.pointer))
        bad = len({_record_index(error.pointer) for error in errors})
        raise InvalidMetadata(
            f"{bad} of {len(records)} records cannot be imported; nothing was imported",
            errors,
        )
    savepoint.commit()
    return writer.finish()


def _record_index(pointer: str) -> int:
    head = pointer.split("/")[1] if pointer.count("/") >= 1 else ""
    return int(head) if head.isdigit() else -1


def _governance_rows(
    item: _Valid,
    dataset_id: uuid.UUID,
    actor: Principal,
    now: Any,
    bases: list[dict[str, Any]],
    policies: list[dict[str, Any]],
    events: list[audit.EventSpec],
) -> None:
    name = item.document["name"]
    for document in item.legal_bases:
        basis_id = uuid.uuid4()
        bases.append(
            {
                "id": basis_id,
                "dataset_id": dataset_id,
                "revision": 1,
                "created": now,
                "modified": now,
                "created_by": actor.name,
                "ended_at": None,
                "end_reason": None,
                **columns_of(document),
            }
        )
        events.append(
            audit.EventSpec(
                "legal_basis.create",
                "legal_basis",
                str(basis_id),
                item.publisher.id,
                {
                    "dataset": name,
                    "basis": document["basis"],
                    "valid_from": document["valid_from"],
                    "valid_until": document.get("valid_until"),
                    "via": "import",
                },
            )
        )
    if item.policy is not None:
        prepared = item.policy
        policies.append(
            {
                "dataset_id": dataset_id,
                "revision": 1,
                "uid": prepared.policy.uid,
                "policy_type": prepared.policy.type.value,
                "document": prepared.document,
                "template": prepared.template,
                "parameters": prepared.parameters,
                "created": now,
                "created_by": actor.name,
            }
        )
        details: dict[str, Any] = {
            "dataset": name,
            "revision": 1,
            "uid": prepared.policy.uid,
            "via": "import",
        }
        if prepared.template:
            details["template"] = prepared.template
        events.append(audit.EventSpec("policy.set", "policy", name, item.publisher.id, details))


def _refresh_statistics(session: Session) -> None:
    # Right after a bulk load the planner still believes the tables are small and may
    # scan instead of using the full-text index until autovacuum catches up.
    postgres = session.get_bind().dialect.name == "postgresql"
    tables = ["dataset", "dataset_revision", "dataset_theme", "search_facet", "audit_event"]
    # Listings read every page's legal bases and policies beside its datasets.
    tables += ["legal_basis", "policy"]
    tables.append("dataset_search" if postgres else "dataset_search_key")
    for table in tables:
        session.execute(text(f"ANALYZE {table}"))
    if postgres:
        # Bulk inserts leave up to gin_pending_list_limit (4 MB) of entries in the GIN
        # index's unsorted pending list, which every search then scans in full until
        # autovacuum merges it; merge it now.
        session.execute(text("SELECT gin_clean_pending_list('ix_dataset_search_document')"))
    session.commit()


class _Writer:
    """Writes checked records chunk by chunk, with set-based inserts.

    :meth:`finish` audits the whole import and commits.
    """

    def __init__(self, session: Session, actor: Principal) -> None:
        self.session = session
        self.actor = actor
        self.now = utcnow()
        self.index = search_index(session)
        self.created = 0
        self.published = 0
        self.legal_bases = 0
        self.policies = 0
        self.events: list[audit.EventSpec] = []

    def write(self, chunk: list[_Valid]) -> None:
        """Insert one chunk of checked records, their revisions, governance and index entries."""
        if not chunk:
            return
        session, actor, now, events = self.session, self.actor, self.now, self.events
        datasets: list[dict[str, Any]] = []
        revisions: list[dict[str, Any]] = []
        themes: list[dict[str, Any]] = []
        bases: list[dict[str, Any]] = []
        policies: list[dict[str, Any]] = []
        scores = [
            quality.assess(item.document, [], issued=item.status == DatasetStatus.PUBLISHED)
            for item in chunk
        ]
        entries = [
            entry_for(
                uuid.uuid4(),
                item.document["name"],
                item.document,
                item.status,
                item.publisher,
                modified=now,
                quality=score.score,
            )
            for item, score in zip(chunk, scores, strict=True)
        ]
        combinations = self.index.combination_ids(session, entries)
        for item, entry, score, combination in zip(
            chunk, entries, scores, combinations, strict=True
        ):
            document, status, publisher = item.document, item.status, item.publisher
            dataset_id = entry.dataset_id
            is_published = status == DatasetStatus.PUBLISHED
            self.published += is_published
            datasets.append(
                {
                    "id": dataset_id,
                    "name": document["name"],
                    "created": now,
                    "modified": now,
                    "issued": now if is_published else None,
                    "status": status,
                    "revision": 1,
                    "facet_combo": combination,
                    **quality.stored_columns(score),
                    **document_columns(document, publisher),
                }
            )
            themes.extend(
                {"dataset_id": dataset_id, "theme": theme}
                for theme in dict.fromkeys(document.get("themes", ()))
            )
            revisions.append(
                {
                    "dataset_id": dataset_id,
                    "revision": 1,
                    "action": "create",
                    "actor": actor.name,
                    "user_id": actor.user_id,
                    "time": now,
                    "changes": changes_between({}, document),
                    "document": document,
                    "status": status,
                }
            )
            events.append(
                audit.EventSpec(
                    "dataset.create",
                    "dataset",
                    document["name"],
                    publisher.id,
                    {"revision": 1, "status": status, "via": "import"},
                )
            )
            _governance_rows(item, dataset_id, actor, now, bases, policies, events)
        bulk_insert(session, Dataset, datasets)
        bulk_insert(session, DatasetRevision, revisions)
        bulk_insert(session, DatasetTheme, themes)
        if bases:
            session.execute(insert(LegalBasis.__table__), bases)  # type: ignore[attr-defined]
        if policies:
            session.execute(insert(DatasetPolicy.__table__), policies)  # type: ignore[attr-defined]
        self.created += len(chunk)
        self.legal_bases += len(bases)
        self.policies += len(policies)
        self.index.index(session, entries, replace=False, combinations=combinations)

    def finish(self) -> ImportReport:
        """Audit the import (one event per object, and one for the whole) and commit."""
        self.events.append(
            audit.EventSpec(
                "dataset.import",
                "catalog",
                None,
                None,
                {
                    "created": self.created,
                    "published": self.published,
                    "legal_bases": self.legal_bases,
                    "policies": self.policies,
                },
            )
        )
        audit.record_many(self.session, actor=self.actor, events=self.events)
        self.session.commit()
        if self.created >= _ANALYZE_FROM:
            _refresh_statistics(self.session)
        return ImportReport(
            created=self.created,
            published=self.published,
            legal_bases=self.legal_bases,
            policies=self.policies,
        )
