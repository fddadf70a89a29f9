"""Harvest DCAT catalogs: any RDF serialization in, our datasets out, with provenance.

A harvest run reads a source (a file, a URL following Hydra ``hydra:next`` pages, or an
uploaded document), maps every ``dcat:Dataset`` it describes into a dataset document and
its distributions (the inverse of :mod:`catalog.dcat`, plus the common variants other
catalogs publish), checks each mapped record through the same entry points as every other
write (:func:`catalog.validation.dataset_document_errors`, the distribution schema, and
the publisher), and writes the records that pass in one transaction: datasets, their
distributions, revisions, themes, search index, quality score, harvest records and audit
events commit together or not at all.

Idempotent: a dataset is known by its IRI at the source (``HarvestRecord.original_iri``);
a later run that meets it again updates that dataset (a new revision if anything
changed), never adds another. Records that cannot be mapped are reported with their
reasons and not written; with ``strict`` one bad record stops the whole run.

Publishers are never created: ``dct:publisher`` must map to an existing organization, by
an explicit mapping, by our organization IRI, by identifier (the organization's name),
by homepage or by name. Unmapped publishers are reported.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node
from sqlmodel import Session, col, select

import metadata_schemas
from catalog import audit
from catalog import datasets as dataset_service
from catalog.db import text_limit, utcnow
from catalog.dcat import (
    ADMS,
    DCAT,
    DCAT_VERSION,
    DCT,
    DQV,
    FOAF,
    HYDRA,
    IANA_MEDIA_TYPES,
    OA,
    SDMX_DATAFLOW_URN,
    SIMEL,
    SPDX,
    STAT,
    VCARD,
)
from catalog.distributions import distribution_columns
from catalog.errors import BadRequest, FieldError, InvalidMetadata, PayloadTooLarge
from catalog.harvest.fetch import Fetched, check_url, fetch_url, read_file, refuse_credentials
from catalog.iris import dataset_iri, organization_iri
from catalog.models import (
    Dataset,
    DatasetStatus,
    Distribution,
    HarvestRecord,
    Organization,
)
from catalog.principals import Principal
from catalog.rdfio import guess_format, parse_rdf
from catalog.settings import Settings
from catalog.validation import dataset_document_errors, distribution_document_errors

SCHEMA_ORG: Final = "http://schema.org/"
TIME_NS: Final = "http://www.w3.org/2006/time#"
RDF_VALUE: Final = RDF.value
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-zA-Z0-9.+-]+$")
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_DATAFLOW = re.compile(
    re.escape(SDMX_DATAFLOW_URN) + r"(?P<agency>[^:]+):(?P<id>[^(]+)\((?P<version>[^)]+)\)$"
)
_SHA256_ALGORITHMS: Final = {
    "http://spdx.org/rdf/terms#checksumAlgorithm_sha256",
    "https://spdx.org/rdf/terms#checksumAlgorithm_sha256",
}


# ------------------------------------------------------------------------------ report


@dataclass
class SkippedRecord:
    """A source record that was not harvested, and why."""

    iri: str
    errors: list[FieldError]

    def to_json(self) -> dict[str, Any]:
        """The record as the report lists it."""
        return {"iri": self.iri, "errors": [error.to_dict() for error in self.errors]}


@dataclass
class HarvestReport:
    """What a harvest run found and did."""

    source: str
    source_catalogs: list[str] = field(default_factory=list)
    pages: int = 0
    datasets: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The report as the API returns it."""
        return {
            "source": self.source,
            "source_catalogs": self.source_catalogs,
            "pages": self.pages,
            "datasets": self.datasets,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": [record.to_json() for record in self.skipped],
            "warnings": self.warnings,
        }


@dataclass
class _Mapped:
    """A source dataset mapped into our documents (not yet checked)."""

    iri: str
    catalog: str
    document: dict[str, Any]
    distributions: list[dict[str, Any]]
    publisher: Organization | None = None
    errors: list[FieldError] = field(default_factory=list)


# ------------------------------------------------------------------------------ reading


def load_source(
    source: str,
    settings: Settings,
    *,
    allow_files: bool,
    rdf_format: str | None = None,
) -> tuple[Graph, int]:
    """Read a source into one graph: a file, or a URL and the Hydra pages after it.

    Raises:
        Forbidden: a URL (or redirect, or next page) the harvester may not fetch, or a
            file path where files are not allowed.
        PayloadTooLarge: a document over ``[harvest] max_bytes``, or pages over
            ``[harvest] max_total_bytes`` together.
        SourceUnavailable: the source failed.
        BadRequest: the document is not valid RDF, or is unsafe (DTD, remote context).
    """
    limits = settings.harvest
    if "://" not in source:
        if not allow_files:
            raise BadRequest("give an http(s) URL; local files can be harvested from the CLI")
        fetched = read_file(Path(source), limits)
        return _parse(fetched, rdf_format), 1
    if source.startswith("file:"):
        raise BadRequest("file: URLs are not fetched; give the path itself (CLI only)")
    graph = Graph(bind_namespaces="none")
    seen: set[str] = set()
    url: str | None = source
    pages = received = 0
    while url is not None and url not in seen and pages < limits.max_pages:
        seen.add(url)
        fetched = fetch_url(url, limits)
        # Every page's triples stay in memory until the whole source is read, so each
        # page's own limit is not enough.
        received += len(fetched.data)
        if received > limits.max_total_bytes:
            raise PayloadTooLarge(
                f"the pages of {source} pass {limits.max_total_bytes} bytes together, the"
                " limit of one harvest ([harvest] max_total_bytes)"
            )
        page = _parse(fetched, rdf_format)
        pages += 1
        for triple in page:
            graph.add(triple)
        url = _next_page(page)
        if url is not None:
            check_url(url, limits)
    return graph, pages


