"""Policy decision latency: a realistic 20-rule Agreement against a fixed request mix.

Run from the repository root::

    python -m bench.policy_decision [--decisions 100000] [--seed 20260301]

Every decision is timed on its own (``time.perf_counter_ns``) over a fixed, varied mix
of requests, after a warm-up. Two baselines run in the same process, so that the figures
can be compared across machines: the same loop over a trivial one-rule policy, and raw
Python dict lookups. Nothing here is asserted; the figures go to bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from policies import (
    BEFORE_USE,
    Action,
    CompiledPolicy,
    ConflictStrategy,
    Constraint,
    Duty,
    Hierarchy,
    LogicalConstraint,
    LogicalOperator,
    Permission,
    Policy,
    PolicyType,
    Prohibition,
    Ref,
    RequestContext,
    TypedLiteral,
    Value,
    compile_policy,
    terms,
)

DPV = terms.DPV
XSD = terms.XSD
EU = terms.EU_COUNTRY
ORG = "https://catalog.simel.example/org/"
DATA = "https://catalog.simel.example/dataset/"
REGION = "https://catalog.simel.example/region/"

STATS = DPV + "ProvideOfficialStatistics"
POLICY = DPV + "PublicPolicyMaking"
RESEARCH = DPV + "ResearchAndDevelopment"
ACADEMIC = DPV + "AcademicResearch"
MARKETING = DPV + "Marketing"

# A slice of the DPV purpose tree (child -> parents), as the catalog would load it.
PURPOSES = {
    STATS: [DPV + "PublicBenefit"],
    POLICY: [DPV + "PublicBenefit"],
    DPV + "PublicBenefit": [DPV + "Purpose"],
    ACADEMIC: [RESEARCH],
    DPV + "NonCommercialResearch": [RESEARCH],
    DPV + "ScientificResearch": [RESEARCH],
    RESEARCH: [DPV + "Purpose"],
    DPV + "DirectMarketing": [MARKETING],
    MARKETING: [DPV + "Purpose"],
    DPV + "ServiceProvision": [DPV + "Purpose"],
    DPV + "EnforceSecurity": [DPV + "Purpose"],
    "https://catalog.simel.example/purpose/LabourMigrationStatistics": [STATS],
    "https://catalog.simel.example/purpose/RemittanceStatistics": [STATS],
    "https://catalog.simel.example/purpose/WagePolicy": [POLICY],
}
PLACES = {
    "GTM": [REGION + "CA4"],
    "SLV": [REGION + "CA4"],
    "HND": [REGION + "CA4"],
    "NIC": [REGION + "CA4"],
    REGION + "CA4": [REGION + "SICA"],
    "BLZ": [REGION + "SICA"],
    "CRI": [REGION + "SICA"],
    "PAN": [REGION + "SICA"],
}
MINISTRIES = [
    ORG + name for name in ("stps-mx", "inm-mx", "mtps-sv", "sts-hn", "mlnsg-bz", "ine-gt")
]
PARTIES = {org: [ORG + "group/simel-ministries"] for org in MINISTRIES}
DATASETS = [
    DATA + name for name in ("gt-emigrant-workers-2023", "gt-remittances-2023", "gt-wages-2022")
]
ASSETS = {d: [DATA + "collection/gt-migration"] for d in DATASETS}


def c(left: str, operator: str, *values: Value) -> Constraint:
    return Constraint(
        terms.ODRL + left if ":" not in left else left, terms.ODRL + operator, tuple(values)
    )


def dt(text: str) -> TypedLiteral:
    return TypedLiteral(text, XSD + "dateTime")


def dur(text: str) -> TypedLiteral:
    return TypedLiteral(text, XSD + "duration")


def either(*purposes: str) -> LogicalConstraint:
    return LogicalConstraint(
        LogicalOperator.OR, tuple(c("purpose", "isA", Ref(p)) for p in purposes)
    )


def act(name: str, *refinements: Constraint) -> Action:
    iri = name if ":" in name else terms.ODRL + name
    return Action(iri, refinements=refinements)


def realistic_policy() -> Policy:
    """A 20-rule Agreement of the kind the binational template grows into."""
    countries = tuple(Ref(EU + code) for code in ("MEX", "GTM", "SLV", "HND", "BLZ"))
    signatories = tuple(Ref(o) for o in MINISTRIES)
    window = LogicalConstraint(
        LogicalOperator.AND_SEQUENCE,
        (
            c("dateTime", "gteq", dt("2025-01-01T00:00:00Z")),
            c("dateTime", "lt", dt("2028-01-01T00:00:00Z")),
        ),
    )
    attribute = Duty(action=act("attribute"))
    delete = Duty(action=act("delete"), constraints=(c("elapsedTime", "gteq", dur("P2Y")),))
    undertaking = Duty(
        action=act("obtainConsent"),
        constraints=(BEFORE_USE,),
        uid="https://catalog.simel.example/duty/confidentiality-undertaking",
    )
    group = (ORG + "group/simel-ministries",)
    permissions = (
        Permission(
            act("use"),
            assignees=group,
            constraints=(either(STATS, POLICY), c("spatial", "isAnyOf", *countries), window),
            duties=(attribute, delete),
        ),
        Permission(
            act("aggregate", c(terms.MIN_CELL_SIZE, "gteq", 10)),
            constraints=(c("purpose", "isA", Ref(DPV + "PublicBenefit")),),
            duties=(attribute,),
        ),
        Permission(
            act("read"),
            assignees=(MINISTRIES[0], MINISTRIES[2]),
            constraints=(
                LogicalConstraint(
                    LogicalOperator.XONE,
                    (c("purpose", "isA", Ref(RESEARCH)), c("purpose", "isA", Ref(STATS))),
                ),
                c("spatial", "isPartOf", Ref(REGION + "SICA")),
            ),
            duties=(undertaking,),
        ),
        Permission(act("display"), constraints=(c("count", "lteq", 100),)),
        Permission(act("print"), constraints=(c("count", "lteq", 10), window), duties=(attribute,)),
        Permission(
            act("reproduce"),
            assignees=group,
            constraints=(c("elapsedTime", "lt", dur("P1Y")), either(STATS, POLICY)),
        ),
        Permission(act("stream"), constraints=(c(terms.MIN_CELL_SIZE, "gteq", 20),)),
        Permission(
            act("derive"),
            constraints=(
                LogicalConstraint(
                    LogicalOperator.AND,
                    (
                        c("purpose", "isA", Ref(RESEARCH)),
                        c("spatial", "isPartOf", Ref(REGION + "CA4")),
                    ),
                ),
            ),
        ),
        Permission(act("anonymize"), assignees=group, duties=(Duty(action=act("inform")),)),
        Permission(
            act("distribute"),
            constraints=(
                c("recipient", "isAnyOf", *signatories),
                c(terms.MIN_CELL_SIZE, "gteq", 20),
            ),
        ),
        Permission(
            act("use"), targets=(DATASETS[2],), constraints=(c("purpose", "isA", Ref(POLICY)),)
        ),
        Permission(
            act("read"),
            assignees=(MINISTRIES[5],),
            constraints=(c("recipient", "isPartOf", Ref(group[0])), window),
        ),
    )
    prohibitions = (
        Prohibition(act(terms.REIDENTIFY)),
        Prohibition(act("transfer")),
        Prohibition(act("distribute"), constraints=(c("recipient", "isNoneOf", *signatories),)),
        Prohibition(
            act("use"),
            constraints=(
                c("spatial", "isNoneOf", *countries),
                c("spatial", "neq", Ref(EU + "CRI")),
            ),
        ),
        Prohibition(act("aggregate"), constraints=(c(terms.MIN_CELL_SIZE, "lt", 5),)),
        Prohibition(act("use"), constraints=(c("purpose", "isA", Ref(MARKETING)),)),
        Prohibition(act("print"), constraints=(c("dateTime", "gteq", dt("2030-01-01T00:00:00Z")),)),
        Prohibition(
            act("stream"),
            constraints=(
                LogicalConstraint(
                    LogicalOperator.OR, (c("count", "gt", 1000), c("elapsedTime", "gt", dur("P3Y")))
                ),
            ),
        ),
    )
    return Policy(
        uid="https://catalog.simel.example/agreement/bench",
        type=PolicyType.AGREEMENT,
        profiles=(terms.SIMEL_PROFILE,),
        conflict=ConflictStrategy.PROHIBIT,
        assigner=ORG + "mintrab-gt",
        assignees=tuple(MINISTRIES),
        targets=tuple(DATASETS),
        permissions=permissions,
        prohibitions=prohibitions,
    )


def trivial_policy() -> Policy:
    return Policy(
        uid="https://catalog.simel.example/policy/trivial", permissions=(Permission(act("use")),)
    )


def request_mix(seed: int, size: int = 256) -> list[RequestContext]:
    """A fixed, varied mix: every action, party, country, purpose and output shape."""
    rng = random.Random(seed)
    actions = [
        "read",
        "use",
        "aggregate",
        "display",
        "print",
        "reproduce",
        "stream",
        "derive",
        "anonymize",
        "distribute",
        "transfer",
        "simel:reidentify",
        "odrl:play",
    ]
    countries = ["MEX", "GTM", "SLV", "HND", "BLZ", "CRI", "USA", EU + "MEX"]
    purposes = [*PURPOSES, None]
    assignees = [*MINISTRIES, ORG + "consultancy"]
    recipients = [None, *MINISTRIES, ORG + "broker"]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    out = []
    for _ in range(size):
        out.append(
            RequestContext(
                action=rng.choice(actions),
                time=start + timedelta(days=rng.randrange(0, 2200), seconds=rng.randrange(86400)),
                assignee=rng.choice(assignees),
                assignee_country=rng.choice(countries),
                target=rng.choice([*DATASETS, DATA + "other"]),
                purpose=rng.choice(purposes),
                recipient=rng.choice(recipients),
                elapsed_start=rng.choice([None, start]),
                use_count=rng.choice([None, 1, 5, 50, 500, 5000]),
                min_cell_size=rng.choice([None, 3, 8, 15, 40]),
                fulfilled_duties=frozenset(
                    rng.sample(
                        [
                            "attribute",
                            "https://catalog.simel.example/duty/confidentiality-undertaking",
                        ],
                        rng.randrange(3),
                    )
                ),
            )
        )
    return out


def hierarchy() -> Hierarchy:
    return Hierarchy(purposes=PURPOSES, places=PLACES, parties=PARTIES, assets=ASSETS)


def time_decisions(
    policy: CompiledPolicy, requests: Sequence[RequestContext], n: int, h: Hierarchy
) -> list[int]:
    evaluate = policy.evaluate
    clock = time.perf_counter_ns
    count = len(requests)
    for i in range(2000):  # warm-up: memo tables, branch caches
        evaluate(requests[i % count], hierarchy=h)
    samples = [0] * n
    for i in range(n):
        req = requests[i % count]
        t0 = clock()
        evaluate(req, hierarchy=h)
        samples[i] = clock() - t0
    return samples


def time_lookups(n: int, batch: int = 100) -> list[float]:
    """Per-lookup cost of a raw dict lookup, timed in batches (one is below the clock)."""
    table = {f"https://example.org/key/{i}": i for i in range(1000)}
    keys = list(table)[:batch]
    clock = time.perf_counter_ns
    samples = [0.0] * n
    for i in range(n):
        t0 = clock()
        for k in keys:
            table[k]
        samples[i] = (clock() - t0) / batch
    return samples


def time_empty(n: int) -> list[int]:
    clock = time.perf_counter_ns
    samples = [0] * n
    for i in range(n):
        t0 = clock()
        samples[i] = clock() - t0
    return samples


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50": cut[49],
        "p95": cut[94],
        "p99": cut[98],
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
    }


def run(n: int, seed: int) -> dict[str, Any]:
    h = hierarchy()
    policy = compile_policy(realistic_policy())
    trivial = compile_policy(trivial_policy())
    requests = request_mix(seed)
    outcomes: dict[str, int] = {}
    for req in requests:
        o = policy.evaluate(req, hierarchy=h).outcome
        outcomes[o] = outcomes.get(o, 0) + 1
    t0 = time.perf_counter()
    compile_policy(realistic_policy())
    compile_ms = (time.perf_counter() - t0) * 1000
    gc.collect()
    gc.disable()  # the figures are about the engine, not the collector's schedule
    try:
        realistic = percentiles(time_decisions(policy, requests, n, h))
        baseline = percentiles(time_decisions(trivial, requests, n, h))
        lookup = percentiles(time_lookups(n))
        empty = percentiles(time_empty(n))
    finally:
        gc.enable()
    sample = policy.evaluate(requests[0], hierarchy=h)
    t0 = time.perf_counter_ns()
    for _ in range(1000):
        json.dumps(sample.to_dict())
    to_json_us = (time.perf_counter_ns() - t0) / 1000 / 1000
    return {
        "decisions": n,
        "rules": 20,
        "request_mix": len(requests),
        "outcomes_in_mix": outcomes,
        "compile_ms": compile_ms,
        "realistic_ns": realistic,
        "trivial_ns": baseline,
        "dict_lookup_ns": lookup,
        "timer_overhead_ns": empty,
        "to_dict_json_us": to_json_us,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def report(result: dict[str, Any], out: Callable[[str], object] = print) -> None:
    def us(ns: float) -> str:
        return f"{ns / 1000:8.1f} µs"

    realistic = result["realistic_ns"]
    trivial = result["trivial_ns"]
    lookup = result["dict_lookup_ns"]
    out(
        f"Policy decisions: {result['decisions']:,} per policy, mix of {result['request_mix']} "
        f"requests, outcomes in the mix {result['outcomes_in_mix']}"
    )
    out(f"Python {result['python']} on {result['platform']}")
    out(f"{'':28}{'p50':>11}{'p95':>11}{'p99':>11}{'max':>11}")
    for label, data in (("20-rule agreement", realistic), ("1-rule baseline", trivial)):
        out(f"{label:28}" + "".join(f"{us(data[k]):>11}" for k in ("p50", "p95", "p99", "max")))
    out(
        f"{'dict lookup (per lookup)':28}"
        + "".join(f"{lookup[k]:>8.1f} ns" for k in ("p50", "p95", "p99"))
    )
    out(
        f"timer overhead p50: {result['timer_overhead_ns']['p50']:.0f} ns"
        f"; compile the 20-rule policy: {result['compile_ms']:.2f} ms"
        f"; to_dict + json.dumps of one decision: {result['to_dict_json_us']:.0f} µs"
    )
    out(
        f"ratios at p50: 20-rule / 1-rule = {realistic['p50'] / trivial['p50']:.1f}x; "
        f"20-rule / dict lookup = {realistic['p50'] / lookup['p50']:,.0f}x; "
        f"1-rule / dict lookup = {trivial['p50'] / lookup['p50']:,.0f}x"
    )
    verdict = "met" if realistic["p99"] < 1_000_000 else "NOT met"
    out(f"target p99 < 1 ms: {verdict} (p99 = {realistic['p99'] / 1000:.1f} µs)")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    args = parser.parse_args(argv)
    result = run(args.decisions, args.seed)
    report(result)
    if args.json:
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
