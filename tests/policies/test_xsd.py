"""XML Schema literals as the engine reads them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from policies import xsd


@pytest.mark.parametrize(
    ("lexical", "months", "seconds"),
    [
        ("P2Y", 24, 0),
        ("P1Y6M", 18, 0),
        ("P30D", 0, 30 * 86400),
        ("PT12H", 0, 12 * 3600),
        ("P1DT2H3M4.5S", 0, Decimal("93784.5")),
        ("-P1D", 0, -86400),
    ],
)
def test_parse_duration(lexical: str, months: int, seconds: int | Decimal) -> None:
    assert xsd.parse_duration(lexical) == xsd.Duration(
        months if lexical[0] != "-" else -months, Decimal(seconds)
    )


@pytest.mark.parametrize("lexical", ["P", "PT", "P1W", "1Y", "P1YT", "P1.5Y", "PT1H30", ""])
def test_parse_duration_rejects(lexical: str) -> None:
    with pytest.raises(ValueError, match="xsd:duration"):
        xsd.parse_duration(lexical)


def test_duration_after_uses_calendar_months() -> None:
    start = datetime(2024, 1, 31, 10, 0, tzinfo=UTC)
    assert xsd.parse_duration("P1M").after(start) == datetime(2024, 2, 29, 10, 0, tzinfo=UTC)
    assert xsd.parse_duration("P2Y").after(datetime(2024, 2, 29, tzinfo=UTC)) == datetime(
        2026, 2, 28, tzinfo=UTC
    )
    assert xsd.parse_duration("P1DT1H").after(start) == datetime(2024, 2, 1, 11, 0, tzinfo=UTC)
    assert xsd.parse_duration("-P1M").after(start) == datetime(2023, 12, 31, 10, 0, tzinfo=UTC)


def test_duration_text() -> None:
    assert str(xsd.parse_duration("P1Y2M3DT4H5M6S")) == "P1Y2M3DT4H5M6S"
    assert str(xsd.parse_duration("PT0S")) == "PT0S"
    assert str(xsd.parse_duration("-P1D")) == "-P1D"
    assert str(xsd.timedelta_to_duration(timedelta(days=400, seconds=1.5))) == "P400DT1.5S"


def test_date_time_without_zone_is_utc() -> None:
    assert xsd.parse_date_time("2017-12-19T15:00:00") == datetime(2017, 12, 19, 15, tzinfo=UTC)
    assert xsd.parse_date_time("2024-02-12T11:20:10.999Z") == datetime(
        2024, 2, 12, 11, 20, 10, 999000, tzinfo=UTC
    )
    offset = xsd.parse_date_time("2025-01-01T00:00:00-06:00")
    assert offset == datetime(2025, 1, 1, 6, tzinfo=UTC)


@pytest.mark.parametrize("lexical", ["2024-02-12", "2024-02-12T10:00", "2024-13-01T00:00:00", "x"])
def test_parse_date_time_rejects(lexical: str) -> None:
    with pytest.raises(ValueError, match="xsd:dateTime"):
        xsd.parse_date_time(lexical)


def test_date_is_a_day_interval() -> None:
    assert xsd.parse_date("2027-01-01") == (
        datetime(2027, 1, 1, tzinfo=UTC),
        datetime(2027, 1, 2, tzinfo=UTC),
    )
    start, _ = xsd.parse_date("2027-01-01-06:00")
    assert start == datetime(2027, 1, 1, tzinfo=timezone(-timedelta(hours=6)))
    for bad in ("2027-02-30", "2027-1-1", "27-01-01"):
        with pytest.raises(ValueError, match="xsd:date"):
            xsd.parse_date(bad)
    # The calendar's last day, "forever" in many agreements, lasts to its end (the day
    # after it cannot be computed: an OverflowError that policy parsing did not expect).
    start, end = xsd.parse_date("9999-12-31-05:00")
    assert (start.year, end) == (9999, datetime.max.replace(tzinfo=start.tzinfo))


def test_numbers_and_booleans() -> None:
    assert xsd.parse_number("10", xsd.XSD + "integer") == 10
    assert xsd.parse_number("5.00", xsd.DECIMAL) == Decimal("5.00")
    assert xsd.parse_number("1e3", xsd.DOUBLE) == 1000.0
    assert xsd.parse_boolean("1") is True
    for bad, datatype in (("1.5", xsd.XSD + "integer"), ("1e3", xsd.DECIMAL), ("x", xsd.DOUBLE)):
        with pytest.raises(ValueError, match="not"):
            xsd.parse_number(bad, datatype)
    with pytest.raises(ValueError, match="boolean"):
        xsd.parse_boolean("yes")


def test_check_lexical_ignores_unknown_datatypes() -> None:
    xsd.check_lexical("anything", "https://example.org/datatype")
    with pytest.raises(ValueError, match="integer"):
        xsd.check_lexical("ten", xsd.XSD + "integer")


@pytest.mark.parametrize(
    ("lexical", "datatype", "message"),
    [
        ("\u0665", xsd.XSD + "integer", "not an integer"),  # ARABIC-INDIC FIVE: int() reads 5
        ("1\u0660.5", xsd.DECIMAL, "not an xsd:decimal"),
    ],
)
def test_digits_are_ascii(lexical: str, datatype: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        xsd.parse_number(lexical, datatype)
    with pytest.raises(ValueError, match="xsd:duration"):
        xsd.parse_duration("P\u0663\u0660Y")
    with pytest.raises(ValueError, match="xsd:date"):
        xsd.parse_date("\u0662027-01-01")