def _parse(fetched: Fetched, rdf_format: str | None) -> Graph:
    fmt = rdf_format or guess_format(fetched.data, media_type=fetched.media_type, name=fetched.url)
    return parse_rdf(fetched.data, rdf_format=fmt, base=fetched.url)


def _next_page(page: Graph) -> str | None:
    for view in page.subjects(RDF.type, HYDRA.PartialCollectionView):
        following = page.value(view, HYDRA.next)
        if isinstance(following, URIRef):
            return str(following)
    return None


# ------------------------------------------------------------------------------ helpers


def _texts(graph: Graph, node: Node, *predicates: URIRef, default_lang: str) -> dict[str, str]:
    found: dict[str, str] = {}
    plain: list[str] = []
    for predicate in predicates:
        for value in sorted(graph.objects(node, predicate), key=str):
            if not isinstance(value, Literal) or not str(value).strip():
                continue
            text = str(value).strip()
            if value.language:
                found.setdefault(value.language.lower(), text)
            else:
                plain.append(text)
        if found:
            break
    if plain and default_lang not in found:
        found[default_lang] = plain[0]
    return found


def _iris(graph: Graph, node: Node, predicate: URIRef) -> list[str]:
    return sorted(str(o) for o in graph.objects(node, predicate) if isinstance(o, URIRef))


def _http(value: str | None) -> str | None:
    return value if value and re.match(r"^https?://[^\s]+$", value) else None


def _literal(graph: Graph, node: Node, *predicates: URIRef) -> str | None:
    for predicate in predicates:
        for value in sorted(graph.objects(node, predicate), key=str):
            if isinstance(value, Literal) and str(value).strip():
                return str(value).strip()
    return None


def _date(value: Node | None, end: bool = False) -> str | None:
    if not isinstance(value, Literal):
        return None
    match = _DATE.match(str(value))
    if not match:
        return None
    year, month, day = match.groups()
    if month is None:
        return f"{year}-12-31" if end else f"{year}-01-01"
    if day is None:
        try:
            last = calendar.monthrange(int(year), int(month))[1]
        except ValueError:  # month 00 or 13: no period can be made of it
            return None
        return f"{year}-{month}-{last:02d}" if end else f"{year}-{month}-01"
    return f"{year}-{month}-{day}"


def _slug(text: str) -> str:
    return _SLUG_CHARS.sub("-", text.lower()).strip("-")[:100].strip("-")


def _scheme(name: str) -> Any:
    from vocab import get_registry

    return get_registry().scheme(name)


def _code(scheme: str, value: str) -> str | None:
    concepts = _scheme(scheme)
    concept = concepts.by_iri(value) or concepts.by_code(value)
    return concept.code if concept is not None else None


@cache
def _frequency_matches() -> dict[str, str]:
    # The EU frequency table maps each concept to the DCMI Collection Description terms.
    return {match: c.code for c in _scheme("frequency") for match in c.exact_matches}


# ------------------------------------------------------------------------------ mapping


