"""The ``simel`` command."""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import os
import secrets
import socket
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session

from catalog import accounts, audit, oauth, organizations
from catalog.db import Database, check_schema_current, upgrade_schema
from catalog.errors import CatalogError, ConfigurationError, InvalidMetadata
from catalog.formats import FORMAT_BY_SUFFIX, TURTLE
from catalog.models import Role
from catalog.principals import SCOPES, Principal
from catalog.settings import Settings, load_settings

if TYPE_CHECKING:
    from rich.progress import Progress

    from catalog.dcat import CatalogQuery
    from catalog.shacl import ShaclReport

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)
F = TypeVar("F", bound=Callable[..., Any])
UNWRAPPED = 1_000_000  # columns: wider than any line simel prints


def _settings(ctx: click.Context) -> Settings:
    settings: Settings = ctx.obj["settings"]
    return settings


def _report(error: CatalogError) -> None:
    # Details quote user input, file contents and configuration ("[harvest]
    # allowed_hosts"): as rich markup, brackets vanished or raised MarkupError.
    err_console.print("[bold red]error:[/] " + escape(error.detail))
    if isinstance(error, InvalidMetadata):
        for item in error.errors[:200]:
            err_console.print(escape(f"  {item.pointer or '/'}: {item.detail}"))
        if len(error.errors) > 200:
            err_console.print(f"  ... and {len(error.errors) - 200} more")


