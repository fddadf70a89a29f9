"""Bulk import of dataset documents: all or nothing, with a report of every bad record.

Every record is checked before anything is written; if one fails, the import stops
with the list of failures (JSON Pointers into the imported list) and the catalog is
unchanged. Valid imports are written in one transaction with set-based inserts, so a
hundred thousand records load in well under the two minutes the catalog promises.

A record may carry its governance records beside the document: ``legal_bases`` (a list
of legal-basis documents) and ``policy`` (an offer, as ODRL JSON-LD or as
``{"template", "parameters"}``). A record imported as ``published`` must satisfy the
same rules as publishing one by hand (:mod:`catalog.readiness`): personal or sensitive
data needs a legal basis valid now, and restricted personal or sensitive data an offer.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing as mp
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from catalog import audit, quality, readiness
from catalog.dataset_policies import PreparedPolicy, prepare_policy
from catalog.datasets import READ_ONLY_MEMBERS, changes_between, document_columns, entry_for
from catalog.db import utcnow
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


def _document_errors(
    records: Sequence[Any], progress: Progress | None
) -> dict[int, list[FieldError]]:
    """Schema and vocabulary errors per record index, in worker processes for big imports.

    Validation is pure CPU (jsonschema), so large imports spread it over the cores; the
    workers are forked, so they share the loaded schemas and vocabularies.
    """
    indexed = list(enumerate(records))
    chunks = [indexed[start : start + _CHUNK] for start in range(0, len(indexed), _CHUNK)]
    workers = min(os.cpu_count() or 1, len(chunks))
    if workers > 1 and len(records) >= _PARALLEL_FROM and "fork" in mp.get_all_start_methods():
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            results = []
            for chunk, errors in zip(chunks, pool.map(_validate_chunk, chunks), strict=True):
                results.append(errors)
                if progress:
                    progress(len(chunk))
    else:
        results = []
        for chunk in chunks:
            results.append(_validate_chunk(chunk))
            if progress:
                progress(len(chunk))
    by_record: dict[int, list[FieldError]] = {}
    for errors in results:
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


def _check(
    session: Session,
    records: Sequence[Any],
    actor: Principal,
    organizations: dict[str, Organization],
    default_status: str,
    base_uri: str | None,
    progress: Progress | None,
) -> tuple[list[_Valid], list[FieldError]]:
    valid: list[_Valid] = []
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    document_errors = _document_errors(records, progress)
    for index, record in enumerate(records):
        prefix = f"/{index}"
        if not isinstance(record, dict):
            errors.append(FieldError(prefix, "each record must be a JSON object"))
            continue
        document = _document_of(record)
        status = record.get("status", default_status)
        if status not in _STATUSES:
            errors.append(FieldError(f"{prefix}/status", f"must be one of {', '.join(_STATUSES)}"))
        record_errors = document_errors.get(index, [])
        errors.extend(record_errors)
        if record_errors:
            continue
        name = document["name"]
        if name in seen:
            errors.append(
                FieldError(f"{prefix}/name", f"'{name}' is also used by record {seen[name]}")
            )
            continue
        seen[name] = index
        publisher = organizations.get(document["publisher"])
        if publisher is None:
            errors.append(
                FieldError(
                    f"{prefix}/publisher", f"no organization is named '{document['publisher']}'"
                )
            )
            continue
        assert publisher.id is not None  # noqa: S101 # persisted organizations have ids
        if not actor.can_steward(publisher.id):
            errors.append(
                FieldError(f"{prefix}/publisher", f"you are not a steward of {publisher.name}")
            )
            continue
        policy, governance_errors = _governance_errors(
            session, record, document, status, publisher, base_uri, prefix
        )
        if governance_errors:
            errors.extend(governance_errors)
            continue
        valid.append(
            _Valid(document, status, publisher, list(record.get("legal_bases", [])), policy)
        )
    return valid, errors


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
    organizations = {org.name: org for org in session.exec(select(Organization)).all()}
    valid, errors = _check(
        session, records, actor, organizations, default_status, base_uri, progress
    )
    taken = _existing_names(session, [item.document["name"] for item in valid])
    for index, record in enumerate(records):
        if isinstance(record, dict) and record.get("name") in taken:
            errors.append(
                FieldError(f"/{index}/name", f"a dataset named '{record['name']}' already exists")
            )
    if errors:
        errors.sort(key=lambda error: _record_index(error.pointer))
        bad = len({_record_index(error.pointer) for error in errors})
        raise InvalidMetadata(
            f"{bad} of {len(records)} records cannot be imported; nothing was imported",
            errors,
        )
    return _write(session, actor, valid)


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
    tables.append("dataset_search" if postgres else "dataset_search_key")
    for table in tables:
        session.execute(text(f"ANALYZE {table}"))
    if postgres:
        # Bulk inserts leave up to gin_pending_list_limit (4 MB) of entries in the GIN
        # index's unsorted pending list, which every search then scans in full until
        # autovacuum merges it; merge it now.
        session.execute(text("SELECT gin_clean_pending_list('ix_dataset_search_document')"))
    session.commit()


def _write(session: Session, actor: Principal, valid: list[_Valid]) -> ImportReport:
    now = utcnow()
    index = search_index(session)
    published = 0
    governance_counts = [0, 0]
    events: list[audit.EventSpec] = []
    for start in range(0, len(valid), _CHUNK):
        datasets: list[dict[str, Any]] = []
        revisions: list[dict[str, Any]] = []
        themes: list[dict[str, Any]] = []
        bases: list[dict[str, Any]] = []
        policies: list[dict[str, Any]] = []
        entries = []
        chunk = valid[start : start + _CHUNK]
        for item in chunk:
            entries.append(
                entry_for(
                    uuid.uuid4(), item.document["name"], item.document, item.status, item.publisher
                )
            )
        combinations = index.combination_ids(session, entries)
        for item, entry, combination in zip(chunk, entries, combinations, strict=True):
            document, status, publisher = item.document, item.status, item.publisher
            dataset_id = entry.dataset_id
            is_published = status == DatasetStatus.PUBLISHED
            published += is_published
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
                    "quality_score": quality.assess(document, [], issued=is_published).score,
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
        session.execute(insert(Dataset.__table__), datasets)  # type: ignore[attr-defined]
        session.execute(insert(DatasetRevision.__table__), revisions)  # type: ignore[attr-defined]
        if themes:
            session.execute(insert(DatasetTheme.__table__), themes)  # type: ignore[attr-defined]
        if bases:
            session.execute(insert(LegalBasis.__table__), bases)  # type: ignore[attr-defined]
        if policies:
            session.execute(insert(DatasetPolicy.__table__), policies)  # type: ignore[attr-defined]
        governance_counts[0] += len(bases)
        governance_counts[1] += len(policies)
        index.index(session, entries, replace=False, combinations=combinations)
    events.append(
        audit.EventSpec(
            "dataset.import",
            "catalog",
            None,
            None,
            {
                "created": len(valid),
                "published": published,
                "legal_bases": governance_counts[0],
                "policies": governance_counts[1],
            },
        )
    )
    audit.record_many(session, actor=actor, events=events)
    session.commit()
    if len(valid) >= _ANALYZE_FROM:
        _refresh_statistics(session)
    return ImportReport(
        created=len(valid),
        published=published,
        legal_bases=governance_counts[0],
        policies=governance_counts[1],
    )
