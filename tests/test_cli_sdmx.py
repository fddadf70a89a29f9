"""``simel sdmx import|list|export`` and the demo's SDMX structures and links."""

from __future__ import annotations

import io

import pytest
import sdmx as sdmx1
from click.testing import CliRunner
from sqlmodel import select

from api.cli import main
from catalog import audit
from catalog.db import Database
from catalog.demo import sdmx_structures
from catalog.models import Dataset, DatasetSdmxLink, SdmxStructure
from tests import sdmx_support as s


@pytest.fixture
def run(database_url, tmp_path):
    runner = CliRunner()
    env = {
        "SIMEL_APP__INSTANCE_PATH": str(tmp_path / "instance"),
        "SIMEL_STORAGE__PATH": str(tmp_path / "storage"),
        "SIMEL_CONFIG": None,
    }

    def invoke(*args, url=database_url):
        return runner.invoke(main, ["--database", url, *args], env=env, catch_exceptions=False)

    return invoke


def test_help_lists_the_sdmx_commands():
    result = CliRunner().invoke(main, ["sdmx", "--help"])
    assert result.exit_code == 0
    for command in ("import", "list", "export"):
        assert command in result.output


def test_import_list_export(run, tmp_path):
    message = tmp_path / "small.xml"
    message.write_bytes(s.small_structures())
    first = run("sdmx", "import", str(message))
    assert first.exit_code == 0, first.output
    # The DSD's concept scheme TEST:CS_TEST is only referenced: skipped.
    assert "3 created, 0 extended, 0 replaced, 0 unchanged, 1 skipped." in first.output
    assert "created   datastructure TEST:DSD_TEST(1.0)" in first.output
    again = run("sdmx", "import", str(message))
    assert "0 created, 0 extended, 0 replaced, 3 unchanged" in again.output
    listed = run("sdmx", "list", "--kind", "codelist")
    assert "CL_AREA" in listed.output
    assert "DSD_TEST" not in listed.output
    assert "1 structure." in listed.output
    exported = run(
        "sdmx", "export", "dataflow", "TEST", "DF_TEST", "latest", "--references", "descendants"
    )
    assert exported.exit_code == 0
    back = sdmx1.read_sdmx(io.BytesIO(exported.output.encode()))
    assert {o.id for o in back.iter_objects(external_reference=False)} == {
        "DF_TEST",
        "DSD_TEST",
        "CL_AREA",
    }
    target = tmp_path / "out.xml"
    assert (
        run("sdmx", "export", "codelist", "TEST", "CL_AREA", "1.0", "-o", str(target)).exit_code
        == 0
    )
    assert b"CL_AREA" in target.read_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (s.EXTERNAL_ENTITY, "DOCTYPE declarations"),
        (s.TRUNCATED, "not well-formed XML"),
        (s.DATA_MESSAGE, "not a structure message"),
    ],
)
def test_import_errors_are_readable(run, tmp_path, content, message):
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    result = run("sdmx", "import", str(path))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert "root:x" not in result.output


def test_import_refuses_files_over_the_limit(run, tmp_path, monkeypatch):
    monkeypatch.setenv("SIMEL_SDMX__MAX_BYTES", "2048")
    path = tmp_path / "big.xml"
    path.write_bytes(s.demo_message())
    result = run("sdmx", "import", str(path))
    assert result.exit_code == 1
    assert "at most 2048" in result.output


def test_export_of_an_unknown_structure(run):
    result = run("sdmx", "export", "codelist", "TEST", "NOPE", "1.0")
    assert result.exit_code == 1
    assert "no codelist TEST:NOPE(1.0) is stored" in result.output


def test_the_demo_message_is_current():
    assert sdmx_structures.main(["--check"]) == 0


def test_demo_links_surveys_and_registers_to_dataflows(run, tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = run("demo", "--no-serve", url=url)
    assert result.exit_code == 0, result.output
    assert "16 SDMX structures" in result.output
    database = Database.from_url(url)
    with database.session() as session:
        kinds = [row.kind for row in session.exec(select(SdmxStructure))]
        assert sorted(set(kinds)) == ["codelist", "conceptscheme", "dataflow", "datastructure"]
        assert kinds.count("dataflow") == 4
        linked = session.exec(
            select(Dataset.name, SdmxStructure.sdmx_id)
            .join(DatasetSdmxLink, DatasetSdmxLink.dataset_id == Dataset.id)
            .join(SdmxStructure, SdmxStructure.id == DatasetSdmxLink.structure_id)
        ).all()
        flows = dict(linked)
        for survey in (
            "enei-2024",
            "ehpm-2023",
            "ephpm-2024",
            "enoe-2024",
            "belize-labour-force-survey-2024",
        ):
            assert flows[survey] == "DF_LFS_MIGRATION"
        assert flows["tarjetas-visitante-trabajador-fronterizo"] == "DF_FRONTIER_WORKERS"
        assert len(flows) == len(sdmx_structures.dataflow_links())
        assert audit.verify_chain(session).ok
    database.dispose()
    listed = run("sdmx", "list", "--agency", "SIMEL", url=url)
    assert "DSD_LABOUR_MIGRATION" in listed.output
    assert "16 structures." in listed.output