class _Mapper:
    """Maps one source graph into dataset documents."""

    def __init__(
        self,
        graph: Graph,
        settings: Settings,
        organizations: list[Organization],
        publishers: Mapping[str, str],
        report: HarvestReport,
    ) -> None:
        self.graph = graph
        self.lang = settings.i18n.default_language
        self.report = report
        self.organizations = organizations
        self.by_name = {org.name: org for org in organizations}
        self.publishers = dict(publishers)
        self.base_uri = settings.catalog.base_uri

    def warn(self, iri: str, detail: str) -> None:
        self.report.warnings.append({"iri": iri, "detail": detail})

    def texts(self, node: Node, *predicates: URIRef) -> dict[str, str]:
        return _texts(self.graph, node, *predicates, default_lang=self.lang)

    # -------------------------------------------------------------- publisher

    def publisher(self, node: Node | None) -> Organization | None:
        if node is None:
            return None
        graph = self.graph
        explicit = self.publishers.get(str(node))
        if explicit:
            return self.by_name.get(explicit)
        prefix = organization_iri(self.base_uri, "")
        if isinstance(node, URIRef) and str(node).startswith(prefix):
            found = self.by_name.get(str(node)[len(prefix) :])
            if found:
                return found
        for identifier in graph.objects(node, DCT.identifier):
            if str(identifier) in self.by_name:
                return self.by_name[str(identifier)]
        if isinstance(node, URIRef):
            last = str(node).rstrip("/").rsplit("/", 1)[-1]
            if last in self.by_name:
                return self.by_name[last]
        homepages = {_norm_url(str(h)) for h in graph.objects(node, FOAF.homepage)}
        names = {
            _fold(str(n))
            for predicate in (FOAF.name, SKOS.prefLabel, VCARD["organization-name"])
            for n in graph.objects(node, predicate)
        }
        for org in self.organizations:
            if org.homepage and _norm_url(org.homepage) in homepages:
                return org
            if names & {_fold(title) for title in org.title.values()}:
                return org
        return None

    def publisher_label(self, node: Node | None) -> str:
        if node is None:
            return "(none)"
        name = _literal(self.graph, node, FOAF.name, SKOS.prefLabel)
        return f"<{node}>" + (f" ({name})" if name else "")

    # ------------------------------------------------------------ the dataset

    def dataset(self, node: URIRef, catalog: str) -> _Mapped:
        graph, iri = self.graph, str(node)
        document: dict[str, Any] = {}
        mapped = _Mapped(iri=iri, catalog=catalog, document=document, distributions=[])
        document["title"] = self._short(iri, self.texts(node, DCT.title), "title", 500)
        document["description"] = self._short(
            iri, self.texts(node, DCT.description), "description", 20000
        )
        if not document["description"] and document["title"]:
            document["description"] = dict(document["title"])
            self.warn(iri, "no dct:description at the source: the title is used")
        identifier = _literal(graph, node, DCT.identifier)
        if identifier and identifier != iri:
            document["identifier"] = identifier[:500]
        self._keywords(node, document)
        self._themes(node, document)
        self._access(node, document)
        self._spatial_temporal(node, document)
        self._contact(node, document)
        self._context(node, document)
        profile = self._labour_migration(node)
        if profile:
            document["labour_migration"] = profile
        publisher_node = graph.value(node, DCT.publisher)
        if publisher_node is None:
            catalog_node = URIRef(catalog) if catalog.startswith("http") else None
            publisher_node = graph.value(catalog_node, DCT.publisher) if catalog_node else None
        mapped.publisher = self.publisher(publisher_node)
        if mapped.publisher is None:
            mapped.errors.append(
                FieldError(
                    "/publisher",
                    f"the publisher {self.publisher_label(publisher_node)} is not an "
                    "organization of this catalog; register it or map it explicitly "
                    "(--publisher IRI=ORGANIZATION)",
                )
            )
        else:
            document["publisher"] = mapped.publisher.name
        mapped.distributions = self._distributions(node)
        return mapped

    def _short(self, iri: str, texts: dict[str, str], member: str, limit: int) -> dict[str, str]:
        clipped = {}
        for lang, text in texts.items():
            if len(text) > limit:
                self.warn(iri, f"{member} ({lang}) is cut to {limit} characters")
                text = text[: limit - 1].rstrip() + "…"
            clipped[lang] = text
        return clipped

    def _keywords(self, node: URIRef, document: dict[str, Any]) -> None:
        keywords: dict[str, list[str]] = {}
        for value in sorted(self.graph.objects(node, DCAT.keyword), key=str):
            if isinstance(value, Literal) and 0 < len(str(value).strip()) <= 100:
                words = keywords.setdefault(value.language or self.lang, [])
                if str(value).strip() not in words:
                    words.append(str(value).strip())
        if keywords:
            document["keywords"] = keywords

    def _themes(self, node: URIRef, document: dict[str, Any]) -> None:
        simel, eu = _scheme("simel-themes"), _scheme("data-themes")
        ours, theirs = [], []
        for value in _iris(self.graph, node, DCAT.theme):
            concept = simel.by_iri(value)
            if concept is not None:
                ours.append(concept)
                continue
            theme = eu.by_iri(value)
            if theme is not None:
                theirs.append(theme)
            else:
                self.warn(str(node), f"theme <{value}> is not in our vocabularies: left out")
        # EU themes we would derive from the SIMEL themes ourselves are not repeated.
        implied = {m for c in ours for m in (*c.exact_matches, *c.broad_matches)}
        codes = [c.code for c in ours] + [t.code for t in theirs if t.iri not in implied]
        if codes:
            document["themes"] = list(dict.fromkeys(codes))

    def _access(self, node: URIRef, document: dict[str, Any]) -> None:
        iri = str(node)
        value = self.graph.value(node, DCT.accessRights)
        code = None
        if value is not None:
            code = _code("access-rights", str(value))
            if code is None and isinstance(value, Literal | BNode):
                label = _literal(self.graph, value, RDFS.label, SKOS.prefLabel) or str(value)
                code = _code("access-rights", label.upper().replace("-", "_").replace(" ", "_"))
        if code is None:
            code = "NON_PUBLIC"
            self.warn(
                iri,
                "access rights are not stated as an EU access-right concept: recorded as "
                "NON_PUBLIC until a steward reviews them",
            )
        document["access_rights"] = code
        personal = self.graph.value(node, SIMEL.personalData)
        personal_code = _code("personal-data-classes", str(personal)) if personal else None
        if personal_code is None:
            personal_code = "none"
            self.warn(iri, "the source does not classify personal data: recorded as 'none'")
        document["personal_data"] = personal_code

    def _spatial_temporal(self, node: URIRef, document: dict[str, Any]) -> None:
        graph, iri = self.graph, str(node)
        countries = []
        for value in _iris(graph, node, DCT.spatial):
            code = _code("countries", value)
            if code:
                countries.append(code)
            else:
                self.warn(iri, f"spatial coverage <{value}> is not a country: left out")
        if countries:
            document["spatial"] = list(dict.fromkeys(countries))
        periods = []
        for period in sorted(graph.objects(node, DCT.temporal), key=str):
            found = self._period(period)
            if found:
                periods.append(found)
        if periods:
            document["temporal"] = sorted(
                periods, key=lambda p: (p.get("start", ""), p.get("end", ""))
            )
        frequency = graph.value(node, DCT.accrualPeriodicity)
        if frequency is not None:
            code = _code("frequency", str(frequency)) or _frequency_matches().get(str(frequency))
            if code:
                document["accrual_periodicity"] = code
            else:
                self.warn(iri, f"frequency <{frequency}> is not in the EU frequency table")
        languages = self._languages(node, iri)
        if languages:
            document["languages"] = languages

    def _languages(self, node: Node, iri: str) -> list[str]:
        found = []
        for value in sorted(self.graph.objects(node, DCT.language), key=str):
            code = _code("languages", str(value))
            if code is None and isinstance(value, Literal):
                code = _code("languages", str(value).split("-")[0].lower())
            if code:
                found.append(code)
            else:
                self.warn(iri, f"language {value} is not in the EU language table")
        return list(dict.fromkeys(found))

    def _period(self, period: Node) -> dict[str, str] | None:
        graph = self.graph
        schema = URIRef(SCHEMA_ORG + "startDate"), URIRef(SCHEMA_ORG + "endDate")
        start = graph.value(period, DCAT.startDate) or graph.value(period, schema[0])
        end = graph.value(period, DCAT.endDate) or graph.value(period, schema[1])
        for instant, target in (
            (graph.value(period, URIRef(TIME_NS + "hasBeginning")), "start"),
            (graph.value(period, URIRef(TIME_NS + "hasEnd")), "end"),
        ):
            if instant is not None:
                value = graph.value(instant, URIRef(TIME_NS + "inXSDDate")) or graph.value(
                    instant, URIRef(TIME_NS + "inXSDDateTime")
                )
                if target == "start" and start is None:
                    start = value
                if target == "end" and end is None:
                    end = value
        found = {}
        if (begin := _date(start)) is not None:
            found["start"] = begin
        if (finish := _date(end, end=True)) is not None:
            found["end"] = finish
        return found or None

    def _contact(self, node: URIRef, document: dict[str, Any]) -> None:
        graph = self.graph
        contact = graph.value(node, DCAT.contactPoint)
        if contact is None:
            return
        found: dict[str, Any] = {}
        name = _literal(graph, contact, VCARD.fn, VCARD["organization-name"], FOAF.name)
        if name:
            found["name"] = name[:200]
        email = graph.value(contact, VCARD.hasEmail)
        if email is not None:
            found["email"] = unquote(str(email)).removeprefix("mailto:")
        url = graph.value(contact, VCARD.hasURL)
        if url is not None and _http(str(url)):
            found["url"] = str(url)
        telephone = graph.value(contact, VCARD.hasTelephone)
        if telephone is not None and not isinstance(telephone, Literal):
            telephone = graph.value(telephone, VCARD.hasValue) or telephone
        if telephone is not None:
            number = unquote(str(telephone)).removeprefix("tel:")
            if re.match(r"^[+0-9 ()-]{5,30}$", number):
                found["telephone"] = number
        if "name" not in found or not ({"email", "url"} & set(found)):
            self.warn(str(node), "the contact point has no name or no e-mail/URL: left out")
            return
        document["contact_point"] = found

    def _context(self, node: URIRef, document: dict[str, Any]) -> None:
        graph, iri = self.graph, str(node)
        standards = []
        for value in _iris(graph, node, DCT.conformsTo):
            if _http(value):
                standard: dict[str, Any] = {"uri": value}
                title = self.texts(URIRef(value), DCT.title, RDFS.label)
                if title:
                    standard["title"] = title
                standards.append(standard)
        if standards:
            document["conforms_to"] = standards
        provenance = graph.value(node, DCT.provenance)
        if provenance is not None:
            texts = (
                {self.lang: str(provenance)}
                if isinstance(provenance, Literal)
                else self.texts(provenance, RDFS.label, DCT.description)
            )
            if texts:
                document["provenance"] = texts
        version = _literal(graph, node, DCAT_VERSION, OWL.versionInfo)
        if version:
            document["version"] = version[:50]
        notes = self.texts(node, ADMS.versionNotes)
        if notes:
            document["version_notes"] = notes
        retention = _literal(graph, node, SIMEL.retentionPeriod)
        if retention:
            document["retention_period"] = retention
        landing = [v for v in _iris(graph, node, DCAT.landingPage) if _http(v)]
        if landing:
            document["landing_page"] = landing[0]
            if len(landing) > 1:
                self.warn(iri, "several landing pages: the first is kept")
        pages = [v for v in _iris(graph, node, FOAF.page) if _http(v)]
        if pages:
            document["documentation"] = pages

    def _components(self, node: URIRef, predicate: URIRef) -> list[dict[str, Any]]:
        components = []
        prefix = f"{node}#"
        for value in sorted(self.graph.objects(node, predicate), key=str):
            code = _literal(self.graph, value, DCT.identifier, SKOS.notation)
            if code is None and isinstance(value, URIRef):
                code = re.split(r"[/#]", str(value).rstrip("/"))[-1]
            if not code:
                continue
            component: dict[str, Any] = {"code": code}
            # A fragment of the dataset's own IRI was minted by the exporter, not a definition.
            if (
                isinstance(value, URIRef)
                and not str(value).startswith(prefix)
                and _http(str(value))
            ):
                component["iri"] = str(value)
            label = self.texts(value, RDFS.label, SKOS.prefLabel)
            if label:
                component["label"] = label
            components.append(component)
        return sorted(components, key=lambda c: c["code"])

    def _labour_migration(self, node: URIRef) -> dict[str, Any]:
        graph = self.graph
        profile: dict[str, Any] = {}
        unit = graph.value(node, STAT.statUnitMeasure)
        if unit is not None:
            label = self.texts(unit, SKOS.prefLabel, RDFS.label)
            if label:
                profile["unit_of_measure"] = label

        def codes(predicate: URIRef, scheme: str) -> list[str]:
            return [c for v in _iris(graph, node, predicate) if (c := _code(scheme, v))]

        for member, predicate, scheme in (
            ("statistical_population", SIMEL.statisticalPopulation, "migration-concepts"),
            ("geographic_breakdown", SIMEL.geographicBreakdown, "geographic-levels"),
            ("occupations", SIMEL.occupation, "occupations"),
            ("economic_activities", SIMEL.economicActivity, "activities"),
        ):
            found = codes(predicate, scheme)
            if found:
                profile[member] = found
        method = codes(SIMEL.collectionMethod, "collection-methods")
        if method:
            profile["collection_method"] = method[0]
        source = _literal(graph, node, SIMEL.sourceSystem)
        if source:
            profile["source_system"] = source[:500]
        reference = graph.value(node, SIMEL.referencePeriod)
        if reference is not None:
            period = self._period(reference)
            if period:
                profile["reference_period"] = period
        corridors = []
        for corridor in graph.objects(node, SIMEL.migrationCorridor):
            origin = graph.value(corridor, SIMEL.origin)
            destination = graph.value(corridor, SIMEL.destination)
            pair = (
                _code("countries", str(origin)) if origin else None,
                _code("countries", str(destination)) if destination else None,
            )
            if pair[0] and pair[1]:
                corridors.append({"origin": pair[0], "destination": pair[1]})
        if corridors:
            profile["migration_corridors"] = sorted(
                corridors, key=lambda c: (c["origin"], c["destination"])
            )
        for member, predicate in (("dimensions", STAT.dimension), ("attributes", STAT.attribute)):
            found_components = self._components(node, predicate)
            if found_components:
                profile[member] = found_components
        series = _literal(graph, node, STAT.numSeries)
        if series and series.isdigit():
            profile["num_series"] = int(series)
        annotations = self._annotations(node)
        if annotations:
            profile["quality_annotations"] = annotations
        for related in graph.objects(node, DCT.relation):
            urn = _literal(graph, related, DCT.identifier) or str(related)
            match = _DATAFLOW.match(urn)
            if match:
                flow = match.groupdict()
                if isinstance(related, URIRef) and _http(str(related)):
                    flow["url"] = str(related)
                profile["sdmx_dataflow"] = flow
                break
        return profile

    def _annotations(self, node: URIRef) -> list[dict[str, Any]]:
        graph, found = self.graph, []
        for annotation in sorted(graph.objects(node, DQV.hasQualityAnnotation), key=_natural):
            item: dict[str, Any] = {}
            for body in sorted(graph.objects(annotation, OA.hasBody), key=str):
                text = self.texts(body, RDF_VALUE)
                if text:
                    item["text"] = text
                elif isinstance(body, URIRef) and _http(str(body)):
                    item["url"] = str(body)
            if not item:
                text = self.texts(annotation, OA.bodyValue, RDFS.comment)
                if text:
                    item["text"] = text
            if item:
                found.append(item)
        return found

    # ------------------------------------------------------------ distributions

    def _distributions(self, node: URIRef) -> list[dict[str, Any]]:
        graph, iri = self.graph, str(node)
        items = []
        for distribution in graph.objects(node, DCAT.distribution):
            issued = graph.value(distribution, DCT.issued)
            document = self._distribution(distribution, iri)
            if document is not None:
                items.append((str(issued or ""), str(distribution), document))
        # RDF has no order; the publication time (then the IRI) keeps the source's order.
        return [document for _, _, document in sorted(items, key=lambda item: item[:2])]

    def _distribution(self, node: Node, dataset: str) -> dict[str, Any] | None:
        graph = self.graph
        document: dict[str, Any] = {}
        access = [v for v in _iris(graph, node, DCAT.accessURL) if _http(v)]
        download = [v for v in _iris(graph, node, DCAT.downloadURL) if _http(v)]
        if access:
            document["access_url"] = access[0]
        if download:
            document["download_url"] = download[0]
        if not access and not download:
            others = _iris(graph, node, DCAT.accessURL) + _iris(graph, node, DCAT.downloadURL)
            where = f" (only {', '.join(others)})" if others else ""
            self.warn(
                dataset,
                f"distribution {node} has no http(s) access or download URL{where}: left out",
            )
            return None
        title = self.texts(node, DCT.title)
        if not title:
            fallback = (download or access)[0].rstrip("/").rsplit("/", 1)[-1] or "data"
            title = {self.lang: fallback[:500]}
            self.warn(dataset, f"distribution {node} has no title: '{fallback}' is used")
        document["title"] = title
        description = self.texts(node, DCT.description)
        if description:
            document["description"] = description
        media = graph.value(node, DCAT.mediaType)
        if media is not None:
            value = re.sub(r"^https?://www\.iana\.org/assignments/media-types/", "", str(media))
            if _MEDIA_TYPE.match(value):
                document["media_type"] = value
        fmt = graph.value(node, DCT["format"])
        if fmt is not None:
            code = _code("file-types", str(fmt))
            if code is None and isinstance(fmt, Literal):
                code = _code("file-types", str(fmt).strip().upper().replace(" ", "_"))
            if (
                code is None
                and str(fmt).startswith(IANA_MEDIA_TYPES)
                and "media_type" not in document
            ):
                document["media_type"] = str(fmt)[len(IANA_MEDIA_TYPES) :]
            if code:
                document["format"] = code
            else:
                self.warn(dataset, f"format {fmt} is not in the EU file-type table: left out")
        size = _literal(graph, node, DCAT.byteSize)
        if size is not None:
            try:
                # Through Decimal, not float: 99999999999999999999999 stays itself. A
                # size beyond 64 bits (or 1e999999999, a billion digits) is left out.
                exact = Decimal(size)
                number = int(exact) if exact.is_finite() and exact.adjusted() < 19 else -1
            except ArithmeticError:  # not a number
                number = -1
            if number >= 0:
                document["byte_size"] = number
        checksum = graph.value(node, SPDX.checksum)
        if checksum is not None:
            algorithm = str(graph.value(checksum, SPDX.algorithm) or "")
            value = _literal(graph, checksum, SPDX.checksumValue) or ""
            if algorithm in _SHA256_ALGORITHMS and _HEX64.match(value):
                document["checksum"] = value.lower()
        licence = [v for v in _iris(graph, node, DCT.license) if _http(v)]
        if licence:
            document["license"] = licence[0]
        rights = graph.value(node, DCT.rights)
        if rights is not None:
            texts = (
                {self.lang: str(rights)}
                if isinstance(rights, Literal)
                else self.texts(rights, RDFS.label, DCT.description)
            )
            if texts:
                document["rights"] = texts
        languages = self._languages(node, dataset)
        if languages:
            document["languages"] = languages
        standards = [v for v in _iris(graph, node, DCT.conformsTo) if _http(v)]
        if standards:
            document["conforms_to"] = standards
        return document


