"""Printouts over the API: the form a message carries, and a resident's 提供記録."""

from __future__ import annotations

from flask import Response

from hub.api.auth import api_user
from hub.api.blueprint import errors, file_responses
from hub.api.models import MessagePath, ResidentPath, respond
from hub.documents.printing.output import MIMETYPES
from hub.documents.printing.schemas import PrintQuery
from hub.mailbox import disclosures, printing
from hub.mailbox.api import bp
from hub.mailbox.api.schemas.printouts import (
    DisclosurePrintQuery,
    DisclosureRecord,
    PeriodQuery,
)
from hub.web import db


@bp.get(
    "/messages/<int:message_id>/print",
    responses=file_responses(*MIMETYPES.values(), codes=(403, 404, 409)),
)
def print_message(path: MessagePath, query: PrintQuery) -> Response:
    """The policy, フィードバック票 or 情報共有依頼書 a message carries, as sent (404 when it
    carries none of them, 409 once recalled)."""
    return printing.print_message(db(), api_user(), path.message_id, query.format).response()


@bp.get(
    "/residents/<int:resident_id>/disclosures",
    responses={200: DisclosureRecord, **errors(403, 404)},
)
def list_disclosures(path: ResidentPath, query: PeriodQuery) -> Response:
    """The resident's 提供記録: the provisions the user's department made or received."""
    found = disclosures.record(
        db(),
        api_user(),
        path.resident_id,
        period_from=query.period_from,
        period_to=query.period_to,
    )
    return respond(DisclosureRecord.of(found))


@bp.get(
    "/residents/<int:resident_id>/disclosures/print", responses=file_responses(*MIMETYPES.values())
)
def print_disclosures(path: ResidentPath, query: DisclosurePrintQuery) -> Response:
    """The printed 提供記録, for a 開示請求 or the resident's own copy."""
    printout = disclosures.print_record(
        db(),
        api_user(),
        path.resident_id,
        purpose=query.purpose,
        fmt=query.format,
        period_from=query.period_from,
        period_to=query.period_to,
        request_number=query.number,
    )
    return printout.response()
