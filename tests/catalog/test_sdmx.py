"""SDMX structures in the catalog: import, versioning, export, links and code checks."""

from __future__ import annotations

import io

import pytest
import sdmx as sdmx1
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from catalog import audit, datasets, sdmx, sdmx_ml
from catalog.errors import Conflict, Forbidden, InvalidMetadata, NotFound
from catalog.models import AuditEvent, DatasetRevision, DatasetSdmxLink, Role, SdmxStructure
from catalog.principals import Principal
from catalog.sdmx_ml import Ref
from tests import sdmx_support as s
from tests.conftest import SYSTEM

CL_AREA = Ref("codelist", "TEST", "CL_AREA", "1.0")
DSD_TEST = Ref("datastructure", "TEST", "DSD_TEST", "1.0")
DF_TEST = Ref("dataflow", "TEST", "DF_TEST", "1.0")
DEMO_FLOW = sdmx_ml.parse_urn(s.DEMO_DATAFLOW)


def load(session, data: bytes, actor: Principal = SYSTEM) -> sdmx.ImportReport:
    return sdmx.import_message(session, actor=actor, data=data, max_bytes=s.MAX_BYTES)


def outcomes(report: sdmx.ImportReport) -> dict[str, str]:
    return {item.ref.label: item.outcome for item in report.items}


def stored(session) -> dict[str, SdmxStructure]:
    return {f"{r.agency}:{r.sdmx_id}({r.version})": r for r in session.exec(select(SdmxStructure))}


@pytest.fixture
def gtm_dataset(make_org, make_dataset):
    make_org("mintrab-gt")
    return make_dataset(
        "enei-2024",
        spatial=["GTM"],
        labour_migration={
            "statistical_population": ["seasonal-workers"],
            "occupations": ["9211"],
            "economic_activities": ["0111"],
            "collection_method": "survey",
            "unit_of_measure": {"es": "Personas", "en": "Persons"},
        },
    )


# ------------------------------------------------------------------------------ import


@pytest.mark.parametrize("name", s.SAMPLE_XML)
def test_every_sample_imports(session, name):
    report = load(session, s.sample(name))
    assert report.items
    assert all(item.outcome == "created" for item in report.items)
    assert set(stored(session)) == {item.ref.label for item in report.items}
    # And again: nothing changes.
    assert set(outcomes(load(session, s.sample(name))).values()) == {"unchanged"}


def test_both_samples_in_either_order_share_the_partial_country_list(session):
    # esms has CL_COUNTRY {BE, LU}, demography {BE, EL, LU, UK}: both partial (isPartial).
    first = load(session, s.sample("ESTAT-esms-structure.xml"))
    assert outcomes(first)["ESTAT:CL_COUNTRY(1.0)"] == "created"
    second = load(session, s.sample("ESTAT-demography-structure.xml"))
    item = next(i for i in second.items if i.ref.id == "CL_COUNTRY")
    assert (item.outcome, item.detail) == ("extended", "2 code(s) added")
    codes = [c["id"] for c in stored(session)["ESTAT:CL_COUNTRY(1.0)"].document["codes"]]
    assert codes == ["BE", "LU", "EL", "UK"]
    again = load(session, s.sample("ESTAT-esms-structure.xml"))
    assert outcomes(again)["ESTAT:CL_COUNTRY(1.0)"] == "unchanged"


def test_the_demo_message_imports(session):
    report = load(session, s.demo_message())
    assert len(report.items) == 16
    assert report.count("created") == 16
    assert report.skipped == ()
    rows = stored(session)
    dsd = rows["SIMEL:DSD_LABOUR_MIGRATION(1.0)"]
    assert dsd.is_final
    assert [d["id"] for d in dsd.document["dimensions"]] == [
        "FREQ",
        "REF_AREA",
        "SEX",
        "AGE",
        "MIG_STATUS",
        "ECO",
        "OCU",
        "TIME_PERIOD",
    ]
    areas = rows["SIMEL:CL_REF_AREA(1.0)"].document["codes"]
    assert [(c["id"], c["name"]["es"]) for c in areas] == [
        ("GTM", "Guatemala"),
        ("SLV", "El Salvador"),
        ("HND", "Honduras"),
        ("MEX", "México"),
        ("BLZ", "Belice"),
    ]
    isco = [c["id"] for c in rows["SIMEL:CL_OCU_ISCO08(1.0)"].document["codes"]]
    assert isco == [*"0123456789", "_T"]
    isic = [c["id"] for c in rows["SIMEL:CL_ECO_ISIC4(1.0)"].document["codes"]]
    assert isic == [*"ABCDEFGHIJKLMNOPQRSTU", "_T"]
    migration = {c["id"]: c for c in rows["SIMEL:CL_MIG_STATUS(1.0)"].document["codes"]}
    assert migration["seasonal-workers"]["parent"] == "international-migrant-workers"
    assert "excluded-military-diplomatic" not in migration


