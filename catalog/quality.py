"""Metadata quality: a score per dataset and for the catalog (docs/metadata-quality.md).

The metric follows the data.europa.eu Metadata Quality Assessment (MQA): the same five
dimensions (findability, accessibility, interoperability, reusability, contextuality),
the same checks and weights where they can be computed from the metadata alone. The
MQA's network checks (is the access URL reachable?) and its DCAT-AP conformance check are
left out: the first would make a score depend on other servers at the moment of saving,
and conformance is reported separately (``/api/v1/datasets/<name>/validation``). So the
maximum is 375 points instead of the MQA's 405; ratings use the MQA's bands as fractions.

Distribution-level checks count in proportion to the distributions that pass them (two
of four distributions with a licence earn half the points), as the MQA does. The score
is a function of the dataset's document, its distributions and whether it has been
issued (and of the file-type and licence tables two checks consult), so it is computed
on every write and stored, with its points per dimension (``dataset.quality_*``), for
sorting, filtering and the catalog's mean; the search index keeps a copy of the score.
Changing the metric or those tables means recomputing what is stored
(docs/metadata-quality.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, NamedTuple

from sqlalchemy import text
from sqlmodel import Session

from catalog.licences import known_licence
from catalog.principals import Principal

Dimension = Literal[
    "findability", "accessibility", "interoperability", "reusability", "contextuality"
]
DIMENSIONS: Final[tuple[Dimension, ...]] = (
    "findability",
    "accessibility",
    "interoperability",
    "reusability",
    "contextuality",
)
Rating = Literal["excellent", "good", "sufficient", "bad"]

# EU file-type codes (vocab scheme "file-types") of open, non-proprietary formats and of
# machine-readable formats, after the MQA's lists restricted to the codes we carry.
NON_PROPRIETARY_FORMATS: Final = frozenset(
    {
        "ATOM",
        "CSV",
        "GEOJSON",
        "GPKG",
        "GZIP",
        "HTML",
        "JSON",
        "JSON_LD",
        "KML",
        "ODS",
        "ODT",
        "PARQUET",
        "PDF",
        "RDF_N_QUADS",
        "RDF_N_TRIPLES",
        "RDF_TRIG",
        "RDF_TURTLE",
        "RDF_XML",
        "RSS",
        "SCHEMA_XML",
        "SDMX",
        "SPARQLQ",
        "TSV",
        "TXT",
        "XML",
        "YAML",
        "ZIP",
    }
)
MACHINE_READABLE_FORMATS: Final = frozenset(
    {
        "ATOM",
        "CSV",
        "GEOJSON",
        "GPKG",
        "JSON",
        "JSON_LD",
        "KML",
        "ODS",
        "PARQUET",
        "RDF_N_QUADS",
        "RDF_N_TRIPLES",
        "RDF_TRIG",
        "RDF_TURTLE",
        "RDF_XML",
        "RSS",
        "SDMX",
        "SHP",
        "TSV",
        "XLS",
        "XLSX",
        "XML",
        "YAML",
    }
)


class Check(NamedTuple):
    """One criterion: how many of its points the dataset earned.

    A named tuple rather than a frozen dataclass: listings assess every dataset of a
    page, 21 checks each, and a frozen dataclass costs a ``__setattr__`` per field.

    Attributes:
        name: Stable identifier of the criterion (``keywords``, ``licence``...).
        dimension: The dimension it counts towards.
        points: Points earned (may be a share of ``max_points`` for distribution checks).
        max_points: Points it is worth.
    """

    name: str
    dimension: Dimension
    points: int
    max_points: int


@dataclass(frozen=True)
class Quality:
    """A dataset's (or the catalog's) quality: total, per dimension, per criterion."""

    score: int
    max_score: int
    checks: tuple[Check, ...]

    @property
    def percent(self) -> int:
        """The score as a whole percentage of the maximum."""
        return round(100 * self.score / self.max_score) if self.max_score else 0

    @property
    def rating(self) -> Rating:
        """The MQA rating band of the score."""
        return rating_for(self.score, self.max_score)

    def dimension(self, name: Dimension) -> tuple[int, int]:
        """``(points, max_points)`` of one dimension."""
        checks = [c for c in self.checks if c.dimension == name]
        return sum(c.points for c in checks), sum(c.max_points for c in checks)

    def to_json(self) -> dict[str, Any]:
        """The ``quality`` member of the dataset's JSON."""
        dimensions = {name: {"score": 0, "max_score": 0} for name in DIMENSIONS}
        checks = []
        for name, dimension, points, max_points in self.checks:
            totals = dimensions[dimension]
            totals["score"] += points
            totals["max_score"] += max_points
            checks.append(
                {"name": name, "dimension": dimension, "score": points, "max_score": max_points}
            )
        return {
            "score": self.score,
            "max_score": self.max_score,
            "percent": self.percent,
            "rating": self.rating,
            "dimensions": dimensions,
            "checks": checks,
        }


