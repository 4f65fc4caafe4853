"""Fetching a web page to score, with the standard library (urllib): http and https only, a time limit for the
whole fetch, a size limit, at most `MAX_REDIRECTS` redirects, and an HTML content type; every failure is one
InputError line that names the URL ("https://x/y: HTTP 404 Not Found").

A URL is untrusted input like an article: the page is read into memory only up to the size limit, and its
text reaches the report as text, as for an HTML file.
"""
from __future__ import annotations

import http.client
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from ..errors import InputError
from .files import DEFAULT_MAX_BYTES, decode_bytes

# seconds for the whole fetch (connecting, redirects, reading); the environment variable SCORER_FETCH_TIMEOUT
# changes it for `scorer score URL` and `scorer batch FILE.urls` (read when a page is fetched, so workers see it)
DEFAULT_TIMEOUT = 20.0
MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 65536
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


def is_url(value: str) -> bool:
    """True for an argument meant as a URL (scheme://...), which `fetch_page` accepts only for http and https."""
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value or ""))


_REFUSED = "redirect to a URL other than http(s) refused"


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows at most MAX_REDIRECTS redirects, to http or https URLs only."""

    max_redirections = MAX_REDIRECTS
    max_repeats = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        scheme = urllib.parse.urlsplit(newurl).scheme.lower()
        if scheme not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, _REFUSED, headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _cut(sock) -> None:
    """Shut a connection's socket down: a read blocked on it returns at once (the fetch's deadline has passed)."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _with_deadline(base, deadline: float, timers: list):
    """`base` (HTTPConnection or HTTPSConnection) whose socket is shut down at `deadline`: the time limit covers the
    whole fetch (status line, headers, a body sent a byte at a time), not only each socket operation."""
    class Connection(base):
        def connect(self):
            super().connect()
            timer = threading.Timer(max(0.0, deadline - time.monotonic()), _cut, (self.sock,))
            timer.daemon = True
            timer.start()
            timers.append(timer)
    return Connection


class _Http(urllib.request.HTTPHandler):
    def __init__(self, deadline: float, timers: list):
        super().__init__()
        self.connection = _with_deadline(http.client.HTTPConnection, deadline, timers)

    def http_open(self, req):
        return self.do_open(self.connection, req)


class _Https(urllib.request.HTTPSHandler):
    def __init__(self, deadline: float, timers: list):
        super().__init__()
        self.connection = _with_deadline(http.client.HTTPSConnection, deadline, timers)

    def https_open(self, req):
        return self.do_open(self.connection, req, context=self._context)


def _opener(deadline: float | None = None, timers: list | None = None):
    handlers = [_Redirects]
    if deadline is not None:
        handlers += [_Http(deadline, timers), _Https(deadline, timers)]
    opener = urllib.request.build_opener(*handlers)
    opener.addheaders = [("User-Agent", "attribution-scorer (+https://pypi.org/project/attribution-scorer/)"),
                         ("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"),
                         ("Accept-Encoding", "identity")]
    return opener


def fetch_timeout() -> float:
    """The time limit of one fetch: SCORER_FETCH_TIMEOUT (seconds, > 0) when set, else DEFAULT_TIMEOUT."""
    value = os.environ.get("SCORER_FETCH_TIMEOUT", "").strip()
    try:
        seconds = float(value) if value else DEFAULT_TIMEOUT
    except ValueError:
        raise InputError(f"SCORER_FETCH_TIMEOUT={value!r}: not a number of seconds") from None
    if not seconds > 0:
        raise InputError(f"SCORER_FETCH_TIMEOUT={value!r}: must be more than 0 seconds")
    return seconds


