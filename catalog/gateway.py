"""The data gateway: restricted files leave the catalog only under an active agreement.

A restricted distribution's file is served only when, at the moment of the request
(architecture sections 5 and 6):

1. the credential grants ``data:read`` and the caller is a ``requester`` of an
   organization (an OAuth token is bound to one);
2. the dataset is published (a withdrawn dataset's data are no longer shared), and
3. that organization is an assignee of an **active** agreement covering the dataset,
   within its validity (an agreement that lapsed is recorded as expired here);
4. the agreement's ODRL policy permits ``odrl:read`` of the dataset for the declared
   purpose (default: the agreement's), at this time, by that organization as assignee
   and recipient, in the declared recipient country (default: the organization's),
   for outputs whose cells count at least the declared size (default: what the access
   request committed to; an aggregates-only offer needs it), as the next use after the
   grants so far where the policy limits them (``odrl:count``);
5. for personal or sensitive data, a legal basis of the dataset valid now covers that
   purpose (an agreement records the bases valid when it was drafted; a basis ended or
   expired since, or one that never covered the purpose, shares nothing); every grant,
   whatever the data, records the bases valid now that cover the purpose;
6. for a dataset held on consent, consent for that purpose and recipient is still given,
   and none lapsed since the file was made (:func:`catalog.consents.consent_allows`).

Nothing is cached: each request reads the agreement, the policy and the consent
records again, so suspension, termination, expiry or a consent withdrawal denies the
very next request. Every decision on a restricted file, grant or denial, is an audit
event (``data.access.granted`` / ``data.access.denied``) with the reasons; a denial
is committed before the 403 is raised. A file is restricted when its distribution is
flagged so, or when a restricted distribution holds the same file or the same content
(its checksum): the bytes of a restricted extract do not become a public download
because another distribution, without the flag, names them. Other files are public
downloads and are neither checked nor audited, as long as their dataset is not
withdrawn: a withdrawn dataset stays on record, but its files are no longer served.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from catalog import agreements, audit
from catalog.consents import consent_allows
from catalog.datasets import get_dataset
from catalog.db import utcnow
from catalog.distributions import publisher_file, twin_file
from catalog.errors import (
    Conflict,
    FieldError,
    InvalidMetadata,
    NotFound,
    PolicyDenied,
    Unauthenticated,
)
from catalog.iris import dataset_iri, organization_iri
from catalog.models import (
    AgreementStatus,
    Dataset,
    DatasetStatus,
    Distribution,
    Organization,
    Role,
    SharingAgreement,
)
from catalog.organizations import organizations_where
from catalog.policy_context import hierarchy
from catalog.principals import Principal
from catalog.readiness import PERSONAL, bases_for_purpose, legal_bases_of
from policies import RequestContext, compile_policy, from_jsonld
from policies.terms import COUNT
from vocab import get_registry

READ_SCOPE = "data:read"
MAX_CELL_SIZE = 100_000  # as an access request's min_cell_size (its schema)
ACTION = "read"

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Grant:
    """What the HTTP layer streams: the file, and under which agreement (if restricted)."""

    path: Path
    distribution: Distribution
    dataset: Dataset
    agreement: SharingAgreement | None
    # The caller holds this very file already (If-None-Match named it): answer 304.
    not_modified: bool = False


def entity_tag(distribution: Distribution) -> str | None:
    """The file's entity tag (unquoted): its SHA-256, so equal bytes have equal tags."""
    return distribution.checksum.rsplit(":", 1)[-1] if distribution.checksum else None


def holds_current(if_none_match: str | None, distribution: Distribution) -> bool:
    """Whether ``If-None-Match`` names the distribution's file as it is (RFC 9110, 13.1.2).

    Weak comparison, as the header asks: ``W/"x"`` matches ``"x"``; ``*`` matches any
    file the catalog holds.
    """
    tag = entity_tag(distribution)
    if not if_none_match or tag is None:
        return False
    candidates = {candidate.strip().removeprefix("W/") for candidate in if_none_match.split(",")}
    return "*" in candidates or f'"{tag}"' in candidates


