"""URLs: `scorer score URL` and `.urls` lists in batch fetch pages from a local HTTP server on 127.0.0.1 (started
here, in a thread): a page is scored as HTML; 404, a redirect loop, too many redirects, a page over the size limit,
a slow server (timeout), a non-HTML content type and other schemes are one clear line each, and in batch an
error row while the other URLs are scored."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from scorer.cli import cli
from scorer.errors import InputError
from scorer.text.fetch import MAX_REDIRECTS, fetch_page, is_url

PAGE = """<!DOCTYPE html><html><head><title>Depot to close | The Gazette</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>City council votes to close bus depot</h1>
<p>The city council voted 7-2 on Tuesday to close the Elm Street bus depot, the mayor's office said in a statement.</p>
<p>The depot opened in 1964 and employs 310 people, according to figures released by the transit authority.</p>
</article></body></html>"""


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def _send(self, code: int, body: bytes, ctype: str = "text/html; charset=utf-8", length: int | None = None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path
        if path == "/article":
            self._send(200, PAGE.encode())
        elif path == "/latin1":
            self._send(200, PAGE.replace("Elm Street", "Elm Straße").encode("latin-1"), "text/html; charset=iso-8859-1")
        elif path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/article")
            self.end_headers()
        elif path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif path.startswith("/hop/"):
            n = int(path.rsplit("/", 1)[1])
            self.send_response(302)
            self.send_header("Location", f"/hop/{n + 1}" if n < 20 else "/article")
            self.end_headers()
        elif path == "/to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
        elif path == "/big":  # 2 MB, announced
            self._send(200, b"<html><body><p>" + b"word " * 400_000 + b"</p></body></html>")
        elif path == "/big-unannounced":  # no Content-Length: the limit is checked while reading
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"<p>" + b"word " * 10_000 + b"</p>")
        elif path == "/slow":
            time.sleep(3)
            self._send(200, PAGE.encode())
        elif path == "/drip-headers":  # a status line sent a byte at a time: each byte well inside the timeout
            for byte in b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n":
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
        elif path == "/drip-body":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(60):
                self.wfile.write(b"<p>")
                self.wfile.flush()
                time.sleep(0.1)
        elif path == "/garbage":  # not HTTP at all: http.client's BadStatusLine, not an OSError
            self.wfile.write(b"HELLO\r\n\r\n")
            self.close_connection = True
        elif path == "/pdf":
            self._send(200, b"%PDF-1.4 ...", "application/pdf")
        elif path == "/nav-only":
            self._send(200, b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
        else:
            self._send(404, b"<html><body>Not here</body></html>")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client that stops reading (size limit): not an error
        pass


@pytest.fixture(scope="module")
def server():
    httpd = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_is_url():
    assert is_url("https://example.org/a") and is_url("http://x") and is_url("ftp://x")
    assert not is_url("story.txt") and not is_url("-") and not is_url("dir/http://x")


def test_fetch_page_and_redirect(server):
    assert "Elm Street bus depot" in fetch_page(f"{server}/article")
    assert "Elm Street bus depot" in fetch_page(f"{server}/moved")
    assert "Elm Straße" in fetch_page(f"{server}/latin1")  # the charset of the Content-Type header
    assert "Elm Street" in fetch_page(f"{server}/hop/{20 - MAX_REDIRECTS + 1}")  # exactly MAX_REDIRECTS hops


@pytest.mark.parametrize("path, message", [
    ("/missing", r"/missing: HTTP 404 Not Found$"),
    ("/loop", r"/loop: too many redirects \(more than 5\) or a redirect loop$"),
    ("/hop/1", r"/hop/1: too many redirects \(more than 5\) or a redirect loop$"),
    ("/to-file", r"/to-file: redirect to a URL other than http\(s\) refused$"),
    ("/big", r"/big: page is 2,000,033 bytes, over the 100,000-byte limit \(raise it with --max-bytes"),
    ("/big-unannounced", r"/big-unannounced: page is over the 100,000-byte limit"),
    ("/pdf", r"/pdf: not an HTML page \(content type application/pdf\)$"),
])
def test_fetch_errors_are_one_line_naming_the_url(server, path, message):
    with pytest.raises(InputError, match="^" + server.replace(".", r"\.") + message) as info:
        fetch_page(server + path, max_bytes=100_000)
    assert "\n" not in str(info.value)


def test_fetch_timeout_is_for_the_whole_fetch(server):
    started = time.monotonic()
    with pytest.raises(InputError, match=r"/slow: timed out after 0\.5 s$"):
        fetch_page(f"{server}/slow", timeout=0.5)
    assert time.monotonic() - started < 2.5


def test_only_http_and_https():
    with pytest.raises(InputError, match=r"^ftp://example\.org/a: only http:// and https:// URLs can be fetched$"):
        fetch_page("ftp://example.org/a")
    with pytest.raises(InputError, match=r"^file:///etc/passwd: only http"):
        fetch_page("file:///etc/passwd")


def test_cannot_connect_is_one_line():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InputError, match=rf"^http://127\.0\.0\.1:{port}/x: cannot fetch \("):
        fetch_page(f"http://127.0.0.1:{port}/x", timeout=2)


# --- as a user runs it --------------------------------------------------------------------------------------------

runner = CliRunner()


def test_score_url_cli(server):
    result = runner.invoke(cli, ["score", f"{server}/article", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["article"]["id"] == f"{server}/article"
    assert report["article"]["title"] == "City council votes to close bus depot"
    texts = [s["text"] for s in report["sentences"]]
    assert texts[0] == "City council votes to close bus depot" and texts.count(texts[0]) == 1
    assert all(report["article"]["text"][s["start"]:s["end"]] == s["text"] for s in report["sentences"])


@pytest.mark.parametrize("path, expected", [
    ("/missing", "HTTP 404 Not Found"),
    ("/pdf", "not an HTML page (content type application/pdf)"),
    ("/loop", "too many redirects"),
    ("/nav-only", "no article text found in {url}"),
])
def test_score_url_errors_cli(server, path, expected):
    url = server + path
    result = runner.invoke(cli, ["score", url])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("scorer: error: ")
    assert expected.format(url=url) in result.output


def test_score_url_size_and_timeout_cli(server):
    result = runner.invoke(cli, ["score", f"{server}/big", "--max-bytes", "100000"])
    assert result.exit_code == 1 and "over the 100,000-byte limit" in result.output
    result = runner.invoke(cli, ["score", f"{server}/slow"], env={"SCORER_FETCH_TIMEOUT": "0.5"})
    assert result.exit_code == 1 and result.output.strip().endswith("/slow: timed out after 0.5 s")
    result = runner.invoke(cli, ["score", f"{server}/article"], env={"SCORER_FETCH_TIMEOUT": "soon"})
    assert result.exit_code == 1 and "SCORER_FETCH_TIMEOUT='soon': not a number of seconds" in result.output


def test_batch_url_list(server, tmp_path):
    urls = tmp_path / "pages.urls"
    urls.write_text(f"# pages to score\n{server}/article\n\n{server}/missing\nnot a url\n{server}/pdf\n"
                    f"{server}/moved\n{server}/article\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(cli, ["batch", str(urls), "-o", str(out), "--no-progress"],
                           env={"SCORER_FETCH_TIMEOUT": "5"})
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["status"] for r in rows] == ["ok", "error", "error", "error", "ok", "error"]
    assert rows[0]["id"] == f"{server}/article" and rows[0]["input"] == f"{urls}:2"
    assert rows[0]["article"]["title"] == "City council votes to close bus depot"
    assert rows[1]["error"] == f"{server}/missing: HTTP 404 Not Found"
    assert rows[2]["error"] == f"{urls}:5: not an http:// or https:// URL: 'not a url'"
    assert rows[3]["error"].endswith("not an HTML page (content type application/pdf)")
    assert rows[4]["id"] == f"{server}/moved"
    assert rows[5]["error"].startswith(f"{urls}:8: duplicate id")
    assert "2 scored, 4 errors" in result.output


def test_batch_url_list_with_workers(server, tmp_path):
    urls = tmp_path / "pages.urls"
    urls.write_text(f"{server}/article\n{server}/missing\n{server}/moved\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(cli, ["batch", str(urls), "-o", str(out), "--jobs", "2", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["status"] for line in out.read_text().splitlines()] == ["ok", "error", "ok"]


@pytest.mark.parametrize("path", ["/drip-headers", "/drip-body"])
def test_a_server_that_drips_cannot_outlast_the_time_limit(server, path):
    """The limit is for the whole fetch, not each read: a byte every 0.1 s with a 1 s limit stops near 1 s."""
    started = time.monotonic()
    with pytest.raises(InputError, match=path + r": timed out after 1 s$"):
        fetch_page(server + path, timeout=1.0)
    assert time.monotonic() - started < 2.5


def test_a_response_that_is_not_http_is_one_line(server):
    with pytest.raises(InputError, match=r"/garbage: cannot fetch \(BadStatusLine"):
        fetch_page(f"{server}/garbage")


def test_batch_goes_on_after_a_response_that_is_not_http(server, tmp_path):
    """One URL whose server does not speak HTTP is an error row; the URLs after it are scored."""
    urls = tmp_path / "pages.urls"
    urls.write_text(f"{server}/garbage\n{server}/article\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["batch", str(urls), "-o", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["status"] for r in rows] == ["error", "ok"]
    assert "BadStatusLine" in rows[0]["error"]
