"""The ODRL 2.2 decision engine: pure, deterministic, and explained.

``evaluate(policy, request)`` answers one question: may this assignee perform this action
on this target now, for this purpose? It reads nothing but its arguments, so the same
policy, request and hierarchy always give the same :class:`Decision`, down to the JSON.

Semantics, in the order the engine applies them:

1. A rule *applies* when its action is the requested action or one the requested action
   is included in (``odrl:includedIn``, transitively: a permission to ``use`` covers
   ``read``), its target (or the policy's) is the requested target or a collection the
   target belongs to, and its assignee (or the policy's) is the requesting party or a
   collection it belongs to. A rule without targets or assignees applies to any.
2. The constraints and action refinements of an applicable rule are all evaluated and
   recorded. A constraint the engine cannot evaluate (unknown left operand or operator,
   missing request value, malformed right operand) is *not satisfied*, with the reason.
3. A permission *holds* when it applies, its constraints and refinements hold, and none
   of its duties blocks it. A duty blocks when it is active (its own constraints hold)
   and either was violated (and no consequence remedied it) or is a pre-condition
   (:data:`policies.model.BEFORE_USE`) that has not been fulfilled. Other duties do not
   block: they are returned with the permit, for the consumer to perform.
4. A prohibition *holds* when it applies and its constraints hold.
5. Outcome: a holding permission and no holding prohibition -> ``permit``; a holding
   prohibition and no holding permission -> ``deny``; both -> the policy's conflict
   strategy (``perm`` permits, ``prohibit`` denies, ``invalid`` voids the policy and
   denies); neither, but a permission applied -> ``deny`` (its conditions are not met);
   nothing applied -> ``not_applicable``.

How values compare:

* ``purpose`` (DPV IRIs) supports eq, neq, the set operators and ``isA`` (the request's
  purpose is the right operand or lies under it in ``hierarchy.purposes``); ``recipient``
  (default: the assignee) supports ``isPartOf`` through ``hierarchy.parties``; ``spatial``
  (the assignee's country, ISO alpha-3 or EU authority IRI) supports ``isPartOf`` and
  ``hasPart`` through ``hierarchy.places``. Set operators compare exactly: a request has
  one value, so it "is all of" a set only if the set holds just that value.
* ``dateTime`` compares the request time with an ``xsd:dateTime`` instant or with an
  ``xsd:date`` taken as the whole day; values without a time zone are UTC. ``elapsedTime``
  adds the ``xsd:duration`` to ``elapsed_start`` (calendar months and years included) and
  compares the request time with the result.
* ``count`` and ``simel:minCellSize`` are numbers; a record-level output has cells of 1.
* Any other left operand takes its value from ``RequestContext.operands`` and compares
  as plain values (numbers, strings, dates, booleans); see :attr:`CompiledPolicy.issues`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final, Literal, TypeAlias

from policies import terms, xsd
from policies.errors import json_pointer
from policies.hierarchy import Hierarchy, Relation, country_code
from policies.model import (
    AnyConstraint,
    ConflictStrategy,
    Constraint,
    Duty,
    LogicalConstraint,
    LogicalOperator,
    Permission,
    Policy,
    Prohibition,
    Ref,
    TypedLiteral,
    Value,
    is_before_use,
)

__all__ = [
    "EMPTY_HIERARCHY",
    "CompiledPolicy",
    "ConstraintResult",
    "Decision",
    "DutyResult",
    "Issue",
    "LogicalResult",
    "Outcome",
    "Reason",
    "RequestContext",
    "RuleResult",
    "compile_policy",
    "evaluate",
]

Outcome: TypeAlias = Literal["permit", "deny", "not_applicable"]
Reason: TypeAlias = Literal[
    "permitted",
    "prohibited",
    "conflict_perm",
    "conflict_prohibit",
    "conflict_invalid",
    "not_permitted",
    "no_applicable_rule",
]
DutyState: TypeAlias = Literal["fulfilled", "violated", "pending"]
OperandValue: TypeAlias = str | int | float | Decimal | bool | datetime | date
"""A value the caller supplies for a left operand the engine has no field for."""

EMPTY_HIERARCHY: Final = Hierarchy()
"""No broader terms at all: ``isA`` and ``isPartOf`` hold only for identical terms."""


# ============================================================================ the request


def _expand_term(value: str, context_terms: frozenset[str]) -> str:
    if ":" not in value and value in context_terms:
        return terms.context_term_iri(value)
    return terms.expand(value, {**terms.CONTEXT_PREFIXES, **terms.SIMEL_PREFIXES})


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestContext:
    """Everything the engine may know about one request; nothing else is consulted.

    Actions, duty names and operand keys may be given as IRIs, compact IRIs
    (``odrl:read``, ``simel:reidentify``) or ODRL context terms (``read``); they are
    stored expanded.

    Attributes:
        action: The requested ODRL action.
        time: When the action would happen (time-zone aware).
        assignee: IRI or id of the requesting organization.
        assignee_country: Its country (ISO 3166-1 alpha-3 or EU country-authority IRI),
            the value of ``odrl:spatial``.
        target: IRI of the requested dataset (or other asset).
        purpose: DPV purpose IRI the request declares.
        recipient: Who receives the result (``odrl:recipient``); defaults to the assignee.
        elapsed_start: Start of the period ``odrl:elapsedTime`` measures (e.g. the
            agreement's entry into force).
        use_count: This use's ordinal: uses so far + 1 (``odrl:count``).
        min_cell_size: Smallest cell count of the output (``simel:minCellSize``); None
            for record-level output, which counts as cells of one record.
        fulfilled_duties: Duties already performed, by duty uid or action.
        violated_duties: Duties known to be violated, by duty uid or action.
        operands: Values of other left operands, by IRI (``odrl:resolution``...).
    """

    action: str
    time: datetime
    assignee: str | None = None
    assignee_country: str | None = None
    target: str | None = None
    purpose: str | None = None
    recipient: str | None = None
    elapsed_start: datetime | None = None
    use_count: int | None = None
    min_cell_size: int | None = None
    fulfilled_duties: frozenset[str] = frozenset()
    violated_duties: frozenset[str] = frozenset()
    operands: Mapping[str, OperandValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("time", "elapsed_start"):
            moment = getattr(self, name)
            if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
                raise ValueError(f"{name} must be a time-zone aware datetime")
        if self.use_count is not None and self.use_count < 1:
            raise ValueError("use_count counts this use too, so it is at least 1")
        if self.min_cell_size is not None and self.min_cell_size < 1:
            raise ValueError("min_cell_size is at least 1")
        set_ = object.__setattr__  # frozen: normalise once, here
        set_(self, "action", _expand_term(self.action, terms.CONTEXT_ACTIONS))
        for name in ("fulfilled_duties", "violated_duties"):
            names = getattr(self, name)
            set_(self, name, frozenset(_expand_term(n, terms.CONTEXT_ACTIONS) for n in names))
        operands = {
            _expand_term(k, terms.CONTEXT_LEFT_OPERANDS): v for k, v in self.operands.items()
        }
        clash = sorted(set(operands) & set(_KINDS))
        if clash:
            raise ValueError(f"{', '.join(clash)} come from the request's own fields")
        set_(self, "operands", MappingProxyType(operands))

    def to_dict(self) -> dict[str, Any]:
        """Return the request as plain JSON values (for audit records)."""
        return {
            "action": self.action,
            "time": self.time.isoformat(),
            "assignee": self.assignee,
            "assignee_country": self.assignee_country,
            "target": self.target,
            "purpose": self.purpose,
            "recipient": self.recipient,
            "elapsed_start": None if self.elapsed_start is None else self.elapsed_start.isoformat(),
            "use_count": self.use_count,
            "min_cell_size": self.min_cell_size,
            "fulfilled_duties": sorted(self.fulfilled_duties),
            "violated_duties": sorted(self.violated_duties),
            "operands": {k: _json_value(v) for k, v in sorted(self.operands.items())},
        }


# ============================================================================ the results


@dataclass(frozen=True, slots=True)
class ConstraintResult:
    """How one constraint fared: the request's value and whether the constraint held."""

    constraint: Constraint
    pointer: str
    actual: Any
    """The request's value for the left operand (None when the request has none)."""
    held: bool
    reason: str | None = None
    """Why the constraint could not be evaluated or had no value; None otherwise."""

    def to_dict(self) -> dict[str, Any]:
        """Return the result as plain JSON values."""
        c = self.constraint
        return {
            "type": "constraint",
            "pointer": self.pointer,
            "uid": c.uid,
            "leftOperand": c.left_operand,
            "operator": c.operator,
            "rightOperand": [_json_operand(v) for v in c.right_operand],
            "unit": c.unit,
            "actual": _json_value(self.actual),
            "held": self.held,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class LogicalResult:
    """How a logical constraint fared, with the results of the constraints it combines."""

    constraint: LogicalConstraint
    pointer: str
    results: tuple[ConstraintResult, ...]
    held: bool
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the result as plain JSON values."""
        return {
            "type": "logical",
            "pointer": self.pointer,
            "uid": self.constraint.uid,
            "operator": self.constraint.operator.value,
            "constraints": [r.to_dict() for r in self.results],
            "held": self.held,
            "reason": self.reason,
        }


AnyResult: TypeAlias = ConstraintResult | LogicalResult


@dataclass(frozen=True, slots=True)
class DutyResult:
    """A duty of a permission (or a policy obligation) and where it stands."""

    duty: Duty
    rule: str
    """Label of the rule the duty belongs to (``policy`` for a policy obligation)."""
    pointer: str
    precondition: bool
    active: bool
    """Whether the duty's own constraints hold now (a retention duty is not yet due...)."""
    state: DutyState
    blocking: bool
    """Whether this duty stops its permission from holding."""
    constraints: tuple[AnyResult, ...] = ()
    consequences: tuple[DutyResult, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the result as plain JSON values."""
        return {
            "rule": self.rule,
            "pointer": self.pointer,
            "uid": self.duty.uid,
            "action": self.duty.action.iri,
            "precondition": self.precondition,
            "active": self.active,
            "state": self.state,
            "blocking": self.blocking,
            "constraints": [r.to_dict() for r in self.constraints],
            "consequences": [r.to_dict() for r in self.consequences],
        }


@dataclass(frozen=True, slots=True)
class RuleResult:
    """How one permission or prohibition fared."""

    kind: Literal["permission", "prohibition"]
    index: int
    rule: Permission | Prohibition
    action_match: bool
    target_match: bool
    assignee_match: bool
    constraints: tuple[AnyResult, ...] = ()
    refinements: tuple[AnyResult, ...] = ()
    duties: tuple[DutyResult, ...] = ()
    holds: bool = False

    @property
    def applies(self) -> bool:
        """Whether action, target and assignee all match the request."""
        return self.action_match and self.target_match and self.assignee_match

    @property
    def label(self) -> str:
        """The rule's uid, or ``permission #0`` style when it has none."""
        return self.rule.uid or f"{self.kind} #{self.index}"

    @property
    def pointer(self) -> str:
        """JSON pointer to the rule in the policy document."""
        return json_pointer((self.kind, self.index))

    def to_dict(self) -> dict[str, Any]:
        """Return the result as plain JSON values."""
        return {
            "rule": self.label,
            "kind": self.kind,
            "index": self.index,
            "uid": self.rule.uid,
            "pointer": self.pointer,
            "action": self.rule.action.iri,
            "applies": self.applies,
            "match": {
                "action": self.action_match,
                "target": self.target_match,
                "assignee": self.assignee_match,
            },
            "constraints": [r.to_dict() for r in self.constraints],
            "refinements": [r.to_dict() for r in self.refinements],
            "duties": [r.to_dict() for r in self.duties],
            "holds": self.holds,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer, with every rule's evaluation and a one-line summary.

    Attributes:
        outcome: ``permit``, ``deny`` or ``not_applicable``.
        reason: Which branch of the semantics (module docstring, point 5) decided.
        policy: uid of the evaluated policy.
        conflict: The conflict strategy in force.
        rules: One result per permission and prohibition, in document order.
        duties: On a permit, the duties of the granting permissions and the policy's
            obligations that concern the assignee; empty otherwise.
        summary: The decision in one sentence, ``{"en": ..., "es": ...}``.
        request: The request that was evaluated.
    """

    outcome: Outcome
    reason: Reason
    policy: str
    conflict: ConflictStrategy
    rules: tuple[RuleResult, ...]
    duties: tuple[DutyResult, ...]
    summary: Mapping[str, str]
    request: RequestContext

    @property
    def permitted(self) -> bool:
        """Whether the outcome is ``permit``."""
        return self.outcome == "permit"

    @property
    def granted_by(self) -> tuple[RuleResult, ...]:
        """The permissions that hold."""
        return tuple(r for r in self.rules if r.kind == "permission" and r.holds)

    @property
    def forbidden_by(self) -> tuple[RuleResult, ...]:
        """The prohibitions that hold."""
        return tuple(r for r in self.rules if r.kind == "prohibition" and r.holds)

    def to_dict(self) -> dict[str, Any]:
        """Return the decision and its explanation as plain JSON values."""
        return {
            "outcome": self.outcome,
            "reason": self.reason,
            "policy": self.policy,
            "conflict": self.conflict.value,
            "summary": dict(self.summary),
            "granted_by": [r.label for r in self.granted_by],
            "forbidden_by": [r.label for r in self.forbidden_by],
            "duties": [d.to_dict() for d in self.duties],
            "rules": [r.to_dict() for r in self.rules],
            "request": self.request.to_dict(),
        }


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(xsd.timedelta_to_duration(value))
    return str(value)  # Decimal, Duration


def _json_operand(value: Value) -> Any:
    if isinstance(value, Ref):
        return {"@id": value.iri}
    if isinstance(value, TypedLiteral):
        return {"@value": value.lexical, "@type": value.datatype}
    return value


# ============================================================================ evaluation state


class _Env:
    """Per-decision state: the request, the hierarchy and what is derived from them once."""

    __slots__ = ("_assignee_scope", "_target_scope", "hierarchy", "lineage", "request")

    def __init__(self, request: RequestContext, hierarchy: Hierarchy) -> None:
        self.request = request
        self.hierarchy = hierarchy
        self.lineage = _lineage(request.action)
        self._target_scope: frozenset[str] | None = None
        self._assignee_scope: frozenset[str] | None = None

    def target_in(self, targets: frozenset[str]) -> bool:
        target = self.request.target
        if target is None:
            return False
        if target in targets:
            return True
        if self._target_scope is None:
            self._target_scope = self.hierarchy.assets.ancestors(target)
        return not targets.isdisjoint(self._target_scope)

    def assignee_in(self, assignees: frozenset[str]) -> bool:
        assignee = self.request.assignee
        if assignee is None:
            return False
        if assignee in assignees:
            return True
        if self._assignee_scope is None:
            self._assignee_scope = self.hierarchy.parties.ancestors(assignee)
        return not assignees.isdisjoint(self._assignee_scope)


@lru_cache(maxsize=1024)
def _lineage(action: str) -> frozenset[str]:
    return frozenset(terms.action_lineage(action))


_MISSING: Final = object()


# ============================================================================ left operands


@dataclass(frozen=True, slots=True)
class _Kind:
    """How to evaluate one left operand: where its value comes from and what it supports."""

    operators: frozenset[str]
    resolve: Callable[[_Env], Any]
    missing: str
    prepare: Callable[[Value, Constraint], Any]
    position: Callable[[Any, Any, _Env], int] | None = None
    """For ordered operands: -1, 0 or 1 as the actual value is before, at or after."""
    equal: Callable[[Any, Any, _Env], bool] | None = None
    """For ordered operands, equality when it is not ``position == 0`` (plain values)."""
    relation: Callable[[_Env], Relation] | None = None
    """For isA / isPartOf / hasPart: the hierarchy relation to consult."""


_EQUALITY = frozenset({terms.EQ, terms.NEQ})
_ORDER = frozenset({terms.LT, terms.LTEQ, terms.GT, terms.GTEQ})
_SETS = terms.SET_OPERATORS


def _value_text(value: Value) -> str:
    if isinstance(value, Ref):
        return value.iri
    if isinstance(value, TypedLiteral):
        return value.lexical
    if isinstance(value, str):
        return value
    raise ValueError(f"{value!r} is not an IRI or a string")


def _prepare_iri(value: Value, constraint: Constraint) -> str:
    return _value_text(value)


def _prepare_place(value: Value, constraint: Constraint) -> str:
    return country_code(_value_text(value))


def _typed(value: Value, constraint: Constraint) -> tuple[str, str] | None:
    """The lexical form and datatype of a value, using ``dataType`` for plain strings."""
    if isinstance(value, TypedLiteral):
        return value.lexical, value.datatype
    if isinstance(value, str) and constraint.data_type is not None:
        return value, constraint.data_type
    return None


@dataclass(frozen=True, slots=True)
class _Span:
    """An instant (start == end, closed) or an xsd:date day ([start, end), half-open)."""

    start: datetime
    end: datetime
    day: bool


def _prepare_instant(value: Value, constraint: Constraint) -> _Span:
    typed = _typed(value, constraint)
    if typed is not None and typed[1] == xsd.DATE:
        start, end = xsd.parse_date(typed[0])
        return _Span(start, end, day=True)
    if typed is not None and typed[1] in xsd.DATE_TIME_TYPES:
        moment = xsd.parse_date_time(typed[0])
        return _Span(moment, moment, day=False)
    raise ValueError("the right operand of dateTime must be an xsd:date or xsd:dateTime literal")


def _span_position(moment: datetime, span: _Span) -> int:
    if moment < span.start:
        return -1
    if (moment >= span.end) if span.day else (moment > span.end):
        return 1
    return 0


def _prepare_duration(value: Value, constraint: Constraint) -> xsd.Duration:
    typed = _typed(value, constraint)
    if typed is None or typed[1] not in xsd.DURATION_TYPES:
        raise ValueError("the right operand of elapsedTime must be an xsd:duration literal")
    return xsd.parse_duration(typed[0])


def _elapsed_position(elapsed: timedelta, duration: xsd.Duration, env: _Env) -> int:
    # Durations with months or years have no fixed length: compare the request time
    # with the moment the duration ends when counted from the start.
    now = env.request.time
    end = duration.after(now - elapsed)
    return _span_position(now, _Span(end, end, day=False))


def _prepare_number(value: Value, constraint: Constraint) -> int | float | Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    typed = _typed(value, constraint)
    if typed is not None and typed[1] in xsd.NUMERIC_TYPES:
        return xsd.parse_number(typed[0], typed[1])
    raise ValueError(f"{_describe(value)} is not a number")


def _prepare_generic(value: Value, constraint: Constraint) -> Any:
    typed = _typed(value, constraint)
    if typed is None:
        return value.iri if isinstance(value, Ref) else value
    lexical, datatype = typed
    if datatype in xsd.NUMERIC_TYPES:
        return xsd.parse_number(lexical, datatype)
    if datatype in xsd.DATE_TIME_TYPES:
        return xsd.parse_date_time(lexical)
    if datatype == xsd.DATE:
        return date.fromisoformat(lexical[:10])
    if datatype == xsd.BOOLEAN:
        return xsd.parse_boolean(lexical)
    return lexical


def _compare(actual: Any, expected: Any, env: _Env) -> int:
    if actual == expected:
        return 0
    return -1 if actual < expected else 1


def _equal(actual: Any, expected: Any, env: _Env) -> bool:
    # Plain equality: a number is simply not equal to a string, there is nothing to order.
    return bool(actual == expected)


def _purpose(env: _Env) -> Any:
    return _MISSING if env.request.purpose is None else env.request.purpose


def _recipient(env: _Env) -> Any:
    recipient = env.request.recipient or env.request.assignee
    return _MISSING if recipient is None else recipient


def _spatial(env: _Env) -> Any:
    country = env.request.assignee_country
    return _MISSING if country is None else country_code(country)


def _elapsed(env: _Env) -> Any:
    start = env.request.elapsed_start
    return _MISSING if start is None else env.request.time - start


def _count(env: _Env) -> Any:
    return _MISSING if env.request.use_count is None else env.request.use_count


_KINDS: Final[Mapping[str, _Kind]] = {
    terms.PURPOSE: _Kind(
        _EQUALITY | _SETS | {terms.IS_A},
        _purpose,
        "the request declares no purpose",
        _prepare_iri,
        relation=lambda env: env.hierarchy.purposes,
    ),
    terms.RECIPIENT: _Kind(
        _EQUALITY | _SETS | {terms.IS_PART_OF},
        _recipient,
        "the request names no recipient or assignee",
        _prepare_iri,
        relation=lambda env: env.hierarchy.parties,
    ),
    terms.SPATIAL: _Kind(
        _EQUALITY | _SETS | {terms.IS_PART_OF, terms.HAS_PART},
        _spatial,
        "the request gives no country for the assignee",
        _prepare_place,
        relation=lambda env: env.hierarchy.places,
    ),
    terms.DATE_TIME: _Kind(
        _EQUALITY | _ORDER,
        lambda env: env.request.time,
        "",
        _prepare_instant,
        position=lambda moment, span, env: _span_position(moment, span),
    ),
    terms.ELAPSED_TIME: _Kind(
        _EQUALITY | _ORDER,
        _elapsed,
        "the request gives no start for the elapsed time",
        _prepare_duration,
        position=_elapsed_position,
    ),
    terms.COUNT: _Kind(
        _EQUALITY | _ORDER | _SETS,
        _count,
        "the request gives no use count",
        _prepare_number,
        position=_compare,
        equal=_equal,
    ),
    terms.MIN_CELL_SIZE: _Kind(
        _EQUALITY | _ORDER | _SETS,
        # Record-level output: every cell holds exactly one record.
        lambda env: env.request.min_cell_size or 1,
        "",
        _prepare_number,
        position=_compare,
        equal=_equal,
    ),
}


def _generic_kind(left_operand: str) -> _Kind:
    def resolve(env: _Env) -> Any:
        return env.request.operands.get(left_operand, _MISSING)

    return _Kind(
        _EQUALITY | _ORDER | _SETS,
        resolve,
        f"the engine has no value for {terms.display(left_operand)}: "
        "the caller did not supply one in RequestContext.operands",
        _prepare_generic,
        position=_compare,
        equal=_equal,
    )


def _test(kind: _Kind, operator: str) -> Callable[[Any, tuple[Any, ...], _Env], bool]:
    """Build the test ``operator`` performs between a request value and the right operand."""
    position = kind.position
    relation = kind.relation
    if position is not None:
        pos = position
        eq = kind.equal or (lambda a, x, env: pos(a, x, env) == 0)
        tests: dict[str, Callable[[Any, tuple[Any, ...], _Env], bool]] = {
            terms.EQ: lambda a, v, env: eq(a, v[0], env),
            terms.NEQ: lambda a, v, env: not eq(a, v[0], env),
            terms.LT: lambda a, v, env: pos(a, v[0], env) < 0,
            terms.LTEQ: lambda a, v, env: pos(a, v[0], env) <= 0,
            terms.GT: lambda a, v, env: pos(a, v[0], env) > 0,
            terms.GTEQ: lambda a, v, env: pos(a, v[0], env) >= 0,
            terms.IS_ANY_OF: lambda a, v, env: any(eq(a, x, env) for x in v),
            terms.IS_NONE_OF: lambda a, v, env: not any(eq(a, x, env) for x in v),
            terms.IS_ALL_OF: lambda a, v, env: all(eq(a, x, env) for x in v),
        }
        return tests[operator]
    tests = {
        terms.EQ: lambda a, v, env: a == v[0],
        terms.NEQ: lambda a, v, env: a != v[0],
        terms.IS_ANY_OF: lambda a, v, env: a in v,
        terms.IS_NONE_OF: lambda a, v, env: a not in v,
        # A request carries one value, so it "is all of" a set only if the set is just it.
        terms.IS_ALL_OF: lambda a, v, env: all(a == x for x in v),
    }
    if relation is not None:
        rel = relation
        tests[terms.IS_A] = lambda a, v, env: rel(env).within(a, v[0])
        tests[terms.IS_PART_OF] = lambda a, v, env: rel(env).within(a, v[0])
        tests[terms.HAS_PART] = lambda a, v, env: rel(env).within(v[0], a)
    return tests[operator]


# ============================================================================ compilation

_Check: TypeAlias = Callable[[_Env], AnyResult]


def _diagnose(constraint: Constraint) -> tuple[_Kind, tuple[Any, ...], str | None]:
    """Find the constraint's left-operand kind, prepare its right operand, or say why not."""
    kind = _KINDS.get(constraint.left_operand) or _generic_kind(constraint.left_operand)
    operator = constraint.operator
    if operator not in terms.OPERATORS:
        return kind, (), f"the engine does not know the operator {terms.display(operator)}"
    if operator not in kind.operators:
        return (
            kind,
            (),
            (
                f"the operator {terms.display(operator)} is not defined for the left operand "
                f"{terms.display(constraint.left_operand)}"
            ),
        )
    if operator not in _SETS and len(constraint.right_operand) != 1:
        return kind, (), f"the operator {terms.display(operator)} takes exactly one value"
    try:
        values = tuple(kind.prepare(v, constraint) for v in constraint.right_operand)
    except (ValueError, ArithmeticError) as exc:
        return kind, (), f"invalid right operand: {exc}"
    return kind, values, None


def _compile_constraint(constraint: Constraint, pointer: str) -> Callable[[_Env], ConstraintResult]:
    kind, values, problem = _diagnose(constraint)
    resolve, missing = kind.resolve, kind.missing
    if problem is not None:

        def unevaluable(env: _Env) -> ConstraintResult:
            actual = resolve(env)
            shown = None if actual is _MISSING else actual
            return ConstraintResult(constraint, pointer, shown, False, problem)

        return unevaluable

    test = _test(kind, constraint.operator)

    def run(env: _Env) -> ConstraintResult:
        actual = resolve(env)
        if actual is _MISSING:
            return ConstraintResult(constraint, pointer, None, False, missing)
        try:
            held = test(actual, values, env)
        except (TypeError, ValueError, ArithmeticError, OverflowError) as exc:
            reason = f"cannot compare {_describe_actual(actual)} with the right operand: {exc}"
            return ConstraintResult(constraint, pointer, actual, False, reason)
        return ConstraintResult(constraint, pointer, actual, held)

    return run


def _compile_logical(logical: LogicalConstraint, pointer: str) -> Callable[[_Env], LogicalResult]:
    base = pointer + "/" + logical.operator.value + "/@list"
    checks = tuple(_compile_constraint(c, f"{base}/{i}") for i, c in enumerate(logical.constraints))
    operator = logical.operator

    def run(env: _Env) -> LogicalResult:
        if operator is LogicalOperator.AND_SEQUENCE:
            # A decision is a single moment, so the sequence reduces to "all, in order";
            # like the standard's sequence, evaluation stops at the first failure.
            done = []
            for check in checks:
                result = check(env)
                done.append(result)
                if not result.held:
                    skipped = len(checks) - len(done)
                    reason = f"stopped at constraint {len(done) - 1}" + (
                        f"; {skipped} later constraint(s) not evaluated" if skipped else ""
                    )
                    return LogicalResult(logical, pointer, tuple(done), False, reason)
            return LogicalResult(logical, pointer, tuple(done), True)
        results = tuple(check(env) for check in checks)
        count = sum(r.held for r in results)
        if operator is LogicalOperator.AND:
            return LogicalResult(logical, pointer, results, count == len(results))
        if operator is LogicalOperator.OR:
            return LogicalResult(logical, pointer, results, count > 0)
        if count == 1:
            return LogicalResult(logical, pointer, results, True)
        return LogicalResult(
            logical, pointer, results, False, f"{count} constraints hold; xone needs exactly one"
        )

    return run


def _compile_one(constraint: AnyConstraint, pointer: str) -> _Check:
    if isinstance(constraint, Constraint):
        return _compile_constraint(constraint, pointer)
    return _compile_logical(constraint, pointer)


def _compile_all(constraints: tuple[AnyConstraint, ...], pointer: str) -> tuple[_Check, ...]:
    """Compile a constraint list; ``pointer`` is the list's own pointer."""
    return tuple(_compile_one(c, f"{pointer}/{i}") for i, c in enumerate(constraints))


@dataclass(frozen=True, slots=True)
class _CompiledDuty:
    duty: Duty
    pointer: str
    precondition: bool
    constraints: tuple[_Check, ...]
    consequences: tuple[_CompiledDuty, ...]
    assignees: frozenset[str] | None


def _compile_duty(duty: Duty, pointer: str, inherited_assignees: tuple[str, ...]) -> _CompiledDuty:
    # The before-use marker says when the duty is due; it is not a condition to evaluate.
    checks = tuple(
        _compile_one(c, f"{pointer}/constraint/{i}")
        for i, c in enumerate(duty.constraints)
        if not is_before_use(c)
    )
    assignees = duty.assignees or inherited_assignees
    return _CompiledDuty(
        duty=duty,
        pointer=pointer,
        precondition=duty.is_precondition,
        constraints=checks,
        consequences=tuple(
            _compile_duty(d, f"{pointer}/consequence/{i}", ())
            for i, d in enumerate(duty.consequences)
        ),
        assignees=frozenset(assignees) if assignees else None,
    )


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    kind: Literal["permission", "prohibition"]
    index: int
    rule: Permission | Prohibition
    action: str
    targets: frozenset[str] | None
    assignees: frozenset[str] | None
    constraints: tuple[_Check, ...]
    refinements: tuple[_Check, ...]
    duties: tuple[_CompiledDuty, ...]


def _compile_rule(
    kind: Literal["permission", "prohibition"],
    index: int,
    rule: Permission | Prohibition,
    policy: Policy,
) -> _CompiledRule:
    pointer = json_pointer((kind, index))
    targets = rule.targets or policy.targets
    assignees = rule.assignees or policy.assignees
    refinement_pointer = (
        f"{pointer}/action/0/refinement" if rule.action.refinements else f"{pointer}/action"
    )
    duties = (
        tuple(_compile_duty(d, f"{pointer}/duty/{i}", ()) for i, d in enumerate(rule.duties))
        if isinstance(rule, Permission)
        else ()
    )
    return _CompiledRule(
        kind=kind,
        index=index,
        rule=rule,
        action=rule.action.iri,
        targets=frozenset(targets) if targets else None,
        assignees=frozenset(assignees) if assignees else None,
        constraints=_compile_all(rule.constraints, f"{pointer}/constraint"),
        refinements=_compile_all(rule.action.refinements, refinement_pointer),
        duties=duties,
    )


@dataclass(frozen=True, slots=True)
class Issue:
    """A constraint the engine cannot evaluate as written (it will never be satisfied).

    For a prohibition that means the prohibition never holds, so the catalog should show
    these to the steward when a policy is saved rather than discover them in a decision.
    """

    pointer: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """Return the issue as plain JSON values."""
        return {"pointer": self.pointer, "message": self.message}


def _constraint_sites(policy: Policy) -> Iterator[tuple[str, Constraint]]:
    """Every constraint of the policy with its JSON pointer, as the engine compiles them."""

    def walk(constraints: tuple[AnyConstraint, ...], base: str) -> Iterator[tuple[str, Constraint]]:
        for i, c in enumerate(constraints):
            if isinstance(c, LogicalConstraint):
                for j, member in enumerate(c.constraints):
                    yield f"{base}/{i}/{c.operator.value}/@list/{j}", member
            elif not is_before_use(c):
                yield f"{base}/{i}", c

    def duty(d: Duty, base: str) -> Iterator[tuple[str, Constraint]]:
        yield from walk(d.constraints, base + "/constraint")
        for i, consequence in enumerate(d.consequences):
            yield from duty(consequence, f"{base}/consequence/{i}")

    rules: list[tuple[str, Permission | Prohibition]] = [
        *((json_pointer(("permission", i)), r) for i, r in enumerate(policy.permissions)),
        *((json_pointer(("prohibition", i)), r) for i, r in enumerate(policy.prohibitions)),
    ]
    for base, rule in rules:
        yield from walk(rule.constraints, base + "/constraint")
        yield from walk(rule.action.refinements, base + "/action/0/refinement")
        if isinstance(rule, Permission):
            for i, d in enumerate(rule.duties):
                yield from duty(d, f"{base}/duty/{i}")
    for i, d in enumerate(policy.obligations):
        yield from duty(d, json_pointer(("obligation", i)))


def _issues(policy: Policy) -> tuple[Issue, ...]:
    found = []
    for pointer, constraint in _constraint_sites(policy):
        _, _, problem = _diagnose(constraint)
        if problem is None and constraint.left_operand not in _KINDS:
            problem = (
                f"the engine has no value of its own for {terms.display(constraint.left_operand)}: "
                "the constraint holds only when the caller supplies one in RequestContext.operands"
            )
        if problem is not None:
            found.append(Issue(pointer, problem))
    return tuple(found)


class CompiledPolicy:
    """A policy prepared for repeated decisions: right operands parsed, rules indexed.

    Immutable once built; one instance can serve any number of threads.

    Attributes:
        policy: The policy this was compiled from.
        issues: Constraints the engine cannot evaluate on its own, with their pointers.
        operands: The left operands its constraints read (full IRIs), so that a caller
            gathers a costly fact (such as the uses so far, for ``odrl:count``) only
            when the policy asks for it.
    """

    __slots__ = ("_obligations", "_rules", "issues", "operands", "policy")

    policy: Policy
    issues: tuple[Issue, ...]
    operands: frozenset[str]
    _rules: tuple[_CompiledRule, ...]
    _obligations: tuple[_CompiledDuty, ...]

    def __init__(self, policy: Policy) -> None:
        set_ = object.__setattr__  # the class refuses ordinary assignment
        set_(self, "policy", policy)
        rules = tuple(
            _compile_rule("permission", i, r, policy) for i, r in enumerate(policy.permissions)
        ) + tuple(
            _compile_rule("prohibition", i, r, policy) for i, r in enumerate(policy.prohibitions)
        )
        set_(self, "_rules", rules)
        obligations = tuple(
            _compile_duty(d, json_pointer(("obligation", i)), policy.assignees)
            for i, d in enumerate(policy.obligations)
        )
        set_(self, "_obligations", obligations)
        set_(self, "issues", _issues(policy))
        set_(self, "operands", frozenset(c.left_operand for _, c in _constraint_sites(policy)))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"CompiledPolicy is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"CompiledPolicy is immutable (cannot delete {name!r})")

    def evaluate(
        self, request: RequestContext, *, hierarchy: Hierarchy = EMPTY_HIERARCHY
    ) -> Decision:
        """Decide a request against this policy (see the module docstring for the rules)."""
        env = _Env(request, hierarchy)
        results = tuple(_evaluate_rule(rule, env) for rule in self._rules)
        granting = [r for r in results if r.kind == "permission" and r.holds]
        forbidding = [r for r in results if r.kind == "prohibition" and r.holds]
        strategy = self.policy.effective_conflict
        outcome: Outcome
        reason: Reason
        if granting and forbidding:
            if strategy is ConflictStrategy.PERM:
                outcome, reason = "permit", "conflict_perm"
            elif strategy is ConflictStrategy.PROHIBIT:
                outcome, reason = "deny", "conflict_prohibit"
            else:
                outcome, reason = "deny", "conflict_invalid"
        elif granting:
            outcome, reason = "permit", "permitted"
        elif forbidding:
            outcome, reason = "deny", "prohibited"
        elif any(r.kind == "permission" and r.applies for r in results):
            outcome, reason = "deny", "not_permitted"
        else:
            outcome, reason = "not_applicable", "no_applicable_rule"
        duties: tuple[DutyResult, ...] = ()
        if outcome == "permit":
            obligations = tuple(
                _evaluate_duty(d, env, "policy")
                for d in self._obligations
                if d.assignees is None or env.assignee_in(d.assignees)
            )
            duties = tuple(d for r in granting for d in r.duties) + obligations
        return Decision(
            outcome=outcome,
            reason=reason,
            policy=self.policy.uid,
            conflict=strategy,
            rules=results,
            duties=duties,
            summary=MappingProxyType(
                _summary(reason, strategy, results, granting, forbidding, duties, request)
            ),
            request=request,
        )


def compile_policy(policy: Policy) -> CompiledPolicy:
    """Prepare a policy once for many decisions (what :func:`evaluate` does every call)."""
    return CompiledPolicy(policy)


def evaluate(
    policy: Policy | CompiledPolicy,
    request: RequestContext,
    *,
    hierarchy: Hierarchy = EMPTY_HIERARCHY,
) -> Decision:
    """Decide whether ``request`` is permitted by ``policy``, and explain why.

    Pure and deterministic: the result depends only on the arguments. Pass a
    :class:`CompiledPolicy` (from :func:`compile_policy`) when deciding repeatedly.
    """
    compiled = policy if isinstance(policy, CompiledPolicy) else CompiledPolicy(policy)
    return compiled.evaluate(request, hierarchy=hierarchy)


def _evaluate_rule(rule: _CompiledRule, env: _Env) -> RuleResult:
    action_match = rule.action in env.lineage
    target_match = rule.targets is None or env.target_in(rule.targets)
    assignee_match = rule.assignees is None or env.assignee_in(rule.assignees)
    if not (action_match and target_match and assignee_match):
        return RuleResult(
            rule.kind, rule.index, rule.rule, action_match, target_match, assignee_match
        )
    constraints = tuple(check(env) for check in rule.constraints)
    refinements = tuple(check(env) for check in rule.refinements)
    label = rule.rule.uid or f"{rule.kind} #{rule.index}"
    duties = tuple(_evaluate_duty(d, env, label) for d in rule.duties)
    holds = (
        all(r.held for r in constraints)
        and all(r.held for r in refinements)
        and not any(d.blocking for d in duties)
    )
    return RuleResult(
        rule.kind, rule.index, rule.rule, True, True, True, constraints, refinements, duties, holds
    )


def _duty_state(duty: Duty, request: RequestContext) -> DutyState:
    # Evidence about this very duty (its uid) outranks evidence about its kind of action.
    if duty.uid is not None:
        if duty.uid in request.violated_duties:
            return "violated"
        if duty.uid in request.fulfilled_duties:
            return "fulfilled"
    if duty.action.iri in request.violated_duties:
        return "violated"
    if duty.action.iri in request.fulfilled_duties:
        return "fulfilled"
    return "pending"


def _evaluate_duty(duty: _CompiledDuty, env: _Env, owner: str) -> DutyResult:
    constraints = tuple(check(env) for check in duty.constraints)
    active = all(r.held for r in constraints)
    state = _duty_state(duty.duty, env.request)
    consequences = tuple(_evaluate_duty(c, env, owner) for c in duty.consequences)
    remedied = bool(consequences) and all(c.state == "fulfilled" for c in consequences)
    blocking = active and (
        (state == "violated" and not remedied) or (duty.precondition and state != "fulfilled")
    )
    return DutyResult(
        duty=duty.duty,
        rule=owner,
        pointer=duty.pointer,
        precondition=duty.precondition,
        active=active,
        state=state,
        blocking=blocking,
        constraints=constraints,
        consequences=consequences,
    )


# ============================================================================ summaries


def _describe(value: Value) -> str:
    if isinstance(value, Ref):
        return terms.display(value.iri)
    if isinstance(value, TypedLiteral):
        return value.lexical
    return str(value)


def _describe_actual(value: Any) -> str:
    if isinstance(value, str):
        return terms.display(value)
    return str(_json_value(value))


def _describe_constraint(constraint: Constraint) -> str:
    right = ", ".join(_describe(v) for v in constraint.right_operand)
    if constraint.operator in _SETS or len(constraint.right_operand) > 1:
        right = "[" + right + "]"
    return f"{terms.display(constraint.left_operand)} {terms.display(constraint.operator)} {right}"


_KIND_ES: Final = {"permission": "el permiso", "prohibition": "la prohibición"}


def _labels(result: RuleResult) -> tuple[str, str]:
    name = result.rule.uid or f"#{result.index}"
    return f"{result.kind} {name}", f"{_KIND_ES[result.kind]} {name}"


def _failure(result: RuleResult) -> tuple[str, str]:
    """Say, in English and Spanish, the first thing that stops an applicable permission."""
    for item in (*result.constraints, *result.refinements):
        if not item.held:
            return _unmet(item)
    for duty in result.duties:
        if duty.blocking:
            action = terms.display(duty.duty.action.iri)
            if duty.state == "violated":
                return (f"its duty {action} was violated", f"su deber {action} fue incumplido")
            return (
                f"its duty {action} must be fulfilled before use and is not",
                f"su deber {action} debe cumplirse antes del uso y no se ha cumplido",
            )
    return ("it does not hold", "no se cumple")  # unreachable for a non-holding permission


def _unmet(item: AnyResult) -> tuple[str, str]:
    """Why a constraint that does not hold fails, down to the operands that failed."""
    if isinstance(item, LogicalResult):
        op = item.constraint.operator.value
        failing = [member for member in item.results if not member.held]
        if op in ("and", "andSequence") and failing:
            return _unmet(failing[0])
        english, spanish = zip(*(_operand(member) for member in item.results), strict=True)
        if op == "xone":
            held = len(item.results) - len(failing)
            return (
                f"exactly one of its alternatives must be satisfied, and {held} are: "
                + "; ".join(english),
                f"debe cumplirse exactamente una de sus alternativas, y se cumplen {held}: "
                + "; ".join(spanish),
            )
        return (
            "none of its alternatives is satisfied: " + "; ".join(english),
            "no se cumple ninguna de sus alternativas: " + "; ".join(spanish),
        )
    text = _describe_constraint(item.constraint)
    if item.actual is None:
        return (
            f"its constraint {text} is not satisfied ({item.reason})",
            f"su restricción {text} no se cumple (la solicitud no aporta el valor)",
        )
    actual = _describe_actual(item.actual)
    if item.reason is not None:
        return (
            f"its constraint {text} cannot be evaluated ({item.reason})",
            f"su restricción {text} no se puede evaluar",
        )
    return (
        f"its constraint {text} is not satisfied (request: {actual})",
        f"su restricción {text} no se cumple (solicitud: {actual})",
    )


def _operand(item: ConstraintResult) -> tuple[str, str]:
    """One operand of a logical constraint (which holds plain constraints only)."""
    text = _describe_constraint(item.constraint)
    if item.actual is None:
        return f"{text} (no value given)", f"{text} (sin valor)"
    if item.reason is not None:
        return (
            f"{text} (cannot be evaluated: {item.reason})",
            f"{text} (no se puede evaluar)",
        )
    actual = _describe_actual(item.actual)
    return f"{text} (request: {actual})", f"{text} (solicitud: {actual})"


def _summary(
    reason: Reason,
    strategy: ConflictStrategy,
    results: tuple[RuleResult, ...],
    granting: list[RuleResult],
    forbidding: list[RuleResult],
    duties: tuple[DutyResult, ...],
    request: RequestContext,
) -> dict[str, str]:
    action = terms.display(request.action)
    target = request.target or "the asset"
    target_es = request.target or "el recurso"
    who = request.assignee or "an unnamed party"
    who_es = request.assignee or "una parte sin nombre"
    what = f"{action} of {target} by {who}"
    what_es = f"la acción {action} sobre {target_es} por parte de {who_es}"
    if reason in ("permitted", "conflict_perm"):
        en_rule, es_rule = _labels(granting[0])
        en = f"Permitted: {en_rule} allows {what}."
        es = f"Permitido: {es_rule} autoriza {what_es}."
        if reason == "conflict_perm":
            en_p, es_p = _labels(forbidding[0])
            en += (
                f" {en_p.capitalize()} also holds; the conflict strategy 'perm' "
                "lets permissions prevail."
            )
            es += (
                f" También se aplica {es_p}; la estrategia de conflicto «perm» "
                "da prioridad a los permisos."
            )
        if duties:
            names = ", ".join(dict.fromkeys(terms.display(d.duty.action.iri) for d in duties))
            en += f" Duties: {names}."
            es += f" Deberes: {names}."
        return {"en": en, "es": es}
    if reason in ("prohibited", "conflict_prohibit"):
        en_rule, es_rule = _labels(forbidding[0])
        en = f"Denied: {en_rule} forbids {what}."
        es = f"Denegado: {es_rule} prohíbe {what_es}."
        if reason == "conflict_prohibit":
            en_p, es_p = _labels(granting[0])
            en += f" It prevails over {en_p} (conflict strategy 'prohibit')."
            es += f" Prevalece sobre {es_p} (estrategia de conflicto «prohibit»)."
        return {"en": en, "es": es}
    if reason == "conflict_invalid":
        en_p, es_p = _labels(granting[0])
        en_f, es_f = _labels(forbidding[0])
        return {
            "en": f"Denied: {en_p} and {en_f} both apply to {what}, and the conflict strategy "
            "is 'invalid', so the whole policy is void.",
            "es": f"Denegado: {es_p} y {es_f} se aplican a la vez a {what_es} y la estrategia "
            "de conflicto es «invalid», por lo que la política entera queda sin efecto.",
        }
    if reason == "not_permitted":
        first = next(r for r in results if r.kind == "permission" and r.applies)
        en_rule, es_rule = _labels(first)
        en_why, es_why = _failure(first)
        return {
            "en": f"Denied: {en_rule} covers {what}, but {en_why}.",
            "es": f"Denegado: {es_rule} cubre {what_es}, pero {es_why}.",
        }
    return {
        "en": f"Not applicable: no rule of the policy covers {what}.",
        "es": f"No aplicable: ninguna regla de la política cubre {what_es}.",
    }
