"""The decision engine: operators x left operands, logic, conflicts, duties, explanations."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from policies import (
    BEFORE_USE,
    Action,
    CompiledPolicy,
    ConflictStrategy,
    Constraint,
    ConstraintResult,
    Decision,
    Duty,
    LogicalConstraint,
    LogicalOperator,
    LogicalResult,
    Permission,
    Policy,
    Prohibition,
    Ref,
    TypedLiteral,
    Value,
    atomize,
    compile_policy,
    evaluate,
    from_jsonld,
    terms,
    to_jsonld,
)
from tests.policies.conftest import (
    DATASET,
    DPV,
    EU,
    INM_MX,
    NOW,
    ODRL,
    OTHER_DATASET,
    SIMEL,
    SMALL_HIERARCHY,
    STPS_MX,
    STPS_SV,
    THIRD_PARTY,
    all_templates,
    load_fixture,
    request,
)

XSD = terms.XSD
STATS = DPV + "ProvideOfficialStatistics"
POLICY_MAKING = DPV + "PublicPolicyMaking"
CA4 = "https://example.org/region/CA4"
SICA = "https://example.org/region/SICA"
MX_GROUP = "https://catalog.simel.example/group/mx-ministries"
LEVEL = "https://example.org/vocab/level"


def date(text: str) -> TypedLiteral:
    return TypedLiteral(text, XSD + "date")


def instant(text: str) -> TypedLiteral:
    return TypedLiteral(text, XSD + "dateTime")


def duration(text: str) -> TypedLiteral:
    return TypedLiteral(text, XSD + "duration")


def one_rule(*constraints: Constraint | LogicalConstraint, **policy: Any) -> Policy:
    return Policy(
        uid="https://example.org/policy/test",
        permissions=(Permission(action=Action(terms.USE), constraints=constraints),),
        **policy,
    )


def check(constraint: Constraint, **overrides: Any) -> ConstraintResult:
    decision = evaluate(one_rule(constraint), request(**overrides), hierarchy=SMALL_HIERARCHY)
    result = decision.rules[0].constraints[0]
    assert isinstance(result, ConstraintResult)
    assert decision.outcome == ("permit" if result.held else "deny")
    return result


# ----------------------------------------------------------------- operator x left operand

LEFT_OPERANDS = {
    "purpose": terms.PURPOSE,
    "recipient": terms.RECIPIENT,
    "spatial": terms.SPATIAL,
    "dateTime": terms.DATE_TIME,
    "elapsedTime": terms.ELAPSED_TIME,
    "count": terms.COUNT,
    "minCellSize": terms.MIN_CELL_SIZE,
    "generic": LEVEL,
}
OPERATORS = {iri.removeprefix(ODRL): iri for iri in terms.OPERATORS}
START = datetime(2025, 1, 1, tzinfo=UTC)  # NOW is 2026-03-01T12:00Z: 14 months and 12 hours later
CTX = {"elapsed_start": START, "use_count": 3, "min_cell_size": 12, "operands": {LEVEL: 3}}

# left operand -> operator -> cases (right operand, request overrides, held).
Case = tuple[tuple[Value, ...], dict[str, Any], bool]
MATRIX: dict[str, dict[str, list[Case]]] = {
    "purpose": {
        "eq": [((Ref(STATS),), {}, True), ((Ref(POLICY_MAKING),), {}, False)],
        "neq": [((Ref(POLICY_MAKING),), {}, True), ((Ref(STATS),), {}, False)],
        "isA": [
            ((Ref(DPV + "PublicBenefit"),), {}, True),
            ((Ref(DPV + "Purpose"),), {}, True),
            ((Ref(STATS),), {}, True),
            ((Ref(DPV + "ResearchAndDevelopment"),), {}, False),
            (
                (Ref(STATS),),
                {"purpose": "https://example.org/purpose/LabourMigrationStatistics"},
                True,
            ),
        ],
        "isAnyOf": [
            ((Ref(STATS), Ref(POLICY_MAKING)), {}, True),
            ((Ref(POLICY_MAKING),), {}, False),
        ],
        "isNoneOf": [
            ((Ref(POLICY_MAKING),), {}, True),
            ((Ref(STATS), Ref(POLICY_MAKING)), {}, False),
        ],
        "isAllOf": [((Ref(STATS),), {}, True), ((Ref(STATS), Ref(POLICY_MAKING)), {}, False)],
    },
    "recipient": {
        "eq": [((Ref(STPS_MX),), {}, True), ((Ref(STPS_MX),), {"recipient": THIRD_PARTY}, False)],
        "neq": [
            ((Ref(THIRD_PARTY),), {}, True),
            ((Ref(THIRD_PARTY),), {"recipient": THIRD_PARTY}, False),
        ],
        "isPartOf": [
            ((Ref(MX_GROUP),), {}, True),
            ((Ref(MX_GROUP),), {"recipient": INM_MX}, False),
        ],
        "isAnyOf": [((Ref(STPS_MX), Ref(INM_MX)), {}, True), ((Ref(INM_MX),), {}, False)],
        "isNoneOf": [((Ref(THIRD_PARTY),), {}, True), ((Ref(STPS_MX), Ref(INM_MX)), {}, False)],
        "isAllOf": [((Ref(STPS_MX),), {}, True), ((Ref(STPS_MX), Ref(INM_MX)), {}, False)],
    },
    "spatial": {
        "eq": [
            ((Ref(EU + "MEX"),), {}, True),
            (("mex",), {}, True),
            ((Ref(EU + "MEX"),), {"assignee_country": EU + "MEX"}, True),
            (("GTM",), {}, False),
        ],
        "neq": [(("GTM",), {}, True), (("MEX",), {}, False)],
        "isPartOf": [
            ((Ref(CA4),), {"assignee_country": "GTM"}, True),
            ((Ref(SICA),), {"assignee_country": "gtm"}, True),
            ((Ref(SICA),), {"assignee_country": "BLZ"}, True),
            ((Ref(CA4),), {"assignee_country": "BLZ"}, False),
            ((Ref(CA4),), {}, False),
        ],
        "hasPart": [
            ((Ref(EU + "SLV"),), {"assignee_country": CA4}, True),
            ((Ref(EU + "MEX"),), {"assignee_country": CA4}, False),
        ],
        "isAnyOf": [((Ref(EU + "MEX"), Ref(EU + "SLV")), {}, True), (("SLV", "HND"), {}, False)],
        "isNoneOf": [(("SLV", "HND"), {}, True), (("SLV", "MEX"), {}, False)],
        "isAllOf": [(("MEX", Ref(EU + "MEX")), {}, True), (("MEX", "SLV"), {}, False)],
    },
    "dateTime": {
        "lt": [
            ((date("2026-03-02"),), {}, True),
            ((date("2026-03-01"),), {}, False),
            ((instant("2026-03-01T12:00:01Z"),), {}, True),
            ((instant("2026-03-01T12:00:00Z"),), {}, False),
        ],
        "lteq": [
            ((date("2026-03-01"),), {}, True),
            ((date("2026-02-28"),), {}, False),
            ((instant("2026-03-01T12:00:00Z"),), {}, True),
        ],
        "gt": [
            ((date("2026-02-28"),), {}, True),
            ((date("2026-03-01"),), {}, False),
            ((instant("2026-03-01T11:59:59Z"),), {}, True),
        ],
        "gteq": [
            ((date("2026-03-01"),), {}, True),
            ((date("2026-03-02"),), {}, False),
            ((instant("2026-03-01T12:00:00Z"),), {}, True),
        ],
        "eq": [
            ((date("2026-03-01"),), {}, True),
            ((instant("2026-03-01T06:00:00-06:00"),), {}, True),
            ((date("2026-03-02"),), {}, False),
        ],
        "neq": [((date("2026-03-02"),), {}, True), ((date("2026-03-01"),), {}, False)],
    },
    "elapsedTime": {
        "lt": [((duration("P2Y"),), CTX, True), ((duration("P1Y"),), CTX, False)],
        "lteq": [((duration("P14MT12H"),), CTX, True), ((duration("P14M"),), CTX, False)],
        "gt": [((duration("P14M"),), CTX, True), ((duration("P14MT12H"),), CTX, False)],
        "gteq": [
            ((duration("P14MT12H"),), CTX, True),
            ((duration("P424D"),), CTX, True),
            ((duration("P2Y"),), CTX, False),
        ],
        "eq": [((duration("P14MT12H"),), CTX, True), ((duration("P1Y"),), CTX, False)],
        "neq": [((duration("P1Y"),), CTX, True), ((duration("PT10188H"),), CTX, False)],
    },
    "count": {
        "eq": [
            ((3,), CTX, True),
            ((TypedLiteral("3", XSD + "integer"),), CTX, True),
            ((4,), CTX, False),
        ],
        "neq": [((4,), CTX, True), ((3,), CTX, False)],
        "lt": [((4,), CTX, True), ((3,), CTX, False)],
        "lteq": [((3,), CTX, True), ((2.5,), CTX, False)],
        "gt": [((2,), CTX, True), ((TypedLiteral("3.0", XSD + "decimal"),), CTX, False)],
        "gteq": [((3,), CTX, True), ((4,), CTX, False)],
        "isAnyOf": [((1, 2, 3), CTX, True), ((1, 2), CTX, False)],
        "isNoneOf": [((1, 2), CTX, True), ((3,), CTX, False)],
        "isAllOf": [((3,), CTX, True), ((3, 4), CTX, False)],
    },
    "minCellSize": {
        "eq": [((12,), CTX, True), ((1,), {}, True), ((10,), CTX, False)],
        "neq": [((10,), CTX, True), ((12,), CTX, False)],
        "lt": [((10,), {}, True), ((10,), CTX, False)],
        "lteq": [((12,), CTX, True), ((11,), CTX, False)],
        "gt": [((10,), CTX, True), ((12,), CTX, False)],
        "gteq": [((10,), CTX, True), ((10,), {"min_cell_size": None}, False)],
        "isAnyOf": [((5, 12), CTX, True), ((5,), CTX, False)],
        "isNoneOf": [((5,), CTX, True), ((12,), CTX, False)],
        "isAllOf": [((12,), CTX, True), ((12, 5), CTX, False)],
    },
    "generic": {
        "eq": [
            ((3,), CTX, True),
            ((TypedLiteral("3", XSD + "integer"),), CTX, True),
            (("3",), CTX, False),
        ],
        "neq": [((4,), CTX, True), ((3,), CTX, False)],
        "lt": [((4,), CTX, True), ((3,), CTX, False)],
        "lteq": [((3,), CTX, True), ((2,), CTX, False)],
        "gt": [((2,), CTX, True), ((3,), CTX, False)],
        "gteq": [((3,), CTX, True), ((4,), CTX, False)],
        "isAnyOf": [((1, 3), CTX, True), ((1,), CTX, False)],
        "isNoneOf": [((1,), CTX, True), ((3,), CTX, False)],
        "isAllOf": [((3,), CTX, True), ((3, 1), CTX, False)],
    },
}


def matrix_cases() -> list[Any]:
    out = []
    for left, by_operator in MATRIX.items():
        for operator, cases in by_operator.items():
            for i, (values, overrides, held) in enumerate(cases):
                out.append(
                    pytest.param(
                        left, operator, values, overrides, held, id=f"{left}-{operator}-{i}"
                    )
                )
    return out


@pytest.mark.parametrize(("left", "operator", "values", "overrides", "held"), matrix_cases())
def test_operator_on_left_operand(
    left: str, operator: str, values: tuple[Value, ...], overrides: dict[str, Any], held: bool
) -> None:
    result = check(Constraint(LEFT_OPERANDS[left], OPERATORS[operator], values), **overrides)
    assert result.held is held
    assert result.reason is None
    assert result.actual is not None


def test_every_supported_pair_has_a_true_and_a_false_case() -> None:
    for left, by_operator in MATRIX.items():
        for operator, cases in by_operator.items():
            assert {held for _, _, held in cases} == {True, False}, (left, operator)


# The pairs the matrix leaves out are exactly the ones the engine refuses, with a reason.
@pytest.mark.parametrize(
    ("left", "operator"),
    [(left, op) for left in LEFT_OPERANDS for op in OPERATORS if op not in MATRIX[left]],
)
def test_undefined_pairs_are_not_satisfied_with_a_reason(left: str, operator: str) -> None:
    result = check(Constraint(LEFT_OPERANDS[left], OPERATORS[operator], (Ref(STATS),)), **CTX)
    assert result.held is False
    assert result.reason == (
        f"the operator {operator} is not defined for the left operand "
        f"{terms.display(LEFT_OPERANDS[left])}"
    )


@pytest.mark.parametrize(
    ("left", "value", "overrides", "reason"),
    [
        ("purpose", Ref(STATS), {"purpose": None}, "the request declares no purpose"),
        (
            "recipient",
            Ref(STPS_MX),
            {"assignee": None},
            "the request names no recipient or assignee",
        ),
        (
            "spatial",
            "MEX",
            {"assignee_country": None},
            "the request gives no country for the assignee",
        ),
        ("elapsedTime", duration("P1Y"), {}, "the request gives no start for the elapsed time"),
        ("count", 1, {}, "the request gives no use count"),
        ("generic", 1, {}, "the engine has no value for https://example.org/vocab/level"),
    ],
)
def test_missing_request_values(
    left: str, value: Value, overrides: dict[str, Any], reason: str
) -> None:
    result = check(Constraint(LEFT_OPERANDS[left], terms.EQ, (value,)), **overrides)
    assert (result.held, result.actual) == (False, None)
    assert result.reason is not None
    assert result.reason.startswith(reason)


@pytest.mark.parametrize(
    ("constraint", "reason"),
    [
        (
            Constraint(terms.DATE_TIME, terms.LT, ("2026-01-01",)),
            "invalid right operand: the right operand of dateTime must be an xsd:date or "
            "xsd:dateTime literal",
        ),
        (
            Constraint(terms.DATE_TIME, terms.LT, (date("2026-02-30"),)),
            "invalid right operand: '2026-02-30' is not an xsd:date",
        ),
        (
            Constraint(terms.ELAPSED_TIME, terms.LT, ("P1Y",)),
            "invalid right operand: the right operand of elapsedTime must be an "
            "xsd:duration literal",
        ),
        (
            Constraint(terms.COUNT, terms.LT, ("three",)),
            "invalid right operand: three is not a number",
        ),
        (Constraint(terms.COUNT, terms.LT, (True,)), "invalid right operand: True is not a number"),
        (
            Constraint(terms.PURPOSE, terms.EQ, (5,)),
            "invalid right operand: 5 is not an IRI or a string",
        ),
        (Constraint(terms.COUNT, terms.EQ, (1, 2)), "the operator eq takes exactly one value"),
        (
            Constraint(terms.COUNT, "https://example.org/op/near", (1,)),
            "the engine does not know the operator https://example.org/op/near",
        ),
        (
            Constraint(LEVEL, terms.LT, ("high",)),
            "cannot compare 3 with the right operand: "
            "'<' not supported between instances of 'int' and 'str'",
        ),
    ],
)
def test_unevaluable_constraints_are_not_satisfied(constraint: Constraint, reason: str) -> None:
    result = check(constraint, **CTX)
    assert result.held is False
    assert result.reason == reason


def test_data_type_types_plain_right_operands() -> None:
    typed = Constraint(terms.COUNT, terms.LTEQ, ("5",), data_type=XSD + "integer")
    assert check(typed, use_count=5).held
    dated = Constraint(terms.DATE_TIME, terms.LT, ("2027-01-01",), data_type=XSD + "date")
    assert check(dated).held


def test_generic_operands_compare_dates_and_booleans() -> None:
    when = "https://example.org/vocab/reportedOn"
    certified = "https://example.org/vocab/certified"
    ctx = {"operands": {when: datetime(2026, 1, 5, tzinfo=UTC), certified: True}}
    assert check(Constraint(when, terms.LT, (instant("2026-02-01T00:00:00Z"),)), **ctx).held
    assert check(
        Constraint(certified, terms.EQ, (TypedLiteral("true", XSD + "boolean"),)), **ctx
    ).held
    assert check(
        Constraint(ODRL + "resolution", terms.LTEQ, (1200,)), operands={"resolution": 1000}
    ).held


def test_no_combination_crashes() -> None:
    values: list[Value] = [
        Ref(STATS),
        "MEX",
        3,
        2.5,
        True,
        date("2026-03-01"),
        instant("2026-03-01T12:00:00Z"),
        duration("P1Y"),
        duration("P99999Y"),
        TypedLiteral("1e999", XSD + "double"),
        TypedLiteral("5.5", XSD + "decimal"),
        TypedLiteral("x", "https://example.org/dt"),
    ]
    lefts = [*LEFT_OPERANDS.values(), ODRL + "event", "https://example.org/unknown"]
    operators = [*OPERATORS.values(), "https://example.org/op/near"]
    for left in lefts:
        for operator in operators:
            for value in values:
                for right in ((value,), (value, value)):
                    decision = evaluate(
                        one_rule(Constraint(left, operator, right)),
                        request(**CTX),
                        hierarchy=SMALL_HIERARCHY,
                    )
                    json.dumps(decision.to_dict())


# --------------------------------------------------------------------------- logical constraints


def logical(operator: LogicalOperator, *held: bool) -> LogicalResult:
    # count = 3: "count eq 3" holds, "count eq 4" does not.
    members = tuple(Constraint(terms.COUNT, terms.EQ, (3 if h else 4,)) for h in held)
    decision = evaluate(one_rule(LogicalConstraint(operator, members)), request(use_count=3))
    result = decision.rules[0].constraints[0]
    assert isinstance(result, LogicalResult)
    assert decision.outcome == ("permit" if result.held else "deny")
    return result


@pytest.mark.parametrize(
    ("operator", "members", "held", "evaluated", "reason"),
    [
        (LogicalOperator.AND, (True, True), True, 2, None),
        (LogicalOperator.AND, (True, False, True), False, 3, None),
        (LogicalOperator.OR, (False, True), True, 2, None),
        (LogicalOperator.OR, (False, False), False, 2, None),
        (LogicalOperator.XONE, (False, True, False), True, 3, None),
        (
            LogicalOperator.XONE,
            (True, True),
            False,
            2,
            "2 constraints hold; xone needs exactly one",
        ),
        (
            LogicalOperator.XONE,
            (False, False),
            False,
            2,
            "0 constraints hold; xone needs exactly one",
        ),
        (LogicalOperator.AND_SEQUENCE, (True, True, True), True, 3, None),
        (
            LogicalOperator.AND_SEQUENCE,
            (True, False, True),
            False,
            2,
            "stopped at constraint 1; 1 later constraint(s) not evaluated",
        ),
        (LogicalOperator.AND_SEQUENCE, (True, False), False, 2, "stopped at constraint 1"),
    ],
)
def test_logical_constraints(
    operator: LogicalOperator,
    members: tuple[bool, ...],
    held: bool,
    evaluated: int,
    reason: str | None,
) -> None:
    result = logical(operator, *members)
    assert result.held is held
    assert len(result.results) == evaluated
    assert [r.held for r in result.results] == list(members[:evaluated])
    assert result.reason == reason


# --------------------------------------------------------------------------- scope and conflicts

USE_FOR_STATS = Permission(
    action=Action(terms.USE),
    constraints=(Constraint(terms.PURPOSE, terms.IS_A, (Ref(STATS),)),),
    duties=(Duty(action=Action(terms.ATTRIBUTE)),),
)
NO_DISTRIBUTION = Prohibition(action=Action(terms.DISTRIBUTE))


def conflict_policy(strategy: ConflictStrategy | None) -> Policy:
    return Policy(
        uid="https://example.org/policy/conflict",
        conflict=strategy,
        targets=(DATASET,),
        permissions=(USE_FOR_STATS,),
        prohibitions=(NO_DISTRIBUTION,),
    )


@pytest.mark.parametrize(
    ("strategy", "outcome", "reason", "duties"),
    [
        (ConflictStrategy.PERM, "permit", "conflict_perm", 1),
        (ConflictStrategy.PROHIBIT, "deny", "conflict_prohibit", 0),
        (ConflictStrategy.INVALID, "deny", "conflict_invalid", 0),
        (None, "deny", "conflict_invalid", 0),  # ODRL's default is invalid
    ],
)
def test_conflict_strategies(
    strategy: ConflictStrategy | None, outcome: str, reason: str, duties: int
) -> None:
    decision = evaluate(conflict_policy(strategy), request(action="distribute"))
    assert (decision.outcome, decision.reason, len(decision.duties)) == (outcome, reason, duties)
    assert [r.label for r in decision.granted_by] == ["permission #0"]
    assert [r.label for r in decision.forbidden_by] == ["prohibition #0"]
    assert decision.conflict is (strategy or ConflictStrategy.INVALID)


def test_conflict_summaries() -> None:
    void = evaluate(conflict_policy(None), request(action="distribute")).summary
    assert "the whole policy is void" in void["en"]
    assert "la política entera queda sin efecto" in void["es"]
    perm = evaluate(conflict_policy(ConflictStrategy.PERM), request(action="distribute")).summary
    assert "'perm' lets permissions prevail" in perm["en"]
    assert "«perm»" in perm["es"]
    prohibit = evaluate(conflict_policy(ConflictStrategy.PROHIBIT), request(action="distribute"))
    assert prohibit.summary["en"].startswith("Denied: prohibition #0 forbids distribute")
    assert "Prevalece sobre el permiso #0" in prohibit.summary["es"]


@pytest.mark.parametrize(
    ("overrides", "outcome", "reason"),
    [
        ({"action": "read"}, "permit", "permitted"),
        ({"action": "odrl:display"}, "permit", "permitted"),  # display -> play -> use
        ({"action": "distribute", "purpose": POLICY_MAKING}, "deny", "prohibited"),
        ({"action": "read", "purpose": POLICY_MAKING}, "deny", "not_permitted"),
        ({"action": "transfer"}, "not_applicable", "no_applicable_rule"),  # not included in use
        ({"action": "read", "target": OTHER_DATASET}, "not_applicable", "no_applicable_rule"),
        ({"action": "read", "target": None}, "not_applicable", "no_applicable_rule"),
    ],
)
def test_outcomes_without_conflict(overrides: dict[str, Any], outcome: str, reason: str) -> None:
    decision = evaluate(conflict_policy(ConflictStrategy.PERM), request(**overrides))
    assert (decision.outcome, decision.reason) == (outcome, reason)


def test_a_prohibition_that_does_not_hold_makes_nothing_applicable() -> None:
    policy = Policy(
        uid="https://example.org/p",
        prohibitions=(
            Prohibition(
                action=Action(terms.USE),
                constraints=(Constraint(terms.SPATIAL, terms.EQ, ("GTM",)),),
            ),
        ),
    )
    assert evaluate(policy, request()).outcome == "not_applicable"
    assert evaluate(policy, request(assignee_country="GTM")).outcome == "deny"


def test_targets_and_assignees_come_from_rule_or_policy_and_collections() -> None:
    policy = Policy(
        uid="https://example.org/p",
        targets=(DATASET,),
        assignees=(STPS_MX,),
        permissions=(
            Permission(action=Action(terms.READ)),
            Permission(action=Action(terms.READ), targets=(OTHER_DATASET,), assignees=(STPS_SV,)),
            Permission(
                action=Action(terms.READ),
                targets=("https://catalog.simel.example/collection/migration",),
                assignees=(MX_GROUP,),
            ),
        ),
    )
    hierarchy = SMALL_HIERARCHY
    decision = evaluate(policy, request(), hierarchy=hierarchy)
    assert [r.applies for r in decision.rules] == [True, False, True]
    other = evaluate(policy, request(assignee=STPS_SV, target=OTHER_DATASET), hierarchy=hierarchy)
    assert [r.applies for r in other.rules] == [False, True, False]
    assert [(r.target_match, r.assignee_match) for r in other.rules] == [
        (False, False),
        (True, True),
        (False, False),
    ]
    # Without the hierarchy, collections contain nothing.
    plain = evaluate(policy, request())
    assert [r.applies for r in plain.rules] == [True, False, False]


def test_refinements_are_conditions_of_the_rule() -> None:
    refined = Action(
        terms.AGGREGATE, refinements=(Constraint(terms.MIN_CELL_SIZE, terms.GTEQ, (10,)),)
    )
    policy = Policy(uid="https://example.org/p", permissions=(Permission(action=refined),))
    small = evaluate(policy, request(action="aggregate", min_cell_size=5))
    assert (small.outcome, small.reason) == ("deny", "not_permitted")
    assert small.rules[0].refinements[0].held is False
    assert "simel:minCellSize gteq 10 is not satisfied (request: 5)" in small.summary["en"]
    assert evaluate(policy, request(action="aggregate", min_cell_size=50)).outcome == "permit"


# --------------------------------------------------------------------------- duties


def duty_policy(*duties: Duty) -> Policy:
    return Policy(
        uid="https://example.org/p",
        permissions=(Permission(action=Action(terms.USE), duties=duties),),
        obligations=(
            Duty(action=Action(terms.INFORM), assignees=(STPS_MX,)),
            Duty(action=Action(terms.COMPENSATE), assignees=(STPS_SV,)),
        ),
    )


def test_duties_come_with_the_permit() -> None:
    retention = Duty(
        action=Action(terms.DELETE),
        constraints=(Constraint(terms.ELAPSED_TIME, terms.GTEQ, (duration("P2Y"),)),),
    )
    policy = duty_policy(Duty(action=Action(terms.ATTRIBUTE)), retention)
    early = evaluate(policy, request(elapsed_start=NOW - timedelta(days=365)))
    assert early.outcome == "permit"
    assert [
        (terms.display(d.duty.action.iri), d.active, d.state, d.rule) for d in early.duties
    ] == [
        ("attribute", True, "pending", "permission #0"),
        ("delete", False, "pending", "permission #0"),
        ("inform", True, "pending", "policy"),
    ]
    assert early.summary["en"].endswith("Duties: attribute, delete, inform.")
    assert early.summary["es"].endswith("Deberes: attribute, delete, inform.")
    late = evaluate(
        policy, request(elapsed_start=NOW - timedelta(days=800), fulfilled_duties={"attribute"})
    )
    assert [(d.active, d.state) for d in late.duties] == [
        (True, "fulfilled"),
        (True, "pending"),
        (True, "pending"),
    ]
    denied = evaluate(policy, request(action="transfer"))
    assert denied.duties == ()


def test_precondition_duties_block_until_fulfilled() -> None:
    undertaking = Duty(
        action=Action(ODRL + "obtainConsent"),
        constraints=(BEFORE_USE,),
        uid="https://example.org/duty/undertaking",
    )
    policy = duty_policy(undertaking)
    blocked = evaluate(policy, request())
    assert (blocked.outcome, blocked.reason) == ("deny", "not_permitted")
    duty = blocked.rules[0].duties[0]
    assert (duty.precondition, duty.active, duty.state, duty.blocking) == (
        True,
        True,
        "pending",
        True,
    )
    assert duty.constraints == ()  # the marker says when, it is not evaluated as a condition
    assert "its duty obtainConsent must be fulfilled before use and is not" in blocked.summary["en"]
    assert "debe cumplirse antes del uso" in blocked.summary["es"]
    by_uid = evaluate(policy, request(fulfilled_duties={"https://example.org/duty/undertaking"}))
    by_action = evaluate(policy, request(fulfilled_duties={"odrl:obtainConsent"}))
    assert by_uid.outcome == by_action.outcome == "permit"


def test_violated_duties_block_unless_remedied() -> None:
    inform = Duty(action=Action(terms.INFORM))
    delete = Duty(
        action=Action(terms.DELETE), consequences=(Duty(action=Action(terms.COMPENSATE)),)
    )
    policy = duty_policy(inform, delete)
    violated = evaluate(policy, request(violated_duties={"inform"}))
    assert violated.outcome == "deny"
    assert "its duty inform was violated" in violated.summary["en"]
    assert "fue incumplido" in violated.summary["es"]
    unremedied = evaluate(policy, request(violated_duties={"delete"}))
    assert unremedied.outcome == "deny"
    remedied = evaluate(
        policy, request(violated_duties={"delete"}, fulfilled_duties={"compensate"})
    )
    assert remedied.outcome == "permit"
    assert remedied.duties[1].consequences[0].state == "fulfilled"


def test_uid_evidence_outranks_action_evidence() -> None:
    duty = Duty(action=Action(terms.INFORM), uid="https://example.org/duty/1")
    policy = duty_policy(duty)
    decision = evaluate(
        policy, request(fulfilled_duties={"https://example.org/duty/1"}, violated_duties={"inform"})
    )
    assert decision.outcome == "permit"
    assert decision.duties[0].state == "fulfilled"


def test_an_inactive_duty_does_not_block() -> None:
    sunday_only = Duty(
        action=Action(terms.COMPENSATE),
        constraints=(
            BEFORE_USE,
            Constraint("https://example.org/vocab/dayOfWeek", terms.EQ, ("Sunday",)),
        ),
    )
    decision = evaluate(
        duty_policy(sunday_only),
        request(operands={"https://example.org/vocab/dayOfWeek": "Monday"}),
    )
    assert decision.outcome == "permit"
    assert (decision.duties[0].active, decision.duties[0].blocking) == (False, False)


def test_obligations_follow_the_assignee() -> None:
    for assignee, expected in ((STPS_MX, ["inform"]), (STPS_SV, ["compensate"]), (INM_MX, [])):
        decision = evaluate(duty_policy(), request(assignee=assignee))
        assert [terms.display(d.duty.action.iri) for d in decision.duties] == expected


# --------------------------------------------------------------------------- explanations


def resolve(document: Any, pointer: str) -> Any:
    node = document
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def test_explanation_pointers_lead_into_the_written_policy() -> None:
    policy = all_templates()[6]  # the binational Agreement: logical, duties, prohibitions
    document = to_jsonld(policy)
    decision = evaluate(
        policy,
        request(elapsed_start=START, time=datetime(2025, 6, 1, tzinfo=UTC)),
        hierarchy=SMALL_HIERARCHY,
    )
    assert decision.outcome == "permit"
    seen = 0

    def visit(result: ConstraintResult | LogicalResult) -> None:
        nonlocal seen
        node = resolve(document, result.pointer)
        seen += 1
        if isinstance(result, LogicalResult):
            assert result.constraint.operator.value in node
            for inner in result.results:
                visit(inner)
        else:
            c = result.constraint
            assert node["leftOperand"].removeprefix("odrl:") == terms.display(c.left_operand)
            assert node["operator"].removeprefix("odrl:") == terms.display(c.operator)

    for rule in decision.rules:
        assert resolve(document, rule.pointer)["action"]
        for item in (*rule.constraints, *rule.refinements):
            visit(item)
        for duty in rule.duties:
            assert resolve(document, duty.pointer)["action"] == terms.display(duty.duty.action.iri)
            for item in duty.constraints:
                visit(item)
    assert seen >= 7


def test_decision_serialises_to_plain_json() -> None:
    policy = all_templates()[2]
    decision = evaluate(policy, request(elapsed_start=START), hierarchy=SMALL_HIERARCHY)
    data = decision.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {
        "outcome",
        "reason",
        "policy",
        "conflict",
        "summary",
        "granted_by",
        "forbidden_by",
        "duties",
        "rules",
        "request",
    }
    assert data["outcome"] == "permit"
    assert data["conflict"] == "prohibit"
    assert set(data["summary"]) == {"en", "es"}
    first = data["rules"][0]
    assert first["match"] == {"action": True, "target": True, "assignee": True}
    assert first["applies"] is True
    assert first["holds"] is True
    logical_ = first["constraints"][0]
    assert logical_["type"] == "logical"
    assert logical_["operator"] == "or"
    assert logical_["constraints"][0] == {
        "type": "constraint",
        "pointer": "/permission/0/constraint/0/or/@list/0",
        "uid": None,
        "leftOperand": ODRL + "purpose",
        "operator": ODRL + "isA",
        "rightOperand": [{"@id": STATS}],
        "unit": None,
        "actual": STATS,
        "held": True,
        "reason": None,
    }
    assert data["rules"][1]["match"]["action"] is False  # reidentify is not read
    assert [d["action"] for d in data["duties"]] == [ODRL + "attribute", ODRL + "delete"]
    assert data["duties"][1]["constraints"][0]["actual"] == "P424DT12H"
    assert data["request"]["purpose"] == STATS


def test_summaries_name_the_rule_in_both_languages() -> None:
    policy = conflict_policy(ConflictStrategy.PERM)
    permit = evaluate(policy, request()).summary
    assert permit["en"] == (
        f"Permitted: permission #0 allows read of {DATASET} by {STPS_MX}. Duties: attribute."
    )
    assert permit["es"] == (
        f"Permitido: el permiso #0 autoriza la acción read sobre {DATASET} por parte de {STPS_MX}. "
        "Deberes: attribute."
    )
    missing = evaluate(policy, request(purpose=None)).summary
    assert missing["en"].endswith(
        "but its constraint purpose isA dpv:ProvideOfficialStatistics is not satisfied "
        "(the request declares no purpose)."
    )
    assert "la solicitud no aporta el valor" in missing["es"]
    none = evaluate(policy, request(action="transfer")).summary
    assert none == {
        "en": f"Not applicable: no rule of the policy covers transfer of {DATASET} by {STPS_MX}.",
        "es": "No aplicable: ninguna regla de la política cubre la acción transfer sobre "
        f"{DATASET} por parte de {STPS_MX}.",
    }


# --------------------------------------------------------------------------- determinism and purity

REQUEST_MIX = [
    {},
    {"action": "distribute", "recipient": THIRD_PARTY},
    {"action": "distribute", "recipient": INM_MX},
    {"action": "simel:reidentify"},
    {"action": "transfer"},
    {"action": "aggregate", "min_cell_size": 3},
    {"assignee": STPS_SV, "assignee_country": "SLV"},
    {"purpose": DPV + "ResearchAndDevelopment"},
    {"elapsed_start": START, "use_count": 7, "fulfilled_duties": {"attribute"}},
    {"time": datetime(2030, 1, 1, tzinfo=UTC)},
]


@pytest.mark.parametrize("policy", all_templates(), ids=lambda p: p.uid.rsplit("/", 1)[-1])
def test_decisions_are_deterministic_and_compilation_is_transparent(policy: Policy) -> None:
    compiled = compile_policy(policy)
    atomic = compile_policy(atomize(policy))
    for overrides in REQUEST_MIX:
        req = request(**overrides)
        first = evaluate(policy, req, hierarchy=SMALL_HIERARCHY)
        again = compiled.evaluate(req, hierarchy=SMALL_HIERARCHY)
        fresh = evaluate(policy, req, hierarchy=SMALL_HIERARCHY)
        assert json.dumps(first.to_dict()) == json.dumps(fresh.to_dict())
        assert first == fresh == again
        # The atomic form splits rules but decides the same way.
        assert atomic.evaluate(req, hierarchy=SMALL_HIERARCHY).outcome == first.outcome


def test_results_are_immutable() -> None:
    decision = evaluate(conflict_policy(None), request())
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.outcome = "permit"  # type: ignore[misc]
    with pytest.raises(TypeError):
        decision.summary["en"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        decision.request.operands["x"] = 1  # type: ignore[index]
    compiled = compile_policy(conflict_policy(None))
    assert isinstance(compiled, CompiledPolicy)
    with pytest.raises(AttributeError, match="immutable"):
        compiled.policy = conflict_policy(ConflictStrategy.PERM)  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        SMALL_HIERARCHY.purposes = SMALL_HIERARCHY.places  # type: ignore[misc]


# --------------------------------------------------------------------------- the request


def test_request_normalises_names() -> None:
    req = request(
        action="simel:reidentify",
        fulfilled_duties={"attribute", "odrl:delete"},
        operands={"resolution": 300, "ex:x": 1},
    )
    assert req.action == SIMEL + "reidentify"
    assert req.fulfilled_duties == {ODRL + "attribute", ODRL + "delete"}
    assert set(req.operands) == {ODRL + "resolution", "ex:x"}
    assert request(action=ODRL + "read").action == request(action="read").action == ODRL + "read"
    assert req.to_dict()["operands"] == {"ex:x": 1, ODRL + "resolution": 300}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"time": datetime(2026, 1, 1)}, "time must be a time-zone aware datetime"),
        ({"elapsed_start": datetime(2026, 1, 1)}, "elapsed_start must be a time-zone aware"),
        ({"use_count": 0}, "use_count counts this use too"),
        ({"min_cell_size": 0}, "min_cell_size is at least 1"),
        ({"operands": {"purpose": DPV + "Purpose"}}, "come from the request's own fields"),
    ],
)
def test_request_rejects_bad_values(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        request(**overrides)


def test_decimal_and_datetime_values_render_as_text() -> None:
    when = "https://example.org/vocab/when"
    decision = evaluate(
        one_rule(Constraint(when, terms.EQ, (TypedLiteral("2.50", XSD + "decimal"),))),
        request(operands={when: Decimal("2.5")}),
    )
    assert decision.outcome == "permit"
    assert decision.to_dict()["rules"][0]["constraints"][0]["actual"] == "2.5"
    assert decision.to_dict()["request"]["operands"] == {when: "2.5"}
    assert isinstance(decision, Decision)


def test_compiled_policies_list_what_they_cannot_evaluate() -> None:
    offer = from_jsonld(load_fixture("every-feature-offer.json"))
    issues = compile_policy(offer).issues
    unknown = [
        (5, "industry"),
        (6, "payAmount"),
        (7, "https://example.org/vocab/certified"),
        (8, "https://example.org/vocab/weight"),
        (9, "https://example.org/vocab/level"),
    ]
    assert [i.pointer for i in issues] == [f"/permission/0/constraint/{n}" for n, _ in unknown]
    for issue, (_, name) in zip(issues, unknown, strict=True):
        assert issue.message == (
            f"the engine has no value of its own for {name}: the constraint holds only when "
            "the caller supplies one in RequestContext.operands"
        )
    assert issues[0].to_dict() == {"pointer": issues[0].pointer, "message": issues[0].message}
    broken = one_rule(
        Constraint(terms.PURPOSE, terms.LT, (Ref(STATS),)),
        LogicalConstraint(LogicalOperator.OR, (Constraint(terms.COUNT, terms.EQ, ("x",)),)),
    )
    assert [(i.pointer, i.message) for i in compile_policy(broken).issues] == [
        (
            "/permission/0/constraint/0",
            "the operator lt is not defined for the left operand purpose",
        ),
        ("/permission/0/constraint/1/or/@list/0", "invalid right operand: x is not a number"),
    ]
    for policy in all_templates():
        assert compile_policy(policy).issues == ()


def summary_of(operator: LogicalOperator, *counts: int | str) -> dict[str, str]:
    members = tuple(Constraint(terms.COUNT, terms.EQ, (n,)) for n in counts)
    policy = one_rule(LogicalConstraint(operator, members))
    return evaluate(policy, request(use_count=3)).summary


def test_a_failed_logical_constraint_names_what_failed() -> None:
    alternatives = summary_of(LogicalOperator.OR, 4, 5)
    assert (
        "none of its alternatives is satisfied: count eq 4 (request: 3); count eq 5 (request: 3)"
        in (alternatives["en"])
    )
    assert (
        "no se cumple ninguna de sus alternativas: count eq 4 (solicitud: 3)"
        in (alternatives["es"])
    )
    both = summary_of(LogicalOperator.XONE, 3, 3)
    assert "exactly one of its alternatives must be satisfied, and 2 are" in both["en"]
    # In a conjunction the first constraint that fails is the reason, told as on its own.
    every = summary_of(LogicalOperator.AND, 3, 4, 5)
    assert "its constraint count eq 4 is not satisfied (request: 3)" in every["en"]
    assert "count eq 5" not in every["en"]
    assert "logical constraint" not in every["en"] + alternatives["en"] + both["en"]
    unreadable = summary_of(LogicalOperator.OR, 4, "not-a-number")
    assert "count eq not-a-number (cannot be evaluated: " in unreadable["en"]
    assert "count eq not-a-number (no se puede evaluar)" in unreadable["es"]
