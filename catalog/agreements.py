r"""Sharing agreements: ODRL Agreements derived from offers, signed by every party.

Life cycle (architecture section 3)::

    draft -> pending_signatures -> active -> suspended -> active (resumed)
                                         \\-> expired (valid_until passed)
    any state but expired -> terminated;  active|suspended|expired -> renewed (new version)

* A **draft** is made when a provider's steward approves an access request, or drafted
  directly by that steward for one or more consumers (a multilateral agreement). Its
  ODRL Agreement is derived from each dataset's current offer
  (:func:`policies.templates.agreement_from_offer`): the provider is the assigner, the
  consumers the assignees, the datasets the targets, the validity period and the agreed
  purpose become constraints of every permission, and the datasets' legal bases are
  recorded with ``dpv:hasLegalBasis``.
* The provider's steward sends it **for signature**; a person with the ``signatory``
  role (scope ``agreements:sign``) signs for each party, and the agreement is **active**
  once every party has signed. The signature records the SHA-256 of the policy signed.
* **Suspension**, **termination** and **expiry** take effect at once: the gateway reads
  the agreement's row on every request (:func:`covering_agreements`), and an agreement
  whose ``valid_until`` has passed counts as expired whatever its stored status (which
  :func:`expire_due` and the gateway then record, audited).
* **Renewal** makes a new version (same ``series_id``, ``previous_id`` pointing back)
  from the offers as they are now; it is signed like the first. Signed versions are
  never rewritten.

Every transition is a compare-and-set on the row's ``revision``, so two concurrent
decisions cannot both succeed; each is audited and notified to every party.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session, col, func, select

import metadata_schemas
from catalog import audit, notifications
from catalog.audit import canonical_json
from catalog.consents import consent_allows
from catalog.dataset_policies import current_policy
from catalog.datasets import get_dataset
from catalog.db import Listing, compare_and_set, page_slice, utcnow
from catalog.errors import Conflict, FieldError, Forbidden, InvalidMetadata, NotFound
from catalog.iris import dataset_iri, organization_iri
from catalog.legal_bases import of_dataset
from catalog.models import (
    AccessRequest,
    AccessRights,
    AgreementDataset,
    AgreementParty,
    AgreementStatus,
    Dataset,
    DatasetStatus,
    Membership,
    Organization,
    Role,
    SharingAgreement,
    Signature,
)
from catalog.organizations import get_organization
from catalog.policy_context import compiled, hierarchy
from catalog.principals import Principal
from catalog.readiness import PERSONAL, bases_for_purpose
from catalog.stewardship import can_govern
from catalog.validation import require_object, schema_errors
from policies import (
    ConflictStrategy,
    Policy,
    PolicyType,
    RequestContext,
    from_jsonld,
    to_jsonld,
)
from policies.templates import agreement_from_offer
from policies.terms import SIMEL_PREFIXES, expand
from vocab import get_registry
from vocab.model import Concept

ASSIGNER, ASSIGNEE = "assigner", "assignee"
SIGN_SCOPE = "agreements:sign"
S = AgreementStatus

TRANSITIONS: Mapping[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PENDING_SIGNATURES, S.TERMINATED}),
    S.PENDING_SIGNATURES: frozenset({S.ACTIVE, S.TERMINATED, S.EXPIRED}),
    S.ACTIVE: frozenset({S.SUSPENDED, S.TERMINATED, S.EXPIRED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.TERMINATED, S.EXPIRED}),
    S.EXPIRED: frozenset(),
    S.TERMINATED: frozenset(),
}
"""Which status may follow which; everything else is an illegal transition (409)."""

_LAPSES = frozenset({S.PENDING_SIGNATURES, S.ACTIVE, S.SUSPENDED})


def agreement_iri(base_uri: str, agreement_id: uuid.UUID) -> str:
    """The IRI of an agreement version (its ODRL ``uid``)."""
    return f"{base_uri}agreement/{agreement_id}"


def policy_hash(policy: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of an agreement's policy: what a signature covers."""
    return hashlib.sha256(canonical_json(policy).encode("utf-8")).hexdigest()


def day_start(day: dt.date) -> dt.datetime:
    """00:00 UTC of ``day``: validity periods are whole UTC days."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def effective_status(agreement: SharingAgreement, at: dt.datetime) -> str:
    """The status at ``at``: a lapsed agreement is expired even before that is recorded."""
    if agreement.status in _LAPSES and at >= agreement.valid_until:
        return S.EXPIRED
    return agreement.status


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class AgreementView:
    """An agreement with its parties, datasets and signatures, for callers and serializers."""

    agreement: SharingAgreement
    provider: Organization
    assignees: tuple[Organization, ...]
    datasets: tuple[Dataset, ...]
    signatures: tuple[Signature, ...]
    organizations: Mapping[int, Organization]

    @property
    def parties(self) -> tuple[Organization, ...]:
        """The provider, then the consumers."""
        return (self.provider, *self.assignees)

    def unsigned(self) -> tuple[Organization, ...]:
        """Parties that have not signed yet."""
        signed = {s.organization_id for s in self.signatures}
        return tuple(p for p in self.parties if p.id not in signed)


def view_of(session: Session, agreement: SharingAgreement) -> AgreementView:
    """Load an agreement's parties, datasets and signatures."""
    parties = session.exec(
        select(AgreementParty, Organization)
        .join(Organization, col(Organization.id) == col(AgreementParty.organization_id))
        .where(AgreementParty.agreement_id == agreement.id)
        .order_by(col(Organization.name))
    ).all()
    provider = next(o for p, o in parties if p.role == ASSIGNER)
    assignees = tuple(o for p, o in parties if p.role == ASSIGNEE)
    datasets = session.exec(
        select(Dataset)
        .join(AgreementDataset, col(AgreementDataset.dataset_id) == col(Dataset.id))
        .where(AgreementDataset.agreement_id == agreement.id)
        .order_by(col(Dataset.name))
    ).all()
    signatures = session.exec(
        select(Signature)
        .where(Signature.agreement_id == agreement.id)
        .order_by(col(Signature.signed_at), col(Signature.id))
    ).all()
    organizations = {o.id: o for _, o in parties if o.id is not None}
    return AgreementView(
        agreement, provider, assignees, tuple(datasets), tuple(signatures), organizations
    )