def test_import_is_audited_in_the_same_transaction(session):
    before = audit.count_events(session)
    report = load(session, s.small_structures())
    events = session.exec(select(AuditEvent).where(AuditEvent.seq > before)).all()
    assert [e.action for e in events] == [
        "sdmx_structure.create",
        "sdmx_structure.create",
        "sdmx_structure.create",
        "sdmx_message.import",
    ]
    assert events[0].object_id == "codelist/TEST/CL_AREA/1.0"
    assert events[-1].object_id == report.sha256
    assert events[-1].details["outcomes"]["datastructure/TEST/DSD_TEST/1.0"] == "created"
    assert audit.verify_chain(session).ok


def test_only_admins_import(session, make_org):
    org = make_org("mintrab-gt")
    steward = Principal(
        kind="user", name="ana", user_id=1, roles={org.id: frozenset({Role.STEWARD})}, scopes=None
    )
    with pytest.raises(Forbidden):
        load(session, s.small_structures(), actor=steward)
    assert stored(session) == {}


def test_a_message_of_only_external_references_is_refused(session):
    with pytest.raises(InvalidMetadata, match="holds no DSD"):
        load(session, s.ONLY_REFERENCES)


# -------------------------------------------------------------------------- versioning


def test_a_new_version_is_a_new_row(session):
    load(session, s.codelists_message(s.codelist_xml("CL_AREA", s.AREAS, final=True)))
    newer = s.codelist_xml("CL_AREA", [*s.AREAS, ("HND", "Honduras")], version="1.1", final=True)
    assert outcomes(load(session, s.codelists_message(newer))) == {"TEST:CL_AREA(1.1)": "created"}
    rows = stored(session)
    assert len(rows["TEST:CL_AREA(1.0)"].document["codes"]) == 2
    assert len(rows["TEST:CL_AREA(1.1)"].document["codes"]) == 3
    assert (
        sdmx.get_structure(session, Ref("codelist", "TEST", "CL_AREA", "latest")).version == "1.1"
    )


def test_versions_order_numerically():
    assert sorted(["1.10", "1.9", "2.0", "1.0"], key=sdmx.version_key) == [
        "1.0",
        "1.9",
        "1.10",
        "2.0",
    ]


def test_final_structures_never_change(session):
    load(session, s.codelists_message(s.codelist_xml("CL_AREA", s.AREAS, final=True)))
    changed = s.codelist_xml("CL_AREA", [("GTM", "Guatemala (changed)")], final=True)
    with pytest.raises(Conflict, match="final structures never change"):
        load(session, s.codelists_message(changed))


def test_an_unreferenced_draft_is_replaced(session):
    load(session, s.codelists_message(s.codelist_xml("CL_AREA", s.AREAS)))
    changed = s.codelist_xml("CL_AREA", [("GTM", "Guatemala")], name="Renamed")
    report = load(session, s.codelists_message(changed))
    assert outcomes(report) == {"TEST:CL_AREA(1.0)": "replaced"}
    row = stored(session)["TEST:CL_AREA(1.0)"]
    assert row.name == {"en": "Renamed"}
    assert [c["id"] for c in row.document["codes"]] == ["GTM"]
    assert sdmx_ml.stored_object(row.sdmx_ml, CL_AREA).name.localizations == {"en": "Renamed"}


def test_a_referenced_draft_is_protected(session, gtm_dataset):
    load(session, s.small_structures())
    sdmx.link_dataset(session, actor=SYSTEM, name="enei-2024", target=DF_TEST)
    changed = s.codelist_xml("CL_AREA", [("GTM", "Guatemala")])
    with pytest.raises(Conflict, match="referenced by the dataset") as caught:
        load(session, s.codelists_message(changed))
    assert caught.value.extensions["datasets"] == ["enei-2024"]
    with pytest.raises(Conflict, match="referenced"):
        load(session, s.structure_message(s.dsd_xml(concept_id="COUNTRY")))


