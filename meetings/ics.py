"""Calendar files (.ics, RFC 5545) for a meeting: REQUEST on invitation and move, CANCEL.

The texts carry the kind of meeting and the case number only — never a resident's name or the
purpose; the hub's page (behind the login and the consent) has the content.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from hub.jp import TOKYO
from hub.meetings.models import Meeting
from hub.models import Department

PRODID = "-//Tsunagu Hub//Meetings//JA"
#: The alarm in the calendar: 30 minutes before.
ALARM_BEFORE = timedelta(minutes=30)
DESCRIPTION = "つなぐハブで調整した{title}です。議題・資料はつなぐハブで確認してください。"


def _address(department: Department, fallback_domain: str) -> str:
    return f"mailto:{department.contact_email or f'{department.code}@{fallback_domain}'}"


def _person(department: Department, domain: str, **params: str) -> vCalAddress:
    address = vCalAddress(_address(department, domain))
    address.params["CN"] = vText(department.name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def calendar(
    meeting: Meeting,
    departments: Sequence[Department],
    *,
    method: str,
    stamp: datetime,
    domain: str,
    link: str = "",
) -> str:
    """The meeting as an iCalendar text with ``method`` (REQUEST or CANCEL)."""
    if meeting.starts_at is None or meeting.ends_at is None:
        raise ValueError("a meeting without a decided slot has no calendar event")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at.astimezone(TOKYO))
    event.add("dtend", meeting.ends_at.astimezone(TOKYO))
    event.add("summary", meeting.title)
    event.add("description", DESCRIPTION.format(title=meeting.title))
    where = meeting.place or meeting.online_url
    if where:
        event.add("location", where)
    if meeting.online_url:
        event.add("url", meeting.online_url)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organiser = meeting.organiser
    event.add("organizer", _person(organiser, domain))
    for dept in departments:
        if dept.id == organiser.id:
            continue
        event.add(
            "attendee",
            _person(dept, domain, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="TRUE"),
        )
    if link:
        event.add("comment", link)
    if method != "CANCEL":
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", meeting.title)
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical().decode("utf-8")
