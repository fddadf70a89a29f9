"""Datasets as DCAT-AP 3.0.1 (+ StatDCAT-AP 1.0.1): the mapping and the streamed export.

The metadata document is the source of truth; this module says how each member becomes
RDF (docs/dcat.md has the full table). The mapping is a set of small functions that
return lists of triples: one per class of resource (catalog, dataset, distribution,
agent, contact point, period, statistical component, quality annotation), plus the
vocabulary concepts a record uses. DCAT-AP's shapes check the class and the scheme of
every value, and their owl:imports cannot be fetched offline, so every concept the
output uses is described in it (``rdf:type``, ``skos:inScheme``, ``skos:prefLabel``, the
scheme with its ``dct:title``), once per document.

IRIs: the catalog is ``{base_uri}catalog``, a dataset ``{base_uri}dataset/{name}`` (the
address that serves its RDF), an organization ``{base_uri}organization/{name}``. The
parts of a dataset (distributions, contact point, periods, components...) are fragments
of the dataset's IRI, so they resolve to the document that describes them and need no
blank nodes.

Exports stream (:func:`export_catalog`): datasets are read and mapped a batch at a time
and each batch is written as soon as it is mapped, so memory does not grow with the
catalog. Only what the caller may see is exported: the datasets come from
:func:`catalog.datasets.search_datasets` and :func:`catalog.datasets.get_dataset`.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import re
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final
from urllib.parse import quote, urlencode

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT as _DCAT
from rdflib.namespace import DCTERMS, ODRL2, OWL, RDFS, SKOS, XSD, Namespace
from rdflib.namespace import FOAF as _FOAF
from rdflib.namespace import QB as _QB
from sqlalchemy import func
from sqlmodel import Session, col, select

from catalog import datasets as dataset_service
from catalog.db import utcnow
from catalog.distributions import distributions_of
from catalog.errors import NotFound
from catalog.formats import Format
from catalog.harvest import harvest_records
from catalog.iris import dataset_iri, organization_iri
from catalog.licences import (
    ADMS_LICENCE_TYPE_NS,
    ADMS_LICENCE_TYPE_SCHEME,
    LICENCE_TYPE_LABELS,
    known_licence,
)
from catalog.models import (
    Dataset,
    DatasetPolicy,
    DatasetStatus,
    Distribution,
    HarvestRecord,
    LegalBasis,
    Organization,
    OrganizationKind,
)
from catalog.organizations import get_organization, organizations_by_id
from catalog.principals import Principal
from catalog.rdfio import RDF_TYPE, Triple, iri, writer_for
from catalog.rdfio import to_graph as triples_to_graph
from catalog.readiness import legal_basis_valid
from catalog.search import SortKey
from catalog.settings import Settings

# rdflib's closed namespaces where it has them: a misspelt term fails at once, and
# ``DCT.title`` is the term, not ``str.title`` (an open Namespace is a str).
DCAT: Final = _DCAT
DCT: Final = DCTERMS
FOAF: Final = _FOAF
QB: Final = _QB
ODRL: Final = ODRL2
DCATAP: Final = Namespace("http://data.europa.eu/r5r/")
# DCAT 3 terms that rdflib's DCAT namespace (DCAT 2) does not define yet.
DCAT_VERSION: Final = URIRef("http://www.w3.org/ns/dcat#version")
VCARD: Final = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS: Final = Namespace("http://www.w3.org/ns/adms#")
SPDX: Final = Namespace("http://spdx.org/rdf/terms#")
# StatDCAT-AP 1.0.1: its RDF file uses this namespace (the specification's text gives a
# placeholder that was never assigned, see shared/standards/shapes/README.md).
STAT: Final = Namespace("http://data.europa.eu/m8g/")
DQV: Final = Namespace("http://www.w3.org/ns/dqv#")
OA: Final = Namespace("http://www.w3.org/ns/oa#")
DPV: Final = Namespace("https://w3id.org/dpv#")
HYDRA: Final = Namespace("http://www.w3.org/ns/hydra/core#")
#: SIMEL's own properties, for the labour-migration profile members DCAT has no term for.
SIMEL: Final = Namespace("https://w3id.org/simel/def#")

EU_AUTHORITY: Final = "http://publications.europa.eu/resource/authority/"
IANA_MEDIA_TYPES: Final = "https://www.iana.org/assignments/media-types/"
ADMS_PUBLISHER_TYPE_SCHEME: Final = "http://purl.org/adms/publishertype/1.0"
ADMS_PUBLISHER_TYPE_NS: Final = "http://purl.org/adms/publishertype/"
ADMS_STATUS_SCHEME: Final = "http://purl.org/adms/status/1.0"
ADMS_WITHDRAWN: Final = "http://purl.org/adms/status/Withdrawn"
ADMS_UNDER_DEVELOPMENT: Final = "http://purl.org/adms/status/UnderDevelopment"
_ADMS_STATUS_LABELS: Final = {
    ADMS_WITHDRAWN: "Withdrawn",
    ADMS_UNDER_DEVELOPMENT: "Under development",
}
# DCAT-AP 3.0.1's vocabulary shapes accept checksum algorithms only under
# "https://spdx.org/rdf/terms" (a pattern that misses SPDX's own http namespace, an
# upstream bug). We name the algorithm there and state it is SPDX's sha256 (owl:sameAs),
# so the shapes pass and a reader that follows owl:sameAs gets the canonical term.
CHECKSUM_SHA256: Final = URIRef("https://spdx.org/rdf/terms#checksumAlgorithm_sha256")
SPDX_SHA256: Final = SPDX.checksumAlgorithm_sha256
SDMX_DATAFLOW_URN: Final = "urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow="

_PUBLISHER_TYPES: Final = {
    OrganizationKind.LABOUR_MINISTRY: "NationalAuthority",
    OrganizationKind.MIGRATION_AUTHORITY: "NationalAuthority",
    OrganizationKind.STATISTICS_OFFICE: "NationalAuthority",
    OrganizationKind.FOREIGN_AFFAIRS: "NationalAuthority",
    OrganizationKind.REGIONAL_BODY: "SupraNationalAuthority",
}
_PUBLISHER_TYPE_LABELS: Final = {
    "NationalAuthority": "National authority",
    "SupraNationalAuthority": "Supra-national authority",
}


# ------------------------------------------------------------------------------ IRIs


def catalog_iri(base_uri: str) -> str:
    """The catalog's IRI."""
    return f"{base_uri}catalog"


