"""Full-text search with facets through the API, against the raw FTS query.

Generates a catalog of realistic datasets, loads it with ``simel import-datasets``
(timed), then runs a fixed query mix through the JSON API (Flask's WSGI stack, JSON
serialisation included) and, interleaved in the same run, the bare ranked full-text
query for the same terms. Reports p50/p95 of both and their ratios.

    python -m bench.search --datasets 100000 --backend sqlite --backend postgresql
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import select

from api.app import create_app, freeze_long_lived_objects
from bench.common import fresh_database, load_organizations, percentile, workdir
from bench.generate import distribution_rows, documents
from catalog.db import Database, bulk_insert
from catalog.models import Dataset, Distribution
from catalog.search import parse_query, search_index
from catalog.settings import load_settings

QUERIES: list[tuple[str, dict[str, str]]] = [
    ("migracion", {}),
    ("empleo", {}),
    ("retornados", {}),
    ("permisos de trabajo", {}),
    ("encuesta hogares", {}),
    ("trabajadores fronterizos", {}),
    ("inspecciones", {}),
    ("remesas", {}),
    ("informalidad", {}),
    ("Huehuetenango", {}),
    ("vacantes colocaciones", {}),
    ("returned migrants", {}),
    ("border worker", {}),
    ("labour force survey", {}),
    ("Chiapas 2019", {}),
    ("migracion", {"country": "GTM"}),
    ("empleo", {"theme": "employment"}),
    ("retornadas", {"access_rights": "RESTRICTED"}),
    ("trabajo infantil", {"publisher": "ine-hn"}),
    ("consular", {"personal_data": "personal"}),
]


def _load(url: str, count: int, folder: Path) -> float:
    """Import ``count`` datasets as a user would (timed), then give them distributions."""
    load_organizations(url)
    records = list(documents(count))
    path = folder / "datasets.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "api.cli", "--database", url, "import-datasets", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    _add_distributions(url, records)
    return seconds


def _add_distributions(url: str, records: list[dict[str, Any]]) -> None:
    """One to three distributions each, as listings show them (the import takes none).

    Written directly, not timed: the stored quality scores stay those of the import, which
    only sorting and filtering by quality read, and the query mix does neither.
    """
    database = Database.from_url(url)
    with database.session(write=True) as session:
        ids = dict(session.exec(select(Dataset.name, Dataset.id)).all())
        rows = [row for _, _, rows in distribution_rows(records, ids, seed=1) for row in rows]
        for start in range(0, len(rows), 20_000):
            bulk_insert(session, Distribution, rows[start : start + 20_000])
        # As the import does for its own tables: the planner must know they are not small.
        session.execute(text("ANALYZE distribution"))
        session.commit()
    database.dispose()


def _measure(url: str, folder: Path, repeat: int) -> dict[str, Any]:
    settings = load_settings(
        {
            "database": {"url": url},
            "app": {"instance_path": str(folder / "instance"), "log_level": "WARNING"},
            "storage": {"path": str(folder / "storage")},
        }
    )
    app = create_app(settings=settings)
    # As `simel serve` starts: without it, one full collection in the timed loop (a
    # ~130 ms pause, measured) is a sample in the slowest 5%, and sets the p95.
    freeze_long_lived_objects()
    client = app.test_client()
    database = Database.from_url(url)
    api_times: list[float] = []
    raw_times: list[float] = []
    per_query = []
    with database.session() as session:
        backend = search_index(session)
        for _ in range(2):  # warm caches
            for q, filters in QUERIES:
                client.get("/api/v1/datasets", query_string={"q": q, **filters})
                backend.raw_match(session, parse_query(q), 20)
        for q, filters in QUERIES:
            api_q, raw_q = [], []
            for _ in range(repeat):
                start = time.perf_counter()
                response = client.get("/api/v1/datasets", query_string={"q": q, **filters})
                api_q.append(time.perf_counter() - start)
                assert response.status_code == 200, response.data
                start = time.perf_counter()
                backend.raw_match(session, parse_query(q), 20)
                raw_q.append(time.perf_counter() - start)
            total = response.json["total"]  # type: ignore[index]
            per_query.append(
                {
                    "query": q,
                    "filters": filters,
                    "matches": total,
                    "api_p50_ms": round(percentile(api_q, 50) * 1000, 2),
                    "raw_p50_ms": round(percentile(raw_q, 50) * 1000, 2),
                }
            )
            api_times += api_q
            raw_times += raw_q
    database.dispose()
    app.extensions["simel"].database.dispose()
    api50, api95 = percentile(api_times, 50), percentile(api_times, 95)
    raw50, raw95 = percentile(raw_times, 50), percentile(raw_times, 95)
    return {
        "api_p50_ms": round(api50 * 1000, 2),
        "api_p95_ms": round(api95 * 1000, 2),
        "raw_p50_ms": round(raw50 * 1000, 2),
        "raw_p95_ms": round(raw95 * 1000, 2),
        "ratio_p50": round(api50 / raw50, 2),
        "ratio_p95": round(api95 / raw95, 2),
        "per_query": per_query,
    }


def main() -> None:
    """Run the benchmark and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each query")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    results = {}
    for backend in args.backend or ["sqlite"]:
        with workdir() as tmp, fresh_database(backend, Path(tmp)) as url:
            load_seconds = _load(url, args.datasets, Path(tmp))
            figures = _measure(url, Path(tmp), args.repeat)
            figures["import_seconds"] = round(load_seconds, 1)
            results[backend] = figures
            summary = {k: v for k, v in figures.items() if k != "per_query"}
            print(backend, json.dumps(summary), flush=True)
    out = Path("bench/results")
    out.mkdir(parents=True, exist_ok=True)
    (out / "search.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