def test_a_failing_message_stores_nothing(session):
    load(session, s.codelists_message(s.codelist_xml("CL_FINAL", s.AREAS, final=True)))
    before = audit.count_events(session)
    message = s.codelists_message(
        s.codelist_xml("CL_NEW", s.AREAS),  # stored first if the import were not atomic
        s.codelist_xml("CL_FINAL", [("X", "x")], final=True),
    )
    with pytest.raises(Conflict):
        load(session, message)
    session.rollback()
    assert set(stored(session)) == {"TEST:CL_FINAL(1.0)"}
    assert audit.count_events(session) == before


def test_an_identifier_longer_than_the_catalog_stores_is_refused(session):
    """SQLite would keep it and PostgreSQL refuse it: both refuse it, and store nothing."""
    message = s.codelists_message(
        s.codelist_xml("CL_AREA", s.AREAS),
        s.codelist_xml("CL_" + "X" * 250, s.AREAS),
    )
    with pytest.raises(InvalidMetadata, match="at most 200 characters"):
        load(session, message)
    session.rollback()
    assert stored(session) == {}


def test_a_concurrent_duplicate_is_a_conflict(session, monkeypatch):
    def duplicate(*_args, **_kwargs):
        raise IntegrityError("INSERT", {}, Exception("unique constraint"))

    monkeypatch.setattr(audit, "record_many", duplicate)
    with pytest.raises(Conflict, match="at the same time"):
        load(session, s.small_structures())
    assert stored(session) == {}


def test_partial_codelists_that_disagree_follow_the_normal_rules(session):
    load(session, s.codelists_message(s.codelist_xml("CL", [("A", "a")], partial=True, final=True)))
    with pytest.raises(Conflict, match="final"):
        load(
            session,
            s.codelists_message(s.codelist_xml("CL", [("A", "other")], partial=True, final=True)),
        )


# -------------------------------------------------------------------------- round trip


def _export_read(session, ref: Ref, references: sdmx.References = "none"):
    _, xml = sdmx.export_structure(session, ref, references=references)
    return sdmx1.read_sdmx(io.BytesIO(xml))


@pytest.mark.parametrize("name", [*s.SAMPLE_XML, "demo"])
def test_every_stored_structure_round_trips(session, name):
    load(session, s.demo_message() if name == "demo" else s.sample(name))
    rows = list(stored(session).values())
    assert rows
    for row in rows:
        ref = Ref(row.kind, row.agency, row.sdmx_id, row.version)
        back = _export_read(session, ref)
        (obj,) = list(back.iter_objects(external_reference=False))
        assert sdmx_ml.structure_document(obj) == row.document, ref
        assert sdmx_ml.stored_object(row.sdmx_ml, ref).compare(obj, strict=True), ref


def test_the_demography_dsd_exported_with_its_descendants_equals_the_sample(session):
    original = sdmx_ml.read_structure_message(
        s.sample("ESTAT-demography-structure.xml"), max_bytes=s.MAX_BYTES
    )
    load(session, s.sample("ESTAT-demography-structure.xml"))
    back = _export_read(session, Ref("datastructure", "ESTAT", "DEMOGRAPHY", "1.0"), "descendants")
    exported = {o.id for o in back.iter_objects(external_reference=False)}
    assert exported == {
        "DEMOGRAPHY",
        "CL_COUNTRY",
        "CL_SEX",
        "CL_UNIT",
        "DEMO_CONCEPTS",
        "DEMO_MEASURES",
    }
    dsd = back.structure["DEMOGRAPHY"]
    sample_dsd = original.structure["DEMOGRAPHY"]
    # The sample has no urn attribute; sdmx1 would imply one with its own class name
    # (DataStructureDefinition), the catalog writes the SDMX 2.1 one (DataStructure).
    assert sample_dsd.urn is None
    assert dsd.urn.endswith(".DataStructure=ESTAT:DEMOGRAPHY(1.0)")
    sample_dsd.urn = dsd.urn
    assert sample_dsd.compare(dsd, strict=True)
    for collection in ("codelist", "concept_scheme"):
        for key, obj in getattr(back, collection).items():
            if not obj.is_external_reference:
                assert getattr(original, collection)[key].compare(obj, strict=True), key


