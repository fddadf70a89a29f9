"""A dataset's governance as a whole, and the questions other parts of the catalog ask of it.

* :func:`governance_view`: classification, retention, legal bases, consent records with
  their histories, the offer policy, and readiness for publishing and for sharing.
* :func:`sharing_readiness`: what a dataset lacks before an access request may target it
  (used by access requests).
* :func:`consent_allows`: whether consent allows a use now (used by the data gateway on
  every request; see :mod:`catalog.consents`).
* :func:`summaries`: the short summary each dataset carries in listings, for a whole page
  in two queries.

The rules themselves are in :mod:`catalog.readiness`; who may see what is in
:mod:`catalog.stewardship`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from catalog import readiness
from catalog.consents import ConsentCheck, ConsentState, consent_allows, is_consent_based, states_of
from catalog.dataset_policies import current_policy
from catalog.datasets import Attached, get_dataset, publisher_of
from catalog.db import utcnow
from catalog.legal_bases import of_dataset
from catalog.models import Dataset, DatasetPolicy, LegalBasis, Organization
from catalog.principals import Principal
from catalog.stewardship import can_govern, can_read_compliance, can_read_consents

__all__ = [
    "ConsentCheck",
    "GovernanceView",
    "consent_allows",
    "governance_view",
    "sharing_readiness",
    "summaries",
]


@dataclass(frozen=True)
class GovernanceView:
    """Everything the catalog records about how a dataset is governed, at one moment."""

    dataset: Dataset
    publisher: Organization
    legal_bases: list[LegalBasis]
    consents: list[ConsentState] | None
    """None when the caller may not read consent records."""
    consent_required: bool
    policy: DatasetPolicy | None
    readiness: readiness.Readiness
    compliance: bool
    """Whether the caller may see the compliance gaps: the missing requirements and the
    warnings of ``readiness`` (the publisher's stewards, auditors and administrators).
    Others get only whether the dataset is ready, which the public records decide."""
    governs: bool
    """Whether the caller may write the governance records (end a legal basis...)."""
    at: dt.datetime


def _assess(
    dataset: Dataset,
    legal_bases: Sequence[LegalBasis],
    has_policy: bool,
    states: Sequence[ConsentState],
    at: dt.datetime,
) -> tuple[readiness.Readiness, bool]:
    required = is_consent_based(legal_bases, bool(states))
    result = readiness.assess(
        status=dataset.status,
        access_rights=dataset.access_rights,
        personal_data=dataset.personal_data,
        retention_period=dataset.document.get("retention_period"),
        legal_bases=legal_bases,
        has_policy=has_policy,
        at=at,
        consent_required=required,
        consent_valid=any(s.valid for s in states),
    )
    return result, required


def governance_view(
    session: Session, *, actor: Principal, name: str, at: dt.datetime | None = None
) -> GovernanceView:
    """The governance of the dataset ``name`` as ``actor`` may see it.

    Raises:
        NotFound: no such dataset visible to the caller.
    """
    at = at or utcnow()
    dataset = get_dataset(session, actor=actor, name=name)
    publisher = publisher_of(session, dataset)
    assert publisher.id is not None  # noqa: S101 # persisted organizations have ids
    legal_bases = of_dataset(session, dataset.id)
    policy = current_policy(session, dataset.id)
    states = states_of(session, dataset.id, at)
    result, required = _assess(dataset, legal_bases, policy is not None, states, at)
    return GovernanceView(
        dataset=dataset,
        publisher=publisher,
        legal_bases=legal_bases,
        consents=states if can_read_consents(actor, dataset) else None,
        consent_required=required,
        policy=policy,
        readiness=result,
        compliance=can_read_compliance(actor, dataset),
        governs=can_govern(actor, publisher.id),
        at=at,
    )


def sharing_readiness(
    session: Session, dataset: Dataset, *, at: dt.datetime | None = None
) -> readiness.Check:
    """What ``dataset`` lacks before an access request may target it (empty ``missing``: ready).

    Published, ``RESTRICTED``, and for personal or sensitive data a legal basis valid
    now and an offer policy (:mod:`catalog.readiness`). Warnings block nothing.
    """
    at = at or utcnow()
    legal_bases = of_dataset(session, dataset.id)
    has_policy = current_policy(session, dataset.id) is not None
    states = states_of(session, dataset.id, at)
    return _assess(dataset, legal_bases, has_policy, states, at)[0].share


def summaries(
    session: Session,
    datasets: Sequence[Dataset],
    *,
    at: dt.datetime | None = None,
    attached: Callable[[uuid.UUID], Attached] | None = None,
    legal_bases: Mapping[uuid.UUID, Sequence[LegalBasis]] | None = None,
) -> dict[uuid.UUID, readiness.Readiness]:
    """The readiness of each dataset, for listings: at most two queries for any number.

    ``attached`` (such as :meth:`catalog.datasets.Page.attached_to`) says which datasets
    have legal bases and policies at all; only those are queried, and none when
    ``legal_bases`` gives them already (as a page read with ``details`` does).
    Consent records are not consulted (they only add warnings).
    """
    at = at or utcnow()
    ids = [d.id for d in datasets]
    bases: Mapping[uuid.UUID, Sequence[LegalBasis]]
    if attached is None:
        bases, with_policy = readiness.governance_records(session, ids)
    else:
        bases = (
            legal_bases
            if legal_bases is not None
            else readiness.legal_bases_of(session, [i for i in ids if attached(i).legal_basis])
        )
        with_policy = {i for i in ids if attached(i).policy}
    return {
        d.id: readiness.assess(
            status=d.status,
            access_rights=d.access_rights,
            personal_data=d.personal_data,
            retention_period=d.document.get("retention_period"),
            legal_bases=bases.get(d.id, []),
            has_policy=d.id in with_policy,
            at=at,
        )
        for d in datasets
    }