def _count(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` and ``noun``, in the plural unless one: "1 dataset", "2 legal bases"."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def _progress() -> Progress:
    """A progress bar on a terminal, and nothing elsewhere.

    Off a terminal rich cannot redraw it, and left a blank line instead of it.
    """
    from rich.progress import Progress

    return Progress(console=err_console, transient=True, disable=not err_console.is_terminal)


def _fail(message: str) -> NoReturn:
    """Print ``message`` as an error and exit with status 1."""
    err_console.print("[bold red]error:[/] " + escape(message))
    sys.exit(1)


def _reason(error: OSError) -> str:
    """The operating system's words for ``error``, to end a sentence."""
    reason = error.strerror or str(error)
    return reason[:1].lower() + reason[1:]


# The exports' -o: written whole through _write_output, or standard output.
_output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)


def _write_output(path: Path, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` to the file ``path``, whole or not at all.

    They go to a temporary file beside it, renamed over ``path`` once complete: an
    export that fails midway leaves no partial file and any earlier one as it was (with
    its permissions; through a symbolic link, the file it points to). Where no
    temporary file can be made (a folder the user may not write to, a device such as
    /dev/stdout), the file is written in place. A path that cannot be written is a
    one-line error naming it and the reason.
    """
    real = Path(os.path.realpath(path))
    in_place = (real.exists() and not real.is_file()) or (
        real.is_file() and not os.access(real.parent, os.W_OK)
    )
    # Short: the name must stay within the file system's limit when the export's does.
    target = real if in_place else real.with_name(f".simel-{secrets.token_hex(4)}.part")
    created = False
    try:
        with target.open("wb" if in_place else "xb") as handle:
            created = not in_place
            for chunk in chunks:
                handle.write(chunk)
        if created:
            if real.is_file():
                os.chmod(target, stat.S_IMODE(real.stat().st_mode))
            os.replace(target, real)
    except OSError as error:
        _fail(f"cannot write {path}: {_reason(error)}")
    finally:
        if created:
            target.unlink(missing_ok=True)


def _database_unusable(error: OperationalError | InterfaceError) -> NoReturn:
    """Exit with one line naming the database (never its password) and what went wrong."""
    settings = _settings(click.get_current_context())
    name = make_url(settings.database_url).render_as_string(hide_password=True)
    # The driver's own message, without SQLAlchemy's statement and background link.
    reason = str(error.orig if error.orig is not None else error).strip().splitlines()
    _fail(f"cannot use the database {name}: {reason[0] if reason else type(error).__name__}")


def handles_errors(command: F) -> F:
    """Turn domain errors, and a database that cannot be used, into one line and exit 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CatalogError as error:
            _report(error)
            sys.exit(1)
        except (OperationalError, InterfaceError) as error:
            # A server down, a wrong password, a file that cannot be opened: the
            # database's doing, not the command's, so no traceback.
            _database_unusable(error)

    return wrapper  # type: ignore[return-value]


@contextmanager
def _session(settings: Settings, *, write: bool = True, check: bool = True) -> Iterator[Session]:
    database = Database.from_settings(settings)
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
    # Into a file or a pipe, a line is as long as what it says: rich wrapped text and
    # table cells at 80 columns there, breaking phrases and paths across lines.
    for each in (console, err_console):
        if not each.is_terminal:
            each.soft_wrap = True
            each.width = UNWRAPPED
    overrides = {"database": {"url": database}} if database else {}
    try:
        ctx.obj = {"settings": load_settings(overrides), "overrides": overrides}
    except ConfigurationError as error:
        _report(error)
        sys.exit(2)


# ---------------------------------------------------------------------------- serving


def _authority(host: str, port: int) -> str:
    """``host:port`` as a URL writes it (an IPv6 address in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _cannot_listen(host: str, port: int, error: OSError) -> NoReturn:
    _fail(f"cannot listen on {_authority(host, port)}: {_reason(error)}")


def _check_listen(host: str, port: int) -> None:
    """Exit with a one-line error if ``host:port`` cannot be listened on.

    Bound and let go at once, the way waitress binds it (every address the host
    resolves to, SO_REUSEADDR): a port in use is found before seconds of start-up, and
    before the demo replaces a database that the server holding the port may be using.
    """
    try:
        found = socket.getaddrinfo(
            host, port, socket.AF_UNSPEC, socket.SOCK_STREAM, socket.IPPROTO_TCP, socket.AI_PASSIVE
        )
        for family, kind, protocol, _, address in found:
            with socket.socket(family, kind, protocol) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind(address)
    except OSError as error:
        _cannot_listen(host, port, error)


def _serve(settings: Settings, host: str, port: int, threads: int) -> None:
    from waitress import create_server

    from api.app import create_app, freeze_long_lived_objects
    from catalog.distributions import sweep_leftovers

    _check_listen(host, port)
    app = create_app(settings=settings)
    swept = sweep_leftovers(settings.storage_path)
    if swept.removed or swept.restored:
        console.print(
            f"Storage: removed {len(swept.removed)} partial upload(s) and put back"
            f" {len(swept.restored)} file(s) that interrupted uploads had left"
        )
    freeze_long_lived_objects()
    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="simel-catalog")
    except OSError as error:  # taken since the check
        _cannot_listen(host, port, error)
    address = escape(f"http://{_authority(host, port)}/")
    console.print(f"Serving SIMEL Catalog on [bold]{address}[/] (Ctrl+C to stop)")
    console.print(f"  API docs: {address}api/v1/docs")
    server.print_listen("Serving on http://{}:{}")
    server.run()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="TCP port."
)
@click.option(
    "--threads", default=8, show_default=True, type=click.IntRange(min=1), help="Worker threads."
)
@click.pass_context
@handles_errors
def serve(ctx: click.Context, host: str, port: int, threads: int) -> None:
    """Serve the catalog (the database must be migrated: `simel db upgrade`)."""
    _serve(_settings(ctx), host, port, threads)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="TCP port."
)
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

    # The demo runs over plain HTTP on this machine: its IRIs and cookies must fit that.
    demo_overrides: dict[str, Any] = {"security": {"session_cookie_secure": False}}
    if "SIMEL_CATALOG__BASE_URI" not in os.environ:
        demo_overrides["catalog"] = {"base_uri": f"http://{_authority(host, port)}/"}
    settings = load_settings({**ctx.obj["overrides"], **demo_overrides})
    if not no_serve:
        _check_listen(host, port)
    database = Database.from_settings(settings)
    try:
        _reset_for_demo(database, force=force)
    finally:
        database.dispose()
    upgrade_schema(settings.database_url)
    storage = settings.storage_path
    with _session(settings) as session:
        result = load_demo(
            session,
            storage_root=storage,
            base_uri=settings.catalog.base_uri,
            progress=lambda m: console.print(escape(f"  loaded {m}")),
        )
    # Plain lines, not a table: tokens must reach the terminal whole, to be copied.
    password = escape(result.password)
    console.print(f"\n[bold]Demo users[/] (web login password for all: [bold]{password}[/])")
    width = max(len(user.username) for user in result.users)
    for user in result.users:
        roles = ", ".join(f"{r}@{o}" for o, r in user.roles)
        click.echo(f"  {user.username:<{width}}  {user.token}  {roles}")
    console.print("\n[bold]Demo OAuth clients[/] (docs/oauth.md has the curl recipes)")
    for client in result.clients:
        secret = client.secret or "(public: no secret, use PKCE)"
        click.echo(f"  {client.client_id}  {secret}  {client.description}")
    console.print(
        escape(
            "Try: curl -H 'Authorization: Bearer <token>' "
            f"http://{_authority(host, port)}/api/v1/me"
        )
    )
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
    database = Database.from_settings(settings)
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
    console.print(escape(f"Created user {username}."))


MAX_TOKEN_DAYS = 3650


@main.group()
def token() -> None:
    """Personal API tokens."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for.")
