"""Reading article files: bytes to text with a clear error for anything that is not UTF-8 text."""
from __future__ import annotations

import codecs
from pathlib import Path

from .errors import InputError

HTML_SUFFIXES = {".html", ".htm"}


def decode_bytes(data: bytes, name: str = "<input>") -> str:
    """Decode UTF-8 (a leading BOM is dropped); reject binary and other encodings naming `name`."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"{name}: UTF-16 text is not supported; save it as UTF-8")
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: binary file (NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{name}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it to UTF-8 first"
        ) from None
    return text


def require_content(text: str, name: str = "<input>") -> str:
    """Reject empty and whitespace-only articles, which have nothing to score."""
    if not text.strip():
        raise InputError(f"{name}: empty article (no text to score)")
    return text


def read_text_file(path: str | Path) -> str:
    """Read a file as decoded text, with a one-line InputError naming the file on failure."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return decode_bytes(data, str(path))


def is_html(path: str | Path, text: str | None = None) -> bool:
    """True for .html/.htm files, or text that plainly starts as an HTML document."""
    if Path(path).suffix.lower() in HTML_SUFFIXES:
        return True
    if text is not None:
        head = text.lstrip()[:200].lower()
        return head.startswith("<!doctype html") or head.startswith("<html")
    return False