# The MQA's rating bands (of 405 points) as fractions, so they survive our smaller maximum.
_BANDS: Final[tuple[tuple[float, Rating], ...]] = (
    (351 / 405, "excellent"),
    (221 / 405, "good"),
    (121 / 405, "sufficient"),
)


def rating_for(score: float, max_score: int) -> Rating:
    """The rating band of ``score`` out of ``max_score``."""
    fraction = score / max_score if max_score else 0.0
    for threshold, name in _BANDS:
        if fraction >= threshold:
            return name
    return "bad"


def _share(distributions: Sequence[Mapping[str, Any]], test: Any, points: int) -> int:
    if not distributions:
        return 0
    passed = sum(1 for distribution in distributions if test(distribution))
    return round(points * passed / len(distributions))


def _has_access(distribution: Mapping[str, Any]) -> bool:
    # Files held by the catalog, and restricted ones (even awaiting their file), are
    # reached through its data endpoint.
    return bool(
        distribution.get("access_url")
        or distribution.get("download_url")
        or distribution.get("storage_key")
        or distribution.get("restricted", False)
    )


def _has_download(distribution: Mapping[str, Any]) -> bool:
    # Restricted files are served only under an agreement: an access URL, no download
    # URL (the DCAT and the JSON show none, whatever the document says).
    if distribution.get("restricted", False):
        return False
    # The catalog offers a direct download of the public files it holds.
    return bool(distribution.get("download_url") or distribution.get("storage_key"))


def _format_in_vocabulary(code: Any) -> bool:
    if not isinstance(code, str):
        return False
    from vocab import get_registry  # lazily: the registry loads its manifest on first use

    return get_registry().scheme("file-types").by_code(code) is not None


def assess(
    document: Mapping[str, Any],
    distributions: Iterable[Mapping[str, Any]],
    *,
    issued: bool,
) -> Quality:
    """Score a dataset document and its distribution documents.

    Args:
        document: The dataset's metadata document.
        distributions: The documents of its distributions.
        issued: Whether the dataset has been published (it then has ``dct:issued``).
    """
    dists = list(distributions)
    has = document.get
    checks = [
        # Findability: can it be found by words, category, place and time?
        Check("keywords", "findability", 30 if any(has("keywords", {}).values()) else 0, 30),
        Check("themes", "findability", 30 if has("themes") else 0, 30),
        Check("spatial", "findability", 20 if has("spatial") else 0, 20),
        Check("temporal", "findability", 20 if has("temporal") else 0, 20),
        # Accessibility: can the data be reached?
        Check("access_url", "accessibility", _share(dists, _has_access, 50), 50),
        Check("download_url", "accessibility", _share(dists, _has_download, 50), 50),
        # Interoperability: are the formats declared, standard, open, machine-readable?
        Check("format", "interoperability", _share(dists, lambda d: d.get("format"), 20), 20),
        Check(
            "media_type", "interoperability", _share(dists, lambda d: d.get("media_type"), 10), 10
        ),
        Check(
            "format_vocabulary",
            "interoperability",
            _share(dists, lambda d: _format_in_vocabulary(d.get("format")), 10),
            10,
        ),
        Check(
            "non_proprietary",
            "interoperability",
            _share(dists, lambda d: d.get("format") in NON_PROPRIETARY_FORMATS, 20),
            20,
        ),
        Check(
            "machine_readable",
            "interoperability",
            _share(dists, lambda d: d.get("format") in MACHINE_READABLE_FORMATS, 20),
            20,
        ),
        # Reusability: may it be reused, under which terms, and who answers questions?
        Check("licence", "reusability", _share(dists, lambda d: d.get("license"), 20), 20),
        Check(
            "licence_vocabulary",
            "reusability",
            _share(dists, lambda d: known_licence(d.get("license")) is not None, 10),
            10,
        ),
        Check("access_rights", "reusability", 10 if has("access_rights") else 0, 10),
        # The access-rights code is always one of the EU authority table (schema enum).
        Check("access_rights_vocabulary", "reusability", 5 if has("access_rights") else 0, 5),
        Check("contact_point", "reusability", 20 if has("contact_point") else 0, 20),
        Check("publisher", "reusability", 10 if has("publisher") else 0, 10),
        # Contextuality: rights, size and dates.
        Check("rights", "contextuality", _share(dists, lambda d: d.get("rights"), 5), 5),
        Check(
            "byte_size",
            "contextuality",
            _share(dists, lambda d: d.get("byte_size") is not None, 5),
            5,
        ),
        Check("issued", "contextuality", 5 if issued else 0, 5),
        # Every record carries its modification time.
        Check("modified", "contextuality", 5, 5),
    ]
    return Quality(
        score=sum(c.points for c in checks),
        max_score=sum(c.max_points for c in checks),
        checks=tuple(checks),
    )


