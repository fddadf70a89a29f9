"""What a dataset needs before it may be published or offered for sharing.

The rules (architecture section 5), decided here once and applied by the publish guard,
the governance view, the dataset summaries and, later, access requests:

* **Publishing** a dataset classified ``personal`` or ``sensitive`` needs at least one
  legal basis valid at that moment. If the dataset is also ``RESTRICTED``, publishing it
  *offers it for sharing*, so it needs an ODRL offer policy as well.
* **Sharing** (being the target of an access request) needs the dataset published and
  ``RESTRICTED`` (public data needs no request; non-public data is not shared), plus the
  publishing requirements above.
* Warnings, which block nothing: a ``pseudonymised`` dataset without a valid legal basis
  (pseudonymised data is still personal data under the region's laws); a dataset with
  personal data of any kind and no retention period; a ``RESTRICTED`` dataset without
  personal data and without a policy (reviewers then have no terms to check requests
  against); a consent-based dataset with no consent valid now.

The rules are pure functions of the records; :func:`governance_records` loads those
records for many datasets at once (two queries, whatever the number of datasets).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlmodel import Session, col, select

from catalog.db import RowsPerDataset
from catalog.models import AccessRights, DatasetPolicy, DatasetStatus, LegalBasis, PersonalData
from vocab import UnknownConcept, get_registry

PERSONAL: frozenset[str] = frozenset({PersonalData.PERSONAL, PersonalData.SENSITIVE})
"""Classes the hard rules apply to."""

ANY_PERSONAL: frozenset[str] = PERSONAL | {PersonalData.PSEUDONYMISED}
"""Classes that hold personal data in some form."""


class BasisValidity(Protocol):
    """What the rules read of a legal basis (a :class:`LegalBasis`, or one being imported)."""

    @property
    def basis(self) -> str:
        """The DPV legal-basis code."""

    @property
    def valid_from(self) -> dt.date:
        """First day it applies."""

    @property
    def valid_until(self) -> dt.date | None:
        """Last day it applies, if known."""

    @property
    def ended_at(self) -> dt.datetime | None:
        """When a steward ended it, if they did."""


@dataclass(frozen=True)
class Requirement:
    """One unmet requirement (or warning): a stable code and a sentence for people."""

    code: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        """Return the requirement as plain JSON values."""
        return {"requirement": self.code, "detail": self.detail}


@dataclass(frozen=True)
class Check:
    """The outcome of checking one transition (publishing, sharing)."""

    missing: tuple[Requirement, ...] = ()
    warnings: tuple[Requirement, ...] = ()

    @property
    def ready(self) -> bool:
        """Whether nothing is missing."""
        return not self.missing

    def to_dict(self) -> dict[str, Any]:
        """Return the check as plain JSON values."""
        return {
            "ready": self.ready,
            "missing": [r.to_dict() for r in self.missing],
            "warnings": [r.to_dict() for r in self.warnings],
        }


@dataclass(frozen=True)
class Readiness:
    """Where a dataset stands: its legal basis and policy now, and both checks."""

    legal_basis: bool
    """Whether at least one legal basis is valid at the time of the check."""
    policy: bool
    publish: Check
    share: Check

    def summary(self) -> dict[str, bool]:
        """The four facts the dataset representation carries."""
        return {
            "legal_basis": self.legal_basis,
            "policy": self.policy,
            "publishable": self.publish.ready,
            "shareable": self.share.ready,
        }


def legal_basis_valid(legal_basis: BasisValidity, at: dt.datetime) -> bool:
    """Whether ``legal_basis`` applies at ``at``.

    ``valid_from`` and ``valid_until`` are whole days (UTC), both inclusive; a basis a
    steward ended stops applying at ``ended_at``.
    """
    return validity_covers(
        legal_basis.valid_from, legal_basis.valid_until, legal_basis.ended_at, at
    )


def covers_purpose(purposes: Iterable[str], purpose: str) -> bool:
    """Whether one of ``purposes`` is ``purpose`` or broader (codes of the DPV purposes).

    A purpose the vocabulary no longer has covers nothing.
    """
    scheme = get_registry().scheme("purposes")
    for code in purposes:
        try:
            if scheme.is_a(purpose, code):
                return True
        except UnknownConcept:
            continue
    return False


def bases_for_purpose(
    legal_bases: Iterable[LegalBasis], purpose: str, at: dt.datetime
) -> list[LegalBasis]:
    """The legal bases valid at ``at`` whose purposes cover ``purpose``."""
    return [
        basis
        for basis in legal_bases
        if legal_basis_valid(basis, at)
        and covers_purpose(basis.document.get("purposes", ()), purpose)
    ]


def validity_covers(
    valid_from: dt.date, valid_until: dt.date | None, ended_at: dt.datetime | None, at: dt.datetime
) -> bool:
    """Whether a validity (whole UTC days, inclusive, cut short at ``ended_at``) covers ``at``."""
    if ended_at is not None and ended_at <= at:
        return False
    day = at.astimezone(dt.UTC).date()
    return valid_from <= day and (valid_until is None or day <= valid_until)


def _why_none_valid(legal_bases: Sequence[BasisValidity], at: dt.datetime) -> str:
    if not legal_bases:
        return "it has none"
    reasons = []
    for basis in legal_bases:
        if basis.ended_at is not None and basis.ended_at <= at:
            reasons.append(f"{basis.basis} was ended on {basis.ended_at.date().isoformat()}")
        elif at.astimezone(dt.UTC).date() < basis.valid_from:
            reasons.append(f"{basis.basis} applies from {basis.valid_from.isoformat()}")
        else:
            until = basis.valid_until.isoformat() if basis.valid_until else "?"
            reasons.append(f"{basis.basis} expired after {until}")
    return "; ".join(reasons)


def assess(
    *,
    status: str,
    access_rights: str,
    personal_data: str,
    retention_period: str | None,
    legal_bases: Sequence[BasisValidity],
    has_policy: bool,
    at: dt.datetime,
    consent_required: bool = False,
    consent_valid: bool | None = None,
) -> Readiness:
    """Check a dataset (given as its parts) against the rules in the module docstring.

    Args:
        status: The dataset's status; sharing needs ``published``.
        access_rights: ``PUBLIC``, ``RESTRICTED`` or ``NON_PUBLIC``.
        personal_data: The personal-data classification.
        retention_period: The document's ``retention_period``, if any.
        legal_bases: All its legal-basis records (valid or not).
        has_policy: Whether it has an offer policy.
        at: The moment of the check.
        consent_required: Whether the dataset is held on consent.
        consent_valid: Whether some consent record is valid at ``at`` (None: not loaded).
    """
    valid = any(legal_basis_valid(b, at) for b in legal_bases)
    day = at.astimezone(dt.UTC).date().isoformat()
    restricted = access_rights == AccessRights.RESTRICTED
    missing: list[Requirement] = []
    warnings: list[Requirement] = []
    if personal_data in PERSONAL and not valid:
        missing.append(
            Requirement(
                "legal-basis",
                f"a dataset with {personal_data} data needs a legal basis valid on {day} "
                f"({_why_none_valid(legal_bases, at)}): record one under legal-bases",
            )
        )
    elif personal_data == PersonalData.PSEUDONYMISED and not valid:
        warnings.append(
            Requirement(
                "legal-basis",
                "pseudonymised data is still personal data under the region's data-protection "
                f"laws, and no legal basis is valid on {day}",
            )
        )
    if restricted and not has_policy:
        if personal_data in PERSONAL:
            missing.append(
                Requirement(
                    "policy",
                    f"a restricted dataset with {personal_data} data is offered for sharing "
                    "only under an ODRL offer policy: set one under policy",
                )
            )
        else:
            warnings.append(
                Requirement(
                    "policy",
                    "a restricted dataset without an offer policy gives requesters no terms "
                    "and reviewers nothing to check requests against",
                )
            )
    if personal_data in ANY_PERSONAL and not retention_period:
        warnings.append(
            Requirement(
                "retention-period",
                "no retention period is recorded (retention_period in the dataset document)",
            )
        )
    if consent_required and consent_valid is False:
        warnings.append(
            Requirement(
                "consent",
                f"the dataset is held on consent and no consent record is valid on {day}",
            )
        )
    publish = Check(tuple(missing), tuple(warnings))
    share_missing: list[Requirement] = []
    if status != DatasetStatus.PUBLISHED:
        share_missing.append(Requirement("published", f"the dataset is {status}"))
    if access_rights == AccessRights.PUBLIC:
        share_missing.append(
            Requirement("restricted", "the dataset is public: it needs no access request")
        )
    elif access_rights == AccessRights.NON_PUBLIC:
        share_missing.append(
            Requirement("restricted", "the dataset is non-public: it is not offered for sharing")
        )
    share = Check((*share_missing, *missing), tuple(warnings))
    return Readiness(legal_basis=valid, policy=has_policy, publish=publish, share=share)


def assess_document(
    document: Mapping[str, Any],
    *,
    status: str,
    legal_bases: Sequence[BasisValidity],
    has_policy: bool,
    at: dt.datetime,
) -> Readiness:
    """:func:`assess` for a dataset document (a dataset being created or changed)."""
    return assess(
        status=status,
        access_rights=document["access_rights"],
        personal_data=document["personal_data"],
        retention_period=document.get("retention_period"),
        legal_bases=legal_bases,
        has_policy=has_policy,
        at=at,
    )


def missing_details(missing: Iterable[Requirement]) -> str:
    """The unmet requirements as one sentence."""
    return "; ".join(r.detail for r in missing)


def governance_records(
    session: Session, dataset_ids: Sequence[uuid.UUID]
) -> tuple[dict[uuid.UUID, list[LegalBasis]], set[uuid.UUID]]:
    """The legal bases of each dataset, and which datasets have a policy (two queries)."""
    if not dataset_ids:
        return {}, set()
    ids = list(dict.fromkeys(dataset_ids))
    with_policy = set(
        session.exec(
            select(DatasetPolicy.dataset_id)
            .where(col(DatasetPolicy.dataset_id).in_(ids))
            .distinct()
        ).all()
    )
    return legal_bases_of(session, ids), with_policy


# Oldest first; listings also read it with their datasets (catalog.datasets).
LEGAL_BASES_OF = RowsPerDataset(LegalBasis, col(LegalBasis.valid_from), col(LegalBasis.created))


def legal_bases_of(
    session: Session, dataset_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[LegalBasis]]:
    """The legal bases of each dataset, oldest first (one query; none for no datasets)."""
    return LEGAL_BASES_OF(session, dataset_ids)
