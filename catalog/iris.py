"""The IRIs the catalog mints for its own resources, from the configured base URI.

Policies name datasets and organizations by these IRIs (an ODRL target or assignee is
an IRI), so they must not change once published: ``catalog.base_uri`` is set once.
"""

from __future__ import annotations


def dataset_iri(base_uri: str, name: str) -> str:
    """The IRI of the dataset ``name``."""
    return f"{base_uri}dataset/{name}"


def organization_iri(base_uri: str, name: str) -> str:
    """The IRI of the organization ``name``."""
    return f"{base_uri}organization/{name}"


def organization_name(base_uri: str, iri: str) -> str | None:
    """The name of the organization an IRI minted here denotes, or ``None``."""
    prefix = f"{base_uri}organization/"
    if iri.startswith(prefix) and "/" not in iri[len(prefix) :]:
        return iri[len(prefix) :] or None
    return None


def default_offer_iri(base_uri: str, name: str) -> str:
    """The IRI given to a dataset's offer made from a template."""
    return f"{dataset_iri(base_uri, name)}/offer"
