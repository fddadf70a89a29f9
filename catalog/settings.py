"""Configuration: ``config.toml``, then ``SIMEL_*`` environment variables, then overrides.

Precedence, lowest to highest:

1. the TOML file named by ``SIMEL_CONFIG``, else ``config.toml`` at the repository root;
2. environment variables ``SIMEL_<SECTION>__<KEY>`` (for example ``SIMEL_DATABASE__URL``),
   whose values are read as JSON when they parse as JSON (``20``, ``true``, ``["es"]``)
   and as plain strings otherwise;
3. explicit overrides (a nested mapping; tests and the CLI's ``--database`` use them).

The merged result is validated into frozen :class:`Settings`: an unknown section or key
is an error (a typo must not silently fall back to a default). Relative paths are taken
relative to the directory of the configuration file. Nothing here runs at import time.
"""

from __future__ import annotations

import json
import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from sqlalchemy.engine import make_url

from catalog.errors import ConfigurationError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = REPO_ROOT / "config.toml"
ENV_PREFIX = "SIMEL_"
_PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev", "development", "xxx"}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AppSettings(_Section):
    """Process-wide settings."""

    environment: Literal["development", "production", "test"] = "development"
    instance_path: str = "instance"
    problem_base_uri: str = "https://w3id.org/simel/problems/"
    log_level: str = "INFO"
    # Reverse proxies in front of the service whose X-Forwarded-* headers are believed
    # (client address, scheme, host, path prefix). 0: none, the headers are ignored.
    trusted_proxies: int = Field(default=0, ge=0, le=5)


class SecuritySettings(_Section):
    """Secrets. Never set them in the file: use the environment or the instance folder."""

    secret_key: str | None = None
    session_cookie_secure: bool = True


class DatabaseSettings(_Section):
    """Where the catalog lives. SQLite is the embedded default; PostgreSQL is production."""

    url: str = "sqlite:///instance/simel.db"
    echo: bool = False
    pool_size: int = Field(default=5, ge=1)
    # Seconds a write waits for the one before it to end (then: 503, try again).
    writer_wait_seconds: float = Field(default=10.0, gt=0, le=300)

    @field_validator("url")
    @classmethod
    def _parsable(cls, value: str) -> str:
        url = make_url(value)
        if url.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError("only sqlite and postgresql databases are supported")
        return value


class CatalogSettings(_Section):
    """The catalog as a DCAT Catalog: its IRIs, names and publisher."""

    base_uri: str = "http://localhost:5000/"
    title: dict[str, str] = Field(
        default_factory=lambda: {
            "es": "Catálogo SIMEL de datos del mercado laboral y la migración laboral",
            "en": "SIMEL catalog of labour-market and labour-migration data",
        }
    )
    description: dict[str, str] = Field(
        default_factory=lambda: {
            "es": "Metadatos, bases legales y acuerdos de intercambio de los SIMEL.",
            "en": "Metadata, legal bases and sharing agreements of the SIMEL systems.",
        }
    )

    @field_validator("base_uri")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_uri must be an http(s) URI")
        return value if value.endswith("/") else value + "/"


class I18nSettings(_Section):
    """Languages of the user interface and of multilingual metadata (Spanish first)."""

    default_language: str = "es"
    languages: tuple[str, ...] = ("es", "en")


class StorageSettings(_Section):
    """The folder where the data gateway keeps the files it serves, and upload limits."""

    path: str = "instance/storage"
    # The largest file a steward may upload (PUT .../distributions/ID/data), in bytes;
    # larger ones get 413. Files are streamed to disk, never held in memory.
    max_upload_bytes: int = Field(default=512 * 1024 * 1024, ge=1024)
    # The most bytes the files held for one organization's datasets may take, uploads
    # included; an upload beyond it gets 413. 0: no quota. One disk holds every
    # organization's files, so that no ministry can fill it for the others.
    organization_quota_bytes: int = Field(default=0, ge=0)


