"""policies is a leaf: standard library only (rdflib for RDF output, loaded on demand)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import policies

PACKAGE = Path(policies.__file__).resolve().parent


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_modules_import_only_the_standard_library_and_rdflib() -> None:
    allowed = set(sys.stdlib_module_names) | {"policies", "__future__"}
    for path in sorted(PACKAGE.glob("*.py")):
        extra = imported_roots(path) - allowed
        if path.name == "jsonld.py":
            assert extra == {"rdflib"}, path.name
        else:
            assert extra == set(), path.name


def test_deciding_never_loads_rdflib_or_the_catalog() -> None:
    code = (
        "import sys, datetime, policies\n"
        "from policies import templates\n"
        "offer = templates.open_data(uid='https://x.example/p', assigner='https://x.example/o')\n"
        "policy = policies.from_jsonld(policies.to_jsonld(offer))\n"
        "now = datetime.datetime.now(datetime.UTC)\n"
        "policies.evaluate(policy, policies.RequestContext(action='read', time=now))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'rdflib', 'flask', 'api', 'catalog', 'vocab', 'sqlmodel'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
