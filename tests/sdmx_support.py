"""Helpers for the SDMX tests: the shared samples, small hand-written messages, hostile XML."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from catalog.demo.sdmx_structures import MESSAGE_PATH as DEMO_MESSAGE
from tests.standards_dir import STANDARDS

REPO = Path(__file__).resolve().parents[1]
MESSAGE_NS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
STRUCTURE_NS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
COMMON_NS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
SDMX_STRUCTURE = "application/vnd.sdmx.structure+xml"
MAX_BYTES = 5 * 1024 * 1024
DEMO_DATAFLOW = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=SIMEL:DF_LFS_MIGRATION(1.0)"
DEMO_DSD = "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=SIMEL:DSD_LABOUR_MIGRATION(1.0)"


def find_samples() -> Path | None:
    """The SDMX samples of the standards folder (tests/standards_dir.py)."""
    folder = STANDARDS / "sdmx"
    return folder if (folder / "ESTAT-demography-structure.xml").is_file() else None


SAMPLES = find_samples()
SAMPLE_XML = ("ESTAT-demography-structure.xml", "ESTAT-esms-structure.xml")


def sample(name: str) -> bytes:
    """The bytes of a shared sample (the test is skipped where the samples are absent)."""
    if SAMPLES is None:
        pytest.skip(f"the SDMX samples are absent from {STANDARDS / 'sdmx'} (SIMEL_STANDARDS_DIR)")
    return (SAMPLES / name).read_bytes()


def demo_message() -> bytes:
    """The demo's labour-migration structure message."""
    return DEMO_MESSAGE.read_bytes()


def structure_message(body: str, *, prolog: str = "") -> bytes:
    """A hand-written SDMX-ML 2.1 structure message around ``body`` (the Structures)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>{prolog}
<mes:Structure xmlns:mes="{MESSAGE_NS}" xmlns:str="{STRUCTURE_NS}" xmlns:com="{COMMON_NS}">
  <mes:Header>
    <mes:ID>TEST</mes:ID>
    <mes:Test>true</mes:Test>
    <mes:Prepared>2025-01-01T00:00:00</mes:Prepared>
    <mes:Sender id="TEST"/>
  </mes:Header>
  <mes:Structures>{body}</mes:Structures>
</mes:Structure>
""".encode()


def codelist_xml(
    codelist_id: str,
    codes: Iterable[tuple[str, str]],
    *,
    agency: str = "TEST",
    version: str = "1.0",
    final: bool = False,
    partial: bool = False,
    name: str = "A codelist",
) -> str:
    """One ``str:Codelist`` element with ``(id, English name)`` codes."""
    items = "".join(
        f'<str:Code id="{code}"><com:Name xml:lang="en">{label}</com:Name></str:Code>'
        for code, label in codes
    )
    return (
        f'<str:Codelist id="{codelist_id}" agencyID="{agency}" version="{version}" '
        f'isFinal="{str(final).lower()}" isPartial="{str(partial).lower()}">'
        f'<com:Name xml:lang="en">{name}</com:Name>{items}</str:Codelist>'
    )


def codelists_message(*codelists: str) -> bytes:
    """A structure message holding the given ``str:Codelist`` elements."""
    return structure_message(f"<str:Codelists>{''.join(codelists)}</str:Codelists>")