def fetch_page(url: str, max_bytes: int | None = DEFAULT_MAX_BYTES, timeout: float | None = None) -> str:
    """The decoded HTML of the page at `url` (see the module docstring); InputError naming the URL on failure:
    not http/https, cannot connect, an HTTP error status, too many redirects, over `max_bytes` (None or 0: no
    limit), over `timeout` seconds in all, or not HTML."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise InputError(f"{url}: only http:// and https:// URLs can be fetched")
    timeout = fetch_timeout() if timeout is None else timeout
    deadline = time.monotonic() + timeout
    timers: list[threading.Timer] = []
    try:
        return _fetch(url, max_bytes, timeout, deadline, timers)
    except (OSError, http.client.HTTPException) as exc:  # a reset, a malformed or cut-off response
        raise _broken(url, exc, timeout, deadline) from None
    finally:
        for timer in timers:
            timer.cancel()


def _fetch(url: str, max_bytes: int | None, timeout: float, deadline: float, timers: list) -> str:
    try:
        response = _opener(deadline, timers).open(url, timeout=timeout)
    except urllib.error.HTTPError as exc:
        reason = str(exc.reason)
        if exc.code in (301, 302, 303, 307, 308) and (reason == _REFUSED or "is not allowed" in reason):
            raise InputError(f"{url}: {_REFUSED}") from None
        if exc.code in (301, 302, 303, 307, 308) and "infinite loop" in reason:
            raise InputError(f"{url}: too many redirects (more than {MAX_REDIRECTS}) or a redirect loop") from None
        raise InputError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)) or time.monotonic() >= deadline:
            raise _timed_out(url, timeout) from None
        raise InputError(f"{url}: cannot fetch ({getattr(reason, 'strerror', None) or reason})") from None
    except TimeoutError:
        raise _timed_out(url, timeout) from None
    except ValueError as exc:  # a bad port, a malformed URL
        raise InputError(f"{url}: cannot fetch ({exc})") from None
    with response:
        final = response.geturl()
        where = url if final == url else f"{url} (redirected to {final})"
        ctype = response.headers.get_content_type() if response.headers.get("Content-Type") else None
        if ctype is not None and ctype not in HTML_TYPES:
            raise InputError(f"{where}: not an HTML page (content type {ctype})")
        length = response.headers.get("Content-Length")
        if max_bytes and length and length.isdigit() and int(length) > max_bytes:
            raise InputError(f"{where}: page is {int(length):,} bytes, over the {max_bytes:,}-byte limit "
                             "(raise it with --max-bytes, 0 for no limit)")
        data = bytearray()
        try:
            while True:
                if time.monotonic() >= deadline:
                    raise TimeoutError
                chunk = response.read1(_CHUNK)  # returns by the deadline: the connection is shut down then
                if not chunk:
                    if time.monotonic() >= deadline:  # the end the deadline's shutdown made, not the page's
                        raise TimeoutError
                    break
                data += chunk
                if max_bytes and len(data) > max_bytes:
                    raise InputError(f"{where}: page is over the {max_bytes:,}-byte limit "
                                     "(raise it with --max-bytes, 0 for no limit)")
        except TimeoutError:
            raise _timed_out(where, timeout) from None
        except (OSError, http.client.HTTPException) as exc:
            raise _broken(where, exc, timeout, deadline) from None
        charset = response.headers.get_content_charset()
    return _decode(bytes(data), charset, where)


def _timed_out(where: str, timeout: float) -> InputError:
    return InputError(f"{where}: timed out after {timeout:g} s")


def _broken(where: str, exc: BaseException, timeout: float, deadline: float) -> InputError:
    """A connection that failed or a response that broke off: a timeout once the deadline has passed (the deadline's
    shutdown breaks it off), else what went wrong."""
    if time.monotonic() >= deadline:
        return _timed_out(where, timeout)
    return InputError(f"{where}: cannot fetch ({type(exc).__name__}: {exc})")


def _decode(data: bytes, charset: str | None, where: str) -> str:
    """Page bytes as text: the charset of the Content-Type header, else of a <meta> tag, else UTF-8."""
    if charset is None:
        found = _META_CHARSET.search(data[:4096])
        charset = found.group(1).decode("ascii") if found else None
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        try:
            return data.decode(charset, errors="replace")
        except LookupError:
            pass
    return decode_bytes(data, where)
