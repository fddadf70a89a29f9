"""The JSON API, version 1, under ``/api/v1``."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("api_v1", __name__, url_prefix="/api/v1")

# The view modules register their routes on the blueprint when imported.
from api.v1 import (  # noqa: E402, F401
    audit,
    clients,
    datasets,
    dcat,
    governance,
    meta,
    organizations,
    sdmx,
    sharing,
    vocab,
)
