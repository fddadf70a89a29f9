"""The governance schemas, their examples, and the governance migration."""

from __future__ import annotations

import pytest
from alembic import command
from jsonschema import Draft202012Validator
from sqlalchemy import create_engine, inspect

import metadata_schemas
from catalog.db import alembic_config, upgrade_schema
from catalog.policy_templates import TEMPLATES

GOVERNANCE_SCHEMAS = [
    metadata_schemas.LEGAL_BASIS_SCHEMA,
    metadata_schemas.CONSENT_SCHEMA,
    metadata_schemas.CONSENT_EVENT_SCHEMA,
]
GOVERNANCE_TABLES = {"legal_basis", "consent_record", "consent_event", "policy"}


@pytest.mark.parametrize("schema_id", GOVERNANCE_SCHEMAS)
def test_schemas_are_valid_and_so_are_their_examples(schema_id):
    schema = metadata_schemas.schema(schema_id)
    Draft202012Validator.check_schema(schema)
    assert schema["examples"]
    for example in schema["examples"]:
        assert list(metadata_schemas.iter_errors(schema_id, example)) == []


def test_every_schema_has_a_working_validator():
    # The ODRL policy schema is recursive: it is validated through the registry.
    for schema_id in metadata_schemas.schema_ids():
        assert metadata_schemas.validator(schema_id) is not None
    with pytest.raises(metadata_schemas.RecursiveSchema):
        metadata_schemas.dereferenced(metadata_schemas.ODRL_POLICY_SCHEMA)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_parameter_schemas_are_valid_json_schema(name):
    Draft202012Validator.check_schema(TEMPLATES[name].parameters)


def test_retention_period_is_an_iso_duration():
    errors = dict(
        metadata_schemas.iter_errors(metadata_schemas.DATASET_SCHEMA, {"retention_period": "P10Y"})
    )
    assert "/retention_period" not in errors
    errors = dict(
        metadata_schemas.iter_errors(metadata_schemas.DATASET_SCHEMA, {"retention_period": "10y"})
    )
    assert "/retention_period" in errors


def test_the_governance_migration_goes_up_and_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade_schema(url)
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) >= GOVERNANCE_TABLES
    command.downgrade(alembic_config(url), "0001_core")
    assert not GOVERNANCE_TABLES & set(inspect(engine).get_table_names())
    command.upgrade(alembic_config(url), "0004_governance")
    assert set(inspect(engine).get_table_names()) >= GOVERNANCE_TABLES
    engine.dispose()
