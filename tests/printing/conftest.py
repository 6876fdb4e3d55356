"""The flow city (tests/access/flow_city.py) for printing tests: every category of every
department's records carries a unique marker, so a printout that shows what the consent
withholds is caught by its text."""

from __future__ import annotations

import re

import pytest
from access.flow_city import FlowCity, build_flow_city

from helpers import PASSWORD, csrf_token, login
from hub.storage import Storage, bind


@pytest.fixture
def city(db, config, make_department, make_user, make_resident, fast_forms) -> FlowCity:
    """The flow city with 納税課's three packets of case A (own, paper, share)."""
    bind(db, Storage.from_config(config))
    return build_flow_city(db, make_department, make_user, make_resident)


@pytest.fixture
def bare_city(db, config, make_department, make_user, make_resident, fast_forms) -> FlowCity:
    """The flow city without packets (a third quicker to build)."""
    bind(db, Storage.from_config(config))
    return build_flow_city(db, make_department, make_user, make_resident, packets=False)


class Staff:
    """A logged-in browser session of one department's staff member."""

    def __init__(self, app, user) -> None:
        self.client = app.test_client()
        assert login(self.client, user, PASSWORD).status_code == 302
        self.user = user
        self.token = csrf_token(self.client, "/account")

    def get(self, url: str):
        """GET and read the whole answer (files are streamed: close them)."""
        response = self.client.get(url)
        response.get_data()
        response.close()
        return response

    def post(self, url: str, data: dict):
        return self.client.post(url, data={**data, "csrf_token": self.token})

    def packet(self, case_id: int, recipient, method: str = "own", fmt: str = "pdf", **extra):
        """Ask for a packet; return the answer (a redirect to its page when accepted)."""
        data = {"recipient_id": recipient.id, "method": method, "format": fmt, **extra}
        return self.post(f"/cases/{case_id}/packet", data)

    def download_link(self, packet_id: int) -> str | None:
        page = self.get(f"/packets/{packet_id}").get_data(as_text=True)
        found = re.search(r'href="(/packets/\d+/download\?t=[^"]+)"', page)
        return found.group(1).replace("&amp;", "&") if found else None

    def download(self, packet_id: int):
        link = self.download_link(packet_id)
        assert link, f"no download link on the page of packet {packet_id}"
        return self.get(link)


@pytest.fixture
def staff(app):
    """``staff(city, "nozei")``: a logged-in session of that department's staff member."""
    return lambda city, code: Staff(app, city.users[code])