_EMPTY: Final = assess({}, [], issued=False)
MAX_SCORE: Final = _EMPTY.max_score


def stored_columns(quality: Quality) -> dict[str, int]:
    """The dataset columns that keep ``quality``: its score and its points per dimension."""
    columns = {"quality_score": quality.score}
    columns.update({f"quality_{name}": quality.dimension(name)[0] for name in DIMENSIONS})
    return columns


def _lowest_scores() -> dict[Rating, int]:
    """For each rating but "bad", the lowest whole score rated that or better."""
    order = [name for _, name in _BANDS]
    return {
        rating: next(
            score
            for score in range(MAX_SCORE + 1)
            if rating_for(score, MAX_SCORE) in order[: order.index(rating) + 1]
        )
        for rating in order
    }


_LOWEST_SCORES: Final = _lowest_scores()


def catalog_quality(scores: Iterable[Quality]) -> dict[str, Any]:
    """The catalog's quality: the mean of its datasets' scores, overall and per dimension."""
    items = list(scores)
    return _summary(
        len(items),
        sum(item.score for item in items),
        {name: sum(item.dimension(name)[0] for item in items) for name in DIMENSIONS},
        {
            rating: sum(1 for item in items if item.score >= lowest)
            for rating, lowest in _LOWEST_SCORES.items()
        },
    )


def _summary(
    count: int,
    total: int,
    dimension_totals: Mapping[Dimension, int],
    at_least: Mapping[Rating, int],
) -> dict[str, Any]:
    """The catalog quality document from sums over its datasets.

    ``at_least`` counts, for each rating but "bad", the datasets rated that or better.
    """
    mean = total / count if count else 0.0
    excellent, good, sufficient = (at_least[name] for _, name in _BANDS)
    return {
        "datasets": count,
        "score": round(mean, 1),
        "max_score": MAX_SCORE,
        "percent": round(100 * mean / MAX_SCORE) if count else 0,
        "rating": rating_for(mean, MAX_SCORE) if count else None,
        "by_rating": {
            "excellent": excellent,
            "good": good - excellent,
            "sufficient": sufficient - good,
            "bad": count - sufficient,
        },
        "dimensions": {
            name: {
                "score": round(dimension_totals[name] / count, 1) if count else 0.0,
                "max_score": _EMPTY.dimension(name)[1],
            }
            for name in DIMENSIONS
        },
    }


def catalog_quality_for(session: Session, *, actor: Principal) -> dict[str, Any]:
    """The catalog's quality over the datasets ``actor`` sees listed (no withdrawn ones).

    Summed in the database from the points stored with each dataset: one statement,
    whatever the size of the catalog.
    """
    # Imported here: the dataset service imports this module to score its writes.
    from catalog.datasets import listed_condition

    condition = listed_condition(session, actor)
    if condition is None:
        return catalog_quality([])
    sums = ", ".join(f"coalesce(sum(d.quality_{name}), 0)" for name in DIMENSIONS)
    bands = ", ".join(
        f"coalesce(sum(CASE WHEN d.quality_score >= {lowest} THEN 1 ELSE 0 END), 0)"
        for lowest in _LOWEST_SCORES.values()
    )
    row = session.execute(
        text(
            f"SELECT count(*), coalesce(sum(d.quality_score), 0), {sums}, {bands}"  # noqa: S608 # integers only
            f" FROM dataset d WHERE {condition}"
        )
    ).one()
    count, total, *rest = (int(value) for value in row)
    return _summary(
        count,
        total,
        dict(zip(DIMENSIONS, rest[: len(DIMENSIONS)], strict=True)),
        dict(zip(_LOWEST_SCORES, rest[len(DIMENSIONS) :], strict=True)),
    )