def distribution_iri(base_uri: str, name: str, distribution_id: uuid.UUID) -> str:
    """A distribution's IRI: a fragment of its dataset's."""
    return f"{dataset_iri(base_uri, name)}#distribution-{distribution_id}"


def data_url(base_uri: str, name: str, distribution_id: uuid.UUID) -> str:
    """Where the catalog serves a file it holds (the data gateway)."""
    return f"{base_uri}api/v1/datasets/{name}/distributions/{distribution_id}/data"


def dataflow_urn(agency: str, flow_id: str, version: str) -> str:
    """The SDMX URN of a dataflow."""
    return f"{SDMX_DATAFLOW_URN}{agency}:{flow_id}({version})"


# ------------------------------------------------------------------- order of values

#: Document members that RDF holds as sets of values: their order is not kept by an
#: export and a harvest (keywords per language too). Everything else round-trips as is.
UNORDERED_MEMBERS: Final = frozenset(
    {"themes", "spatial", "languages", "temporal", "documentation", "conforms_to"}
)
UNORDERED_PROFILE_MEMBERS: Final = frozenset(
    {
        "statistical_population",
        "geographic_breakdown",
        "occupations",
        "economic_activities",
        "migration_corridors",
        "dimensions",
        "attributes",
        "quality_annotations",
    }
)


def _sorted_values(values: list[Any]) -> list[Any]:
    return sorted(values, key=lambda value: json.dumps(value, sort_keys=True))