class ApiSettings(_Section):
    """Paging and request limits of the JSON API."""

    page_size: int = Field(default=20, ge=1)
    max_page_size: int = Field(default=100, ge=1)
    max_request_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # Web origins whose pages may call the API, the RDF export and the OAuth token
    # endpoints from a browser (CORS). Empty: none; ["*"]: every origin. Browsers send
    # these callers bearer tokens only, never the catalog's cookies.
    cors_origins: tuple[str, ...] = ()

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "*" in value:
            if len(value) > 1:
                raise ValueError('"*" already allows every origin: list it alone')
            return value
        return tuple(dict.fromkeys(_web_origin(origin) for origin in value))


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _web_origin(text: str) -> str:
    """``text`` as a browser writes it in ``Origin``: ``scheme://host[:port]``, lower case.

    Raises:
        ValueError: ``text`` is not an http(s) origin (it has a path, a query, user
            information, or is the opaque ``null``).
    """
    parts = urlsplit(text.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (
        parts.scheme.lower() not in _DEFAULT_PORTS
        or not parts.hostname
        or port == -1
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    ):
        raise ValueError(f"{text!r} is not a web origin: write scheme://host[:port], no path")
    scheme = parts.scheme.lower()
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    shown_port = "" if port in (None, _DEFAULT_PORTS[scheme]) else f":{port}"
    return f"{scheme}://{host}{shown_port}"


class AuthSettings(_Section):
    """The OAuth 2 authorization server, login sessions and login throttling.

    Lifetimes are in seconds. Access tokens are short-lived so that a role taken away
    from a person or a client stops mattering quickly even for callers that cache
    introspection results; the catalog itself checks every token on every request.
    """

    issuer: str | None = None
    access_token_lifetime: int = Field(default=600, ge=30, le=86400)
    refresh_token_lifetime: int = Field(default=604800, ge=60, le=90 * 86400)
    authorization_code_lifetime: int = Field(default=120, ge=10, le=600)
    session_lifetime: int = Field(default=28800, ge=60, le=7 * 86400)
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_lockout_seconds: int = Field(default=900, ge=1, le=86400)

    @field_validator("issuer")
    @classmethod
    def _issuer_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")) or "?" in value or "#" in value:
            raise ValueError("issuer must be an http(s) URL without query or fragment")
        return value.rstrip("/")


class SdmxSettings(_Section):
    """Limits of SDMX-ML structure imports (API uploads and ``simel sdmx import``)."""

    # Structure messages are small (the demo's, with every code bilingual, is ~50 KB);
    # the cap bounds the memory and time one upload can take before it is parsed.
    max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)


class RdfSettings(_Section):
    """The DCAT-AP export: paging of ``/catalog`` and the catalog's own publisher."""

    page_size: int = Field(default=100, ge=1)
    max_page_size: int = Field(default=1000, ge=1)
    publisher: str = ""
    license: str = "https://creativecommons.org/publicdomain/zero/1.0/"


class HarvestSettings(_Section):
    """Where and how much the DCAT harvester may fetch."""

    allowed_hosts: tuple[str, ...] = ()
    allow_private_addresses: bool = False
    max_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    max_pages: int = Field(default=1000, ge=1)
    max_total_bytes: int = Field(default=512 * 1024 * 1024, ge=1024)

    @field_validator("allowed_hosts")
    @classmethod
    def _lower_hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(host.strip().lower().rstrip(".") for host in value if host.strip())


class MailSettings(_Section):
    """The SMTP server that ``simel mail send`` hands the outbox's notifications to.

    Off by default: notifications still reach the outbox and the inbox API. The password
    is never read from the file, only from ``SIMEL_MAIL__PASSWORD`` (see the loader).
    """

    enabled: bool = False
    host: str = "localhost"
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str = ""
    password: SecretStr = SecretStr("")
    sender: str = "SIMEL Catalog <no-reply@simel.example>"
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=5, ge=1, le=100)
    batch_size: int = Field(default=100, ge=1, le=10000)


class SharingSettings(_Section):
    """Access requests and agreements."""

    # An agreement's default validity when the request names no period end.
    default_validity_days: int = Field(default=365, ge=1, le=3660)
    inbox_recent_days: int = Field(default=30, ge=1, le=3660)


