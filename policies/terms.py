"""IRIs and term tables of ODRL 2.2, the SIMEL ODRL profile and the vocabularies policies cite.

Everything here is a constant: the engine never reads the vocabulary files at run time.
The tables were taken from the W3C ODRL 2.2 ontology (``ODRL22.ttl``) and the JSON-LD
context published at ``http://www.w3.org/ns/odrl.jsonld`` (``ODRL22.jsonld``); the test
suite checks them against those files so that a drift cannot go unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

ODRL: Final = "http://www.w3.org/ns/odrl/2/"
"""Namespace of the ODRL 2.2 vocabulary."""

ODRL_CONTEXT: Final = "http://www.w3.org/ns/odrl.jsonld"
"""IRI of the ODRL 2.2 JSON-LD context every policy document starts from."""

SIMEL: Final = "https://w3id.org/simel/odrl#"
"""Namespace of the SIMEL ODRL profile: the one place this IRI is spelled out."""

SIMEL_PROFILE: Final = SIMEL.removesuffix("#")
"""IRI of the SIMEL ODRL profile, used as the ``profile`` of the policies we write."""

DPV: Final = "https://w3id.org/dpv#"
"""Namespace of the W3C Data Privacy Vocabulary (purposes, legal bases)."""

XSD: Final = "http://www.w3.org/2001/XMLSchema#"
"""Namespace of the XML Schema datatypes."""

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
"""Namespace of RDF."""

EU_COUNTRY: Final = "http://publications.europa.eu/resource/authority/country/"
"""EU Publications Office country authority table (ISO 3166-1 alpha-3 codes as IRIs)."""

# --- ODRL terms the engine gives a meaning to -------------------------------------------

USE: Final = ODRL + "use"
TRANSFER: Final = ODRL + "transfer"
READ: Final = ODRL + "read"
REPRODUCE: Final = ODRL + "reproduce"
DISTRIBUTE: Final = ODRL + "distribute"
AGGREGATE: Final = ODRL + "aggregate"
ANONYMIZE: Final = ODRL + "anonymize"
DERIVE: Final = ODRL + "derive"
DISPLAY: Final = ODRL + "display"
PRINT: Final = ODRL + "print"
STREAM: Final = ODRL + "stream"
ATTRIBUTE: Final = ODRL + "attribute"
DELETE: Final = ODRL + "delete"
INFORM: Final = ODRL + "inform"
COMPENSATE: Final = ODRL + "compensate"

PURPOSE: Final = ODRL + "purpose"
RECIPIENT: Final = ODRL + "recipient"
SPATIAL: Final = ODRL + "spatial"
DATE_TIME: Final = ODRL + "dateTime"
ELAPSED_TIME: Final = ODRL + "elapsedTime"
COUNT: Final = ODRL + "count"
EVENT: Final = ODRL + "event"
POLICY_USAGE: Final = ODRL + "policyUsage"

EQ: Final = ODRL + "eq"
NEQ: Final = ODRL + "neq"
LT: Final = ODRL + "lt"
LTEQ: Final = ODRL + "lteq"
GT: Final = ODRL + "gt"
GTEQ: Final = ODRL + "gteq"
IS_A: Final = ODRL + "isA"
IS_PART_OF: Final = ODRL + "isPartOf"
HAS_PART: Final = ODRL + "hasPart"
IS_ANY_OF: Final = ODRL + "isAnyOf"
IS_ALL_OF: Final = ODRL + "isAllOf"
IS_NONE_OF: Final = ODRL + "isNoneOf"

OPERATORS: Final = frozenset(
    {EQ, NEQ, LT, LTEQ, GT, GTEQ, IS_A, IS_PART_OF, HAS_PART, IS_ANY_OF, IS_ALL_OF, IS_NONE_OF}
)
"""The twelve ODRL 2.2 constraint operators."""

SET_OPERATORS: Final = frozenset({IS_ANY_OF, IS_ALL_OF, IS_NONE_OF})
"""Operators whose right operand is a set of values (always written as a JSON array)."""

# --- SIMEL profile terms -----------------------------------------------------------------

MIN_CELL_SIZE: Final = SIMEL + "minCellSize"
"""Left operand: the smallest cell count of the output the action produces.

A record-level output is an aggregate whose cells hold one record each, so a request
without aggregation has a minimum cell size of 1.
"""

REIDENTIFY: Final = SIMEL + "reidentify"
"""Action: to re-identify data subjects in (or by means of) the asset.

