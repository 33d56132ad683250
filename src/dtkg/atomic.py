"""Atomic output: files and folders appear at their final path complete, or not at all.

A build writes everything into a staging folder next to the output (same file system),
then `Staging.commit()` moves each file into place with `os.replace` (after `fsync`) and
swaps the store folder in. A build that is killed or fails leaves the previous output
untouched; its staging folder is removed by the next build (`clean_stale`).

Test hook: when the environment variable `DTKG_TEST_WRITE_DELAY` holds a number of
seconds, every atomic file write sleeps that long after writing its data to the temporary
file and before moving it into place, so a test can kill a build in the middle of a write.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import IO, Iterator

STAGING_PREFIX = ".dtkg-staging-"
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
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
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


def clean_stale(out: Path) -> None:
    """Remove staging folders and temporary files left by killed builds in `out`."""
    if not out.is_dir():
        return
    recover_dir(out / "store")
    for entry in out.iterdir():
        if entry.name.startswith(STAGING_PREFIX) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(".") and entry.name.endswith(".tmp") and entry.is_file():
            entry.unlink(missing_ok=True)


class Staging:
    """A folder where a build writes its whole output before committing it into `out` at once."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.out))
        self.files: list[str] = []
        self.folders: list[str] = []

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

    def add_folder(self, name: str) -> Path:
        """Register an output folder (e.g. the store) built at `self.path(name)`."""
        self.folders.append(name)
        return self.path(name)

    def commit(self) -> None:
        """Move every staged file and folder to its final place: fsync, then os.replace."""
        for name in self.files:
            staged = self.path(name)
            fsync_file(staged)
            _test_delay()
        fsync_dir(self.dir)
        for name in self.files:
            os.replace(self.path(name), self.out / name)
        for name in self.folders:
            swap_dir(self.path(name), self.out / name)
        fsync_dir(self.out)
        self.discard()

    def discard(self) -> None:
        """Remove the staging folder and anything left in it."""
        shutil.rmtree(self.dir, ignore_errors=True)
