"""Atomic output: a file is either complete or absent, never half-written.

Every writer renders to a temporary file in the destination folder and renames
it over the destination only when it is complete, so an interrupted or failed
run (Ctrl-C, a full disk, a bug) leaves no partial TMX for a CAT tool to import.
"""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from .errors import OutputError


def check_writable(path: str | os.PathLike[str]) -> Path:
    """Fail early, before hours of work, if `path` cannot be written."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError("is a directory", path, "give a file name")
    if not folder.exists():
        raise OutputError(f"folder '{folder}' does not exist", path, "create it first, or choose another path")
    if not folder.is_dir():
        raise OutputError(f"'{folder}' is not a folder", path)
    if not os.access(folder, os.W_OK):
        raise OutputError(f"folder '{folder}' is not writable", path, "choose another folder or fix its permissions")
    return path


@contextmanager
def atomic_writer(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO]:
    """Open a temporary sibling of `path` for writing; rename it into place on success.

    `path` "-" writes to stdout instead (text mode only).
    """
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    path = check_writable(path)
    encoding = None if "b" in mode else "utf-8"
    try:
        handle = tempfile.NamedTemporaryFile(
            mode=mode, encoding=encoding, dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        )
    except OSError as error:
        raise OutputError(f"cannot be written: {error.strerror or error}", path) from None
    temporary = Path(handle.name)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, path)
    except BaseException as error:  # also KeyboardInterrupt: never leave the temporary behind
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(f"cannot be written: {error.strerror or error}", path) from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
