"""The SDMX endpoints: import, browse, export, linked datasets, dataset links.

Every JSON response is also checked against the OpenAPI document by the test client.
"""

from __future__ import annotations

import io

import pytest
import sdmx as sdmx1

from catalog import sdmx
from tests import sdmx_support as s
from tests.conftest import SYSTEM, bearer

XML = {"Content-Type": "application/xml"}
STRUCTURES = "/api/v1/sdmx/structures"
DSD_PATH = f"{STRUCTURES}/datastructure/SIMEL/DSD_LABOUR_MIGRATION/1.0"
FLOW_PATH = f"{STRUCTURES}/dataflow/SIMEL/DF_LFS_MIGRATION/1.0"
PROBLEM = "application/problem+json"


@pytest.fixture
def people(make_org, make_user):
    make_org("sisca", country="SLV", kind="regional-body")
    make_org("mintrab-gt")
    make_org("ine-hn", country="HND")
    return {
        "admin": make_user("root", admin="sisca")[1],
        "steward": make_user("ana", steward="mintrab-gt")[1],
        "other": make_user("rosa", steward="ine-hn")[1],
    }


@pytest.fixture
def demo_structures(session):
    sdmx.import_message(session, actor=SYSTEM, data=s.demo_message(), max_bytes=s.MAX_BYTES)


@pytest.fixture
def enei(make_dataset, people):
    return make_dataset("enei-2024", spatial=["GTM"])


def post(client, data: bytes, token: str | None, headers=XML):
    auth = bearer(token) if token else {}
    return client.post(STRUCTURES, data=data, headers={**headers, **auth})


# ------------------------------------------------------------------------------ import


def test_admins_import_and_reimport(client, people):
    created = post(client, s.demo_message(), people["admin"])
    assert created.status_code == 201
    report = created.json
    assert report["created"] == 16
    assert report["message_id"] == "SIMEL_LABOUR_MIGRATION"
    assert {i["outcome"] for i in report["items"]} == {"created"}
    dsd = next(i for i in report["items"] if i["kind"] == "datastructure")
    assert dsd["links"]["self"].endswith(DSD_PATH)
    again = post(client, s.demo_message(), people["admin"])
    assert again.status_code == 200
    assert (again.json["created"], again.json["unchanged"]) == (0, 16)


def test_sample_import_reports_what_it_skipped(client, people):
    response = post(client, s.sample("ESTAT-esms-structure.xml"), people["admin"])
    assert response.status_code == 201
    skipped = {(i["kind"], i["id"]): i["reason"] for i in response.json["skipped"]}
    assert skipped[("metadatastructure", "ESMS_SIMPLE")] == "the catalog does not store this kind"
    assert "external reference" in skipped[("datastructure", "DEMOGRAPHY")]


def test_sample_external_references_say_where_they_are_held(client, people):
    response = post(client, s.sample("ESTAT-esms-structure.xml"), people["admin"])
    skipped = {(i["kind"], i["id"]): i for i in response.json["skipped"]}
    # The message says where the DSD is (a file beside it); the concept scheme it only
    # refers to is nowhere.
    demography = skipped[("datastructure", "DEMOGRAPHY")]
    assert (demography["held"], demography["structure_url"]) == ("elsewhere", "demography.xml")
    assert "held at demography.xml" in demography["reason"]
    meta_update = skipped[("conceptscheme", "META_UPDATE")]
    assert meta_update["held"] == "nowhere"
    assert "structure_url" not in meta_update
    assert "held" not in skipped[("metadatastructure", "ESMS_SIMPLE")]  # not a reference


REGISTRY = "https://registry.example.org/sdmx"
EXTERNAL_DSD = (
    '<str:DataStructures><str:DataStructure id="DSD_TEST" agencyID="TEST" version="1.0" '
    f'isExternalReference="true" structureURL="{REGISTRY}/datastructure/TEST/DSD_TEST/1.0" '
    f'serviceURL="{REGISTRY}"><com:Name xml:lang="en">A DSD</com:Name>'
    "</str:DataStructure></str:DataStructures>"
)


