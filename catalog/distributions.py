"""Distributions of a dataset: files, APIs and gateway-held restricted extracts.

A change to a distribution is a change to its dataset's metadata, so it bumps the
dataset's revision and is recorded in the dataset's history like any other edit.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import mimetypes
import os
import posixpath
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from catalog.datasets import (
    DISTRIBUTIONS_OF,
    changes_between,
    check_if_match,
    get_dataset,
    merge_patch,
    record_change,
    stewarded_dataset,
)
from catalog.db import text_limit, utcnow
from catalog.errors import (
    BadRequest,
    Conflict,
    FieldError,
    InvalidMetadata,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from catalog.models import Dataset, DatasetStatus, Distribution, Organization
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


def publisher_file(
    session: Session, storage_root: Path, storage_key: str, dataset: Dataset
) -> Path | None:
    """The file ``storage_key`` names, if it is inside the folder of ``dataset``'s publisher.

    One storage folder holds every organization's files, restricted extracts among
    them: a dataset may serve only files under its publisher's own folder. Names of
    organizations are never freed (organizations are not deleted), where a deleted
    draft's name could be taken by anyone. The key and the path it resolves to are
    both checked: a symbolic link in the publisher's folder may not lead to another's.

    Raises:
        InvalidMetadata: the key points outside the storage folder altogether.
    """
    publisher = session.get(Organization, dataset.publisher_id)
    assert publisher is not None  # noqa: S101 # a foreign key
    folders = PurePosixPath(storage_key).parts[:-1]
    if not folders or folders[0] != publisher.name:
        return None
    path = storage_file(storage_root, storage_key)
    return path if path.is_relative_to((storage_root / publisher.name).resolve()) else None


def _check_folder(session: Session, storage_key: str, dataset: Dataset, storage_root: Path) -> None:
    if publisher_file(session, storage_root, storage_key, dataset) is not None:
        return
    publisher = session.get(Organization, dataset.publisher_id)
    assert publisher is not None  # noqa: S101 # a foreign key
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


def _file_holder(
    session: Session, storage_key: str, dataset: Dataset, distribution_id: uuid.UUID | None
) -> tuple[uuid.UUID, str] | None:
    """Another distribution whose key names the same file, as (its id, its dataset's name).

    A file is one distribution's: were it another's too, one unrestricted would serve
    publicly a file the other restricts, and an upload to one would change what the
    other serves. Keys are compared as the paths they name (``a/./b`` is ``a/b``; the
    schema refuses ``..``), among the publisher's datasets, whose folder they are in.
    """
    wanted = posixpath.normpath(storage_key)
    query = (
        select(Distribution.id, Distribution.storage_key, Dataset.name)
        .join(Dataset, col(Dataset.id) == col(Distribution.dataset_id))
        .where(Dataset.publisher_id == dataset.publisher_id)
        .where(col(Distribution.storage_key).is_not(None))
    )
    if distribution_id is not None:
        query = query.where(Distribution.id != distribution_id)
    for other_id, other_key, other_dataset in session.exec(query):
        if other_key is not None and posixpath.normpath(other_key) == wanted:
            return other_id, other_dataset
    return None


def file_facts(path: Path) -> tuple[int, str]:
    """Size in bytes and SHA-256 of a stored file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return path.stat().st_size, digest.hexdigest()


def _validated(
    session: Session,
    submitted: Any,
    storage_root: Path,
    dataset: Dataset,
    distribution: Distribution | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = dict(require_object(submitted, "distribution"))
    for member in _COMPUTED:
        document.pop(member, None)
    errors = distribution_document_errors(document)
    if errors:
        raise InvalidMetadata("the distribution is not valid", errors)
    document = copy.deepcopy(document)
    if "storage_key" in document:
        _check_folder(session, document["storage_key"], dataset, storage_root)
        path = storage_file(storage_root, document["storage_key"])
        if not path.is_file():
            raise InvalidMetadata(
                "the distribution is not valid",
                [FieldError("/storage_key", f"no file '{document['storage_key']}' in storage")],
            )
        _check_unshared(session, document["storage_key"], dataset, distribution)
        size, checksum = file_facts(path)
        # The catalog vouches for what it serves: size and checksum come from the file.
        document["byte_size"] = size
        document["checksum"] = checksum
        check_restriction(session, dataset, distribution, document, checksum)
    elif document.get("restricted", False):
        # A restricted distribution without a file awaits one (PUT .../data): until then
        # it has no size or checksum that the catalog could vouch for.
        declared = sorted(member for member in ("byte_size", "checksum") if member in document)
        if declared:
            raise InvalidMetadata(
                "the distribution is not valid",
                [
                    FieldError(
                        f"/{member}",
                        "a restricted distribution without a storage_key awaits its file: "
                        "its size and checksum are the file's, recorded when it is uploaded "
                        "(PUT .../data)",
                    )
                    for member in declared
                ],
            )
    return document


def twin_file(
    session: Session,
    dataset: Dataset,
    *,
    restricted: bool,
    checksum: str | None,
    storage_key: str | None = None,
    other_than: uuid.UUID | None = None,
    made: dt.datetime | None = None,
) -> tuple[uuid.UUID, str, int] | None:
    """Another held file flagged ``restricted`` that is this file (its key) or a copy of it.

    A restricted file counts whoever publishes it, so that one organization's restricted
    extract is not served publicly as another's copy; but another organization's counts
    only if it was made before this file (``made``; ``None``: this file is made now),
    since a file public first is not theirs to restrict. A public file counts only if
    ``dataset``'s publisher serves it. Returns the oldest such distribution's id, its
    dataset's name and its publisher's id.
    """
    same = []
    if storage_key:
        same.append(col(Distribution.storage_key) == storage_key)
    if checksum:
        same.append(col(Distribution.checksum) == checksum)
    if not same:
        return None
    query = (
        select(Distribution.id, Dataset.name, Dataset.publisher_id)
        .join(Dataset, col(Dataset.id) == col(Distribution.dataset_id))
        .where(col(Distribution.restricted).is_(restricted), or_(*same))
        .where(col(Distribution.storage_key).is_not(None))
        .order_by(col(Distribution.created))
        .limit(1)
    )
    if other_than is not None:
        query = query.where(Distribution.id != other_than)
    own = col(Dataset.publisher_id) == dataset.publisher_id
    if not restricted:
        query = query.where(own)
    elif made is not None:
        other_made = func.coalesce(col(Distribution.file_replaced_at), col(Distribution.created))
        query = query.where(or_(own, other_made <= made))
    found = session.exec(query).first()
    return None if found is None else (found[0], found[1], found[2])


def check_restriction(
    session: Session,
    dataset: Dataset,
    distribution: Distribution | None,
    document: Mapping[str, Any],
    checksum: str,
) -> None:
    """Refuse a held file whose restricted flag contradicts another file of the same content.

    The gateway serves a copy of a restricted extract as restricted, whatever its flag
    (:func:`catalog.gateway.authorize_download`); flagged otherwise, the copy would be
    listed with a ``download_url`` that answers 401. So the flag must say what the gateway
    does: a file with the content of a restricted one (any publisher's) is restricted
    too, and a restricted file may not have the content of one of its publisher's files
    that is served publicly (restrict or remove that one first). Another publisher's
    public file stays public: it is not this publisher's to restrict.

    Checked when a distribution gets a file, another file or another flag: a change of
    its title does not reopen what was accepted.

    Raises:
        InvalidMetadata: at ``/restricted``, naming the other distribution when it is
            the same publisher's.
    """
    restricted = bool(document.get("restricted", False))
    if (
        distribution is not None
        and distribution.checksum == checksum
        and distribution.restricted == restricted
    ):
        return
    found = twin_file(
        session,
        dataset,
        restricted=not restricted,
        checksum=checksum,
        other_than=distribution.id if distribution is not None else None,
    )
    if found is None:
        return
    other_id, other_dataset, other_publisher = found
    other = (
        f"distribution {other_id} of '{other_dataset}'"
        if other_publisher == dataset.publisher_id
        else "a distribution of another organization"
    )
    message = (
        f"the file is a copy of the restricted file of {other}: a copy is restricted too"
        " (set restricted to true)"
        if not restricted
        else f"the same file is served publicly by {other}: restrict or remove that one first"
    )
    raise InvalidMetadata("the distribution is not valid", [FieldError("/restricted", message)])


def _check_unshared(
    session: Session, storage_key: str, dataset: Dataset, distribution: Distribution | None
) -> None:
    own = distribution.storage_key if distribution is not None else None
    if own is not None and posixpath.normpath(own) == posixpath.normpath(storage_key):
        return  # its own file (even one shared before that was refused: see upload_file)
    holder = _file_holder(
        session, storage_key, dataset, distribution.id if distribution is not None else None
    )
    if holder is None:
        return
    other_id, other_dataset = holder
    raise InvalidMetadata(
        "the distribution is not valid",
        [
            FieldError(
                "/storage_key",
                f"is the file of distribution {other_id} of '{other_dataset}', and a file is "
                "served by one distribution only (one unrestricted would make another's "
                "restricted file public): upload this one's own file with PUT .../data",
            )
        ],
    )


def _apply(distribution: Distribution, document: dict[str, Any]) -> None:
    """Write ``document`` to the distribution's columns, dating a new file.

    Another key, or other content under the key (its checksum is the file's), is a new file.
    """
    key = document.get("storage_key")
    new_file = bool(key) and (
        key != distribution.storage_key or document.get("checksum") != distribution.checksum
    )
    for column, value in distribution_columns(document).items():
        setattr(distribution, column, value)
    if new_file:
        distribution.file_replaced_at = utcnow()


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


def _event_details(distribution: Distribution) -> dict[str, Any]:
    """What an audit event of a change says of the distribution.

    Which one, and whether the file it serves (or awaits) is restricted after the change.
    """
    return {"distribution": str(distribution.id), "restricted": distribution.restricted}


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
        InvalidMetadata: invalid document, a file that is not in storage or that is
            another distribution's, or a size or checksum for a restricted distribution
            that awaits its file.
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
        details=_event_details(distribution),
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
        InvalidMetadata: the new document is invalid, or names a file that is another
            distribution's.
    """
    dataset = stewarded_dataset(session, actor=actor, name=name)[0]
    _, distribution = get_distribution(
        session, actor=actor, name=name, distribution_id=distribution_id
    )
    check_if_match(dataset, if_match, required=False)
    if merge:
        document = merge_patch(distribution.document, require_object(document, "merge patch"))
    document = _validated(session, document, storage_root, dataset, distribution)
    changes = changes_between(distribution.document, document, f"/distributions/{distribution.id}")
    if not changes:
        return distribution
    _apply(distribution, document)
    record_change(
        session,
        dataset,
        actor=actor,
        action="distribution.update",
        changes=changes,
        # A file made public (or restricted) is a steward's decision that the
        # tamper-evident log states, not only the dataset's history.
        details={
            **_event_details(distribution),
            "changed": [change["path"] for change in changes],
        },
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


# ------------------------------------------------------------------------------ uploads

# As the distribution schema's media_type: what the catalog can record.
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-zA-Z0-9.+-]+$")
_MEDIA_TYPE_LIMIT = text_limit(Distribution.media_type)
# Bodies of HTML forms: a client that sends one has not sent the file itself (curl's
# --data-binary says application/x-www-form-urlencoded unless told otherwise).
FORM_MEDIA_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_BLOCK = 1 << 20


@cache
def _extensions() -> mimetypes.MimeTypes:
    # The standard library's own table: the system's (/etc/mime.types) differs by machine.
    return mimetypes.MimeTypes()


def _extension(media_type: str, file_format: str | None) -> str:
    """A file name extension for a file of ``media_type`` (or EU file type ``file_format``)."""
    guessed = _extensions().guess_extension(media_type)
    if guessed is None and file_format and file_format.isalnum():
        guessed = f".{file_format.lower()}"  # XLSX, PARQUET...: the type's usual extension
    return guessed or ""


def upload_limit_detail(max_bytes: int) -> str:
    """What a steward is told of a file over the upload limit."""
    return (
        f"the file is larger than this catalog's upload limit of {max_bytes:,} bytes "
        "([storage] max_upload_bytes)"
    )


@dataclass(frozen=True)
class _Target:
    """Where an upload goes: the distribution, its file, and the media type to record."""

    dataset: Dataset
    distribution: Distribution
    storage_key: str
    path: Path
    media_type: str


@dataclass(frozen=True)
class _Received:
    """A body written to a temporary file: where, how long, its SHA-256."""

    path: Path
    byte_size: int
    checksum: str


def _bytes_held(session: Session, target: _Target) -> int:
    """What the files held for the target's publisher take, its distribution's not counted.

    The sizes are the catalog's own (computed from each file when it was registered or
    uploaded). Withdrawn datasets' files count: they stay on disk.
    """
    used = session.exec(
        select(func.coalesce(func.sum(Distribution.byte_size), 0))
        .join(Dataset, col(Dataset.id) == col(Distribution.dataset_id))
        .where(Dataset.publisher_id == target.dataset.publisher_id)
        .where(col(Distribution.storage_key).is_not(None))
        .where(Distribution.id != target.distribution.id)
    ).one()
    return int(used or 0)


def _quota_detail(quota_bytes: int, left: int) -> str:
    """What a steward is told of a file beyond the organization's quota."""
    return (
        f"the file does not fit in the organization's storage quota of {quota_bytes:,} bytes "
        f"([storage] organization_quota_bytes): {max(left, 0):,} bytes are left; delete "
        "distributions it no longer needs, or ask the catalog's administrators for more"
    )


def _upload_media_type(declared: str | None, sent: str | None) -> str:
    if sent in FORM_MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"send the file itself as the body, not a form ({sent}), with "
            f"Content-Type: {declared or 'its media type'}"
        )
    if declared is None:
        if not sent or not _MEDIA_TYPE.match(sent) or len(sent) > _MEDIA_TYPE_LIMIT:
            raise UnsupportedMediaType(
                "send the file with its media type as Content-Type (e.g. text/csv), which "
                f"the distribution then records (got '{sent or 'nothing'}')"
            )
        return sent
    if sent is None or sent.lower() != declared.lower():
        raise UnsupportedMediaType(
            f"the distribution's media type is {declared}: send its file with Content-Type: "
            f"{declared} (got '{sent or 'nothing'}'), or change the distribution's media_type "
            "first"
        )
    return declared