def test_export_with_children_of_a_dataflow_adds_only_its_dsd(session):
    load(session, s.small_structures())
    children = {o.id for o in _export_read(session, DF_TEST, "children").iter_objects(False)}
    assert children == {"DF_TEST", "DSD_TEST"}
    descendants = {o.id for o in _export_read(session, DF_TEST, "descendants").iter_objects(False)}
    assert descendants == {"DF_TEST", "DSD_TEST", "CL_AREA"}


# ------------------------------------------------------------------------------ links


def test_link_a_dataset_to_the_demo_dataflow(session, gtm_dataset):
    load(session, s.demo_message())
    revision = gtm_dataset.revision
    dataset = sdmx.link_dataset(session, actor=SYSTEM, name="enei-2024", target=DEMO_FLOW)
    assert dataset.revision == revision + 1
    view = sdmx.dataset_sdmx_view(session, dataset)
    assert view["structure"]["urn"] == s.DEMO_DATAFLOW
    assert view["dsd"]["urn"] == s.DEMO_DSD
    dimensions = {d["id"]: d for d in view["dimensions"]}
    assert dimensions["REF_AREA"]["field"] == "/spatial"
    assert dimensions["REF_AREA"]["concept"]["label"] == {
        "es": "Área de referencia",
        "en": "Reference area",
    }
    assert dimensions["OCU"]["codelist"]["id"] == "CL_OCU_ISCO08"
    assert "codes" not in dimensions["OCU"]
    assert dimensions["TIME_PERIOD"]["text_type"] == "ObservationalTimePeriod"
    assert [a["id"] for a in view["attributes"]] == ["UNIT_MEASURE", "UNIT_MULT", "OBS_STATUS"]
    revision_row = session.exec(
        select(DatasetRevision).where(DatasetRevision.revision == dataset.revision)
    ).one()
    assert revision_row.action == "sdmx_link"
    assert revision_row.changes == [{"path": "/sdmx", "old": None, "new": s.DEMO_DATAFLOW}]
    event = session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.object_id) == ("dataset.sdmx_link", "enei-2024")
    assert event.details["dsd"] == s.DEMO_DSD
    # Linking to the same structure again changes nothing.
    again = sdmx.link_dataset(session, actor=SYSTEM, name="enei-2024", target=DEMO_FLOW)
    assert again.revision == dataset.revision


def test_codes_are_checked_against_the_dsd_codelists(session, make_org, make_dataset):
    make_org("mintrab-gt")
    make_dataset(
        "programa",
        spatial=["GTM", "USA"],
        accrual_periodicity="DAILY",
        labour_migration={
            "statistical_population": ["seasonal-workers", "excluded-military-diplomatic"],
            "occupations": ["9211", "0110"],
            "collection_method": "administrative-register",
        },
    )
    load(session, s.demo_message())
    with pytest.raises(InvalidMetadata) as caught:
        sdmx.link_dataset(session, actor=SYSTEM, name="programa", target=DEMO_FLOW)
    errors = {e.pointer: e for e in caught.value.errors}
    assert set(errors) == {
        "/spatial/1",
        "/accrual_periodicity",
        "/labour_migration/statistical_population/1",
    }
    usa = errors["/spatial/1"]
    assert usa.extra == {
        "code": "USA",
        "codelist": "urn:sdmx:org.sdmx.infomodel.codelist.Codelist=SIMEL:CL_REF_AREA(1.0)",
        "dimension": "REF_AREA",
    }
    assert "'USA' is not a code of SIMEL:CL_REF_AREA(1.0)" in usa.detail
    assert "as SDMX code 'D'" in errors["/accrual_periodicity"].detail
    assert (
        "nor are its broader codes"
        not in errors["/labour_migration/statistical_population/1"].detail
    )
    assert session.exec(select(DatasetSdmxLink)).all() == []


