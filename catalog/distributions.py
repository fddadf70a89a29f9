"""Distributions of a dataset: files, APIs and gateway-held restricted extracts.

A change to a distribution is a change to its dataset's metadata, so it bumps the
dataset's revision and is recorded in the dataset's history like any other edit.
"""

from __future__ import annotations

import copy
import hashlib
import uuid
from pathlib import Path, PurePosixPath
from typing import Any

from sqlmodel import Session, col, func, select

from catalog.datasets import (
    changes_between,
    check_if_match,
    get_dataset,
    merge_patch,
    record_change,
    stewarded_dataset,
)
from catalog.db import RowsPerDataset, utcnow
from catalog.errors import FieldError, InvalidMetadata, NotFound
from catalog.models import Dataset, Distribution, Organization
from catalog.principals import Principal
from catalog.validation import distribution_document_errors, require_object

_COMPUTED = frozenset({"id", "dataset", "created", "modified", "data_url"})


def storage_file(storage_root: Path, storage_key: str) -> Path:
    """The file for ``storage_key``, refusing any key that escapes the storage folder.

    Raises:
        InvalidMetadata: the key points outside the storage folder.
    """
    root = storage_root.resolve()
    path = (root / storage_key).resolve()
    if not path.is_relative_to(root):
        raise InvalidMetadata(
            "the distribution is not valid",
            [FieldError("/storage_key", "must name a file inside the storage folder")],
        )
    return path


def _check_folder(session: Session, storage_key: str, dataset: Dataset) -> None:
    # One storage folder holds every organization's files, restricted extracts among
    # them: a dataset may serve only files under its publisher's own folder. Names of
    # organizations are never freed (organizations are not deleted), where a deleted
    # draft's name could be taken by anyone.
    publisher = session.get(Organization, dataset.publisher_id)
    assert publisher is not None  # noqa: S101 # a foreign key
    folders = PurePosixPath(storage_key).parts[:-1]
    if folders and folders[0] == publisher.name:
        return
    raise InvalidMetadata(
        "the distribution is not valid",
        [
            FieldError(
                "/storage_key",
                f"must name a file in the folder of the dataset's publisher, '{publisher.name}'"
                f" (e.g. {publisher.name}/restricted/{dataset.name}/extract.csv)",
            )
        ],
    )


