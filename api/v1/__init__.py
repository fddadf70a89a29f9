"""The JSON API, version 1, under ``/api/v1``."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("api_v1", __name__, url_prefix="/api/v1")

# The view modules register their routes on the blueprint when imported.
from api.v1 import audit, datasets, dcat, meta, organizations  # noqa: E402, F401
