"""Where the standards artifacts are: ``$SIMEL_STANDARDS_DIR``, else ``tests/standards``.

``tests/standards`` holds unchanged copies of the official artifacts our output is checked
against (DCAT-AP SHACL shapes, ODRL, DPV, SDMX samples, classifications), with their
provenance in its README files; ``sha256sum -c SHA256SUMS`` inside it verifies them.
Keeping them in the repository means every clone runs the conformance tests.
"""

from __future__ import annotations

import os
from pathlib import Path

STANDARDS = Path(
    os.environ.get("SIMEL_STANDARDS_DIR", Path(__file__).resolve().parent / "standards")
)
