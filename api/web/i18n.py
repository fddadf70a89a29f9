"""A small dict-based translator for the web pages: Spanish first, then English.

Messages are keyed by a stable id (``"login.title"``) and formatted with
``str.format`` fields. The language of a request is, in order: ``?lang=`` (remembered
in a cookie), the ``simel_lang`` cookie, the browser's ``Accept-Language``, and
finally the configured default (``es``). Every language must define every key (a test
checks it); a missing key falls back to the default language rather than failing.

Why not Babel catalogs: the pages have a few dozen short strings, and a dict keeps
them reviewable in one place. The keys are stable, so moving to Babel ``.po`` files
later is a mechanical export.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import g, request

from api.context import state

LANG_COOKIE = "simel_lang"

MESSAGES: Mapping[str, Mapping[str, str]] = {
    "es": {
        "site.name": "Catálogo SIMEL",
        "site.skip": "Saltar al contenido",
        "site.language": "Idioma",
        "site.account": "Cuenta",
        "site.signed_in_as": "Sesión de {username}",
        "lang.es": "Español",
        "lang.en": "English",
        "home.title": "Inicio",
        "home.intro": (
            "Metadatos de los conjuntos de datos de los Sistemas de Información del Mercado "
            "Laboral (SIMEL) de Guatemala, El Salvador, Honduras, México y Belice: encuestas "
            "de fuerza laboral y de hogares, permisos de trabajo, tarjetas de trabajador "
            "fronterizo, registros de migrantes retornados y registros consulares, con sus "
            "bases legales y sus políticas de acceso."
        ),
        "home.figures": "El catálogo en cifras",
        "home.datasets": "Conjuntos de datos publicados",
        "home.organizations": "Instituciones que publican",
        "home.countries": "Países",
        "home.explore": "Explorar el catálogo",
        "home.search": "Buscar conjuntos de datos (API JSON, con facetas)",
        "home.api_docs": "Documentación interactiva de la API",
        "home.dcat": "El catálogo en DCAT-AP (RDF: Turtle, JSON-LD, RDF/XML)",
        "home.openapi": "Descripción OpenAPI 3.1 de la API",
        "login.title": "Iniciar sesión",
        "login.intro": "Ingrese con su usuario del catálogo SIMEL.",
        "login.username": "Usuario",
        "login.password": "Contraseña",
        "login.submit": "Ingresar",
        "login.failed": "Usuario o contraseña incorrectos.",
        "login.locked": (
            "Demasiados intentos fallidos. Por seguridad, la cuenta queda bloqueada; "
            "vuelva a intentarlo en {minutes} minuto(s)."
        ),
        "login.missing": "Escriba su usuario y su contraseña.",
        "login.signed_in": "Sesión iniciada como {username}.",
        "login.signed_out": "Ha cerrado la sesión.",
        "logout.title": "Cerrar sesión",
        "logout.question": "¿Desea cerrar la sesión de {username}?",
        "logout.submit": "Cerrar sesión",
        "csrf.title": "El formulario caducó",
        "csrf.message": (
            "No pudimos verificar el formulario (puede haber caducado). "
            "Vuelva a la página anterior, recárguela e inténtelo de nuevo."
        ),
        "consent.title": "Autorizar una aplicación",
        "consent.intro": (
            "La aplicación «{client}», de {organization}, solicita acceso en su nombre."
        ),
        "consent.as_user": "Usted ha iniciado sesión como {username}.",
        "consent.organization": "Actuar en nombre de",
        "consent.scopes": "Permisos que se concederán",
        "consent.not_granted": "Solicitados pero no concedidos (su función no los permite)",
        "consent.allow": "Autorizar",
        "consent.deny": "Rechazar",
        "consent.no_role": (
            "Su cuenta no tiene ninguna función que permita los permisos solicitados "
            "por esta aplicación. Consulte con la administración del catálogo."
        ),
        "consent.expires": "El acceso puede retirarse en cualquier momento revocando el token.",
        "oauth.error.title": "Solicitud de autorización no válida",
        "oauth.error.message": "La aplicación envió una solicitud que no podemos atender: {detail}",
        "role.steward": "responsable de datos",
        "role.requester": "solicitante",
        "role.signatory": "firmante",
        "role.auditor": "auditoría",
        "role.admin": "administración",
        "scope.catalog:read": "Ver el catálogo, incluidos los borradores de su institución",
        "scope.catalog:write": "Crear y modificar los metadatos de su institución",
        "scope.governance:write": "Registrar bases legales, consentimientos y políticas",
        "scope.requests:write": "Presentar y retirar solicitudes de acceso a datos",
        "scope.agreements:sign": "Firmar acuerdos de intercambio de datos",
        "scope.audit:read": "Leer el registro de auditoría y los registros de gobernanza",
        "scope.data:read": "Descargar datos restringidos que cubra un acuerdo vigente",
        "scope.admin": "Administrar el catálogo",
    },
    "en": {
        "site.name": "SIMEL Catalog",
        "site.skip": "Skip to content",
        "site.language": "Language",
        "site.account": "Account",
        "site.signed_in_as": "Signed in as {username}",
        "lang.es": "Español",
        "lang.en": "English",
        "home.title": "Home",
        "home.intro": (
            "Metadata of the datasets of the Labour Market Information Systems (SIMEL) of "
            "Guatemala, El Salvador, Honduras, Mexico and Belize: labour-force and household "
            "surveys, work permits, border-worker cards, returned-migrant registries and "
            "consular records, with their legal bases and access policies."
        ),
        "home.figures": "The catalog in figures",
        "home.datasets": "Published datasets",
        "home.organizations": "Publishing institutions",
        "home.countries": "Countries",
        "home.explore": "Explore the catalog",
        "home.search": "Search datasets (JSON API, with facets)",
        "home.api_docs": "Interactive API documentation",
        "home.dcat": "The catalog as DCAT-AP (RDF: Turtle, JSON-LD, RDF/XML)",
        "home.openapi": "The API's OpenAPI 3.1 description",
        "login.title": "Sign in",
        "login.intro": "Sign in with your SIMEL catalog account.",
        "login.username": "Username",
        "login.password": "Password",
        "login.submit": "Sign in",
        "login.failed": "Wrong username or password.",
        "login.locked": (
            "Too many failed attempts. For your security the account is locked; "
            "try again in {minutes} minute(s)."
        ),
        "login.missing": "Enter your username and your password.",
        "login.signed_in": "Signed in as {username}.",
        "login.signed_out": "You have signed out.",
        "logout.title": "Sign out",
        "logout.question": "Sign {username} out?",
        "logout.submit": "Sign out",
        "csrf.title": "The form expired",
        "csrf.message": (
            "We could not verify the form (it may have expired). "
            "Go back, reload the page and try again."
        ),
        "consent.title": "Authorize an application",
        "consent.intro": (
            "The application “{client}”, of {organization}, asks for access on your behalf."
        ),
        "consent.as_user": "You are signed in as {username}.",
        "consent.organization": "Act on behalf of",
        "consent.scopes": "Permissions to grant",
        "consent.not_granted": "Requested but not granted (your role does not allow them)",
        "consent.allow": "Authorize",
        "consent.deny": "Deny",
        "consent.no_role": (
            "Your account holds no role that allows the permissions this application "
            "asks for. Ask the catalog's administrators."
        ),
        "consent.expires": "Access can be withdrawn at any time by revoking the token.",
        "oauth.error.title": "Invalid authorization request",
        "oauth.error.message": "The application sent a request we cannot serve: {detail}",
        "role.steward": "data steward",
        "role.requester": "requester",
        "role.signatory": "signatory",
        "role.auditor": "auditor",
        "role.admin": "administrator",
        "scope.catalog:read": "See the catalog, including your institution's drafts",
        "scope.catalog:write": "Create and change your institution's metadata",
        "scope.governance:write": "Record legal bases, consents and policies",
        "scope.requests:write": "File and withdraw data access requests",
        "scope.agreements:sign": "Sign data-sharing agreements",
        "scope.audit:read": "Read the audit log and governance records",
        "scope.data:read": "Download restricted data covered by an active agreement",
        "scope.admin": "Administer the catalog",
    },
}


def languages() -> tuple[str, ...]:
    """The configured interface languages, default first."""
    i18n = state().settings.i18n
    ordered = [i18n.default_language, *i18n.languages]
    return tuple(lang for lang in dict.fromkeys(ordered) if lang in MESSAGES)


def requested_language() -> str | None:
    """A supported ``?lang=`` value, if the request carries one."""
    value = request.args.get("lang")
    return value if value in languages() else None


def current_language() -> str:
    """The language of this request (see the module docstring)."""
    cached: str | None = g.get("language")
    if cached:
        return cached
    supported = languages()
    chosen = requested_language()
    if chosen is None and request.cookies.get(LANG_COOKIE) in supported:
        chosen = request.cookies[LANG_COOKIE]
    if chosen is None:
        chosen = request.accept_languages.best_match(supported)
    g.language = chosen or supported[0]
    return str(g.language)


def translate(key: str, **values: Any) -> str:
    """The message ``key`` in the request's language, formatted with ``values``."""
    default = state().settings.i18n.default_language
    text = MESSAGES.get(current_language(), {}).get(key) or MESSAGES[default].get(key, key)
    return text.format(**values) if values else text
