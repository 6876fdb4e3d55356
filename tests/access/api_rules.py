"""Expected answers of every /api/v1 endpoint to a GET, per actor (read by the access matrix).

Keyed by operationId (the view function's name, whichever package's blueprint it is on).
Each value is the status of ``GET url_for(endpoint, ...)`` sent with the actor's bearer token
(none for ``anonymous``), where every id in the URL is that of a case involving the department
of ``staff`` and ``manager`` (its resident for ``resident_id``; any existing user or department
for the admin URLs). ``outsider`` is staff of a department not involved in that case.

The token is checked before anything else, so ``anonymous`` always gets 401. An endpoint that
takes no GET shares its URL with the GET endpoint noted beside it, or answers 405.
"""

from __future__ import annotations

#: Anyone with a token: reference data, one's own account, the OpenAPI document.
EVERY_USER = {"anonymous": 401, "staff": 200, "manager": 200, "admin": 200, "outsider": 200}
#: The department's own lists: an outsider gets its own (here empty) list; administrators
#: read no residents or cases.
CASE_WORKERS = {"anonymous": 401, "staff": 200, "manager": 200, "admin": 403, "outsider": 200}
#: One resident or case: only involved departments see it; to others it does not exist.
INVOLVED_ONLY = {"anonymous": 401, "staff": 200, "manager": 200, "admin": 403, "outsider": 404}
#: Administration.
ADMINS_ONLY = {"anonymous": 401, "staff": 403, "manager": 403, "admin": 200, "outsider": 403}
#: A file of a draft that has none yet: 404 to those who see the resident.
NO_FILE_YET = {"anonymous": 401, "staff": 404, "manager": 404, "admin": 403, "outsider": 404}
#: The hearing sheet of a case that has none yet: 404 to those who see the case.
NO_SHEET_YET = {"anonymous": 401, "staff": 404, "manager": 404, "admin": 403, "outsider": 404}
#: A GET that needs query parameters: without them 400, once the case is known to be visible.
NEEDS_QUERY = {"anonymous": 401, "staff": 400, "manager": 400, "admin": 403, "outsider": 404}
#: A study session's route asked about a conference (409 not_study).
NOT_STUDY = {"anonymous": 401, "staff": 409, "manager": 409, "admin": 403, "outsider": 404}
#: A URL that takes no GET at all.
NO_GET = {"anonymous": 401, "staff": 405, "manager": 405, "admin": 405, "outsider": 405}

