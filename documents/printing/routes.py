"""Printing screens: the hearing sheet as PDF/Word, the 相談先のご案内 handout, and case
packets (the form, the progress of a packet being made, the signed download).

Each route loads and checks through a service (404 for other departments, 403 for
administrators), calls it and answers; the files' names hold no personal data.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import (
    Blueprint,
    Response,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from hub import jp, settings
from hub.cases.services import get_visible, require_lead
from hub.clock import from_config
from hub.documents.printing import delivery, handout, jobs, links, sheet
from hub.documents.printing import settings as packet_settings
from hub.documents.printing.models import PacketJob
from hub.errors import HubError, NotFound
from hub.web import actor, config, db, send_stored

bp = Blueprint("printing", __name__)


def _version() -> int | None:
    raw = request.args.get("version", "")
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and int(raw) > 0):
        raise NotFound()
    return int(raw)


@bp.get("/cases/<int:case_id>/sheet/print")
def sheet_file(case_id: int) -> Response:
    """The sheet's version (latest by default) as PDF or Word, cut for the reader."""
    return sheet.print_sheet(
        db(), actor(), case_id, _version(), request.args.get("format")
    ).response()


# ------------------------------------------------------------------------- handout


@bp.get("/residents/<int:resident_id>/handout")
def handout_form(resident_id: int):
    """Choose the windows for the resident's handout (the suggested ones ticked)."""
    resident, found = handout.choices(db(), actor(), resident_id)
    return render_template(
        "documents/printing/handout.html",
        resident=resident,
        choices=found,
        max_windows=handout.MAX_WINDOWS,
    )


@bp.get("/residents/<int:resident_id>/handout/print")
def handout_file(resident_id: int) -> Response:
    """The handout with the ticked windows (else the suggested ones)."""
    printout = handout.print_handout(
        db(), actor(), resident_id, request.args.getlist("window"), request.args.get("format")
    )
    return printout.response()


# -------------------------------------------------------------------------- packets


def _now():
    return from_config(config().fixed_now).now()


def _render_form(case, form, status: int = 200, exc: HubError | None = None):
    return render_template(
        "documents/printing/packet_form.html",
        case=case,
        options=jobs.options(db(), case, jp.today()),
        recent=_recent(case.id),
        form=form,
        errors=exc.fields if exc else {},
        refusal=exc.message if exc and not exc.fields else None,
    ), status


def _recent(case_id: int) -> list[PacketJob]:
    user = actor()
    return list(
        db().scalars(
            select(PacketJob)
            .where(PacketJob.case_id == case_id, PacketJob.department_id == user.department_id)
            .order_by(PacketJob.id.desc())
            .limit(10)
        )
    )


@bp.route("/cases/<int:case_id>/packet", methods=["GET", "POST"])
def packet_form(case_id: int):
    """Make a case packet for the case's own department or another one, within consent."""
    user = actor()
    if request.method == "GET":
        case = get_visible(db(), user, case_id, action="packet.form")
        require_lead(db(), user, case, "packet.form", jobs.WHAT)
        return _render_form(case, {"recipient_id": str(case.lead_department_id)})
    form = {name: request.form.get(name, "") for name in jobs.FIELDS}
    try:
        job = jobs.request_packet(db(), user, case_id, form, today=jp.today(), now=_now())
    except HubError as exc:
        if exc.status in (403, 404):
            raise
        db().rollback()
        case = get_visible(db(), user, case_id, action="packet.form")
        form.pop("password", None)  # never sent back to the browser
        return _render_form(case, form, exc.status, exc)
    # The page starts the download of a packet made at once (auto=1); a large one shows its
    # progress there first.
    return redirect(url_for(".packet", packet_id=job.id, auto=1))


def _download_url(job: PacketJob) -> str:
    token = links.sign(config().secret_key, job.id, actor().id)
    return url_for(".download", packet_id=job.id, t=token)


def _view(job: PacketJob) -> dict:
    """The packet's state with the links a browser needs (a fresh signed link each time)."""
    seen = delivery.state(db(), actor(), job, jp.today())
    view = asdict(seen)
    view["download_url"] = _download_url(job) if seen.downloadable else ""
    view["message_url"] = (
        url_for("mailbox.show", message_id=seen.message_id) if seen.message_id else ""
    )
    return view


@bp.get("/packets/<int:packet_id>")
def packet(packet_id: int):
    """A packet being made (progress bar) or made (its download link, or why not)."""
    job = delivery.get_job(db(), actor(), packet_id, "packet.view")
    minutes = settings.get(db(), packet_settings.LINK_MINUTES.key)
    return render_template(
        "documents/printing/packet.html",
        job=job,
        view=_view(job),
        link_minutes=minutes,
        auto=request.args.get("auto") == "1",
    )


@bp.get("/packets/<int:packet_id>/status")
def packet_status(packet_id: int) -> Response:
    """The progress as JSON for the page's script (ids and numbers, no personal data)."""
    job = delivery.get_job(db(), actor(), packet_id, "packet.status")
    return jsonify(_view(job))


@bp.get("/packets/<int:packet_id>/download")
def download(packet_id: int) -> Response:
    """The packet's file, after the signed link and the consent are checked again."""
    minutes = settings.get(db(), packet_settings.LINK_MINUTES.key)
    job = delivery.download(
        db(),
        actor(),
        packet_id,
        request.args.get("t", ""),
        secret_key=config().secret_key,
        link_minutes=minutes,
        today=jp.today(),
        now=_now(),
    )
    assert job.stored_file is not None
    return send_stored(db(), job.stored_file)
