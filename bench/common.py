"""Shared benchmark plumbing: fresh databases, demo organizations, percentiles."""

from __future__ import annotations

import os
import statistics
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from catalog import organizations
from catalog.db import Database, upgrade_schema
from catalog.demo.institutions import ORGANIZATIONS
from catalog.principals import Principal


@contextmanager
def fresh_database(backend: str, workdir: Path) -> Iterator[str]:
    """A migrated, empty database; SQLite file in ``workdir`` or a throwaway PG database."""
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
        upgrade_schema(url)
        yield url
        return
    server = os.environ.get("SIMEL_BENCH_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1/test")
    name = f"simel_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_schema(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


def load_organizations(url: str) -> None:
    """Register the demo organizations (publishers of the generated datasets)."""
    database = Database.from_url(url)
    with database.session(write=True) as session:
        for data in ORGANIZATIONS:
            organizations.create_organization(session, actor=Principal.system("bench"), data=data)
    database.dispose()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1]


def workdir() -> tempfile.TemporaryDirectory[str]:
    """A temporary folder for one benchmark run."""
    return tempfile.TemporaryDirectory(prefix="simel-bench-")