def party_ids(session: Session, agreement_id: uuid.UUID) -> set[int]:
    """The organizations party to an agreement."""
    return set(
        session.exec(
            select(AgreementParty.organization_id).where(
                AgreementParty.agreement_id == agreement_id
            )
        ).all()
    )


def can_read(actor: Principal, parties: set[int]) -> bool:
    """Members of a party, auditors and administrators read an agreement."""
    return actor.is_auditor or actor.is_admin or bool(parties & actor.organization_ids)


def get_agreement(session: Session, *, actor: Principal, agreement_id: uuid.UUID) -> AgreementView:
    """An agreement the caller may read.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: no such agreement, or the caller is not a party (nor an auditor).
    """
    actor.require_authenticated()
    agreement = session.get(SharingAgreement, agreement_id)
    if agreement is None or not can_read(actor, party_ids(session, agreement_id)):
        raise NotFound(f"there is no agreement {agreement_id}")
    return view_of(session, agreement)


def list_agreements(
    session: Session,
    *,
    actor: Principal,
    status: str | None = None,
    dataset: str | None = None,
    organization: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Listing[AgreementView]:
    """The agreements the caller may read, newest first, optionally filtered.

    ``status`` filters on the effective status (an unrecorded expiry counts). Only the
    page from ``offset`` (``limit`` long) is loaded with its parties and signatures.

    Raises:
        Unauthenticated: anonymous caller.
        InvalidMetadata: an unknown status.
        NotFound: ``dataset`` or ``organization`` names none (visible to the caller).
    """
    actor.require_authenticated()
    if status is not None and status not in set(S):
        raise InvalidMetadata(
            "unknown status",
            [FieldError("/status", f"'{status}' is not one of {', '.join(S)}")],
        )
    query = select(SharingAgreement).order_by(
        col(SharingAgreement.created).desc(), col(SharingAgreement.version).desc()
    )
    if not (actor.is_auditor or actor.is_admin):
        query = query.where(
            col(SharingAgreement.id).in_(
                select(AgreementParty.agreement_id).where(
                    col(AgreementParty.organization_id).in_(actor.organization_ids)
                )
            )
        )
    # A name that names nothing is refused: an empty list would read as "no agreement".
    if dataset is not None:
        covered = get_dataset(session, actor=actor, name=dataset)
        query = query.where(
            col(SharingAgreement.id).in_(
                select(AgreementDataset.agreement_id).where(
                    AgreementDataset.dataset_id == covered.id
                )
            )
        )
    if organization is not None:
        party = get_organization(session, organization)
        query = query.where(
            col(SharingAgreement.id).in_(
                select(AgreementParty.agreement_id).where(
                    AgreementParty.organization_id == party.id
                )
            )
        )
    now = utcnow()
    found = [
        a for a in session.exec(query).all() if status is None or effective_status(a, now) == status
    ]
    return Listing(
        [view_of(session, a) for a in page_slice(found, offset, limit)], total=len(found)
    )


def history(session: Session, *, actor: Principal, agreement_id: uuid.UUID) -> list[AgreementView]:
    """Every version of the agreement's series, oldest first.

    Raises:
        NotFound: as :func:`get_agreement`.
    """
    current = get_agreement(session, actor=actor, agreement_id=agreement_id).agreement
    versions = session.exec(
        select(SharingAgreement)
        .where(SharingAgreement.series_id == current.series_id)
        .order_by(col(SharingAgreement.version))
    ).all()
    return [view_of(session, v) for v in versions]


# ---------------------------------------------------------------------------- drafting


def purpose_concept(value: str, pointer: str) -> Concept:
    """The DPV purpose ``value`` names, by its code or its IRI, full or compact.

    The compact form (``dpv:ProvideOfficialStatistics``) is how our policies write it.

    Raises:
        InvalidMetadata: no such purpose (at ``pointer``, with suggestions).
    """
    scheme = get_registry().scheme("purposes")
    concept = (
        scheme.by_code(value)
        or scheme.by_iri(value)
        or scheme.by_iri(expand(value, SIMEL_PREFIXES))
    )
    if concept is None:
        raise InvalidMetadata(
            "unknown purpose",
            [
                FieldError(
                    pointer,
                    f"'{value}' is not a code of the DPV purposes vocabulary",
                    {
                        "code": value,
                        "scheme": "purposes",
                        "suggestions": scheme.suggest_codes(value),
                    },
                )
            ],
        )
    return concept


def purpose_iri(code: str, pointer: str) -> str:
    """The IRI of a DPV purpose (see :func:`purpose_concept`)."""
    return purpose_concept(code, pointer).iri


def _legal_basis_codes(
    session: Session, datasets: Sequence[Dataset], purpose: str, at: dt.datetime
) -> list[str]:
    """The legal bases valid at ``at`` that cover ``purpose``, of every dataset.

    Raises:
        Conflict: a dataset with personal or sensitive data has none: it could not be
            shared for that purpose (the gateway would refuse every download).
    """
    codes: list[str] = []
    for dataset in datasets:
        bases = bases_for_purpose(of_dataset(session, dataset.id), purpose, at)
        if not bases and dataset.personal_data in PERSONAL:
            raise Conflict(
                f"no legal basis of '{dataset.name}' valid on {at.date().isoformat()} covers the "
                f"purpose {purpose}: {dataset.personal_data} data are shared only on one",
                dataset=dataset.name,
                purpose=purpose,
            )
        codes += [basis.basis for basis in bases if basis.basis not in codes]
    return codes


def _require_consent(
    session: Session,
    datasets: Sequence[Dataset],
    assignees: Sequence[Organization],
    purpose: str,
    at: dt.datetime,
) -> None:
    """Refuse to draft what the people in a dataset held on consent did not consent to.

    Each assignee must be covered, by name or by country, by a consent record that is
    valid at ``at`` for ``purpose``: otherwise the gateway would refuse every download
    under the agreement, as it would without a legal basis.

    Raises:
        Conflict: some dataset's consent does not cover some assignee (the
            ``consent`` extension has the check, as the gateway would record it).
    """
    for dataset in datasets:
        for assignee in assignees:
            check = consent_allows(
                session,
                dataset=dataset,
                purpose=purpose,
                recipient_org=assignee.name,
                recipient_country=assignee.country,
                at=at,
            )
            if not check.allowed:
                raise Conflict(
                    f"the data subjects of '{dataset.name}' did not consent to {purpose} "
                    f"by {assignee.name}: {check.reason}. Record their consent first, or "
                    "leave the dataset out",
                    dataset=dataset.name,
                    assignee=assignee.name,
                    consent=check.to_dict(),
                )


def _offer(session: Session, dataset: Dataset) -> Policy:
    row = current_policy(session, dataset.id)
    if row is None:
        raise Conflict(
            f"'{dataset.name}' has no offer policy: its stewards must set one before it "
            "can be shared under an agreement"
        )
    return from_jsonld(row.document)


def evaluate_offer(
    session: Session,
    *,
    dataset: Dataset,
    assignee: Organization,
    purpose_iri: str,
    start: dt.date,
    min_cell_size: int | None,
    base_uri: str,
) -> tuple[int | None, str, dict[str, Any]]:
    """The engine's decision on sharing ``dataset`` with ``assignee`` under its current offer.

    Action ``use``, the assignee as assignee and recipient, its country, the purpose, the
    later of now and ``start``, the declared output cell size, and the first use (an
    ``odrl:count`` limit is then counted by the gateway, grant by grant). Returns the
    offer revision (None without an offer), the outcome and the explained decision.
    """
    row = current_policy(session, dataset.id)
    if row is None:
        return (
            None,
            "not_applicable",
            {
                "outcome": "not_applicable",
                "summary": {
                    "en": f"'{dataset.name}' has no offer policy to evaluate the request against",
                    "es": f"'{dataset.name}' no tiene una política de oferta con la que evaluar "
                    "la solicitud",
                },
            },
        )
    party = organization_iri(base_uri, assignee.name)
    context = RequestContext(
        action="use",
        time=max(day_start(start), utcnow()),
        assignee=party,
        assignee_country=assignee.country,
        target=dataset_iri(base_uri, dataset.name),
        purpose=purpose_iri,
        recipient=party,
        elapsed_start=day_start(start),
        use_count=1,
        min_cell_size=min_cell_size,
    )
    decision = compiled(row).evaluate(context, hierarchy=hierarchy())
    return row.revision, decision.outcome, decision.to_dict()


def require_permitted(
    session: Session,
    *,
    datasets: Sequence[Dataset],
    assignees: Sequence[Organization],
    purpose_iri: str,
    start: dt.date,
    min_cell_size: int | None,
    base_uri: str,
) -> None:
    """Refuse (409) an agreement that its own offers would deny to some assignee.

    Such an agreement keeps the offer's rules, so it would deny every download.

    Raises:
        Conflict: some dataset's offer does not permit some assignee; ``evaluation``
            gives each outcome by ``dataset/organization``, ``reasons`` the engine's
            explanation (es, en) of each that does not permit.
    """
    decisions = {
        f"{d.name}/{a.name}": evaluate_offer(
            session,
            dataset=d,
            assignee=a,
            purpose_iri=purpose_iri,
            start=start,
            min_cell_size=min_cell_size,
            base_uri=base_uri,
        )[1:]
        for d in datasets
        for a in assignees
    }
    refusal = offers_refusal(decisions)
    if refusal is not None:
        raise Conflict(
            f"the offers do not permit this ({refusal[0]}): an agreement on these terms "
            "would deny every download; change the offer, or agree on terms it permits",
            evaluation={key: outcome for key, (outcome, _) in decisions.items()},
            reasons=refusal[1],
        )


def offers_refusal(
    decisions: Mapping[str, tuple[str, Mapping[str, Any]]],
) -> tuple[str, dict[str, Any]] | None:
    """Why the offers refuse, if any does: (what to say, each refusal's explanation).

    ``decisions`` maps a key (a dataset, or ``dataset/organization``) to the outcome and
    explained decision of :func:`evaluate_offer`. The words name each refusing key with
    the engine's summary, so that a refusal says which term of which offer fails, not
    only that it is a ``deny``.
    """
    refused = {
        key: decision for key, (outcome, decision) in decisions.items() if outcome != "permit"
    }
    if not refused:
        return None
    words = "; ".join(
        f"{key}: {decisions[key][0]}"
        + (f", {decision['summary']['en']}" if "en" in decision.get("summary", {}) else "")
        for key, decision in refused.items()
    )
    return words, {key: dict(decision.get("summary", {})) for key, decision in refused.items()}


def _require_not_past(valid_from: dt.date) -> None:
    """Refuse (422) a validity that starts before today (UTC), as approval never does.

    A retroactive start would permit uses from before anyone signed, and count elapsed-time
    duties from then.
    """
    today = utcnow().date()
    if valid_from < today:
        raise InvalidMetadata(
            "the validity starts in the past",
            [
                FieldError(
                    "/valid_from",
                    f"must not be before today ({today.isoformat()}): an agreement permits "
                    "no use before it is made",
                )
            ],
        )


def require_published(datasets: Sequence[Dataset]) -> None:
    """Refuse (409) an agreement on a dataset that is no longer published.

    The gateway shares nothing of a withdrawn dataset, so such an agreement could serve
    nothing to anyone.

    Raises:
        Conflict: a dataset is not published (its withdrawal reason is given).
    """
    for dataset in datasets:
        if dataset.status != DatasetStatus.PUBLISHED:
            reason = f" ({dataset.withdrawal_reason})" if dataset.withdrawal_reason else ""
            raise Conflict(
                f"'{dataset.name}' is {dataset.status}{reason}: its data are no longer shared, "
                "so no agreement is made on it",
                dataset=dataset.name,
            )


def derive_policy(
    session: Session,
    *,
    uid: str,
    provider: Organization,
    assignees: Sequence[Organization],
    datasets: Sequence[Dataset],
    purpose: str,
    legal_bases: Sequence[str],
    valid_from: dt.datetime,
    valid_until: dt.datetime,
    base_uri: str,
) -> dict[str, Any]:
    """The ODRL Agreement (compact JSON-LD) for these parties and datasets, from the offers.

    With several datasets, each offer's rules are kept with that dataset as their own
    target (ODRL 2.2, 2.7.1: a rule's target overrides the policy's), and the strictest
    conflict strategy of the offers applies. Every permission is narrowed to the
    assignees' countries (``spatial``): the data goes to the parties, not onwards.

    Raises:
        Conflict: a dataset has no offer.
    """
    bases = get_registry().scheme("legal-bases")
    basis_iris = [concept.iri for concept in map(bases.by_code, legal_bases) if concept]
    derived = [
        agreement_from_offer(
            _offer(session, dataset),
            uid=uid,
            assigner=organization_iri(base_uri, provider.name),
            assignees=[organization_iri(base_uri, a.name) for a in assignees],
            targets=[dataset_iri(base_uri, dataset.name)],
            valid_from=valid_from,
            valid_until=valid_until,
            purpose=purpose,
            legal_basis=basis_iris,
            recipient_countries=[a.country for a in assignees],
        )
        for dataset in datasets
    ]
    if len(derived) == 1:
        return to_jsonld(derived[0])
    permissions = tuple(
        p if p.targets else replace(p, targets=d.targets) for d in derived for p in d.permissions
    )
    prohibitions = tuple(
        p if p.targets else replace(p, targets=d.targets) for d in derived for p in d.prohibitions
    )
    obligations = tuple(
        o if o.targets else replace(o, targets=d.targets) for d in derived for o in d.obligations
    )
    strategies = {d.effective_conflict for d in derived}
    conflict = (
        ConflictStrategy.PROHIBIT
        if ConflictStrategy.PROHIBIT in strategies or len(strategies) > 1
        else derived[0].conflict
    )
    merged = replace(
        derived[0],
        type=PolicyType.AGREEMENT,
        targets=tuple(t for d in derived for t in d.targets),
        profiles=tuple(dict.fromkeys(p for d in derived for p in d.profiles)),
        conflict=conflict,
        permissions=permissions,
        prohibitions=prohibitions,
        obligations=obligations,
    )
    return to_jsonld(merged)


def shareable(session: Session, actor: Principal, name: str, pointer: str) -> Dataset:
    """The dataset ``name`` if it may be the subject of a request or agreement.

    Raises:
        InvalidMetadata: unknown (to the caller), unpublished, or public (at ``pointer``).
    """
    try:
        dataset = get_dataset(session, actor=actor, name=name)
    except NotFound as exc:
        raise InvalidMetadata(exc.detail, [FieldError(pointer, exc.detail)]) from exc
    if dataset.status != DatasetStatus.PUBLISHED:
        raise InvalidMetadata(
            f"'{name}' is not published",
            [
                FieldError(
                    pointer, f"'{name}' is {dataset.status}: only published datasets are shared"
                )
            ],
        )
    if dataset.access_rights == AccessRights.PUBLIC:
        raise InvalidMetadata(
            f"'{name}' is public",
            [FieldError(pointer, f"'{name}' is public data: it needs no agreement")],
        )
    return dataset


def _title(provider: Organization, assignees: Sequence[Organization]) -> dict[str, str]:
    others = ", ".join(a.acronym for a in assignees)
    return {
        "es": f"Acuerdo de intercambio de datos {provider.acronym} – {others}",
        "en": f"Data sharing agreement {provider.acronym} – {others}",
    }


def _notify_parties(
    session: Session,
    parties: Sequence[Organization],
    agreement: SharingAgreement,
    event: str,
    subject: Mapping[str, str],
    body: Mapping[str, str],
    roles: Sequence[Role] = (Role.STEWARD, Role.SIGNATORY, Role.REQUESTER),
) -> None:
    for organization in parties:
        notifications.notify(
            session,
            organization=organization,
            event=event,
            object_type="agreement",
            object_id=str(agreement.id),
            subject=subject,
            body=body,
            roles=roles,
        )


def _audit(
    session: Session,
    actor: Principal,
    action: str,
    agreement: SharingAgreement,
    details: dict[str, Any] | None = None,
    *,
    acting: Organization | None = None,
) -> None:
    """Record an agreement event under the organization that acted.

    That is the provider unless ``acting`` says otherwise: a consumer's signature is the
    consumer's act, and its auditors look for it under the consumer.
    """
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="agreement",
        object_id=str(agreement.id),
        organization_id=acting.id if acting is not None else agreement.provider_id,
        details={
            "series": str(agreement.series_id),
            "version": agreement.version,
            "status": agreement.status,
            **(details or {}),
        },
    )


