"""Browser fixtures: one Chromium per module, a live hub per test, a fresh context per test.

Every page a test opens is watched: a console error (which is how a Content-Security-Policy
violation shows up), an uncaught script error or a request to another origin fails the test.
Set ``TSUNAGU_SHOTS`` to a folder to keep the screenshots the tests take.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from helpers import unavailable

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 800}


def chromium_path() -> str:
    return os.environ.get("TSUNAGU_CHROMIUM") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module's tests."""
    path = chromium_path()
    if not Path(path).is_file():
        unavailable("browser", f"Chromium not found at {path} (set TSUNAGU_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


class LiveServer:
    """The hub served by werkzeug on a free loopback port, in a thread."""

    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


class Watch:
    """What the pages of a context did that a person would call broken."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.problems: list[str] = []
        self.urls: list[str] = []

    def attach(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"script error: {exc}"))
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("framenavigated", lambda frame: self.urls.append(frame.url))

    def _console(self, message) -> None:
        # A refused form or a 404 page is answered with a 4xx on purpose, and Chromium logs
        # that as "Failed to load resource"; broken assets are caught in _response instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.url}")

    def _request(self, request) -> None:
        self.urls.append(request.url)
        if not request.url.startswith(self.origin + "/"):
            self.problems.append(f"request to another origin: {request.url}")


@pytest.fixture
def watch(live_server) -> Watch:
    return Watch(live_server.url)


@pytest.fixture
def page(browser, live_server, watch) -> Iterator[object]:
    """A fresh page (own cookies) at 1280x800 in Japanese, watched for CSP and script errors."""
    context = browser.new_context(viewport=VIEWPORT, locale="ja-JP", base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    watch.attach(tab)
    yield tab
    context.close()
    assert not watch.problems, "\n".join(watch.problems)


@pytest.fixture
def shot(page):
    """Take a full-page screenshot when TSUNAGU_SHOTS names a folder; return its path or None."""
    folder = os.environ.get("TSUNAGU_SHOTS")

    def take(name: str, target=None) -> Path | None:
        if not folder:
            return None
        path = Path(folder) / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        (target or page).screenshot(path=str(path), full_page=True)
        return path

    return take
