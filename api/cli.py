"""The ``simel`` command."""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import inspect
from sqlmodel import Session

from catalog import accounts, audit, organizations
from catalog.db import Database, check_schema_current, upgrade_schema
from catalog.errors import CatalogError, ConfigurationError, InvalidMetadata
from catalog.models import Role
from catalog.principals import Principal
from catalog.settings import Settings, load_settings

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)
F = TypeVar("F", bound=Callable[..., Any])


def _settings(ctx: click.Context) -> Settings:
    settings: Settings = ctx.obj["settings"]
    return settings


def _report(error: CatalogError) -> None:
    err_console.print(f"[bold red]error:[/] {error.detail}")
    if isinstance(error, InvalidMetadata):
        for item in error.errors[:200]:
            err_console.print(f"  {item.pointer or '/'}: {item.detail}")
        if len(error.errors) > 200:
            err_console.print(f"  ... and {len(error.errors) - 200} more")


def handles_errors(command: F) -> F:
    """Turn domain errors into a readable message and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CatalogError as error:
            _report(error)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@contextmanager
def _session(settings: Settings, *, write: bool = True, check: bool = True) -> Iterator[Session]:
    database = Database.from_url(settings.database_url, pool_size=settings.database.pool_size)
    try:
        if check:
            check_schema_current(database.engine)
        with database.session(write=write) as session:
            yield session
    finally:
        database.dispose()


def _cli_actor() -> Principal:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user database entry in some containers
        user = "unknown"
    return Principal.system(f"cli:{user}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database",
    metavar="URL",
    help="Database URL (overrides config.toml and SIMEL_DATABASE__URL).",
)
@click.pass_context
def main(ctx: click.Context, database: str | None) -> None:
    """SIMEL Catalog: governance and data-sharing metadata catalog of the SIMEL systems.

    Configuration is read from config.toml (or the file in SIMEL_CONFIG), then from
    SIMEL_<SECTION>__<KEY> environment variables, then from options here.
    """
    overrides = {"database": {"url": database}} if database else {}
    try:
        ctx.obj = {"settings": load_settings(overrides)}
    except ConfigurationError as error:
        _report(error)
        sys.exit(2)


# ---------------------------------------------------------------------------- serving


def _serve(settings: Settings, host: str, port: int, threads: int) -> None:
    from waitress import serve

    from api.app import create_app

    app = create_app(settings=settings)
    console.print(f"Serving SIMEL Catalog on [bold]http://{host}:{port}/[/] (Ctrl+C to stop)")
    console.print(f"  API docs: http://{host}:{port}/api/v1/docs")
    serve(app, host=host, port=port, threads=threads, ident="simel-catalog")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="TCP port.")
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
@click.pass_context
@handles_errors
def serve(ctx: click.Context, host: str, port: int, threads: int) -> None:
    """Serve the catalog (the database must be migrated: `simel db upgrade`)."""
    _serve(_settings(ctx), host, port, threads)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="TCP port.")
@click.option("--no-serve", is_flag=True, help="Load the demo catalog and exit.")
@click.option("--force", is_flag=True, help="Replace the database even if it holds non-demo data.")
@click.pass_context
@handles_errors
def demo(ctx: click.Context, host: str, port: int, no_serve: bool, force: bool) -> None:
    """Create a fresh demo catalog at the configured database, print its users, serve it.

    The demo holds the labour and migration ministries, migration authorities and
    statistics offices of Guatemala, El Salvador, Honduras, Mexico and Belize, with
    synthetic datasets, users of every role and their API tokens.
    """
    from catalog.demo import load_demo

    settings = _settings(ctx)
    database = Database.from_url(settings.database_url)
    try:
        _reset_for_demo(database, force=force)
    finally:
        database.dispose()
    upgrade_schema(settings.database_url)
    storage = settings.storage_path
    with _session(settings) as session:
        result = load_demo(
            session, storage_root=storage, progress=lambda m: console.print(f"  loaded {m}")
        )
    # Plain lines, not a table: tokens must reach the terminal whole, to be copied.
    console.print(f"\n[bold]Demo users[/] (web login password for all: [bold]{result.password}[/])")
    width = max(len(user.username) for user in result.users)
    for user in result.users:
        roles = ", ".join(f"{r}@{o}" for o, r in user.roles)
        click.echo(f"  {user.username:<{width}}  {user.token}  {roles}")
    console.print(f"Try: curl -H 'Authorization: Bearer <token>' http://{host}:{port}/api/v1/me")
    if not no_serve:
        _serve(settings, host, port, 8)


def _reset_for_demo(database: Database, *, force: bool) -> None:
    from sqlalchemy import text

    tables = set(inspect(database.engine).get_table_names())
    if "dataset" in tables and not force:
        with database.session() as session:
            first = session.execute(
                text("SELECT actor_name FROM audit_event ORDER BY seq LIMIT 1")
            ).first()
        from catalog.demo import DEMO_ACTOR

        if first is not None and first[0] != DEMO_ACTOR:
            raise ConfigurationError(
                "the configured database holds a catalog that the demo did not create; "
                "use --force to replace it, or point --database elsewhere"
            )
    if database.dialect == "sqlite":
        path = database.engine.url.database
        database.dispose()
        if path and path != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
        return
    with database.engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")


# ---------------------------------------------------------------------------- database


@main.group()
def db() -> None:
    """Database schema management."""


@db.command("upgrade")
@click.option("--revision", default="heads", show_default=True, help="Target revision.")
@click.pass_context
@handles_errors
def db_upgrade(ctx: click.Context, revision: str) -> None:
    """Create or migrate the database schema to this version of the code."""
    settings = _settings(ctx)
    upgrade_schema(settings.database_url, revision)
    console.print("The database schema is up to date.")


@db.command("check")
@click.pass_context
@handles_errors
def db_check(ctx: click.Context) -> None:
    """Exit 0 if the schema is current, 1 (with the fix) if not."""
    settings = _settings(ctx)
    database = Database.from_url(settings.database_url)
    try:
        check_schema_current(database.engine)
    finally:
        database.dispose()
    console.print("The database schema is current.")


# ------------------------------------------------------------------- users and tokens


@main.group()
def user() -> None:
    """Users and their roles."""


@user.command("create")
@click.argument("username")
@click.option("--full-name", default="", help="Display name.")
@click.option("--email", default=None, help="E-mail address.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    metavar="ROLE@ORGANIZATION",
    help="A role in an organization, e.g. steward@mintrab-gt (repeatable).",
)
@click.option("--password/--no-password", default=False, help="Prompt for a login password.")
@click.pass_context
@handles_errors
def user_create(
    ctx: click.Context,
    username: str,
    full_name: str,
    email: str | None,
    roles: tuple[str, ...],
    password: bool,
) -> None:
    """Create a user, optionally with roles and a password."""
    secret = (
        click.prompt("Password", hide_input=True, confirmation_prompt=True) if password else None
    )
    parsed = []
    for value in roles:
        role, _, org = value.partition("@")
        if role not in {r.value for r in Role} or not org:
            raise click.BadParameter(
                f"'{value}': use ROLE@ORGANIZATION with a role of "
                f"{', '.join(r.value for r in Role)}",
                param_hint="--role",
            )
        parsed.append((Role(role), org))
    actor = _cli_actor()
    with _session(_settings(ctx)) as session:
        created = accounts.create_user(
            session,
            actor=actor,
            username=username,
            full_name=full_name,
            email=email,
            password=secret,
        )
        for role, org_name in parsed:
            organization = organizations.get_organization(session, org_name)
            accounts.add_membership(
                session, actor=actor, user=created, organization=organization, role=role
            )
    console.print(f"Created user {username}.")


@main.group()
def token() -> None:
    """Personal API tokens."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for.")
