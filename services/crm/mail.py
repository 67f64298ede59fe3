"""Email over SMTP: building the MIME message and handing it to the server.

`email.message.EmailMessage` with the SMTP policy encodes any script in headers (RFC 2047) and
attachment names (RFC 2231), so a Chinese name arrives intact. Bodies are 7-bit (quoted-printable or base64, whichever is
shorter), so any server relays them, with or without 8BITMIME. The Message-ID is the message's
own id at the sender's domain: every attempt sends the same one, so a message sent again after
a crash (accepted by the server, not yet recorded as sent) is recognisable as the same message.
"""
import smtplib
import ssl
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from services.common.db import utcnow

from .settings import MailSettings


SEVEN_BIT = policy.SMTP.clone(cte_type="7bit")


@dataclass
class Outgoing:
    """What one attempt needs, read out of the database before the SMTP conversation starts."""

    message_id: str
    smtp_message_id: str
    to_address: str
    to_name: str
    subject: str
    body_text: str
    body_html: str | None = None
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)  # (filename, content type, bytes)


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): trying again would be refused again."""


class TemporaryFailure(Exception):
    """The server could not be reached or asked us to come back later (4xx, timeouts)."""


def message_id_for(message_id: str, settings: MailSettings) -> str:
    return f"<{message_id}@{settings.sender_domain}>"


def build(outgoing: Outgoing, settings: MailSettings) -> EmailMessage:
    email = EmailMessage(policy=SEVEN_BIT)
    email["Subject"] = outgoing.subject
    email["From"] = settings.sender
    email["To"] = formataddr((outgoing.to_name, outgoing.to_address))
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = outgoing.smtp_message_id
    email.set_content(outgoing.body_text)
    if outgoing.body_html:
        email.add_alternative(outgoing.body_html, subtype="html")
    for filename, content_type, content in outgoing.attachments:
        maintype, _, subtype = content_type.partition("/")
        email.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return email


def _permanent(code) -> bool:
    return isinstance(code, int) and 500 <= code < 600


def send(outgoing: Outgoing, settings: MailSettings) -> None:
    """One SMTP conversation (blocking: run it in a real thread). Raises PermanentFailure or
    TemporaryFailure with the server's words."""
    email = build(outgoing, settings)
    try:
        if settings.security == "ssl":
            server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                      context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with server:
            if settings.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if settings.username:
                server.login(settings.username, settings.password)
            server.send_message(email)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        words = "; ".join(f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                          for code, text in exc.recipients.values())
        raise (PermanentFailure if all(map(_permanent, codes)) else TemporaryFailure)(
            f"recipient refused: {words}") from None
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise (PermanentFailure if _permanent(exc.smtp_code) else TemporaryFailure)(
            f"{exc.smtp_code} {text}") from None
    # Everything else (refused connection, timeout, 4xx, a login the server does not take, a
    # server without STARTTLS) may pass once the server or its settings are put right.
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}".strip()[:1000]) from None