@click.option(
    "--expires-in-days",
    # Ten years is longer than any token should live; far beyond it, the expiry date
    # overflowed the calendar (OverflowError) or landed in the year 4764.
    type=click.IntRange(min=1, max=MAX_TOKEN_DAYS),
    default=None,
    help=f"Lifetime in days, 1 to {MAX_TOKEN_DAYS} (default: until revoked).",
)
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
    console.print(escape(f"Token {row.id} for {username} (store it now, it is not shown again):"))
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
            escape(row.name),
            f"{row.created:%Y-%m-%d %H:%M}",
            f"{row.expires_at:%Y-%m-%d}" if row.expires_at else "-",
            f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "-",
        )
    console.print(table)


# ---------------------------------------------------------------------- OAuth clients


@main.group("client")
def client_group() -> None:
    """OAuth 2 clients (docs/oauth.md)."""


@client_group.command("create")
@click.option("--organization", required=True, help="The organization the client belongs to.")
@click.option("--name", required=True, help="What the client is, e.g. 'IGM data pipeline'.")
@click.option(
    "--grant",
    "grants",
    multiple=True,
    required=True,
    type=click.Choice(["client_credentials", "authorization_code", "refresh_token"]),
    help="An allowed grant (repeatable).",
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(list(SCOPES)),
    help="An allowed scope (repeatable).",
)
@click.option("--redirect-uri", "redirect_uris", multiple=True, help="For authorization_code.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(sorted(r.value for r in oauth.CLIENT_ROLES)),
    help="A role the client holds in its organization (client_credentials; repeatable).",
)
@click.option("--public", is_flag=True, help="A browser or command-line app: no secret, PKCE.")
@click.option("--can-introspect", is_flag=True, help="A resource server: may introspect any token.")
@click.pass_context
@handles_errors
def client_create(
    ctx: click.Context,
    organization: str,
    name: str,
    grants: tuple[str, ...],
    scopes: tuple[str, ...],
    redirect_uris: tuple[str, ...],
    roles: tuple[str, ...],
    public: bool,
    can_introspect: bool,
) -> None:
    """Register a client and print its id and secret (the secret is shown only once)."""
    with _session(_settings(ctx)) as session:
        created, secret = oauth.create_client(
            session,
            actor=_cli_actor(),
            organization=organization,
            name=name,
            grant_types=grants,
            scopes=scopes,
            redirect_uris=redirect_uris,
            roles=roles,
            public=public,
            can_introspect=can_introspect,
        )
    console.print(
        escape(f"Client for {organization} (store the secret now, it is not shown again):")
    )
    click.echo(f"client_id: {created.client_id}")
    click.echo(f"client_secret: {secret if secret else '(none: public client, use PKCE)'}")


