"""Sending email over SMTP (Mailpit locally, the factory's relay in production)."""

from __future__ import annotations

import asyncio
import time

import aiosmtplib

from bespoke_notifications.adapters.mime import Outgoing, write
from bespoke_notifications.domain.emails import Email
from bespoke_notifications.service_layer.ports import PermanentMailError, TransientMailError


class SmtpMailer:
    """Sends over one SMTP connection kept open between emails, one email at a time.

    A connection per email cost more than the email itself (connect, greeting, EHLO,
    QUIT: about 2.5 ms of CPU here and in the server). A connection is opened again after
    any failure, once the server has hung up, and after ``idle_seconds`` unused, before a
    relay's own idle timeout closes it (Postfix: 300 s), so a send never meets a
    connection the server has let go.
    """

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
        idle_seconds: float = 30.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._username = username
        self._password = password
        self._start_tls = start_tls
        self._use_tls = use_tls
        self._timeout = timeout
        self._idle_seconds = idle_seconds
        self._lock = asyncio.Lock()
        self._smtp: aiosmtplib.SMTP | None = None
        self._used_at = 0.0

    async def send(self, email: Email) -> None:
        """Hand the email to the SMTP server. ``TransientMailError`` when trying again may
        work (server unreachable, 4xx); ``PermanentMailError`` when it cannot (5xx, or an
        email no message can be written of, such as a header with a line break)."""
        try:
            message = write(email, self._sender)
        except ValueError as error:
            raise PermanentMailError(f"cannot be written: {error}") from error
        async with self._lock:
            try:
                await self._send(message)
            except aiosmtplib.SMTPRecipientsRefused as error:
                raise PermanentMailError(f"recipient refused: {error}") from error
            except aiosmtplib.SMTPResponseException as error:
                if 500 <= error.code < 600:
                    raise PermanentMailError(f"SMTP {error.code}: {error.message}") from error
                raise TransientMailError(f"SMTP {error.code}: {error.message}") from error
            except (aiosmtplib.SMTPException, OSError) as error:
                raise TransientMailError(f"{type(error).__name__}: {error}") from error
            except ValueError as error:  # an address no SMTP command line can carry
                raise PermanentMailError(f"cannot be sent: {error}") from error

    async def close(self) -> None:
        """Say goodbye to the server (QUIT) and close the connection, if one is open."""
        async with self._lock:
            smtp, self._smtp = self._smtp, None
            if smtp is not None and smtp.is_connected:
                try:
                    await smtp.quit()
                except (aiosmtplib.SMTPException, OSError):
                    smtp.close()

    async def _send(self, message: Outgoing) -> None:
        try:
            smtp = await self._connection()
            await smtp.sendmail(
                message.sender,
                message.recipients,
                message.data,
                mail_options=["SMTPUTF8"] if message.utf8 else None,
            )
        except BaseException:
            self._hang_up()  # after a failure the session's state is unknown
            raise
        self._used_at = time.monotonic()

    async def _connection(self) -> aiosmtplib.SMTP:
        smtp = self._smtp
        fresh = time.monotonic() - self._used_at < self._idle_seconds
        if smtp is not None and smtp.is_connected and fresh:
            return smtp
        self._hang_up()
        smtp = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            username=self._username,
            password=self._password,
            start_tls=self._start_tls,
            use_tls=self._use_tls,
            timeout=self._timeout,
        )
        await smtp.connect()
        self._smtp = smtp
        return smtp

    def _hang_up(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()
