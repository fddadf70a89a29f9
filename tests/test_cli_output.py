"""``simel export dcat -o`` and ``simel sdmx export -o``: a file written whole, or an error."""

from __future__ import annotations

import os
from pathlib import Path

from catalog.errors import SourceUnavailable
from tests import sdmx_support as s
from tests.test_cli import run  # noqa: F401 # the fixture


def test_an_export_into_a_missing_folder_is_a_readable_error(run, tmp_path):  # noqa: F811
    target = tmp_path / "missing" / "catalog.ttl"
    result = run("export", "dcat", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot write {target}: no such file or directory\n"
    message = tmp_path / "small.xml"
    message.write_bytes(s.small_structures())
    assert run("sdmx", "import", str(message)).exit_code == 0
    target = tmp_path / "missing" / "codelist.xml"
    result = run("sdmx", "export", "codelist", "TEST", "CL_AREA", "1.0", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot write {target}: no such file or directory\n"
    assert not (tmp_path / "missing").exists()


def test_an_export_under_a_file_is_a_readable_error(run, tmp_path):  # noqa: F811
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    target = tmp_path / "notes.txt" / "catalog.ttl"
    result = run("export", "dcat", "--format", "nt", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot write {target}: not a directory\n"


def test_an_export_that_fails_midway_leaves_the_earlier_file(
    run,  # noqa: F811
    make_org,
    make_dataset,
    tmp_path,
    monkeypatch,
):
    from catalog import dcat

    make_org("mintrab-gt")
    make_dataset("enei-2024")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "catalog.ttl"
    assert run("export", "dcat", "-o", str(target)).exit_code == 0
    earlier = target.read_bytes()
    assert b"enei-2024" in earlier
    real = dcat.export_catalog

    def failing(*args, **kwargs):
        export = real(*args, **kwargs)

        def chunks():
            yield next(iter(export.chunks))
            raise SourceUnavailable("the database went away")

        return dcat.RdfExport(chunks=chunks(), total=export.total)

    monkeypatch.setattr(dcat, "export_catalog", failing)
    result = run("export", "dcat", "-o", str(target))
    assert result.exit_code == 1
    assert "the database went away" in result.stderr
    assert target.read_bytes() == earlier
    assert [p.name for p in out.iterdir()] == ["catalog.ttl"]


def test_an_export_replaces_the_file_and_may_go_to_a_device(run, tmp_path):  # noqa: F811
    out = tmp_path / "out"
    out.mkdir()
    target = out / "catalog.ttl"
    target.write_text("old", encoding="utf-8")
    assert run("export", "dcat", "-o", str(target)).exit_code == 0
    assert "dcat:Catalog" in target.read_text(encoding="utf-8")
    assert [p.name for p in out.iterdir()] == ["catalog.ttl"]
    assert run("export", "dcat", "-o", os.devnull).exit_code == 0


def test_an_export_keeps_the_files_permissions_and_follows_links(run, tmp_path):  # noqa: F811
    out = tmp_path / "out"
    out.mkdir()
    target = out / "catalog.ttl"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o600)
    link = tmp_path / "latest.ttl"
    link.symlink_to(target)
    assert run("export", "dcat", "-o", str(link)).exit_code == 0
    assert link.is_symlink()  # the link stays; the file it points to is replaced
    assert "dcat:Catalog" in target.read_text(encoding="utf-8")
    assert target.stat().st_mode & 0o777 == 0o600
    long_name = out / ("x" * 250 + ".ttl")  # 254 of the usual 255 bytes
    assert run("export", "dcat", "-o", str(long_name)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(["catalog.ttl", long_name.name])


def test_a_file_in_a_folder_one_cannot_write_is_written_in_place(
    run,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    import api.cli

    out = tmp_path / "out"
    out.mkdir()
    target = out / "catalog.ttl"
    target.write_text("old", encoding="utf-8")
    # As for a user without write permission on the folder (the suite runs as root).
    real_access = os.access
    monkeypatch.setattr(
        api.cli.os,
        "access",
        lambda path, mode: False if Path(path) == out else real_access(path, mode),
    )
    seen = []
    real_open = Path.open
    monkeypatch.setattr(
        Path, "open", lambda self, *a, **k: seen.append(self) or real_open(self, *a, **k)
    )
    assert run("export", "dcat", "-o", str(target)).exit_code == 0
    assert "dcat:Catalog" in target.read_text(encoding="utf-8")
    assert target in seen  # written where it is, no temporary file beside it
    assert [p.name for p in out.iterdir()] == ["catalog.ttl"]
