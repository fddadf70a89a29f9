"""Policy templates a data steward picks from, and Agreements derived from Offers.

Each template returns an ordinary frozen :class:`~policies.model.Policy` (an ODRL Offer);
a steward's edits are ``dataclasses.replace`` calls, and the result is stored as JSON-LD
through :func:`policies.jsonld.to_jsonld` like any other policy.

Vocabulary choices, all checked against the stored ODRL 2.2 and DPV 2.3 files by tests:

* Purposes: statistics is ``dpv:ProvideOfficialStatistics`` and policy design is
  ``dpv:PublicPolicyMaking`` (both narrower than ``dpv:PublicBenefit``). A request's
  purpose satisfies them through ``isA``, so narrower purposes the catalog's DPV
  hierarchy knows are accepted too.
* Re-identification: neither ODRL nor DPV has the action, so the SIMEL profile defines
  ``simel:reidentify`` (see :data:`policies.terms.REIDENTIFY`) and templates prohibit it.
* Retention: ``odrl:delete`` as a duty with ``elapsedTime gteq <retention>``: the duty
  becomes due once the retention period has elapsed since the agreement's start.
* Record-level output counts as cells of one record (``simel:minCellSize`` = 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Final, TypeVar

from policies import terms, xsd
from policies.hierarchy import country_code
from policies.model import (
    Action,
    AnyConstraint,
    ConflictStrategy,
    Constraint,
    Duty,
    LogicalConstraint,
    LogicalOperator,
    Permission,
    Policy,
    PolicyType,
    Prohibition,
    Ref,
    TypedLiteral,
)

STATISTICS: Final = terms.DPV + "ProvideOfficialStatistics"
"""DPV purpose for producing official (labour-market and migration) statistics."""

POLICY_DESIGN: Final = terms.DPV + "PublicPolicyMaking"
"""DPV purpose for designing public (labour-migration) policy."""

DEFAULT_MIN_CELL_SIZE: Final = 10
"""A common statistical-disclosure threshold; each office sets its own."""


def open_data(*, uid: str, assigner: str, targets: Sequence[str] = ()) -> Policy:
    """Offer open data on CC BY 4.0 terms: anyone may use it, attributing the source.

    ``odrl:use`` covers reading, reproducing, distributing and deriving (all are included
    in it); transferring ownership is not.
    """
    return Policy(
        uid=uid,
        type=PolicyType.OFFER,
        profiles=(terms.SIMEL_PROFILE,),
        assigner=assigner,
        targets=tuple(targets),
        permissions=(Permission(action=Action(terms.USE), duties=(_attribute(),)),),
    )


def restricted_statistical_aggregates(
    *,
    uid: str,
    assigner: str,
    targets: Sequence[str] = (),
    min_cell_size: int = DEFAULT_MIN_CELL_SIZE,
) -> Policy:
    """Offer use of aggregates only: every output cell must count ``min_cell_size`` or more.

    Record-level or small-cell outputs may not be distributed; the prohibition and the
    ``prohibit`` conflict strategy make that explicit even if a permission is added later.

    Raises:
        ValueError: if ``min_cell_size`` is below 2 (1 would allow record-level output).
    """
    if min_cell_size < 2:
        raise ValueError("min_cell_size must be at least 2: 1 is record-level output")
    threshold = (min_cell_size,)
    return Policy(
        uid=uid,
        type=PolicyType.OFFER,
        profiles=(terms.SIMEL_PROFILE,),
        conflict=ConflictStrategy.PROHIBIT,
        assigner=assigner,
        targets=tuple(targets),
        permissions=(
            Permission(
                action=Action(terms.USE),
                constraints=(Constraint(terms.MIN_CELL_SIZE, terms.GTEQ, threshold),),
                duties=(_attribute(),),
            ),
        ),
        prohibitions=(
            Prohibition(
                action=Action(terms.DISTRIBUTE),
                constraints=(Constraint(terms.MIN_CELL_SIZE, terms.LT, threshold),),
            ),
        ),
    )


def binational_labour_migration_exchange(
    *,
    uid: str,
    assigner: str,
    assignees: Sequence[str],
    recipient_countries: Sequence[str],
    targets: Sequence[str] = (),
    purposes: Sequence[str] = (STATISTICS, POLICY_DESIGN),
    retention: str = "P2Y",
    min_cell_size: int | None = None,
) -> Policy:
    """Offer a labour-migration dataset to the ministries of the partner countries.

    Permission: ``use`` for the given purposes (``isA``), by the signatory ministries
    (``recipient``) in the given countries (``spatial``), optionally only as aggregates;
    duties: attribute the source, delete once ``retention`` has elapsed. Prohibitions:
    re-identification, transfer of ownership, and distribution to anyone who is not a
    signatory. Conflict strategy ``prohibit``: a prohibition always wins.

    Args:
        uid: IRI of the offer.
        assigner: The providing ministry.
        assignees: The receiving ministries.
        recipient_countries: Their countries, as ISO 3166-1 alpha-3 codes or EU
            country-authority IRIs (written as the IRIs).
        targets: The datasets offered.
        purposes: DPV purposes the data may serve.
        retention: ``xsd:duration`` after which the recipient must delete the data.
        min_cell_size: If given, only outputs with cells at least this large.

    Raises:
        ValueError: if a list is empty or ``retention`` is not an xsd:duration.
    """
    if not assignees or not recipient_countries or not purposes:
        raise ValueError("assignees, recipient_countries and purposes must not be empty")
    xsd.parse_duration(retention)
    signatories = tuple(dict.fromkeys((assigner, *assignees)))
    purpose_checks = [Constraint(terms.PURPOSE, terms.IS_A, (Ref(p),)) for p in purposes]
    purpose: AnyConstraint = (
        purpose_checks[0]
        if len(purpose_checks) == 1
        else LogicalConstraint(LogicalOperator.OR, tuple(purpose_checks))
    )
    countries = tuple(Ref(terms.EU_COUNTRY + country_code(c)) for c in recipient_countries)
    constraints: list[AnyConstraint] = [
        purpose,
        Constraint(terms.SPATIAL, terms.IS_ANY_OF, countries),
        Constraint(terms.RECIPIENT, terms.IS_ANY_OF, tuple(Ref(s) for s in signatories)),
    ]
    if min_cell_size is not None:
        constraints.append(Constraint(terms.MIN_CELL_SIZE, terms.GTEQ, (min_cell_size,)))
    return Policy(
        uid=uid,
        type=PolicyType.OFFER,
        profiles=(terms.SIMEL_PROFILE,),
        conflict=ConflictStrategy.PROHIBIT,
        assigner=assigner,
        assignees=tuple(assignees),
        targets=tuple(targets),
        permissions=(
            Permission(
                action=Action(terms.USE),
                constraints=tuple(constraints),
                duties=(_attribute(), _delete_after(retention)),
            ),
        ),
        prohibitions=(
            Prohibition(action=Action(terms.REIDENTIFY)),
            Prohibition(action=Action(terms.TRANSFER)),
            Prohibition(
                action=Action(terms.DISTRIBUTE),
                constraints=(
                    Constraint(
                        terms.RECIPIENT, terms.IS_NONE_OF, tuple(Ref(s) for s in signatories)
                    ),
                ),
            ),
        ),
    )


def agreement_from_offer(
    offer: Policy,
    *,
    uid: str,
    assigner: str,
    assignees: Sequence[str],
    targets: Sequence[str],
    valid_from: datetime,
    valid_until: datetime,
    purpose: str,
    legal_basis: Sequence[str] = (),
    recipient_countries: Sequence[str] = (),
) -> Policy:
    """Derive the ODRL Agreement both parties sign from an Offer.

    The Agreement keeps the Offer's rules, strategy and profile, names the parties and
    datasets, and adds to every permission the validity period (``dateTime gteq
    valid_from`` and ``dateTime lt valid_until``), the agreed purpose (``purpose isA``)
    and, when ``recipient_countries`` are given, where the data may go (``spatial
    isAnyOf``): the assignees' countries. An Offer that names no countries would
    otherwise let the data go anywhere, and one that names several lets each
    Agreement take only the countries of its parties (both constraints must hold).
    Rule and constraint uids are dropped: they belong to the Offer, and two policies
    sharing a rule IRI would merge in RDF. Parties named inside rules give way to the
    Agreement's; targets named inside rules stay (they narrow the rule).

    Args:
        offer: The Offer the consumer accepted.
        uid: IRI of the Agreement.
        assigner: The providing organization.
        assignees: The consuming organization(s).
        targets: The datasets covered.
        valid_from: Start of validity (aware datetime).
        valid_until: End of validity, exclusive (aware datetime).
        purpose: The agreed DPV purpose.
        legal_basis: DPV legal bases, recorded as ``dpv:hasLegalBasis`` on the Agreement.
        recipient_countries: The countries the data may go to, as ISO 3166-1 alpha-3
            codes or EU country-authority IRIs (written as the IRIs).

    Raises:
        ValueError: if ``offer`` is not an Offer, a list is empty, or the period is empty
            or uses naive datetimes.
    """
    if offer.type is not PolicyType.OFFER:
        raise ValueError(f"expected an Offer, got a {offer.type.value}")
    if not assignees or not targets:
        raise ValueError("an Agreement names its assignees and targets")
    if valid_from.tzinfo is None or valid_until.tzinfo is None:
        raise ValueError("valid_from and valid_until must be time-zone aware")
    if valid_until <= valid_from:
        raise ValueError("valid_until must be after valid_from")
    validity: tuple[Constraint, ...] = (
        Constraint(terms.DATE_TIME, terms.GTEQ, (_date_time(valid_from),)),
        Constraint(terms.DATE_TIME, terms.LT, (_date_time(valid_until),)),
        Constraint(terms.PURPOSE, terms.IS_A, (Ref(purpose),)),
    )
    if recipient_countries:
        countries = tuple(
            dict.fromkeys(Ref(terms.EU_COUNTRY + country_code(c)) for c in recipient_countries)
        )
        validity += (Constraint(terms.SPATIAL, terms.IS_ANY_OF, countries),)
    permissions = tuple(
        replace(
            _anonymous_rule(p),
            assigner=None,
            assignees=(),
            constraints=(*_anonymous_constraints(p.constraints), *validity),
        )
        for p in offer.permissions
    )
    prohibitions = tuple(
        replace(_anonymous_rule(p), assigner=None, assignees=()) for p in offer.prohibitions
    )
    agreement = replace(
        offer,
        uid=uid,
        type=PolicyType.AGREEMENT,
        assigner=assigner,
        assignees=tuple(assignees),
        targets=tuple(targets),
        permissions=permissions,
        prohibitions=prohibitions,
        obligations=tuple(_anonymous_duty(d) for d in offer.obligations),
    )
    if legal_basis:
        agreement = agreement.with_annotation(
            "dpv:hasLegalBasis",
            [{"@id": terms.compact(b, terms.SIMEL_PREFIXES)} for b in legal_basis],
        )
    return agreement


def _attribute() -> Duty:
    return Duty(action=Action(terms.ATTRIBUTE))


def _delete_after(retention: str) -> Duty:
    elapsed = TypedLiteral(retention, xsd.DURATION)
    return Duty(
        action=Action(terms.DELETE),
        constraints=(Constraint(terms.ELAPSED_TIME, terms.GTEQ, (elapsed,)),),
    )


def _date_time(moment: datetime) -> TypedLiteral:
    text = moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return TypedLiteral(text, xsd.DATE_TIME)


def _anonymous_constraints(constraints: tuple[AnyConstraint, ...]) -> tuple[AnyConstraint, ...]:
    out: list[AnyConstraint] = []
    for c in constraints:
        if isinstance(c, LogicalConstraint):
            inner = tuple(replace(m, uid=None) for m in c.constraints)
            out.append(replace(c, uid=None, constraints=inner))
        else:
            out.append(replace(c, uid=None))
    return tuple(out)


def _anonymous_action(action: Action) -> Action:
    return replace(action, uid=None, refinements=_anonymous_constraints(action.refinements))


def _anonymous_duty(duty: Duty) -> Duty:
    return replace(
        duty,
        uid=None,
        action=_anonymous_action(duty.action),
        constraints=_anonymous_constraints(duty.constraints),
        consequences=tuple(_anonymous_duty(c) for c in duty.consequences),
    )


_Rule = TypeVar("_Rule", Permission, Prohibition)


def _anonymous_rule(rule: _Rule) -> _Rule:
    rule = replace(
        rule,
        uid=None,
        action=_anonymous_action(rule.action),
        constraints=_anonymous_constraints(rule.constraints),
    )
    if isinstance(rule, Permission):
        return replace(rule, duties=tuple(_anonymous_duty(d) for d in rule.duties))
    return rule
