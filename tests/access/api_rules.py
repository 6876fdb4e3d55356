"""Expected answers of every /api/v1 endpoint to a GET, per actor (read by the access matrix).

Each value is the status of ``GET url_for(endpoint, ...)`` sent with the actor's bearer token
(none for ``anonymous``), where every id in the URL is that of a case involving the department
of ``staff`` and ``manager`` (its resident for ``resident_id``; any existing user or department
for the admin URLs). ``outsider`` is staff of a department not involved in that case.

The token is checked before anything else, so ``anonymous`` always gets 401. An endpoint that
takes no GET shares its URL with the GET endpoint noted beside it, or answers 405.
"""

from __future__ import annotations


def is_api(endpoint: str) -> bool:
    """An endpoint of the JSON API: a package's blueprint (``mailbox_api.…``, ``cases_api.…``)
    or the temporary ``api`` blueprint of the APIs not yet moved into their packages."""
    return endpoint.split(".", 1)[0] == "api" or endpoint.split(".", 1)[0].endswith("_api")


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
#: A URL that takes no GET at all.
NO_GET = {"anonymous": 401, "staff": 405, "manager": 405, "admin": 405, "outsider": 405}

API_RULES: dict[str, dict[str, int]] = {
    "openapi_api.openapi": dict(EVERY_USER),
    "reference_api.me": dict(EVERY_USER),
    "reference_api.list_claim_types": dict(EVERY_USER),
    "reference_api.list_departments": dict(EVERY_USER),
    "admin_api.create_department": dict(EVERY_USER),  # POST; GET /departments lists them
    "admin_api.update_department": dict(NO_GET),  # PATCH /departments/<id>
    "residents_api.list_residents": dict(CASE_WORKERS),
    "residents_api.create_resident": dict(CASE_WORKERS),  # POST; GET /residents lists them
    "residents_api.search_residents": dict(NO_GET),  # POST /residents/search
    "residents_api.show_resident": dict(INVOLVED_ONLY),
    "residents_api.update_resident": dict(INVOLVED_ONLY),  # PATCH; GET /residents/<id> shows it
    "cases_api.list_cases": dict(CASE_WORKERS),
    "cases_api.create_case": dict(CASE_WORKERS),  # POST; GET /cases lists them
    "cases_api.search_cases": dict(NO_GET),  # POST /cases/search
    "cases_api.show_case": dict(INVOLVED_ONLY),
    "cases_api.update_case": dict(INVOLVED_ONLY),  # PATCH; GET /cases/<id> shows it
    "api.add_case_departments": dict(NO_GET),  # POST /cases/<id>/departments
    "admin_api.list_users": dict(ADMINS_ONLY),
    "admin_api.create_user": dict(ADMINS_ONLY),  # POST; GET /users lists them
    "admin_api.update_user": dict(NO_GET),  # PATCH /users/<id>
    # Hearing sheets and 共通目安 (the fixture case has no sheet yet).
    "api.show_sheet": dict(NO_SHEET_YET),
    "api.list_sheet_versions": dict(INVOLVED_ONLY),
    "api.create_sheet_version": dict(INVOLVED_ONLY),  # POST; GET …/sheet/versions lists them
    "api.compare_sheet_versions": dict(NEEDS_QUERY),  # ?from=&to=
    "api.calculate_sheet": dict(NO_GET),  # POST …/sheet/calculate
    "api.show_criteria": dict(INVOLVED_ONLY),
    "api.update_criteria": dict(INVOLVED_ONLY),  # PUT; GET …/criteria shows them
    # Consents (consent_id: a draft of the resident without a form yet).
    "api.list_consents": dict(INVOLVED_ONLY),
    "api.create_consent": dict(INVOLVED_ONLY),  # POST; GET …/consents lists them
    "api.show_consent": dict(INVOLVED_ONLY),
    "api.update_consent": dict(INVOLVED_ONLY),  # PATCH; GET …/consents/<id> shows it
    "api.generate_consent_form": dict(NO_GET),  # POST …/form
    "api.discard_consent_form": dict(NO_GET),  # DELETE …/form
    "api.upload_consent_scan": dict(NO_GET),  # POST multipart
    "api.activate_consent": dict(NO_GET),
    "api.withdraw_consent": dict(NO_GET),
    "api.download_consent_form_pdf": dict(NO_FILE_YET),
    "api.download_consent_form_docx": dict(NO_FILE_YET),
    "api.download_consent_scan": dict(NO_FILE_YET),
    "api.check_consent": dict(NO_GET),  # POST …/consent-check
    "api.list_sharing_requests": dict(INVOLVED_ONLY),
    "api.create_sharing_request": dict(INVOLVED_ONLY),  # POST; GET lists them
    # The mailbox (message_id: a notice from the staff's department to the partner;
    # document_id: its attached file).
    "mailbox_api.inbox_page": dict(CASE_WORKERS),
    "mailbox_api.search_inbox": dict(NO_GET),  # POST /mailbox/search
    "mailbox_api.mailbox_counts": dict(CASE_WORKERS),
    "mailbox_api.sent_box": dict(CASE_WORKERS),
    "mailbox_api.owed": dict(CASE_WORKERS),
    "mailbox_api.open_requests": dict(CASE_WORKERS),
    "mailbox_api.unopened": dict(CASE_WORKERS),
    "mailbox_api.send_message": dict(NO_GET),  # POST /messages
    "mailbox_api.show_message": dict(INVOLVED_ONLY),
    "mailbox_api.show_message_document": dict(INVOLVED_ONLY),
    "mailbox_api.acknowledge_message": dict(NO_GET),
    "mailbox_api.triage_message": dict(NO_GET),
    "mailbox_api.send_feedback": dict(NO_GET),
    "mailbox_api.decline_request": dict(NO_GET),
    "mailbox_api.approve_message": dict(NO_GET),
    "mailbox_api.return_message": dict(NO_GET),
    "mailbox_api.request_sharing": dict(NO_GET),  # POST /cases/<id>/sharing-requests
    "mailbox_api.case_timeline": dict(INVOLVED_ONLY),
    "mailbox_api.recipient_options": dict(INVOLVED_ONLY),
    "mailbox_api.list_notifications": dict(CASE_WORKERS),
    "mailbox_api.read_notifications": dict(NO_GET),  # POST /notifications/read
}