@pytest.mark.parametrize(
    ("stored", "external", "held"),
    [
        (False, False, "nowhere"),  # the dataflow only names its DSD
        (False, True, "elsewhere"),  # ... or says which registry holds it
        (True, False, "catalog"),  # ... or this catalog holds it already
        (True, True, "catalog"),
    ],
)
def test_a_dataflows_dsd_left_out_of_the_message_is_told_apart(
    client, people, stored, external, held
):
    if stored:
        assert post(client, s.small_structures(), people["admin"]).status_code == 201
    flow = s.dataflow_xml("DF_OTHER")
    message = s.structure_message(flow + (EXTERNAL_DSD if external else ""))
    response = post(client, message, people["admin"])
    assert response.status_code == 201
    (skip,) = response.json["skipped"]
    assert (skip["kind"], skip["id"], skip["held"]) == ("datastructure", "DSD_TEST", held)
    assert skip["reason"].startswith("external reference: the message does not include it")
    if held == "catalog":
        assert skip["reason"].endswith("this catalog holds it")
        assert skip["links"]["self"].endswith("/sdmx/structures/datastructure/TEST/DSD_TEST/1.0")
        assert client.get(skip["links"]["self"]).status_code == 200
    else:
        assert "links" not in skip
    if held == "elsewhere":
        assert skip["structure_url"] == f"{REGISTRY}/datastructure/TEST/DSD_TEST/1.0"
        assert skip["service_url"] == REGISTRY
        assert f"held at {REGISTRY}/datastructure/TEST/DSD_TEST/1.0" in skip["reason"]
    else:
        assert "structure_url" not in skip
        assert "service_url" not in skip
    if held == "nowhere":
        assert "resolves nowhere" in skip["reason"]


@pytest.mark.parametrize("who", [None, "steward"])
def test_only_admins_import(client, people, who):
    response = post(client, s.demo_message(), people.get(who))
    assert response.status_code == (401 if who is None else 403)
    assert response.mimetype == PROBLEM


def test_import_needs_xml(client, people):
    response = post(client, b"{}", people["admin"], headers={"Content-Type": "application/json"})
    assert response.status_code == 415
    assert response.mimetype == PROBLEM
    for media in ("text/xml", "application/vnd.sdmx.structure+xml; version=2.1"):
        response = post(client, s.small_structures(), people["admin"], {"Content-Type": media})
        assert response.status_code in (200, 201)


@pytest.mark.parametrize(
    ("data", "status", "text"),
    [
        (s.BILLION_LAUGHS, 400, "DOCTYPE declarations"),
        (s.EXTERNAL_ENTITY, 400, "DOCTYPE declarations"),
        (s.EXTERNAL_DTD, 400, "DOCTYPE declarations"),
        (s.EXTERNAL_ENTITY_UTF16, 400, "DOCTYPE declarations"),
        (s.TRUNCATED, 400, "not well-formed XML"),
        (s.WRONG_ROOT, 422, "not an SDMX-ML 2.1 structure message"),
        (s.DATA_MESSAGE, 422, "not a structure message"),
        (s.UNKNOWN_ELEMENT, 422, "sdmx1 could not read the structure message"),
    ],
    ids=[
        "billion-laughs",
        "external-entity",
        "external-dtd",
        "external-entity-utf16",
        "truncated",
        "wrong-root",
        "data-message",
        "sdmx1-error",
    ],
)
def test_malformed_and_hostile_messages_are_problems(client, people, data, status, text):
    response = post(client, data, people["admin"])
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    assert text in response.json["detail"]
    assert "root:x:0:0" not in response.get_data(as_text=True)
    assert client.get(STRUCTURES).json["total"] == 0


def test_the_json_sample_is_not_a_structure_message(client, people):
    response = post(client, s.sample("ECB_EXR-flat.json"), people["admin"])
    assert response.status_code == 422
    assert response.json["detail"].startswith("not a structure message")
    assert response.json["errors"][0]["pointer"] == ""


def test_messages_over_the_limit_are_refused(app, client, people):
    limit = app.extensions["simel"].settings.sdmx.max_bytes
    response = post(client, b"<" + b" " * limit, people["admin"])
    assert response.status_code == 413
    assert response.mimetype == PROBLEM


