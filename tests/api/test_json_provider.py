"""orjson writes the API's JSON: the same text the standard library wrote."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid

from flask import jsonify

from api.json_provider import OrjsonProvider


def test_responses_read_as_the_standard_library_wrote_them(app):
    payload = {
        "title": {"es": "Migración laboral", "en": "Labour migration"},
        "id": uuid.UUID("2f1c1e4a-58a4-4d1b-9d0b-2b7a4d1f6a10"),
        "modified": dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.UTC),
        "rate": decimal.Decimal("12.50"),
        "counts": {1: 2},
        "tags": ("a", "b"),
    }
    assert isinstance(app.json, OrjsonProvider)
    with app.test_request_context():
        fast = jsonify(payload).get_data()
        app.json.ensure_ascii = True  # falls back to the standard library
        slow = jsonify(payload).get_data()
        app.json.ensure_ascii = False
    assert fast.endswith(b"\n")
    assert "Migración".encode() in fast
    assert json.loads(fast) == json.loads(slow)
    assert json.loads(fast)["modified"] == "Tue, 24 Nov 2026 20:00:00 GMT"
    assert json.loads(fast)["counts"] == {"1": 2}


def test_a_debugging_app_gets_indented_json(app):
    app.debug = True
    with app.test_request_context():
        body = jsonify({"a": [1]}).get_data(as_text=True)
    assert body == '{\n  "a": [\n    1\n  ]\n}\n'


def test_integers_beyond_64_bits_are_still_written(app):
    with app.test_request_context():
        assert json.loads(jsonify({"byte_size": 2**64}).get_data()) == {"byte_size": 2**64}
    assert json.loads(app.json.dumps([2**70])) == [2**70]


def test_json_columns_take_what_json_allows():
    from catalog.db import json_text

    assert json.loads(json_text({"n": 2**64, "t": "Migración"})) == {"n": 2**64, "t": "Migración"}
    assert "Migración" in json_text({"t": "Migración"})


def test_lone_surrogates_are_written_out_as_text(app):
    # A report or message quoting a request's "\ud800" must still be UTF-8 JSON.
    with app.test_request_context():
        body = jsonify({"iri": "http://x.org/q\ud800", "\udfff": ["\udc00"]}).get_data()
    assert json.loads(body.decode("utf-8")) == {
        "iri": "http://x.org/q\\ud800",
        "\\udfff": ["\\udc00"],
    }
    assert json.loads(app.json.dumps({"a": "\ud800"}, ensure_ascii=False)) == {"a": "\\ud800"}
