"""The invitations go into a real CalDAV server (Radicale on 127.0.0.1, htpasswd auth): the
calendar accepts the event, and the moved event replaces it under the same UID."""

from __future__ import annotations

import base64
import threading
import urllib.request
from datetime import UTC, datetime
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import radicale
import radicale.config
from icalendar import Calendar
from meetkit import MONDAY

from hub.jp import TOKYO
from hub.meetings import ics, invitations, services


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):  # the test's output stays clean
        pass


@pytest.fixture
def caldav(tmp_path):
    users = tmp_path / "users"
    users.write_text("nozei:secret\n")
    configuration = radicale.config.load([])
    configuration.update(
        {
            "auth": {
                "type": "htpasswd",
                "htpasswd_filename": str(users),
                "htpasswd_encryption": "plain",
            },
            "storage": {"filesystem_folder": str(tmp_path / "collections")},
            "rights": {"type": "owner_only"},
        },
        "test",
        privileged=True,
    )
    server = make_server("127.0.0.1", 0, radicale.Application(configuration), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


def _send(method: str, url: str, body: str = "", content_type: str = "text/calendar"):
    auth = base64.b64encode(b"nozei:secret").decode()
    request = urllib.request.Request(  # noqa: S310 - a loopback URL of the test's own server
        url,
        data=body.encode() if body else None,
        method=method,
        headers={
            "Authorization": f"Basic {auth}",
            "Content-Type": f"{content_type}; charset=utf-8",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, response.read().decode()


def _for_caldav(meeting) -> str:
    """The invitation's calendar without METHOD (a stored calendar object carries none)."""
    departments = [p.department for p in meeting.participants]
    text = ics.calendar(
        meeting, departments, method="REQUEST", stamp=datetime.now(UTC), domain=invitations.DOMAIN
    )
    cal = Calendar.from_ical(text)
    del cal["METHOD"]
    return cal.to_ical().decode()


def test_a_caldav_server_accepts_the_invitation_and_its_move(db, met, caldav):
    meeting = services.propose(db, met.staff, met.case.id, met.proposal(), MONDAY)
    services.choose(db, met.staff, meeting.id, meeting.slots[0].id, MONDAY)
    collection = f"{caldav}/nozei/meetings/"
    assert _send("MKCOL", collection, MKCALENDAR, "application/xml")[0] == 201
    event_url = f"{collection}{meeting.id}.ics"
    assert _send("PUT", event_url, _for_caldav(meeting))[0] == 201
    status, stored = _send("GET", event_url)
    event = next(iter(Calendar.from_ical(stored).walk("VEVENT")))
    assert status == 200 and str(event["UID"]) == meeting.uid
    assert event.decoded("DTSTART") == datetime(2026, 12, 8, 10, 0, tzinfo=TOKYO)

    services.move(db, met.staff, meeting.id, datetime(2026, 12, 14, 14, 0, tzinfo=TOKYO), MONDAY)
    assert _send("PUT", event_url, _for_caldav(meeting))[0] == 204
    moved = next(iter(Calendar.from_ical(_send("GET", event_url)[1]).walk("VEVENT")))
    assert int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") == datetime(2026, 12, 14, 14, 0, tzinfo=TOKYO)


#: An extended MKCOL that makes a calendar collection (RFC 5689).
MKCALENDAR = """<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:resourcetype><D:collection/><C:calendar/></D:resourcetype>
    <D:displayname>ケース会議</D:displayname>
  </D:prop></D:set>
</D:mkcol>"""
