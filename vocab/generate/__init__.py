"""Generator of the committed vocabularies: ``python -m vocab.generate [--standards DIR]``.

Reads the standards in ``shared/standards`` (ISO 3166-1, ISCO-08, ISIC Rev.4, ICLS,
DPV) and the curated files in ``vocab/sources`` (EU authority-table excerpts, Spanish
translations, SIMEL schemes) and writes, for every scheme, ``<name>.ttl`` (the source of
truth), ``<name>.json`` (the load-time cache) and ``manifest.json`` into
``vocab/schemes``. The output is deterministic: the tests rebuild into a temporary
directory and compare bytes. Build-time only: needs pycountry (see
``vocab.generate.common.PYCOUNTRY_VERSION``), which the runtime package does not.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from vocab.model import ConceptScheme, VocabularyError
from vocab.registry import MANIFEST, SCHEMES_DIR

__all__ = ["DEFAULT_STANDARDS", "build_all", "main", "write_schemes"]

#: Where the standards are unless --standards or SIMEL_STANDARDS_DIR says otherwise: the
#: unchanged copies kept with the tests (tests/standards, with provenance READMEs).
DEFAULT_STANDARDS: Final = Path(__file__).resolve().parents[2] / "tests" / "standards"


def build_all(standards: Path) -> list[ConceptScheme]:
    """Build every scheme, in manifest order.

    Args:
        standards: the shared/standards directory.

    Returns:
        The schemes.

    Raises:
        VocabularyError: a source is missing or inconsistent.
    """
    # Imported here so that `vocab.generate` can be imported (e.g. for DEFAULT_STANDARDS)
    # without rdflib-parsing DPV or touching pycountry.
    from vocab.generate import activities, countries, dpv, eu_tables, migration, occupations, simel

    schemes = [
        countries.build(standards),
        occupations.build(standards),
        activities.build(standards),
        migration.build(standards),
        *eu_tables.build(),
        *dpv.build(standards),
    ]
    schemes += simel.build({s.name: s for s in schemes})
    return schemes


def _iri_prefixes(scheme: ConceptScheme) -> list[str]:
    # The longest prefix all concept IRIs share, cut after its last '/' or '#', so that
    # Registry.resolve() loads only the schemes an IRI can belong to.
    iris = [c.iri for c in scheme]
    # The common prefix of the lexicographically first and last IRIs is that of all.
    first, last = min(iris), max(iris)
    pairs = zip(first, last, strict=False)  # lengths differ; stop at the shorter
    size = next((i for i, (a, b) in enumerate(pairs) if a != b), len(first))
    prefix = first[:size]
    cut = max(prefix.rfind("/"), prefix.rfind("#"))
    return [prefix[: cut + 1]]


def _json_text(scheme: ConceptScheme) -> str:
    # One concept per line: compact, yet a change shows as a readable one-line diff.
    head = json.dumps(
        scheme.to_json(include_concepts=False), ensure_ascii=False, separators=(",", ":")
    )
    concepts = [json.dumps(c.to_json(), ensure_ascii=False, separators=(",", ":")) for c in scheme]
    return head[:-1] + ',"concepts":[\n' + ",\n".join(concepts) + "\n]}\n"


def write_schemes(schemes: Sequence[ConceptScheme], out: Path) -> list[Path]:
    """Write the Turtle, JSON cache and manifest files of the schemes.

    Args:
        schemes: the schemes, in manifest order.
        out: target directory (created if needed).

    Returns:
        The files written.
    """
    # Imported here, like the builders above, to keep `import vocab.generate` cheap.
    from vocab.rdf import to_turtle

    out.mkdir(parents=True, exist_ok=True)
    written = []
    manifest = []
    for scheme in schemes:
        turtle = out / f"{scheme.name}.ttl"
        cache = out / f"{scheme.name}.json"
        turtle.write_text(to_turtle(scheme), encoding="utf-8", newline="\n")
        cache.write_text(_json_text(scheme), encoding="utf-8", newline="\n")
        written += [turtle, cache]
        manifest.append(
            {
                "name": scheme.name,
                "iri": scheme.iri,
                "titles": dict(scheme.titles),
                "concept_count": len(scheme),
                "iri_prefixes": _iri_prefixes(scheme),
                "turtle": turtle.name,
                "cache": cache.name,
            }
        )
    manifest_path = out / MANIFEST
    manifest_path.write_text(
        json.dumps({"schemes": manifest}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
        newline="\n",
    )
    written.append(manifest_path)
    return written


def _differences(built: Path, committed: Path) -> list[str]:
    names = sorted(p.name for p in built.iterdir())
    problems = [
        name
        for name in names
        if not (committed / name).is_file()
        or not filecmp.cmp(built / name, committed / name, shallow=False)
    ]
    extra = sorted(
        p.name
        for p in committed.iterdir()
        if p.suffix in {".ttl", ".json"} and not (built / p.name).exists()
    )
    return problems + [f"{name} (not generated any more)" for name in extra]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point.

    Args:
        argv: arguments (``sys.argv[1:]`` by default).

    Returns:
        The exit status: 0 on success, 1 if ``--check`` found differences or a source
        was inconsistent.
    """
    parser = argparse.ArgumentParser(
        prog="python -m vocab.generate", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--standards",
        type=Path,
        default=Path(os.environ.get("SIMEL_STANDARDS_DIR", DEFAULT_STANDARDS)),
        help="the shared/standards directory (default: $SIMEL_STANDARDS_DIR or %(default)s)",
    )
    parser.add_argument(
        "--out", type=Path, default=SCHEMES_DIR, help="output directory (default: %(default)s)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="build into a temporary directory and compare with --out instead of writing",
    )
    args = parser.parse_args(argv)
    try:
        schemes = build_all(args.standards)
    except (OSError, VocabularyError) as exc:
        print(f"vocab.generate: {exc}", file=sys.stderr)
        return 1
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            write_schemes(schemes, Path(tmp))
            differences = _differences(Path(tmp), args.out)
        for name in differences:
            print(f"differs: {name}", file=sys.stderr)
        return 1 if differences else 0
    for path in write_schemes(schemes, args.out):
        print(path)
    for scheme in schemes:
        print(f"{scheme.name}: {len(scheme)} concepts", file=sys.stderr)
    return 0
