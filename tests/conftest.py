"""Shared fixtures.

The database is SQLite unless ``SIMEL_TEST_DATABASE_URL`` names a PostgreSQL server, in
which case a database of its own is created for this run (so concurrent runs and the
server's other databases are never touched) and dropped at the end. The schema is
built once, by the real migrations; each test then starts from an empty copy (SQLite:
a copy of the migrated file; PostgreSQL: every table truncated).
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, MetaData, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from api.app import create_app
from catalog import (
    accounts,
    audit,
    dataset_policies,
    datasets,
    legal_bases,
    oauth,
    organizations,
)
from catalog.db import Database, upgrade_schema
from catalog.models import Dataset, OAuthClient, Organization, Role, User
from catalog.principals import SCOPES, Principal
from catalog.settings import Settings, load_settings
from tests.openapi_contract import ContractClient

SYSTEM = Principal.system("test")
BASE_URI = "http://catalog.test/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Argon2 at production cost takes ~50 ms a hash; tests hash hundreds of passwords.
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


def _postgres_url() -> str | None:
    url = os.environ.get("SIMEL_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database for this run; yields its URL."""
    server = _postgres_url()
    if server is None:
        path = tmp_path_factory.mktemp("template") / "template.db"
        url = f"sqlite:///{path}"
        upgrade_schema(url)
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        yield url
        return
    with scratch_postgres_database(server) as url:
        upgrade_schema(url)
        yield url


@contextmanager
def scratch_postgres_database(server: str) -> Iterator[str]:
    """An empty PostgreSQL database on ``server``, dropped afterwards; yields its URL."""
    name = f"simel_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database for one test."""
    if database_template.startswith("sqlite"):
        source = Path(make_url(database_template).database or "")
        target = tmp_path / "catalog.db"
        shutil.copyfile(source, target)
        yield f"sqlite:///{target}"
        return
    yield database_template
    _empty_postgres(database_template)


@cache
def _postgres_reset(url: str) -> tuple[Engine, list[str], list[str]]:
    """An engine, the tables in an order that deletes children first, and the sequences."""
    engine = create_engine(url, poolclass=NullPool)
    metadata = MetaData()
    metadata.reflect(engine)
    tables = [t.name for t in reversed(metadata.sorted_tables) if t.name != "alembic_version"]
    with engine.connect() as conn:
        sequences = list(
            conn.execute(
                text(
                    "SELECT sequence_name FROM information_schema.sequences"
                    " WHERE sequence_schema = 'public'"
                )
            ).scalars()
        )
    return engine, tables, sequences


def _empty_postgres(url: str) -> None:
    # DELETE in foreign-key order beats TRUNCATE by ~10x on tables holding a few rows
    # (TRUNCATE swaps every table's files); sequences restart as TRUNCATE's RESTART did.
    engine, tables, sequences = _postgres_reset(url)
    with engine.begin() as conn:
        for table in tables:
            conn.exec_driver_sql(f'DELETE FROM "{table}"')
        for sequence in sequences:
            conn.exec_driver_sql(f'ALTER SEQUENCE "{sequence}" RESTART')


