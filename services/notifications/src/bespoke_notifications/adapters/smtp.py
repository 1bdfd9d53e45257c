"""Sending email over SMTP (Mailpit locally, the factory's relay in production)."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from bespoke_notifications.domain.emails import Email
from bespoke_notifications.service_layer.ports import PermanentMailError, TransientMailError


def message_id(dedup_key: str) -> str:
    """Derived from the notification, so a copy is recognisable as the same message."""
    return f"<{hashlib.sha256(dedup_key.encode()).hexdigest()[:32]}@bespokefactory.local>"


def mime(email: Email, sender: str) -> EmailMessage:
    """The message as it goes out: plain text and HTML alternatives, the HTML with the
    pictures it shows by content id (multipart/related)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(email.dedup_key)
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    if email.images:
        [html] = [p for p in message.iter_parts() if p.get_content_type() == "text/html"]
        for image in email.images:
            html.add_related(
                image.png,
                maintype="image",
                subtype="png",
                cid=f"<{image.cid}>",
                disposition="inline",
                filename=image.cid.split("@")[0] + ".png",
            )
    return message


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        start_tls: bool = False,
        use_tls: bool = False,
        timeout: float = 15.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._username = username
        self._password = password
        self._start_tls = start_tls
        self._use_tls = use_tls
        self._timeout = timeout

    async def send(self, email: Email) -> None:
        """Hand the email to the SMTP server. ``TransientMailError`` when trying again may
        work (server unreachable, 4xx); ``PermanentMailError`` when it cannot (5xx)."""
        message = mime(email, self._sender)
        try:
            await aiosmtplib.send(
                message,
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                start_tls=self._start_tls,
                use_tls=self._use_tls,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise PermanentMailError(f"recipient refused: {error}") from error
        except aiosmtplib.SMTPResponseException as error:
            if 500 <= error.code < 600:
                raise PermanentMailError(f"SMTP {error.code}: {error.message}") from error
            raise TransientMailError(f"SMTP {error.code}: {error.message}") from error
        except (aiosmtplib.SMTPException, OSError) as error:
            raise TransientMailError(f"{type(error).__name__}: {error}") from error
