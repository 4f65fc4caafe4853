"""A minimal Chrome DevTools Protocol client for the HTML report tests: headless Chromium driven over
--remote-debugging-pipe (no extra package). Used by test_html_hostile.py and test_html_view.py (the `browser`
fixture is in conftest.py)."""
import fcntl
import json
import os
import select
import shutil
import subprocess
import time

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class DevTools:
    """A minimal Chrome DevTools Protocol client over --remote-debugging-pipe (Chromium reads fd 3, writes fd 4;
    messages are JSON ended by a NUL byte)."""

    def __init__(self, profile):
        to_chrome, self._out = os.pipe()
        self._in, from_chrome = os.pipe()

        def wire_fds():  # in the child: move the pipe ends to fds 3 and 4 (via fds >= 10, so none is clobbered)
            read, write = fcntl.fcntl(to_chrome, fcntl.F_DUPFD, 10), fcntl.fcntl(from_chrome, fcntl.F_DUPFD, 10)
            os.dup2(read, 3)
            os.dup2(write, 4)

        # close_fds=False keeps fds 3 and 4; Python's own fds are close-on-exec, so nothing else leaks
        self.proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe"],
                                     preexec_fn=wire_fds, close_fds=False, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome)
        os.close(from_chrome)
        self._buffer, self._id, self.events, self._replies = b"", 0, [], {}

    def _write(self, message: dict) -> None:
        os.write(self._out, json.dumps(message).encode() + b"\0")

    def _receive(self, deadline: float) -> None:
        """Read one message; events are kept in `self.events`, replies in `self._replies`."""
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise TimeoutError("chromium did not answer over the DevTools pipe")
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise EOFError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "method" in message:
            self.events.append(message)
            if message["method"] == "Page.javascriptDialogOpening":  # an alert() would block the page: dismiss it
                self._id += 1
                self._write({"id": self._id, "method": "Page.handleJavaScriptDialog", "params": {"accept": False},
                             "sessionId": message.get("sessionId")})
        else:
            self._replies[message["id"]] = message

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60):
        self._id += 1
        sent = self._id
        self._write({"id": sent, "method": method, "params": params or {}, **({"sessionId": session} if session else {})})
        deadline = time.monotonic() + timeout
        while sent not in self._replies:
            self._receive(deadline)
        reply = self._replies.pop(sent)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def open(self, url: str) -> "Tab":
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for method in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.send(method, session=session)
        # window.pwned(anything) reports to us through a binding (which itself takes only one string)
        self.send("Runtime.addBinding", {"name": "reportPwned"}, session=session)
        self.send("Page.addScriptToEvaluateOnNewDocument",
                  {"source": "window.pwned = (...args) => reportPwned(args.map(String).join(','));"}, session=session)
        start = len(self.events)
        self.send("Page.navigate", {"url": url}, session=session)
        deadline = time.monotonic() + 60
        while not any(e["method"] == "Page.loadEventFired" and e.get("sessionId") == session
                      for e in self.events[start:]):
            self._receive(deadline)
        return Tab(self, session)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=20)
            self.proc.wait(20)
        except (OSError, TimeoutError, EOFError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            os.close(self._in)
            os.close(self._out)


class Tab:
    def __init__(self, tools: DevTools, session: str):
        self.tools, self.session = tools, session

    def evaluate(self, expression: str):
        result = self.tools.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                      "awaitPromise": True}, session=self.session)
        if "exceptionDetails" in result:
            raise AssertionError(f"page evaluation failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def events(self, method: str) -> list[dict]:
        return [e["params"] for e in self.tools.events if e["method"] == method and e.get("sessionId") == self.session]

    def fired(self) -> list:
        """What hostile code did: pwned() calls and dialogs."""
        return ([e["payload"] for e in self.events("Runtime.bindingCalled")]
                + [e["message"] for e in self.events("Page.javascriptDialogOpening")])

    def errors(self) -> list[str]:
        """Uncaught exceptions, console.error calls and error-level log entries of the page."""
        return ([e["exceptionDetails"].get("exception", {}).get("description") or e["exceptionDetails"]["text"]
                 for e in self.events("Runtime.exceptionThrown")]
                + [" ".join(str(a.get("value", a.get("description"))) for a in e["args"])
                   for e in self.events("Runtime.consoleAPICalled") if e["type"] in ("error", "assert")]
                + [e["entry"]["text"] for e in self.events("Log.entryAdded") if e["entry"]["level"] == "error"])

    def resize(self, width: int, height: int = 900) -> None:
        """Lay the page out for a viewport of `width` CSS pixels (as a phone or a window that wide would)."""
        self.tools.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                               "deviceScaleFactor": 1, "mobile": False},
                        session=self.session)

    def press(self, key: str) -> None:
        """A real key press (keydown and keyup) on the focused element: 'Tab', 'Enter' or ' '."""
        codes = {"Tab": ("Tab", 9), "Enter": ("Enter", 13), " ": ("Space", 32)}
        code, number = codes[key]
        for kind in ("keyDown", "keyUp"):
            self.tools.send("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": code,
                                                       "windowsVirtualKeyCode": number,
                                                       **({"text": "\r" if key == "Enter" else key} if key != "Tab" and kind == "keyDown" else {})},
                            session=self.session)

    def csp_violations(self) -> list[str]:
        return [e["entry"]["text"] for e in self.events("Log.entryAdded")
                if "Content Security Policy" in e["entry"]["text"]]


def start(profile) -> DevTools:
    """A browser for a test module, or a skip (a failure under CI) where chromium is not installed."""
    import pytest

    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs the Debian package 'chromium'")
        pytest.skip("chromium not installed")
    return DevTools(profile)