@dataclass(frozen=True)
class _Denial:
    check: str
    detail: str
    extensions: dict[str, Any]


def _distribution(session: Session, dataset: Dataset, distribution_id: uuid.UUID) -> Distribution:
    distribution = session.get(Distribution, distribution_id)
    if distribution is None or distribution.dataset_id != dataset.id:
        raise NotFound(f"'{dataset.name}' has no distribution {distribution_id}")
    if distribution.awaiting_file:
        raise NotFound(
            f"no file has been uploaded yet to the restricted distribution {distribution_id} "
            f"of '{dataset.name}': the publisher's stewards upload it with PUT "
            f"/api/v1/datasets/{dataset.name}/distributions/{distribution_id}/data"
        )
    if not distribution.storage_key:
        raise NotFound(
            f"distribution {distribution_id} of '{dataset.name}' has no file held by the catalog"
        )
    return distribution


def _restricted_elsewhere(session: Session, dataset: Dataset, distribution: Distribution) -> bool:
    """Whether a restricted distribution holds this one's file, or a file of its content.

    The catalog computes a held file's checksum from the file itself, so a copy of a
    restricted extract under another key is known by it: the bytes of one organization's
    restricted extract do not become public because another organization holds a copy.
    Writes refuse such a copy without the flag (``catalog.distributions.check_restriction``);
    this is the check that holds for any made before. Another organization's restricted
    file restricts only copies made after it (``catalog.distributions.twin_file``).
    """
    twin = twin_file(
        session,
        dataset,
        restricted=True,
        checksum=distribution.checksum,
        storage_key=distribution.storage_key,
        other_than=distribution.id,
        made=distribution.file_replaced_at or distribution.created,
    )
    return twin is not None


def _file(
    session: Session, storage_root: Path, dataset: Dataset, distribution: Distribution
) -> Path:
    """The distribution's file, checked again as it is now on disk.

    The key was checked when it was registered; a folder of the storage replaced by a
    symbolic link since then (by whoever administers the server) could lead it into
    another organization's folder. Such a file is not served.

    Raises:
        NotFound: no file at the key.
        Conflict: the key now leads out of the publisher's folder.
    """
    key = distribution.storage_key
    assert key is not None  # noqa: S101 # checked by _distribution
    path = publisher_file(session, storage_root, key, dataset)
    if path is None:
        _log.warning(
            "distribution %s of %s: storage key %r leads out of its publisher's folder; not served",
            distribution.id,
            dataset.name,
            key,
        )
        raise Conflict(
            "the distribution's file is no longer inside its publisher's storage folder (a "
            "link on the server leads out of it): it is not served until the link is removed "
            "or its stewards give the distribution another file"
        )
    if not path.is_file():
        raise NotFound("the distribution's file is missing from the catalog's storage")
    return path


def _purpose(declared: str | None, agreement: SharingAgreement) -> tuple[str, str]:
    """The declared purpose as (code, IRI); the agreement's when none is declared."""
    concept = agreements.purpose_concept(declared or agreement.purpose, "/purpose")
    return concept.code, concept.iri


def _check_country(country: str | None) -> None:
    if country is None:
        return
    if country not in get_registry().scheme("countries"):
        raise InvalidMetadata(
            "unknown country",
            [FieldError("/recipient_country", f"'{country}' is not an ISO 3166-1 alpha-3 code")],
        )


