"""ODRL 2.2 policies in and out of compact JSON-LD, and into RDF.

The accepted form is the compact form of the ODRL 2.2 context, as in the ODRL
Information Model's examples::

    {"@context": ["http://www.w3.org/ns/odrl.jsonld",
                  {"dpv": "https://w3id.org/dpv#", "simel": "https://w3id.org/simel/odrl#"}],
     "@type": "Offer", "uid": "https://...", "profile": "https://w3id.org/simel/odrl",
     "permission": [{"action": "use", "constraint": [...], "duty": [...]}], ...}

``metadata_schemas/odrl-policy-1.0.schema.json`` describes the same form; the parser also
checks what a schema cannot (declared prefixes, known terms, literal syntax). Every
rejection is a :class:`~policies.errors.PolicyError` carrying a JSON pointer.

:func:`to_jsonld` writes one canonical form: ``uid`` (not ``@id``), ``@type`` only on the
policy, arrays for rule and constraint lists, a bare string for a single target or
assignee, logical constraints as ``{"@list": [...]}``, and the operator ``neq`` as
``odrl:neq`` (see :data:`policies.terms.CONTEXT_ERRATA`). A document already in this form
comes back unchanged from ``to_jsonld(from_jsonld(doc))``; any other accepted document
comes back as the same RDF graph.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, TypeVar

from policies import terms, xsd
from policies.errors import PolicyError, PolicySyntaxError, UnsupportedPolicyFeature, json_pointer
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
    Value,
    atomize,
)

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = ["from_jsonld", "jsonld_to_graph", "odrl_context", "to_graph", "to_jsonld"]

_T = TypeVar("_T")
_Path = tuple[str | int, ...]

_ABSOLUTE_IRI: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S*")
_PREFIX_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_LOGICAL_KEYS: Final = {op.value: op for op in LogicalOperator}
_UNSUPPORTED_MEMBERS: Final = {
    "inheritFrom": "policy inheritance",
    "relation": "asset relations",
    "output": "rule outputs",
    "remedy": "remedies",
    "rightOperandReference": "right-operand references",
    "status": "constraint status",
    "function": "party functions",
    "hasPolicy": "policies attached to assets",
    **dict.fromkeys(
        (
            "assigneeOf",
            "assignerOf",
            "attributedParty",
            "attributingParty",
            "compensatedParty",
            "compensatingParty",
            "consentedParty",
            "consentingParty",
            "contractedParty",
            "contractingParty",
            "informedParty",
            "informingParty",
            "trackedParty",
            "trackingParty",
        ),
        "party function roles",
    ),
}


# ----------------------------------------------------------------------------- reading


def from_jsonld(document: Mapping[str, Any] | str) -> Policy:
    """Read a policy from compact ODRL 2.2 JSON-LD (a decoded object or JSON text).

    Raises:
        PolicySyntaxError: if the document is not an ODRL policy in the accepted form.
        UnsupportedPolicyFeature: if it uses ODRL features this package leaves out.
    """
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            raise PolicySyntaxError(f"not JSON: {exc.msg}") from None
    return _Reader().policy(document)


class _Reader:
    """One parse: the prefixes in force and helpers that know where they are."""

    def __init__(self) -> None:
        self.prefixes: dict[str, str] = {**terms.CONTEXT_PREFIXES, **terms.SIMEL_PREFIXES}
        self.extra_prefixes: list[tuple[str, str]] = []

    # -- generic helpers

    @staticmethod
    def fail(message: str, path: _Path) -> PolicyError:
        return PolicySyntaxError(message, json_pointer(path))

    def object(self, value: Any, path: _Path, what: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(f"{what} must be a JSON object", path)
        return value

    def check_members(self, node: Mapping[str, Any], allowed: set[str], path: _Path) -> None:
        for key in node:
            if key in allowed:
                continue
            if key in _UNSUPPORTED_MEMBERS:
                raise UnsupportedPolicyFeature(
                    f"{_UNSUPPORTED_MEMBERS[key]} ({key!r}) are not supported",
                    json_pointer((*path, key)),
                )
            raise self.fail(f"unexpected member {key!r}", (*path, key))

    def iri(self, value: Any, path: _Path, what: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(f"{what} must be an IRI string", path)
        expanded = terms.expand(value, self.prefixes)
        if _ABSOLUTE_IRI.fullmatch(expanded) is None:
            raise self.fail(f"{what} must be an absolute or compact IRI, not {value!r}", path)
        return expanded

    def iris(self, value: Any, path: _Path, what: str) -> tuple[str, ...]:
        if isinstance(value, list):
            if not value:
                raise self.fail(f"{what} must not be an empty array", path)
            return tuple(self.iri(v, (*path, i), what) for i, v in enumerate(value))
        return (self.iri(value, path, what),)

    def vocab(self, value: Any, path: _Path, what: str, context_terms: frozenset[str]) -> str:
        """Read a value of an ``@vocab``-typed member: a context term or an IRI."""
        if not isinstance(value, str) or not value:
            raise self.fail(f"{what} must be a string", path)
        if ":" not in value:
            if value in context_terms:
                return terms.context_term_iri(value)
            raise self.fail(f"unknown {what} {value!r}; use a compact or full IRI", path)
        return self.iri(value, path, what)

    def identifier(self, node: Mapping[str, Any], path: _Path) -> str | None:
        if "uid" in node and "@id" in node:
            raise self.fail("give either 'uid' or '@id', not both", path)
        for key in ("uid", "@id"):
            if key in node:
                return self.iri(node[key], (*path, key), "an identifier")
        return None

    def check_type(self, node: Mapping[str, Any], expected: str, path: _Path) -> None:
        """Accept an explicit type that merely repeats what the position implies."""
        for key in ("@type", "type"):
            if key in node and self.type_term(node[key], (*path, key)) != expected:
                raise self.fail(f"expected type {expected!r} here", (*path, key))

    def type_term(self, value: Any, path: _Path) -> str:
        if not isinstance(value, str):
            raise self.fail("a type must be a string", path)
        iri = terms.expand(value, self.prefixes) if ":" in value else terms.ODRL + value
        return iri.removeprefix(terms.ODRL)

    def array(self, value: Any, path: _Path, what: str) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise self.fail(f"{what} must be a non-empty array", path)
        return value

    # -- context

    def context(self, value: Any, path: _Path) -> None:
        entries = value if isinstance(value, list) else [value]
        if not entries or entries[0] != terms.ODRL_CONTEXT:
            where = (*path, 0) if isinstance(value, list) and entries else path
            raise self.fail(f"the context must start with {terms.ODRL_CONTEXT!r}", where)
        for index, entry in enumerate(entries[1:], start=1):
            here = (*path, index) if isinstance(value, list) else path
            if not isinstance(entry, Mapping):
                raise UnsupportedPolicyFeature(
                    "only the ODRL context and inline prefix definitions are supported",
                    json_pointer(here),
                )
            for name, iri in entry.items():
                self.prefix(name, iri, (*here, name))

    def prefix(self, name: str, iri: Any, path: _Path) -> None:
        if name.startswith("@"):
            raise UnsupportedPolicyFeature(
                f"context keyword {name!r} is not supported", json_pointer(path)
            )
        if _PREFIX_NAME.fullmatch(name) is None or name in terms.CONTEXT_TERMS:
            raise self.fail(f"{name!r} cannot be declared: it is not a new prefix name", path)
        if not isinstance(iri, str) or _ABSOLUTE_IRI.fullmatch(iri) is None:
            raise UnsupportedPolicyFeature(
                "context entries must be prefix definitions (name to IRI)", json_pointer(path)
            )
        if name in terms.SIMEL_PREFIXES:
            if iri != terms.SIMEL_PREFIXES[name]:
                raise self.fail(
                    f"prefix {name!r} is reserved for {terms.SIMEL_PREFIXES[name]}", path
                )
            return
        self.prefixes[name] = iri
        self.extra_prefixes.append((name, iri))

    # -- policy

    def policy(self, document: Any) -> Policy:
        node = self.object(document, (), "a policy document")
        if "@context" not in node:
            raise self.fail("missing required member '@context'", ())
        self.context(node["@context"], ("@context",))
        uid = self.identifier(node, ())
        if uid is None:
            raise self.fail("missing required member 'uid'", ())
        if ("@type" in node) == ("type" in node):
            raise self.fail("give the policy type in exactly one of '@type' or 'type'", ())
        type_key = "@type" if "@type" in node else "type"
        type_name = self.type_term(node[type_key], (type_key,))
        try:
            policy_type = PolicyType(type_name)
        except ValueError:
            raise UnsupportedPolicyFeature(
                f"policy type {type_name!r} is not supported (Set, Offer or Agreement)",
                json_pointer((type_key,)),
            ) from None
        allowed = {
            "@context",
            "uid",
            "@id",
            type_key,
            "profile",
            "conflict",
            "assigner",
            "assignee",
            "target",
            "permission",
            "prohibition",
            "obligation",
        }
        annotations: list[tuple[str, str]] = []
        for key, value in node.items():
            if key not in allowed and self.is_annotation(key, ()):
                annotations.append((key, json.dumps(value, ensure_ascii=False)))
                allowed.add(key)
        self.check_members(node, allowed, ())
        if not any(k in node for k in ("permission", "prohibition", "obligation")):
            raise self.fail("a policy needs at least one permission, prohibition or obligation", ())
        return Policy(
            uid=uid,
            type=policy_type,
            permissions=self.rules(node, "permission", self.permission),
            prohibitions=self.rules(node, "prohibition", self.prohibition),
            obligations=self.rules(node, "obligation", self.duty),
            profiles=self.iris(node["profile"], ("profile",), "a profile")
            if "profile" in node
            else (),
            conflict=self.conflict(node["conflict"], ("conflict",)) if "conflict" in node else None,
            assigner=self.assigner(node, ()),
            assignees=self.iris(node["assignee"], ("assignee",), "an assignee")
            if "assignee" in node
            else (),
            targets=self.iris(node["target"], ("target",), "a target") if "target" in node else (),
            annotations=tuple(annotations),
            prefixes=tuple(self.extra_prefixes),
        )

    def is_annotation(self, key: str, path: _Path) -> bool:
        """Whether ``key`` names a non-ODRL property (compact with a known prefix, or absolute)."""
        prefix, sep, _ = key.partition(":")
        if not sep or key.startswith("@"):
            return False
        if prefix == "odrl":
            return False  # an ODRL property spelled as a compact IRI: check_members decides
        if prefix in self.prefixes or prefix in ("http", "https", "urn"):
            return True
        raise self.fail(f"member {key!r} uses an undeclared prefix {prefix!r}", (*path, key))

    def conflict(self, value: Any, path: _Path) -> ConflictStrategy:
        iri = self.vocab(
            value, path, "conflict strategy", frozenset({"perm", "prohibit", "invalid"})
        )
        try:
            return ConflictStrategy(iri.removeprefix(terms.ODRL))
        except ValueError:
            raise self.fail("conflict must be perm, prohibit or invalid", path) from None

    def assigner(self, node: Mapping[str, Any], path: _Path) -> str | None:
        if "assigner" not in node:
            return None
        value = node["assigner"]
        if isinstance(value, list):
            raise self.fail("a policy or rule has at most one assigner", (*path, "assigner"))
        return self.iri(value, (*path, "assigner"), "an assigner")

    def rules(
        self, node: Mapping[str, Any], key: str, read: Callable[[Any, _Path], _T]
    ) -> tuple[_T, ...]:
        if key not in node:
            return ()
        items = self.array(node[key], (key,), f"'{key}'")
        return tuple(read(item, (key, i)) for i, item in enumerate(items))

    # -- rules

    def rule_parts(
        self, value: Any, path: _Path, type_name: str, extra: set[str]
    ) -> tuple[Mapping[str, Any], dict[str, Any]]:
        node = self.object(value, path, f"a {type_name.lower()}")
        self.check_members(
            node,
            {
                "uid",
                "@id",
                "@type",
                "type",
                "action",
                "target",
                "assigner",
                "assignee",
                "constraint",
                *extra,
            },
            path,
        )
        self.check_type(node, type_name, path)
        if "action" not in node:
            raise self.fail("missing required member 'action'", path)
        parts: dict[str, Any] = {
            "uid": self.identifier(node, path),
            "action": self.action(node["action"], (*path, "action")),
            "targets": self.iris(node["target"], (*path, "target"), "a target")
            if "target" in node
            else (),
            "assigner": self.assigner(node, path),
            "assignees": self.iris(node["assignee"], (*path, "assignee"), "an assignee")
            if "assignee" in node
            else (),
            "constraints": self.constraints(node, "constraint", path),
        }
        return node, parts

    def permission(self, value: Any, path: _Path) -> Permission:
        node, parts = self.rule_parts(value, path, "Permission", {"duty"})
        duties: tuple[Duty, ...] = ()
        if "duty" in node:
            items = self.array(node["duty"], (*path, "duty"), "'duty'")
            duties = tuple(self.duty(d, (*path, "duty", i)) for i, d in enumerate(items))
        return Permission(duties=duties, **parts)

    def prohibition(self, value: Any, path: _Path) -> Prohibition:
        _, parts = self.rule_parts(value, path, "Prohibition", set())
        return Prohibition(**parts)

    def duty(self, value: Any, path: _Path) -> Duty:
        node, parts = self.rule_parts(value, path, "Duty", {"consequence"})
        consequences: tuple[Duty, ...] = ()
        if "consequence" in node:
            items = self.array(node["consequence"], (*path, "consequence"), "'consequence'")
            consequences = tuple(
                self.duty(d, (*path, "consequence", i)) for i, d in enumerate(items)
            )
        return Duty(consequences=consequences, **parts)

    def action(self, value: Any, path: _Path) -> Action:
        if isinstance(value, list):
            if len(value) != 1:
                raise self.fail("a rule has exactly one action", path)
            return self.action(value[0], (*path, 0))
        if isinstance(value, str):
            return Action(self.vocab(value, path, "action", terms.CONTEXT_ACTIONS))
        node = self.object(value, path, "an action")
        self.check_members(node, {"rdf:value", "refinement", "uid", "@id", "@type"}, path)
        self.check_type(node, "Action", path)
        if "rdf:value" not in node:
            if "refinement" in node:
                raise self.fail("a refined action names its action in 'rdf:value'", path)
            iri = self.identifier(node, path)
            if iri is None:
                raise self.fail("missing required member 'rdf:value'", path)
            return Action(iri)
        reference = self.object(node["rdf:value"], (*path, "rdf:value"), "'rdf:value'")
        if set(reference) != {"@id"}:
            raise self.fail("'rdf:value' must be {\"@id\": action IRI}", (*path, "rdf:value"))
        return Action(
            iri=self.iri(reference["@id"], (*path, "rdf:value", "@id"), "an action"),
            refinements=self.constraints(node, "refinement", path),
            uid=self.identifier(node, path),
        )

    # -- constraints

    def constraints(
        self, node: Mapping[str, Any], key: str, path: _Path
    ) -> tuple[AnyConstraint, ...]:
        if key not in node:
            return ()
        items = self.array(node[key], (*path, key), f"'{key}'")
        return tuple(self.any_constraint(c, (*path, key, i)) for i, c in enumerate(items))

    def any_constraint(self, value: Any, path: _Path) -> AnyConstraint:
        node = self.object(value, path, "a constraint")
        operators = [k for k in node if k in _LOGICAL_KEYS]
        if not operators:
            return self.constraint(node, path)
        if len(operators) > 1:
            raise self.fail("a logical constraint has exactly one operator", path)
        key = operators[0]
        self.check_members(node, {key, "uid", "@id", "@type"}, path)
        self.check_type(node, "LogicalConstraint", path)
        members = node[key]
        here: _Path = (*path, key)
        if isinstance(members, Mapping):
            if set(members) != {"@list"}:
                raise self.fail('operands must be an array or {"@list": [...]}', here)
            members, here = members["@list"], (*here, "@list")
        items = self.array(members, here, "the operands")
        operands = []
        for i, item in enumerate(items):
            member = self.object(item, (*here, i), "a constraint")
            if any(k in member for k in _LOGICAL_KEYS):
                raise UnsupportedPolicyFeature(
                    "ODRL 2.2 logical constraints combine constraints, not logical constraints",
                    json_pointer((*here, i)),
                )
            if set(member) <= {"@id", "uid"}:
                raise UnsupportedPolicyFeature(
                    "constraints referenced by IRI are not supported; write them inline",
                    json_pointer((*here, i)),
                )
            operands.append(self.constraint(member, (*here, i)))
        return LogicalConstraint(
            operator=_LOGICAL_KEYS[key],
            constraints=tuple(operands),
            uid=self.identifier(node, path),
        )

    def constraint(self, node: Mapping[str, Any], path: _Path) -> Constraint:
        self.check_members(
            node,
            {
                "leftOperand",
                "operator",
                "rightOperand",
                "unit",
                "dataType",
                "odrl:dataType",
                "uid",
                "@id",
                "@type",
            },
            path,
        )
        self.check_type(node, "Constraint", path)
        for key in ("leftOperand", "operator", "rightOperand"):
            if key not in node:
                raise self.fail(f"missing required member {key!r}", path)
        if "dataType" in node and "odrl:dataType" in node:
            raise self.fail("give either 'dataType' or 'odrl:dataType', not both", path)
        data_type = None
        if "dataType" in node:
            data_type = self.iri(node["dataType"], (*path, "dataType"), "a datatype")
        elif "odrl:dataType" in node:
            ref = node["odrl:dataType"]
            if not isinstance(ref, Mapping) or set(ref) != {"@id"}:
                raise self.fail(
                    "'odrl:dataType' must be {\"@id\": datatype IRI}", (*path, "odrl:dataType")
                )
            data_type = self.iri(ref["@id"], (*path, "odrl:dataType", "@id"), "a datatype")
        unit = None
        if "unit" in node:
            raw = node["unit"]
            if isinstance(raw, Mapping) and set(raw) == {"@id"}:
                raw = raw["@id"]
            unit = self.iri(raw, (*path, "unit"), "a unit")
        return Constraint(
            left_operand=self.vocab(
                node["leftOperand"],
                (*path, "leftOperand"),
                "left operand",
                terms.CONTEXT_LEFT_OPERANDS,
            ),
            operator=self.vocab(
                node["operator"], (*path, "operator"), "operator", terms.CONTEXT_OPERATORS
            ),
            right_operand=self.right_operand(node["rightOperand"], (*path, "rightOperand")),
            unit=unit,
            data_type=data_type,
            uid=self.identifier(node, path),
        )

    def right_operand(self, value: Any, path: _Path) -> tuple[Value, ...]:
        if isinstance(value, list):
            items = self.array(value, path, "'rightOperand'")
            return tuple(self.value(v, (*path, i)) for i, v in enumerate(items))
        return (self.value(value, path),)

    def value(self, value: Any, path: _Path) -> Value:
        if isinstance(value, str | bool | int | float):
            return value
        if not isinstance(value, Mapping):
            raise self.fail("a right operand is a string, number, boolean or value object", path)
        if set(value) == {"@id"}:
            return Ref(self.iri(value["@id"], (*path, "@id"), "a right operand IRI"))
        if "@language" in value or "@direction" in value:
            raise UnsupportedPolicyFeature(
                "language-tagged right operands are not supported", json_pointer(path)
            )
        if "@value" not in value or not set(value) <= {"@value", "@type"}:
            raise self.fail("a value object has '@value' and optionally '@type'", path)
        literal = value["@value"]
        if "@type" not in value:
            if not isinstance(literal, str | bool | int | float):
                raise self.fail("'@value' must be a scalar", (*path, "@value"))
            return literal
        if not isinstance(literal, str):
            raise self.fail(
                "a typed '@value' must be a string (the lexical form)", (*path, "@value")
            )
        datatype = self.iri(value["@type"], (*path, "@type"), "a datatype")
        try:
            xsd.check_lexical(literal, datatype)
        except ValueError as exc:
            raise self.fail(str(exc), (*path, "@value")) from None
        return TypedLiteral(literal, datatype)


# ----------------------------------------------------------------------------- writing


def to_jsonld(policy: Policy) -> dict[str, Any]:
    """Write a policy as compact ODRL 2.2 JSON-LD in our canonical form."""
    return _Writer(policy).policy()


class _Writer:
    def __init__(self, policy: Policy) -> None:
        self.source = policy
        self.prefixes = {**terms.SIMEL_PREFIXES, **dict(policy.prefixes)}
        # Compaction may use every prefix a reader knows: ODRL's, ours and the document's.
        self.compaction = {**self.prefixes, **terms.CONTEXT_PREFIXES}

    def policy(self) -> dict[str, Any]:
        p = self.source
        out: dict[str, Any] = {
            "@context": [terms.ODRL_CONTEXT, dict(self.prefixes)],
            "@type": p.type.value,
            "uid": p.uid,
        }
        if p.profiles:
            out["profile"] = _one_or_many(p.profiles)
        if p.conflict is not None:
            out["conflict"] = p.conflict.value
        for name, text in p.annotations:
            out[name] = json.loads(text)
        self.parties_and_targets(out, p.assigner, p.assignees, p.targets)
        if p.permissions:
            out["permission"] = [self.permission(r) for r in p.permissions]
        if p.prohibitions:
            out["prohibition"] = [self.prohibition(r) for r in p.prohibitions]
        if p.obligations:
            out["obligation"] = [self.duty(r) for r in p.obligations]
        return out

    @staticmethod
    def parties_and_targets(
        out: dict[str, Any],
        assigner: str | None,
        assignees: tuple[str, ...],
        targets: tuple[str, ...],
    ) -> None:
        if assigner is not None:
            out["assigner"] = assigner
        if assignees:
            out["assignee"] = _one_or_many(assignees)
        if targets:
            out["target"] = _one_or_many(targets)

    def rule(self, rule: Permission | Prohibition | Duty) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if rule.uid is not None:
            out["uid"] = rule.uid
        self.parties_and_targets(out, rule.assigner, rule.assignees, rule.targets)
        out["action"] = self.action(rule.action)
        if rule.constraints:
            out["constraint"] = [self.any_constraint(c) for c in rule.constraints]
        return out

    def permission(self, rule: Permission) -> dict[str, Any]:
        out = self.rule(rule)
        if rule.duties:
            out["duty"] = [self.duty(d) for d in rule.duties]
        return out

    def prohibition(self, rule: Prohibition) -> dict[str, Any]:
        return self.rule(rule)

    def duty(self, rule: Duty) -> dict[str, Any]:
        out = self.rule(rule)
        if rule.consequences:
            out["consequence"] = [self.duty(d) for d in rule.consequences]
        return out

    def vocab(self, iri: str, context_terms: frozenset[str]) -> str:
        local = iri.removeprefix(terms.ODRL)
        if local != iri and local in context_terms and local not in terms.CONTEXT_ERRATA:
            return local
        return terms.compact(iri, self.compaction)

    def action(self, action: Action) -> str | list[dict[str, Any]]:
        if not action.refinements and action.uid is None:
            return self.vocab(action.iri, terms.CONTEXT_ACTIONS)
        out: dict[str, Any] = {}
        if action.uid is not None:
            out["uid"] = action.uid
        out["rdf:value"] = {"@id": terms.compact(action.iri, self.compaction)}
        if action.refinements:
            out["refinement"] = [self.any_constraint(c) for c in action.refinements]
        return [out]

    def any_constraint(self, constraint: AnyConstraint) -> dict[str, Any]:
        if isinstance(constraint, Constraint):
            return self.constraint(constraint)
        out: dict[str, Any] = {}
        if constraint.uid is not None:
            out["uid"] = constraint.uid
        out[constraint.operator.value] = {
            "@list": [self.constraint(c) for c in constraint.constraints]
        }
        return out

    def constraint(self, constraint: Constraint) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if constraint.uid is not None:
            out["uid"] = constraint.uid
        out["leftOperand"] = self.vocab(constraint.left_operand, terms.CONTEXT_LEFT_OPERANDS)
        out["operator"] = self.vocab(constraint.operator, terms.CONTEXT_OPERATORS)
        values = [self.value(v) for v in constraint.right_operand]
        as_set = len(values) != 1 or constraint.operator in terms.SET_OPERATORS
        out["rightOperand"] = values if as_set else values[0]
        if constraint.unit is not None:
            out["unit"] = constraint.unit
        if constraint.data_type is not None:
            # The context's "dataType" expands to odrl:datatype, which ODRL22.ttl does not
            # define (it has odrl:dataType); the compact IRI says what is meant.
            out["odrl:dataType"] = {"@id": terms.compact(constraint.data_type, self.compaction)}
        return out

    def value(self, value: Value) -> Any:
        if isinstance(value, Ref):
            return {"@id": terms.compact(value.iri, self.compaction)}
        if isinstance(value, TypedLiteral):
            return {
                "@value": value.lexical,
                "@type": terms.compact(value.datatype, self.compaction),
            }
        return value


def _one_or_many(values: tuple[str, ...]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


# ----------------------------------------------------------------------------- RDF


@cache
def odrl_context() -> Mapping[str, Any]:
    """Return the ODRL 2.2 JSON-LD context, from the copy shipped with this package.

    ``policies/odrl22-context.json`` is ``vocab/ODRL22.jsonld`` of w3c/poe at commit
    e3a45ad650e370c9c520520a5c759fce3bb2075e, unchanged (W3C Software and Document
    License); the tests check it against the copy in ``standards/odrl``.
    """
    text = resources.files("policies").joinpath("odrl22-context.json").read_text("utf-8")
    context: Mapping[str, Any] = json.loads(text)["@context"]
    return context


def to_graph(policy: Policy) -> Graph:
    """Return the RDF graph of the policy's atomic form (see :func:`policies.model.atomize`).

    The graph is what a JSON-LD processor reads from ``to_jsonld(atomize(policy))``.
    """
    return jsonld_to_graph(to_jsonld(atomize(policy)))


def jsonld_to_graph(document: Mapping[str, Any]) -> Graph:
    """Read any JSON-LD document that uses the ODRL context into RDF, without the network.

    The ODRL context IRI is replaced by the packaged copy (:func:`odrl_context`); inline
    context objects are kept. Other remote contexts are not fetched: rdflib would try.
    """
    # Imported here so that reading and writing JSON-LD never loads rdflib.
    from rdflib import Graph

    context = document.get("@context")
    entries = context if isinstance(context, list) else [context]
    offline = [odrl_context() if entry == terms.ODRL_CONTEXT else entry for entry in entries]
    data = json.dumps({**document, "@context": offline})
    graph = Graph()
    with warnings.catch_warnings():
        # rdflib 7.6's JSON-LD parser builds a ConjunctiveGraph internally and so warns
        # about its own deprecated class; nothing we could change on our side.
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        graph.parse(data=data, format="json-ld")
    return graph
