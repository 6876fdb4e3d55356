"""Mail over SMTP: the message a queued mail becomes, and the connection the config asks for."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from hub.config import Config
from hub.jp import TOKYO
from hub.mailbox.models import OutboxMail


def domain(cfg: Config) -> str:
    """The domain of Message-IDs: the sender address's."""
    address = parseaddr(cfg.mail_from)[1]
    return address.rpartition("@")[2] or "localhost"


def build(cfg: Config, queued: OutboxMail) -> EmailMessage:
    """The mail as sent: the same Message-ID and Date on every attempt."""
    message = EmailMessage()
    message["From"] = cfg.mail_from
    message["To"] = queued.to_address
    message["Subject"] = queued.subject
    message["Message-ID"] = queued.mail_id
    message["Date"] = format_datetime(queued.created_at.astimezone(TOKYO))
    message["Auto-Submitted"] = "auto-generated"
    link = cfg.base_url.rstrip("/") + queued.link_path
    message.set_content(f"{queued.body}\n{link}\n\n-- \nつなぐハブ（自動送信）\n", charset="utf-8")
    for attachment in queued.attachments:
        # As text with its charset: bytes would lose it (Japanese .ics becomes mojibake).
        subtype, _sep, params = attachment.content_type.removeprefix("text/").partition(";")
        extra = dict(p.strip().split("=", 1) for p in params.split(";") if "=" in p)
        message.add_attachment(
            attachment.text,
            subtype=subtype,
            charset="utf-8",
            filename=attachment.filename,
            params=extra,
        )
    return message


def connect(cfg: Config) -> smtplib.SMTP:
    """An open, logged-in SMTP connection (plain, STARTTLS or SSL as configured)."""
    context = ssl.create_default_context()
    if cfg.smtp_security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            cfg.smtp_host, cfg.smtp_port, timeout=cfg.smtp_timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.smtp_timeout)
        if cfg.smtp_security == "starttls":
            smtp.starttls(context=context)
    if cfg.smtp_username:
        smtp.login(cfg.smtp_username, cfg.smtp_password)
    return smtp