def test_a_conflicting_import_is_409_and_stores_nothing(client, people):
    final = s.codelists_message(s.codelist_xml("CL_AREA", s.AREAS, final=True))
    assert post(client, final, people["admin"]).status_code == 201
    message = s.codelists_message(
        s.codelist_xml("CL_OTHER", s.AREAS), s.codelist_xml("CL_AREA", [("X", "x")], final=True)
    )
    response = post(client, message, people["admin"])
    assert response.status_code == 409
    assert response.json["structure"].endswith("Codelist=TEST:CL_AREA(1.0)")
    assert client.get(STRUCTURES).json["total"] == 1


@pytest.mark.parametrize(
    ("codelist", "named"),
    [
        (s.codelist_xml("CL/AREA", s.AREAS), "id 'CL/AREA'"),
        (s.codelist_xml("", s.AREAS), "id ''"),
        (s.codelist_xml("CL_AREA", s.AREAS, agency="INE GT"), "agencyID 'INE GT'"),
        (s.codelist_xml("CL_AREA", s.AREAS, version="1.0 beta"), "version '1.0 beta'"),
        (s.codelist_xml("CL_AREA", s.AREAS, version="latest"), "version 'latest'"),
        (s.codelist_xml("CL_AREA", [("A B", "a b")]), "id 'A B'"),
        (s.codelist_xml("CL_" + "A" * 250, s.AREAS), "id is 253 characters long; at most 200"),
        (s.codelist_xml("CL_AREA", s.AREAS, agency="A" * 101), "agencyID is 101 characters"),
        (s.codelist_xml("CL_AREA", s.AREAS, version="1." * 30 + "0"), "version is 61 characters"),
    ],
    ids=[
        "slash",
        "empty-id",
        "space-agency",
        "text-version",
        "latest",
        "code-id",
        "long-id",
        "long-agency",
        "long-version",
    ],
)
def test_identifiers_sdmx_does_not_allow_are_422(client, people, codelist, named):
    message = s.codelists_message(s.codelist_xml("CL_GOOD", s.AREAS), codelist)
    response = post(client, message, people["admin"])
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert named in response.json["detail"]
    assert any(named in error["detail"] for error in response.json["errors"])
    assert client.get(STRUCTURES).json["total"] == 0


def test_a_structure_twice_in_one_message_is_422(client, people):
    message = s.codelists_message(
        s.codelist_xml("CL_AREA", s.AREAS), s.codelist_xml("CL_AREA", [("HND", "Honduras")])
    )
    response = post(client, message, people["admin"])
    assert response.status_code == 422
    assert "TEST:CL_AREA(1.0)" in response.json["detail"]
    assert "more than once" in response.json["detail"]
    assert client.get(STRUCTURES).json["total"] == 0
    other_versions = s.codelists_message(
        s.codelist_xml("CL_AREA", s.AREAS),
        s.codelist_xml("CL_AREA", s.AREAS, version="1.1"),
        s.codelist_xml("CL_AREA", s.AREAS, agency="OTHER"),
    )
    assert post(client, other_versions, people["admin"]).json["created"] == 3


def test_a_codelist_that_linked_datasets_codes_are_not_in_is_409(client, people, enei):
    # The DSD names CL_AREA before it is stored, so the link cannot check GTM yet...
    flow = s.structure_message(s.dsd_xml() + s.dataflow_xml())
    assert post(client, flow, people["admin"]).status_code == 201
    body = {"kind": "dataflow", "agency": "TEST", "id": "DF_TEST"}
    assert _link(client, people["steward"], body).status_code == 200
    # ...and storing it without GTM would leave enei-2024 with a code its DSD lacks.
    lacking = s.codelists_message(s.codelist_xml("CL_AREA", [("SLV", "El Salvador")]))
    response = post(client, lacking, people["admin"])
    assert response.status_code == 409
    assert response.mimetype == PROBLEM
    assert "TEST:CL_AREA(1.0)" in response.json["detail"]
    assert response.json["datasets"] == ["enei-2024"]
    (error,) = response.json["errors"]
    assert (error["dataset"], error["pointer"], error["code"]) == ("enei-2024", "/spatial/0", "GTM")
    assert client.get(f"{STRUCTURES}?kind=codelist").json["total"] == 0
    complete = s.codelists_message(s.codelist_xml("CL_AREA", s.AREAS))
    assert post(client, complete, people["admin"]).status_code == 201