def _decide(
    session: Session,
    *,
    actor: Principal,
    dataset: Dataset,
    organization: Organization,
    purpose: str | None,
    recipient_country: str | None,
    base_uri: str,
    min_cell_size: int | None = None,
    file_since: dt.datetime | None = None,
) -> tuple[SharingAgreement | None, _Denial | None, dict[str, Any]]:
    """Try the organization's agreements on the dataset; the first that allows wins."""
    assert organization.id is not None  # noqa: S101 # persisted organizations have ids
    if dataset.status != DatasetStatus.PUBLISHED:
        reason = f" ({dataset.withdrawal_reason})" if dataset.withdrawal_reason else ""
        detail = f"'{dataset.name}' is {dataset.status}{reason}: its data are no longer shared"
        return None, _Denial("dataset", detail, {}), {}
    candidates = agreements.covering_agreements(
        session, organization_id=organization.id, dataset_id=dataset.id
    )
    now = utcnow()
    for agreement in candidates:
        agreements.record_lapse(session, actor=actor, agreement=agreement)
    active = [
        a
        for a in candidates
        if a.status == AgreementStatus.ACTIVE and a.valid_from <= now < a.valid_until
    ]
    if not active:
        states = [
            {"agreement": str(a.id), "version": a.version, "status": a.status} for a in candidates
        ]
        provider = session.get(Organization, dataset.publisher_id)
        assert provider is not None  # noqa: S101 # foreign key
        if not candidates:
            detail = (
                f"{organization.name} is not party to any agreement covering '{dataset.name}': "
                f"file an access request to {provider.name} for it"
            )
            return None, _Denial("agreement", detail, {"agreements": states}), {}
        latest = candidates[0]
        detail = (
            f"{organization.name}'s agreement {latest.id} on '{dataset.name}' is "
            f"{latest.status}"
            + (f" ({latest.status_reason})" if latest.status_reason else "")
            + _next_step(session, latest, provider)
        )
        # Recorded under the agreement it names, so that the audit log's agreement filter
        # finds the attempts it refused (while suspended, after it lapsed...) too.
        named = {"agreement": str(latest.id), "agreement_version": latest.version}
        return (
            None,
            _Denial("agreement", detail, {"agreements": states}),
            {**named, "agreements": states},
        )
    country = recipient_country or organization.country
    # Read once: every agreement tried is checked against the same bases. Read for any
    # dataset: a grant names the bases it rests on, which only personal data require.
    recorded = legal_bases_of(session, [dataset.id])[dataset.id]
    last: tuple[SharingAgreement, _Denial, dict[str, Any]] | None = None
    for agreement in active:
        purpose_code, purpose_ref = _purpose(purpose, agreement)
        cell_size = min_cell_size or agreements.agreed_cell_size(session, agreement)
        party = organization_iri(base_uri, organization.name)
        policy = compile_policy(from_jsonld(agreement.policy))
        # odrl:count: this download is the next use after the grants so far under this
        # agreement (per dataset and organization); counted only where the policy asks.
        use_count = (
            audit.count_grants(
                session,
                agreement=str(agreement.id),
                dataset=dataset.name,
                requester=organization.name,
            )
            + 1
            if COUNT in policy.operands
            else None
        )
        context = RequestContext(
            action=ACTION,
            time=now,
            assignee=party,
            assignee_country=country,
            target=dataset_iri(base_uri, dataset.name),
            purpose=purpose_ref,
            recipient=party,
            elapsed_start=agreement.valid_from,
            use_count=use_count,
            min_cell_size=cell_size,
        )
        decision = policy.evaluate(context, hierarchy=hierarchy())
        facts: dict[str, Any] = {
            "agreement": str(agreement.id),
            "agreement_version": agreement.version,
            "purpose": purpose_code,
            "recipient_country": country,
            "min_cell_size": cell_size,
            **({"use_count": use_count} if use_count is not None else {}),
            "decision": {
                "outcome": decision.outcome,
                "reason": decision.reason,
                "summary": dict(decision.summary),
                "granted_by": [r.label for r in decision.granted_by],
                "forbidden_by": [r.label for r in decision.forbidden_by],
            },
        }
        if not decision.permitted:
            last = (
                agreement,
                _Denial(
                    "policy",
                    f"agreement {agreement.id} does not permit this: {decision.summary['en']}",
                    {"decision": decision.to_dict()},
                ),
                facts,
            )
            continue
        bases = bases_for_purpose(recorded, purpose_code, now)
        facts["legal_bases"] = [basis.basis for basis in bases]
        if dataset.personal_data in PERSONAL and not bases:
            last = (
                agreement,
                _Denial(
                    "legal-basis",
                    f"no legal basis of '{dataset.name}' valid now covers the purpose "
                    f"{purpose_code}: {dataset.personal_data} data are shared only on one",
                    {},
                ),
                facts,
            )
            continue
        consent = consent_allows(
            session,
            dataset=dataset,
            purpose=purpose_code,
            recipient_org=organization.name,
            recipient_country=country,
            at=now,
            file_since=file_since,
        )
        facts["consent"] = consent.to_dict()
        if not consent.allowed:
            last = (
                agreement,
                _Denial("consent", f"consent does not allow this: {consent.reason}", {}),
                facts,
            )
            continue
        return agreement, None, facts
    assert last is not None  # noqa: S101 # at least one active agreement was tried
    others = [a for a in candidates if a not in active]
    if not others:
        return last
    # The organization's other agreements on the dataset are not in force: say so too, or
    # the refusal reads as if the one tried were all there is (a suspended one, say).
    agreement, denial, facts = last
    also = "; ".join(
        f"agreement {a.id} is {a.status}" + (f" ({a.status_reason})" if a.status_reason else "")
        for a in others
    )
    return (
        agreement,
        _Denial(denial.check, f"{denial.detail}; also, {also}", denial.extensions),
        {
            **facts,
            "other_agreements": [{"agreement": str(a.id), "status": a.status} for a in others],
        },
    )