def _upload_target(
    session: Session,
    *,
    actor: Principal,
    name: str,
    distribution_id: uuid.UUID,
    media_type: str | None,
    if_match: int | None,
    storage_root: Path,
) -> _Target:
    dataset, publisher = stewarded_dataset(session, actor=actor, name=name)
    _, distribution = get_distribution(
        session, actor=actor, name=name, distribution_id=distribution_id
    )
    check_if_match(dataset, if_match, required=False)
    if dataset.status == DatasetStatus.WITHDRAWN:
        raise Conflict(
            f"'{name}' is withdrawn, so its files are no longer served: publish it again "
            "before uploading one"
        )
    recorded = _upload_media_type(distribution.media_type, media_type)
    key = distribution.storage_key
    if not key:
        # A distribution without a file of the catalog's gets one in its publisher's folder.
        extension = _extension(recorded, distribution.format)
        key = f"{publisher.name}/{dataset.name}/{distribution.id}{extension}"
    _check_folder(session, key, dataset, storage_root)
    holder = _file_holder(session, key, dataset, distribution.id)
    if holder is not None:
        # Given one file before that was refused: replacing it would change what the
        # other serves (restricted or public), under a checksum no longer its file's.
        raise Conflict(
            f"the distribution's file ({key}) is also distribution {holder[0]}'s of "
            f"'{holder[1]}', which an upload would change: remove this distribution's "
            "storage_key and upload again, and it gets a file of its own"
        )
    return _Target(dataset, distribution, key, storage_file(storage_root, key), recorded)


