"""Harvesters: bring other catalogs' datasets into this one, with their provenance.

``catalog.harvest.dcat`` reads DCAT (any RDF serialization); ``catalog.harvest.fetch``
is the one guarded way out to the network. Each harvested dataset keeps a
:class:`~catalog.models.HarvestRecord` (source catalog, original IRI, time).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, select

from catalog.models import HarvestRecord


def harvest_records(
    session: Session, dataset_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, HarvestRecord]:
    """The harvest records of the given datasets (those that were harvested), by dataset id."""
    if not dataset_ids:
        return {}
    found: dict[uuid.UUID, HarvestRecord] = {}
    ids = list(dataset_ids)
    for start in range(0, len(ids), 900):
        rows = session.exec(
            select(HarvestRecord).where(col(HarvestRecord.dataset_id).in_(ids[start : start + 900]))
        ).all()
        found.update({row.dataset_id: row for row in rows})
    return found
