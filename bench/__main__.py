"""Run every benchmark: ``python -m bench`` (``make bench``)."""

from __future__ import annotations

import sys

from bench import dcat_export

if __name__ == "__main__":
    sys.exit(dcat_export.main(sys.argv[1:]))