@client_group.command("list")
@click.option("--organization", default=None, help="Only this organization's clients.")
@click.pass_context
@handles_errors
def client_list(ctx: click.Context, organization: str | None) -> None:
    """List clients (ids, grants, scopes; never secrets)."""
    with _session(_settings(ctx), write=False) as session:
        rows = oauth.list_clients(session, actor=_cli_actor(), organization=organization)
    table = Table()
    table.add_column("client_id", no_wrap=True)  # copied whole into configurations
    for heading in ("organization", "name", "grants", "scopes", "roles", "revoked"):
        table.add_column(heading)
    for row, org in rows:
        table.add_row(
            *map(
                escape,
                (
                    row.client_id,
                    org.name,
                    row.name,
                    " ".join(row.grant_types),
                    " ".join(row.scopes),
                    " ".join(row.roles) or "-",
                    f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "-",
                ),
            )
        )
    console.print(table)


@client_group.command("revoke")
@click.argument("client_id")
@click.pass_context
@handles_errors
def client_revoke(ctx: click.Context, client_id: str) -> None:
    """Revoke CLIENT_ID and every token issued to it; effective at once."""
    with _session(_settings(ctx)) as session:
        oauth.revoke_client(session, actor=_cli_actor(), client_id=client_id)
    console.print(escape(f"Client {client_id} revoked, with all its tokens."))


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

    Every record is checked; if any is invalid, each problem is reported (as a
    JSON Pointer into the file) and nothing is imported.
    """
    from catalog.importer import cyclic_gc_paused
    from catalog.importer import import_datasets as run_import
    from metadata_schemas import loads as strict_json

    try:
        # A big file parses into millions of objects: a third faster without the
        # collector walking them (see cyclic_gc_paused).
        with cyclic_gc_paused():
            records = strict_json(file.read_bytes())
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidMetadata(f"{file} is not valid JSON: {exc}", []) from exc
    except RecursionError as exc:
        raise InvalidMetadata(f"{file} nests too deeply to be read as JSON", []) from exc
    total = len(records) if isinstance(records, list) else 0
    with _session(_settings(ctx)) as session, _progress() as bar:
        task = bar.add_task("importing", total=total)
        report = run_import(
            session,
            actor=_cli_actor(),
            records=records,
            default_status=status,
            base_uri=_settings(ctx).catalog.base_uri,
            progress=lambda n: bar.advance(task, n),
        )
    console.print(
        f"Imported {_count(report.created, 'dataset')} ({report.published} published), "
        f"{_count(report.legal_bases, 'legal basis', 'legal bases')}, "
        f"{_count(report.policies, 'offer policy', 'offer policies')}."
    )


@main.group("audit")
def audit_group() -> None:
    """The tamper-evident audit log."""


@audit_group.command("verify")
@click.option(
    "--anchor",
    metavar="SEQ:HASH",
    help="An event and its hash recorded earlier (the head a verification printed): the "
    "log must still hold it, so that removing the latest events is found too.",
)
@click.pass_context
@handles_errors
def audit_verify(ctx: click.Context, anchor: str | None) -> None:
    """Walk the hash chain; name the first broken link (exit 1) or confirm it is intact.

    The head it prints (last event and hash) is what to keep outside the catalog, and
    to give back as --anchor next time.
    """
    expected = audit.parse_anchor(anchor) if anchor else None
    with _session(_settings(ctx), write=False) as session:
        result = audit.verify_chain(session, anchor=expected)
    if result.ok:
        verified = _count(result.events_checked, "event")
        console.print(f"The audit log is intact: {verified} verified.")
        if result.head_seq is not None:
            console.print(f"Head: {result.head_seq}:{result.head_hash}")
        return
    err_console.print(
        f"[bold red]The audit log is broken at event {result.broken_seq}:[/] "
        + escape(f"{result.reason} ({_count(result.events_checked, 'event')} before it verified).")
    )
    sys.exit(1)


@main.group("sdmx")
def sdmx_group() -> None:
    """SDMX structures: DSDs, dataflows, codelists and concept schemes (SDMX-ML 2.1)."""


@sdmx_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
@handles_errors
def sdmx_import(ctx: click.Context, file: Path) -> None:
    """Import an SDMX-ML 2.1 structure message: all of its structures, or none.

    Re-importing the same message changes nothing. Different content under a stored
    version is refused if that version is final or a dataset references it.
    """
    from catalog import sdmx

    settings = _settings(ctx)
    with file.open("rb") as handle:
        # One byte over the limit is enough for the service to refuse the file.
        data = handle.read(settings.sdmx.max_bytes + 1)
    with _session(settings) as session:
        report = sdmx.import_message(
            session, actor=_cli_actor(), data=data, max_bytes=settings.sdmx.max_bytes
        )
    for item in report.items:
        detail = f" ({item.detail})" if item.detail else ""
        console.print(escape(f"  {item.outcome:<9} {item.ref.kind:<13} {item.ref.label}{detail}"))
    for skipped in report.skipped:
        console.print(escape(f"  skipped   {skipped.kind:<13} {skipped.id}: {skipped.reason}"))
    console.print(
        f"{report.count('created')} created, {report.count('extended')} extended, "
        f"{report.count('replaced')} replaced, {report.count('unchanged')} unchanged, "
        f"{len(report.skipped)} skipped."
    )


@sdmx_group.command("list")
@click.option(
    "--kind",
    type=click.Choice(["datastructure", "dataflow", "codelist", "conceptscheme"]),
    default=None,
    help="Only this kind.",
)
@click.option("--agency", default=None, help="Only this maintenance agency.")
@click.pass_context
@handles_errors
def sdmx_list(ctx: click.Context, kind: str | None, agency: str | None) -> None:
    """List the stored structures."""
    from catalog import sdmx

    with _session(_settings(ctx), write=False) as session:
        rows, total = sdmx.list_structures(
            session, kind=kind, agency=agency, offset=0, limit=1_000_000
        )
    # Plain aligned lines rather than a table: URN parts must stay whole to be copied.
    lines = [("kind", "agency", "id", "version", "final", "name")]
    for row in rows:
        name = row.name.get("es") or row.name.get("en") or next(iter(row.name.values()), "")
        lines.append(
            (row.kind, row.agency, row.sdmx_id, row.version, "yes" if row.is_final else "no", name)
        )
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    for line in lines:
        padded = [part.ljust(width) for part, width in zip(line[:5], widths, strict=True)]
        click.echo("  ".join([*padded, line[5]]))
    console.print(f"{_count(total, 'structure')}.")


@sdmx_group.command("export")
@click.argument(
    "kind", type=click.Choice(["datastructure", "dataflow", "codelist", "conceptscheme"])
)
@click.argument("agency")
@click.argument("structure_id", metavar="ID")
@click.argument("version")
@click.option(
    "--references",
    type=click.Choice(["none", "children", "descendants"]),
    default="none",
    show_default=True,
    help="Also export the stored structures it refers to (as SDMX REST does).",
)
@_output_option
@click.pass_context
@handles_errors
def sdmx_export(
    ctx: click.Context,
    kind: str,
    agency: str,
    structure_id: str,
    version: str,
    references: str,
    output: Path | None,
) -> None:
    """Export a stored structure as an SDMX-ML 2.1 structure message.

    VERSION may be 'latest'.
    """
    from catalog import sdmx
    from catalog.sdmx_ml import Ref

    with _session(_settings(ctx), write=False) as session:
        _, xml = sdmx.export_structure(
            session,
            Ref(kind, agency, structure_id, version),
            references=references,  # type: ignore[arg-type] # a click.Choice of them
        )
    if output is None:
        click.echo(xml.decode("utf-8"), nl=False)
    else:
        _write_output(output, [xml])
        err_console.print(escape(f"Wrote {output} ({_count(len(xml), 'byte')})."))


@main.group("governance")
def governance_group() -> None:
    """Governance records: legal bases, consent records, offer policies."""


@governance_group.command("sweep")
@click.pass_context
@handles_errors
def governance_sweep(ctx: click.Context) -> None:
    """Record, as events, consents whose term ran out (run daily; safe to repeat).

    Expiry takes effect without this command (the status is derived when read); the
    sweep writes it into each record's history, dated when the consent expired.
    """
    from catalog.consents import record_expiries

    with _session(_settings(ctx)) as session:
        count = record_expiries(session, actor=Principal.system("governance-sweep"))
    console.print(f"Recorded {_count(count, 'consent expiry', 'consent expiries')}.")


@main.group("sharing")
def sharing_group() -> None:
    """Access requests and sharing agreements."""


@sharing_group.command("expire")
@click.pass_context
@handles_errors
def sharing_expire(ctx: click.Context) -> None:
    """Record agreements whose validity ended as expired (run daily; safe to repeat).

    Expiry takes effect without this command: the gateway denies a lapsed agreement
    on the next request and records it then. The sweep records the rest, audited and
    notified to every party.
    """
    from catalog.agreements import expire_due

    with _session(_settings(ctx)) as session:
        count = expire_due(session, actor=Principal.system("sharing-sweep"))
    console.print(f"Recorded {_count(count, 'agreement expiry', 'agreement expiries')}.")


@main.group("mail")
def mail_group() -> None:
    """Notifications by e-mail (the [mail] section of config.toml)."""


@mail_group.command("send")
@click.pass_context
@handles_errors
def mail_send(ctx: click.Context) -> None:
    """Mail pending notifications from the outbox through the configured SMTP server.

    Run it from cron or a systemd timer. Messages are marked one by one, so a crash
    re-sends at most one; failures are retried on the next run up to mail.max_attempts.
    """
    from catalog.notifications import send_pending

    settings = _settings(ctx)
    with _session(settings) as session:
        report = send_pending(session, settings.mail)
    console.print(f"Sent {report.sent}, failed {report.failed}; {report.pending} still waiting.")


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
    console.print(escape(f"Created organization {name}."))


# ---------------------------------------------------------------- DCAT: validate, harvest


@main.command("validate")
@click.option(
    "--all", "everything", is_flag=True, help="Validate drafts too (as an auditor sees it)."
)
@click.option("--dataset", "name", default=None, help="Validate one dataset instead.")
@click.option("--details", is_flag=True, help="List every warning instead of a summary.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for a large catalog (default: one per core; each holds a "
    "batch of 500 datasets, some 300 MB).",
)
@click.pass_context
@handles_errors
def validate(
    ctx: click.Context, everything: bool, name: str | None, details: bool, jobs: int | None
) -> None:
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
            document, _ = dcat.dataset_document_triples(
                session, actor=actor, name=name, settings=settings
            )
            graph = to_graph(document)
            report, checked = shacl.validate_graph(graph), len(graph)
            what = f"dataset {name}"
        else:
            query = dcat.CatalogQuery(
                paged=False, filters={"status": ["published", "draft"]} if everything else {}
            )
            report, checked, total = _validate_catalog(session, actor, settings, query, jobs=jobs)
            what = f"the catalog ({_count(total, 'dataset')})"
        score = None if name else quality.catalog_quality_for(session, actor=actor)
    console.print(
        f"[bold]DCAT-AP 3.0.1 validation of {escape(what)}[/] ({_count(checked, 'triple')})"
    )
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
            escape(
                f"Metadata quality of the catalog: {_points(score['score'])} of "
                f"{_points(score['max_score'])} points ({score['percent']} %, "
                f"{score['rating']}) over {_count(score['datasets'], 'dataset')}"
            )
        )
    if violations:
        err_console.print(f"[bold red]{_count(len(violations), 'violation')}[/]")
        sys.exit(1)
    console.print("Conforms: no violations.")


def _points(score: float) -> str:
    """A score as people write it: 340, not 340.0; 312.5 as it is."""
    return f"{score:.1f}".removesuffix(".0")


# Datasets validated together: one graph of the whole catalog grows by about 0.3 MB per
# dataset in pySHACL (800 MB at 2,000), so a large catalog goes a batch at a time.
VALIDATION_BATCH = 500


def _validate_catalog(
    session: Session,
    actor: Principal,
    settings: Settings,
    query: CatalogQuery,
    *,
    jobs: int | None = None,
) -> tuple[ShaclReport, int, int]:
    """The catalog's SHACL report, its triples, and its datasets, a batch at a time.

    Each batch is validated beside the catalog's own description and describes the
    agents and concepts it refers to, so its findings are those the whole graph gives
    for its datasets; findings about what batches share are reported once, and so are
    the shared triples in the count (the size of the catalog as one graph). Batches are
    validated by ``jobs`` forked worker processes (default: one per core) while this one
    reads the next.
    """
    from collections import deque
    from concurrent.futures import Future

    from rdflib.namespace import DCAT

    from catalog import dcat, shacl
    from catalog.iris import dataset_iri
    from catalog.rdfio import to_graph
    from catalog.workers import forked_workers

    export = dcat.catalog_export(
        session,
        actor=actor,
        settings=settings,
        query=query,
        batch_size=VALIDATION_BATCH,
        self_contained=True,
    )
    batches = iter(export.batches)
    header = next(batches)
    owner = _DatasetOwner(dataset_iri(settings.catalog.base_uri, ""))
    reports, triples, shared = [], 0, set()
    pending: deque[tuple[Future[ShaclReport], int]] = deque()
    workers = min(jobs or os.cpu_count() or 1, -(-export.total // VALIDATION_BATCH))
    if workers > 1:
        for key in shacl.SHAPES:  # parsed once, here, and shared with the forked workers
            shacl.shapes_graph(key)
    with forked_workers(workers) as pool, _progress() as bar:
        task = bar.add_task("validating", total=export.total)

        def collect(waiting: int) -> None:
            # Reports in batch order; at most ``waiting`` batches left with the workers.
            while len(pending) > waiting or (pending and pending[0][0].done()):
                future, datasets = pending.popleft()
                reports.append(future.result())
                bar.advance(task, datasets)

        for batch in batches:
            own = {str(t[2]) for t in batch if t[1] == DCAT.dataset}
            graph = to_graph([*header, *batch])
            if pool is None:
                reports.append(shacl.validate_graph(graph))
                bar.advance(task, len(own))
            else:
                pending.append((pool.submit(_validate_triples, [*header, *batch]), len(own)))
            for triple in graph:
                # A batch's datasets, and what is named under their IRIs, are in no other
                # batch: only the rest can repeat.
                if owner.of(triple) in own:
                    triples += 1
                elif triple not in shared:
                    shared.add(triple)
                    triples += 1
            collect(workers)  # one batch waiting per worker: memory of a few batches
        collect(0)
    if not reports:  # an empty catalog: its own description still has shapes to meet
        graph = to_graph(header)
        reports.append(shacl.validate_graph(graph))
        triples = len(graph)
    return shacl.merge_reports(reports), triples, export.total


def _validate_triples(triples: list[Any]) -> ShaclReport:
    """One batch's report, in a worker process."""
    from catalog import shacl
    from catalog.rdfio import to_graph

    return shacl.validate_graph(to_graph(triples))