# ---------------------------------------------------------------------------- browsing


def test_list_and_filter(client, demo_structures, session):
    sdmx.import_message(session, actor=SYSTEM, data=s.small_structures(), max_bytes=s.MAX_BYTES)
    everything = client.get(STRUCTURES, query_string={"page_size": 100}).json
    assert everything["total"] == 19
    flows = client.get(STRUCTURES, query_string={"kind": "dataflow"}).json
    assert [i["id"] for i in flows["items"]] == [
        "DF_FRONTIER_WORKERS",
        "DF_LFS_MIGRATION",
        "DF_RETURNED_MIGRANTS",
        "DF_WORK_PERMITS",
        "DF_TEST",
    ]
    test_only = client.get(STRUCTURES, query_string={"agency": "TEST", "kind": "codelist"}).json
    assert [i["urn"] for i in test_only["items"]] == [
        "urn:sdmx:org.sdmx.infomodel.codelist.Codelist=TEST:CL_AREA(1.0)"
    ]
    paged = client.get(STRUCTURES, query_string={"page_size": 5, "page": 2})
    assert len(paged.json["items"]) == 5
    assert 'rel="next"' in paged.headers["Link"]
    assert client.get(STRUCTURES, query_string={"kind": "category"}).status_code == 400


def test_one_dsd_with_its_dimensions_and_codes(client, demo_structures):
    response = client.get(DSD_PATH)
    assert response.status_code == 200
    body = response.json
    assert body["name"]["es"] == "Estadísticas de migración laboral de la región SIMEL"
    assert body["is_final"] is True
    dims = {d["id"]: d for d in body["dimensions"]}
    assert list(dims) == [
        "FREQ",
        "REF_AREA",
        "SEX",
        "AGE",
        "MIG_STATUS",
        "ECO",
        "OCU",
        "TIME_PERIOD",
    ]
    assert [c["id"] for c in dims["REF_AREA"]["codes"]] == ["GTM", "SLV", "HND", "MEX", "BLZ"]
    assert dims["REF_AREA"]["codelist"]["stored"] is True
    assert dims["OCU"]["concept"]["label"] == {"es": "Ocupación", "en": "Occupation"}
    assert dims["OCU"]["field"] == "/labour_migration/occupations"
    assert dims["MIG_STATUS"]["field"] == "/labour_migration/statistical_population"
    assert dims["TIME_PERIOD"]["text_type"] == "ObservationalTimePeriod"
    assert body["measures"][0]["text_type"] == "Double"
    obs_status = next(a for a in body["attributes"] if a["id"] == "OBS_STATUS")
    assert obs_status["relationship"] == {"attached_to": "observation"}
    assert obs_status["usage"] == "conditional"


def test_a_dataflow_shows_its_dsd_and_components(client, demo_structures):
    body = client.get(FLOW_PATH).json
    assert body["structure"]["urn"] == s.DEMO_DSD
    assert body["structure"]["stored"] is True
    assert body["dimensions"][0]["id"] == "FREQ"


def test_codelists_concept_schemes_and_latest(client, demo_structures):
    codelist = client.get(f"{STRUCTURES}/codelist/SIMEL/CL_SEX/latest").json
    assert codelist["version"] == "1.0"
    assert [c["id"] for c in codelist["codes"]] == ["F", "M", "_T"]
    scheme = client.get(f"{STRUCTURES}/conceptscheme/SIMEL/CS_LABOUR_MIGRATION/1.0").json
    assert scheme["concepts"][1]["representation"]["enumeration"]["id"] == "CL_REF_AREA"


