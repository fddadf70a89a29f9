"""The ``simel`` command."""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import re
import socket

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import select

from api.cli import main
from catalog import audit, consents, governance, organizations
from catalog.db import Database
from catalog.models import (
    ConsentEvent,
    Dataset,
    DatasetPolicy,
    DatasetStatus,
    OAuthClient,
    Organization,
)
from tests.conftest import SYSTEM, bearer, dataset_document, legal_basis_document


@pytest.fixture
def run(database_url, tmp_path):
    runner = CliRunner()
    env = {
        "SIMEL_APP__INSTANCE_PATH": str(tmp_path / "instance"),
        "SIMEL_STORAGE__PATH": str(tmp_path / "storage"),
        "SIMEL_CONFIG": None,
    }

    def invoke(*args, url=database_url, input=None):
        return runner.invoke(
            main, ["--database", url, *args], env=env, input=input, catch_exceptions=False
        )

    return invoke


@pytest.fixture
def orgs(make_org, make_user):
    make_org("mintrab-gt")
    make_user("ana", steward="mintrab-gt")


def test_help_texts():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "demo", "db", "token", "client", "import-datasets", "audit"):
        assert command in result.output
    assert "all of them, or none" in CliRunner().invoke(main, ["import-datasets", "--help"]).output


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