def _next_version(session: Session, series_id: uuid.UUID) -> int:
    latest = session.exec(
        select(func.max(SharingAgreement.version)).where(SharingAgreement.series_id == series_id)
    ).one()
    return (latest or 0) + 1


def create_draft(
    session: Session,
    *,
    actor: Principal,
    provider: Organization,
    assignees: Sequence[Organization],
    datasets: Sequence[Dataset],
    purpose: str,
    valid_from: dt.date,
    valid_until: dt.date,
    base_uri: str,
    title: Mapping[str, str] | None = None,
    access_request_id: uuid.UUID | None = None,
    previous: SharingAgreement | None = None,
    min_cell_size: int | None = None,
    at: dt.datetime | None = None,
    left_out: Mapping[str, str] | None = None,
) -> SharingAgreement:
    """Store a draft agreement with its parties and datasets, audited and notified (no commit).

    ``valid_until`` is the last day of validity (included). ``min_cell_size`` is the
    output cell size the consumers committed to (a renewal passes the previous version's).
    ``at`` is the moment of drafting, now unless the demo loader replays history.
    ``left_out`` names the previous version's datasets a renewal no longer covers, with
    their status, for the audit record.

    Raises:
        InvalidMetadata: an empty or past period, or the provider among the assignees.
        Conflict: a dataset has no offer, no legal basis for the purpose (personal
            data), or, held on consent, no consent of its data subjects that covers the
            purpose and every assignee.
    """
    start, end = day_start(valid_from), day_start(valid_until + dt.timedelta(days=1))
    if end <= start:
        raise InvalidMetadata(
            "the validity period is empty",
            [FieldError("/valid_until", "must not be before valid_from")],
        )
    at = at or utcnow()
    if end <= at:
        raise InvalidMetadata(
            "the validity period is over", [FieldError("/valid_until", "is in the past")]
        )
    if any(a.id == provider.id for a in assignees):
        raise InvalidMetadata(
            "the provider cannot be its own assignee",
            [FieldError("/assignees", f"{provider.name} is the provider")],
        )
    agreement_id = uuid.uuid4()
    agreed = purpose_concept(purpose, "/purpose")
    legal = _legal_basis_codes(session, datasets, purpose, max(start, at))
    _require_consent(session, datasets, assignees, agreed.code, max(start, at))
    policy = derive_policy(
        session,
        uid=agreement_iri(base_uri, agreement_id),
        provider=provider,
        assignees=assignees,
        datasets=datasets,
        purpose=agreed.iri,
        legal_bases=legal,
        valid_from=start,
        valid_until=end,
        base_uri=base_uri,
    )
    assert provider.id is not None  # noqa: S101 # persisted organizations have ids
    agreement = SharingAgreement(
        id=agreement_id,
        series_id=previous.series_id if previous else agreement_id,
        version=_next_version(session, previous.series_id) if previous else 1,
        previous_id=previous.id if previous else None,
        access_request_id=access_request_id or (previous.access_request_id if previous else None),
        provider_id=provider.id,
        title=dict(title or (previous.title if previous else _title(provider, assignees))),
        purpose=purpose,
        legal_bases=legal,
        valid_from=start,
        valid_until=end,
        min_cell_size=min_cell_size,
        status=S.DRAFT,
        policy=policy,
        created=at,
        status_changed_at=at,
        created_by=actor.name,
    )
    session.add(agreement)
    session.flush()
    session.add(
        AgreementParty(agreement_id=agreement_id, organization_id=provider.id, role=ASSIGNER)
    )
    for assignee in assignees:
        assert assignee.id is not None  # noqa: S101
        session.add(
            AgreementParty(agreement_id=agreement_id, organization_id=assignee.id, role=ASSIGNEE)
        )
    for dataset in datasets:
        session.add(AgreementDataset(agreement_id=agreement_id, dataset_id=dataset.id))
    session.flush()
    _audit(
        session,
        actor,
        "agreement.renewed" if previous else "agreement.drafted",
        agreement,
        {
            "provider": provider.name,
            "assignees": [a.name for a in assignees],
            "datasets": [d.name for d in datasets],
            "purpose": purpose,
            "legal_bases": legal,
            "valid_from": start.isoformat(),
            "valid_until": end.isoformat(),
            "min_cell_size": agreement.min_cell_size,
            "access_request": str(agreement.access_request_id)
            if agreement.access_request_id
            else None,
            "previous": str(previous.id) if previous else None,
            "policy_sha256": policy_hash(policy),
            **({"left_out": dict(left_out)} if left_out else {}),
        },
    )
    notifications.notify(
        session,
        organization=provider,
        event="agreement.drafted",
        object_type="agreement",
        object_id=str(agreement_id),
        subject={
            "es": "Borrador de acuerdo de intercambio listo para enviar a firma",
            "en": "Draft sharing agreement ready to send for signature",
        },
        body={
            "es": f"{agreement.title.get('es', '')} (versión "
            f"{agreement.version}) cubre {', '.join(d.name for d in datasets)}.",
            "en": f"{agreement.title.get('en', '')} (version {agreement.version}) covers "
            f"{', '.join(d.name for d in datasets)}.",
        },
        roles=(Role.STEWARD,),
    )
    return agreement


