"""Forked worker processes for pure-CPU work (validation), shared by the importer and CLI."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager


@contextmanager
def forked_workers(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of ``workers`` forked processes, or ``None`` for fewer than two (or no fork).

    Forked, so that they share what this process has loaded (schemas, vocabularies,
    shapes) instead of loading it again. On leaving, work not yet started is dropped.
    """
    if workers < 2 or "fork" not in mp.get_all_start_methods():
        yield None
        return
    pool = ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"))
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)