def test_unknown_structures_and_kinds_are_404(client, demo_structures):
    for path in (f"{STRUCTURES}/codelist/SIMEL/CL_NOPE/1.0", f"{STRUCTURES}/category/A/B/1.0"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.mimetype == PROBLEM


# ------------------------------------------------------------------------------ export


@pytest.mark.parametrize(
    ("headers", "query", "media"),
    [
        ({"Accept": "application/xml"}, {}, "application/xml"),
        ({"Accept": "application/vnd.sdmx.structure+xml;version=2.1"}, {}, None),
        ({}, {"format": "sdmx-ml"}, "application/xml"),
    ],
)
def test_export_as_sdmx_ml(client, demo_structures, headers, query, media):
    response = client.get(DSD_PATH, headers=headers, query_string=query)
    assert response.status_code == 200
    assert response.mimetype == (media or "application/vnd.sdmx.structure+xml")
    # Only a choice made by Accept varies with it; format= is part of the URL.
    assert ("Accept" in response.vary) == ("Accept" in headers)
    message = sdmx1.read_sdmx(io.BytesIO(response.data))
    assert [d.id for d in message.structure["DSD_LABOUR_MIGRATION"].dimensions.components][:2] == [
        "FREQ",
        "REF_AREA",
    ]


def test_export_with_descendants_round_trips_to_equal_structures(client, demo_structures, session):
    response = client.get(
        FLOW_PATH, query_string={"format": "sdmx-ml", "references": "descendants"}
    )
    back = sdmx1.read_sdmx(io.BytesIO(response.data))
    assert {o.id for o in back.iter_objects(external_reference=False)} >= {
        "DF_LFS_MIGRATION",
        "DSD_LABOUR_MIGRATION",
        "CS_LABOUR_MIGRATION",
        "CL_REF_AREA",
    }
    original = sdmx1.read_sdmx(io.BytesIO(s.demo_message()))
    assert original.dataflow["DF_LFS_MIGRATION"].compare(
        back.dataflow["DF_LFS_MIGRATION"], strict=True
    )
    assert original.structure["DSD_LABOUR_MIGRATION"].compare(
        back.structure["DSD_LABOUR_MIGRATION"], strict=True
    )


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("text/xml", "text/xml; charset=utf-8"),
        ("text/*", "text/xml; charset=utf-8"),
        (s.SDMX_STRUCTURE, f"{s.SDMX_STRUCTURE}; version=2.1; charset=utf-8"),
        (f"{s.SDMX_STRUCTURE}; version=2.1", f"{s.SDMX_STRUCTURE}; version=2.1; charset=utf-8"),
        ("*/*", "application/json"),
        ("application/json;q=0, */*;q=0.1", "application/xml; charset=utf-8"),
    ],
)
def test_export_answers_in_the_type_asked_for(client, demo_structures, accept, content_type):
    response = client.get(DSD_PATH, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert "Accept" in response.vary


def test_export_reads_format_as_the_other_endpoints_do(client, demo_structures):
    upper = client.get(DSD_PATH, query_string={"format": "SDMX-ML"})
    assert upper.status_code == 200
    assert upper.mimetype == "application/xml"
    twice = client.get(DSD_PATH, query_string=[("format", "json"), ("format", "sdmx-ml")])
    assert twice.status_code == 400
    assert twice.json["detail"] == "give format once"
    unknown = client.get(DSD_PATH, query_string={"format": "xml"})
    assert unknown.status_code == 406
    assert unknown.json["detail"] == "'xml' is not available here; use one of json, sdmx-ml"
    offered = [
        "application/json",
        "application/xml",
        "text/xml",
        s.SDMX_STRUCTURE,
        f"{s.SDMX_STRUCTURE};version=2.1",
    ]
    assert unknown.json["acceptable"] == offered
    for accept in ("text/csv", f"{s.SDMX_STRUCTURE};version=3.0.0"):
        refused = client.get(DSD_PATH, headers={"Accept": accept})
        assert refused.status_code == 406
        assert refused.mimetype == PROBLEM
        assert refused.json["acceptable"] == offered


def test_export_errors(client, demo_structures):
    assert client.get(DSD_PATH, query_string={"format": "csv"}).status_code == 406
    assert client.get(DSD_PATH, headers={"Accept": "text/csv"}).status_code == 406
    bad = client.get(DSD_PATH, query_string={"format": "sdmx-ml", "references": "all"})
    assert bad.status_code == 400
    # Also as JSON, where it is not used: a typo is an error, not silently ignored.
    assert client.get(DSD_PATH, query_string={"references": "all"}).status_code == 400


# ------------------------------------------------------------------------------- links


def _link(client, token, body, name="enei-2024", **headers):
    return client.put(
        f"/api/v1/datasets/{name}/sdmx", json=body, headers={**bearer(token), **headers}
    )


def test_link_by_urn_shows_in_the_dataset(client, demo_structures, enei, people):
    etag = client.get("/api/v1/datasets/enei-2024").headers["ETag"]
    response = _link(client, people["steward"], {"urn": s.DEMO_DATAFLOW}, **{"If-Match": etag})
    assert response.status_code == 200
    assert response.json["structure"]["urn"] == s.DEMO_DATAFLOW
    assert response.headers["ETag"] != etag
    dataset = client.get("/api/v1/datasets/enei-2024").json
    member = dataset["sdmx"]
    assert member["dsd"]["urn"] == s.DEMO_DSD
    assert member["links"]["structure"].endswith(FLOW_PATH)
    assert dataset["links"]["sdmx"].endswith("/api/v1/datasets/enei-2024/sdmx")
    area = next(d for d in member["dimensions"] if d["id"] == "REF_AREA")
    assert area["concept"]["label"]["en"] == "Reference area"
    assert area["codelist"]["id"] == "CL_REF_AREA"
    listed = client.get("/api/v1/datasets").json["items"]
    assert next(d for d in listed if d["name"] == "enei-2024")["sdmx"] == member
    assert client.get("/api/v1/datasets/enei-2024/sdmx").json == member
    # The dataset's JSON can be sent back as it came: the sdmx member is ignored.
    back = client.put(
        "/api/v1/datasets/enei-2024",
        json=dataset,
        headers={**bearer(people["steward"]), "If-Match": f'"{dataset["revision"]}"'},
    )
    assert back.status_code == 200


def test_link_by_kind_agency_id_and_latest_version(client, demo_structures, enei, people):
    body = {"kind": "datastructure", "agency": "SIMEL", "id": "DSD_LABOUR_MIGRATION"}
    response = _link(client, people["steward"], body)
    assert response.status_code == 200
    assert response.json["structure"]["urn"] == s.DEMO_DSD
    # The structure as the link reports it can be sent back: both forms, one structure.
    again = _link(client, people["steward"], response.json["structure"])
    assert again.status_code == 200, again.json
    assert again.json["structure"]["urn"] == s.DEMO_DSD


def test_a_urn_and_fields_naming_another_structure_are_422(client, demo_structures, enei, people):
    body = {"urn": s.DEMO_DATAFLOW, "kind": "datastructure", "id": "DSD_LABOUR_MIGRATION"}
    response = _link(client, people["steward"], body)
    assert response.status_code == 422
    assert response.json["detail"] == "the urn and the other fields name different structures"
    assert [e["pointer"] for e in response.json["errors"]] == ["/kind", "/id"]
    empty = _link(client, people["steward"], {"urn": s.DEMO_DATAFLOW, "version": ""})
    assert empty.status_code == 422
    assert empty.json["errors"][0]["pointer"] == "/version"
    assert client.get("/api/v1/datasets/enei-2024/sdmx").status_code == 404  # nothing linked


def test_unknown_codes_are_422_naming_field_code_and_codelist(
    client, demo_structures, make_dataset, people
):
    make_dataset("programa", spatial=["GTM", "USA"])
    response = _link(client, people["steward"], {"urn": s.DEMO_DATAFLOW}, name="programa")
    assert response.status_code == 422
    (error,) = response.json["errors"]
    assert error["pointer"] == "/spatial/1"
    assert error["code"] == "USA"
    assert error["codelist"].endswith("Codelist=SIMEL:CL_REF_AREA(1.0)")
    assert error["dimension"] == "REF_AREA"


def test_updates_while_linked_are_checked(client, demo_structures, enei, people):
    _link(client, people["steward"], {"urn": s.DEMO_DATAFLOW})
    dataset = client.get("/api/v1/datasets/enei-2024")
    response = client.patch(
        "/api/v1/datasets/enei-2024",
        json={"spatial": ["GTM", "CAN"]},
        headers={
            **bearer(people["steward"]),
            "If-Match": dataset.headers["ETag"],
            "Content-Type": "application/merge-patch+json",
        },
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["pointer"] == "/spatial/1"
    assert response.json["errors"][0]["code"] == "CAN"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"urn": "not-a-urn"}, 422),
        ({"urn": "urn:sdmx:org.sdmx.infomodel.codelist.Codelist=SIMEL:CL_SEX(1.0)"}, 422),
        ({"kind": "dataflow", "agency": "SIMEL", "id": "NOPE"}, 404),
        ({"kind": "dataflow", "agency": "SIMEL", "id": 5}, 400),
        ([], 400),
    ],
)
def test_bad_link_requests(client, demo_structures, enei, people, body, status):
    response = _link(client, people["steward"], body)
    assert response.status_code == status
    assert response.mimetype == PROBLEM


