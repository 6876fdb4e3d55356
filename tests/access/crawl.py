"""Read everything a user can reach: every GET route of ``app.url_map`` with the ids of every
object, the API's read-only searches, and every download link the pages hand out.

A route is planned from the URL map, so a route added later is read automatically; a GET
route whose arguments the crawl cannot fill fails the plan until it is listed in ``SKIPPED``
with a reason. Files are read as a person would: PDF text (pypdf), Word text (python-docx).
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from docx import Document
from flask import Flask
from pypdf import PdfReader
from werkzeug.exceptions import HTTPException

from helpers import PASSWORD, is_api, login, operation_id

#: GET routes the crawl does not read, with the reason. Nothing about a resident is behind them.
SKIPPED = {
    "static": "the hub's own CSS/JS files (filename argument); no data",
}

#: Query strings a route is also read with ({case_id} is every case of the pool). Routes are
#: named by endpoint, API routes by operationId.
QUERIES: dict[str, tuple[str, ...]] = {
    "hearing.show": ("", "?version=1", "?version=2"),
    "show_sheet": ("", "?version=1", "?version=2"),
    "hearing.compare": ("?from=1&to=2",),
    "compare_sheet_versions": ("?from=1&to=2",),
    "mailbox.compose_page": ("", "?case_id={case_id}"),
    "mailbox.options": ("?case_id={case_id}",),
    "recipient_options": ("", "?categories=arrears"),
    # The Word file of a printout holds the same blocks as its PDF (one description,
    # render/emit.py); it is read once, for the sheet, the printout with the most categories.
    "printing.sheet_file": ("", "?format=docx"),
}

#: Reads that the API answers to a POST (search words never travel in a URL).
READ_POSTS: dict[str, dict] = {
    "search_cases": {"q": "ﾔﾏﾀﾞ"},
    "search_residents": {"q": "ﾔﾏﾀﾞ"},
    "search_inbox": {"q": "ﾔﾏﾀﾞ"},
}

#: Endpoints that answer with a file: links to them found on pages are followed too.
DOWNLOADS = {
    "consents.download",
    "mailbox.document",
    "download_consent_form_pdf",
    "download_consent_form_docx",
    "download_consent_scan",
    "show_message_document",
    "printing.download",
}

_HREF = re.compile(r'href="(/[^"#]*)"')
_API_PATH = re.compile(r'"(/api/v1/[^"]+)"')


def text_of(response) -> str:
    """What a person would read in a response: the page, the JSON, or a file's text."""
    data = response.get_data()
    kind = response.mimetype or ""
    if kind == "application/pdf":
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        # pypdf reads the ToUnicode map of the hub's embedded Noto subsets (fpdf2) with a NUL
        # before every character; without this, no marker in a generated PDF would be seen.
        return text.replace("\x00", "")
    if kind.endswith("wordprocessingml.document"):
        doc = Document(io.BytesIO(data))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)
    if kind.startswith("image/") or kind == "font/otf":
        return ""
    text = data.decode("utf-8", "replace")
    if kind == "application/json":
        # ensure_ascii=False already; decode again in case a value was escaped.
        try:
            text += "\n" + json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


@dataclass(frozen=True)
class Read:
    url: str
    status: int
    text: str


@dataclass
class Plan:
    #: (endpoint, method, url, json body or None)
    requests: list[tuple[str, str, str, dict | None]] = field(default_factory=list)
    #: GET routes with an argument the pools cannot fill (the test fails on them).
    unplannable: list[str] = field(default_factory=list)


def plan(app: Flask, pools: Mapping[str, list[int]]) -> Plan:
    """Every GET route with every combination of ids from ``pools``, plus the read POSTs."""
    result, urls = Plan(), app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        key = route_key(rule)
        if "GET" not in rule.methods:
            if key in READ_POSTS:
                url = urls.build(rule.endpoint, {})
                result.requests.append((key, "POST", url, READ_POSTS[key]))
            continue
        if key in SKIPPED:
            continue
        args = sorted(rule.arguments)
        if any(a not in pools for a in args):
            result.unplannable.append(f"{key} ({', '.join(args)})")
            continue
        for values in itertools.product(*(pools[a] for a in args)):
            base = urls.build(rule.endpoint, dict(zip(args, values, strict=True)))
            for query in QUERIES.get(key, ("",)):
                for case_id in pools["case_id"] if "{case_id}" in query else [None]:
                    url = base + query.format(case_id=case_id)
                    result.requests.append((key, "GET", url, None))
    return result


def route_key(rule) -> str:
    """How the tables above name a route: its endpoint, or for the API its operationId."""
    return operation_id(rule.endpoint) if is_api(rule) else rule.endpoint


class Reader:
    """One user's eyes: a logged-in browser session for pages and a bearer token for the API."""

    def __init__(self, app: Flask, user, token: str) -> None:
        self.app, self.token = app, token
        self.client = app.test_client()
        assert login(self.client, user, PASSWORD).status_code == 302
        self.seen: set[str] = set()

    def _open(self, method: str, url: str, body: dict | None):
        if url.startswith("/api/"):
            headers = {"Authorization": f"Bearer {self.token}"}
            return self.client.open(url, method=method, headers=headers, json=body)
        return self.client.open(url, method=method)

    def read(self, method: str, url: str, body: dict | None = None) -> Read | None:
        """Read a URL once (a URL already read by this reader is skipped)."""
        key = f"{method} {url} {json.dumps(body)}"
        if key in self.seen:
            return None
        self.seen.add(key)
        response = self._open(method, url, body)
        try:
            return Read(url, response.status_code, text_of(response))
        finally:
            response.close()

    def downloads_in(self, text: str) -> Iterator[str]:
        """The links to files a page or an API answer hands out (signed links included)."""
        adapter = self.app.url_map.bind("localhost")
        for link in itertools.chain(_HREF.findall(text), _API_PATH.findall(text)):
            link = link.replace("&amp;", "&")
            parts = urlsplit(link)
            try:
                endpoint, _args = adapter.match(parts.path, method="GET")
            except HTTPException:
                continue
            key = operation_id(endpoint) if parts.path.startswith("/api/") else endpoint
            if key in DOWNLOADS:
                yield link

    def crawl(self, requests: list[tuple[str, str, str, dict | None]]) -> Iterator[Read]:
        """Read every planned request and every download link found on the way."""
        queue = [(method, url, body) for _endpoint, method, url, body in requests]
        while queue:
            method, url, body = queue.pop(0)
            found = self.read(method, url, body)
            if found is None:
                continue
            yield found
            queue += [("GET", link, None) for link in self.downloads_in(found.text)]
