"""Fixtures for the vocab tests: the committed registry and the Turtle files, parsed once."""

from __future__ import annotations

import pytest
from rdflib import Graph

from vocab import ConceptScheme, Registry, get_registry
from vocab.registry import load_turtle


@pytest.fixture(scope="session")
def registry() -> Registry:
    return get_registry()


@pytest.fixture(scope="session")
def graphs(registry: Registry) -> dict[str, Graph]:
    """Each scheme's Turtle file, parsed by rdflib (the source of truth)."""
    return {
        name: Graph().parse(registry.directory / registry.info(name).turtle, format="turtle")
        for name in registry.names
    }


@pytest.fixture(scope="session")
def from_turtle(registry: Registry) -> dict[str, ConceptScheme]:
    """Each scheme read from Turtle instead of the JSON cache."""
    return {
        name: load_turtle(registry.directory / registry.info(name).turtle)
        for name in registry.names
    }