@click.option("--expires-in-days", type=click.IntRange(min=1), default=None, help="Lifetime.")
@click.pass_context
@handles_errors
def token_create(ctx: click.Context, username: str, name: str, expires_in_days: int | None) -> None:
    """Create an API token for USERNAME and print it (it is shown only once)."""
    expires = (
        dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_in_days) if expires_in_days else None
    )
    with _session(_settings(ctx)) as session:
        owner = accounts.get_user(session, username)
        row, secret = accounts.create_api_token(
            session, actor=_cli_actor(), user=owner, name=name, expires_at=expires
        )
    console.print(f"Token {row.id} for {username} (store it now, it is not shown again):")
    click.echo(secret)


@token.command("revoke")
@click.argument("token_id", type=int)
@click.pass_context
@handles_errors
def token_revoke(ctx: click.Context, token_id: int) -> None:
    """Revoke the token with id TOKEN_ID; it stops working at once."""
    with _session(_settings(ctx)) as session:
        accounts.revoke_api_token(session, actor=_cli_actor(), token_id=token_id)
    console.print(f"Token {token_id} revoked.")


@token.command("list")
@click.argument("username")
@click.pass_context
@handles_errors
def token_list(ctx: click.Context, username: str) -> None:
    """List USERNAME's tokens (ids and prefixes, never the tokens)."""
    with _session(_settings(ctx), write=False) as session:
        rows = accounts.list_api_tokens(session, accounts.get_user(session, username))
    table = Table("id", "prefix", "name", "created", "expires", "revoked")
    for row in rows:
        table.add_row(
            str(row.id),
            row.prefix + "…",
            row.name,
            f"{row.created:%Y-%m-%d %H:%M}",
            f"{row.expires_at:%Y-%m-%d}" if row.expires_at else "-",
            f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "-",
        )
    console.print(table)