def test_updates_of_a_linked_dataset_are_checked(session, gtm_dataset):
    load(session, s.demo_message())
    dataset = sdmx.link_dataset(session, actor=SYSTEM, name="enei-2024", target=DEMO_FLOW)
    document = {**dataset.document, "spatial": ["GTM", "CRI"]}
    with pytest.raises(InvalidMetadata, match="linked to SIMEL:DSD_LABOUR_MIGRATION") as caught:
        datasets.update_dataset(
            session, actor=SYSTEM, name="enei-2024", document=document, if_match=dataset.revision
        )
    assert [e.pointer for e in caught.value.errors] == ["/spatial/1"]
    session.rollback()
    fine = {**dataset.document, "spatial": ["GTM", "MEX"]}
    updated = datasets.update_dataset(
        session, actor=SYSTEM, name="enei-2024", document=fine, if_match=dataset.revision
    )
    assert updated.document["spatial"] == ["GTM", "MEX"]
    sdmx.unlink_dataset(session, actor=SYSTEM, name="enei-2024")
    free = {**updated.document, "spatial": ["CRI"]}
    unlinked = session.get(type(updated), updated.id)
    assert datasets.update_dataset(
        session, actor=SYSTEM, name="enei-2024", document=free, if_match=unlinked.revision
    ).document["spatial"] == ["CRI"]


def test_link_targets(session, gtm_dataset):
    load(session, s.small_structures())
    with pytest.raises(InvalidMetadata, match="not to a codelist"):
        sdmx.link_dataset(session, actor=SYSTEM, name="enei-2024", target=CL_AREA)
    with pytest.raises(NotFound, match="no dataflow TEST:NOPE"):
        sdmx.link_dataset(
            session, actor=SYSTEM, name="enei-2024", target=Ref("dataflow", "TEST", "NOPE", "1.0")
        )
    dataset = sdmx.link_dataset(session, actor=SYSTEM, name="enei-2024", target=DSD_TEST)
    view = sdmx.dataset_sdmx_view(session, dataset)
    assert view["structure"] == view["dsd"]
    assert view["dimensions"][0]["field"] == "/spatial"


def test_a_dataflow_whose_dsd_is_not_stored_cannot_be_linked(session, gtm_dataset):
    load(session, s.sample("ESTAT-esms-structure.xml"))
    with pytest.raises(Conflict, match="is not stored: import it first"):
        sdmx.link_dataset(
            session,
            actor=SYSTEM,
            name="enei-2024",
            target=Ref("dataflow", "ESTAT", "DEMO_TOT", "1.0"),
        )


def test_stewards_of_other_publishers_cannot_link(session, gtm_dataset, make_org):
    other = make_org("ine-hn", country="HND")
    load(session, s.small_structures())
    rosa = Principal(
        kind="user",
        name="rosa",
        user_id=9,
        roles={other.id: frozenset({Role.STEWARD})},
        scopes=None,
    )
    with pytest.raises(Forbidden, match="stewards of mintrab-gt"):
        sdmx.link_dataset(session, actor=rosa, name="enei-2024", target=DF_TEST)


def test_referenced_structures_cannot_be_deleted(session, gtm_dataset):
    load(session, s.small_structures())
    sdmx.link_dataset(session, actor=SYSTEM, name="enei-2024", target=DF_TEST)
    for ref in (DF_TEST, DSD_TEST, CL_AREA):
        with pytest.raises(Conflict, match="unlink them first"):
            sdmx.delete_structure(session, actor=SYSTEM, ref=ref)
    assert [d.name for d in sdmx.linked_datasets(session, actor=SYSTEM, ref=CL_AREA)] == [
        "enei-2024"
    ]
    sdmx.unlink_dataset(session, actor=SYSTEM, name="enei-2024")
    with pytest.raises(NotFound, match="not linked"):
        sdmx.unlink_dataset(session, actor=SYSTEM, name="enei-2024")
    for ref in (DF_TEST, DSD_TEST, CL_AREA):
        sdmx.delete_structure(session, actor=SYSTEM, ref=ref)
    assert stored(session) == {}
    actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert actions.count("sdmx_structure.delete") == 3
    assert "dataset.sdmx_unlink" in actions


def test_the_database_refuses_to_delete_a_linked_structure(session, gtm_dataset):
    load(session, s.small_structures())
    sdmx.link_dataset(session, actor=SYSTEM, name="enei-2024", target=DF_TEST)
    session.delete(sdmx.get_structure(session, DSD_TEST))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_deleting_a_draft_dataset_removes_its_link(session, make_org, make_dataset):
    make_org("mintrab-gt")
    make_dataset("borrador", publish=False)
    load(session, s.small_structures())
    sdmx.link_dataset(session, actor=SYSTEM, name="borrador", target=DF_TEST)
    datasets.delete_draft(session, actor=SYSTEM, name="borrador")
    assert session.exec(select(DatasetSdmxLink)).all() == []
    sdmx.delete_structure(session, actor=SYSTEM, ref=DF_TEST)


