"""Uploads as a service: the file and the database never disagree, and nobody waits."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from sqlmodel import select

from catalog import datasets, distributions, gateway
from catalog.db import Database
from catalog.errors import Conflict, NotFound, PayloadTooLarge, Unauthenticated
from catalog.models import AuditEvent, Distribution
from catalog.principals import Principal
from tests.conftest import BASE_URI, SYSTEM, write_from_another_session

OLD = b"id,sexo\nA1,F\n"
NEW = b"id,sexo\nA1,F\nA2,M\n"
KEY = "mintrab-gt/restricted/enei-2024/extract.csv"
ANONYMOUS = Principal.anonymous()


@pytest.fixture
def held(session, settings, make_org, make_dataset):
    """A distribution whose file (OLD) the catalog holds; returns (distribution, path)."""
    make_org("mintrab-gt")
    make_dataset("enei-2024", "mintrab-gt")
    path = settings.storage_path / KEY
    path.parent.mkdir(parents=True)
    path.write_bytes(OLD)
    distribution = distributions.add_distribution(
        session,
        actor=SYSTEM,
        name="enei-2024",
        document={"title": {"es": "Extracto"}, "storage_key": KEY, "media_type": "text/csv"},
        storage_root=settings.storage_path,
    )
    return distribution, path


def upload(session, settings, distribution, body):
    return distributions.upload_file(
        session,
        actor=SYSTEM,
        name="enei-2024",
        distribution_id=distribution.id,
        open_body=lambda: body,
        media_type="text/csv",
        length=None,
        max_bytes=1 << 20,
        storage_root=settings.storage_path,
    )


def files_in(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_failed_commit_puts_the_old_file_back(session, settings, held, monkeypatch):
    distribution, path = held
    commit = session.commit
    commits = []

    def commit_then_fail():
        commits.append(path.read_bytes())
        if len(commits) == 2:  # the one that records the upload
            raise RuntimeError("the database went away")
        commit()

    monkeypatch.setattr(session, "commit", commit_then_fail)
    with pytest.raises(RuntimeError, match="went away"):
        upload(session, settings, distribution, io.BytesIO(NEW))
    session.rollback()
    # The new file was in place when the change was to commit, and is gone with it.
    assert commits == [OLD, NEW]
    assert path.read_bytes() == OLD
    assert files_in(path.parent) == ["extract.csv"]
    stored = session.get(Distribution, distribution.id)
    assert stored.checksum == hashlib.sha256(OLD).hexdigest()
    actions = session.exec(select(AuditEvent.action)).all()
    assert "dataset.distribution.upload" not in actions


def test_a_failed_commit_leaves_no_file_where_there_was_none(session, settings, held, monkeypatch):
    linked = distributions.add_distribution(
        session,
        actor=SYSTEM,
        name="enei-2024",
        document={"title": {"es": "Cuadros"}, "download_url": "https://example.org/c.csv"},
        storage_root=settings.storage_path,
    )
    commit = session.commit
    calls = []

    def commit_then_fail():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        commit()

    monkeypatch.setattr(session, "commit", commit_then_fail)
    with pytest.raises(RuntimeError):
        upload(session, settings, linked, io.BytesIO(NEW))
    session.rollback()
    folder = settings.storage_path / "mintrab-gt" / "enei-2024"
    assert not folder.exists() or files_in(folder) == []
    assert session.get(Distribution, linked.id).storage_key is None


class Interrupted(io.RawIOBase):
    """A body that breaks off after its first bytes, as a dropped connection does."""

    def __init__(self) -> None:
        self.sent = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.sent:
            raise OSError("connection reset by peer")
        self.sent = True
        return NEW[:5]


def test_a_body_that_breaks_off_leaves_the_old_file(session, settings, held):
    distribution, path = held
    with pytest.raises(OSError, match="reset"):
        upload(session, settings, distribution, Interrupted())
    assert path.read_bytes() == OLD
    assert files_in(path.parent) == ["extract.csv"]


class Arriving(io.RawIOBase):
    """A body that lets ``meanwhile`` run once while it arrives."""

    def __init__(self, meanwhile) -> None:
        self.meanwhile = meanwhile
        self.rest = NEW

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.meanwhile is not None:
            self.meanwhile()
            self.meanwhile = None
        block, self.rest = self.rest[:size], self.rest[size:]
        return block


def test_other_writes_go_on_while_a_file_arrives(session, settings, held):
    """A file can take minutes to arrive: not under the writers' lock."""
    distribution, path = held
    other = Database.from_url(settings.database_url, writer_wait=0.5)
    try:
        body = Arriving(lambda: write_from_another_session(other, "meanwhile"))
        uploaded = upload(session, settings, distribution, body)
    finally:
        other.dispose()
    assert uploaded.checksum == hashlib.sha256(NEW).hexdigest()
    assert path.read_bytes() == NEW
    actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions[-2:] == ["meanwhile", "dataset.distribution.upload"]