# ------------------------------------------------------------------ import and audit


@main.command("import-datasets")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--status",
    type=click.Choice(["draft", "published"]),
    default="draft",
    show_default=True,
    help="Status of records that do not say.",
)
@click.pass_context
@handles_errors
def import_datasets(ctx: click.Context, file: Path, status: str) -> None:
    """Import a JSON list of dataset documents: all of them, or none.

    Every record is checked first; if any is invalid, each problem is reported (as a
    JSON Pointer into the file) and nothing is imported.
    """
    from rich.progress import Progress

    from catalog.importer import import_datasets as run_import

    try:
        records = json.loads(file.read_bytes())
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidMetadata(f"{file} is not valid JSON: {exc}", []) from exc
    total = len(records) if isinstance(records, list) else 0
    with _session(_settings(ctx)) as session, Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("checking", total=total)
        report = run_import(
            session,
            actor=_cli_actor(),
            records=records,
            default_status=status,
            progress=lambda n: bar.advance(task, n),
        )
    console.print(f"Imported {report.created} datasets ({report.published} published).")


@main.group("audit")
def audit_group() -> None:
    """The tamper-evident audit log."""


@audit_group.command("verify")
@click.pass_context
@handles_errors
def audit_verify(ctx: click.Context) -> None:
    """Walk the hash chain; name the first broken link (exit 1) or confirm it is intact."""
    with _session(_settings(ctx), write=False) as session:
        result = audit.verify_chain(session)
    if result.ok:
        console.print(f"The audit log is intact: {result.events_checked} events verified.")
        return
    err_console.print(
        f"[bold red]The audit log is broken at event {result.broken_seq}:[/] {result.reason} "
        f"({result.events_checked} events before it verified)."
    )
    sys.exit(1)


@main.group("org")
def org_group() -> None:
    """Organizations."""


