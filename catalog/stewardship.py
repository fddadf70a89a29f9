"""Who may read and write a dataset's governance records, shared by their services.

* **Write** (legal bases, consent records and events, the offer policy): administrators,
  and stewards of the publishing organization whose credential grants
  ``governance:write`` (personal API tokens are unscoped and grant it).
* **Read**: legal bases and the offer policy are as visible as the dataset itself; the
  region's laws make the ground of processing public information, and a ministry must
  know an offer's terms to request access. Consent records (who consented, how many, the
  evidence) are read only by auditors, administrators and members of the publisher.
* **Compliance gaps** (what a dataset lacks before it may be published or shared, and
  the warnings, such as no consent valid now): the work list of the publisher's
  stewards, and read by auditors and administrators. Other callers see the public
  facts those gaps are drawn from (legal bases, access rights, the offer), not the gaps.
"""

from __future__ import annotations

from sqlmodel import Session

from catalog.datasets import get_dataset, publisher_of
from catalog.errors import Forbidden, NotFound
from catalog.models import Dataset, Organization, Role
from catalog.principals import Principal

WRITE_SCOPE = "governance:write"


def can_govern(actor: Principal, organization_id: int) -> bool:
    """Whether ``actor`` may write governance records of ``organization_id``'s datasets."""
    if actor.is_admin:
        return True
    return actor.has_scope(WRITE_SCOPE) and actor.has_role(Role.STEWARD, organization_id)


def governed_dataset(
    session: Session, *, actor: Principal, name: str
) -> tuple[Dataset, Organization]:
    """The dataset ``name`` and its publisher, if ``actor`` may write its governance records.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: no such dataset visible to the caller.
        Forbidden: the caller is not a steward of the publisher with governance:write.
    """
    actor.require_authenticated()
    dataset = get_dataset(session, actor=actor, name=name)
    publisher = publisher_of(session, dataset)
    assert publisher.id is not None  # noqa: S101 # persisted organizations have ids
    if not can_govern(actor, publisher.id):
        raise Forbidden(
            f"only stewards of {publisher.name} with the {WRITE_SCOPE} scope "
            "(or administrators) may change its governance records"
        )
    return dataset, publisher


def can_read_consents(actor: Principal, dataset: Dataset) -> bool:
    """Whether ``actor`` may read the dataset's consent records."""
    return actor.is_auditor or actor.is_admin or dataset.publisher_id in actor.organization_ids


def can_read_compliance(actor: Principal, dataset: Dataset) -> bool:
    """Whether ``actor`` may see the dataset's compliance gaps (missing records, warnings)."""
    return actor.is_auditor or actor.has_role(Role.STEWARD, dataset.publisher_id)


def consent_dataset(session: Session, *, actor: Principal, name: str) -> Dataset:
    """The dataset ``name``, if ``actor`` may read its consent records.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: no such dataset visible to the caller.
        Forbidden: the caller is not an auditor, an administrator or a member of the
            publisher.
    """
    actor.require_authenticated()
    dataset = get_dataset(session, actor=actor, name=name)
    if not can_read_consents(actor, dataset):
        raise Forbidden(
            "consent records are read by auditors, administrators and members of the "
            "publishing organization only"
        )
    return dataset


def not_found(what: str, name: str) -> NotFound:
    """The error for a governance record that does not belong to the dataset ``name``."""
    return NotFound(f"'{name}' has no {what}")