def _natural(node: Node) -> list[Any]:
    # "...-annotation-10" after "...-annotation-9": numbers compare as numbers.
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(node))]


def _fold(text: str) -> str:
    from catalog.search import fold

    return " ".join(fold(text).split())


def _norm_url(url: str) -> str:
    parts = urlsplit(url.strip().lower())
    return (parts.netloc.removeprefix("www.") + parts.path).rstrip("/")


def _datasets_of(graph: Graph) -> list[tuple[Node, str]]:
    """Every dcat:Dataset with the catalog that lists it (the first, by IRI)."""
    listed: dict[Node, str] = {}
    for catalog in sorted(graph.subjects(RDF.type, DCAT.Catalog), key=str):
        for dataset in graph.objects(catalog, DCAT.dataset):
            listed.setdefault(dataset, str(catalog))
    found = set(graph.subjects(RDF.type, DCAT.Dataset)) | set(listed)
    return sorted(((node, listed.get(node, "")) for node in found), key=lambda x: str(x[0]))


def _not_published(graph: Graph, node: Node) -> str | None:
    """Why a record is not taken, if its source does not publish it: withdrawn or draft."""
    deprecated = graph.value(node, OWL.deprecated)
    status = graph.value(node, ADMS.status)
    if (isinstance(deprecated, Literal) and deprecated.value is True) or (
        status is not None and str(status).endswith("/Withdrawn")
    ):
        return "withdrawn at the source"
    if status is not None and str(status).endswith("/UnderDevelopment"):
        # A SIMEL catalog marks its drafts so (seen with a steward's token).
        return "a draft at the source (adms:status UnderDevelopment), not published"
    return None