def test_serve_hands_the_app_to_waitress_with_start_up_objects_frozen(run, monkeypatch):
    import gc

    import waitress

    served = {}
    port = free_port()

    class FakeServer:
        def print_listen(self, format_str):
            pass

        def run(self):
            served["frozen"] = gc.get_freeze_count()

    def fake_create_server(app, **options):
        served.update(options, app=app)
        return FakeServer()

    monkeypatch.setattr(waitress, "create_server", fake_create_server)
    try:
        result = run("serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "2")
    finally:
        gc.unfreeze()
    assert result.exit_code == 0, result.output
    assert f"http://127.0.0.1:{port}/" in result.output
    assert (served["host"], served["port"], served["threads"]) == ("127.0.0.1", port, 2)
    try:
        assert served["app"].test_client().get("/api/v1/datasets").status_code == 200
    finally:
        served["app"].extensions["simel"].database.dispose()
    assert served["frozen"] > 0


def test_serve_clears_what_interrupted_uploads_left(run, monkeypatch, tmp_path):
    import waitress

    folder = tmp_path / "storage" / "mintrab-gt" / "enei-2024"
    folder.mkdir(parents=True)
    partial = folder / f".extract.csv.{'0f' * 16}.upload"
    partial.write_bytes(b"id,se")
    os.utime(partial, (1_700_000_000, 1_700_000_000))  # 2023: long interrupted

    class FakeServer:
        def print_listen(self, format_str):
            pass

        def run(self):
            pass

    served = []

    def fake_create_server(app, **options):
        served.append(app)
        return FakeServer()

    monkeypatch.setattr(waitress, "create_server", fake_create_server)
    try:
        result = run("serve", "--port", str(free_port()))
    finally:
        gc.unfreeze()
        for app in served:  # its pool holds the connection that checked the schema
            app.extensions["simel"].database.dispose()
    assert result.exit_code == 0, result.output
    assert "removed 1 partial upload(s)" in result.output
    assert not partial.exists()


def test_serve_and_demo_on_a_port_in_use_say_so(run, tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        served = run("serve", "--port", str(port))
        assert served.exit_code == 1
        message = f"error: cannot listen on 127.0.0.1:{port}: address already in use\n"
        assert served.stderr == message
        demo = tmp_path / "demo.db"
        shown = run("demo", "--port", str(port), url=f"sqlite:///{demo}")
        assert shown.exit_code == 1
        assert "address already in use" in shown.stderr
        assert "loaded" not in shown.output
        assert not demo.exists()  # found before the demo replaced anything


def test_an_ipv6_address_is_bracketed_in_urls_and_messages():
    from api import cli

    assert cli._authority("::1", 5000) == "[::1]:5000"
    assert cli._authority("127.0.0.1", 5000) == "127.0.0.1:5000"


def test_db_upgrade_and_check_on_an_empty_database(run, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    check = run("db", "check", url=url)
    assert check.exit_code == 1
    assert "simel db upgrade" in check.output
    assert run("db", "upgrade", url=url).exit_code == 0
    assert run("db", "check", url=url).exit_code == 0


def test_a_database_that_cannot_be_used_is_one_line_without_its_password(run, tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    for args in (("db", "check"), ("user", "create", "rosa"), ("export", "dcat")):
        result = run(*args, url=f"sqlite:///{folder}")
        assert result.exit_code == 1
        assert result.stderr == (
            f"error: cannot use the database sqlite:///{folder}: unable to open database file\n"
        )
    server = run("db", "upgrade", url="postgresql+psycopg://nobody:s3cret@127.0.0.1:1/x")
    assert server.exit_code == 1
    assert server.stderr.startswith(
        "error: cannot use the database postgresql+psycopg://nobody:***@127.0.0.1:1/x: "
    )
    assert "s3cret" not in server.output
    assert len(server.stderr.splitlines()) == 1


def test_token_create_list_revoke(run, orgs, client):
    created = run("token", "create", "ana", "--name", "ci")
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    assert token.startswith("simel_pat_")
    assert client.get("/api/v1/me", headers=bearer(token)).json["name"] == "ana"
    listed = run("token", "list", "ana")
    assert "ci" in listed.output
    assert token not in listed.output
    token_id = created.output.split()[1]
    assert run("token", "revoke", token_id).exit_code == 0
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    again = run("token", "revoke", token_id)
    assert again.exit_code == 1
    assert "already revoked" in again.output


def test_token_lifetime_is_at_most_ten_years(run, orgs):
    for days in ("99999999", "1000000", "3651", "0"):
        result = run("token", "create", "ana", "--expires-in-days", days)
        assert result.exit_code == 2, result.output
        assert "--expires-in-days" in result.stderr
        assert "1<=x<=3650" in result.stderr
    assert run("token", "create", "ana", "--expires-in-days", "3650").exit_code == 0
    assert "3650" in run("token", "create", "--help").stdout


def test_token_for_unknown_user_is_a_readable_error(run):
    result = run("token", "create", "nobody")
    assert result.exit_code == 1
    assert "there is no user named 'nobody'" in result.output
    assert "Traceback" not in result.output


def test_a_message_is_one_line_however_long_when_output_is_not_a_terminal(run):
    name = "a-user-name-long-enough-that-the-message-would-not-fit-in-eighty-columns"
    result = run("token", "create", name)
    assert result.exit_code == 1
    assert result.stderr == f"error: there is no user named '{name}'\n"


def test_a_table_cell_is_not_wrapped_when_output_is_not_a_terminal(run, orgs):
    name = "nightly export of the labour migration indicators to the regional observatory"
    assert run("token", "create", "ana", "--name", name).exit_code == 0
    assert name in run("token", "list", "ana").stdout


def test_import_all_or_nothing(run, orgs, tmp_path, db):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([dataset_document("a"), {**dataset_document("b"), "title": "x"}]))
    result = run("import-datasets", str(bad))
    assert result.exit_code == 1
    assert "/1/title" in result.output
    assert "nothing was imported" in result.output
    with db.session() as s:
        assert s.exec(select(Dataset)).all() == []
    good = tmp_path / "good.json"
    good.write_text(json.dumps([dataset_document("a"), dataset_document("b")]))
    result = run("import-datasets", str(good), "--status", "published")
    assert result.exit_code == 0, result.output
    assert "Imported 2 datasets (2 published)" in result.output
    with db.session() as s:
        assert {d.status for d in s.exec(select(Dataset)).all()} == {DatasetStatus.PUBLISHED}
    one = tmp_path / "one.json"
    one.write_text(json.dumps([dataset_document("c")]))
    result = run("import-datasets", str(one))
    assert result.exit_code == 0, result.output
    # One line, on standard output: no blank line left by the progress bar.
    assert result.output == "Imported 1 dataset (0 published), 0 legal bases, 0 offer policies.\n"


def test_import_rejects_malformed_json(run, orgs, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("[{")
    result = run("import-datasets", str(broken))
    assert result.exit_code == 1
    assert "not valid JSON" in result.output
    # Nested beyond what the JSON parser recurses into, or beyond what a record may.
    for depth, message in ((5000, "nests too deeply"), (40, "/0: the document nests deeper")):
        deep = tmp_path / f"deep-{depth}.json"
        deep.write_text("[" + '{"a": ' * depth + "1" + "}" * depth + "]")
        result = run("import-datasets", str(deep))
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert "Traceback" not in result.output


def test_audit_verify_names_the_first_broken_link(run, orgs, db):
    assert "intact: 4 events verified" in run("audit", "verify").output
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET object_id = 'someone-else' WHERE seq = 2"))
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert "broken at event 2" in result.output
    assert "(1 event before it verified)" in result.output


def test_audit_verify_against_a_recorded_head(run, orgs, db):
    output = run("audit", "verify").output
    head = next(line for line in output.splitlines() if line.startswith("Head: "))[6:]
    assert head.startswith("4:")
    assert run("audit", "verify", "--anchor", head).exit_code == 0
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE seq = 4"))
    assert run("audit", "verify").exit_code == 0  # a shorter chain is still a chain
    result = run("audit", "verify", "--anchor", head)
    assert result.exit_code == 1
    assert "broken at event 4" in result.output
    assert "the log ends at event 3, before event 4 recorded earlier" in result.output
    malformed = run("audit", "verify", "--anchor", "four")
    assert malformed.exit_code == 1
    assert "SEQ:HASH" in malformed.output


def test_user_create_with_roles(run, orgs, db):
    result = run("user", "create", "rosa", "--role", "signatory@mintrab-gt")
    assert result.exit_code == 0, result.output
    bad = run("user", "create", "x", "--role", "boss@mintrab-gt")
    assert bad.exit_code == 2
    assert "ROLE@ORGANIZATION" in bad.output


def test_demo_loads_a_clean_catalog(run, tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = run("demo", "--no-serve", url=url)
    assert result.exit_code == 0, result.output
    assert "simel_pat_" in result.output
    # One line each, whole, to be copied: what was loaded, and each user with token and roles.
    lines = result.stdout.splitlines()
    banner = next(i for i, line in enumerate(lines) if line.startswith("Demo users"))
    assert all(line.startswith("  loaded ") for line in lines[:banner] if line), lines[:banner]
    users = lines[banner + 1 : lines.index("", banner)]
    assert len(users) >= 10
    assert all(re.fullmatch(r"  \S+ +simel_pat_[\w-]{43}  \w+@\S+.*", line) for line in users)
    assert "simel_cs_" in result.output  # machine clients' secrets
    assert "http://127.0.0.1:8765/callback" in result.output  # the public PKCE app
    for role in ("admin@", "auditor@", "steward@", "requester@", "signatory@"):
        assert role in result.output
    database = Database.from_url(url)
    with database.session() as session:
        organizations = session.exec(select(Organization)).all()
        datasets = session.exec(select(Dataset)).all()
        assert {o.country for o in organizations} == {"GTM", "SLV", "HND", "MEX", "BLZ"}
        assert len(datasets) >= 30
        statuses = {d.status for d in datasets}
        assert statuses == {"published", "draft", "withdrawn"}
        assert {d.access_rights for d in datasets} == {"PUBLIC", "RESTRICTED", "NON_PUBLIC"}
        assert {d.personal_data for d in datasets} >= {
            "none",
            "pseudonymised",
            "personal",
            "sensitive",
        }
        assert all(d.title.get("es") and d.title.get("en") for d in datasets)
        assert audit.verify_chain(session).ok
        clients = session.exec(select(OAuthClient)).all()
        machines = [c for c in clients if "client_credentials" in c.grant_types]
        assert {session.get(Organization, c.organization_id).kind for c in machines} == {
            "labour-ministry",
            "migration-authority",
        }
        assert all(
            {"data:read", "catalog:read", "requests:write"} <= set(c.scopes) for c in machines
        )
        assert all(c.roles == ["requester"] for c in machines)
        (app,) = [c for c in clients if c.is_public]
        assert app.redirect_uris == ["http://127.0.0.1:8765/callback"]
        _check_demo_governance(session, datasets)
        _check_demo_sharing(session)
    database.dispose()
    # A second run replaces the demo without asking...
    assert run("demo", "--no-serve", url=url).exit_code == 0


def test_demo_will_not_overwrite_a_real_catalog(run, orgs, database_url):
    result = run("demo", "--no-serve")
    assert result.exit_code == 1
    assert "--force" in result.output


def _check_demo_governance(session, datasets):
    """Every published personal or sensitive dataset is governed; consent has a history."""
    summaries = governance.summaries(session, datasets)
    for dataset in datasets:
        if dataset.status == "published" and dataset.personal_data in {"personal", "sensitive"}:
            assert summaries[dataset.id].publish.ready, dataset.name
            assert summaries[dataset.id].legal_basis, dataset.name
            assert dataset.document.get("retention_period"), dataset.name
    templates = {p.template for p in session.exec(select(DatasetPolicy)).all()}
    assert templates == {
        "open-data",
        "restricted-statistical-aggregates",
        "binational-labour-migration-exchange",
    }
    events = {e.event for e in session.exec(select(ConsentEvent)).all()}
    assert {"given", "withdrawn", "expired"} <= events


def test_governance_sweep_records_expiries(run, session, make_org, make_dataset):
    make_org("mintrab-gt")
    make_org("stps-mx", country="MEX")
    make_dataset("x", legal_basis=legal_basis_document(basis="Consent"))
    now = dt.datetime.now(dt.UTC)
    state = consents.create_consent(
        session,
        actor=SYSTEM,
        name="x",
        document={
            "data_subjects": {"description": {"es": "Cohorte"}},
            "subjects_count": 5,
            "purposes": ["ProvideOfficialStatistics"],
            "recipients": {"countries": ["MEX"]},
            "given_at": (now - dt.timedelta(days=3)).isoformat(),
            "expires_at": (now + dt.timedelta(days=1)).isoformat(),
            "evidence": {"reference": "F-1"},
        },
    )
    # A day goes by: the term now lies in the past.
    expired = now - dt.timedelta(minutes=1)
    (given,) = state.events
    given.expires_at = state.record.expires_at = expired
    session.add_all([given, state.record])
    session.commit()
    first = run("governance", "sweep")
    assert first.exit_code == 0, first.output
    assert "Recorded 1 consent expiry." in first.output
    assert "Recorded 0 consent expiries." in run("governance", "sweep").output
    session.expire_all()
    events = session.exec(
        select(ConsentEvent).where(ConsentEvent.consent_id == state.record.id)
    ).all()
    assert [(e.event, e.actor, e.occurred_at) for e in events] == [
        ("given", "test", given.occurred_at),
        ("expired", "governance-sweep", expired),
    ]


def _check_demo_sharing(session):
    from catalog.models import AccessRequest, OutboxMessage, SharingAgreement, Signature

    agreements = {a.status: a for a in session.exec(select(SharingAgreement)).all()}
    assert set(agreements) == {"active", "expired"}
    active, expired = agreements["active"], agreements["expired"]
    for agreement in (active, expired):
        signatures = session.exec(
            select(Signature).where(Signature.agreement_id == agreement.id)
        ).all()
        assert len(signatures) == 2
    assert active.policy["target"].endswith("/dataset/registro-titulares-tvtf")
    assert expired.valid_until < dt.datetime.now(dt.UTC)
    # Each was made on terms its offer permits: the expired one can be renewed as it was
    # (an agreement its offer denies would have served nothing, and is never renewed).
    from catalog import agreements as sharing

    base_uri = active.policy["uid"].split("agreement/")[0]
    for agreement in (active, expired):
        view = sharing.view_of(session, agreement)
        sharing.require_permitted(
            session,
            datasets=view.datasets,
            assignees=view.assignees,
            purpose_iri=sharing.purpose_iri(agreement.purpose, "/purpose"),
            start=dt.datetime.now(dt.UTC).date(),
            min_cell_size=sharing.agreed_cell_size(session, agreement),
            base_uri=base_uri,
        )
    requests = {r.status for r in session.exec(select(AccessRequest)).all()}
    assert requests == {"approved", "submitted"}
    assert session.exec(select(OutboxMessage)).first() is not None


def test_sharing_expire_records_lapsed_agreements(
    run, session, make_org, make_user, make_dataset, settings
):
    from sqlalchemy import update

    from catalog import agreements
    from catalog.models import SharingAgreement
    from tests.sharing_support import make_world

    world = make_world(session, make_org, make_user, make_dataset, settings.storage_path)
    provider = organizations.get_organization(session, "dgme-sv")
    consumer = organizations.get_organization(session, "mintrab-gt")
    today = dt.date.today()
    draft = agreements.create_draft(
        session,
        actor=SYSTEM,
        provider=provider,
        assignees=[consumer],
        datasets=[world.dataset],
        purpose="ProvideOfficialStatistics",
        valid_from=today,
        valid_until=today + dt.timedelta(days=10),
        base_uri="http://catalog.test/",
    )
    session.commit()
    agreements.send_for_signature(session, actor=SYSTEM, agreement_id=draft.id)
    for party in ("dgme-sv", "mintrab-gt"):
        agreements.sign(session, actor=SYSTEM, agreement_id=draft.id, organization=party)
    # Eleven days go by.
    session.execute(
        update(SharingAgreement)
        .where(SharingAgreement.id == draft.id)
        .values(valid_until=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    )
    session.commit()
    first = run("sharing", "expire")
    assert first.exit_code == 0, first.output
    assert "Recorded 1 agreement expiry." in first.output
    assert "Recorded 0 agreement expiries." in run("sharing", "expire").output
    session.expire_all()
    assert session.get(SharingAgreement, draft.id).status == "expired"


def test_mail_send_says_when_mail_is_off(run):
    result = run("mail", "send")
    assert result.exit_code == 1
    assert "mail is off" in result.output