def draft_agreement(
    session: Session, *, actor: Principal, document: Any, base_uri: str
) -> AgreementView:
    """A provider's steward drafts an agreement directly (e.g. multilateral), from a document.

    The provider is the publisher of the datasets; the caller must govern it.

    Raises:
        Unauthenticated, Forbidden: not a steward of the provider with governance:write.
        InvalidMetadata: the document (pointers into it), unknown organizations or
            datasets, datasets of several publishers, a start before today.
        Conflict: a dataset has no offer.
    """
    actor.require_authenticated()
    document = require_object(document, "agreement")
    errors = schema_errors(metadata_schemas.AGREEMENT_SCHEMA, document)
    if errors:
        raise InvalidMetadata("the agreement is not valid", errors)
    datasets = [
        shareable(session, actor, name, f"/datasets/{i}")
        for i, name in enumerate(document["datasets"])
    ]
    publishers = {d.publisher_id for d in datasets}
    if len(publishers) > 1:
        raise InvalidMetadata(
            "the datasets have several publishers",
            [FieldError("/datasets", "an agreement's datasets all come from one provider")],
        )
    provider = session.get(Organization, publishers.pop())
    assert provider is not None  # noqa: S101 # foreign key
    assert provider.id is not None  # noqa: S101
    if not can_govern(actor, provider.id):
        raise Forbidden(
            f"only stewards of {provider.name} (or administrators) may draft its agreements"
        )
    assignees = []
    for i, name in enumerate(document["assignees"]):
        found = session.exec(select(Organization).where(Organization.name == name)).first()
        if found is None:
            raise InvalidMetadata(
                "unknown organization",
                [FieldError(f"/assignees/{i}", f"no organization is named '{name}'")],
            )
        assignees.append(found)
    if any(a.id == provider.id for a in assignees):
        raise InvalidMetadata(
            "the provider cannot be its own assignee",
            [FieldError("/assignees", f"{provider.name} is the provider")],
        )
    _require_not_past(dt.date.fromisoformat(document["valid_from"]))
    require_permitted(
        session,
        datasets=datasets,
        assignees=assignees,
        purpose_iri=purpose_iri(document["purpose"], "/purpose"),
        start=dt.date.fromisoformat(document["valid_from"]),
        min_cell_size=document.get("min_cell_size"),
        base_uri=base_uri,
    )
    agreement = create_draft(
        session,
        actor=actor,
        provider=provider,
        assignees=assignees,
        datasets=datasets,
        purpose=document["purpose"],
        valid_from=dt.date.fromisoformat(document["valid_from"]),
        valid_until=dt.date.fromisoformat(document["valid_until"]),
        base_uri=base_uri,
        title=document.get("title"),
        min_cell_size=document.get("min_cell_size"),
    )
    session.commit()
    return view_of(session, agreement)