# ------------------------------------------------------------------------------ writing


def _unique_name(session: Session, iri: str, taken: set[str]) -> str:
    path = urlsplit(iri)
    last = (path.fragment or path.path.rstrip("/").rsplit("/", 1)[-1]) if path.path else ""
    base = _slug(unquote(last)) or "dataset"
    name = base
    digest = hashlib.sha256(iri.encode("utf-8")).hexdigest()
    for length in (8, 16, 64):
        if (
            name not in taken
            and not session.exec(select(Dataset.id).where(Dataset.name == name)).first()
        ):
            return name
        name = f"{base[: 99 - length]}-{digest[:length]}"
    raise InvalidMetadata(  # a 64-hex-digit collision: not in this universe
        "cannot name the dataset", [FieldError("/name", f"no free name for <{iri}>")]
    )


def _write(
    session: Session,
    actor: Principal,
    records: list[_Mapped],
    *,
    source: str,
    status: str,
    report: HarvestReport,
) -> None:
    now = utcnow()
    existing = (
        {
            row.original_iri: row
            for row in session.exec(
                select(HarvestRecord).where(
                    col(HarvestRecord.original_iri).in_([r.iri for r in records])
                )
            ).all()
        }
        if records
        else {}
    )
    taken: set[str] = set()
    events: list[audit.EventSpec] = []
    for record in records:
        assert record.publisher is not None  # noqa: S101 # checked before writing
        known = existing.get(record.iri)
        dataset = session.get(Dataset, known.dataset_id) if known else None
        if dataset is None:
            name = _unique_name(session, record.iri, taken)
            taken.add(name)
            created = _create(session, actor, record, name, status, now)
            session.add(
                HarvestRecord(
                    dataset_id=created.id,
                    original_iri=record.iri,
                    source_catalog=record.catalog or source,
                    source=source,
                    harvested_at=now,
                )
            )
            report.created.append(name)
            continue
        assert known is not None  # noqa: S101 # a dataset implies its record
        known.harvested_at = now
        known.source_catalog = record.catalog or source
        known.source = source
        session.add(known)
        if _update(session, actor, dataset, record, source):
            report.updated.append(dataset.name)
        else:
            report.unchanged.append(dataset.name)
    events.append(
        audit.EventSpec(
            "harvest.dcat",
            "catalog",
            None,
            None,
            {
                "source": source,
                "created": len(report.created),
                "updated": len(report.updated),
                "unchanged": len(report.unchanged),
                "skipped": len(report.skipped),
            },
        )
    )
    audit.record_many(session, actor=actor, events=events)


