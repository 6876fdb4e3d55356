"""See a packet job's progress and download the packet, checking consent again.

A packet is the generating department's: other departments are told it does not exist (404),
administrators are refused (403). Before every download the gate is asked again on the day:
a consent withdrawn or ended since the packet was made refuses the download with the reason
(409), and so does a message received from another department whose content the packet holds
when that department's consent no longer covers it. The first download of a packet made to be
handed over on paper is the provision (紙で提供), recorded for the 提供記録.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from hub import audit
from hub.db import changed_rows
from hub.documents.categories import ORDER
from hub.documents.consent import gate
from hub.documents.printing import links, signals
from hub.documents.printing.models import PacketJob, PacketMethod, PacketStatus
from hub.errors import Conflict, Forbidden, NotFound
from hub.models import User
from hub.residents.services import require_case_worker

CHANGED = "作成した後で本人の同意の範囲が変わったため、このケース記録一式はダウンロードできません。"
REMAKE = "必要であれば、ケースの画面から作り直してください（今日の同意の範囲で作成します）。"


def get_job(session: Session, user: User, packet_id: int, action: str) -> PacketJob:
    """A packet job of the user's department; 404 (audited) for anyone else."""
    require_case_worker(session, user, action, object_type="packet_job", object_id=packet_id)
    job = session.get(PacketJob, packet_id)
    if job is None or job.department_id != user.department_id:
        raise audit.refuse(
            session,
            user,
            action,
            NotFound(),
            object_type="packet_job",
            object_id=packet_id,
            reason="not found or another department's",
        )
    return job


def blockers(session: Session, user: User, job: PacketJob, today: date) -> list[str]:
    """Why the packet cannot be downloaded today (empty: it can). Asks the gate, audits no
    answer: the download asks again and audits."""
    if job.status != PacketStatus.DONE or job.stored_file_id is None:
        if job.status == PacketStatus.EXPIRED:
            return ["保存期間が過ぎたため、ファイルを削除しました。" + REMAKE]
        return [job.error or f"このケース記録一式は{job.status.label}です。"]
    if job.method == PacketMethod.SHARE:
        return ["この一式は連絡で提供しました。連絡の画面から開いてください。"]
    reasons: list[str] = []
    if job.method != PacketMethod.OWN:
        asked = job.categories or [c.value for c in ORDER]
        decision = gate.covers(
            session, job.resident_id, job.department_id, job.recipient_department_id, asked, today
        )
        ok = decision.allowed if job.categories else bool(decision.consent_ids)
        if not ok:
            reasons += decision.reasons or ["提供先に提供できる情報がなくなりました"]
    found = signals.answers(signals.packet_sources, job, session=session, user=user, day=today)
    reasons += [r for r in found if r]
    return reasons


def check(session: Session, user: User, job: PacketJob, today: date) -> None:
    """Refuse (409, audited) a download the consent no longer allows, saying why."""
    reasons = blockers(session, user, job, today)
    if reasons:
        message = "\n".join([CHANGED if job.status == PacketStatus.DONE else "", *reasons])
        raise audit.refuse(
            session,
            user,
            "packet.download",
            Conflict(message.strip(), code="packet_unavailable"),
            job,
            reason="; ".join(reasons)[:255],
        )


@dataclass(frozen=True)
class PacketState:
    """What a packet's page and its status answer say: numbers, labels and reasons in
    Japanese, never personal data (the API can serialise it as it is)."""

    packet_id: int
    status: str
    label: str
    done: int
    total: int
    percent: int
    finished: bool
    #: Why it was refused or failed (set by the build).
    error: str
    #: Why it cannot be downloaded today; empty when it can (or is not built yet).
    reasons: list[str]
    downloadable: bool
    #: 連絡で提供: the share that carries it.
    message_id: int | None


def state(session: Session, user: User, job: PacketJob, today: date) -> PacketState:
    """The job's progress and, once built, whether it may be downloaded today and why not."""
    built = job.status in (PacketStatus.DONE, PacketStatus.EXPIRED)
    reasons = blockers(session, user, job, today) if built else []
    shared = job.method == PacketMethod.SHARE and job.status == PacketStatus.DONE
    return PacketState(
        packet_id=job.id,
        status=job.status.value,
        label=job.status.label,
        done=job.done,
        total=job.total,
        percent=job.percent,
        finished=job.is_finished,
        error=job.error,
        reasons=[] if shared else reasons,
        downloadable=job.status == PacketStatus.DONE and not reasons,
        message_id=job.message_id if shared else None,
    )


def release(session: Session, user: User, job: PacketJob, today: date, now: datetime) -> PacketJob:
    """Let the user's department have the file now: consent asked again (409 with the reason),
    the first download of a paper packet recorded as the provision, the download audited."""
    check(session, user, job, today)
    if job.method == PacketMethod.PAPER and job.handed_over_at is None:
        handed = changed_rows(
            session,
            update(PacketJob)
            .where(PacketJob.id == job.id, PacketJob.handed_over_at.is_(None))
            .values(handed_over_at=now)
            .execution_options(synchronize_session=False),
        )
        session.refresh(job)
        if handed:
            audit.record(
                session,
                user,
                "packet.handed_over",
                job,
                reason=f"paper to {job.recipient_department_id} consents {job.consent_ids}",
            )
    audit.record(session, user, "packet.download", job, reason=f"file {job.stored_file_id}")
    return job


def download(
    session: Session,
    user: User,
    packet_id: int,
    token: str,
    *,
    secret_key: str,
    link_minutes: int,
    today: date,
    now: datetime,
) -> PacketJob:
    """A download through the page's signed link: the link, then :func:`release`."""
    job = get_job(session, user, packet_id, "packet.download")
    try:
        links.verify(secret_key, token, link_minutes * 60, job.id, user.id)
    except Forbidden as exc:
        raise audit.refuse(session, user, "packet.download", exc, job, reason="link") from None
    return release(session, user, job, today, now)