# --------------------------------------------------------------------------- transitions


def _move(
    session: Session,
    agreement: SharingAgreement,
    to: str,
    *,
    reason: str | None = None,
    at: dt.datetime | None = None,
    **extra: Any,
) -> None:
    """Compare-and-set the status (and revision); a concurrent change makes this a 409."""
    if to not in TRANSITIONS[agreement.status]:
        allowed = ", ".join(sorted(TRANSITIONS[agreement.status])) or "none: it is final"
        raise Conflict(
            f"an agreement that is {agreement.status} cannot become {to} (allowed: {allowed})",
            status_now=agreement.status,
        )
    values = {
        "status": to,
        "status_reason": reason,
        "status_changed_at": at or utcnow(),
        **extra,
    }
    compare_and_set(session, agreement, values, "agreement")


def _lapse_if_due(
    session: Session, actor: Principal, agreement: SharingAgreement, now: dt.datetime | None = None
) -> bool:
    """Record the expiry of a lapsed agreement (no commit); whether it was due."""
    now = now or utcnow()
    if effective_status(agreement, now) != S.EXPIRED or agreement.status == S.EXPIRED:
        return False
    previous = agreement.status
    _move(session, agreement, S.EXPIRED, reason="valid_until passed", at=now)
    # Time expired it, not whoever's request noticed: the catalog is the actor.
    _audit(
        session,
        Principal.system("catalog"),
        "agreement.expired",
        agreement,
        {
            "previous_status": previous,
            "valid_until": agreement.valid_until.isoformat(),
            "noticed_by": actor.name,
        },
    )
    view = view_of(session, agreement)
    _notify_parties(
        session,
        view.parties,
        agreement,
        "agreement.expired",
        {"es": "Acuerdo de intercambio vencido", "en": "Sharing agreement expired"},
        {
            "es": f"{agreement.title.get('es', '')} venció el {agreement.valid_until.date()}.",
            "en": f"{agreement.title.get('en', '')} expired on {agreement.valid_until.date()}.",
        },
    )
    return True