def test_a_dataset_withdrawn_while_the_file_arrives_keeps_its_old_file(session, settings, held):
    distribution, path = held
    other = Database.from_url(settings.database_url, writer_wait=0.5)

    def withdraw():
        with other.session(write=True) as writer:
            datasets.withdraw_dataset(writer, actor=SYSTEM, name="enei-2024", reason="Revisión")

    try:
        with pytest.raises(Conflict, match="withdrawn"):
            upload(session, settings, distribution, Arriving(withdraw))
    finally:
        other.dispose()
    assert path.read_bytes() == OLD
    assert files_in(path.parent) == ["extract.csv"]


def test_a_restricted_distribution_awaiting_its_file_is_never_served_publicly(
    session, settings, held
):
    """Created restricted without a file, uploaded into: not public at any moment."""
    awaiting = distributions.add_distribution(
        session,
        actor=SYSTEM,
        name="enei-2024",
        document={"title": {"es": "Extracto nominal"}, "restricted": True},
        storage_root=settings.storage_path,
    )
    assert awaiting.storage_key is None
    distribution_id = awaiting.id
    session.rollback()  # ends the transaction, which holds the writers' lock
    other = Database.from_url(settings.database_url, writer_wait=5)
    refusals: list[str] = []

    def anonymous_download() -> None:
        with other.session(write=True) as reader:
            try:
                gateway.authorize_download(
                    reader,
                    actor=ANONYMOUS,
                    name="enei-2024",
                    distribution_id=distribution_id,
                    purpose=None,
                    recipient_country=None,
                    storage_root=settings.storage_path,
                    base_uri=BASE_URI,
                )
            except (NotFound, Unauthenticated) as refused:
                refusals.append(type(refused).__name__)

    try:
        anonymous_download()
        uploaded = upload(session, settings, awaiting, Arriving(anonymous_download))
        anonymous_download()
    finally:
        other.dispose()
    assert uploaded.restricted
    assert uploaded.storage_key == f"mintrab-gt/enei-2024/{distribution_id}.csv"
    assert (settings.storage_path / uploaded.storage_key).read_bytes() == NEW
    assert refusals == ["NotFound", "NotFound", "Unauthenticated"]


def test_a_file_another_distribution_also_serves_is_not_replaced(session, settings, held):
    """Two distributions given one file before that was refused: an upload to one would
    change what the other serves, under a checksum that is no longer its file's."""
    distribution, path = held
    twin = distributions.add_distribution(
        session,
        actor=SYSTEM,
        name="enei-2024",
        document={"title": {"es": "Cuadros"}, "download_url": "https://example.org/c.csv"},
        storage_root=settings.storage_path,
    )
    twin.storage_key = f"./{KEY}"
    session.add(twin)
    session.commit()
    with pytest.raises(Conflict, match=str(distribution.id)):
        upload(session, settings, twin, io.BytesIO(NEW))
    session.rollback()
    assert path.read_bytes() == OLD
    assert files_in(path.parent) == ["extract.csv"]


def test_the_file_is_at_its_path_at_every_moment_of_the_swap(session, settings, held, monkeypatch):
    """A download that opens the file then (a restricted one opens it after its grant
    commits, outside the writers' lock) finds the old file or the new, never nothing."""
    distribution, path = held
    seen = []
    replace = os.replace

    def watched_replace(source, destination):
        replace(source, destination)
        seen.append(path.read_bytes() if path.is_file() else None)

    monkeypatch.setattr(distributions.os, "replace", watched_replace)
    upload(session, settings, distribution, io.BytesIO(NEW))
    assert seen
    assert None not in seen
    assert seen[-1] == NEW
    assert files_in(path.parent) == ["extract.csv"]


