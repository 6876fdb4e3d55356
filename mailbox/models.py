"""Messages (連絡), their per-department deliveries, documents, notifications and the outbox.

A message is written once by a sender department and never changed after it is sent; what
changes afterwards lives on the deliveries (one per recipient department): first open,
acknowledgement, feedback, recall, assignment and triage status.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, utcnow
from hub.models import Case, Department, Resident, StoredFile, User


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e])


class MessageKind(enum.StrEnum):
    SHARE = "share"
    SHARING_REQUEST = "sharing_request"
    FEEDBACK = "feedback"
    NOTICE = "notice"

    @property
    def label(self) -> str:
        return {
            "share": "情報共有",
            "sharing_request": "情報共有の依頼",
            "feedback": "フィードバック",
            "notice": "お知らせ",
        }[self.value]


class MessageStatus(enum.StrEnum):
    #: Waiting for a manager of the sender department (承認待ち); nothing delivered yet.
    PENDING_APPROVAL = "pending_approval"
    #: Sent back by the manager (差戻し); never delivered.
    RETURNED = "returned"
    SENT = "sent"

    @property
    def label(self) -> str:
        return {"pending_approval": "承認待ち", "returned": "差戻し", "sent": "送信済み"}[
            self.value
        ]


class LegalBasis(enum.StrEnum):
    """Why a message may leave its department: the resident's consent, or no personal data."""

    CONSENT = "consent"
    #: A notice without a case (勉強会のお知らせ等): no resident, nothing to consent to.
    NONE = "none"
    # 生活困窮者自立支援法 第9条 (支援会議) will be a third basis.

    @property
    def label(self) -> str:
        return {"consent": "本人同意", "none": "個人情報なし"}[self.value]


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("sender_user_id", "idempotency_key"),
        Index("ix_messages_sender_department_id_id", "sender_department_id", "id"),
        Index("ix_messages_case_id_id", "case_id", "id"),
        # The manager's approvals waiting (the menu's 承認 and the approvals page): a few rows
        # of the department, not a walk of everything it ever sent.
        Index(
            "ix_messages_pending_approval",
            "sender_department_id",
            "id",
            postgresql_where=text("status = 'pending_approval'"),
            sqlite_where=text("status = 'pending_approval'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MessageKind] = mapped_column(_enum(MessageKind))
    status: Mapped[MessageStatus] = mapped_column(_enum(MessageStatus))
    basis: Mapped[LegalBasis] = mapped_column(_enum(LegalBasis))
    #: None for a general notice; a case message is about the case's resident.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    #: The first message of the thread (None on the first message itself).
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    #: The message this one answers (a reply, feedback, or the answer to a request).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    sender_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    sender_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    subject: Mapped[str] = mapped_column(String(200))
    #: Plain text; rendered escaped, never as HTML.
    body: Mapped[str] = mapped_column(Text, default="")
    #: 回答期限: feedback asked for by this day (None: no feedback asked).
    feedback_due: Mapped[date | None]
    #: The information categories the message carries (union of its documents' and body's).
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The consents that covered it when it was sent (also in message_consents, for recall).
    consent_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: The sharing request this message carries (kind sharing_request).
    sharing_request_id: Mapped[int | None] = mapped_column(ForeignKey("sharing_requests.id"))
    #: Subject, body and resident name/kana, NFKC-normalised and kana-folded (jp.fold), for
    #: search without personal data anywhere but in this row.
    search_text: Mapped[str] = mapped_column(Text, default="")
    #: Set by the client per compose form; the same key twice returns the first message.
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approval_comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    case: Mapped[Case | None] = relationship()
    resident: Mapped[Resident | None] = relationship()
    sender_department: Mapped[Department] = relationship(lazy="joined")
    sender_user: Mapped[User] = relationship(foreign_keys=[sender_user_id], lazy="joined")
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    documents: Mapped[list[MessageDocument]] = relationship(
        back_populates="message",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="MessageDocument.id",
    )
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="message",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="Delivery.id",
        foreign_keys="Delivery.message_id",
    )
    #: Recipient departments chosen by the sender (kept while approval is pending).
    recipients: Mapped[list[MessageRecipient]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MessageRecipient.department_id"
    )

    @property
    def root_id(self) -> int:
        return self.thread_id or self.id

    @property
    def is_case_message(self) -> bool:
        return self.case_id is not None

    def __repr__(self) -> str:
        return f"<Message {self.id} {self.kind.value} {self.status.value}>"


def search_pairs(value: Any) -> Any:
    """``value`` with every character doubled (モリ → モモリリ), computed by PostgreSQL.

    Search (every word a substring of search_text) asks a trigram index first; a trigram index
    cannot look up a word under three characters, and a resident's name often has a part of
    two (モリ, アベ, ユミ). Doubled, that part has four characters and two trigrams
    (モモリ, モリリ): the index of the doubled text looks it up as a bigram index would.
    A doubled word is in the doubled text exactly when the word is in the text. The
    constants are written into the SQL (not bound), so the query's expression is the
    index's in every plan.
    """
    return func.regexp_replace(
        value, literal_column("'(.)'"), literal_column(r"'\1\1'"), literal_column("'g'")
    )


#: Search on PostgreSQL (hub.mailbox.search): one trigram GIN index of search_text and of the
#: doubled text, so that a full name with a part of two characters (ﾓﾘ ﾕﾐ, ｺﾝﾄﾞｳ ﾕﾐ) is one
#: index scan intersecting every part. It needs the pg_trgm extension; migrations 0006/0014
#: create both when the database user may, and the search still works (slower) without.
#: SQLite searches through its FTS5 trigram table (migration 0006).
Index(
    "ix_messages_search",
    Message.search_text,
    search_pairs(Message.search_text).label("search_pairs"),
    postgresql_using="gin",
    postgresql_ops={"search_text": "gin_trgm_ops", "search_pairs": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")


class MessageRecipient(Base):
    """A department the sender addressed (deliveries follow once the message is sent)."""

    __tablename__ = "message_recipients"

    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)

    department: Mapped[Department] = relationship(lazy="joined")


class MessageConsent(Base):
    """A consent a case message was sent under: withdrawing it re-checks the message."""

    __tablename__ = "message_consents"

    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"), primary_key=True, index=True)


class DocumentKind(enum.StrEnum):
    HEARING_SHEET = "hearing_sheet"
    CONSENT_FORM = "consent_form"
    FEEDBACK = "feedback"
    POLICY = "policy"
    ATTACHMENT = "attachment"
    #: A case packet (ケース記録一式) made for the recipient, as a stored PDF or DOCX.
    PACKET = "packet"

    @property
    def label(self) -> str:
        return {
            "hearing_sheet": "共通ヒアリングシート",
            "consent_form": "同意書",
            "feedback": "フィードバック",
            "policy": "徴収可否の判断・今後の方針",
            "attachment": "添付ファイル",
            "packet": "ケース記録一式",
        }[self.value]


class MessageDocument(Base):
    """A document as it was shared: a frozen copy, holding only the categories shared."""

    __tablename__ = "message_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind))
    title: Mapped[str] = mapped_column(String(200))
    #: The categories this document carries.
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The source hearing-sheet version (kind hearing_sheet).
    hearing_sheet_id: Mapped[int | None] = mapped_column(ForeignKey("hearing_sheets.id"))
    #: The source consent (kind consent_form).
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consents.id"))
    #: A stored file (uploads; the consent's signed form; a case packet).
    stored_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    #: The packet job that made it (kind packet).
    packet_job_id: Mapped[int | None] = mapped_column(ForeignKey("packet_jobs.id"))
    #: Structured content as shared (the filtered sheet, the feedback, the policy).
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: SHA-256 of the shared content (the file's, or of the canonical JSON).
    sha256: Mapped[str] = mapped_column(String(64), default="")

    message: Mapped[Message] = relationship(back_populates="documents")
    stored_file: Mapped[StoredFile | None] = relationship()


class DeliveryState(enum.StrEnum):
    DELIVERED = "delivered"
    RECALLED = "recalled"


class ReadState:
    """Whether a delivery was recalled or read: for the ORM row (:class:`Delivery`) and the
    inbox's plain row (:class:`hub.mailbox.inbox.InboxRow`) alike."""

    __slots__ = ()

    if TYPE_CHECKING:
        state: DeliveryState
        first_read_at: datetime | None

    @property
    def is_recalled(self) -> bool:
        return self.state == DeliveryState.RECALLED

    @property
    def is_read(self) -> bool:
        return self.first_read_at is not None


class WorkStatus(enum.StrEnum):
    TODO = "todo"
    DOING = "doing"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"todo": "未対応", "doing": "対応中", "done": "完了"}[self.value]


class Delivery(ReadState, Base):
    """One recipient department's copy of a sent message and everything it did with it."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("message_id", "department_id"),
        # The inbox: unread first, newest first, keyset on (read_rank, id), one range per rank
        # (hub.mailbox.inbox); message_id makes a page's and a search's walk index-only.
        Index("ix_deliveries_inbox", "department_id", "read_rank", "id", "message_id"),
        # What the department owes (counts, owed()): every column the filter reads is in the
        # index, so the count is an index-only range, not a table read per row.
        # The feedback job's sweep: open requests by due date only, so a sweep reads the rows
        # falling due, not every open request.
        Index(
            "ix_deliveries_open_due",
            "feedback_due",
            "id",
            postgresql_where=text(
                "feedback_due IS NOT NULL AND feedback_received_at IS NULL "
                "AND declined_at IS NULL AND state = 'delivered'"
            ),
            sqlite_where=text(
                "feedback_due IS NOT NULL AND feedback_received_at IS NULL "
                "AND declined_at IS NULL AND state = 'delivered'"
            ),
        ),
        Index(
            "ix_deliveries_owed",
            "department_id",
            "feedback_due",
            "feedback_received_at",
            "declined_at",
            "state",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    state: Mapped[DeliveryState] = mapped_column(
        _enum(DeliveryState), default=DeliveryState.DELIVERED
    )
    #: 0 until someone of the department opens it, then 1 (the inbox's first sort key).
    read_rank: Mapped[int] = mapped_column(default=0)
    delivered_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_read_at: Mapped[datetime | None]
    first_read_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Copied from the message: the inbox filters on it without a join.
    feedback_due: Mapped[date | None]
    feedback_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    feedback_received_at: Mapped[datetime | None]
    #: A sharing request answered with a refusal (理由を付して辞退).
    declined_at: Mapped[datetime | None]
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    recalled_at: Mapped[datetime | None]
    #: The day the consent stopped covering it (撤回日 or the day after 有効期限).
    recalled_on: Mapped[date | None]
    #: Japanese, shown on the tombstone (no personal data).
    recall_reason: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    work_status: Mapped[WorkStatus] = mapped_column(_enum(WorkStatus), default=WorkStatus.TODO)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    message: Mapped[Message] = relationship(back_populates="deliveries", foreign_keys=[message_id])
    department: Mapped[Department] = relationship(lazy="joined")
    first_read_by: Mapped[User | None] = relationship(foreign_keys=[first_read_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])


class NotificationKind(enum.StrEnum):
    NEW_MESSAGE = "new_message"
    APPROVAL_NEEDED = "approval_needed"
    APPROVED = "approved"
    RETURNED = "returned"
    RECALLED = "recalled"
    FEEDBACK_RECEIVED = "feedback_received"
    FEEDBACK_DUE = "feedback_due"
    FEEDBACK_OVERDUE = "feedback_overdue"
    CONSENT_ENDING = "consent_ending"
    CONSENT_EXPIRED = "consent_expired"
    MEETING = "meeting"

    @property
    def label(self) -> str:
        return {
            "new_message": "新しい連絡",
            "approval_needed": "承認依頼",
            "approved": "承認されました",
            "returned": "差し戻されました",
            "recalled": "共有の取消し",
            "feedback_received": "フィードバック受領",
            "feedback_due": "フィードバック期限",
            "feedback_overdue": "期限超過（管理職へ）",
            "consent_ending": "同意の期限",
            "consent_expired": "同意の失効",
            "meeting": "ケース会議",
        }[self.value]


class Notification(Base):
    """An in-app notice to one user; its text never holds personal data."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id_read_at_id", "user_id", "read_at", "id"),
        # Opening a message marks its notifications read; one event is one notification.
        Index("ix_notifications_message_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[NotificationKind] = mapped_column(_enum(NotificationKind))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    #: What it points to when that is not a message (a consent page), as a path of ids only.
    link_path: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    #: Claimed by a sender (attempt recorded before the SMTP conversation).
    SENDING = "sending"
    SENT = "sent"
    #: Given up after the configured number of attempts; the administrator sees it.
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "queued": "送信待ち",
            "sending": "送信中",
            "sent": "送信済み",
            "failed": "送信失敗",
        }[self.value]


class OutboxMail(Base):
    """A mail to a department address, drained by the scheduler; never personal data."""

    __tablename__ = "outbox_mails"
    __table_args__ = (
        Index("ix_outbox_mails_sent_at_id", "sent_at", "id"),
        Index("ix_outbox_mails_status_next_attempt_at_id", "status", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    #: Where the link in the mail points, as a path; the sender job prefixes the hub's URL.
    link_path: Mapped[str] = mapped_column(String(200), default="/mailbox/inbox")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[OutboxStatus] = mapped_column(
        _enum(OutboxStatus), default=OutboxStatus.QUEUED, server_default="queued"
    )
    #: Not before this time (backoff after a failure; the lease of a claimed mail). None: now.
    next_attempt_at: Mapped[datetime | None]
    #: The Message-ID header, fixed at the first attempt and reused on every retry, so a mail
    #: sent again after a crash is recognisable as the same mail.
    mail_id: Mapped[str | None] = mapped_column(String(200))
    failed_at: Mapped[datetime | None]

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="OutboxAttachment.id",
        passive_deletes=True,
    )


class OutboxAttachment(Base):
    """A text file sent with a queued mail (a calendar invitation's .ics); no personal data."""

    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Deleted with its mail (the retention job deletes old mails in bulk).
    outbox_mail_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_mails.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(100))
    #: ``text/calendar; method=REQUEST`` …: maintype/subtype and parameters.
    content_type: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)


class ReminderStage(enum.StrEnum):
    #: N opening days before the due date.
    BEFORE = "before"
    #: On the (effective) due date.
    DUE = "due"
    #: M opening days overdue: to the owing department's managers.
    ESCALATION = "escalation"

    @property
    def label(self) -> str:
        return {
            "before": "期限前のお知らせ",
            "due": "期限当日のお知らせ",
            "escalation": "期限超過（管理職へ）",
        }[self.value]


class FeedbackReminder(Base):
    """One reminder of a feedback request to the owing department: the done mark of the
    feedback job (unique per delivery and stage) and a line of the request's history."""

    __tablename__ = "feedback_reminders"
    __table_args__ = (UniqueConstraint("delivery_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    #: The owing department (the delivery's).
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    stage: Mapped[ReminderStage] = mapped_column(_enum(ReminderStage))
    #: The effective due date the reminder counted from.
    due_on: Mapped[date]
    #: False when a later stage was already due (the scheduler was down): recorded, not sent.
    is_sent: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    department: Mapped[Department] = relationship(lazy="joined")