def _next_step(session: Session, agreement: SharingAgreement, provider: Organization) -> str:
    """What has to happen for an agreement that is not in force to serve data, in words.

    So that a refusal says what to do and who does it, not only the state it found.
    """
    status = agreement.status
    if status == AgreementStatus.DRAFT:
        return f"; {provider.name} must send it for signature"
    if status == AgreementStatus.PENDING_SIGNATURES:
        unsigned = ", ".join(p.name for p in agreements.view_of(session, agreement).unsigned())
        return f"; awaiting the signature of {unsigned}"
    if status == AgreementStatus.ACTIVE:  # signed, but its validity has not begun
        starts = agreement.valid_from
        return (
            f": not yet in force; it comes into force on {starts.date().isoformat()} "
            f"({starts.strftime('%H:%M')} UTC)"
        )
    if status == AgreementStatus.SUSPENDED:
        return f"; {provider.name}'s stewards may resume it"
    if status == AgreementStatus.EXPIRED:
        ended = agreement.valid_until
        return (
            f"; its validity ended on {ended.date().isoformat()} ({ended.strftime('%H:%M')} UTC), "
            f"{provider.name}'s stewards may renew it"
        )
    return f"; file a new access request to {provider.name}"


def _record_decision(
    session: Session,
    actor: Principal,
    action: str,
    dataset: Dataset,
    distribution: Distribution,
    organization: Organization | None,
    details: dict[str, Any],
) -> None:
    """Append the gateway's decision on a restricted file to the audit chain and commit."""
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="distribution",
        object_id=str(distribution.id),
        organization_id=dataset.publisher_id,
        details={
            "dataset": dataset.name,
            "requester": organization.name if organization else None,
            **details,
        },
    )
    session.commit()


def _deny(
    session: Session,
    actor: Principal,
    dataset: Dataset,
    distribution: Distribution,
    organization: Organization | None,
    denial: _Denial,
    facts: dict[str, Any],
) -> PolicyDenied:
    _record_decision(
        session,
        actor,
        "data.access.denied",
        dataset,
        distribution,
        organization,
        {"check": denial.check, "reason": denial.detail, **facts},
    )
    return PolicyDenied(denial.detail, check=denial.check, **denial.extensions)