Neither ODRL 2.2 nor DPV 2.3 has such an action, and prohibiting re-identification is at
the heart of a statistical data-sharing agreement, so the SIMEL profile defines it. It is
included in ``odrl:use`` (re-identifying is a way of using the data), so a permission to
use does not silently cover a prohibited re-identification: the conflict strategy decides.
"""

# --- Action hierarchy --------------------------------------------------------------------

INCLUDED_IN: Final[Mapping[str, str]] = {
    **{
        ODRL + name: USE
        for name in (
            "acceptTracking",
            "aggregate",
            "annotate",
            "anonymize",
            "archive",
            "attribute",
            "compensate",
            "concurrentUse",
            "delete",
            "derive",
            "digitize",
            "distribute",
            "ensureExclusivity",
            "execute",
            "grantUse",
            "include",
            "index",
            "inform",
            "install",
            "modify",
            "move",
            "nextPolicy",
            "obtainConsent",
            "play",
            "present",
            "print",
            "read",
            "reproduce",
            "reviewPolicy",
            "stream",
            "synchronize",
            "textToSpeech",
            "transform",
            "translate",
            "uninstall",
            "watermark",
        )
    },
    ODRL + "display": ODRL + "play",
    ODRL + "extract": REPRODUCE,
    ODRL + "give": TRANSFER,
    ODRL + "sell": TRANSFER,
    # The Creative Commons actions re-used by ODRL (cc:Attribution ... sit in odrl: as
    # "http://creativecommons.org/ns#X" IRIs); ODRL22.ttl puts them under use as well.
    **{
        "http://creativecommons.org/ns#" + name: USE
        for name in (
            "Attribution",
            "CommercialUse",
            "DerivativeWorks",
            "Distribution",
            "Notice",
            "Reproduction",
            "ShareAlike",
            "Sharing",
            "SourceCode",
        )
    },
    REIDENTIFY: USE,
}
"""``odrl:includedIn`` of every action that has one in ODRL 2.2, plus the SIMEL actions.

``odrl:use`` and ``odrl:transfer`` are the two roots. ODRL22.ttl states no ``odrl:implies``
at all, so there is no implication table.
"""

# --- The ODRL JSON-LD context ------------------------------------------------------------

CONTEXT_PREFIXES: Final[Mapping[str, str]] = {
    "odrl": ODRL,
    "rdf": RDF,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "xsd": XSD,
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "http://schema.org/",
    "cc": "http://creativecommons.org/ns#",
}
"""Prefixes declared by the ODRL 2.2 JSON-LD context."""

SIMEL_PREFIXES: Final[Mapping[str, str]] = {"dpv": DPV, "simel": SIMEL}
"""Prefixes every policy document we write declares next to the ODRL context."""

CONTEXT_ACTIONS: Final = frozenset(
    {
        "acceptTracking",
        "aggregate",
        "annotate",
        "anonymize",
        "archive",
        "attribute",
        "compensate",
        "concurrentUse",
        "delete",
        "derive",
        "digitize",
        "display",
        "distribute",
        "ensureExclusivity",
        "execute",
        "extract",
        "give",
        "grantUse",
        "include",
        "index",
        "inform",
        "install",
        "modify",
        "move",
        "nextPolicy",
        "obtainConsent",
        "play",
        "present",
        "print",
        "read",
        "reproduce",
        "reviewPolicy",
        "sell",
        "stream",
        "textToSpeech",
        "transfer",
        "transform",
        "translate",
        "uninstall",
        "use",
        "watermark",
    }
)
"""Actions the ODRL context defines as terms, so that ``"action": "read"`` is valid."""

CONTEXT_LEFT_OPERANDS: Final = frozenset(
    {
        "absolutePosition",
        "absoluteSize",
        "absoluteSpatialPosition",
        "absoluteTemporalPosition",
        "count",
        "dateTime",
        "delayPeriod",
        "deliveryChannel",
        "elapsedTime",
        "event",
        "fileFormat",
        "industry",
        "language",
        "media",
        "meteredTime",
        "payAmount",
        "percentage",
        "product",
        "purpose",
        "recipient",
        "relativePosition",
        "relativeSize",
        "relativeSpatialPosition",
        "relativeTemporalPosition",
        "resolution",
        "spatial",
        "spatialCoordinates",
        "systemDevice",
        "timeInterval",
        "unitOfCount",
        "version",
        "virtualLocation",
    }
)
"""Left operands the ODRL context defines as terms."""

CONTEXT_OPERATORS: Final = frozenset(
    {
        "eq",
        "gt",
        "gteq",
        "hasPart",
        "isA",
        "isAllOf",
        "isAnyOf",
        "isNoneOf",
        "isPartOf",
        "lt",
        "lteq",
        "neq",
    }
)
"""Operators the ODRL context defines as terms."""

CONTEXT_ERRATA: Final[Mapping[str, str]] = {
    "neq": NEQ,
    "industry": ODRL + "industry",
}
"""Terms the published context maps to a wrong IRI, with the IRI every author means.

