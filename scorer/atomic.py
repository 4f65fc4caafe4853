"""Crash-safe file writing: a reader (or a resumed run) sees the old file or the new one, never half.

Permissions: a new file gets the usual mode of a new file (0666 less the umask, as `open()` gives),
not the 0600 of `tempfile.mkstemp`; a file that is replaced keeps its mode.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterable

from .errors import InputError


def check_file_target(path: str | Path, source: str | Path | None = None) -> None:
    """Raise InputError (naming `path`) if `path` cannot be an output file: it is a directory, its directory does
    not exist (`check_parent`), or it is the file `source` (same device and inode, so another spelling or a hard
    link of the input counts)."""
    if Path(path).is_dir():
        raise InputError(f"{os.fspath(path)}: is a directory; give a file name for the output")
    check_parent(path)
    if source is not None and same_file(path, source):
        raise InputError(f"{os.fspath(path)}: is the input file {os.fspath(source)}; write the output to another file")


def check_parent(path: str | Path) -> None:
    """Raise InputError if the directory `path` would be written in does not exist (it is never created: a
    mistyped directory is an error, not a new tree) or is a file."""
    parent = Path(os.path.abspath(path)).parent
    if parent.is_dir():
        return
    for above in parent.parents:
        if above.exists():
            if not above.is_dir():
                raise InputError(f"{os.fspath(path)}: cannot write ({above} is a file, not a directory)")
            break
    if parent.exists():
        raise InputError(f"{os.fspath(path)}: cannot write ({parent} is a file, not a directory)")
    raise InputError(f"{os.fspath(path)}: no such directory: {os.path.dirname(os.fspath(path)) or parent}")


def same_file(a: str | Path, b: str | Path) -> bool:
    """True if both paths exist and are one file (st_dev and st_ino); a path that does not exist yet
    cannot be another file."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except (OSError, ValueError):
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def cannot_write(path: str | Path, exc: OSError) -> InputError:
    """The one-line error for an output that cannot be written; a path under a regular file names that file."""
    for parent in Path(path).parents:
        if parent.exists():
            if not parent.is_dir():
                return InputError(f"{path}: cannot write ({parent} is a file, not a directory)")
            break
    return InputError(f"{path}: cannot write ({exc.strerror or exc})")


def _create_temp(path: Path) -> tuple[int, Path]:
    """A new temporary file beside `path`, opened for writing with mode 0666 less the umask (the kernel
    applies the umask, so it is never read or changed here)."""
    while True:
        tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:12]}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def write_bytes_atomic(path: str | Path, data: bytes | Iterable[bytes]) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename it over `path`. `data`: bytes, or
    pieces of bytes written one after another (a long report without its whole text held at once).
    A path that cannot be written (a directory, under a regular file, no permission, disk full)
    raises InputError naming it; the temporary file is removed."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give a file name for the output")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_temp(path)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            try:
                os.fchmod(fh.fileno(), os.stat(path).st_mode & 0o7777)  # a replaced file keeps its mode
            except FileNotFoundError:
                pass
            for piece in (data,) if isinstance(data, (bytes, bytearray, memoryview)) else data:
                fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise cannot_write(path, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str | Iterable[str]) -> None:
    """UTF-8 text version of `write_bytes_atomic` (text, or pieces of text)."""
    write_bytes_atomic(path, text.encode("utf-8") if isinstance(text, str) else (t.encode("utf-8") for t in text))
