"""Helpers shared by the JSON API views: bodies, preconditions, paging, links."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, overload
from urllib.parse import urlencode

from flask import Response, jsonify, request, url_for

import metadata_schemas
from api.context import state
from catalog.datasets import ANY_REVISION, NO_REVISION
from catalog.errors import BadRequest, FieldError, InvalidMetadata, UnsupportedMediaType

MERGE_PATCH = "application/merge-patch+json"
MAX_PAGE = 100_000
_TOO_DEEP = f"the body nests deeper than {metadata_schemas.MAX_DEPTH} levels"
# Our ETags are revision numbers: ASCII digits, no leading zero, within 32 bits.
_ETAG = re.compile(r'^\s*"([1-9][0-9]{0,9})"\s*$')


def json_body(*, allow_merge_patch: bool = False) -> Any:
    """The request's JSON body.

    Raises:
        UnsupportedMediaType: the body is not JSON (or merge patch, where allowed).
        BadRequest: the body is not well-formed JSON.
    """
    mimetype = request.mimetype
    accepted = {"application/json"} | ({MERGE_PATCH} if allow_merge_patch else set())
    if mimetype not in accepted:
        raise UnsupportedMediaType(
            f"send the body as {' or '.join(sorted(accepted))} (got '{mimetype or 'nothing'}')"
        )
    return parsed_json(request.get_data(cache=True))


def parsed_json(data: bytes) -> Any:
    """``data`` parsed as JSON, with only text a database can store.

    Raises:
        BadRequest: not well-formed UTF-8 JSON, or text holding U+0000 or an unpaired
            surrogate (see :func:`metadata_schemas.unstorable_text`).
    """
    try:
        value = metadata_schemas.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise BadRequest(_TOO_DEEP) from exc
    if metadata_schemas.nests_deeper_than(value, metadata_schemas.MAX_DEPTH):
        raise BadRequest(_TOO_DEEP)
    # JSON can only write NUL and lone surrogates as escapes: the bytes say whether
    # to look.
    if b"\\u" in data and (unstorable := metadata_schemas.unstorable_text(value)):
        raise BadRequest(
            f"{unstorable[0][1]}: at {', '.join(pointer for pointer, _ in unstorable[:10])}"
        )
    return value


def body_text(body: Any, key: str, *, longest: int) -> str | None:
    """The text member ``key`` of a JSON object body, if given.

    Raises:
        InvalidMetadata: it is not a text, or longer than ``longest`` (the column that
            keeps it: SQLite would store more, PostgreSQL would not).
    """
    value = body.get(key) if isinstance(body, dict) else None
    if value is not None and not isinstance(value, str):
        raise InvalidMetadata(
            f"'{key}' must be a text", [FieldError(f"/{key}", "expected a string")]
        )
    if value is not None and len(value) > longest:
        raise InvalidMetadata(
            f"'{key}' is too long", [FieldError(f"/{key}", f"at most {longest} characters")]
        )
    return value


def etag_for(revision: int) -> str:
    """The strong ETag of a revision."""
    return f'"{revision}"'


def if_match_revision() -> int | None:
    """The revision named by ``If-Match``.

    Returns ``None`` without the header, :data:`catalog.datasets.ANY_REVISION` for
    ``If-Match: *`` (RFC 9110: any current representation), and
    :data:`catalog.datasets.NO_REVISION` for a value that is none of our ETags (weak or
    foreign), which can never match.
    """
    header = request.headers.get("If-Match")
    if header is None:
        return None
    if header.strip() == "*":
        return ANY_REVISION
    match = _ETAG.match(header)
    return int(match.group(1)) if match else NO_REVISION


def query_list(name: str) -> list[str]:
    """A repeatable query parameter, also accepting comma-separated values."""
    values: list[str] = []
    for raw in request.args.getlist(name):
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return values


def query_value(name: str) -> str | None:
    """The query parameter ``name``, given at most once.

    A parameter given twice is refused rather than silently reading the first: where it
    declares something (a purpose, a country), the second declaration would go unchecked.

    Raises:
        BadRequest: repeated.
    """
    values = request.args.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"give {name} once")
    return values[0] if values else None


_WHOLE_NUMBER = re.compile(r"[0-9]+")


@overload
def whole_number(name: str, default: int, *, maximum: int, minimum: int = 1) -> int: ...


@overload
def whole_number(name: str, default: None, *, maximum: int, minimum: int = 1) -> int | None: ...


def whole_number(name: str, default: int | None, *, maximum: int, minimum: int = 1) -> int | None:
    """The query parameter ``name`` as a whole number between ``minimum`` and ``maximum``.

    Only ASCII digits: ``int()`` alone would also take ``+5``, ``1_000``, spaces and
    other scripts' digits (full-width, Arabic-Indic). A parameter given twice is refused
    rather than silently reading the first.

    Raises:
        BadRequest: repeated, not a whole number, or out of range.
    """
    values = request.args.getlist(name)
    if not values:
        return default
    if len(values) > 1:
        raise BadRequest(f"give {name} once")
    if not _WHOLE_NUMBER.fullmatch(values[0]):
        raise BadRequest(f"{name} must be a whole number written with the digits 0-9")
    digits = values[0].lstrip("0") or "0"
    # Bounded before int(): a thousand digits would be parsed for nothing.
    value = int(digits) if len(digits) <= len(str(maximum)) else maximum + 1
    if not minimum <= value <= maximum:
        raise BadRequest(f"{name} must be between {minimum} and {maximum}")
    return value


def paging() -> tuple[int, int]:
    """``(page, page_size)`` from the query string, bounded by the configuration.

    Offsets must fit the databases' 64-bit integers and nobody pages deeper than
    :data:`MAX_PAGE`: narrowing the search is the way there.

    Raises:
        BadRequest: not whole numbers in range.
    """
    api = state().settings.api
    page = whole_number("page", 1, maximum=MAX_PAGE)
    size = whole_number("page_size", api.page_size, maximum=api.max_page_size)
    return page, size


def page_links(
    endpoint: str,
    page: int,
    size: int,
    total: int,
    *,
    fixed: Mapping[str, str] | None = None,
    **values: Any,
) -> dict[str, str]:
    """``self``/``first``/``prev``/``next``/``last`` links keeping the other parameters.

    ``fixed`` parameters replace the request's own of the same name in every link.
    """
    fixed = fixed or {}
    params = [
        (k, v) for k, v in request.args.items(multi=True) if k not in {"page", "page_size", *fixed}
    ]
    params += fixed.items()
    last = max(1, -(-total // size))
    base = url_for(endpoint, _external=True, **values)

    def link(number: int) -> str:
        query = urlencode([*params, ("page", str(number)), ("page_size", str(size))])
        return f"{base}?{query}"

    links = {"self": link(page), "first": link(1), "last": link(last)}
    if page > 1:
        links["prev"] = link(min(page - 1, last))
    if page < last:
        links["next"] = link(page + 1)
    return links


def page_response(
    endpoint: str,
    items: list[Any],
    *,
    total: int,
    page: int,
    size: int,
    members: Mapping[str, Any] | None = None,
    fixed: Mapping[str, str] | None = None,
    **values: Any,
) -> Response:
    """One page of a listing: its items, ``members`` beside them, and its paging links.

    ``fixed`` and ``values`` are as for :func:`page_links`.
    """
    links = page_links(endpoint, page, size, total, fixed=fixed, **values)
    body = {"total": total, "page": page, "page_size": size, **(members or {})}
    return paged_response({**body, "items": items, "links": links}, links)


def paged_response(body: dict[str, Any], links: dict[str, str]) -> Response:
    """A JSON response with the RFC 8288 ``Link`` header mirroring ``links``."""
    response = jsonify(body)
    response.headers["Link"] = ", ".join(
        f'<{href}>; rel="{rel}"' for rel, href in links.items() if rel != "self"
    )
    return response
