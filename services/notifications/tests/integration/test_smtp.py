"""The SMTP mailer against the real SMTP server of the local stack (Mailpit)."""

from __future__ import annotations

import asyncio

import aiosmtplib
import httpx
import pytest

from bespoke.stack.config import StackConfig
from bespoke_notifications.adapters.smtp import SmtpMailer
from bespoke_notifications.domain.emails import Email

pytestmark = pytest.mark.stack


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per SMTP connection opened (the real ``connect``, counted)."""
    opened: list[int] = []
    connect = aiosmtplib.SMTP.connect

    async def counted(self: aiosmtplib.SMTP, **kwargs: object) -> object:
        opened.append(id(self))
        return await connect(self, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(aiosmtplib.SMTP, "connect", counted)
    return opened


def mailer(config: StackConfig, idle_seconds: float = 30.0) -> SmtpMailer:
    return SmtpMailer(
        config.host, config.mailpit_smtp_port, "orders@bespoke.test", idle_seconds=idle_seconds
    )


def email(to: str, n: int) -> Email:
    return Email(f"smtp-test:{to}:{n}", to, f"Message {n}", f"text {n}", f"<p>html {n}</p>")


async def received(mailpit: httpx.AsyncClient, to: str, count: int) -> list[str]:
    async with asyncio.timeout(10):
        while True:
            found = (await mailpit.get("/search", params={"query": f"to:{to}"})).json()
            if found["messages_count"] >= count:
                return sorted(m["Subject"] for m in found["messages"])
            await asyncio.sleep(0.1)


async def test_emails_share_one_connection_until_the_mailer_closes_it(
    running_system: StackConfig, mailpit: httpx.AsyncClient, connections: list[int], unique: str
) -> None:
    to = f"smtp-{unique}@bespoke.test"
    smtp = mailer(running_system)
    await asyncio.gather(*(smtp.send(email(to, n)) for n in range(3)))
    assert len(connections) == 1
    await smtp.close()
    await smtp.send(email(to, 3))  # a new connection after close
    await smtp.close()

    assert len(connections) == 2
    assert await received(mailpit, to, 4) == [f"Message {n}" for n in range(4)]


async def test_a_connection_left_idle_is_not_used_again(
    running_system: StackConfig, mailpit: httpx.AsyncClient, connections: list[int], unique: str
) -> None:
    to = f"smtp-idle-{unique}@bespoke.test"
    smtp = mailer(running_system, idle_seconds=0.2)
    await smtp.send(email(to, 0))
    await asyncio.sleep(0.3)
    await smtp.send(email(to, 1))
    await smtp.close()

    assert len(connections) == 2
    assert await received(mailpit, to, 2) == ["Message 0", "Message 1"]


async def test_a_connection_the_server_closed_is_opened_again(
    running_system: StackConfig, mailpit: httpx.AsyncClient, connections: list[int], unique: str
) -> None:
    to = f"smtp-closed-{unique}@bespoke.test"
    smtp = mailer(running_system)
    await smtp.send(email(to, 0))
    # The server hangs up (a relay's idle timeout, a restart): QUIT through the connection
    # the mailer keeps, so the server closes it while the mailer holds on to it.
    kept = smtp._smtp
    assert kept is not None
    await kept.execute_command(b"QUIT")
    await asyncio.sleep(0.1)
    await smtp.send(email(to, 1))
    await smtp.close()

    assert len(connections) == 2
    assert await received(mailpit, to, 2) == ["Message 0", "Message 1"]
