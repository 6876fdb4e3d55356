"""Expected HTTP status of every HTML route for each actor: the web half of the access matrix.

A key is an endpoint, or ``"METHOD endpoint"`` when the methods of one endpoint answer
differently; the method-specific key wins. ``api_rules.API_RULES`` has the same shape. The test
(test_matrix.py) fills URL arguments from one fixture:

- ``staff`` and ``manager`` belong to the department that registered the resident and leads
  the case; ``outsider`` is staff of a department not involved in either;
- ``admin`` configures the hub and reads no case contents; ``anonymous`` has no session;
- ``case_id``/``resident_id`` are that case and resident, ``department_id`` is the staff's
  department, ``user_id`` the staff user, ``token_id`` one of the staff user's API tokens;
- GET carries no query; POST carries a valid CSRF token and an otherwise empty form, so a
  form route that lets the actor in answers 400 (nothing to save).

Anonymous GETs are sent to the login page (302) and anonymous POSTs get 401. Someone outside the
case gets 404, never 403, so that whether a case or resident exists does not leak.
"""

from __future__ import annotations

ACTORS = ("anonymous", "staff", "manager", "admin", "outsider")


def _r(anonymous: int, staff: int, manager: int, admin: int, outsider: int) -> dict[str, int]:
    return dict(zip(ACTORS, (anonymous, staff, manager, admin, outsider), strict=True))


#: Admin screens: only the administrator gets in.
_ADMIN_GET = _r(302, 403, 403, 200, 403)


def _admin_post(admin: int) -> dict[str, int]:
    return _r(401, 403, 403, admin, 403)