def expire_due(session: Session, *, actor: Principal) -> int:
    """Record every lapsed agreement as expired, audited and notified; returns how many."""
    now = utcnow()
    due = session.exec(
        select(SharingAgreement).where(
            col(SharingAgreement.status).in_(list(_LAPSES)),
            col(SharingAgreement.valid_until) <= now,
        )
    ).all()
    count = sum(_lapse_if_due(session, actor, a) for a in due)
    session.commit()
    return count


def _for_provider_steward(
    session: Session, actor: Principal, agreement_id: uuid.UUID, at: dt.datetime | None = None
) -> AgreementView:
    view = get_agreement(session, actor=actor, agreement_id=agreement_id)
    assert view.provider.id is not None  # noqa: S101
    if not can_govern(actor, view.provider.id):
        raise Forbidden(
            f"only stewards of {view.provider.name} (the provider) with governance:write, "
            "or administrators, may do this"
        )
    if _lapse_if_due(session, actor, view.agreement, at):
        session.commit()
    return view


def send_for_signature(
    session: Session, *, actor: Principal, agreement_id: uuid.UUID, at: dt.datetime | None = None
) -> AgreementView:
    """Send a draft for signature (draft -> pending_signatures); every party is notified."""
    view = _for_provider_steward(session, actor, agreement_id, at)
    agreement = view.agreement
    _move(session, agreement, S.PENDING_SIGNATURES, at=at)
    _audit(session, actor, "agreement.sent_for_signature", agreement)
    _notify_parties(
        session,
        view.parties,
        agreement,
        "agreement.sent_for_signature",
        {"es": "Acuerdo de intercambio por firmar", "en": "Sharing agreement to sign"},
        {
            "es": f"{agreement.title.get('es', '')}: cada parte debe firmarlo.",
            "en": f"{agreement.title.get('en', '')}: every party must sign it.",
        },
        roles=(Role.SIGNATORY,),
    )
    session.commit()
    return view_of(session, agreement)


def _signing_party(actor: Principal, view: AgreementView, organization: str | None) -> Organization:
    candidates = [
        p
        for p in view.parties
        if p.id is not None
        and actor.has_role(Role.SIGNATORY, p.id)
        and (organization is None or p.name == organization)
    ]
    if actor.is_system and organization is not None:
        candidates = [p for p in view.parties if p.name == organization]
    if not candidates:
        raise Forbidden(
            "only a signatory of a party to the agreement may sign it"
            + (f" (as {organization})" if organization else "")
        )
    unsigned = {p.id for p in view.unsigned()}
    open_ = [p for p in candidates if p.id in unsigned]
    if not open_:
        raise Conflict(f"{candidates[0].name} has already signed this agreement")
    if len(open_) > 1:
        raise InvalidMetadata(
            "say for which organization you sign",
            [FieldError("/organization", "you are a signatory of several parties")],
        )
    return open_[0]


