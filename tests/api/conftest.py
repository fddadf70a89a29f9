"""Fixtures shared by the API tests of distributions."""

from __future__ import annotations

import pytest


@pytest.fixture
def steward(make_org, make_user, make_dataset) -> str:
    """An API token of mintrab-gt's steward; mintrab-gt publishes ``enei-2024``.

    Modules that need another steward (test_datasets, test_vocab_validation) define
    their own, which takes precedence.
    """
    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")
    make_dataset("enei-2024", "mintrab-gt")
    _, token = make_user("ana", steward="mintrab-gt")
    return str(token)