def authorize_download(
    session: Session,
    *,
    actor: Principal,
    name: str,
    distribution_id: uuid.UUID,
    purpose: str | None,
    recipient_country: str | None,
    storage_root: Path,
    base_uri: str,
    byte_range: str | None = None,
    min_cell_size: int | None = None,
    head: bool = False,
    if_none_match: str | None = None,
) -> Grant:
    """Decide whether ``actor`` may have the distribution's file now; audited if restricted.

    ``head`` is a HEAD request: decided as its GET would be, and recorded, but it
    transfers no data, so it is no use of a policy that counts them (``odrl:count``).
    Nor is a GET whose ``if_none_match`` names the file as it is: it is decided and
    recorded (``response: 304``), and the grant says ``not_modified``, for the HTTP
    layer to answer 304 without the file.

    Raises:
        NotFound: no such dataset (visible to the caller), distribution or file (a
            restricted distribution awaiting its upload has none yet), or a file that is
            not restricted of a withdrawn dataset.
        Unauthenticated: a restricted file and no credential.
        InvalidMetadata: an unknown purpose or country.
        PolicyDenied: any check of the module docstring fails (after the denial is
            recorded); ``check`` says which (scope, party, dataset, agreement, policy,
            legal-basis, consent).
    """
    dataset = get_dataset(session, actor=actor, name=name)
    distribution = _distribution(session, dataset, distribution_id)
    if not (distribution.restricted or _restricted_elsewhere(session, dataset, distribution)):
        if dataset.status == DatasetStatus.WITHDRAWN:
            reason = f" ({dataset.withdrawal_reason})" if dataset.withdrawal_reason else ""
            raise NotFound(f"'{dataset.name}' is withdrawn{reason}: its files are no longer served")
        path = _file(session, storage_root, dataset, distribution)
        return Grant(path, distribution, dataset, None)
    if not actor.is_authenticated:
        raise Unauthenticated(
            "restricted data needs a token with the data:read scope: an OAuth access token,"
            " or a personal API token of a requester",
            www_authenticate='Bearer realm="simel", scope="data:read"',
        )
    _check_country(recipient_country)
    if not actor.has_scope(READ_SCOPE):
        raise _deny(
            session,
            actor,
            dataset,
            distribution,
            None,
            _Denial(
                "scope",
                f"the token lacks the {READ_SCOPE} scope",
                # RFC 6750 section 3.1, as for every other missing scope.
                {
                    "www_authenticate": f'Bearer realm="simel", error="insufficient_scope", '
                    f'scope="{READ_SCOPE}"'
                },
            ),
            {},
        )
    organizations = organizations_where(session, actor, Role.REQUESTER)
    if not organizations:
        raise _deny(
            session,
            actor,
            dataset,
            distribution,
            None,
            _Denial(
                "party",
                "only requesters of an organization party to an agreement receive restricted data",
                {},
            ),
            {},
        )
    outcome: tuple[Organization, _Denial, dict[str, Any]] | None = None
    for organization in organizations:
        agreement, denial, facts = _decide(
            session,
            actor=actor,
            dataset=dataset,
            organization=organization,
            purpose=purpose,
            recipient_country=recipient_country,
            base_uri=base_uri,
            min_cell_size=min_cell_size,
            file_since=distribution.file_replaced_at or distribution.created,
        )
        if denial is None and agreement is not None:
            path = _file(session, storage_root, dataset, distribution)
            unchanged = not head and holds_current(if_none_match, distribution)
            _record_decision(
                session,
                actor,
                "data.access.granted",
                dataset,
                distribution,
                organization,
                {
                    "range": byte_range,
                    "checksum": distribution.checksum,
                    **({"method": "HEAD"} if head else {}),
                    **({"response": "304"} if unchanged else {}),
                    **facts,
                },
            )
            return Grant(path, distribution, dataset, agreement, not_modified=unchanged)
        if outcome is None or (denial is not None and denial.check != "agreement"):
            assert denial is not None  # noqa: S101
            outcome = (organization, denial, facts)
    assert outcome is not None  # noqa: S101 # there was at least one organization
    raise _deny(session, actor, dataset, distribution, *outcome)
