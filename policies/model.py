"""ODRL 2.2 policies as immutable Python values.

The classes follow the ODRL 2.2 Information Model (https://www.w3.org/TR/odrl-model/)
closely enough that :mod:`policies.jsonld` maps them one to one onto the compact JSON-LD
form. All IRIs are stored expanded (``http://www.w3.org/ns/odrl/2/use``, never ``use``);
:mod:`policies.terms` has constants for the ones we use.

The objects are frozen: "editing" a template means ``dataclasses.replace`` on it, which
keeps every policy that was evaluated or stored exactly as it was.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import product
from typing import Any, TypeAlias, TypeVar

from policies import terms


class PolicyType(enum.StrEnum):
    """The ODRL policy subclasses we accept (the value is the ODRL term)."""

    SET = "Set"
    OFFER = "Offer"
    AGREEMENT = "Agreement"


class ConflictStrategy(enum.StrEnum):
    """How permissions and prohibitions that both hold are reconciled (``odrl:conflict``)."""

    PERM = "perm"
    """Permissions override prohibitions."""
    PROHIBIT = "prohibit"
    """Prohibitions override permissions."""
    INVALID = "invalid"
    """The whole policy is void; ODRL's default when ``conflict`` is absent."""


class LogicalOperator(enum.StrEnum):
    """Operators of an ODRL logical constraint (the value is the ODRL term)."""

    AND = "and"
    OR = "or"
    XONE = "xone"
    AND_SEQUENCE = "andSequence"


@dataclass(frozen=True, slots=True)
class Ref:
    """A right operand that names a resource: JSON-LD ``{"@id": iri}``."""

    iri: str


@dataclass(frozen=True, slots=True)
class TypedLiteral:
    """A right operand with an explicit datatype: ``{"@value": lexical, "@type": datatype}``."""

    lexical: str
    datatype: str
    """Expanded datatype IRI, e.g. ``http://www.w3.org/2001/XMLSchema#date``."""


Value: TypeAlias = str | int | float | bool | Ref | TypedLiteral
"""A right-operand value: a JSON scalar (a plain literal) or one of the two value objects."""


@dataclass(frozen=True, slots=True)
class Constraint:
    """An ODRL constraint: ``leftOperand operator rightOperand``."""

    left_operand: str
    operator: str
    right_operand: tuple[Value, ...]
    """One value, or several for the set-based operators (isAnyOf, isAllOf, isNoneOf)."""
    unit: str | None = None
    data_type: str | None = None
    """``odrl:dataType``: the datatype of plain right-operand values, when they lack one."""
    uid: str | None = None

    def __post_init__(self) -> None:
        if not self.right_operand:
            raise ValueError("a constraint needs at least one right-operand value")


@dataclass(frozen=True, slots=True)
class LogicalConstraint:
    """An ODRL logical constraint over a list of constraints (ODRL allows no nesting)."""

    operator: LogicalOperator
    constraints: tuple[Constraint, ...]
    uid: str | None = None

    def __post_init__(self) -> None:
        if not self.constraints:
            raise ValueError("a logical constraint needs at least one constraint")


AnyConstraint: TypeAlias = Constraint | LogicalConstraint
"""What may appear in a ``constraint`` or ``refinement`` list."""


@dataclass(frozen=True, slots=True)
class Action:
    """The action of a rule, optionally refined (``{"rdf:value": ..., "refinement": ...}``)."""

    iri: str
    refinements: tuple[AnyConstraint, ...] = ()
    uid: str | None = None


BEFORE_USE = Constraint(terms.EVENT, terms.LT, (Ref(terms.POLICY_USAGE),))
"""The duty constraint ``event lt policyUsage``: the duty must be done before the use.

ODRL 2.2 documents exactly this constraint on ``odrl:policyUsage`` ("the identified event
must have happened before the action of the rule is exercised"); it is how a policy marks
a duty as a pre-condition of its permission rather than an obligation that follows it.
"""


@dataclass(frozen=True, slots=True)
class Duty:
    """An ODRL duty: on a permission, as a consequence of a duty, or as a policy obligation."""

    action: Action
    targets: tuple[str, ...] = ()
    assigner: str | None = None
    assignees: tuple[str, ...] = ()
    constraints: tuple[AnyConstraint, ...] = ()
    consequences: tuple[Duty, ...] = ()
    uid: str | None = None

    @property
    def is_precondition(self) -> bool:
        """Whether the duty carries :data:`BEFORE_USE` and so must be fulfilled before use."""
        return any(is_before_use(c) for c in self.constraints)


@dataclass(frozen=True, slots=True)
class Permission:
    """An ODRL permission, with the duties that come with it."""

    action: Action
    targets: tuple[str, ...] = ()
    assigner: str | None = None
    assignees: tuple[str, ...] = ()
    constraints: tuple[AnyConstraint, ...] = ()
    duties: tuple[Duty, ...] = ()
    uid: str | None = None


