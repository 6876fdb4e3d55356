"""A case's side of the mailbox: its exchanges, who it could go to, and sharing requests."""

from __future__ import annotations

from flask import Response

from hub import jp
from hub.api.auth import api_user
from hub.api.blueprint import errors
from hub.api.models import CasePath, respond
from hub.cases import services as cases
from hub.mailbox import checks, inbox, sharing_requests
from hub.mailbox.api import bp
from hub.mailbox.api.lists import load_people
from hub.mailbox.api.messages import SEND, SENT, answer_sent
from hub.mailbox.api.schemas import (
    CaseSharingRequestInput,
    KeyHeader,
    NoQuery,
    OptionsQuery,
    RecipientOption,
    RecipientOptions,
    Timeline,
    TimelineItem,
    with_key,
)
from hub.web import db


@bp.post(
    "/cases/<int:case_id>/sharing-requests",
    responses=SENT,
    description="情報共有の依頼を連絡として送る（依頼先→自所管の同意を確認）" + SEND,
)
def request_sharing(path: CasePath, header: KeyHeader, body: CaseSharingRequestInput) -> Response:
    """Ask collection departments for what the consent lets them give us (情報共有の依頼)."""
    data = with_key(body.model_dump(exclude_unset=True, mode="json"), header)
    return answer_sent(sharing_requests.request_sharing(db(), api_user(), path.case_id, data))


@bp.get(
    "/cases/<int:case_id>/timeline",
    responses={200: Timeline, **errors(403, 404)},
    description="ケースのやりとり（送受信とも、古い順。取消し済みは表示のみ）",
)
def case_timeline(path: CasePath, query: NoQuery) -> Response:
    """List every exchange of the case the department sent or received, oldest first."""
    today = jp.today()
    rows = inbox.timeline(db(), api_user(), path.case_id, receipts=True)
    load_people(d for m, own in rows for d in ([own] if own else m.deliveries))
    return respond(Timeline(items=[TimelineItem.of(m, d, today) for m, d in rows]))


@bp.get(
    "/cases/<int:case_id>/recipient-options",
    responses={200: RecipientOptions, **errors(403, 404)},
    description="宛先の候補: categories の情報を同意の範囲で送れるか、送れない理由",
)
def recipient_options(path: CasePath, query: OptionsQuery) -> Response:
    """Tell, for each department, whether the case's ``categories`` may go to it, and why not."""
    user = api_user()
    case = cases.get_visible(db(), user, path.case_id, action="message.compose")
    options = checks.recipient_options(db(), user, case, query.wanted)
    return respond(
        RecipientOptions(
            items=[
                RecipientOption(
                    department_id=o.department.id,
                    name=o.department.name,
                    kind=o.department.kind,
                    allowed=o.allowed,
                    reasons=o.reasons,
                )
                for o in options
            ]
        )
    )
