"""Legal bases of datasets: record, correct and end them, with audit.

A legal basis names a W3C DPV legal-basis concept (``LegalObligation``,
``PublicInterest``, ``Consent``...) and the instrument that establishes it in a
jurisdiction: the national data-protection and migration laws of the five countries
have no DPV extension, so the law, decree, treaty or bilateral agreement is described by
its title, number, article and URL. A basis applies on the days from ``valid_from`` to
``valid_until`` (both inclusive, UTC) until a steward ends it.

Legal bases are never deleted. Ending one keeps it on record with the time and the
reason; a correction keeps the previous values in the audit event. Neither may leave a
published personal or sensitive dataset without a basis valid now: withdraw the dataset
first, or record the basis that replaces it.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

from sqlmodel import Session, col, select

from catalog import audit
from catalog.datasets import changes_between, check_revision, get_dataset, merge_patch
from catalog.db import utcnow
from catalog.errors import Conflict, FieldError, GovernanceIncomplete, InvalidMetadata
from catalog.models import Dataset, DatasetStatus, LegalBasis
from catalog.principals import Principal
from catalog.readiness import PERSONAL, legal_basis_valid, validity_covers
from catalog.stewardship import governed_dataset, not_found
from catalog.validation import legal_basis_document_errors, require_object

# Members the server computes; a client may send them back as received.
_SERVER_MEMBERS = frozenset(
    {"id", "dataset", "revision", "valid", "ended", "created", "modified", "created_by", "links"}
)


def _validated(document: Any) -> dict[str, Any]:
    document = {
        k: v for k, v in require_object(document, "legal basis").items() if k not in _SERVER_MEMBERS
    }
    errors = legal_basis_document_errors(document)
    if errors:
        raise InvalidMetadata("the legal basis is not valid", errors)
    return copy.deepcopy(document)


def columns_of(document: dict[str, Any]) -> dict[str, Any]:
    """The legal-basis columns projected from a (valid) document."""
    until = document.get("valid_until")
    return {
        "document": document,
        "basis": document["basis"],
        "valid_from": dt.date.fromisoformat(document["valid_from"]),
        "valid_until": dt.date.fromisoformat(until) if until else None,
    }


def list_legal_bases(
    session: Session, *, actor: Principal, name: str
) -> tuple[Dataset, list[LegalBasis]]:
    """The dataset's legal bases, oldest first (ended ones included).

    Raises:
        NotFound: no such dataset visible to the caller.
    """
    dataset = get_dataset(session, actor=actor, name=name)
    return dataset, of_dataset(session, dataset.id)


def of_dataset(session: Session, dataset_id: uuid.UUID) -> list[LegalBasis]:
    """Every legal basis of a dataset, oldest first."""
    return list(
        session.exec(
            select(LegalBasis)
            .where(LegalBasis.dataset_id == dataset_id)
            .order_by(col(LegalBasis.valid_from), col(LegalBasis.created))
        ).all()
    )


def get_legal_basis(
    session: Session, *, actor: Principal, name: str, legal_basis_id: uuid.UUID
) -> tuple[Dataset, LegalBasis]:
    """One legal basis of a visible dataset.

    Raises:
        NotFound: no such dataset, or no such legal basis of it.
    """
    dataset = get_dataset(session, actor=actor, name=name)
    return dataset, _of(session, dataset, legal_basis_id)


def _of(session: Session, dataset: Dataset, legal_basis_id: uuid.UUID) -> LegalBasis:
    legal_basis = session.get(LegalBasis, legal_basis_id)
    if legal_basis is None or legal_basis.dataset_id != dataset.id:
        raise not_found(f"legal basis {legal_basis_id}", dataset.name)
    return legal_basis


def create_legal_basis(
    session: Session, *, actor: Principal, name: str, document: Any
) -> LegalBasis:
    """Record a legal basis of the dataset ``name``.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: no such dataset visible to the caller.
        Forbidden: the caller may not write the dataset's governance records.
        InvalidMetadata: the document fails its schema or vocabularies.
    """
    dataset, publisher = governed_dataset(session, actor=actor, name=name)
    document = _validated(document)
    now = utcnow()
    legal_basis = LegalBasis(
        dataset_id=dataset.id,
        created=now,
        modified=now,
        created_by=actor.name,
        **columns_of(document),
    )
    session.add(legal_basis)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="legal_basis.create",
        object_type="legal_basis",
        object_id=str(legal_basis.id),
        organization_id=publisher.id,
        details={
            "dataset": dataset.name,
            "basis": legal_basis.basis,
            "valid_from": document["valid_from"],
            "valid_until": document.get("valid_until"),
        },
    )
    session.commit()
    return legal_basis


def _keep_published_dataset_covered(
    session: Session,
    dataset: Dataset,
    changed: LegalBasis,
    still_valid: bool,
    at: dt.datetime,
    action: str,
) -> None:
    if dataset.status != DatasetStatus.PUBLISHED or dataset.personal_data not in PERSONAL:
        return
    others = [b for b in of_dataset(session, dataset.id) if b.id != changed.id]
    if still_valid or any(legal_basis_valid(b, at) for b in others):
        return
    raise GovernanceIncomplete(
        f"{action} would leave '{dataset.name}', a published dataset with "
        f"{dataset.personal_data} data, without a legal basis valid now: record the basis "
        "that replaces it first, or withdraw the dataset",
        missing=[{"requirement": "legal-basis", "detail": "no other legal basis is valid now"}],
    )


def update_legal_basis(
    session: Session,
    *,
    actor: Principal,
    name: str,
    legal_basis_id: uuid.UUID,
    document: Any,
    if_match: int | None,
    merge: bool = False,
) -> LegalBasis:
    """Correct a legal basis (replace its document, or JSON-merge-patch it with ``merge``).

    The previous values stay in the audit event.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: no such dataset or legal basis.
        Forbidden: the caller may not write the dataset's governance records.
        PreconditionRequired: no If-Match.
        PreconditionFailed: stale If-Match.
        Conflict: the legal basis was ended (it is kept as it was).
        InvalidMetadata: the new document is invalid.
        GovernanceIncomplete: the change would leave a published personal or sensitive
            dataset without a legal basis valid now.
    """
    dataset, publisher = governed_dataset(session, actor=actor, name=name)
    legal_basis = _of(session, dataset, legal_basis_id)
    check_revision(legal_basis.revision, if_match, "legal basis", required=True)
    if legal_basis.ended_at is not None:
        raise Conflict("an ended legal basis is kept as it was: record a new one instead")
    if merge:
        document = merge_patch(legal_basis.document, require_object(document, "merge patch"))
    document = _validated(document)
    changes = changes_between(legal_basis.document, document)
    if not changes:
        return legal_basis
    columns = columns_of(document)
    now = utcnow()
    still_valid = validity_covers(
        columns["valid_from"], columns["valid_until"], legal_basis.ended_at, now
    )
    _keep_published_dataset_covered(session, dataset, legal_basis, still_valid, now, "this change")
    for column, value in columns.items():
        setattr(legal_basis, column, value)
    legal_basis.revision += 1
    legal_basis.modified = now
    session.add(legal_basis)
    audit.record(
        session,
        actor=actor,
        action="legal_basis.update",
        object_type="legal_basis",
        object_id=str(legal_basis.id),
        organization_id=publisher.id,
        details={"dataset": dataset.name, "revision": legal_basis.revision, "changes": changes},
    )
    session.commit()
    return legal_basis


def end_legal_basis(
    session: Session,
    *,
    actor: Principal,
    name: str,
    legal_basis_id: uuid.UUID,
    reason: str,
    if_match: int | None = None,
) -> LegalBasis:
    """End a legal basis now (the instrument was repealed, the agreement lapsed...).

    It stays on record with the time and the reason, and no longer counts as valid.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: no such dataset or legal basis.
        Forbidden: the caller may not write the dataset's governance records.
        PreconditionFailed: stale If-Match.
        InvalidMetadata: no reason was given.
        Conflict: it was already ended.
        GovernanceIncomplete: it is the last valid basis of a published personal or
            sensitive dataset.
    """
    dataset, publisher = governed_dataset(session, actor=actor, name=name)
    legal_basis = _of(session, dataset, legal_basis_id)
    check_revision(legal_basis.revision, if_match, "legal basis", required=False)
    if legal_basis.ended_at is not None:
        raise Conflict(f"the legal basis was already ended on {legal_basis.ended_at.isoformat()}")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidMetadata(
            "a reason is required", [FieldError("/reason", "say why the legal basis ends")]
        )
    now = utcnow()
    _keep_published_dataset_covered(session, dataset, legal_basis, False, now, "ending it")
    legal_basis.ended_at = now
    legal_basis.end_reason = reason[:2000]
    legal_basis.revision += 1
    legal_basis.modified = now
    session.add(legal_basis)
    audit.record(
        session,
        actor=actor,
        action="legal_basis.end",
        object_type="legal_basis",
        object_id=str(legal_basis.id),
        organization_id=publisher.id,
        details={
            "dataset": dataset.name,
            "revision": legal_basis.revision,
            "reason": legal_basis.end_reason,
        },
    )
    session.commit()
    return legal_basis
