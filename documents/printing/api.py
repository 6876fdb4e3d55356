"""Printing over the API: the hearing sheet and the 相談先のご案内 as files, and case packets.

The same services as the screens (hub.documents.printing), so the same cuts to what the
consent lets the reader's department see, the same lead-only packets and the same audits.
A packet's file is fetched with the token (no signed link: the link is the browser's way of
carrying the user); consent is asked again before every download, as on the page.
"""

from __future__ import annotations

from flask import Response, url_for
from pydantic import BaseModel, Field

from hub import jp
from hub.api.auth import api_user
from hub.api.blueprint import api_blueprint, case_workers_only, errors, file_responses
from hub.api.models import CasePath, Query, ResidentPath, respond
from hub.clock import from_config
from hub.documents.printing import delivery, handout, jobs, sheet
from hub.documents.printing.output import MIMETYPES
from hub.documents.printing.schemas import (
    HandoutChoice,
    HandoutChoices,
    HandoutPrintQuery,
    PacketInput,
    PacketOut,
    PacketRecipient,
    PacketRecipients,
    SheetPrintQuery,
)
from hub.web import config, db, send_stored

bp = api_blueprint(
    "printing_api",
    __name__,
    "印刷・ケース記録一式",
    "ヒアリングシート・相談先のご案内の PDF/Word、ケース記録一式（同意の範囲で作成）",
)
case_workers_only(bp, "case")

PRINTED = file_responses(*MIMETYPES.values())


class PacketPath(BaseModel):
    packet_id: int = Field(ge=1, description="ケース記録一式のID")


def _now():
    return from_config(config().fixed_now).now()


@bp.get("/cases/<int:case_id>/sheet/print", responses=PRINTED)
def print_sheet(path: CasePath, query: SheetPrintQuery) -> Response:
    """The hearing sheet's version (latest by default) as PDF or Word, cut for the reader."""
    found = sheet.print_sheet(db(), api_user(), path.case_id, query.version, query.format)
    return found.response()


@bp.get("/residents/<int:resident_id>/handout", responses={200: HandoutChoices, **errors(403, 404)})
def list_handout_windows(path: ResidentPath, query: Query) -> Response:
    """The 相談先 in use, those the resident's situation suggests first reasons given."""
    _resident, found = handout.choices(db(), api_user(), path.resident_id)
    items = [HandoutChoice.of(c) for c in found]
    return respond(HandoutChoices(max_windows=handout.MAX_WINDOWS, items=items))


@bp.get("/residents/<int:resident_id>/handout/print", responses=PRINTED)
def print_handout(path: ResidentPath, query: HandoutPrintQuery) -> Response:
    """The 相談先のご案内 with the chosen windows (else the suggested ones) as PDF or Word."""
    chosen = [str(i) for i in query.window]
    found = handout.print_handout(db(), api_user(), path.resident_id, chosen, query.format)
    return found.response()


@bp.get(
    "/cases/<int:case_id>/packets/recipients", responses={200: PacketRecipients, **errors(403, 404)}
)
def list_packet_recipients(path: CasePath, query: Query) -> Response:
    """Who a packet can be made for today and what each may be given (the case's lead only)."""
    found = jobs.recipients(db(), api_user(), path.case_id, jp.today())
    return respond(PacketRecipients(items=[PacketRecipient.of(o) for o in found]))


@bp.post("/cases/<int:case_id>/packets", responses={201: PacketOut, **errors(403, 404, 409)})
def create_packet(path: CasePath, body: PacketInput) -> Response:
    """Make a case packet for the lead itself or, within consent, for another department
    (409 ``nothing_to_give`` when the consent gives it nothing). A small one is made at once,
    a large one by the scheduler: follow ``GET /packets/{id}`` until ``finished``."""
    user = api_user()
    data = body.model_dump(exclude_none=True)
    job = jobs.request_packet(db(), user, path.case_id, data, today=jp.today(), now=_now())
    state = delivery.state(db(), user, job, jp.today())
    return respond(PacketOut.of(state), 201, url_for(".show_packet", packet_id=job.id))


@bp.get("/packets/<int:packet_id>", responses={200: PacketOut, **errors(403, 404)})
def show_packet(path: PacketPath, query: Query) -> Response:
    """A packet's progress and whether it may be downloaded today, and why not."""
    user = api_user()
    job = delivery.get_job(db(), user, path.packet_id, "packet.status")
    return respond(PacketOut.of(delivery.state(db(), user, job, jp.today())))


@bp.get(
    "/packets/<int:packet_id>/file",
    responses=file_responses(*MIMETYPES.values(), codes=(403, 404, 409)),
)
def download_packet(path: PacketPath, query: Query) -> Response:
    """The packet's file, consent asked again (409 ``packet_unavailable`` with the reasons);
    the first download of a paper packet is recorded as the provision (紙で提供)."""
    user = api_user()
    job = delivery.get_job(db(), user, path.packet_id, "packet.download")
    delivery.release(db(), user, job, jp.today(), _now())
    assert job.stored_file is not None  # release refuses a packet without its file
    return send_stored(db(), job.stored_file)