@dataclass(frozen=True, slots=True)
class Prohibition:
    """An ODRL prohibition."""

    action: Action
    targets: tuple[str, ...] = ()
    assigner: str | None = None
    assignees: tuple[str, ...] = ()
    constraints: tuple[AnyConstraint, ...] = ()
    uid: str | None = None


Rule: TypeAlias = Permission | Prohibition | Duty
"""Any ODRL rule."""


@dataclass(frozen=True, slots=True)
class Policy:
    """An ODRL 2.2 policy (Set, Offer or Agreement).

    Policy-level ``targets``, ``assigner`` and ``assignees`` apply to every rule that does
    not name its own (ODRL 2.2 Information Model, section 2.7.1 "Policy Rule Composition").
    """

    uid: str
    type: PolicyType = PolicyType.SET
    permissions: tuple[Permission, ...] = ()
    prohibitions: tuple[Prohibition, ...] = ()
    obligations: tuple[Duty, ...] = ()
    profiles: tuple[str, ...] = ()
    conflict: ConflictStrategy | None = None
    """As written; None means the member is absent (see :attr:`effective_conflict`)."""
    assigner: str | None = None
    assignees: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    """Other members of the policy node (``dct:title``, ``dpv:hasLegalBasis``...), each as
    its member name and its JSON text, kept verbatim; the engine ignores them."""
    prefixes: tuple[tuple[str, str], ...] = ()
    """Prefixes the document declared beyond the ODRL and SIMEL ones, in order."""

    @property
    def effective_conflict(self) -> ConflictStrategy:
        """The conflict strategy in force: ODRL's default ``invalid`` when none is given."""
        return self.conflict or ConflictStrategy.INVALID

    def annotation_values(self) -> dict[str, Any]:
        """Return the annotations as decoded JSON values, by member name."""
        return {name: json.loads(text) for name, text in self.annotations}

    def with_annotation(self, name: str, value: Any) -> Policy:
        """Return a copy with the annotation ``name`` set (replaced if present) to ``value``."""
        kept = tuple((n, t) for n, t in self.annotations if n != name)
        return replace(self, annotations=(*kept, (name, json.dumps(value, ensure_ascii=False))))

    def all_prefixes(self) -> Mapping[str, str]:
        """Every prefix a document of this policy may use: ODRL's, SIMEL's, then its own."""
        return {**terms.CONTEXT_PREFIXES, **terms.SIMEL_PREFIXES, **dict(self.prefixes)}

    def rules(self) -> Iterator[Rule]:
        """Iterate over the permissions, prohibitions and obligations, in that order."""
        yield from self.permissions
        yield from self.prohibitions
        yield from self.obligations


def is_before_use(constraint: AnyConstraint) -> bool:
    """Whether a constraint is the :data:`BEFORE_USE` marker (whatever its uid)."""
    return isinstance(constraint, Constraint) and replace(constraint, uid=None) == BEFORE_USE


_R = TypeVar("_R", Permission, Prohibition, Duty)


def atomize(policy: Policy) -> Policy:
    """Return the policy in ODRL's atomic form: every rule names one target and one party.

    Policy-level targets, assigner and assignees move into the rules that lack their own,
    and a rule with several targets or assignees is split into one rule per combination
    (ODRL 2.2 Information Model, 2.7.1). This is the form the POE SHACL shapes expect; the
    engine's decisions are the same for a policy and its atomic form.
    """

    def split(
        targets: tuple[str, ...], assignees: tuple[str, ...]
    ) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        none: list[tuple[str, ...]] = [()]
        target_choices: list[tuple[str, ...]] = [(t,) for t in targets or policy.targets]
        assignee_choices: list[tuple[str, ...]] = [(a,) for a in assignees or policy.assignees]
        return list(product(target_choices or none, assignee_choices or none))

    def atoms(rule: _R) -> list[_R]:
        combinations = split(rule.targets, rule.assignees)
        # Copies of a rule cannot share its IRI: RDF would merge them back into one node.
        uid = rule.uid if len(combinations) == 1 else None
        assigner = rule.assigner or policy.assigner
        return [
            replace(rule, targets=t, assignees=a, assigner=assigner, uid=uid)
            for t, a in combinations
        ]

    permissions = [atom for p in policy.permissions for atom in atoms(p)]
    prohibitions = [atom for p in policy.prohibitions for atom in atoms(p)]
    obligations = [atom for d in policy.obligations for atom in atoms(d)]
    return replace(
        policy,
        permissions=tuple(permissions),
        prohibitions=tuple(prohibitions),
        obligations=tuple(obligations),
        assigner=None,
        assignees=(),
        targets=(),
    )