def file_facts(path: Path) -> tuple[int, str]:
    """Size in bytes and SHA-256 of a stored file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return path.stat().st_size, digest.hexdigest()


def _validated(
    session: Session, submitted: Any, storage_root: Path, dataset: Dataset
) -> dict[str, Any]:
    document: dict[str, Any] = dict(require_object(submitted, "distribution"))
    for member in _COMPUTED:
        document.pop(member, None)
    errors = distribution_document_errors(document)
    if errors:
        raise InvalidMetadata("the distribution is not valid", errors)
    document = copy.deepcopy(document)
    if "storage_key" in document:
        _check_folder(session, document["storage_key"], dataset)
        path = storage_file(storage_root, document["storage_key"])
        if not path.is_file():
            raise InvalidMetadata(
                "the distribution is not valid",
                [FieldError("/storage_key", f"no file '{document['storage_key']}' in storage")],
            )
        size, checksum = file_facts(path)
        # The catalog vouches for what it serves: size and checksum come from the file.
        document["byte_size"] = size
        document["checksum"] = checksum
    return document


def distribution_columns(document: dict[str, Any]) -> dict[str, Any]:
    """The distribution columns projected from its ``document``."""
    return {
        "document": document,
        "title": dict(document["title"]),
        "access_url": document.get("access_url"),
        "download_url": document.get("download_url"),
        "media_type": document.get("media_type"),
        "format": document.get("format"),
        "byte_size": document.get("byte_size"),
        "checksum": document.get("checksum"),
        "restricted": bool(document.get("restricted", False)),
        "storage_key": document.get("storage_key"),
    }


def get_distribution(
    session: Session, *, actor: Principal, name: str, distribution_id: uuid.UUID
) -> tuple[Dataset, Distribution]:
    """A distribution of a visible dataset.

    Raises:
        NotFound: no such dataset or distribution.
    """
    dataset = get_dataset(session, actor=actor, name=name)
    distribution = session.get(Distribution, distribution_id)
    if distribution is None or distribution.dataset_id != dataset.id:
        raise NotFound(f"'{name}' has no distribution {distribution_id}")
    return dataset, distribution


def add_distribution(
    session: Session,
    *,
    actor: Principal,
    name: str,
    document: Any,
    storage_root: Path,
    if_match: int | None = None,
) -> Distribution:
    """Add a distribution to dataset ``name``.

    Raises:
        NotFound: no such dataset visible to the caller.
        Forbidden: the caller is not a steward of the publisher.
        PreconditionFailed: stale If-Match (the dataset's revision).
        InvalidMetadata: invalid document, or a restricted file that is not in storage.
    """
    dataset = stewarded_dataset(session, actor=actor, name=name)[0]
    check_if_match(dataset, if_match, required=False)
    document = _validated(session, document, storage_root, dataset)
    position = session.exec(
        select(func.count()).select_from(Distribution).where(Distribution.dataset_id == dataset.id)
    ).one()
    distribution = Distribution(
        dataset_id=dataset.id,
        position=int(position),
        file_replaced_at=utcnow() if document.get("storage_key") else None,
        **distribution_columns(document),
    )
    session.add(distribution)
    session.flush()
    record_change(
        session,
        dataset,
        actor=actor,
        action="distribution.create",
        changes=[{"path": f"/distributions/{distribution.id}", "old": None, "new": document}],
        details={"distribution": str(distribution.id)},
    )
    session.commit()
    return distribution


def update_distribution(
    session: Session,
    *,
    actor: Principal,
    name: str,
    distribution_id: uuid.UUID,
    document: Any,
    storage_root: Path,
    if_match: int | None = None,
    merge: bool = False,
) -> Distribution:
    """Replace (or merge-patch) a distribution.

    Raises:
        NotFound: no such dataset or distribution.
        Forbidden: the caller is not a steward of the publisher.
        PreconditionFailed: stale If-Match (the dataset's revision).
        InvalidMetadata: the new document is invalid.
    """
    dataset = stewarded_dataset(session, actor=actor, name=name)[0]
    _, distribution = get_distribution(
        session, actor=actor, name=name, distribution_id=distribution_id
    )
    check_if_match(dataset, if_match, required=False)
    if merge:
        document = merge_patch(distribution.document, require_object(document, "merge patch"))
    document = _validated(session, document, storage_root, dataset)
    changes = changes_between(distribution.document, document, f"/distributions/{distribution.id}")
    if not changes:
        return distribution
    # Other content under the key (its checksum is the file's): a new file.
    new_file = bool(document.get("storage_key")) and (
        document.get("storage_key") != distribution.storage_key
        or document.get("checksum") != distribution.checksum
    )
    for column, value in distribution_columns(document).items():
        setattr(distribution, column, value)
    if new_file:
        distribution.file_replaced_at = utcnow()
    record_change(
        session,
        dataset,
        actor=actor,
        action="distribution.update",
        changes=changes,
        details={"distribution": str(distribution.id)},
    )
    distribution.modified = dataset.modified
    session.add(distribution)
    session.commit()
    return distribution


def delete_distribution(
    session: Session,
    *,
    actor: Principal,
    name: str,
    distribution_id: uuid.UUID,
    if_match: int | None = None,
) -> None:
    """Remove a distribution from a dataset's metadata (its stored file is kept).

    Raises:
        NotFound: no such dataset or distribution.
        Forbidden: the caller is not a steward of the publisher.
        PreconditionFailed: stale If-Match (the dataset's revision).
    """
    dataset = stewarded_dataset(session, actor=actor, name=name)[0]
    _, distribution = get_distribution(
        session, actor=actor, name=name, distribution_id=distribution_id
    )
    check_if_match(dataset, if_match, required=False)
    old = distribution.document
    session.delete(distribution)
    record_change(
        session,
        dataset,
        actor=actor,
        action="distribution.delete",
        changes=[{"path": f"/distributions/{distribution.id}", "old": old, "new": None}],
        details={"distribution": str(distribution.id)},
    )
    session.commit()


_OF_DATASETS = RowsPerDataset(Distribution, col(Distribution.position), col(Distribution.created))


def distributions_of(
    session: Session, dataset_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Distribution]]:
    """Distributions of several datasets at once, in display order."""
    return _OF_DATASETS(session, dataset_ids)