def dsd_xml(
    dsd_id: str = "DSD_TEST",
    *,
    codelist: tuple[str, str] = ("CL_AREA", "1.0"),
    concept_id: str = "REF_AREA",
    agency: str = "TEST",
    version: str = "1.0",
    final: bool = False,
) -> str:
    """A small DSD: one enumerated dimension, the time dimension and OBS_VALUE."""
    cl_id, cl_version = codelist
    concept = (
        '<Ref id="{id}" maintainableParentID="CS_TEST" maintainableParentVersion="1.0" '
        f'agencyID="{agency}" package="conceptscheme" class="Concept"/>'
    )
    return (
        f'<str:DataStructures><str:DataStructure id="{dsd_id}" agencyID="{agency}" '
        f'version="{version}" isFinal="{str(final).lower()}">'
        '<com:Name xml:lang="en">A DSD</com:Name><str:DataStructureComponents>'
        '<str:DimensionList id="DimensionDescriptor">'
        f'<str:Dimension id="{concept_id}" position="1"><str:ConceptIdentity>'
        + concept.format(id=concept_id)
        + "</str:ConceptIdentity><str:LocalRepresentation><str:Enumeration>"
        f'<Ref id="{cl_id}" version="{cl_version}" agencyID="{agency}" package="codelist" '
        'class="Codelist"/></str:Enumeration></str:LocalRepresentation></str:Dimension>'
        '<str:TimeDimension id="TIME_PERIOD" position="2"><str:ConceptIdentity>'
        + concept.format(id="TIME_PERIOD")
        + "</str:ConceptIdentity></str:TimeDimension></str:DimensionList>"
        '<str:MeasureList id="MeasureDescriptor"><str:PrimaryMeasure id="OBS_VALUE">'
        "<str:ConceptIdentity>"
        + concept.format(id="OBS_VALUE")
        + "</str:ConceptIdentity></str:PrimaryMeasure></str:MeasureList>"
        "</str:DataStructureComponents></str:DataStructure></str:DataStructures>"
    )


def dataflow_xml(
    flow_id: str = "DF_TEST", *, dsd: tuple[str, str] = ("DSD_TEST", "1.0"), agency: str = "TEST"
) -> str:
    """A dataflow of a DSD."""
    dsd_id, dsd_version = dsd
    return (
        f'<str:Dataflows><str:Dataflow id="{flow_id}" agencyID="{agency}" version="1.0">'
        '<com:Name xml:lang="en">A dataflow</com:Name><str:Structure>'
        f'<Ref id="{dsd_id}" version="{dsd_version}" agencyID="{agency}" '
        'package="datastructure" class="DataStructure"/></str:Structure>'
        "</str:Dataflow></str:Dataflows>"
    )


AREAS = (("GTM", "Guatemala"), ("SLV", "El Salvador"))


def small_structures(*, final: bool = False) -> bytes:
    """A codelist of two areas, a DSD using it, and a dataflow of the DSD."""
    return structure_message(
        dataflow_xml()
        + f"<str:Codelists>{codelist_xml('CL_AREA', AREAS, final=final)}</str:Codelists>"
        + dsd_xml(final=final)
    )


# ------------------------------------------------------------------------ hostile XML

_ROOT = f'<mes:Structure xmlns:mes="{MESSAGE_NS}">'

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
        for n in range(1, 10)
    )
    + "]>\n"
    + _ROOT
    + "&lol9;</mes:Structure>"
).encode()

EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    + _ROOT
    + "&xxe;</mes:Structure>"
).encode()

EXTERNAL_DTD = (
    '<?xml version="1.0"?>\n<!DOCTYPE mes:Structure SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
    + _ROOT
    + "</mes:Structure>"
).encode()

# The same external entity in UTF-16: a byte search for "<!DOCTYPE" cannot see it, so
# only the parser-level check stands between it and the parser.
EXTERNAL_ENTITY_UTF16 = (
    '<?xml version="1.0" encoding="UTF-16"?>\n'
    '<!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + _ROOT + "&xxe;</mes:Structure>"
).encode("utf-16")

TRUNCATED = demo_message()[:5000]

WRONG_ROOT = b'<?xml version="1.0"?><html><body>not SDMX</body></html>'

DATA_MESSAGE = (
    f'<?xml version="1.0"?><mes:GenericData xmlns:mes="{MESSAGE_NS}">'
    "<mes:Header><mes:ID>D</mes:ID></mes:Header></mes:GenericData>"
).encode()

SDMX_30 = (
    b'<?xml version="1.0"?><mes:Structure '
    b'xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message"/>'
)

UNKNOWN_ELEMENT = structure_message(
    '<str:Codelists><str:Codelist id="CL" agencyID="TEST" version="1.0">'
    '<com:Name xml:lang="en">x</com:Name><str:Bogus id="Y"/></str:Codelist></str:Codelists>'
)

ONLY_REFERENCES = structure_message(
    '<str:Codelists><str:Codelist id="CL_FREQ" agencyID="SDMX" version="1.0" '
    'isExternalReference="true" structureURL="http://127.0.0.1:9/common.xml">'
    '<com:Name xml:lang="en">Frequency</com:Name></str:Codelist></str:Codelists>'
)