@pytest.fixture
def backend(database_url: str) -> str:
    """``sqlite`` or ``postgresql``."""
    return make_url(database_url).get_backend_name()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for one test: its own database, instance folder and storage."""
    return load_settings(
        {
            "app": {"environment": "test", "instance_path": str(tmp_path / "instance")},
            "database": {"url": database_url},
            "catalog": {"base_uri": BASE_URI},
            "storage": {"path": str(tmp_path / "storage")},
            "security": {"session_cookie_secure": False},
        },
        environ={},
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """The application, on the test's database."""
    application = create_app(settings=settings)
    application.testing = True
    application.test_client_class = ContractClient
    yield application
    application.extensions["simel"].database.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client whose JSON API responses are checked against the OpenAPI document."""
    return app.test_client()


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """A database handle for direct service calls."""
    database = Database.from_url(settings.database_url)
    yield database
    database.dispose()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    """A session for calling services directly."""
    with db.session(write=True) as s:
        yield s


# ------------------------------------------------------------------------- factories


@pytest.fixture
def make_org(session: Session) -> Callable[..., Organization]:
    """Create organizations: ``make_org("mintrab-gt", country="GTM")``."""

    def make(name: str = "mintrab-gt", **overrides: Any) -> Organization:
        data = {
            "name": name,
            "acronym": overrides.pop("acronym", name.split("-")[0].upper()),
            "title": {"es": f"Institución {name}", "en": f"Institution {name}"},
            "country": "GTM",
            "kind": "labour-ministry",
            **overrides,
        }
        return organizations.create_organization(session, actor=SYSTEM, data=data)

    return make


@pytest.fixture
def make_user(session: Session) -> Callable[..., tuple[User, str]]:
    """Create a user with roles; returns ``(user, api_token)``.

    ``make_user("ana", steward="mintrab-gt", requester=["igm-gt"])``
    """

    def make(
        username: str, password: str | None = None, **roles: str | list[str]
    ) -> tuple[User, str]:
        user = accounts.create_user(session, actor=SYSTEM, username=username, password=password)
        for role, orgs in roles.items():
            for org_name in [orgs] if isinstance(orgs, str) else orgs:
                org = organizations.get_organization(session, org_name)
                accounts.add_membership(
                    session, actor=SYSTEM, user=user, organization=org, role=Role(role)
                )
        _, token = accounts.create_api_token(session, actor=SYSTEM, user=user)
        return user, token

    return make


def dataset_document(
    name: str = "enei-2024", publisher: str = "mintrab-gt", **overrides: Any
) -> dict[str, Any]:
    """A valid dataset document, with overrides."""
    document: dict[str, Any] = {
        "name": name,
        "publisher": publisher,
        "title": {
            "es": "Encuesta Nacional de Empleo e Ingresos 2024",
            "en": "National Employment and Income Survey 2024",
        },
        "description": {
            "es": "Indicadores de empleo y migración laboral de Guatemala.",
            "en": "Employment and labour migration indicators of Guatemala.",
        },
        "keywords": {"es": ["empleo", "migración"], "en": ["employment", "migration"]},
        "themes": ["employment"],
        "access_rights": "PUBLIC",
        "personal_data": "none",
        "spatial": ["GTM"],
        "temporal": [{"start": "2024-01-01", "end": "2024-12-31"}],
        "accrual_periodicity": "ANNUAL",
        "languages": ["SPA"],
        "contact_point": {"name": "Unidad de estadística", "email": "datos@example.org"},
        "labour_migration": {
            "statistical_population": ["international-migrant-workers"],
            "collection_method": "survey",
            "unit_of_measure": {"es": "Personas", "en": "Persons"},
        },
    }
    document.update(overrides)
    return document


def legal_basis_document(**overrides: Any) -> dict[str, Any]:
    """A valid legal-basis document, with overrides."""
    document: dict[str, Any] = {
        "basis": "LegalObligation",
        "instrument": {
            "kind": "law",
            "title": {"es": "Código de Trabajo", "en": "Labour Code"},
            "identifier": "Decreto 1441",
        },
        "jurisdictions": ["GTM"],
        "purposes": ["ProvideOfficialStatistics"],
        "valid_from": "2020-01-01",
    }
    document.update(overrides)
    return document


AGGREGATES_OFFER = {"template": "restricted-statistical-aggregates"}


@pytest.fixture
def make_dataset(session: Session) -> Callable[..., Dataset]:
    """Create a dataset through the service: ``make_dataset("x", publish=True, title=...)``.

    Personal or sensitive data is published only with a legal basis (and, if restricted,
    a policy): pass ``legal_basis=legal_basis_document()`` and ``policy=AGGREGATES_OFFER``
    to record them on the draft before it is published.
    """

    def make(
        name: str = "enei-2024",
        publisher: str = "mintrab-gt",
        publish: bool = True,
        legal_basis: dict[str, Any] | None = None,
        policy: dict[str, Any] | None = None,
        **overrides: Any,
    ) -> Dataset:
        governed = legal_basis is not None or policy is not None
        dataset = datasets.create_dataset(
            session,
            actor=SYSTEM,
            document=dataset_document(name, publisher, **overrides),
            publish=publish and not governed,
        )
        if legal_basis is not None:
            legal_bases.create_legal_basis(session, actor=SYSTEM, name=name, document=legal_basis)
        if policy is not None:
            dataset_policies.set_policy(
                session, actor=SYSTEM, name=name, body=policy, if_match=None, base_uri=BASE_URI
            )
        if publish and governed:
            dataset = datasets.publish_dataset(session, actor=SYSTEM, name=name)
        return dataset

    return make


def write_from_another_session(database: Database, action: str) -> None:
    """Commit one audit event from a session of ``database``: a second writer."""
    with database.session(write=True) as writer:
        audit.record(
            writer,
            actor=SYSTEM,
            action=action,
            object_type="t",
            object_id="1",
            organization_id=None,
        )
        writer.commit()


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


# ------------------------------------------------------------------------------ OAuth

MACHINE_SCOPES = ("catalog:read", "data:read", "requests:write")
APP_REDIRECT = "http://127.0.0.1:8765/callback"


@pytest.fixture
def make_client(session: Session) -> Callable[..., tuple[OAuthClient, str | None]]:
    """Register OAuth clients through the service; returns ``(client, secret)``.

    ``make_client("igm-gt")`` is a confidential client_credentials client acting as a
    requester; ``make_client("sisca", app=True)`` a public PKCE app for people.
    """

    def make(
        organization: str = "mintrab-gt", *, app: bool = False, **overrides: Any
    ) -> tuple[OAuthClient, str | None]:
        fields: dict[str, Any] = (
            {
                "name": "app",
                "grant_types": ["authorization_code", "refresh_token"],
                "scopes": [s for s in SCOPES if s != "admin"],
                "redirect_uris": [APP_REDIRECT],
                "public": True,
            }
            if app
            else {
                "name": "machine",
                "grant_types": ["client_credentials"],
                "scopes": list(MACHINE_SCOPES),
                "roles": ["requester"],
            }
        )
        fields.update(overrides)
        return oauth.create_client(session, actor=SYSTEM, organization=organization, **fields)

    return make


@pytest.fixture
def user_token(
    session: Session, make_client: Callable[..., tuple[OAuthClient, str | None]]
) -> Callable[..., dict[str, Any]]:
    """Mint a person's OAuth tokens as the code flow records them, bypassing the pages.

    ``user_token(user, "mintrab-gt", "catalog:read catalog:write")`` returns the token
    response (``access_token``, ``refresh_token``...). The scope is taken as given (not
    narrowed to the roles) so that tests can check the intersection at request time.
    """
    apps: dict[str, OAuthClient] = {}

    def mint(user: User, organization: str, scope: str = "catalog:read") -> dict[str, Any]:
        org = organizations.get_organization(session, organization)
        assert org.id is not None
        if organization not in apps:
            apps[organization] = make_client(organization, app=True, scopes=list(SCOPES))[0]
        client = apps[organization]
        code = oauth.create_authorization_code(
            session,
            client=client,
            user=user,
            organization_id=org.id,
            code=secrets.token_urlsafe(32),
            redirect_uri=APP_REDIRECT,
            scope=scope.split(),
            code_challenge="x" * 43,
            code_challenge_method="S256",
            lifetime=60,
        )
        token = {
            "token_type": "Bearer",
            "access_token": oauth.new_access_token(),
            "refresh_token": oauth.new_refresh_token(),
            "expires_in": 600,
            "scope": oauth.format_scope(scope.split()),
        }
        oauth.exchange_authorization_code(
            session,
            code=code,
            client=client,
            user=user,
            token=token,
            policy=oauth.TokenPolicy(audience=BASE_URI, refresh_token_lifetime=3600),
        )
        return token

    return mint


def basic(client_id: str, secret: str | None) -> dict[str, str]:
    """HTTP Basic client authentication (client_secret_basic)."""
    raw = f"{client_id}:{secret or ''}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}
