"""Migration 0003_dcat: the quality column is filled in for existing datasets."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import create_engine, inspect, text

from catalog import quality
from catalog.db import upgrade_schema
from catalog.errors import ConfigurationError
from catalog.settings import load_settings
from tests.conftest import dataset_document


def test_existing_datasets_get_their_quality_score(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_schema(url, "0001_core")
    document = dataset_document()
    distribution = {"title": {"es": "x"}, "download_url": "https://e.org/a.csv", "format": "CSV"}
    dataset_id = uuid.uuid4()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organization (name, acronym, title, country, kind, created)"
                " VALUES ('mintrab-gt', 'M', '{}', 'GTM', 'labour-ministry', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO dataset (id, name, publisher_id, country, title, description,"
                " sort_title, status, access_rights, personal_data, document, profile, revision,"
                " created, modified, issued) VALUES (:id, 'enei-2024', 1, 'GTM', '{}', '{}', 'x',"
                " 'published', 'PUBLIC', 'none', :doc, 'p', 1, '2026-01-01', '2026-01-01',"
                " '2026-01-01')"
            ),
            {"id": dataset_id.hex, "doc": json.dumps(document)},
        )
        conn.execute(
            text(
                "INSERT INTO distribution (id, dataset_id, title, restricted, document, position,"
                " created, modified) VALUES (:id, :ds, '{}', 0, :doc, 0, '2026-01-01',"
                " '2026-01-01')"
            ),
            {"id": uuid.uuid4().hex, "ds": dataset_id.hex, "doc": json.dumps(distribution)},
        )
    upgrade_schema(url)
    with engine.connect() as conn:
        score = conn.execute(text("SELECT quality_score FROM dataset")).scalar_one()
    assert score == quality.assess(document, [distribution], issued=True).score
    assert "harvest_record" in inspect(engine).get_table_names()
    engine.dispose()


def test_harvest_and_rdf_settings():
    settings = load_settings(
        {"harvest": {"allowed_hosts": [" Data.Example.ORG. ", ""]}}, environ={}
    )
    assert settings.harvest.allowed_hosts == ("data.example.org",)
    assert settings.harvest.allow_private_addresses is False
    assert settings.rdf.page_size == 100
    from_env = load_settings(environ={"SIMEL_HARVEST__ALLOWED_HOSTS": '["a.example"]'})
    assert from_env.harvest.allowed_hosts == ("a.example",)
    with pytest.raises(ConfigurationError, match=r"harvest\.max_size"):
        load_settings({"harvest": {"max_size": 1}}, environ={})
    with pytest.raises(ConfigurationError, match=r"rdf\.page_size"):
        load_settings({"rdf": {"page_size": 0}}, environ={})