def canonical_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` with its set-valued members sorted, to compare across a round trip."""
    result = copy.deepcopy(dict(document))
    for member in UNORDERED_MEMBERS & set(result):
        result[member] = _sorted_values(result[member])
    if "keywords" in result:
        result["keywords"] = {lang: sorted(words) for lang, words in result["keywords"].items()}
    profile = result.get("labour_migration")
    if isinstance(profile, dict):
        for member in UNORDERED_PROFILE_MEMBERS & set(profile):
            profile[member] = _sorted_values(profile[member])
    return result


# ------------------------------------------------------------------- inputs of a record


@dataclass(frozen=True)
class Governance:
    """Governance facts to make visible in a dataset's DCAT.

    Attributes:
        legal_bases: DPV legal-basis concepts (IRIs, or codes of the ``legal-bases``
            vocabulary) under which the data are processed (``dpv:hasLegalBasis``).
        policy_iri: The IRI of the dataset's ODRL offer (``odrl:hasPolicy``).
        policy_uid: The policy's ``odrl:uid`` when it differs from ``policy_iri``.
    """

    legal_bases: tuple[str, ...] = ()
    policy_iri: str | None = None
    policy_uid: str | None = None


@dataclass(frozen=True)
class Component:
    """A statistical dimension or attribute.

    Attributes:
        code: Its code (SDMX component id, ``TIME_PERIOD``...).
        labels: Its label per language.
        iri: The IRI of its definition, if it has one (else one is minted).
    """

    code: str
    labels: Mapping[str, str] = field(default_factory=dict)
    iri: str | None = None


def components_from_pairs(pairs: Iterable[tuple[str, Mapping[str, str] | str]]) -> list[Component]:
    """Components from ``(iri or code, label)`` pairs, as an SDMX structure lists them.

    A label may be a text (taken as Spanish, the catalog's first language) or a mapping
    of language to text. An http(s) IRI keeps its last path segment or fragment as code.
    """
    found = []
    for key, label in pairs:
        labels = {"es": label} if isinstance(label, str) else dict(label)
        if key.startswith(("http://", "https://", "urn:")):
            code = key.rstrip("/").replace("#", "/").replace("=", "/").rsplit("/", 1)[-1]
            found.append(Component(code=code or key, labels=labels, iri=key))
        else:
            found.append(Component(code=key, labels=labels))
    return found


def _document_components(items: Sequence[Mapping[str, Any]]) -> list[Component]:
    return [Component(item["code"], item.get("label", {}), item.get("iri")) for item in items]


@dataclass(frozen=True)
class DatasetRecord:
    """Everything the mapping needs to describe one dataset.

    ``dimensions`` and ``attributes``, when given, replace those of the document (for
    example the components of a linked SDMX data structure).
    """

    dataset: Dataset
    publisher: Organization
    distributions: Sequence[Distribution] = ()
    harvest: HarvestRecord | None = None
    governance: Governance | None = None
    dimensions: Sequence[Component] | None = None
    attributes: Sequence[Component] | None = None
    dataflow: Mapping[str, str] | None = None


GovernanceLookup = Callable[[Session, Sequence[Dataset]], Mapping[uuid.UUID, Governance]]


# ------------------------------------------------------------------- concepts, once each


@cache
def _concept_triples(scheme: str, code: str) -> tuple[tuple[Triple, ...], tuple[Triple, ...]]:
    """The triples of a concept, and those of its scheme (type and titles)."""
    from vocab import get_registry

    concept = get_registry().scheme(scheme)[code]
    graph = concept.to_graph(with_scheme=True)
    scheme_iri = URIRef(concept.scheme_object.iri)
    own: list[Triple] = []
    of_scheme: list[Triple] = []
    # Sorted (type first) so that the same record always gives the same text.
    for triple in sorted(graph, key=lambda t: (t[1] != RDF_TYPE, str(t[1]), str(t[2]))):
        (of_scheme if triple[0] == scheme_iri else own).append(triple)
    return tuple(own), tuple(of_scheme)


class Emitter:
    """Describes shared resources (concepts, schemes, agents) once per document.

    The mapping asks for a concept's IRI; the first time in a document the concept's
    description is queued, and :meth:`drain` hands the queue to the writer.
    """

    def __init__(self) -> None:
        self._done: set[Hashable] = set()
        self._pending: list[Triple] = []

    def once(self, key: Hashable, build: Callable[[], Iterable[Triple]]) -> bool:
        """Queue ``build()``'s triples unless ``key`` was already described."""
        if key in self._done:
            return False
        self._done.add(key)
        self._pending.extend(build())
        return True

    def add(self, key: Hashable, triples: Iterable[Triple]) -> None:
        """Queue ``triples`` (already built) unless ``key`` was already described."""
        if key not in self._done:
            self._done.add(key)
            self._pending.extend(triples)

    def concept(self, scheme: str, value: str, *types: URIRef) -> URIRef | None:
        """The IRI of the concept ``value`` (a code or IRI) of vocabulary ``scheme``.

        Returns ``None`` when the vocabulary has no such concept (it is then left out).
        """
        from vocab import get_registry

        concepts = get_registry().scheme(scheme)
        concept = concepts.by_code(value) or concepts.by_iri(value)
        if concept is None:
            return None
        subject = URIRef(concept.iri)
        own, of_scheme = _concept_triples(scheme, concept.code)
        self.add(("concept", concept.iri), own)
        self.add(("scheme", scheme), of_scheme)
        for kind in types:
            self.add(("type", concept.iri, kind), [(subject, RDF_TYPE, kind)])
        return subject

    def drain(self) -> list[Triple]:
        """The queued triples (and an empty queue)."""
        pending, self._pending = self._pending, []
        return pending


def _texts(subject: URIRef, predicate: URIRef, values: Mapping[str, str] | None) -> list[Triple]:
    return [(subject, predicate, Literal(text, lang=lang)) for lang, text in (values or {}).items()]


def _document(subject: URIRef) -> Triple:
    return (subject, RDF_TYPE, FOAF.Document)


def _datetime(value: Any) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.dateTime)


def _date(value: str) -> Literal:
    return Literal(value, datatype=XSD.date)


def _period(subject: URIRef, period: Mapping[str, str]) -> list[Triple]:
    triples: list[Triple] = [(subject, RDF_TYPE, DCT.PeriodOfTime)]
    if period.get("start"):
        triples.append((subject, DCAT.startDate, _date(period["start"])))
    if period.get("end"):
        triples.append((subject, DCAT.endDate, _date(period["end"])))
    return triples


# ------------------------------------------------------------------------------ agents


def agent_triples(organization: Organization, base_uri: str, emit: Emitter) -> list[Triple]:
    """A publisher as a ``foaf:Agent``: names, ADMS publisher type, country, homepage."""
    agent = URIRef(organization_iri(base_uri, organization.name))
    triples: list[Triple] = [
        (agent, RDF_TYPE, FOAF.Agent),
        (agent, RDF_TYPE, FOAF.Organization),
        (agent, DCT.identifier, Literal(organization.name)),
        (agent, SKOS.altLabel, Literal(organization.acronym)),
        *_texts(agent, FOAF.name, organization.title),
    ]
    kind = _PUBLISHER_TYPES.get(OrganizationKind(organization.kind))
    if kind:
        concept = URIRef(ADMS_PUBLISHER_TYPE_NS + kind)
        scheme = URIRef(ADMS_PUBLISHER_TYPE_SCHEME)
        triples.append((agent, DCT.type, concept))
        emit.once(
            ("concept", str(concept)),
            lambda: [
                (concept, RDF_TYPE, SKOS.Concept),
                (concept, SKOS.prefLabel, Literal(_PUBLISHER_TYPE_LABELS[kind], lang="en")),
                (concept, SKOS.inScheme, scheme),
            ],
        )
        emit.once(
            ("scheme", str(scheme)),
            lambda: [
                (scheme, RDF_TYPE, SKOS.ConceptScheme),
                (scheme, DCT.title, Literal("Publisher type", lang="en")),
            ],
        )
    # The organization's country (Core Public Organisation Vocabulary uses dct:spatial).
    country = emit.concept("countries", organization.country, DCT.Location)
    if country is not None:
        triples.append((agent, DCT.spatial, country))
    if organization.homepage:
        homepage = iri(organization.homepage)
        triples += [(agent, FOAF.homepage, homepage), _document(homepage)]
    if organization.email:
        triples.append((agent, FOAF.mbox, iri(f"mailto:{organization.email}")))
    return triples


def _publisher(organization: Organization, base_uri: str, emit: Emitter) -> URIRef:
    agent = URIRef(organization_iri(base_uri, organization.name))
    emit.once(("agent", str(agent)), lambda: agent_triples(organization, base_uri, emit))
    return agent


# ----------------------------------------------------------------------------- datasets


def _contact_point(subject: URIRef, contact: Mapping[str, Any]) -> list[Triple]:
    triples: list[Triple] = [
        (subject, RDF_TYPE, VCARD.Kind),
        (subject, RDF_TYPE, VCARD.Organization),
        (subject, VCARD.fn, Literal(contact["name"])),
    ]
    if contact.get("email"):
        triples.append((subject, VCARD.hasEmail, iri(f"mailto:{contact['email']}")))
    if contact.get("url"):
        triples.append((subject, VCARD.hasURL, iri(contact["url"])))
    if contact.get("telephone"):
        # RFC 3966 has no space; percent-encoding keeps the number as it was written.
        number = quote(contact["telephone"], safe="+()-0123456789")
        triples.append((subject, VCARD.hasTelephone, URIRef(f"tel:{number}")))
    return triples


def _components(
    dataset: URIRef, predicate: URIRef, kind: URIRef, components: Sequence[Component]
) -> list[Triple]:
    triples: list[Triple] = []
    for component in components:
        prefix = "dimension" if kind == QB.DimensionProperty else "attribute"
        subject = (
            iri(component.iri)
            if component.iri
            else URIRef(f"{dataset}#{prefix}-{quote(component.code, safe='')}")
        )
        triples += [
            (dataset, predicate, subject),
            (subject, RDF_TYPE, kind),
            (subject, DCT.identifier, Literal(component.code)),
            *_texts(subject, RDFS.label, component.labels),
        ]
    return triples


def _quality_annotations(dataset: URIRef, annotations: Sequence[Mapping[str, Any]]) -> list[Triple]:
    triples: list[Triple] = []
    for number, annotation in enumerate(annotations, start=1):
        subject = URIRef(f"{dataset}#quality-annotation-{number}")
        triples += [
            (dataset, DQV.hasQualityAnnotation, subject),
            (subject, RDF_TYPE, DQV.QualityAnnotation),
            (subject, OA.motivatedBy, DQV.qualityAssessment),
            (subject, OA.hasTarget, dataset),
        ]
        if annotation.get("url"):
            url = iri(annotation["url"])
            triples += [(subject, OA.hasBody, url), _document(url)]
        if annotation.get("text"):
            body = URIRef(f"{subject}-body")
            triples += [
                (subject, OA.hasBody, body),
                (body, RDF_TYPE, OA.TextualBody),
                *_texts(body, RDF_VALUE, annotation["text"]),
            ]
    return triples


RDF_VALUE: Final = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#value")


def _themes(dataset: URIRef, codes: Sequence[str], emit: Emitter) -> list[Triple]:
    """SIMEL themes and the EU data themes they map to (which DCAT-AP checks)."""
    from vocab import get_registry

    registry = get_registry()
    simel, eu = registry.scheme("simel-themes"), registry.scheme("data-themes")
    themes: list[URIRef] = []
    for code in codes:
        concept = simel.by_code(code)
        if concept is not None:
            themes.append(URIRef(concept.iri))
            emit.concept("simel-themes", concept.code)
            for match in (*concept.exact_matches, *concept.broad_matches):
                theme = emit.concept("data-themes", match) if eu.by_iri(match) else None
                if theme is not None:
                    themes.append(theme)
            continue
        theme = emit.concept("data-themes", code)
        if theme is not None:
            themes.append(theme)
    return [(dataset, DCAT.theme, theme) for theme in dict.fromkeys(themes)]


def _dataflow(dataset: URIRef, flow: Mapping[str, str]) -> list[Triple]:
    urn = dataflow_urn(flow["agency"], flow["id"], flow["version"])
    subject = iri(flow["url"]) if flow.get("url") else URIRef(urn)
    return [(dataset, DCT.relation, subject), (subject, DCT.identifier, Literal(urn))]


def _labour_migration(
    subject: URIRef,
    profile: Mapping[str, Any],
    emit: Emitter,
    dimensions: Sequence[Component] | None,
    attributes: Sequence[Component] | None,
    dataflow: Mapping[str, str] | None = None,
) -> list[Triple]:
    triples: list[Triple] = []

    def concepts(predicate: URIRef, scheme: str, codes: Iterable[str]) -> None:
        for code in codes:
            concept = emit.concept(scheme, code)
            if concept is not None:
                triples.append((subject, predicate, concept))

    if profile.get("unit_of_measure"):
        unit = URIRef(f"{subject}#unit-of-measure")
        triples += [
            (subject, STAT.statUnitMeasure, unit),
            (unit, RDF_TYPE, SKOS.Concept),
            *_texts(unit, SKOS.prefLabel, profile["unit_of_measure"]),
        ]
    concepts(
        SIMEL.statisticalPopulation, "migration-concepts", profile.get("statistical_population", ())
    )
    concepts(
        SIMEL.geographicBreakdown, "geographic-levels", profile.get("geographic_breakdown", ())
    )
    if profile.get("collection_method"):
        concepts(SIMEL.collectionMethod, "collection-methods", [profile["collection_method"]])
    if profile.get("source_system"):
        triples.append((subject, SIMEL.sourceSystem, Literal(profile["source_system"])))
    if profile.get("reference_period"):
        period = URIRef(f"{subject}#reference-period")
        triples += [(subject, SIMEL.referencePeriod, period)]
        triples += _period(period, profile["reference_period"])
    concepts(SIMEL.occupation, "occupations", profile.get("occupations", ()))
    concepts(SIMEL.economicActivity, "activities", profile.get("economic_activities", ()))
    for number, corridor in enumerate(profile.get("migration_corridors", ()), start=1):
        node = URIRef(f"{subject}#migration-corridor-{number}")
        triples += [
            (subject, SIMEL.migrationCorridor, node),
            (node, RDF_TYPE, SIMEL.MigrationCorridor),
        ]
        for predicate, code in (
            (SIMEL.origin, corridor["origin"]),
            (SIMEL.destination, corridor["destination"]),
        ):
            country = emit.concept("countries", code, DCT.Location)
            if country is not None:
                triples.append((node, predicate, country))
    if dimensions is None:
        dimensions = _document_components(profile.get("dimensions", ()))
    if attributes is None:
        attributes = _document_components(profile.get("attributes", ()))
    triples += _components(subject, STAT.dimension, QB.DimensionProperty, dimensions)
    triples += _components(subject, STAT.attribute, QB.AttributeProperty, attributes)
    if profile.get("num_series") is not None:
        count = Literal(str(profile["num_series"]), datatype=XSD.nonNegativeInteger)
        triples.append((subject, STAT.numSeries, count))
    triples += _quality_annotations(subject, profile.get("quality_annotations", ()))
    dataflow = dataflow or profile.get("sdmx_dataflow")
    if dataflow:
        triples += _dataflow(subject, dataflow)
    return triples


def _governance(subjects: Sequence[URIRef], governance: Governance, emit: Emitter) -> list[Triple]:
    triples: list[Triple] = []
    dataset = subjects[0]
    for value in governance.legal_bases:
        basis = emit.concept("legal-bases", value) or iri(value)
        triples.append((dataset, DPV.hasLegalBasis, basis))
    if governance.policy_iri:
        policy = iri(governance.policy_iri)
        # odrl:Offer is a subclass of odrl:Policy; the range shape checks the class
        # without inference, so both are stated.
        triples += [
            (policy, RDF_TYPE, ODRL.Policy),
            (policy, RDF_TYPE, ODRL.Offer),
            (policy, ODRL.uid, iri(governance.policy_uid or governance.policy_iri)),
            (policy, ODRL.target, dataset),
        ]
        triples += [(subject, ODRL.hasPolicy, policy) for subject in subjects]
    return triples


def dataset_triples(record: DatasetRecord, *, base_uri: str, emit: Emitter) -> list[Triple]:
    """A dataset and its distributions as DCAT-AP / StatDCAT-AP triples.

    Shared resources (publisher, concepts) are queued on ``emit``; take them with
    :meth:`Emitter.drain`.
    """
    dataset, document = record.dataset, record.dataset.document
    subject = URIRef(dataset_iri(base_uri, dataset.name))
    triples: list[Triple] = [(subject, RDF_TYPE, DCAT.Dataset)]
    triples += _texts(subject, DCT.title, document["title"])
    triples += _texts(subject, DCT.description, document["description"])
    identifier = document.get("identifier") or (
        record.harvest.original_iri if record.harvest else str(subject)
    )
    triples.append((subject, DCT.identifier, Literal(identifier)))
    if record.harvest is not None:
        # The IRI the dataset had in the catalog it was harvested from.
        original = URIRef(f"{subject}#original-identifier")
        triples += [
            (subject, ADMS.identifier, original),
            (original, RDF_TYPE, ADMS.Identifier),
            (original, SKOS.notation, Literal(record.harvest.original_iri, datatype=XSD.anyURI)),
        ]
    triples.append((subject, DCT.publisher, _publisher(record.publisher, base_uri, emit)))
    if dataset.status == DatasetStatus.DRAFT:
        # Only its own organization, auditors and admins see a draft; a harvester using
        # such a token must not take it for a published dataset.
        triples.append((subject, ADMS.status, _adms_status(ADMS_UNDER_DEVELOPMENT, emit)))
    for lang, words in document.get("keywords", {}).items():
        triples += [(subject, DCAT.keyword, Literal(word, lang=lang)) for word in words]
    triples += _themes(subject, document.get("themes", ()), emit)
    access = emit.concept("access-rights", document["access_rights"], DCT.RightsStatement)
    if access is not None:
        triples.append((subject, DCT.accessRights, access))
    personal = emit.concept("personal-data-classes", document["personal_data"])
    if personal is not None:
        triples.append((subject, SIMEL.personalData, personal))
    for code in document.get("spatial", ()):
        country = emit.concept("countries", code, DCT.Location)
        if country is not None:
            triples.append((subject, DCT.spatial, country))
    for number, period in enumerate(document.get("temporal", ()), start=1):
        node = URIRef(f"{subject}#temporal-{number}")
        triples += [(subject, DCT.temporal, node), *_period(node, period)]
    if document.get("accrual_periodicity"):
        frequency = emit.concept("frequency", document["accrual_periodicity"], DCT.Frequency)
        if frequency is not None:
            triples.append((subject, DCT.accrualPeriodicity, frequency))
    for code in document.get("languages", ()):
        language = emit.concept("languages", code, DCT.LinguisticSystem)
        if language is not None:
            triples.append((subject, DCT.language, language))
    if document.get("contact_point"):
        contact = URIRef(f"{subject}#contact-point")
        triples += [(subject, DCAT.contactPoint, contact)]
        triples += _contact_point(contact, document["contact_point"])
    for standard in document.get("conforms_to", ()):
        node = iri(standard["uri"])
        triples += [(subject, DCT.conformsTo, node), (node, RDF_TYPE, DCT.Standard)]
        triples += _texts(node, DCT.title, standard.get("title"))
    if document.get("provenance"):
        node = URIRef(f"{subject}#provenance")
        triples += [(subject, DCT.provenance, node), (node, RDF_TYPE, DCT.ProvenanceStatement)]
        triples += _texts(node, RDFS.label, document["provenance"])
    if document.get("version"):
        triples.append((subject, DCAT_VERSION, Literal(document["version"])))
    triples += _texts(subject, ADMS.versionNotes, document.get("version_notes"))
    if document.get("retention_period"):
        # DCAT-AP has no retention term; the duration is kept (xsd:duration) in ours.
        triples.append(
            (
                subject,
                SIMEL.retentionPeriod,
                Literal(document["retention_period"], datatype=XSD.duration),
            )
        )
    if document.get("landing_page"):
        page = iri(document["landing_page"])
        triples += [(subject, DCAT.landingPage, page), _document(page)]
    for url in document.get("documentation", ()):
        page = iri(url)
        triples += [(subject, FOAF.page, page), _document(page)]
    if dataset.issued is not None:
        triples.append((subject, DCT.issued, _datetime(dataset.issued)))
    triples.append((subject, DCT.modified, _datetime(dataset.modified)))
    triples += _labour_migration(
        subject,
        document.get("labour_migration", {}),
        emit,
        record.dimensions,
        record.attributes,
        record.dataflow,
    )
    distribution_subjects = []
    for distribution in record.distributions:
        node, described = distribution_triples(dataset, distribution, base_uri=base_uri, emit=emit)
        distribution_subjects.append(node)
        triples += [(subject, DCAT.distribution, node), *described]
    if record.governance is not None:
        triples += _governance([subject, *distribution_subjects], record.governance, emit)
    return triples


def _licence(distribution: URIRef, url: str, emit: Emitter) -> list[Triple]:
    node = iri(url)
    triples: list[Triple] = [(distribution, DCT.license, node)]

    def describe() -> list[Triple]:
        described: list[Triple] = [(node, RDF_TYPE, DCT.LicenseDocument)]
        licence = known_licence(url)
        if licence is not None:
            described.append((node, DCT.title, Literal(licence.title, lang="en")))
            # DCAT-AP allows one dct:type on a licence document: the first, main type.
            code = licence.types[0]
            concept = URIRef(ADMS_LICENCE_TYPE_NS + code)
            scheme = URIRef(ADMS_LICENCE_TYPE_SCHEME)
            described.append((node, DCT.type, concept))
            emit.once(
                ("concept", str(concept)),
                lambda: [
                    (concept, RDF_TYPE, SKOS.Concept),
                    (concept, SKOS.prefLabel, Literal(LICENCE_TYPE_LABELS[code], lang="en")),
                    (concept, SKOS.inScheme, scheme),
                ],
            )
            emit.once(
                ("scheme", str(scheme)),
                lambda: [
                    (scheme, RDF_TYPE, SKOS.ConceptScheme),
                    (scheme, DCT.title, Literal("Licence type", lang="en")),
                ],
            )
        return described

    emit.once(("licence", str(node)), describe)
    return triples


def _checksum(node: URIRef, value: str, emit: Emitter) -> list[Triple]:
    checksum = URIRef(f"{node}-checksum")
    emit.once(
        ("checksum-algorithm", "sha256"),
        lambda: [
            (CHECKSUM_SHA256, RDF_TYPE, SPDX.ChecksumAlgorithm),
            (CHECKSUM_SHA256, OWL.sameAs, SPDX_SHA256),
        ],
    )
    return [
        (node, SPDX.checksum, checksum),
        (checksum, RDF_TYPE, SPDX.Checksum),
        (checksum, SPDX.algorithm, CHECKSUM_SHA256),
        (checksum, SPDX.checksumValue, Literal(value, datatype=XSD.hexBinary)),
    ]


def distribution_triples(
    dataset: Dataset, distribution: Distribution, *, base_uri: str, emit: Emitter
) -> tuple[URIRef, list[Triple]]:
    """A distribution as a ``dcat:Distribution``: its IRI and its triples."""
    document = distribution.document
    node = URIRef(distribution_iri(base_uri, dataset.name, distribution.id))
    triples: list[Triple] = [(node, RDF_TYPE, DCAT.Distribution)]
    triples += _texts(node, DCT.title, document.get("title"))
    triples += _texts(node, DCT.description, document.get("description"))
    access_url, download_url = document.get("access_url"), document.get("download_url")
    if distribution.served_by_catalog:
        # Files the catalog holds are served by its data endpoint; restricted ones only
        # under an agreement, so they get no download URL (and one awaiting its file is
        # reached there too, once uploaded).
        access_url = data_url(base_uri, dataset.name, distribution.id)
        download_url = None if distribution.restricted else access_url
    # DCAT-AP requires an access URL; for a plain download it is the download URL.
    access = access_url or download_url
    if access:
        triples.append((node, DCAT.accessURL, iri(access)))
    if download_url:
        triples.append((node, DCAT.downloadURL, iri(download_url)))
    if document.get("media_type"):
        media = iri(IANA_MEDIA_TYPES + document["media_type"])
        triples += [(node, DCAT.mediaType, media), (media, RDF_TYPE, DCT.MediaType)]
    if document.get("format"):
        file_type = emit.concept("file-types", document["format"], DCT.MediaTypeOrExtent)
        if file_type is not None:
            triples.append((node, DCT.format, file_type))
    if document.get("byte_size") is not None:
        size = Literal(str(document["byte_size"]), datatype=XSD.nonNegativeInteger)
        triples.append((node, DCAT.byteSize, size))
    if document.get("checksum"):
        triples += _checksum(node, document["checksum"], emit)
    if document.get("license"):
        triples += _licence(node, document["license"], emit)
    if document.get("rights"):
        rights = URIRef(f"{node}-rights")
        triples += [(node, DCT.rights, rights), (rights, RDF_TYPE, DCT.RightsStatement)]
        triples += _texts(rights, RDFS.label, document["rights"])
    for code in document.get("languages", ()):
        language = emit.concept("languages", code, DCT.LinguisticSystem)
        if language is not None:
            triples.append((node, DCT.language, language))
    for url in document.get("conforms_to", ()):
        standard = iri(url)
        triples += [(node, DCT.conformsTo, standard), (standard, RDF_TYPE, DCT.Standard)]
    triples.append((node, DCT.issued, _datetime(distribution.created)))
    triples.append((node, DCT.modified, _datetime(distribution.modified)))
    return node, triples


def _adms_status(status_iri: str, emit: Emitter) -> URIRef:
    """An ADMS status concept, described once per document."""
    status, scheme = URIRef(status_iri), URIRef(ADMS_STATUS_SCHEME)
    emit.once(
        ("concept", status_iri),
        lambda: [
            (status, RDF_TYPE, SKOS.Concept),
            (status, SKOS.prefLabel, Literal(_ADMS_STATUS_LABELS[status_iri], lang="en")),
            (status, SKOS.inScheme, scheme),
        ],
    )
    emit.once(
        ("scheme", ADMS_STATUS_SCHEME),
        lambda: [
            (scheme, RDF_TYPE, SKOS.ConceptScheme),
            (scheme, DCT.title, Literal("Status", lang="en")),
        ],
    )
    return status


def tombstone_triples(
    dataset: Dataset, publisher: Organization, *, base_uri: str, emit: Emitter
) -> list[Triple]:
    """What remains of a withdrawn dataset: who, what, when and why it was withdrawn."""
    subject = URIRef(dataset_iri(base_uri, dataset.name))
    status = _adms_status(ADMS_WITHDRAWN, emit)
    triples: list[Triple] = [
        (subject, RDF_TYPE, DCAT.Dataset),
        *_texts(subject, DCT.title, dataset.title),
        *_texts(subject, DCT.description, dataset.description),
        (subject, DCT.identifier, Literal(dataset.document.get("identifier") or str(subject))),
        (subject, DCT.publisher, _publisher(publisher, base_uri, emit)),
        (subject, OWL.deprecated, Literal(True)),
        (subject, ADMS.status, status),
        (subject, DCT.modified, _datetime(dataset.withdrawn_at or dataset.modified)),
    ]
    if dataset.issued is not None:
        triples.append((subject, DCT.issued, _datetime(dataset.issued)))
    if dataset.withdrawal_reason:
        triples.append((subject, SKOS.historyNote, Literal(dataset.withdrawal_reason)))
    return triples


def dataset_graph(
    dataset: Dataset,
    publisher: Organization,
    distributions: Sequence[Distribution],
    *,
    base_uri: str,
    harvest: HarvestRecord | None = None,
    governance: Governance | None = None,
    dimensions: Sequence[Component] | None = None,
    attributes: Sequence[Component] | None = None,
) -> Any:
    """One dataset as an rdflib graph, with every resource it refers to described.

    ``governance`` adds the legal bases (DPV) and the ODRL offer; ``dimensions`` and
    ``attributes`` replace the document's (e.g. from a linked SDMX structure).
    """
    emit = Emitter()
    record = DatasetRecord(
        dataset, publisher, distributions, harvest, governance, dimensions, attributes
    )
    triples = dataset_triples(record, base_uri=base_uri, emit=emit)
    return triples_to_graph([*triples, *emit.drain()])


# ------------------------------------------------------------------------------ catalog


@dataclass(frozen=True)
class PageView:
    """The Hydra view of one page of the catalog."""

    page: int
    last: int
    total: int
    link: Callable[[int], str]


def catalog_triples(
    settings: Settings,
    *,
    emit: Emitter,
    publisher: Organization | None,
    countries: Iterable[str],
    issued: Any = None,
    modified: Any = None,
    view: PageView | None = None,
) -> list[Triple]:
    """The ``dcat:Catalog`` itself: names, publisher, languages, licence, themes, paging."""
    from vocab import get_registry

    base_uri = settings.catalog.base_uri
    catalog = URIRef(catalog_iri(base_uri))
    triples: list[Triple] = [
        (catalog, RDF_TYPE, DCAT.Catalog),
        *_texts(catalog, DCT.title, settings.catalog.title),
        *_texts(catalog, DCT.description, settings.catalog.description),
    ]
    if publisher is not None:
        triples.append((catalog, DCT.publisher, _publisher(publisher, base_uri, emit)))
    else:
        agent = URIRef(f"{catalog}#publisher")
        triples += [
            (catalog, DCT.publisher, agent),
            (agent, RDF_TYPE, FOAF.Agent),
            *_texts(agent, FOAF.name, settings.catalog.title),
        ]
    homepage = URIRef(base_uri)
    triples += [(catalog, FOAF.homepage, homepage), _document(homepage)]
    for code in settings.i18n.languages:
        language = emit.concept("languages", code, DCT.LinguisticSystem)
        if language is not None:
            triples.append((catalog, DCT.language, language))
    if settings.rdf.license:
        triples += _licence(catalog, settings.rdf.license, emit)
    registry = get_registry()
    for name in ("data-themes", "simel-themes"):
        scheme = registry.scheme(name)
        node = URIRef(scheme.iri)
        triples.append((catalog, DCAT.themeTaxonomy, node))
        emit.add(
            ("scheme", name),
            [(node, RDF_TYPE, SKOS.ConceptScheme), *_texts(node, DCT.title, scheme.titles)],
        )
    for code in countries:
        country = emit.concept("countries", code, DCT.Location)
        if country is not None:
            triples.append((catalog, DCT.spatial, country))
    if issued is not None:
        triples.append((catalog, DCT.issued, _datetime(issued)))
    if modified is not None:
        triples.append((catalog, DCT.modified, _datetime(modified)))
    if view is not None:
        node = URIRef(view.link(view.page))
        triples += [
            (catalog, HYDRA.totalItems, Literal(view.total)),
            (catalog, HYDRA.view, node),
            (node, RDF_TYPE, HYDRA.PartialCollectionView),
            (node, HYDRA.first, URIRef(view.link(1))),
            (node, HYDRA.last, URIRef(view.link(view.last))),
        ]
        if view.page > 1:
            triples.append((node, HYDRA.previous, URIRef(view.link(min(view.page - 1, view.last)))))
        if view.page < view.last:
            triples.append((node, HYDRA.next, URIRef(view.link(view.page + 1))))
    return triples


# ------------------------------------------------------------------------------ export


@dataclass(frozen=True)
class CatalogQuery:
    """Which datasets to export: the JSON list's search and filters, and the page.

    Attributes:
        text: Free text, as ``q`` of the JSON list.
        filters: Facet filters (publisher, country, theme, access_rights, ...).
        sort: Order of datasets.
        min_quality: Minimum metadata quality score.
        paged: Whether to page at all (the HTTP catalog does; a full export does not).
        page: The page asked for (``None``: the first, and no paging if it all fits).
        page_size: Datasets per page (default: ``[rdf] page_size``).
        parameters: The request's other query parameters, kept in the page links.
    """

    text: str | None = None
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    sort: SortKey | None = None
    min_quality: int | None = None
    paged: bool = True
    page: int | None = None
    page_size: int | None = None
    parameters: Sequence[tuple[str, str]] = ()


@dataclass
class RdfExport:
    """A document being exported: its status, size facts and its text, piece by piece."""

    chunks: Iterator[str]
    total: int = 1
    status: int = 200
    view: PageView | None = None


def _records(
    session: Session,
    batch: Sequence[Dataset],
    governance_for: GovernanceLookup | None,
) -> list[DatasetRecord]:
    ids = [dataset.id for dataset in batch]
    publishers = organizations_by_id(session, [dataset.publisher_id for dataset in batch])
    dists = distributions_of(session, ids)
    harvested = harvest_records(session, ids)
    governance = (governance_for or governance_of)(session, batch)
    records = []
    for dataset in batch:
        record = DatasetRecord(
            dataset,
            publishers[dataset.publisher_id],
            dists[dataset.id],
            harvested.get(dataset.id),
            governance.get(dataset.id),
        )
        records.append(record)
    return _with_sdmx_structures(session, records)


def governance_of(session: Session, batch: Sequence[Dataset]) -> dict[uuid.UUID, Governance]:
    """The legal bases valid now and the current offer of each dataset (two queries)."""
    ids = [dataset.id for dataset in batch]
    if not ids:
        return {}
    now = utcnow()
    bases: dict[uuid.UUID, list[str]] = {}
    for basis in session.exec(select(LegalBasis).where(col(LegalBasis.dataset_id).in_(ids))).all():
        if legal_basis_valid(basis, now):
            bases.setdefault(basis.dataset_id, []).append(basis.basis)
    newest = (
        select(DatasetPolicy.dataset_id, func.max(DatasetPolicy.revision).label("revision"))
        .where(col(DatasetPolicy.dataset_id).in_(ids))
        .group_by(col(DatasetPolicy.dataset_id))
        .subquery()
    )
    policies: dict[uuid.UUID, str] = dict(
        session.exec(
            select(DatasetPolicy.dataset_id, DatasetPolicy.uid).join(
                newest,
                (newest.c.dataset_id == DatasetPolicy.dataset_id)
                & (newest.c.revision == DatasetPolicy.revision),
            )
        ).all()
    )
    return {
        dataset_id: Governance(
            legal_bases=tuple(sorted(dict.fromkeys(bases.get(dataset_id, ())))),
            policy_iri=policies.get(dataset_id),
        )
        for dataset_id in ids
        if dataset_id in bases or dataset_id in policies
    }


_URN_PARTS = re.compile(r"=(?P<agency>[^:=]+):(?P<id>[^(]+)\((?P<version>[^)]+)\)$")


def _with_sdmx_structures(session: Session, records: list[DatasetRecord]) -> list[DatasetRecord]:
    # A dataset linked to an SDMX structure takes its dimensions, attributes and dataflow
    # from the structure rather than from its document.
    from catalog import sdmx

    linked = sdmx.dataset_sdmx_views(session, [record.dataset.id for record in records])
    if not linked:
        return records
    result = []
    for record in records:
        if record.dataset.id in linked:
            dimensions, attributes, urn = sdmx.statistical_components(session, record.dataset)
            flow = _URN_PARTS.search(urn) if urn else None
            record = dataclasses.replace(
                record,
                dimensions=[Component(c.id, dict(c.label), c.iri) for c in dimensions],
                attributes=[Component(c.id, dict(c.label), c.iri) for c in attributes],
                dataflow=flow.groupdict() if flow else None,
            )
        result.append(record)
    return result


def _catalog_publisher(session: Session, settings: Settings) -> Organization | None:
    if not settings.rdf.publisher:
        return None
    return session.exec(
        select(Organization).where(Organization.name == settings.rdf.publisher)
    ).first()


def _first_issued(session: Session) -> Any:
    # Publication dates of published records are public, whoever asks.
    return session.exec(
        select(func.min(Dataset.issued)).where(
            col(Dataset.status).in_([DatasetStatus.PUBLISHED, DatasetStatus.WITHDRAWN])
        )
    ).one()


@dataclass
class TripleExport:
    """A catalog export before serialization: its size, paging and batches of triples."""

    batches: Iterator[list[Triple]]
    total: int
    view: PageView | None = None


def catalog_export(
    session: Session,
    *,
    actor: Principal,
    settings: Settings,
    query: CatalogQuery,
    governance_for: GovernanceLookup | None = None,
    batch_size: int = 200,
    self_contained: bool = False,
) -> TripleExport:
    """The catalog (one page of it, or all) as batches of triples, read as they are taken.

    The search runs before this returns, so a bad request or a page past the end fails
    here; ``batches`` then reads and maps the datasets ``batch_size`` at a time (the
    first batch is the catalog's own description). Withdrawn datasets appear only if
    the status filter asks for them, as tombstones.

    Shared resources (agents, concepts) are described once per document, in the first
    batch that refers to them; with ``self_contained``, once per batch instead, so that
    each batch can be read on its own beside the first (validation does).

    Raises:
        NotFound: a page past the last one.
    """
    base_uri = settings.catalog.base_uri
    size = query.page_size or settings.rdf.page_size
    first = dataset_service.search_datasets(
        session,
        actor=actor,
        text=query.text,
        filters=query.filters,
        sort=query.sort,
        offset=0,
        limit=1,
        min_quality=query.min_quality,
    )
    total = first.total
    view: PageView | None = None
    start, stop = 0, total
    if query.paged and (total > size or query.page is not None):
        last = max(1, math.ceil(total / size))
        page = query.page or 1
        if page > last:
            raise NotFound(f"the catalog has {last} page(s) of {size} datasets; not page {page}")
        start, stop = (page - 1) * size, min(page * size, total)

        def link(number: int) -> str:
            parameters = [*query.parameters, ("page", str(number))]
            if query.page_size:
                parameters.append(("page_size", str(size)))
            return f"{catalog_iri(base_uri)}?{urlencode(parameters)}"

        view = PageView(page=page, last=last, total=total, link=link)
    latest = dataset_service.search_datasets(
        session,
        actor=actor,
        text=query.text,
        filters=query.filters,
        sort="modified",
        offset=0,
        limit=1,
        min_quality=query.min_quality,
    )
    modified = latest.datasets[0].modified if latest.datasets else None
    countries = list(first.facets.get("country", {}))
    publisher = _catalog_publisher(session, settings)
    issued = _first_issued(session)

    def batches() -> Iterator[list[Triple]]:
        emit = Emitter()
        header = catalog_triples(
            settings,
            emit=emit,
            publisher=publisher,
            countries=countries,
            issued=issued,
            modified=modified,
            view=view,
        )
        yield [*header, *emit.drain()]
        catalog = URIRef(catalog_iri(base_uri))
        for offset in range(start, stop, batch_size):
            if self_contained:
                emit = Emitter()
            batch = dataset_service.search_datasets(
                session,
                actor=actor,
                text=query.text,
                filters=query.filters,
                sort=query.sort,
                offset=offset,
                limit=min(batch_size, stop - offset),
                min_quality=query.min_quality,
            ).datasets
            triples: list[Triple] = []
            for record in _records(session, batch, governance_for):
                subject = URIRef(dataset_iri(base_uri, record.dataset.name))
                triples.append((catalog, DCAT.dataset, subject))
                if record.dataset.status == DatasetStatus.WITHDRAWN:
                    triples += tombstone_triples(
                        record.dataset, record.publisher, base_uri=base_uri, emit=emit
                    )
                else:
                    triples += dataset_triples(record, base_uri=base_uri, emit=emit)
                triples += emit.drain()
            yield triples

    return TripleExport(batches=batches(), total=total, view=view)


def export_catalog(
    session: Session,
    *,
    actor: Principal,
    settings: Settings,
    fmt: Format,
    query: CatalogQuery,
    governance_for: GovernanceLookup | None = None,
    batch_size: int = 200,
) -> RdfExport:
    """The catalog as DCAT-AP text in ``fmt``, streamed batch by batch.

    Raises:
        NotFound: a page past the last one.
    """
    export = catalog_export(
        session,
        actor=actor,
        settings=settings,
        query=query,
        governance_for=governance_for,
        batch_size=batch_size,
    )

    def chunks() -> Iterator[str]:
        writer = writer_for(fmt)
        yield writer.start()
        for triples in export.batches:
            yield writer.chunk(triples)
        yield writer.end()

    return RdfExport(chunks=chunks(), total=export.total, view=export.view)


def dataset_document_triples(
    session: Session,
    *,
    actor: Principal,
    name: str,
    settings: Settings,
    governance_for: GovernanceLookup | None = None,
) -> tuple[list[Triple], int]:
    """The triples ``/dataset/<name>`` serves, and its status (410 for a tombstone).

    Raises:
        NotFound: no such dataset visible to the caller.
    """
    dataset = dataset_service.get_dataset(session, actor=actor, name=name)
    base_uri = settings.catalog.base_uri
    emit = Emitter()
    if dataset.status == DatasetStatus.WITHDRAWN:
        publisher = dataset_service.publisher_of(session, dataset)
        triples = tombstone_triples(dataset, publisher, base_uri=base_uri, emit=emit)
        return [*triples, *emit.drain()], 410
    (record,) = _records(session, [dataset], governance_for)
    triples = dataset_triples(record, base_uri=base_uri, emit=emit)
    return [*triples, *emit.drain()], 200


def export_dataset(
    session: Session,
    *,
    actor: Principal,
    name: str,
    settings: Settings,
    fmt: Format,
    governance_for: GovernanceLookup | None = None,
) -> RdfExport:
    """One dataset as DCAT-AP; a withdrawn dataset as its tombstone, with status 410.

    Raises:
        NotFound: no such dataset visible to the caller.
    """
    triples, status = dataset_document_triples(
        session, actor=actor, name=name, settings=settings, governance_for=governance_for
    )
    writer = writer_for(fmt)
    text = writer.start() + writer.chunk(triples) + writer.end()
    return RdfExport(chunks=iter([text]), status=status)


def export_organization(
    session: Session, *, name: str, settings: Settings, fmt: Format
) -> RdfExport:
    """An organization as the ``foaf:Agent`` the datasets name as their publisher.

    Publisher IRIs (``<base>/organization/<name>``) and the ODRL parties that are
    organizations then resolve to a description, as linked data expects.

    Raises:
        NotFound: no such organization.
    """
    organization = get_organization(session, name)
    emit = Emitter()
    triples = agent_triples(organization, settings.catalog.base_uri, emit)
    writer = writer_for(fmt)
    text = writer.start() + writer.chunk([*triples, *emit.drain()]) + writer.end()
    return RdfExport(chunks=iter([text]))


def dataset_record(
    session: Session, dataset: Dataset, governance_for: GovernanceLookup | None = None
) -> DatasetRecord:
    """The mapping's inputs for one dataset, loaded from the database."""
    return _records(session, [dataset], governance_for)[0]
