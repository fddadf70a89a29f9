"""ODRL 2.2 policies for SIMEL data-sharing agreements: model, JSON-LD, templates, engine.

A leaf package: pure Python, no I/O in the engine, nothing imported from the rest of
the catalog. The catalog validates incoming policy documents against
``metadata_schemas/odrl-policy-1.0.schema.json``, reads them with :func:`from_jsonld`,
and asks :func:`evaluate` (or a :class:`CompiledPolicy`) for a :class:`Decision`.
"""

from policies.engine import (
    EMPTY_HIERARCHY,
    CompiledPolicy,
    ConstraintResult,
    Decision,
    DutyResult,
    Issue,
    LogicalResult,
    Outcome,
    Reason,
    RequestContext,
    RuleResult,
    compile_policy,
    evaluate,
)
from policies.errors import PolicyError, PolicySyntaxError, UnsupportedPolicyFeature
from policies.hierarchy import Broader, Hierarchy, broader_from_mapping, no_broader
from policies.jsonld import from_jsonld, to_graph, to_jsonld
from policies.model import (
    BEFORE_USE,
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
    Value,
    atomize,
)
from policies.terms import SIMEL

__all__ = [
    "BEFORE_USE",
    "EMPTY_HIERARCHY",
    "SIMEL",
    "Action",
    "AnyConstraint",
    "Broader",
    "CompiledPolicy",
    "ConflictStrategy",
    "Constraint",
    "ConstraintResult",
    "Decision",
    "Duty",
    "DutyResult",
    "Hierarchy",
    "Issue",
    "LogicalConstraint",
    "LogicalOperator",
    "LogicalResult",
    "Outcome",
    "Permission",
    "Policy",
    "PolicyError",
    "PolicySyntaxError",
    "PolicyType",
    "Prohibition",
    "Reason",
    "Ref",
    "RequestContext",
    "RuleResult",
    "TypedLiteral",
    "UnsupportedPolicyFeature",
    "Value",
    "atomize",
    "broader_from_mapping",
    "compile_policy",
    "evaluate",
    "from_jsonld",
    "no_broader",
    "to_graph",
    "to_jsonld",
]