The context maps ``neq`` to ``odrl:neg`` and ``industry`` to ``odrl:industry:``. We read
the bare terms as the ODRL 2.2 operator and left operand they name, and we always *write*
them as the compact IRIs ``odrl:neq`` / ``odrl:industry`` so that every JSON-LD processor
reads our documents the same way.
"""


def context_term_iri(term: str) -> str:
    """Return the IRI an ODRL context term (action, operand, operator, ...) stands for."""
    return CONTEXT_ERRATA.get(term, ODRL + term)


def expand(value: str, prefixes: Mapping[str, str]) -> str:
    """Expand a compact IRI (``dpv:Purpose``) with the given prefixes.

    A value whose prefix is not declared is returned unchanged: JSON-LD reads it as an
    absolute IRI with that scheme (``urn:x``, ``https://...`` and, for better or worse,
    ``ex:dayOfWeek`` when ``ex`` is not declared).
    """
    prefix, sep, suffix = value.partition(":")
    if sep and not suffix.startswith("//") and prefix in prefixes:
        return prefixes[prefix] + suffix
    return value


def compact(iri: str, prefixes: Mapping[str, str]) -> str:
    """Shorten an IRI with the first declared prefix that matches (the reverse of expand)."""
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return prefix + ":" + iri[len(namespace) :]
    return iri


def display(iri: str) -> str:
    """Return a short human-readable name for an IRI (ODRL local names, then prefixes)."""
    if iri.startswith(ODRL):
        return iri[len(ODRL) :]
    return compact(iri, {**SIMEL_PREFIXES, "xsd": XSD})


def action_lineage(action: str) -> tuple[str, ...]:
    """Return the action followed by every action it is (transitively) included in."""
    lineage = [action]
    seen = {action}
    current = INCLUDED_IN.get(action)
    while current is not None and current not in seen:
        lineage.append(current)
        seen.add(current)
        current = INCLUDED_IN.get(current)
    return tuple(lineage)


CONTEXT_OTHER_TERMS: Final = frozenset(
    {
        "Action",
        "Agreement",
        "Assertion",
        "Asset",
        "AssetCollection",
        "ConflictTerm",
        "Constraint",
        "Duty",
        "LeftOperand",
        "LogicalConstraint",
        "Offer",
        "Operator",
        "Party",
        "PartyCollection",
        "PartyScope",
        "Permission",
        "Policy",
        "Privacy",
        "Prohibition",
        "Request",
        "RightOperand",
        "Rule",
        "Set",
        "Ticket",
        "action",
        "and",
        "andSequence",
        "assignee",
        "assigneeOf",
        "assigner",
        "assignerOf",
        "attributedParty",
        "attributingParty",
        "compensatedParty",
        "compensatingParty",
        "conflict",
        "consentedParty",
        "consentingParty",
        "consequence",
        "constraint",
        "contractedParty",
        "contractingParty",
        "dataType",
        "duty",
        "function",
        "hasPolicy",
        "implies",
        "includedIn",
        "informedParty",
        "informingParty",
        "inheritFrom",
        "invalid",
        "leftOperand",
        "obligation",
        "operator",
        "or",
        "output",
        "partOf",
        "perm",
        "permission",
        "policyUsage",
        "profile",
        "prohibit",
        "prohibition",
        "refinement",
        "relation",
        "remedy",
        "rightOperand",
        "rightOperandReference",
        "source",
        "status",
        "target",
        "trackedParty",
        "trackingParty",
        "type",
        "uid",
        "unit",
        "xone",
    }
)
"""Every other term of the ODRL context (classes, properties, keyword aliases)."""

CONTEXT_TERMS: Final = (
    frozenset(CONTEXT_PREFIXES)
    | CONTEXT_ACTIONS
    | CONTEXT_LEFT_OPERANDS
    | CONTEXT_OPERATORS
    | CONTEXT_OTHER_TERMS
)
"""All 174 terms of the ODRL 2.2 JSON-LD context: a document may not redefine them."""