def sign(
    session: Session,
    *,
    actor: Principal,
    agreement_id: uuid.UUID,
    organization: str | None = None,
    at: dt.datetime | None = None,
) -> AgreementView:
    """A party's signatory signs; the last signature makes the agreement active.

    ``at`` is the moment of signing: now, unless the demo loader replays history.

    Raises:
        Unauthenticated: anonymous caller.
        NotFound: not a party (nor an auditor).
        Forbidden: no ``agreements:sign`` scope, or not a signatory of a party.
        Conflict: not pending signatures (or lapsed), or the party already signed.
    """
    view = get_agreement(session, actor=actor, agreement_id=agreement_id)
    agreement = view.agreement
    if not (actor.is_system or actor.has_scope(SIGN_SCOPE)):
        raise Forbidden(f"signing needs the {SIGN_SCOPE} scope")
    at = at or utcnow()
    if _lapse_if_due(session, actor, agreement, at):
        session.commit()
    if agreement.status != S.PENDING_SIGNATURES:
        raise Conflict(
            f"the agreement is {agreement.status}: only an agreement pending signatures is signed",
            status_now=agreement.status,
        )
    party = _signing_party(actor, view, organization)
    assert party.id is not None  # noqa: S101
    digest = policy_hash(agreement.policy)
    if actor.user_id is None:
        _system_signature(session, agreement, party, actor, digest, at)
    else:
        session.add(
            Signature(
                agreement_id=agreement.id,
                organization_id=party.id,
                user_id=actor.user_id,
                signer=actor.name,
                signed_at=at,
                policy_hash=digest,
            )
        )
    session.flush()
    _audit(
        session,
        actor,
        "agreement.signed",
        agreement,
        {"party": party.name, "policy_sha256": digest},
        acting=party,
    )
    remaining = [p for p in view.unsigned() if p.id != party.id]
    if remaining:
        # Every signature moves the revision, so two last signatures at the same moment
        # cannot both miss each other: one of them gets a 409 and signs again.
        compare_and_set(session, agreement, {}, "agreement")
    else:
        _move(session, agreement, S.ACTIVE, at=at, activated_at=agreement.activated_at or at)
        _audit(session, actor, "agreement.activated", agreement)
        starts = agreement.valid_from
        later = starts > (at or utcnow())
        since = f" {starts.date().isoformat()} ({starts.strftime('%H:%M')} UTC)"
        _notify_parties(
            session,
            view.parties,
            agreement,
            "agreement.activated",
            {"es": "Acuerdo de intercambio firmado", "en": "Sharing agreement signed"}
            if later
            else {"es": "Acuerdo de intercambio en vigor", "en": "Sharing agreement in force"},
            {
                "es": f"{agreement.title.get('es', '')} fue firmado por todas las partes"
                + (f"; entra en vigor el{since}." if later else "."),
                "en": f"{agreement.title.get('en', '')} was signed by every party"
                + (f"; it comes into force on{since}." if later else "."),
            },
        )
    session.commit()
    return view_of(session, agreement)


def _system_signature(
    session: Session,
    agreement: SharingAgreement,
    party: Organization,
    actor: Principal,
    digest: str,
    at: dt.datetime,
) -> None:
    # The demo loader and the CLI sign on behalf of a named signatory of the party.
    signatory = session.exec(
        select(Membership.user_id).where(
            Membership.organization_id == party.id, Membership.role == Role.SIGNATORY
        )
    ).first()
    if signatory is None:
        raise Conflict(f"{party.name} has no signatory to sign on behalf of")
    session.add(
        Signature(
            agreement_id=agreement.id,
            organization_id=party.id or 0,
            user_id=signatory,
            signer=actor.name,
            signed_at=at,
            policy_hash=digest,
        )
    )


def _require_reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise InvalidMetadata("a reason is required", [FieldError("/reason", "a text is required")])
    return reason.strip()


def _change_for_reason(
    session: Session,
    actor: Principal,
    view: AgreementView,
    to: str,
    event: str,
    reason: str,
    subject: Mapping[str, str],
) -> AgreementView:
    """Move to ``to`` for ``reason``: audited and notified as ``event``, committed."""
    _move(session, view.agreement, to, reason=reason)
    _audit(session, actor, event, view.agreement, {"reason": reason})
    _notify_parties(
        session,
        view.parties,
        view.agreement,
        event,
        subject,
        {"es": f"Motivo: {reason}", "en": f"Reason: {reason}"},
    )
    session.commit()
    return view_of(session, view.agreement)


def suspend(
    session: Session, *, actor: Principal, agreement_id: uuid.UUID, reason: str | None
) -> AgreementView:
    """Suspend (active -> suspended), by the provider's steward: the next data request is denied."""
    text = _require_reason(reason)
    view = _for_provider_steward(session, actor, agreement_id)
    return _change_for_reason(
        session,
        actor,
        view,
        S.SUSPENDED,
        "agreement.suspended",
        text,
        {"es": "Acuerdo de intercambio suspendido", "en": "Sharing agreement suspended"},
    )


def resume(
    session: Session, *, actor: Principal, agreement_id: uuid.UUID, reason: str | None
) -> AgreementView:
    """Resume (suspended -> active), by the provider's steward (not after valid_until)."""
    text = _require_reason(reason)
    view = _for_provider_steward(session, actor, agreement_id)
    if view.agreement.status != S.SUSPENDED:
        raise Conflict(
            f"only a suspended agreement is resumed; this one is {view.agreement.status}",
            status_now=view.agreement.status,
        )
    return _change_for_reason(
        session,
        actor,
        view,
        S.ACTIVE,
        "agreement.resumed",
        text,
        {"es": "Acuerdo de intercambio reanudado", "en": "Sharing agreement resumed"},
    )


def terminate(
    session: Session, *, actor: Principal, agreement_id: uuid.UUID, reason: str | None
) -> AgreementView:
    """Any non-final state -> terminated, by a steward of any party (a party may leave)."""
    text = _require_reason(reason)
    view = get_agreement(session, actor=actor, agreement_id=agreement_id)
    if not any(p.id is not None and can_govern(actor, p.id) for p in view.parties):
        raise Forbidden("only stewards of a party (or administrators) may terminate an agreement")
    if _lapse_if_due(session, actor, view.agreement):
        session.commit()
    _terminate_later_versions(session, actor, view.agreement, text)
    return _change_for_reason(
        session,
        actor,
        view,
        S.TERMINATED,
        "agreement.terminated",
        text,
        {"es": "Acuerdo de intercambio terminado", "en": "Sharing agreement terminated"},
    )


