"""Run the benchmarks: ``python -m bench [NAME ...]`` (all of them without names).

Each benchmark is also a module of its own with options (``python -m bench.search -h``);
this runner only calls them with their defaults, one after the other.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

_NOT_BENCHMARKS = {"common", "generate"}


def available() -> list[str]:
    """The benchmark modules in this package."""
    folder = Path(__file__).resolve().parent
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(folder)])
        if not info.name.startswith("_") and info.name not in _NOT_BENCHMARKS
    )


def main() -> None:
    """Run the named benchmarks, or all of them."""
    names = sys.argv[1:] or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
    for name in names:
        print(f"== bench.{name}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        sys.argv = [f"bench.{name}"]
        module.main()


if __name__ == "__main__":
    main()