# fmt: off
WEB_RULES: dict[str, dict[str, int]] = {
    #                                anon staff mgr admin outsider
    "health":                     _r(200, 200, 200, 200, 200),
    "font":                       _r(200, 200, 200, 200, 200),
    "GET auth.login":             _r(200, 302, 302, 302, 302),  # logged in: to the dashboard
    "POST auth.login":            _r(401, 401, 401, 401, 401),  # no credentials
    "auth.logout":                _r(401, 302, 302, 302, 302),
    "auth.account":               _r(302, 200, 200, 200, 200),
    "auth.change_password":       _r(401, 400, 400, 400, 400),
    "auth.create_token":          _r(401, 400, 400, 400, 400),
    # The token is the staff user's own: anyone else is told it does not exist.
    "auth.revoke_token":          _r(401, 302, 404, 404, 404),
    "dashboard.index":            _r(302, 200, 200, 200, 200),
    # Residents: the registering department sees them, other departments see their own list.
    "residents.index":            _r(302, 200, 200, 403, 200),
    # Search and clear only keep the term in the session; the list they lead to is refused.
    "residents.search":           _r(401, 302, 302, 302, 302),
    "residents.clear_search":     _r(401, 302, 302, 302, 302),
    "GET residents.create":       _r(302, 200, 200, 403, 200),
    "POST residents.create":      _r(401, 400, 400, 403, 400),
    "residents.show":             _r(302, 200, 200, 403, 404),
    "GET residents.edit":         _r(302, 200, 200, 403, 404),
    "POST residents.edit":        _r(401, 400, 400, 403, 404),
    # Cases: involved departments only.
    "cases.index":                _r(302, 200, 200, 403, 200),
    "cases.search":               _r(401, 302, 302, 302, 302),
    "cases.clear_search":         _r(401, 302, 302, 302, 302),
    "GET cases.create":           _r(302, 200, 200, 403, 200),
    "POST cases.create":          _r(401, 400, 400, 403, 400),
    "cases.show":                 _r(302, 200, 200, 403, 404),
    "cases.update":               _r(401, 302, 302, 403, 404),  # empty form: nothing changes
    "membership.join":            _r(401, 400, 400, 403, 404),  # no department chosen
    # Administration.
    "admin.index":                _ADMIN_GET,
    "admin.departments":          _ADMIN_GET,
    "GET admin.new_department":   _ADMIN_GET,
    "POST admin.new_department":  _admin_post(400),
    "GET admin.edit_department":  _ADMIN_GET,
    "POST admin.edit_department": _admin_post(400),
    "admin.users":                _ADMIN_GET,
    "GET admin.new_user":         _ADMIN_GET,
    "POST admin.new_user":        _admin_post(400),
    "GET admin.edit_user":        _ADMIN_GET,
    "POST admin.edit_user":       _admin_post(400),
    "admin.disable_user":         _admin_post(302),
    "admin.enable_user":          _admin_post(302),
    "admin.reset_password":       _admin_post(200),  # shows the temporary password once
    "admin.claim_types":          _ADMIN_GET,
    "GET admin.settings":         _ADMIN_GET,
    "POST admin.settings":        _admin_post(400),  # no setting named
    # Hearing sheet and 共通目安: involved departments only. The fixture case has no sheet
    # yet: the pages say so (200); saving an empty sheet or judging without one is 400.
    "hearing.show":               _r(302, 200, 200, 403, 404),
    "GET hearing.edit":           _r(302, 200, 200, 403, 404),
    "POST hearing.edit":          _r(401, 400, 400, 403, 404),
    "hearing.compare":            _r(302, 200, 200, 403, 404),
    "GET hearing.criteria":       _r(302, 200, 200, 403, 404),
    "POST hearing.criteria":      _r(401, 400, 400, 403, 404),
    # Consents: whoever sees the resident. ``consent_id`` is a draft (own → partner) taken by
    # the staff's department, without a form yet; an empty form is refused (400), a step the
    # draft is not ready for is a conflict (409). Generating the form succeeds (302).
    "GET consents.new":           _r(302, 200, 200, 403, 404),
    "POST consents.new":          _r(401, 400, 400, 403, 404),
    "consents.show":              _r(302, 200, 200, 403, 404),
    "GET consents.edit":          _r(302, 200, 200, 403, 404),
    "POST consents.edit":         _r(401, 400, 400, 403, 404),
    "consents.generate":          _r(401, 302, 302, 403, 404),
    "consents.discard_form":      _r(401, 409, 409, 403, 404),  # no form yet
    "consents.upload_scan":       _r(401, 400, 400, 403, 404),  # no file
    "consents.activate":          _r(401, 409, 409, 403, 404),  # no signed scan
    "consents.withdraw":          _r(302, 409, 409, 403, 404),  # a draft is not withdrawn
    "POST consents.withdraw":     _r(401, 409, 409, 403, 404),
    "consents.download":          _r(302, 403, 403, 403, 404),  # no signed link
    "GET consents.new_sharing_request":  _r(302, 200, 200, 403, 404),
    "POST consents.new_sharing_request": _r(401, 400, 400, 403, 404),
    # Mailbox: ``message_id`` is a notice the staff's department sent to the partner, with one
    # attached file (``document_id``). The sender's department reads its own copy; a recipient's
    # actions (acknowledge, triage, feedback, decline) are a conflict for the sender (409); the
    # outsider is told it does not exist (404); administrators read no messages (403).
    "mailbox.inbox_page":         _r(302, 200, 200, 403, 200),
    "mailbox.search":             _r(401, 302, 302, 302, 302),  # only keeps the words
    "mailbox.clear_search":       _r(401, 302, 302, 302, 302),
    "mailbox.sent":               _r(302, 200, 200, 403, 200),
    "mailbox.show":               _r(302, 200, 200, 403, 404),
    "mailbox.document":           _r(302, 200, 200, 403, 404),
    "mailbox.own_sheet":          _r(401, 409, 409, 403, 404),  # a notice's file: no sheet
    "mailbox.acknowledge":        _r(401, 409, 409, 403, 404),
    "mailbox.triage":             _r(401, 409, 409, 403, 404),
    "mailbox.feedback":           _r(401, 409, 409, 403, 404),
    "mailbox.decline":            _r(401, 409, 409, 403, 404),
    "GET mailbox.compose_page":   _r(302, 200, 200, 403, 200),
    "POST mailbox.compose_page":  _r(401, 400, 400, 403, 400),
    "mailbox.options":            _r(302, 200, 200, 403, 200),
    "GET mailbox.request_sharing":  _r(302, 200, 200, 403, 404),
    "POST mailbox.request_sharing": _r(401, 400, 400, 403, 404),
    # Approvals are the managers' (a sent notice is not pending: 409).
    "mailbox.approvals":          _r(302, 403, 200, 403, 403),
    "mailbox.approve":            _r(401, 403, 409, 403, 403),
    "mailbox.return_to_sender":   _r(401, 403, 409, 403, 403),
    "mailbox.notifications":      _r(302, 200, 200, 403, 200),
    "mailbox.mark_read":          _r(401, 302, 302, 403, 302),
    "mailbox.followups":          _r(302, 200, 200, 403, 200),
    # ``notification_id`` is the staff user's own: it leads to its message (302); anyone
    # else's is "not found"; administrators have no notifications.
    "mailbox.open_notification":  _r(302, 302, 404, 403, 404),
    # Printing. The fixture case has no sheet yet (404, said in Japanese); the directory of
    # counselling windows is empty, so a handout has nothing to print (400). The message is a
    # notice with a file: it carries no form to print (404).
    "printing.sheet_file":        _r(302, 404, 404, 403, 404),
    "printing.handout_form":      _r(302, 200, 200, 403, 404),
    "printing.handout_file":      _r(302, 400, 400, 403, 404),
    "printouts.message":          _r(302, 404, 404, 403, 404),
    "printouts.disclosure_page":  _r(302, 200, 200, 403, 404),
    "printouts.disclosure_file":  _r(302, 200, 200, 403, 404),
    # Case packets: the lead makes them (an empty form: 400). ``packet_id`` is a queued
    # packet of the staff's department: its department sees it, anyone else is told it does
    # not exist; a download needs the signed link (403 without).
    "GET printing.packet_form":   _r(302, 200, 200, 403, 404),
    "POST printing.packet_form":  _r(401, 400, 400, 403, 404),
    "printing.packet":            _r(302, 200, 200, 403, 404),
    "printing.packet_status":     _r(302, 200, 200, 403, 404),
    "printing.download":          _r(302, 403, 403, 403, 404),
    # 管理 → 相談先 (``window_id`` is one window of the directory).
    "windows.index":              _ADMIN_GET,
    "GET windows.new":            _ADMIN_GET,
    "POST windows.new":           _admin_post(400),
    "GET windows.edit":           _ADMIN_GET,
    "POST windows.edit":          _admin_post(400),
    # Scheduler: 管理 → ジョブ is the administrator's (``name`` is the outbox job, ``mail_id``
    # a failed mail); the consents ending soon are each department's own list.
    "scheduler.index":            _ADMIN_GET,
    "scheduler.run":              _admin_post(302),
    "scheduler.retry_mail":       _admin_post(302),
    "scheduler.ending":           _r(302, 200, 200, 403, 200),
    # ケース会議: ``meeting_id`` is a poll the staff's department organises on the case, with
    # the partner. Empty forms are refused (400); a poll has no .ics yet (409). The calendar
    # is each department's own; the outsider is told the meeting does not exist.
    "GET meetings.propose":       _r(302, 200, 200, 403, 404),
    "POST meetings.propose":      _r(401, 400, 400, 403, 404),
    "meetings.show":              _r(302, 200, 200, 403, 404),
    "meetings.answer":            _r(401, 400, 400, 403, 404),
    "meetings.choose":            _r(401, 400, 400, 403, 404),
    "meetings.move":              _r(401, 400, 400, 403, 404),
    "meetings.cancel":            _r(401, 400, 400, 403, 404),  # not confirmed
    "meetings.add_department":    _r(401, 400, 400, 403, 404),
    "meetings.remove_department": _r(401, 400, 400, 403, 404),
    "meetings.set_people":        _r(401, 302, 302, 403, 404),  # none named: a valid answer
    "meetings.ics_file":          _r(302, 409, 409, 403, 404),
    "meetings.record_minutes":    _r(401, 409, 409, 403, 404),  # a poll has no minutes yet
    "meetings.minutes_file":      _r(302, 404, 404, 403, 404),
    "meetings.index":             _r(302, 200, 200, 403, 200),
    # 勉強会: ``series_id`` is a series of the staff's department and the partner; a manager
    # or the administrator defines series and starts a poll (302: it starts), staff may not
    # (403); the outsider is told the series does not exist. ``meeting_id`` is a conference:
    # the study session's routes refuse it (409).
    "meetings.study_index":       _r(302, 200, 200, 200, 200),
    "GET meetings.study_new":     _r(302, 403, 200, 200, 403),
    "POST meetings.study_new":    _r(401, 403, 400, 400, 403),
    "meetings.study_series":      _r(302, 200, 200, 200, 404),
    "meetings.study_propose":     _r(401, 403, 302, 302, 404),
    "meetings.study_stop":        _r(401, 403, 400, 400, 404),  # not confirmed
    "meetings.study_attendance":  _r(401, 409, 409, 403, 404),
    "meetings.study_material_add": _r(401, 409, 409, 403, 404),
    "meetings.study_material":    _r(302, 409, 409, 403, 404),
    "meetings.study_report":      _r(302, 409, 409, 403, 404),
    # 連携状況: counts only; a manager their department's, the administrator the city's.
    "reports.collaboration":      _r(302, 403, 200, 200, 403),
    "reports.collaboration_csv":  _r(302, 403, 200, 200, 403),
    "reports.collaboration_pdf":  _r(302, 403, 200, 200, 403),
}
# fmt: on
