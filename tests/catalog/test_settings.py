"""Configuration precedence and validation."""

from __future__ import annotations

import stat

import pytest

from catalog.errors import ConfigurationError
from catalog.settings import environment_overrides, instance_secret, load_settings


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[database]\nurl = "sqlite:///from-file.db"\n[api]\npage_size = 30\n')
    return path


def test_repository_config_loads_with_defaults():
    settings = load_settings(environ={})
    assert settings.i18n.languages == ("es", "en")
    assert settings.i18n.default_language == "es"
    assert settings.database_url.startswith("sqlite:////")


def test_file_then_environment_then_overrides(config_file, tmp_path):
    from_file = load_settings(config_path=config_file, environ={})
    assert from_file.api.page_size == 30
    assert from_file.database_url == f"sqlite:///{tmp_path}/from-file.db"
    env = {"SIMEL_API__PAGE_SIZE": "50", "SIMEL_DATABASE__URL": "postgresql+psycopg://u@h/db"}
    from_env = load_settings(config_path=config_file, environ=env)
    assert from_env.api.page_size == 50
    assert from_env.database_url == "postgresql+psycopg://u@h/db"
    overridden = load_settings({"api": {"page_size": 7}}, config_path=config_file, environ=env)
    assert overridden.api.page_size == 7


def test_simel_config_names_the_file(config_file):
    assert load_settings(environ={"SIMEL_CONFIG": str(config_file)}).api.page_size == 30
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_settings(environ={"SIMEL_CONFIG": str(config_file) + ".missing"})


def test_environment_values_are_json_when_they_parse(config_file):
    env = {
        "SIMEL_I18N__LANGUAGES": '["es", "en", "fr"]',
        "SIMEL_CATALOG__BASE_URI": "https://x.org",
    }
    settings = load_settings(config_path=config_file, environ=env)
    assert settings.i18n.languages == ("es", "en", "fr")
    assert settings.catalog.base_uri == "https://x.org/"
    assert environment_overrides({"OTHER": "1", "SIMEL_X": "1"}) == {}


def test_the_upload_limit_is_in_the_file_and_the_environment(config_file):
    assert load_settings(environ={}).storage.max_upload_bytes == 512 * 1024 * 1024
    env = {"SIMEL_STORAGE__MAX_UPLOAD_BYTES": "2048"}
    assert load_settings(config_path=config_file, environ=env).storage.max_upload_bytes == 2048
    with pytest.raises(ConfigurationError, match="max_upload_bytes"):
        load_settings({"storage": {"max_upload_bytes": 10}}, config_path=config_file, environ={})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"databse": {"url": "x"}}, "databse"),
        ({"api": {"page_sise": 3}}, "page_sise"),
        ({"api": {"page_size": 0}}, "page_size"),
        ({"database": {"url": "mysql://x"}}, "sqlite and postgresql"),
        ({"catalog": {"base_uri": "ftp://x"}}, "base_uri"),
    ],
)
def test_unknown_or_invalid_values_are_errors(config_file, overrides, message):
    with pytest.raises(ConfigurationError, match=message):
        load_settings(overrides, config_path=config_file, environ={})


def test_placeholder_secret_refused_in_production(config_file):
    with pytest.raises(ConfigurationError, match="placeholder"):
        load_settings(
            {"app": {"environment": "production"}, "security": {"secret_key": "changeme"}},
            config_path=config_file,
            environ={},
        )


def test_secret_is_generated_once_owner_only(tmp_path, config_file):
    settings = load_settings(
        {"app": {"instance_path": str(tmp_path / "inst")}}, config_path=config_file, environ={}
    )
    first = instance_secret(settings)
    assert len(first) >= 48
    assert instance_secret(settings) == first
    mode = stat.S_IMODE((tmp_path / "inst" / "secret_key").stat().st_mode)
    assert mode == 0o600
    env_settings = load_settings(
        {"security": {"secret_key": "k" * 40}}, config_path=config_file, environ={}
    )
    assert instance_secret(env_settings) == "k" * 40


def test_auth_section_defaults_and_limits(config_file):
    settings = load_settings(config_path=config_file, environ={})
    assert settings.auth.access_token_lifetime == 600
    assert settings.auth.login_max_failures == 5
    assert settings.issuer == "http://localhost:5000"
    env = {"SIMEL_AUTH__ACCESS_TOKEN_LIFETIME": "120", "SIMEL_AUTH__ISSUER": "https://a.example/"}
    custom = load_settings(config_path=config_file, environ=env)
    assert custom.auth.access_token_lifetime == 120
    assert custom.issuer == "https://a.example"
    for bad in (
        {"auth": {"access_token_lifetime": 5}},
        {"auth": {"authorization_code_lifetime": 3600}},
        {"auth": {"issuer": "https://a.example/?x=1"}},
        {"auth": {"lifetime": 1}},
    ):
        with pytest.raises(ConfigurationError):
            load_settings(bad, config_path=config_file, environ={})


def test_repository_config_has_the_auth_section():
    settings = load_settings(environ={})
    assert settings.auth.refresh_token_lifetime == 604800
    assert settings.auth.login_lockout_seconds == 900
