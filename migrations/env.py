"""Alembic environment: runs our migrations against the URL the CLI passes in."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import catalog.models  # noqa: F401 # registers every table on SQLModel.metadata
from catalog.db import create_db_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _enforce_sqlite_foreign_keys(connection, on=False)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                # Checked before the commit, so that a migration that orphans rows is undone.
                orphans = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if orphans:
                    raise RuntimeError(f"the migration left rows without a parent: {orphans[:5]}")
    finally:
        if sqlite:
            _enforce_sqlite_foreign_keys(connection, on=True)


def _enforce_sqlite_foreign_keys(connection, *, on: bool) -> None:  # type: ignore[no-untyped-def]
    # SQLite changes a table's columns by building a new table and dropping the old one
    # (alembic's batch mode). With foreign keys enforced, dropping the dataset table
    # deletes every row that cascades from it: distributions, revisions, themes. SQLite's
    # own procedure for such changes is to stop enforcing them, make the change and check
    # the keys afterwards. The pragma is ignored inside a transaction, so it goes to the
    # driver's connection before alembic begins one.
    connection.connection.driver_connection.execute(
        f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}"
    )


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