def test_link_permissions(client, demo_structures, enei, people):
    assert (
        client.put("/api/v1/datasets/enei-2024/sdmx", json={"urn": s.DEMO_DSD}).status_code == 401
    )
    assert _link(client, people["other"], {"urn": s.DEMO_DSD}).status_code == 403
    assert _link(client, people["admin"], {"urn": s.DEMO_DSD}).status_code == 200
    stale = _link(client, people["steward"], {"urn": s.DEMO_DATAFLOW}, **{"If-Match": '"1"'})
    assert stale.status_code == 412


def test_unlink(client, demo_structures, enei, people):
    assert client.get("/api/v1/datasets/enei-2024/sdmx").status_code == 404
    _link(client, people["steward"], {"urn": s.DEMO_DATAFLOW})
    headers = bearer(people["steward"])
    assert client.delete("/api/v1/datasets/enei-2024/sdmx", headers=headers).status_code == 204
    assert "sdmx" not in client.get("/api/v1/datasets/enei-2024").json
    assert client.delete("/api/v1/datasets/enei-2024/sdmx", headers=headers).status_code == 404
    events = client.get(
        "/api/v1/audit/events",
        query_string={"object_id": "enei-2024", "action": "dataset."},
        headers=bearer(people["admin"]),
    ).json["items"]
    assert [e["action"] for e in events][:2] == ["dataset.sdmx_unlink", "dataset.sdmx_link"]