@pytest.mark.parametrize("links", [True, False], ids=["hard-links", "no-hard-links"])
def test_a_swap_that_fails_leaves_the_old_file_alone(session, settings, held, monkeypatch, links):
    distribution, path = held
    replace = os.replace

    def failing_replace(source, destination):
        if str(source).endswith(".upload"):
            raise OSError("no space left on device")
        replace(source, destination)

    def no_link(source, destination):
        raise OSError("hard links are not supported here")

    monkeypatch.setattr(distributions.os, "replace", failing_replace)
    if not links:
        monkeypatch.setattr(distributions.os, "link", no_link)
    with pytest.raises(OSError, match="no space"):
        upload(session, settings, distribution, io.BytesIO(NEW))
    session.rollback()
    assert path.read_bytes() == OLD
    assert files_in(path.parent) == ["extract.csv"]
    assert session.get(Distribution, distribution.id).checksum == hashlib.sha256(OLD).hexdigest()


def _leftover(folder, name, kind, body, age_seconds):
    path = folder / f".{name}.{os.urandom(16).hex()}.{kind}"
    path.write_bytes(body)
    then = path.stat().st_mtime - age_seconds
    os.utime(path, (then, then))
    return path


def test_sweeping_clears_what_interrupted_uploads_left(tmp_path):
    folder = tmp_path / "mintrab-gt" / "enei-2024"
    folder.mkdir(parents=True)
    (folder / "extract.csv").write_bytes(NEW)
    day = distributions.LEFTOVER_AGE_SECONDS
    partial = _leftover(folder, "extract.csv", "upload", b"id,se", day + 60)
    kept_aside = _leftover(folder, "extract.csv", "previous", OLD, day + 60)
    # Moved aside on a file system without hard links, then the process died: the only copy.
    only_copy = _leftover(folder, "tabulados.xlsx", "previous", OLD, day + 60)
    receiving = _leftover(folder, "extract.csv", "upload", b"id", 60)  # an upload under way
    stranger = folder / ".extract.csv.notes"
    stranger.write_bytes(b"an operator's file")

    swept = distributions.sweep_leftovers(tmp_path)

    assert sorted(swept.removed) == sorted([partial, kept_aside])
    assert swept.restored == [folder / "tabulados.xlsx"]
    assert (folder / "tabulados.xlsx").read_bytes() == OLD
    assert (folder / "extract.csv").read_bytes() == NEW  # the file at its path is untouched
    assert not only_copy.exists()
    assert receiving.exists()
    assert stranger.exists()
    assert distributions.sweep_leftovers(tmp_path) == distributions.Swept([], [])


def test_sweeping_a_missing_storage_folder_does_nothing(tmp_path):
    assert distributions.sweep_leftovers(tmp_path / "none") == distributions.Swept([], [])


def test_files_registered_while_a_file_arrives_count_against_the_quota(session, settings, held):
    """The quota is checked again under the writers' lock, before the change commits."""
    distribution, path = held
    other = Database.from_url(settings.database_url, writer_wait=0.5)
    tables = settings.storage_path / "mintrab-gt" / "cuadros.csv"
    tables.write_bytes(b"x" * 45)

    def register():
        with other.session(write=True) as writer:
            distributions.add_distribution(
                writer,
                actor=SYSTEM,
                name="enei-2024",
                document={"title": {"es": "Cuadros"}, "storage_key": "mintrab-gt/cuadros.csv"},
                storage_root=settings.storage_path,
            )
            writer.commit()

    try:
        with pytest.raises(PayloadTooLarge, match="15 bytes are left"):
            distributions.upload_file(
                session,
                actor=SYSTEM,
                name="enei-2024",
                distribution_id=distribution.id,
                open_body=lambda: Arriving(register),
                media_type="text/csv",
                length=None,
                max_bytes=1 << 20,
                storage_root=settings.storage_path,
                quota_bytes=60,
            )
    finally:
        other.dispose()
    assert path.read_bytes() == OLD
    assert files_in(path.parent) == ["extract.csv"]
