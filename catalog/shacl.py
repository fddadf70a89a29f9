"""DCAT-AP 3.0.1 conformance: the official SHACL shapes, run with pySHACL, in plain words.

Each shapes file (``catalog/shapes/README.md``) is run on its own, so a report says which
file found what: base constraints, ranges, controlled vocabularies, recommendations,
deprecated terms, and the individual-constraint file. A finding is the focus node, the
property, the offending value, the severity and a sentence: the shape's own description
where it has one (the vocabulary shapes explain themselves), else pySHACL's message.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from catalog.rdfio import PREFIXES

SHAPES_DIR: Final = Path(__file__).resolve().parent / "shapes" / "dcat-ap-3.0.1"
#: The shapes files, by key, in the order reports list them.
SHAPES: Final[Mapping[str, str]] = {
    "base": "html/shacl/shapes.ttl",
    "ranges": "html/shacl/range.ttl",
    "vocabularies": "html/shacl/mdr-vocabularies.shape.ttl",
    "recommended": "html/shacl/shapes_recommended.ttl",
    "deprecated": "html/shacl/deprecateduris.ttl",
    "constraints": "shacl/dcat-ap-SHACL.ttl",
}
Severity = Literal["violation", "warning", "info"]
_SEVERITIES: Final[Mapping[Node, Severity]] = {
    SH.Violation: "violation",
    SH.Warning: "warning",
    SH.Info: "info",
}


@dataclass(frozen=True)
class Finding:
    """One result of a shapes file.

    Attributes:
        shapes: Key of the shapes file (``base``, ``vocabularies``...).
        severity: ``violation``, ``warning`` or ``info``.
        focus: The resource the result is about.
        property: The property (compact, e.g. ``dcat:theme``), if any.
        value: The offending value, if any.
        message: What is wrong, in words.
    """

    shapes: str
    severity: Severity
    focus: str
    property: str | None
    value: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        """The finding as a JSON object."""
        return {
            "shapes": self.shapes,
            "severity": self.severity,
            "focus": self.focus,
            "property": self.property,
            "value": self.value,
            "message": self.message,
        }


@dataclass(frozen=True)
class ShaclReport:
    """The findings of several shapes files on one data graph."""

    files: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def conforms(self) -> bool:
        """No violations (warnings and infos are allowed)."""
        return not any(finding.severity == "violation" for finding in self.findings)

    def counts(self) -> dict[str, dict[str, int]]:
        """Violations, warnings and infos per shapes file."""
        counted = Counter((f.shapes, f.severity) for f in self.findings)
        return {
            key: {
                "violations": counted[(key, "violation")],
                "warnings": counted[(key, "warning")],
                "infos": counted[(key, "info")],
            }
            for key in self.files
        }

    def to_json(self) -> dict[str, Any]:
        """The report as the validation endpoint returns it."""
        totals = Counter(finding.severity for finding in self.findings)
        return {
            "conforms": self.conforms,
            "profile": "DCAT-AP 3.0.1",
            "violations": totals["violation"],
            "warnings": totals["warning"],
            "infos": totals["info"],
            "shapes": self.counts(),
            "results": [finding.to_json() for finding in self.findings],
        }


@cache
def shapes_graph(key: str) -> Graph:
    """The parsed shapes file ``key`` (parsed once per process)."""
    graph = Graph()
    graph.parse(SHAPES_DIR / SHAPES[key], format="turtle")
    return graph


def _compact(node: Node | None) -> str | None:
    if node is None:
        return None
    text = str(node)
    if isinstance(node, URIRef):
        for prefix, namespace in PREFIXES.items():
            if text.startswith(namespace) and len(text) > len(namespace):
                return f"{prefix}:{text[len(namespace) :]}"
    return text


_REWRITES: Final = (
    (re.compile(r"Less than 1 values on (?:<[^>]*>|\S+)->(\S+)"), r"\1 is missing"),
    (
        re.compile(r"Less than (\d+) values on (?:<[^>]*>|\S+)->(\S+)"),
        r"\2 needs at least \1 values",
    ),
    (
        re.compile(r"More than (\d+) values on (?:<[^>]*>|\S+)->(\S+)"),
        r"\2 may have at most \1 value(s)",
    ),
    (
        re.compile(
            r"Node (<[^>]*>|\S+)->skos:inScheme does not contain a value in the set: "
            r"\['?<?([^>'\]]*)>?'?\]"
        ),
        r"\1 is not a concept of <\2>",
    ),
    (re.compile(r"Value does not have class (\S+)"), r"the value must be of class \1"),
)


def _plain(text: str) -> str:
    """The message of pySHACL in plainer words, with IRIs of known namespaces compacted."""
    for namespace_prefix, namespace in PREFIXES.items():
        text = re.sub(
            f"<{re.escape(namespace)}([A-Za-z_][A-Za-z0-9_-]*)>", f"{namespace_prefix}:\\1", text
        )
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text


def _message(results: Graph, shapes: Graph, result: Node) -> str:
    """The result in words; the focus node and value are named by the finding itself."""
    shape = results.value(result, SH.sourceShape)
    described = shapes.value(shape, SH.description) if shape is not None else None
    generated = results.value(result, SH.resultMessage)
    parts = [str(described)] if described is not None else []
    if generated is not None and "See details" not in str(generated):
        parts.append(_plain(str(generated)))
    # Nested results (sh:detail) say why a value failed a referenced node shape.
    for detail in results.objects(result, SH.detail):
        nested = results.value(detail, SH.resultMessage)
        if nested is not None:
            parts.append(_plain(str(nested)))
            break
    text = ": ".join(dict.fromkeys(parts)) or "does not conform"
    for node, name in (
        (results.value(result, SH.value), "the value"),
        (results.value(result, SH.focusNode), "the resource"),
    ):
        if isinstance(node, URIRef):
            text = text.replace(f"<{node}>", name)
    return text


def validate_graph(data: Graph, keys: Sequence[str] = tuple(SHAPES)) -> ShaclReport:
    """Validate ``data`` against each shapes file in ``keys``."""
    import pyshacl

    findings: list[Finding] = []
    for key in keys:
        shapes = shapes_graph(key)
        with warnings.catch_warnings():
            # pySHACL and rdflib warn about their own deprecations; not ours to act on.
            warnings.simplefilter("ignore", DeprecationWarning)
            _, results, _ = pyshacl.validate(
                data,
                shacl_graph=shapes,
                inference="none",
                allow_warnings=True,
                allow_infos=True,
                advanced=True,
            )
        report = next(results.subjects(predicate=SH.conforms), None)
        top = list(results.objects(report, SH.result)) if report is not None else []
        for result in top:
            findings.append(
                Finding(
                    shapes=key,
                    severity=_SEVERITIES.get(
                        results.value(result, SH.resultSeverity) or SH.Violation, "violation"
                    ),
                    focus=_compact(results.value(result, SH.focusNode)) or "",
                    property=_compact(results.value(result, SH.resultPath)),
                    value=_compact(results.value(result, SH.value)),
                    message=_message(results, shapes, result),
                )
            )
    return ShaclReport(files=tuple(keys), findings=_ordered(findings))


def merge_reports(reports: Sequence[ShaclReport]) -> ShaclReport:
    """One report from the reports on parts of a graph, each finding once.

    A catalog is validated a batch of datasets at a time (each batch with the
    catalog's own description): what the batches share, such as the catalog node,
    is then reported by each of them.
    """
    files = tuple(dict.fromkeys(key for report in reports for key in report.files))
    findings = dict.fromkeys(finding for report in reports for finding in report.findings)
    return ShaclReport(files=files, findings=_ordered(findings))


def _ordered(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    order = {"violation": 0, "warning": 1, "info": 2}
    return tuple(
        sorted(
            findings,
            # A total order: the same findings read the same whatever graph, or batch of
            # it, pySHACL found them in.
            key=lambda f: (
                order[f.severity],
                list(SHAPES).index(f.shapes),
                f.focus,
                f.property or "",
                f.value or "",
                f.message,
            ),
        )
    )


def summarize(findings: Iterable[Finding]) -> list[tuple[Finding, int]]:
    """Findings grouped by (shapes, severity, property, message), with counts, most first."""
    groups: dict[tuple[str, str, str | None, str], list[Finding]] = {}
    for finding in findings:
        # The same warning on many resources reads once, with a count.
        key = (finding.shapes, finding.severity, finding.property, finding.message)
        groups.setdefault(key, []).append(finding)
    ranked = sorted(groups.values(), key=lambda items: (-len(items), items[0].shapes))
    return [(items[0], len(items)) for items in ranked]