def test_linked_datasets_of_a_structure(client, demo_structures, enei, make_dataset, people):
    make_dataset("borrador", spatial=["GTM"], publish=False)
    _link(client, people["steward"], {"urn": s.DEMO_DATAFLOW})
    _link(client, people["steward"], {"urn": s.DEMO_DSD}, name="borrador")
    codelist = f"{STRUCTURES}/codelist/SIMEL/CL_REF_AREA/1.0/datasets"
    public = client.get(codelist).json
    assert [i["name"] for i in public["items"]] == ["enei-2024"]
    assert public["items"][0]["structure"] == s.DEMO_DATAFLOW
    own = client.get(codelist, headers=bearer(people["steward"])).json
    assert [i["name"] for i in own["items"]] == ["borrador", "enei-2024"]
    flow = client.get(f"{FLOW_PATH}/datasets").json
    assert [i["name"] for i in flow["items"]] == ["enei-2024"]
    other_flow = f"{STRUCTURES}/dataflow/SIMEL/DF_WORK_PERMITS/1.0/datasets"
    assert client.get(other_flow).json["items"] == []


def test_delete_structures(client, demo_structures, enei, people):
    admin = bearer(people["admin"])
    _link(client, people["steward"], {"urn": s.DEMO_DATAFLOW})
    refused = client.delete(DSD_PATH, headers=admin)
    assert refused.status_code == 409
    assert refused.json["datasets"] == ["enei-2024"]
    assert client.delete(DSD_PATH, headers=bearer(people["steward"])).status_code == 403
    unused = f"{STRUCTURES}/dataflow/SIMEL/DF_WORK_PERMITS/1.0"
    assert client.delete(unused, headers=admin).status_code == 204
    assert client.get(unused).status_code == 404