@org_group.command("create")
@click.argument("name")
@click.option("--acronym", required=True)
@click.option("--title-es", required=True, help="Name in Spanish.")
@click.option("--title-en", required=True, help="Name in English.")
@click.option("--country", required=True, help="ISO 3166-1 alpha-3 code, e.g. GTM.")
@click.option(
    "--kind",
    required=True,
    type=click.Choice(
        [
            "labour-ministry",
            "migration-authority",
            "statistics-office",
            "foreign-affairs",
            "regional-body",
            "other",
        ]
    ),
)
@click.option("--homepage", default=None)
@click.pass_context
@handles_errors
def org_create(
    ctx: click.Context,
    name: str,
    acronym: str,
    title_es: str,
    title_en: str,
    country: str,
    kind: str,
    homepage: str | None,
) -> None:
    """Register an organization."""
    data = {
        "name": name,
        "acronym": acronym,
        "title": {"es": title_es, "en": title_en},
        "country": country,
        "kind": kind,
    }
    if homepage:
        data["homepage"] = homepage
    with _session(_settings(ctx)) as session:
        organizations.create_organization(session, actor=_cli_actor(), data=data)
    console.print(f"Created organization {name}.")


# ---------------------------------------------------------------- DCAT: validate, harvest


@main.command("validate")
@click.option(
    "--all", "everything", is_flag=True, help="Validate drafts too (as an auditor sees it)."
)
@click.option("--dataset", "name", default=None, help="Validate one dataset instead.")
@click.option("--details", is_flag=True, help="List every warning instead of a summary.")
@click.pass_context
@handles_errors
def validate(ctx: click.Context, everything: bool, name: str | None, details: bool) -> None:
    """Validate the catalog's DCAT-AP against the official DCAT-AP 3.0.1 SHACL shapes.

    Runs each shapes file (base, ranges, controlled vocabularies, recommended,
    deprecated, individual constraints) on the catalog as the public sees it, prints
    the findings in plain words and the catalog's metadata quality. Exits 1 if there
    is any violation (warnings are reported, not failed).
    """
    from catalog import dcat, quality, shacl
    from catalog.rdfio import to_graph

    settings = _settings(ctx)
    actor = _cli_actor() if everything else Principal.anonymous()
    with _session(settings, write=False) as session:
        if name:
            triples, _ = dcat.dataset_document_triples(
                session, actor=actor, name=name, settings=settings
            )
            graph = to_graph(triples)
            what = f"dataset {name}"
        else:
            query = dcat.CatalogQuery(
                paged=False, filters={"status": ["published", "draft"]} if everything else {}
            )
            export = dcat.catalog_export(session, actor=actor, settings=settings, query=query)
            graph = to_graph(t for batch in export.batches for t in batch)
            what = f"the catalog ({export.total} datasets)"
        report = shacl.validate_graph(graph)
        score = None if name else quality.catalog_quality_for(session, actor=actor)
    console.print(f"[bold]DCAT-AP 3.0.1 validation of {what}[/] ({len(graph)} triples)")
    table = Table("shapes", "file", "violations", "warnings", "infos")
    for key, counts in report.counts().items():
        table.add_row(
            key,
            shacl.SHAPES[key],
            str(counts["violations"]),
            str(counts["warnings"]),
            str(counts["infos"]),
        )
    console.print(table)
    violations = [f for f in report.findings if f.severity == "violation"]
    for finding in violations:
        value = f" (value {finding.value})" if finding.value else ""
        console.print(
            "[red]violation[/] "
            + escape(f"[{finding.shapes}] {finding.focus} {finding.property or ''}: ")
            + escape(finding.message + value)
        )
    others = [f for f in report.findings if f.severity != "violation"]
    if details:
        for finding in others:
            value = f" (value {finding.value})" if finding.value else ""
            console.print(
                escape(
                    f"{finding.severity} [{finding.shapes}] {finding.focus} "
                    f"{finding.property or ''}: {finding.message}{value}"
                )
            )
    else:
        for finding, count in shacl.summarize(others):
            console.print(
                escape(
                    f"{count:>5} × {finding.severity} [{finding.shapes}] "
                    f"{finding.property or ''}: {finding.message}"
                )
            )
    if score is not None and score["datasets"]:
        console.print(
            f"Metadata quality of the catalog: {score['score']} of {score['max_score']} "
            f"points ({score['percent']} %, {score['rating']}) over {score['datasets']} datasets"
        )
    if violations:
        err_console.print(f"[bold red]{len(violations)} violation(s)[/]")
        sys.exit(1)
    console.print("Conforms: no violations.")


