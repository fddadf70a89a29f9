"""Content negotiation: the one place where a request chooses its representation.

Every endpoint that answers in more than one format offers some of the formats of
:mod:`catalog.formats` and asks :func:`negotiate` which one to use. The choice comes,
first to last, from the URL suffix (``/catalog.ttl``), from the same name in
``?format=`` (for links and clients that cannot set a header), or from the ``Accept``
header, matched by werkzeug; a request that sends no ``Accept`` gets the first format
offered. What cannot be produced is a 406 that names what can.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import request

from catalog.errors import BadRequest, NotAcceptable
from catalog.formats import Format


def negotiate(offered: Sequence[Format], suffix: str | None = None) -> Format:
    """The format of ``offered`` asked for by ``suffix``, ``?format=`` or ``Accept``.

    Args:
        offered: What the endpoint can produce, its default first.
        suffix: The URL suffix, for the routes that take one.

    Raises:
        BadRequest: ``format`` is given more than once.
        NotAcceptable: the suffix or ``format`` names none of ``offered``, or the client
            accepts none of them.
    """
    return negotiate_type(offered, suffix)[0]


def negotiate_type(offered: Sequence[Format], suffix: str | None = None) -> tuple[Format, str]:
    """The format :func:`negotiate` chooses, and the media type to answer in.

    That is the format's own media type, or the alias that ``Accept`` chose it by
    (``text/xml`` for SDMX-ML).

    Raises:
        BadRequest: ``format`` is given more than once.
        NotAcceptable: the suffix or ``format`` names none of ``offered``, or the client
            accepts none of them.
    """
    asked = request.args.getlist("format")
    if len(asked) > 1:
        raise BadRequest("give format once")
    by_type = {media_type: fmt for fmt in offered for media_type in fmt.media_types}
    media_types = list(by_type)
    named = suffix or (asked[0] if asked else None)
    if named:
        wanted = named.lower().lstrip(".")
        for fmt in offered:
            if fmt.suffix == wanted:
                return fmt, fmt.media_type
        raise NotAcceptable(
            f"'{named}' is not available here; use one of "
            + ", ".join(fmt.suffix for fmt in offered),
            acceptable=media_types,
        )
    if not request.accept_mimetypes:
        return offered[0], offered[0].media_type
    best = request.accept_mimetypes.best_match(media_types)
    if best is None:
        raise NotAcceptable(
            "this resource is available as " + ", ".join(media_types), acceptable=media_types
        )
    return by_type[best], best


def by_accept(suffix: str | None = None) -> bool:
    """Whether ``Accept`` made the choice (no suffix, no ``?format=``): caches vary on it."""
    return not (suffix or request.args.get("format"))
