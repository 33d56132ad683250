"""Atomic output: files and folders appear at their final path complete, or not at all.

A build writes everything into a staging folder next to the output (same file system),
then `Staging.commit()` writes a journal and moves each file into place with `os.replace`
(after `fsync`) and swaps the store folder in. A build that is killed or fails before the
journal leaves the previous output untouched; one killed after it is rolled forward by
the next build, query or server (`clean_stale`). Builds hold a lock on the output folder.

Test hook: when the environment variable `DTKG_TEST_WRITE_DELAY` holds a number of
seconds, every atomic file write sleeps that long after writing its data to the temporary
file and before moving it into place, so a test can kill a build in the middle of a write.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import IO, Iterator

STAGING_PREFIX = ".dtkg-staging-"
TMP_PREFIX = ".dtkg-tmp-"
OLD_SUFFIX = ".dtkg-old"
CHUNK = 1 << 20


def _test_delay() -> None:
    delay = os.environ.get("DTKG_TEST_WRITE_DELAY")
    if delay:
        time.sleep(float(delay))


def fsync_dir(path: Path) -> None:
    """Make a rename in folder `path` durable (no-op where folders cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush a file someone else wrote (e.g. a pyoxigraph dump) to disk."""
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


@contextlib.contextmanager
def open_atomic(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Open a temporary file next to `path`; on success fsync it and replace `path` with it."""
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{final.name}.", suffix=".tmp", dir=final.parent)
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline="" if "b" not in mode else None) as fh:
            yield fh
            fh.flush()
            _test_delay()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(final.parent)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` atomically."""
    with open_atomic(path, "wb") as fh:
        fh.write(data)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 `text` to `path` atomically (newlines kept as given)."""
    write_bytes(path, text.encode("utf-8"))


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def swap_dir(new: Path, final: Path) -> None:
    """Put folder `new` at `final`, replacing the folder there; `recover_dir` repairs an interrupted swap."""
    old = final.with_name(final.name + OLD_SUFFIX)
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(new, final)
    fsync_dir(final.parent)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def recover_dir(final: Path) -> None:
    """Undo a swap that was killed between its two renames: put the previous folder back."""
    old = final.with_name(final.name + OLD_SUFFIX)
    if old.exists():
        if final.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(old, final)


JOURNAL = ".dtkg-commit.json"


@contextlib.contextmanager
def locked(out: Path, wait: bool = False) -> Iterator[bool]:
    """Hold the output folder's lock (flock on the folder itself: no lock file is left behind).

    Yields False when another process holds it and `wait` is False."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): no protection against two builds at once
        yield True
        return
    fd = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing releases the lock


def clean_stale(out: Path, have_lock: bool = False) -> None:
    """Finish or undo what a killed build left in `out`: roll a started commit forward, put a
    half-swapped store back, remove staging folders and temporary files.

    Does nothing while another process (a running build) holds the folder's lock."""
    out = Path(out)
    if not out.is_dir():
        return
    if not have_lock:
        with locked(out) as free:
            if free:
                clean_stale(out, have_lock=True)
        return
    _roll_forward(out)
    recover_dir(out / "store")
    for entry in out.iterdir():
        if entry.name.startswith(STAGING_PREFIX) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(TMP_PREFIX) and entry.name.endswith(".tmp") and entry.is_file():
            entry.unlink(missing_ok=True)


def _roll_forward(out: Path) -> None:
    """Complete a commit whose journal was written: its staged files are whole and on disk."""
    journal = out / JOURNAL
    if not journal.exists():
        return
    try:
        plan = json.loads(journal.read_text(encoding="utf-8"))
        staging = out / plan["staging"]
        files, folders, removed = list(plan["files"]), list(plan["folders"]), list(plan.get("removed", []))
    except (ValueError, KeyError, TypeError):  # killed while writing the journal: nothing was moved
        journal.unlink()
        return
    _move(out, staging, files, folders, removed)
    journal.unlink()
    shutil.rmtree(staging, ignore_errors=True)


def _move(out: Path, staging: Path, files: list[str], folders: list[str], removed: list[str]) -> None:
    for name in removed:
        (out / name).unlink(missing_ok=True)
    for name in files:
        if (staging / name).exists():
            os.replace(staging / name, out / name)
    for name in folders:
        final = out / name
        if (staging / name).exists():
            swap_dir(staging / name, final)
        else:
            shutil.rmtree(final.with_name(final.name + OLD_SUFFIX), ignore_errors=True)
    fsync_dir(out)


class Staging:
    """A folder where a build writes its whole output before committing it into `out` at once."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.out))
        self.files: list[str] = []
        self.folders: list[str] = []
        self.removed: list[str] = []

    def path(self, name: str) -> Path:
        """Path in the staging folder for the output file or folder `name`."""
        return self.dir / name

    def add_file(self, name: str) -> Path:
        """Register an output file written (by anyone) to `self.path(name)`; returns that path."""
        if name not in self.files:
            self.files.append(name)
        return self.path(name)

    def write_bytes(self, name: str, data: bytes) -> Path:
        """Write one output file into the staging folder."""
        target = self.add_file(name)
        with open(target, "wb") as fh:
            fh.write(data)
        return target

    def remove_files(self, names) -> None:
        """Output files the commit deletes (they would no longer describe the new output)."""
        self.removed += [n for n in names if n not in self.removed and n not in self.files]

    def add_folder(self, name: str) -> Path:
        """Register an output folder (e.g. the store) built at `self.path(name)`."""
        self.folders.append(name)
        return self.path(name)

    def commit(self) -> None:
        """Move every staged file and folder to its final place, all or nothing.

        Everything is flushed to disk first; then a journal naming the staged output is
        written, and only then are the files renamed into place. A kill before the journal
        is complete leaves the previous output; a kill after it is rolled forward by the
        next `clean_stale`, so a reader always finds one whole build.
        """
        for name in self.files:
            fsync_file(self.path(name))
            _test_delay()
        fsync_dir(self.dir)
        plan = {"staging": self.dir.name, "files": self.files, "folders": self.folders, "removed": self.removed}
        journal = self.out / JOURNAL
        with open(journal, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(plan))
            fh.flush()
            os.fsync(fh.fileno())
        fsync_dir(self.out)
        _move(self.out, self.dir, self.files, self.folders, self.removed)
        journal.unlink()
        self.discard()

    def discard(self) -> None:
        """Remove the staging folder and anything left in it."""
        shutil.rmtree(self.dir, ignore_errors=True)