def test_statistical_components(session, gtm_dataset):
    assert sdmx.statistical_components(session, gtm_dataset) == ([], [], None)
    load(session, s.demo_message())
    sdmx.link_dataset(session, actor=SYSTEM, name="enei-2024", target=DEMO_FLOW)
    dimensions, attributes, flow = sdmx.statistical_components(session, gtm_dataset)
    assert flow == s.DEMO_DATAFLOW
    assert [d.id for d in dimensions][:3] == ["FREQ", "REF_AREA", "SEX"]
    area = dimensions[1]
    assert area.iri == (
        "urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept=SIMEL:CS_LABOUR_MIGRATION(1.0).REF_AREA"
    )
    assert area.label == {"es": "Área de referencia", "en": "Reference area"}
    assert area.codelist.endswith("Codelist=SIMEL:CL_REF_AREA(1.0)")
    assert [(a.id, a.label["en"]) for a in attributes] == [
        ("UNIT_MEASURE", "Unit of measure"),
        ("UNIT_MULT", "Unit multiplier"),
        ("OBS_STATUS", "Observation status"),
    ]
    sdmx.link_dataset(session, actor=SYSTEM, name="enei-2024", target=sdmx_ml.parse_urn(s.DEMO_DSD))
    assert sdmx.statistical_components(session, gtm_dataset)[2] is None


def _core_representation_structures(codes=s.AREAS) -> bytes:
    """CL_AREA, a concept scheme whose REF_AREA takes it as core representation, and a
    DSD whose REF_AREA dimension has no local representation."""
    scheme = (
        '<str:Concepts><str:ConceptScheme id="CS_TEST" agencyID="TEST" version="1.0">'
        '<com:Name xml:lang="en">Concepts</com:Name>'
        '<str:Concept id="REF_AREA"><com:Name xml:lang="en">Reference area</com:Name>'
        '<com:Name xml:lang="es">Área de referencia</com:Name>'
        "<str:CoreRepresentation><str:Enumeration>"
        '<Ref id="CL_AREA" version="1.0" agencyID="TEST" package="codelist" class="Codelist"/>'
        "</str:Enumeration></str:CoreRepresentation></str:Concept>"
        '<str:Concept id="TIME_PERIOD"><com:Name xml:lang="en">Time</com:Name></str:Concept>'
        '<str:Concept id="OBS_VALUE"><com:Name xml:lang="en">Value</com:Name></str:Concept>'
        "</str:ConceptScheme></str:Concepts>"
    )
    dsd = s.dsd_xml(dsd_id="DSD_CORE")
    start = dsd.index("<str:LocalRepresentation>")
    end = dsd.index("</str:LocalRepresentation>") + len("</str:LocalRepresentation>")
    return s.structure_message(
        f"<str:Codelists>{s.codelist_xml('CL_AREA', codes)}</str:Codelists>"
        + scheme
        + dsd[:start]
        + dsd[end:]
    )


def test_a_concepts_core_representation_enumerates_a_dimension(session, make_org, make_dataset):
    make_org("mintrab-gt")
    make_dataset("enei-2024", spatial=["HND"])
    load(session, _core_representation_structures())
    dsd = Ref("datastructure", "TEST", "DSD_CORE", "1.0")
    document = sdmx.get_structure(session, dsd).document
    assert "representation" not in document["dimensions"][0]
    with pytest.raises(InvalidMetadata) as caught:
        sdmx.link_dataset(session, actor=SYSTEM, name="enei-2024", target=dsd)
    assert caught.value.errors[0].extra["codelist"].endswith("Codelist=TEST:CL_AREA(1.0)")
    load(session, _core_representation_structures([*s.AREAS, ("HND", "Honduras")]))  # replaced
    dataset = sdmx.link_dataset(session, actor=SYSTEM, name="enei-2024", target=dsd)
    area = sdmx.dataset_sdmx_view(session, dataset)["dimensions"][0]
    assert area["codelist"]["id"] == "CL_AREA"
    assert area["concept"]["label"] == {"en": "Reference area", "es": "Área de referencia"}
    # Now a dataset depends on CL_AREA through the concept scheme: it is protected.
    with pytest.raises(Conflict, match="enei-2024"):
        load(session, _core_representation_structures(s.AREAS))
    with pytest.raises(Conflict, match="unlink them first"):
        sdmx.delete_structure(session, actor=SYSTEM, ref=CL_AREA)