def _create(
    session: Session,
    actor: Principal,
    record: _Mapped,
    name: str,
    status: str,
    now: dt.datetime,
) -> Dataset:
    assert record.publisher is not None  # noqa: S101 # checked before writing
    document = {"name": name, **record.document}
    dataset = Dataset(
        name=name,
        created=now,
        modified=now,
        status=status,
        issued=now if status == DatasetStatus.PUBLISHED else None,
        **dataset_service.document_columns(document, record.publisher),
    )
    session.add(dataset)
    session.flush()
    dataset_service.replace_themes(session, dataset)
    _replace_distributions(session, dataset, record.distributions, now)
    dataset_service.refresh_quality(session, dataset)
    changes = dataset_service.changes_between({}, document)
    dataset_service.record_revision(
        session, dataset, actor=actor, action="harvest.create", changes=changes
    )
    dataset_service.reindex(session, [dataset])
    audit.record(
        session,
        actor=actor,
        action="dataset.create",
        object_type="dataset",
        object_id=dataset.name,
        organization_id=dataset.publisher_id,
        details={"revision": 1, "status": status, "via": "harvest", "original_iri": record.iri},
    )
    return dataset


def _replace_distributions(
    session: Session, dataset: Dataset, documents: list[dict[str, Any]], now: dt.datetime
) -> None:
    for old in session.exec(
        select(Distribution).where(Distribution.dataset_id == dataset.id)
    ).all():
        session.delete(old)
    for position, document in enumerate(documents):
        session.add(
            Distribution(
                dataset_id=dataset.id,
                position=position,
                created=now,
                modified=now,
                **distribution_columns(copy.deepcopy(document)),
            )
        )
    session.flush()