def _receive(body: IO[bytes], target: Path, max_bytes: int, too_large: str) -> _Received:
    """Write ``body`` to a new temporary file beside ``target``, at most ``max_bytes``.

    Raises:
        PayloadTooLarge: the body is longer than ``max_bytes`` (``too_large`` says why
            that is the limit).
        BadRequest: the body is empty.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    path = target.with_name(f".{target.name}.{uuid.uuid4().hex}.upload")
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("xb") as handle:
            # One byte past the limit is read, to know the body goes beyond it.
            while block := body.read(min(_BLOCK, max_bytes + 1 - size)):
                size += len(block)
                if size > max_bytes:
                    raise PayloadTooLarge(too_large)
                digest.update(block)
                handle.write(block)
            handle.flush()
            os.fsync(handle.fileno())
        if size == 0:
            raise BadRequest("the body is empty: send the file's bytes as the request body")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return _Received(path, size, digest.hexdigest())


@contextmanager
def _swapped_in(new: Path, target: Path) -> Iterator[None]:
    """Put ``new`` in ``target``'s place; if the block fails, put the previous file back.

    The previous file is kept under a second name (a hard link) and ``new`` renamed over
    ``target`` in one atomic step, so that the file is at its path at every moment: a
    restricted download opens it after its grant commits, outside the writers' lock, and
    finds the old file or the new one, never none. A file system without hard links gets
    the previous file moved aside instead, which leaves its path empty for an instant.
    """
    previous = target.with_name(f".{target.name}.{uuid.uuid4().hex}.previous")
    had_previous = target.is_file()
    moved_aside = False
    if had_previous:
        try:
            os.link(target, previous)
        except OSError:
            os.replace(target, previous)
            moved_aside = True
    placed = False
    try:
        os.replace(new, target)
        placed = True
        yield
    except BaseException:
        if had_previous and (placed or moved_aside):
            os.replace(previous, target)
        elif had_previous:
            previous.unlink(missing_ok=True)  # the old file never left its path
        elif placed:
            target.unlink(missing_ok=True)
        raise
    if had_previous:
        # The change is committed: a leftover copy of the old file is only untidy.
        with suppress(OSError):
            previous.unlink()


# What _receive and _swapped_in leave beside a file when the process dies mid-upload.
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.[0-9a-f]{32}\.(?P<kind>upload|previous)$")
# Older than any upload still being received (512 MiB arrives in minutes, not a day).
LEFTOVER_AGE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Swept:
    """What :func:`sweep_leftovers` did: partial uploads removed, previous files restored."""

    removed: list[Path]
    restored: list[Path]


def sweep_leftovers(
    storage_root: Path, *, older_than: float = LEFTOVER_AGE_SECONDS, now: float | None = None
) -> Swept:
    """Clear what interrupted uploads left in the storage folder, once ``older_than`` seconds old.

    A partial body (``.NAME.<hex>.upload``) is removed. The previous file kept aside
    during a swap (``.NAME.<hex>.previous``) is removed when the file is at its path (a
    second name of it, or the old file the new one replaced), and put back at its path
    when nothing is there: on a file system without hard links it was moved aside, and
    a process that died before the new file took its place left it the only copy.
    """
    moment = time.time() if now is None else now
    removed: list[Path] = []
    restored: list[Path] = []
    if not storage_root.is_dir():
        return Swept(removed, restored)
    for path in sorted(storage_root.rglob(".*.*")):
        match = _LEFTOVER.match(path.name)
        if match is None or not path.is_file() or path.is_symlink():
            continue
        try:
            if moment - path.stat().st_mtime < older_than:
                continue
            target = path.with_name(match["name"])
            if match["kind"] == "previous" and not target.exists():
                os.replace(path, target)
                restored.append(target)
            else:
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # gone meanwhile, or not ours to touch: left for the operator
    return Swept(removed, restored)


def upload_file(
    session: Session,
    *,
    actor: Principal,
    name: str,
    distribution_id: uuid.UUID,
    open_body: Callable[[], IO[bytes]],
    media_type: str | None,
    length: int | None,
    max_bytes: int,
    storage_root: Path,
    if_match: int | None = None,
    quota_bytes: int = 0,
) -> Distribution:
    """Store a body as the distribution's file, recording its size and SHA-256.

    ``media_type`` is the body's; ``length`` its declared length, if any. A distribution
    without a file gets one under its publisher's folder (ORGANIZATION/DATASET/ID.ext).
    The body is received into a temporary file beside the file, after the transaction
    is ended, so that other writers do not wait for it; the checks are then made again,
    the temporary file takes the file's place, and the change commits with its audit
    event. Until then the previous file stays; if the commit fails it is put back.
    Other content makes ``file_replaced_at`` now; the same content changes nothing.
    ``quota_bytes`` (0: none) bounds what the publisher's held files take together, this
    one's previous file not counted; it is checked before the body is read and again,
    under the writers' lock, before the change commits.

    Raises:
        NotFound: no such dataset or distribution visible to the caller.
        Forbidden: the caller is not a steward of the publisher.
        PreconditionFailed: stale If-Match (the dataset's revision).
        Conflict: the dataset is withdrawn, or the distribution's file is another's too.
        UnsupportedMediaType: no media type, a form, or another one than the
            distribution's.
        PayloadTooLarge: the body is longer than ``max_bytes``, or than what is left of the
            publisher's quota.
        BadRequest: the body is empty.
        InvalidMetadata: the distribution's storage key is outside its publisher's folder,
            or the file's restricted flag contradicts another file of the same content
            (:func:`check_restriction`).
    """

    def target() -> _Target:
        return _upload_target(
            session,
            actor=actor,
            name=name,
            distribution_id=distribution_id,
            media_type=media_type,
            if_match=if_match,
            storage_root=storage_root,
        )

    first = target()
    if length is not None and length > max_bytes:
        raise PayloadTooLarge(upload_limit_detail(max_bytes))
    limit, too_large = max_bytes, upload_limit_detail(max_bytes)
    if quota_bytes:
        left = quota_bytes - _bytes_held(session, first)
        if length is not None and length > left:
            raise PayloadTooLarge(_quota_detail(quota_bytes, left))
        if left < limit:
            limit, too_large = max(left, 0), _quota_detail(quota_bytes, left)
    # End the transaction, and with it the writers' lock (catalog.db): a file can take
    # minutes to arrive, and the rest of the catalog need not wait for it.
    session.commit()
    # What was read is read again in the next transaction, not taken from the session.
    session.expire_all()
    received = _receive(open_body(), first.path, limit, too_large)
    try:
        # The dataset may have changed meanwhile (withdrawn, another revision).
        final = target()
        if quota_bytes:
            # Other uploads may have committed meanwhile; this one holds the lock now.
            left = quota_bytes - _bytes_held(session, final)
            if received.byte_size > left:
                raise PayloadTooLarge(_quota_detail(quota_bytes, left))
        final.path.parent.mkdir(parents=True, exist_ok=True)
        changed = _record_upload(session, actor, final, received)
        with _swapped_in(received.path, final.path):
            if changed:
                session.commit()
    finally:
        received.path.unlink(missing_ok=True)
    return final.distribution


def _record_upload(
    session: Session, actor: Principal, target: _Target, received: _Received
) -> bool:
    """Write the file's facts to the distribution and record the change (no commit).

    Returns whether anything changed: the same content under the same key changes nothing.
    """
    distribution = target.distribution
    old = distribution.document
    document = {
        **old,
        "storage_key": target.storage_key,
        "media_type": target.media_type,
        "byte_size": received.byte_size,
        "checksum": received.checksum,
    }
    errors = distribution_document_errors(document)
    if errors:
        raise InvalidMetadata("the distribution is not valid", errors)
    check_restriction(session, target.dataset, distribution, document, received.checksum)
    changes = changes_between(old, document, f"/distributions/{distribution.id}")
    if not changes:
        return False
    _apply(distribution, document)
    record_change(
        session,
        target.dataset,
        actor=actor,
        action="distribution.upload",
        changes=changes,
        # The file's facts, never its content.
        details={
            **_event_details(distribution),
            "storage_key": target.storage_key,
            "media_type": target.media_type,
            "byte_size": received.byte_size,
            "checksum": received.checksum,
        },
    )
    distribution.modified = target.dataset.modified
    session.add(distribution)
    session.flush()
    return True


def distributions_of(
    session: Session, dataset_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Distribution]]:
    """Distributions of several datasets at once, in display order."""
    return DISTRIBUTIONS_OF(session, dataset_ids)
