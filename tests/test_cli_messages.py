"""What ``simel`` prints: text from users, files and the domain reaches the reader whole."""

from __future__ import annotations

import json

from tests.conftest import dataset_document
from tests.test_cli import orgs, run  # noqa: F401 # the fixtures


def test_brackets_in_error_messages_are_printed_not_read_as_markup(run, tmp_path):  # noqa: F811
    mail = run("mail", "send")
    assert mail.exit_code == 1
    assert "set [mail] enabled = true" in mail.stderr
    remote = run("harvest", "dcat", "http://example.com/catalog.ttl")
    assert remote.exit_code == 1
    assert "is not in [harvest] allowed_hosts" in remote.stderr
    missing = tmp_path / "[red]x.ttl"
    local = run("harvest", "dcat", str(missing))
    assert local.exit_code == 1
    assert f"there is no file {missing}" in local.stderr


def test_text_that_looks_like_a_closing_tag_is_printed(run, orgs, tmp_path):  # noqa: F811
    nobody = run("token", "create", "[/bold]")
    assert nobody.exit_code == 1
    assert "there is no user named '[/bold]'" in nobody.stderr
    records = tmp_path / "records.json"
    records.write_text(json.dumps([dataset_document("a", spatial=["[/]"])]), encoding="utf-8")
    imported = run("import-datasets", str(records))
    assert imported.exit_code == 1
    assert "/0/spatial/0" in imported.stderr
    assert "[/]" in imported.stderr


def test_names_with_brackets_are_listed_as_given(run, orgs):  # noqa: F811
    assert run("token", "create", "ana", "--name", "[red]ci[/red] [/]").exit_code == 0
    listed = run("token", "list", "ana")
    assert listed.exit_code == 0, listed.output
    assert "[red]ci[/red] [/]" in listed.stdout
    name = "[bold]IGM[/] pipeline"
    machine = ("--grant", "client_credentials", "--role", "requester", "--scope", "catalog:read")
    created = run("client", "create", "--organization", "mintrab-gt", "--name", name, *machine)
    assert created.exit_code == 0, created.output
    assert name in run("client", "list").stdout
