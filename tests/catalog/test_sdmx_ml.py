"""Reading SDMX-ML safely, describing structures as JSON, and writing them back (no database)."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
import sdmx

from catalog import sdmx_ml
from catalog.errors import BadRequest, InvalidMetadata, PayloadTooLarge
from catalog.sdmx_ml import (
    Ref,
    external_locations,
    parse_urn,
    read_structure_message,
    structures_of,
)
from tests import sdmx_support as s

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def read(data: bytes, max_bytes: int = s.MAX_BYTES):
    return read_structure_message(data, max_bytes=max_bytes)


# ------------------------------------------------------------------------ hostile input


@pytest.mark.parametrize(
    "data",
    [s.BILLION_LAUGHS, s.EXTERNAL_ENTITY, s.EXTERNAL_DTD, s.EXTERNAL_ENTITY_UTF16],
    ids=["billion-laughs", "external-entity", "external-dtd", "external-entity-utf16"],
)
def test_doctype_and_entities_are_refused_before_sdmx1_parses(data, monkeypatch, capsys):
    def never(_data):
        raise AssertionError("sdmx1 must not see this message")

    monkeypatch.setattr(sdmx_ml, "_read", never)
    started = time.perf_counter()
    with pytest.raises(BadRequest, match="DOCTYPE declarations") as caught:
        read(data)
    assert time.perf_counter() - started < 1
    assert "root:" not in caught.value.detail
    assert capsys.readouterr().out == ""


def test_the_parser_level_check_catches_what_the_byte_scan_cannot():
    assert sdmx_ml._DECLARATION.search(s.EXTERNAL_ENTITY_UTF16) is None
    with pytest.raises(BadRequest, match="DOCTYPE"):
        sdmx_ml._hardened_root(s.EXTERNAL_ENTITY_UTF16)


def test_truncated_xml_is_not_well_formed():
    with pytest.raises(BadRequest, match="not well-formed XML"):
        read(s.TRUNCATED)


def test_empty_message():
    with pytest.raises(BadRequest, match="empty"):
        read(b"  \n")


def test_size_cap_comes_first():
    data = s.demo_message()
    with pytest.raises(PayloadTooLarge, match=r"sdmx\.max_bytes"):
        read(data, max_bytes=len(data) - 1)
    assert read(data, max_bytes=len(data)) is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (s.WRONG_ROOT, "root element is {}html"),
        (s.DATA_MESSAGE, "not a structure message: the root element is message:GenericData"),
        (s.SDMX_30, "SDMX-ML 3.0 is not supported"),
    ],
    ids=["html", "data-message", "sdmx-ml-3.0"],
)
def test_other_documents_are_not_structure_messages(data, message):
    with pytest.raises(InvalidMetadata, match=message.replace("{", r"\{").replace("}", r"\}")):
        read(data)


def test_the_ecb_json_data_sample_is_not_a_structure_message():
    with pytest.raises(InvalidMetadata) as caught:
        read(s.sample("ECB_EXR-flat.json"))
    assert caught.value.detail.startswith("not a structure message")
    assert "SDMX-JSON data message" in caught.value.detail


def test_sdmx1_failures_carry_the_parsers_reason_and_print_nothing(capsys):
    with pytest.raises(InvalidMetadata) as caught:
        read(s.UNKNOWN_ELEMENT)
    assert caught.value.detail.startswith("sdmx1 could not read the structure message: ")
    assert "the element {http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure}Bogus" in (
        caught.value.detail
    )
    assert "Error" not in caught.value.detail  # no Python exception names
    assert caught.value.errors[0].detail in caught.value.detail
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------------------- reading


@pytest.mark.parametrize("name", s.SAMPLE_XML)
def test_samples_read(name):
    parsed, skipped = structures_of(read(s.sample(name)))
    assert parsed
    assert all(item.document["urn"] == item.ref.urn for item in parsed)
    assert all(skip.reason for skip in skipped)


def test_demography_sample_structures():
    parsed, skipped = structures_of(read(s.sample("ESTAT-demography-structure.xml")))
    labels = {p.ref.label for p in parsed}
    assert labels == {
        "ESTAT:CL_COUNTRY(1.0)",
        "ESTAT:CL_SEX(1.0)",
        "ESTAT:CL_UNIT(1.0)",
        "ESTAT:DEMO_CONCEPTS(1.0)",
        "ESTAT:DEMO_MEASURES(1.0)",
        "ESTAT:DEMOGRAPHY(1.0)",
    }
    # SDMX:CL_FREQ and the other cross-domain lists are external references: skipped.
    assert {skip.id for skip in skipped} >= {"CL_FREQ", "CL_DECIMALS", "CROSS_DOMAIN_CONCEPTS"}
    dsd = next(p.document for p in parsed if p.ref.kind == "datastructure")
    assert [d["id"] for d in dsd["dimensions"]] == ["FREQ", "COUNTRY", "SEX", "DEMO", "TIME_PERIOD"]
    assert [d["type"] for d in dsd["dimensions"]][-2:] == ["measure_dimension", "time_dimension"]
    assert [a["id"] for a in dsd["attributes"]] == [
        "DECIMALS",
        "UNIT_MEASURE",
        "UNIT_MULT",
        "OBS_STATUS",
    ]
    assert dsd["attributes"][-1]["relationship"] == {"attached_to": "observation"}
    assert dsd["attributes"][0]["usage"] == "mandatory"
    assert [m["id"] for m in dsd["measures"]] == ["OBS_VALUE"]
    country = dsd["dimensions"][1]
    assert country["concept"]["urn"] == (
        "urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept=ESTAT:DEMO_CONCEPTS(1.0).COUNTRY"
    )
    assert country["representation"]["enumeration"]["urn"] == (
        "urn:sdmx:org.sdmx.infomodel.codelist.Codelist=ESTAT:CL_COUNTRY(1.0)"
    )
    sex = next(p.document for p in parsed if p.ref.id == "CL_SEX")
    assert [(c["id"], c["name"]["en"]) for c in sex["codes"]] == [
        ("F", "Female"),
        ("M", "Male"),
        ("T", "Total"),
    ]


def test_esms_sample_dataflow_refers_to_its_dsd():
    parsed, skipped = structures_of(read(s.sample("ESTAT-esms-structure.xml")))
    flow = next(p.document for p in parsed if p.ref.kind == "dataflow")
    assert flow["structure"]["urn"] == (
        "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=ESTAT:DEMOGRAPHY(1.0)"
    )
    reasons = {skip.kind: skip.reason for skip in skipped}
    assert reasons["categoryscheme"] == "the catalog does not store this kind"
    assert reasons["metadatastructure"] == "the catalog does not store this kind"
    assert "external reference" in reasons["datastructure"]


def test_external_locations_are_read_from_the_xml():
    """sdmx1 drops structureURL and serviceURL; the catalog reads them itself."""
    locations = external_locations(s.sample("ESTAT-demography-structure.xml"))
    freq = locations[Ref("codelist", "SDMX", "CL_FREQ", "1.0")]
    assert (freq.structure_url, freq.service_url, freq.url) == (
        "../common/common.xml",
        None,
        "../common/common.xml",
    )
    assert Ref("conceptscheme", "SDMX", "CROSS_DOMAIN_CONCEPTS", "1.0") in locations
    assert all(ref.agency == "SDMX" for ref in locations)  # the stored ones are not references
    assert external_locations(s.small_structures()) == {}


def test_references_do_not_copy_content():
    """A DSD reads the same alone as with its codelists, so re-imports are idempotent."""
    whole = {p.ref: p.document for p in structures_of(read(s.small_structures()))[0]}
    alone = structures_of(read(s.structure_message(s.dsd_xml())))[0]
    assert len(alone) == 1
    assert whole[alone[0].ref] == alone[0].document


# ------------------------------------------------------------------------------- URNs


def test_urns():
    ref = parse_urn("urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=ESTAT:DEMOGRAPHY(1.0)")
    assert ref == Ref("datastructure", "ESTAT", "DEMOGRAPHY", "1.0")
    assert ref.urn.endswith("DataStructure=ESTAT:DEMOGRAPHY(1.0)")
    # sdmx1's class names are accepted too.
    assert parse_urn(
        "urn:sdmx:org.sdmx.infomodel.datastructure.DataflowDefinition=SIMEL:DF(2.0)"
    ) == Ref("dataflow", "SIMEL", "DF", "2.0")
    with pytest.raises(ValueError, match="Code"):
        parse_urn("urn:sdmx:org.sdmx.infomodel.codelist.Code=A:CL(1.0)")
    with pytest.raises(ValueError, match="not the URN"):
        parse_urn("http://example.org/x")


# ------------------------------------------------------------------------- round trip


def _round_trip(data: bytes) -> list[tuple[Ref, bool, bool]]:
    """Each structure written alone by sdmx1 and read back by sdmx.read_sdmx."""
    results = []
    for item in structures_of(read(data))[0]:
        written = sdmx_ml.structure_xml(item.obj, prepared=NOW)
        back = sdmx.read_sdmx(io.BytesIO(written.encode()))
        (obj,) = list(back.iter_objects(external_reference=False))
        same_json = sdmx_ml.structure_document(obj) == item.document
        stored = sdmx_ml.stored_object(written, item.ref)
        results.append((item.ref, same_json, stored.compare(obj, strict=True)))
    return results


@pytest.mark.parametrize("name", [*s.SAMPLE_XML, "demo"])
def test_every_structure_round_trips_through_sdmx1(name):
    data = s.demo_message() if name == "demo" else s.sample(name)
    results = _round_trip(data)
    assert results
    assert [r for r in results if not (r[1] and r[2])] == []


def test_item_schemes_equal_the_originals_after_the_round_trip():
    message = read(s.sample("ESTAT-demography-structure.xml"))
    for item in structures_of(message)[0]:
        if item.ref.kind not in ("codelist", "conceptscheme"):
            continue
        written = sdmx_ml.structure_xml(item.obj, prepared=NOW).encode()
        back = sdmx.read_sdmx(io.BytesIO(written))
        assert item.obj.compare(back.get(item.ref.id), strict=True), item.ref


def test_the_demo_message_reads_back_equal_to_the_objects_it_was_written_from():
    from catalog.demo.sdmx_structures import PREPARED, build_structures

    objects = build_structures()
    written = sdmx_ml.write_message(objects, header_id="SIMEL_LABOUR_MIGRATION", prepared=PREPARED)
    assert written == s.demo_message()  # the committed file is current
    original = {sdmx_ml.ref_of(o): o for o in objects}
    back = sdmx.read_sdmx(io.BytesIO(written))
    found = list(back.iter_objects(external_reference=False))
    assert len(found) == len(original) == 16
    for obj in found:
        # DSD and dataflows include their concepts and codelists: compared in depth.
        assert original[sdmx_ml.ref_of(obj)].compare(obj, strict=True), obj


def test_is_partial_is_read_as_a_flag():
    def is_partial(flag: bool) -> bool:
        message = s.codelists_message(s.codelist_xml("CL", [("A", "a")], partial=flag))
        return structures_of(read(message))[0][0].document["is_partial"]

    assert is_partial(True) is True
    assert is_partial(False) is False


def test_partial_codelists_merge():
    stored = structures_of(
        read(s.codelists_message(s.codelist_xml("CL", [("A", "a"), ("B", "b")], partial=True)))
    )[0][0]
    incoming = structures_of(
        read(s.codelists_message(s.codelist_xml("CL", [("B", "b"), ("C", "c")], partial=True)))
    )[0][0]
    merged = sdmx_ml.merged_partial_codelist(stored.obj, incoming)
    assert [c["id"] for c in sdmx_ml.structure_document(merged)["codes"]] == ["A", "B", "C"]
    disagreeing = structures_of(
        read(s.codelists_message(s.codelist_xml("CL", [("B", "other")], partial=True)))
    )[0][0]
    assert sdmx_ml.merged_partial_codelist(stored.obj, disagreeing) is None