def _terminate_later_versions(
    session: Session, actor: Principal, agreement: SharingAgreement, reason: str
) -> None:
    """End the series' later versions that are not final yet (no commit).

    A renewal drafted, sent or signed before the termination would otherwise be signed
    and come into force afterwards, bringing back an agreement a party has left.
    """
    later = session.exec(
        select(SharingAgreement).where(
            SharingAgreement.series_id == agreement.series_id,
            SharingAgreement.version > agreement.version,
        )
    ).all()
    for version in later:
        if S.TERMINATED not in TRANSITIONS[version.status]:
            continue  # final already (expired, terminated)
        because = f"version {agreement.version} was terminated: {reason}"
        _move(session, version, S.TERMINATED, reason=because)
        _audit(session, actor, "agreement.terminated", version, {"reason": because})


# A renewal's cell size is an agreement's (its schema).
_CELL_SIZE = "urn:simel:schema:agreement:1.0#/properties/min_cell_size"


def renew(
    session: Session,
    *,
    actor: Principal,
    agreement_id: uuid.UUID,
    valid_until: str | None,
    valid_from: str | None,
    base_uri: str,
    min_cell_size: Any = None,
) -> AgreementView:
    """A new draft version with a new period, from the offers as they are now.

    Allowed for the latest version of a series when it is active, suspended or expired.
    The new version keeps the output cell size the consumers committed to, unless
    ``min_cell_size`` gives another (a provider tightening its terms, say): every party
    signs the new version, so every party agrees to it.

    Raises:
        Conflict: the agreement is a draft, pending or terminated, or not the latest
            version; every dataset was withdrawn (one withdrawn among others is left out
            of the renewal); the offers no longer permit it.
        InvalidMetadata: missing or malformed dates, or a start before today.
    """
    view = _for_provider_steward(session, actor, agreement_id)
    agreement = view.agreement
    if agreement.status not in {S.ACTIVE, S.SUSPENDED, S.EXPIRED}:
        raise Conflict(
            f"a {agreement.status} agreement is not renewed (only active, suspended or expired)",
            status_now=agreement.status,
        )
    # A later version blocks a renewal, unless it was abandoned (terminated unsigned).
    later = session.exec(
        select(SharingAgreement).where(
            SharingAgreement.series_id == agreement.series_id,
            col(SharingAgreement.version) > agreement.version,
        )
    ).all()
    live = [v for v in later if not (v.status == S.TERMINATED and v.activated_at is None)]
    if live:
        raise Conflict(f"version {live[-1].version} of this agreement exists: renew that one")
    errors = []
    dates: dict[str, dt.date] = {}
    for key, value, default in (
        ("valid_from", valid_from, max(agreement.valid_until, utcnow()).date()),
        ("valid_until", valid_until, None),
    ):
        if value is None:
            if default is None:
                errors.append(FieldError(f"/{key}", "a date (YYYY-MM-DD) is required"))
            else:
                dates[key] = default
            continue
        # The dates of documents: YYYY-MM-DD, in the years the catalog computes with.
        problems = metadata_schemas.value_errors(metadata_schemas.COMMON_DATE, value)
        if problems:
            errors.append(FieldError(f"/{key}", problems[0]))
            continue
        dates[key] = dt.date.fromisoformat(value)
    if min_cell_size is not None:
        problems = metadata_schemas.value_errors(_CELL_SIZE, min_cell_size)
        errors += [FieldError("/min_cell_size", problem) for problem in problems[:1]]
    if errors:
        raise InvalidMetadata("the renewal is not valid", errors)
    _require_not_past(dates["valid_from"])
    # The datasets as they are now: one withdrawn since is no longer shared, so the
    # renewal leaves it out (and is refused only when none is left).
    kept = [d for d in view.datasets if d.status == DatasetStatus.PUBLISHED]
    if not kept:
        require_published(view.datasets)
    left_out = {d.name: str(d.status) for d in view.datasets if d not in kept}
    cell_size = (
        agreed_cell_size(session, agreement) if min_cell_size is None else int(min_cell_size)
    )
    require_permitted(
        session,
        datasets=kept,
        assignees=view.assignees,
        purpose_iri=purpose_iri(agreement.purpose, "/purpose"),
        start=dates["valid_from"],
        min_cell_size=cell_size,
        base_uri=base_uri,
    )
    renewed = create_draft(
        session,
        actor=actor,
        provider=view.provider,
        assignees=view.assignees,
        datasets=kept,
        purpose=agreement.purpose,
        valid_from=dates["valid_from"],
        valid_until=dates["valid_until"],
        base_uri=base_uri,
        previous=agreement,
        min_cell_size=cell_size,
        left_out=left_out,
    )
    session.commit()
    return view_of(session, renewed)


# ------------------------------------------------------------------------------ gateway


def covering_agreements(
    session: Session, *, organization_id: int, dataset_id: uuid.UUID
) -> list[SharingAgreement]:
    """Agreements (any status) naming the organization as assignee and the dataset as target.

    Latest validity first. Read on every gateway request: nothing is cached.
    """
    return list(
        session.exec(
            select(SharingAgreement)
            .join(AgreementParty, col(AgreementParty.agreement_id) == col(SharingAgreement.id))
            .join(AgreementDataset, col(AgreementDataset.agreement_id) == col(SharingAgreement.id))
            .where(
                AgreementParty.organization_id == organization_id,
                AgreementParty.role == ASSIGNEE,
                AgreementDataset.dataset_id == dataset_id,
            )
            .order_by(
                col(SharingAgreement.valid_until).desc(), col(SharingAgreement.version).desc()
            )
        ).all()
    )


def agreed_cell_size(session: Session, agreement: SharingAgreement) -> int | None:
    """The smallest output cell the consumers committed to, ``None`` for record-level use.

    Versions drafted before agreements kept it (migration 0012) read it from their
    access request.
    """
    if agreement.min_cell_size is not None:
        return agreement.min_cell_size
    if agreement.access_request_id is None:
        return None
    origin = session.get(AccessRequest, agreement.access_request_id)
    value = origin.document.get("min_cell_size") if origin else None
    return value if isinstance(value, int) else None


def record_lapse(session: Session, *, actor: Principal, agreement: SharingAgreement) -> bool:
    """Record a lapsed agreement's expiry now (the gateway's call); no commit."""
    return _lapse_if_due(session, actor, agreement)