class _DatasetOwner:
    """Which dataset a triple describes: its subject is the dataset, or named under it.

    Contact points, periods and distributions are fragments of the dataset's IRI
    (``.../dataset/enei-2024#contact-point``), offers a path below it (``.../offer``);
    the catalog's ``dcat:dataset`` link belongs to the dataset it names. A type given to
    the dataset's IRI other than ``dcat:Dataset`` belongs to none: another dataset that
    names it as a page or a standard states it too (``foaf:Document``).
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def of(self, triple: tuple[Any, Any, Any]) -> str | None:
        from rdflib.namespace import DCAT, RDF

        subject, predicate, value = triple
        if predicate == DCAT.dataset:
            return str(value)
        iri = str(subject)
        if not iri.startswith(self.prefix):
            return None
        name = iri[len(self.prefix) :].split("#", 1)[0].split("/", 1)[0]
        if predicate == RDF.type and value != DCAT.Dataset and iri == self.prefix + name:
            return None
        return self.prefix + name


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
        escape(
            f"Harvested {source}: {_count(report.datasets, 'dataset')} in "
            f"{_count(report.pages, 'page')}; "
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped."
        )
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
    type=click.Choice(list(FORMAT_BY_SUFFIX)),
    default=TURTLE.suffix,
    show_default=True,
)
@_output_option
@click.pass_context
@handles_errors
def export_dcat(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Write the public catalog as one DCAT-AP document (streamed, not paged)."""
    from catalog import dcat

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
        _write_output(output, (chunk.encode("utf-8") for chunk in export.chunks))
    err_console.print(escape(f"Wrote {_count(export.total, 'dataset')} to {output}."))


if __name__ == "__main__":
    main()