def _update(
    session: Session, actor: Principal, dataset: Dataset, record: _Mapped, source: str
) -> bool:
    assert record.publisher is not None  # noqa: S101 # checked before writing
    document = {"name": dataset.name, **record.document}
    current = [d.document for d in dataset_service.list_distributions(session, dataset)]
    changes = dataset_service.changes_between(dataset.document, document)
    if current != record.distributions:
        changes.append({"path": "/distributions", "old": current, "new": record.distributions})
    if not changes:
        return False
    for column, value in dataset_service.document_columns(document, record.publisher).items():
        setattr(dataset, column, value)
    dataset_service.replace_themes(session, dataset)
    if current != record.distributions:
        _replace_distributions(session, dataset, record.distributions, utcnow())
    dataset_service.record_change(
        session,
        dataset,
        actor=actor,
        action="harvest.update",
        changes=changes,
        details={"source": source, "original_iri": record.iri},
    )
    return True


# ------------------------------------------------------------------------------ service


def harvest_graph(
    session: Session,
    *,
    actor: Principal,
    settings: Settings,
    graph: Graph,
    source: str,
    pages: int = 1,
    publishers: Mapping[str, str] | None = None,
    status: str = DatasetStatus.PUBLISHED.value,
    strict: bool = False,
) -> HarvestReport:
    """Map and write the datasets of an already parsed source graph.

    Raises:
        Forbidden: the caller is not an administrator.
        InvalidMetadata: with ``strict``, any record that cannot be harvested (nothing
            is written then); or an unknown organization in ``publishers``.
    """
    actor.require_admin()
    if status not in {DatasetStatus.PUBLISHED.value, DatasetStatus.DRAFT.value}:
        raise InvalidMetadata("bad status", [FieldError("/status", "published or draft")])
    organizations = list(session.exec(select(Organization)).all())
    names = {org.name for org in organizations}
    unknown = sorted(v for v in (publishers or {}).values() if v not in names)
    if unknown:
        raise InvalidMetadata(
            "the publisher mapping names unknown organizations",
            [FieldError("/publishers", f"no organization is named '{name}'") for name in unknown],
        )
    report = HarvestReport(source=source, pages=pages)
    mapper = _Mapper(graph, settings, organizations, publishers or {}, report)
    own_prefix = dataset_iri(settings.catalog.base_uri, "")
    records: list[_Mapped] = []
    for node, catalog in _datasets_of(graph):
        report.datasets += 1
        if catalog and catalog not in report.source_catalogs:
            report.source_catalogs.append(catalog)
        if not isinstance(node, URIRef):
            report.skipped.append(
                SkippedRecord(
                    str(node),
                    [FieldError("", "a dataset without an IRI cannot be harvested idempotently")],
                )
            )
            continue
        if str(node).startswith(own_prefix):
            report.skipped.append(
                SkippedRecord(str(node), [FieldError("", "this is one of this catalog's datasets")])
            )
            continue
        if reason := _not_published(graph, node):
            report.skipped.append(SkippedRecord(str(node), [FieldError("", reason)]))
            continue
        mapped = mapper.dataset(node, catalog)
        _check(mapped)
        if mapped.errors:
            report.skipped.append(SkippedRecord(mapped.iri, mapped.errors))
        else:
            records.append(mapped)
    if strict and report.skipped:
        errors = [
            FieldError(f"/{index}{error.pointer}", error.detail, {"iri": record.iri})
            for index, record in enumerate(report.skipped)
            for error in record.errors
        ]
        raise InvalidMetadata(
            f"{len(report.skipped)} of {report.datasets} source records cannot be harvested; "
            "nothing was harvested",
            errors,
        )
    try:
        _write(session, actor, records, source=source, status=status, report=report)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report