class Settings(_Section):
    """All settings, validated and frozen."""

    app: AppSettings = AppSettings()
    security: SecuritySettings = SecuritySettings()
    database: DatabaseSettings = DatabaseSettings()
    catalog: CatalogSettings = CatalogSettings()
    i18n: I18nSettings = I18nSettings()
    storage: StorageSettings = StorageSettings()
    api: ApiSettings = ApiSettings()
    auth: AuthSettings = AuthSettings()
    sdmx: SdmxSettings = SdmxSettings()
    rdf: RdfSettings = RdfSettings()
    harvest: HarvestSettings = HarvestSettings()
    mail: MailSettings = MailSettings()
    sharing: SharingSettings = SharingSettings()

    config_dir: str = str(REPO_ROOT)

    def resolve_path(self, value: str) -> Path:
        """Resolve a configured path relative to the configuration file's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else Path(self.config_dir) / path

    @property
    def instance_path(self) -> Path:
        """The instance folder (secrets, SQLite file, storage by default)."""
        return self.resolve_path(self.app.instance_path)

    @property
    def storage_path(self) -> Path:
        """The gateway's storage folder."""
        return self.resolve_path(self.storage.path)

    @property
    def issuer(self) -> str:
        """The OAuth issuer identifier (RFC 8414): configured, else the catalog's base URI."""
        return self.auth.issuer or self.catalog.base_uri.rstrip("/")

    @property
    def token_audience(self) -> str:
        """The resource access tokens are issued for: this catalog (its base URI)."""
        return self.catalog.base_uri

    @property
    def database_url(self) -> str:
        """The database URL, with a relative SQLite path made absolute."""
        url = make_url(self.database.url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            assert url.database is not None  # noqa: S101 # narrowed by the condition above
            url = url.set(database=str(self.resolve_path(url.database)))
        return url.render_as_string(hide_password=False)


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _env_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def environment_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """Turn ``SIMEL_SECTION__KEY=value`` variables into a nested mapping."""
    result: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        parts = name[len(ENV_PREFIX) :].lower().split("__")
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = _env_value(raw)
    return result


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Load, merge and validate the configuration.

    Raises:
        ConfigurationError: the file is unreadable or a value is invalid or unknown.
    """
    environ = os.environ if environ is None else environ
    if config_path is None:
        config_path = Path(environ.get("SIMEL_CONFIG", DEFAULT_CONFIG_PATH))
    data: dict[str, Any] = {}
    if config_path.exists():
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"cannot read {config_path}: {exc}") from exc
    elif "SIMEL_CONFIG" in environ:
        raise ConfigurationError(f"SIMEL_CONFIG names {config_path}, which does not exist")
    if "password" in data.get("mail", {}):
        raise ConfigurationError(
            f"{config_path}: mail.password must not be written in the file; "
            "set SIMEL_MAIL__PASSWORD in the environment instead"
        )
    data = _deep_merge(data, environment_overrides(environ))
    data = _deep_merge(data, overrides or {})
    data.setdefault("config_dir", str(config_path.resolve().parent))
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigurationError(f"invalid configuration: {problems}") from exc
    secret = settings.security.secret_key
    if (
        secret is not None
        and settings.app.environment == "production"
        and (secret.lower() in _PLACEHOLDER_SECRETS or len(secret) < 32)
    ):
        raise ConfigurationError(
            "security.secret_key looks like a placeholder: set SIMEL_SECURITY__SECRET_KEY "
            "to at least 32 random characters, or unset it to generate one"
        )
    return settings


def instance_secret(settings: Settings, name: str = "secret_key") -> str:
    """Return a secret from settings, or from (creating if needed) the instance folder.

    A generated secret is written once with owner-only permissions and reused on every
    start, so sessions survive restarts and no secret is ever committed.
    """
    if name == "secret_key" and settings.security.secret_key:
        return settings.security.secret_key
    folder = settings.instance_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first; read theirs
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()
