"""``simel user create``: names and e-mail addresses are checked, by the domain."""

from __future__ import annotations

import pytest
from sqlmodel import select

from catalog import accounts
from catalog.errors import InvalidMetadata
from catalog.models import User
from tests.conftest import SYSTEM
from tests.test_cli import orgs, run  # noqa: F401 # the fixtures


def test_a_user_name_is_a_login_name(run, orgs, db):  # noqa: F811
    for name in ("bad user", "Ana", "ana.", "-ana", "a" * 101, "ana\n", ""):
        result = run("user", "create", "--", name)
        assert result.exit_code == 1, name
        assert "error: the user is not valid" in result.stderr
        assert "/username: " in result.stderr
        assert "lower-case letters, digits, '.' and '-'" in result.stderr
    created = run("user", "create", "mintrab-gt.steward", "--role", "steward@mintrab-gt")
    assert created.exit_code == 0, created.output
    assert run("user", "create", "a" * 100).exit_code == 0
    with db.session() as session:
        names = set(session.exec(select(User.username)).all())
    assert names == {"ana", "mintrab-gt.steward", "a" * 100}


def test_an_e_mail_address_looks_like_one(run, orgs):  # noqa: F811
    for email in ("notanemail", "rosa@localhost", "@example.org", "ro sa@example.org", "a@b@c.d"):
        result = run("user", "create", "rosa", "--email", email)
        assert result.exit_code == 1, email
        assert f"/email: {email!r} is not an e-mail address" in result.stderr
    assert run("user", "create", "rosa", "--email", "rosa@mintrab.gob.gt").exit_code == 0


def test_the_domain_checks_them_for_every_caller(session):
    with pytest.raises(InvalidMetadata) as raised:
        accounts.create_user(
            session, actor=SYSTEM, username="Bad User", email="nope", password="short"
        )
    assert [e.pointer for e in raised.value.errors] == ["/username", "/email", "/password"]