# The source's IRIs are kept with the harvest record.
_LONGEST_IRI = min(text_limit(HarvestRecord.original_iri), text_limit(HarvestRecord.source_catalog))


def _check(mapped: _Mapped) -> None:
    """Validate through the same entry points as every other write."""
    if mapped.errors:
        return
    # Text the record's columns cannot hold would fail the write: the record is skipped
    # like an invalid one.
    for iri in (mapped.iri, mapped.catalog):
        mapped.errors.extend(
            FieldError("/@id", message) for _, message in metadata_schemas.unstorable_text(iri)
        )
        if len(iri) > _LONGEST_IRI:
            mapped.errors.append(FieldError("/@id", f"longer than {_LONGEST_IRI} characters"))
    # The name is ours to give; a placeholder satisfies the schema during the check.
    document = {"name": "harvested", **mapped.document}
    mapped.errors.extend(dataset_document_errors(document))
    for index, distribution in enumerate(mapped.distributions):
        mapped.errors.extend(
            distribution_document_errors(distribution, prefix=f"/distributions/{index}")
        )


def harvest_dcat(
    session: Session,
    *,
    actor: Principal,
    settings: Settings,
    source: str | None = None,
    data: bytes | None = None,
    media_type: str | None = None,
    rdf_format: str | None = None,
    publishers: Mapping[str, str] | None = None,
    status: str = DatasetStatus.PUBLISHED.value,
    strict: bool = False,
    allow_files: bool = False,
) -> HarvestReport:
    """Harvest a DCAT source: a URL (with its Hydra pages), a file (CLI), or a document.

    Before it parses a document or fetches a URL or a file, the session's transaction is
    committed, so that the writers' lock is not held while the source answers or a large
    document is read.

    Raises:
        Forbidden: not an administrator, a source the harvester may not fetch, or a
            source (or label of a document) with credentials in it.
        PayloadTooLarge: a source over ``[harvest] max_bytes``.
        SourceUnavailable: the source failed.
        BadRequest: the source is not valid (or safe) RDF, or neither source nor data.
        InvalidMetadata: see :func:`harvest_graph`.
    """
    actor.require_admin()
    if data is not None:
        if len(data) > settings.harvest.max_bytes:
            raise PayloadTooLarge(f"the document is larger than {settings.harvest.max_bytes} bytes")
        if source:
            # Only a label here, but it is kept in the audit log and the harvest records.
            refuse_credentials(source)
        fmt = rdf_format or guess_format(data, media_type=media_type, name=source)
        base = source or f"urn:uuid:{uuid.uuid4()}"
        # Parsing megabytes of RDF takes seconds: other writers need not wait for it.
        session.commit()
        graph, pages = parse_rdf(data, rdf_format=fmt, base=base), 1
        label = source or "uploaded document"
    elif source:
        # A source can take its time to answer: end the caller's transaction first (a
        # writing session holds the writers' lock, catalog.db), so that other changes to
        # the catalog do not wait for the network. Writing starts again afterwards.
        session.commit()
        graph, pages = load_source(source, settings, allow_files=allow_files, rdf_format=rdf_format)
        label = source
    else:
        raise BadRequest("give a source URL (or, from the CLI, a file) or a document")
    return harvest_graph(
        session,
        actor=actor,
        settings=settings,
        graph=graph,
        source=label,
        pages=pages,
        publishers=publishers,
        status=status,
        strict=strict,
    )