@main.group("harvest")
def harvest_group() -> None:
    """Bring other catalogs' datasets into this one."""


@harvest_group.command("dcat")
@click.argument("source")
@click.option(
    "--publisher",
    "publishers",
    multiple=True,
    metavar="IRI=ORGANIZATION",
    help="Map a source publisher to one of our organizations (repeatable).",
)
@click.option(
    "--status",
    type=click.Choice(["published", "draft"]),
    default="published",
    show_default=True,
    help="Status of datasets harvested for the first time.",
)
@click.option("--strict", is_flag=True, help="Harvest nothing if any record cannot be mapped.")
@click.option(
    "--format",
    "rdf_format",
    type=click.Choice(["turtle", "json-ld", "xml", "nt", "n3", "trig", "nquads"]),
    default=None,
    help="The source's serialization (default: from its media type, name or content).",
)
@click.pass_context
@handles_errors
def harvest_dcat_command(
    ctx: click.Context,
    source: str,
    publishers: tuple[str, ...],
    status: str,
    strict: bool,
    rdf_format: str | None,
) -> None:
    """Harvest the DCAT catalog at SOURCE (a file, or an http(s) URL and its pages).

    Each dcat:Dataset becomes one of our datasets, with its source catalog, original
    IRI and harvest time; a second run updates instead of duplicating. Records that
    cannot be mapped are listed with the reasons and not written. URLs must be on
    [harvest] allowed_hosts. Exit status: 0 all harvested, 1 nothing harvested
    (error), 2 harvested but some records were skipped.
    """
    from catalog.harvest.dcat import harvest_dcat

    mapping = {}
    for item in publishers:
        key, sep, value = item.rpartition("=")
        if not sep or not key or not value:
            raise click.BadParameter(f"'{item}': use IRI=ORGANIZATION", param_hint="--publisher")
        mapping[key] = value
    with _session(_settings(ctx)) as session:
        report = harvest_dcat(
            session,
            actor=_cli_actor(),
            settings=_settings(ctx),
            source=source,
            publishers=mapping,
            status=status,
            strict=strict,
            allow_files=True,
            rdf_format=rdf_format,
        )
    console.print(
        f"Harvested {source}: {report.datasets} datasets in {report.pages} page(s); "
        f"{len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped."
    )
    for warning in report.warnings[:200]:
        console.print(escape(f"  warning <{warning['iri']}>: {warning['detail']}"))
    for record in report.skipped:
        err_console.print("[bold]skipped[/] " + escape(f"<{record.iri}>"))
        for error in record.errors:
            err_console.print(escape(f"  {error.pointer or '/'}: {error.detail}"))
    if report.skipped:
        sys.exit(2)


@main.group("export")
def export_group() -> None:
    """Export the catalog."""


@export_group.command("dcat")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ttl", "jsonld", "rdf", "nt"]),
    default="ttl",
    show_default=True,
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.pass_context
@handles_errors
def export_dcat(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Write the public catalog as one DCAT-AP document (streamed, not paged)."""
    from catalog import dcat
    from catalog.rdfio import FORMAT_BY_SUFFIX

    settings = _settings(ctx)
    with _session(settings, write=False) as session:
        export = dcat.export_catalog(
            session,
            actor=Principal.anonymous(),
            settings=settings,
            fmt=FORMAT_BY_SUFFIX[fmt],
            query=dcat.CatalogQuery(paged=False),
        )
        if output is None:
            for chunk in export.chunks:
                click.echo(chunk, nl=False)
            return
        with output.open("w", encoding="utf-8") as handle:
            for chunk in export.chunks:
                handle.write(chunk)
    err_console.print(f"Wrote {export.total} datasets to {output}.")
