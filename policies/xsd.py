"""The few XML Schema datatypes ODRL constraints use: dates, date-times, durations, numbers.

Only the standard library: the engine must not depend on rdflib's literal machinery,
and these conversions run once per policy, when it is compiled.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Final

from policies.terms import XSD

DATE: Final = XSD + "date"
DATE_TIME: Final = XSD + "dateTime"
DATE_TIME_STAMP: Final = XSD + "dateTimeStamp"
DURATION: Final = XSD + "duration"
DAY_TIME_DURATION: Final = XSD + "dayTimeDuration"
YEAR_MONTH_DURATION: Final = XSD + "yearMonthDuration"
STRING: Final = XSD + "string"
BOOLEAN: Final = XSD + "boolean"
DECIMAL: Final = XSD + "decimal"
DOUBLE: Final = XSD + "double"
FLOAT: Final = XSD + "float"
INTEGER_TYPES: Final = frozenset(
    XSD + name
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)
DURATION_TYPES: Final = frozenset({DURATION, DAY_TIME_DURATION, YEAR_MONTH_DURATION})
DATE_TIME_TYPES: Final = frozenset({DATE_TIME, DATE_TIME_STAMP})
NUMERIC_TYPES: Final = INTEGER_TYPES | {DECIMAL, DOUBLE, FLOAT}

# XSD's digits are ASCII; Python's \d would also take "٣" and "५", which int() reads.
_DURATION = re.compile(
    r"(?P<sign>-)?P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?",
    re.ASCII,
)
_DATE_TIME = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?", re.ASCII
)
_DATE = re.compile(r"(?P<date>-?\d{4,}-\d{2}-\d{2})(?P<tz>Z|[+-]\d{2}:\d{2})?", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)


@dataclass(frozen=True, slots=True)
class Duration:
    """An ``xsd:duration``: calendar months and exact seconds kept apart, as XSD does.

    A duration with months or years has no fixed length, so durations are only compared
    once added to a start instant (see :meth:`after`).
    """

    months: int
    seconds: Decimal

    def after(self, start: datetime) -> datetime:
        """Return ``start`` plus this duration (months first, clamped to the month's end)."""
        month_index = start.year * 12 + (start.month - 1) + self.months
        year, month0 = divmod(month_index, 12)
        day = min(start.day, calendar.monthrange(year, month0 + 1)[1])
        shifted = start.replace(year=year, month=month0 + 1, day=day)
        return shifted + timedelta(seconds=float(self.seconds))

    def __str__(self) -> str:
        sign = "-" if self.months < 0 or self.seconds < 0 else ""
        return sign + format_duration(abs(self.months), abs(self.seconds))


def format_duration(months: int, seconds: Decimal) -> str:
    """Write a non-negative duration in the canonical ``PnYnMnDTnHnMnS`` form."""
    years, months = divmod(months, 12)
    whole = int(seconds)
    fraction = seconds - whole
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = "P"
    text += f"{years}Y" if years else ""
    text += f"{months}M" if months else ""
    text += f"{days}D" if days else ""
    clock = f"{hours}H" if hours else ""
    clock += f"{minutes}M" if minutes else ""
    if secs or fraction:
        clock += f"{Decimal(secs) + fraction}S"
    text += "T" + clock if clock else ""
    return text if text != "P" else "PT0S"


def timedelta_to_duration(delta: timedelta) -> Duration:
    """Convert an elapsed ``timedelta`` to a day-time :class:`Duration`."""
    micro = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    return Duration(0, Decimal(micro) / Decimal(1_000_000))


def parse_duration(lexical: str) -> Duration:
    """Parse an ``xsd:duration`` such as ``P2Y``, ``P30D`` or ``PT12H``.

    Raises:
        ValueError: if ``lexical`` is not an xsd:duration (ISO 8601 weeks are not one).
    """
    match = _DURATION.fullmatch(lexical)
    if match is None:
        raise ValueError(f"{lexical!r} is not an xsd:duration")
    part = match.groupdict()
    months = int(part["years"] or 0) * 12 + int(part["months"] or 0)
    seconds = (
        Decimal(part["seconds"] or 0)
        + int(part["minutes"] or 0) * 60
        + int(part["hours"] or 0) * 3600
        + int(part["days"] or 0) * 86400
    )
    if part["sign"]:
        return Duration(-months, -seconds)
    return Duration(months, seconds)


def parse_date_time(lexical: str) -> datetime:
    """Parse an ``xsd:dateTime``; one without a time zone is taken to be in UTC.

    UTC rather than the server's zone, so that a decision never depends on where the
    catalog runs.

    Raises:
        ValueError: if ``lexical`` is not an xsd:dateTime.
    """
    if _DATE_TIME.fullmatch(lexical) is None:
        raise ValueError(f"{lexical!r} is not an xsd:dateTime")
    try:
        value = datetime.fromisoformat(lexical)
    except ValueError:
        raise ValueError(f"{lexical!r} is not an xsd:dateTime") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def parse_date(lexical: str) -> tuple[datetime, datetime]:
    """Parse an ``xsd:date`` into the half-open interval of instants it covers.

    A date without a time zone is the UTC day, for the reason given in parse_date_time.

    Raises:
        ValueError: if ``lexical`` is not an xsd:date.
    """
    match = _DATE.fullmatch(lexical)
    if match is None:
        raise ValueError(f"{lexical!r} is not an xsd:date")
    try:
        day = date.fromisoformat(match["date"])
    except ValueError:
        raise ValueError(f"{lexical!r} is not an xsd:date") from None
    zone: timezone = UTC
    if match["tz"] and match["tz"] != "Z":
        sign = -1 if match["tz"][0] == "-" else 1
        hours, minutes = int(match["tz"][1:3]), int(match["tz"][4:6])
        zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
    start = datetime.combine(day, time(0), zone)
    try:
        return start, start + timedelta(days=1)
    except OverflowError:  # 9999-12-31, "forever" in many agreements: until the end
        return start, datetime.max.replace(tzinfo=zone)


def parse_number(lexical: str, datatype: str) -> int | Decimal | float:
    """Parse a numeric literal of an XSD numeric datatype.

    Raises:
        ValueError: if ``lexical`` is not a valid literal of ``datatype``.
    """
    text = lexical.strip()
    if datatype in INTEGER_TYPES:
        if _INTEGER.fullmatch(text) is None:
            raise ValueError(f"{lexical!r} is not an integer")
        return int(text)
    if datatype == DECIMAL:
        if _DECIMAL.fullmatch(text) is None:
            raise ValueError(f"{lexical!r} is not an xsd:decimal")
        return Decimal(text)
    try:
        return float(text.replace("INF", "inf"))
    except ValueError:
        raise ValueError(f"{lexical!r} is not an xsd:double") from None


def parse_boolean(lexical: str) -> bool:
    """Parse an ``xsd:boolean`` (``true``, ``false``, ``1``, ``0``).

    Raises:
        ValueError: for any other lexical form.
    """
    if lexical in ("true", "1"):
        return True
    if lexical in ("false", "0"):
        return False
    raise ValueError(f"{lexical!r} is not an xsd:boolean")


def check_lexical(lexical: str, datatype: str) -> None:
    """Check a literal of a datatype this module knows; other datatypes always pass.

    Raises:
        ValueError: if the lexical form is invalid for the datatype.
    """
    if datatype == DATE:
        parse_date(lexical)
    elif datatype in DATE_TIME_TYPES:
        parse_date_time(lexical)
    elif datatype in DURATION_TYPES:
        parse_duration(lexical)
    elif datatype in NUMERIC_TYPES:
        try:
            parse_number(lexical, datatype)
        except InvalidOperation:
            raise ValueError(f"{lexical!r} is not a number") from None
    elif datatype == BOOLEAN:
        parse_boolean(lexical)