API_RULES: dict[str, dict[str, int]] = {
    "openapi": dict(EVERY_USER),
    "me": dict(EVERY_USER),
    "list_claim_types": dict(EVERY_USER),
    "list_departments": dict(EVERY_USER),
    "create_department": dict(EVERY_USER),  # POST; GET /departments lists them
    "update_department": dict(NO_GET),  # PATCH /departments/<id>
    "list_residents": dict(CASE_WORKERS),
    "create_resident": dict(CASE_WORKERS),  # POST; GET /residents lists them
    "search_residents": dict(NO_GET),  # POST /residents/search
    "show_resident": dict(INVOLVED_ONLY),
    "update_resident": dict(INVOLVED_ONLY),  # PATCH; GET /residents/<id> shows it
    "list_cases": dict(CASE_WORKERS),
    "create_case": dict(CASE_WORKERS),  # POST; GET /cases lists them
    "search_cases": dict(NO_GET),  # POST /cases/search
    "show_case": dict(INVOLVED_ONLY),
    "update_case": dict(INVOLVED_ONLY),  # PATCH; GET /cases/<id> shows it
    "add_case_departments": dict(NO_GET),  # POST /cases/<id>/departments
    "list_users": dict(ADMINS_ONLY),
    "create_user": dict(ADMINS_ONLY),  # POST; GET /users lists them
    "update_user": dict(NO_GET),  # PATCH /users/<id>
    # Hearing sheets and 共通目安 (the fixture case has no sheet yet).
    "show_sheet": dict(NO_SHEET_YET),
    "list_sheet_versions": dict(INVOLVED_ONLY),
    "create_sheet_version": dict(INVOLVED_ONLY),  # POST; GET …/sheet/versions lists them
    "compare_sheet_versions": dict(NEEDS_QUERY),  # ?from=&to=
    "calculate_sheet": dict(NO_GET),  # POST …/sheet/calculate
    "show_criteria": dict(INVOLVED_ONLY),
    "update_criteria": dict(INVOLVED_ONLY),  # PUT; GET …/criteria shows them
    # Consents (consent_id: a draft of the resident without a form yet).
    "list_consents": dict(INVOLVED_ONLY),
    "create_consent": dict(INVOLVED_ONLY),  # POST; GET …/consents lists them
    "show_consent": dict(INVOLVED_ONLY),
    "update_consent": dict(INVOLVED_ONLY),  # PATCH; GET …/consents/<id> shows it
    "generate_consent_form": dict(NO_GET),  # POST …/form
    "discard_consent_form": dict(NO_GET),  # DELETE …/form
    "upload_consent_scan": dict(NO_GET),  # POST multipart
    "activate_consent": dict(NO_GET),
    "withdraw_consent": dict(NO_GET),
    "download_consent_form_pdf": dict(NO_FILE_YET),
    "download_consent_form_docx": dict(NO_FILE_YET),
    "download_consent_scan": dict(NO_FILE_YET),
    "check_consent": dict(NO_GET),  # POST …/consent-check
    "list_sharing_requests": dict(INVOLVED_ONLY),
    "create_sharing_request": dict(INVOLVED_ONLY),  # POST; GET lists them
    # The mailbox (message_id: a notice from the staff's department to the partner;
    # document_id: its attached file).
    "inbox_page": dict(CASE_WORKERS),
    "search_inbox": dict(NO_GET),  # POST /mailbox/search
    "mailbox_counts": dict(CASE_WORKERS),
    "sent_box": dict(CASE_WORKERS),
    "owed": dict(CASE_WORKERS),
    "open_requests": dict(CASE_WORKERS),
    "unopened": dict(CASE_WORKERS),
    "send_message": dict(NO_GET),  # POST /messages
    "show_message": dict(INVOLVED_ONLY),
    "show_message_document": dict(INVOLVED_ONLY),
    "acknowledge_message": dict(NO_GET),
    "triage_message": dict(NO_GET),
    "send_feedback": dict(NO_GET),
    "decline_request": dict(NO_GET),
    "approve_message": dict(NO_GET),
    "return_message": dict(NO_GET),
    "request_sharing": dict(NO_GET),  # POST /cases/<id>/sharing-requests
    "case_timeline": dict(INVOLVED_ONLY),
    "recipient_options": dict(INVOLVED_ONLY),
    "list_notifications": dict(CASE_WORKERS),
    "read_notifications": dict(NO_GET),  # POST /notifications/read
    # Printouts (the message is a notice with a file: it carries no form to print).
    "print_message": dict(NO_FILE_YET),
    "list_disclosures": dict(INVOLVED_ONLY),
    "print_disclosures": dict(INVOLVED_ONLY),
    "print_sheet": dict(NO_SHEET_YET),
    "list_handout_windows": dict(INVOLVED_ONLY),
    # No window in use is suggested for the fixture resident: nothing to print (400).
    "print_handout": dict(NEEDS_QUERY),
    # Case packets: the staff's department leads the case; ``packet_id`` is its queued packet
    # (not made yet: its file is refused with the reason, 409).
    "list_packet_recipients": dict(INVOLVED_ONLY),
    "create_packet": dict(NO_GET),  # POST /cases/<id>/packets
    "show_packet": dict(INVOLVED_ONLY),
    "download_packet": {
        "anonymous": 401,
        "staff": 409,
        "manager": 409,
        "admin": 403,
        "outsider": 404,
    },
    # ケース会議 (meeting_id: a poll the staff's department organises on the case).
    "list_meetings": dict(CASE_WORKERS),
    "list_case_meetings": dict(INVOLVED_ONLY),
    "propose_meeting": dict(INVOLVED_ONLY),  # POST; GET …/meetings lists them
    "show_meeting": dict(INVOLVED_ONLY),
    "answer_meeting": dict(NO_GET),  # PUT …/answers
    "choose_meeting_slot": dict(NO_GET),
    "move_meeting": dict(NO_GET),
    "add_meeting_department": dict(NO_GET),
    "remove_meeting_department": dict(NO_GET),  # DELETE …/departments/<id>
    "set_meeting_people": dict(NO_GET),  # PUT …/people
    "cancel_meeting": dict(NO_GET),
    "record_meeting_minutes": dict(NO_GET),
    # 勉強会 (series_id: a series of the staff's department and the partner; meeting_id is a
    # conference, which the study routes refuse: 409).
    "list_study_series": dict(EVERY_USER),
    "create_study_series": dict(EVERY_USER),  # POST; GET /study-series lists them
    "show_study_series": {
        "anonymous": 401,
        "staff": 200,
        "manager": 200,
        "admin": 200,
        "outsider": 404,
    },
    "propose_study_session": dict(NO_GET),
    "record_study_attendance": dict(NO_GET),  # PUT …/attendance
    "list_study_materials": NOT_STUDY,
    "study_session_report": NOT_STUDY,
    # 管理 → 相談先.
    "list_windows": dict(ADMINS_ONLY),
    "create_window": dict(ADMINS_ONLY),  # POST; GET /admin/windows lists them
    "show_window": dict(ADMINS_ONLY),
    "update_window": dict(ADMINS_ONLY),  # PUT; GET /admin/windows/<id> shows it
    # 連携状況: managers (their department) and the administrator (the city); counts only.
    "collaboration_report": {
        "anonymous": 401,
        "staff": 403,
        "manager": 200,
        "admin": 200,
        "outsider": 403,
    },
}
