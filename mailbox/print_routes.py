"""Printouts of the mailbox: the policy, feedback or sharing request a message carries, and a
resident's 提供記録 (the page and the printed record). Blueprint ``printouts``."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from hub.documents.render.disclosures import PURPOSES
from hub.mailbox import disclosures, printing
from hub.web import actor, db

bp = Blueprint("printouts", __name__)


@bp.get("/mailbox/messages/<int:message_id>/print")
def message(message_id: int) -> Response:
    """The form a message carries (policy, feedback, request) as sent, as PDF or Word."""
    return printing.print_message(db(), actor(), message_id, request.args.get("format")).response()


@bp.get("/residents/<int:resident_id>/disclosures")
def disclosure_page(resident_id: int):
    """The resident's 提供記録 as far as the user's department made or received them."""
    found = disclosures.record(db(), actor(), resident_id)
    return render_template(
        "mailbox/disclosures.html",
        record=found,
        resident=found.resident,
        rows=list(zip(found.rows, found.messages, strict=True)),
        purposes=PURPOSES,
    )


@bp.get("/residents/<int:resident_id>/disclosures/print")
def disclosure_file(resident_id: int) -> Response:
    """The printed 提供記録 (開示請求 or the resident's own copy), as PDF or Word."""
    args = request.args
    printout = disclosures.print_record(
        db(),
        actor(),
        resident_id,
        purpose=args.get("purpose"),
        fmt=args.get("format"),
        period_from=args.get("from"),
        period_to=args.get("to"),
        request_number=args.get("number"),
    )
    return printout.response()
