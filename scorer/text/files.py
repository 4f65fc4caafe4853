"""Reading article files: bytes to text with a clear error for anything that is not UTF-8 text, and the repair
of lone surrogates (code points that UTF-8 cannot encode, which JSON escapes and some tools let through)."""
from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from ..errors import InputError

HTML_SUFFIXES = {".html", ".htm"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}

# An article is a few KB; 10 MB of text is a corpus in one file or not an article at all. Larger input
# is refused before it is read (so memory stays bounded); --max-bytes changes the limit, 0 removes it.
DEFAULT_MAX_BYTES = 10_000_000

# leading bytes of common binary formats a scraper may save under a text name
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"),
    (b"RIFF", "RIFF (WebP/WAV/AVI) data"), (b"%PDF-", "PDF document"), (b"\x1f\x8b", "gzip-compressed data"),
    (b"PK\x03\x04", "ZIP archive (or .docx/.xlsx)"), (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"), (b"(\xb5/\xfd", "zstd-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"), (b"\x7fELF", "ELF executable"),
    (b"\xd0\xcf\x11\xe0", "MS Office document"), (b"PAR1", "Parquet file"), (b"SQLite format 3", "SQLite database"),
)

# C0 control bytes other than tab, newline, vertical tab, form feed, carriage return and escape
_CONTROL = [bytes([b]) for b in (*range(0, 9), *range(14, 27), *range(28, 32))]


def binary_kind(data: bytes) -> str | None:
    """What binary data looks like ('PNG image', 'UTF-16 text without a byte-order mark', ...), or None
    for text; a stray NUL or control character in otherwise normal text does not make it binary."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    head = data[:8192]
    half = len(head) / 2
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if len(head) >= 4 and max(even, odd) >= 0.4 * half and min(even, odd) <= 0.05 * half:
        return "UTF-16 text without a byte-order mark"  # ASCII letters with a zero byte beside each
    if even + odd > max(1, len(head) // 100):
        return "NUL bytes"
    if sum(map(head.count, _CONTROL)) > 0.1 * len(head):
        return "control bytes"
    return None


def decode_bytes(data: bytes, name: str = "<input>") -> str:
    """Decode UTF-8 (a leading BOM is dropped); reject binary and other encodings naming `name`."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"{name}: UTF-16 text is not supported; save it as UTF-8")
    kind = binary_kind(data)
    if kind is not None and kind.startswith("UTF-16"):
        raise InputError(f"{name}: {kind} is not supported; save it as UTF-8")
    if kind is not None:
        raise InputError(f"{name}: binary file ({kind}), not text")
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


def check_size(size: int, name: str, max_bytes: int | None = DEFAULT_MAX_BYTES) -> None:
    """Refuse input over `max_bytes` (None or 0: no limit) with the option that raises the limit."""
    if max_bytes and size > max_bytes:
        raise InputError(f"{name}: {size:,} bytes is over the {max_bytes:,}-byte limit for one article "
                         "(raise it with --max-bytes, 0 for no limit)")


def read_text_file(path: str | Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> str:
    """Read a file as decoded text, with a one-line InputError naming the file on failure;
    files over `max_bytes` are refused before they are read."""
    path = Path(path)
    try:
        if path.exists() and not (path.is_file() or path.is_dir()):  # a FIFO or device would block or never end
            raise InputError(f"{path}: not a regular file")
        with path.open("rb") as fh:
            check_size(os.fstat(fh.fileno()).st_size, str(path), max_bytes)
            data = fh.read()
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a file") from None
    except FileNotFoundError:
        kind = "broken symbolic link" if path.is_symlink() else "not found"
        raise InputError(f"{path}: {kind}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return decode_bytes(data, str(path))


def read_stream(stream, name: str = "<stdin>", max_bytes: int | None = DEFAULT_MAX_BYTES) -> str:
    """Read a binary stream (standard input) as text, reading at most one byte past the limit."""
    data = stream.read(max_bytes + 1) if max_bytes else stream.read()
    if max_bytes and len(data) > max_bytes:
        raise InputError(f"{name}: more than the {max_bytes:,}-byte limit for one article "
                         "(raise it with --max-bytes, 0 for no limit)")
    return decode_bytes(data, name)


_HTML_BLOCKS = re.compile(r"</(?:p|div|article|section|h[1-6]|li|main|header|footer|span)\s*>", re.I)


def looks_like_html(text: str) -> bool:
    """True for text that plainly is HTML: it starts (after blanks and comments) with a doctype or an
    <html>/<head>/<body> tag, or is a fragment that starts with a tag and closes at least two block elements."""
    head = re.sub(r"^(?:\s|<!--.*?-->)+", "", text[:5000], flags=re.S)
    lower = head[:200].lower()
    if lower.startswith(("<!doctype html", "<html", "<head", "<body")):
        return True
    return lower.startswith("<") and len(_HTML_BLOCKS.findall(head)) >= 2


def is_html(path: str | Path, text: str | None = None) -> bool:
    """True for .html/.htm files, or text that plainly starts as an HTML document."""
    if Path(path).suffix.lower() in HTML_SUFFIXES:
        return True
    if text is not None:
        head = text.lstrip()[:200].lower()
        return head.startswith("<!doctype html") or head.startswith("<html")
    return False


def input_kind(path: str | Path | None, text: str) -> str:
    """How an article's text is read: "html", "markdown" or "text".

    From the file's suffix (.html/.htm, .md/.markdown), else from the text: any file that starts as an HTML
    document (as before); and, for standard input (`path` None or "-") and files without a suffix, a page that
    `looks_like_html` or a document that `markdown.looks_like_markdown`. Other files (.txt) are plain text."""
    suffix = "" if path in (None, "-") else Path(path).suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if is_html(path or "", text):
        return "html"
    if suffix == "":
        if looks_like_html(text):
            return "html"
        from .markdown import looks_like_markdown

        if looks_like_markdown(text):
            return "markdown"
    return "text"


def article_text(text: str, kind: str, name: str = "<input>") -> str:
    """The article text to score of an input read as `kind` (see `input_kind`): HTML and Markdown are converted
    (the report then carries this text as `article.text`, since offsets refer to it); plain text is as it is."""
    if kind == "html":
        from .html import html_to_text

        return html_to_text(text, name)
    if kind == "markdown":
        from .markdown import markdown_to_text

        converted = markdown_to_text(text).text
        if not converted.strip():
            raise InputError(f"no article text found in {name}")
        return converted
    return text


def article_id(path: str | Path) -> str:
    """The id of an article file: its name without the suffix (`depot` for depot.html), as `scorer score` and
    `scorer batch DIR` (relative to the directory: `2024/depot`) both give it."""
    path = Path(path)
    return str(path.with_suffix("")) if path.suffix else str(path)


_SURROGATE = re.compile("[\ud800-\udfff]")
# a UTF-8-encoded surrogate (ED A0..BF 80..BF) as decoding with surrogateescape leaves it: three escaped bytes
_ENCODED_SURROGATE = re.compile("\udced[\udca0-\udcbf][\udc80-\udcbf]")


# up to this many characters, `replace_surrogates` tells a text without a surrogate by encoding it (strict UTF-8 refuses
# exactly the surrogate code points): ~4x faster than the search, for a transient copy of at most 3 bytes a character
_ENCODE_CHECK = 1 << 20


def replace_surrogates(text: str) -> str:
    """`text` with each lone surrogate code point replaced by U+FFFD (one code point for one, so offsets
    into the text are kept); text without one is returned as it is. (An ASCII text is told at once, one of up to
    _ENCODE_CHECK characters by encoding it: a batch parent checks every record's text, id and location; the 1,260
    of 15 x the dev articles took 15 ms with the search alone, 3-4 ms so; fixed17.)"""
    if text.isascii():
        return text
    if len(text) <= _ENCODE_CHECK:
        try:
            text.encode("utf-8")
            return text
        except UnicodeEncodeError:
            pass
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def repair_decoded(text: str) -> str:
    """Text decoded with errors='surrogateescape': each UTF-8-encoded surrogate becomes U+FFFD; other
    undecodable bytes stay escaped (so the caller can still tell that the text is not UTF-8)."""
    return _ENCODED_SURROGATE.sub("\ufffd", text) if "\udced" in text else text
