"""The SMTP mailer against the real SMTP server of the local stack (Mailpit)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiosmtplib
import httpx
import pytest

from bespoke.stack.config import StackConfig
from bespoke_notifications.adapters.smtp import SmtpMailer
from bespoke_notifications.domain.emails import Email, InlineImage

pytestmark = pytest.mark.stack

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5"
    "8d3c8a0000000049454e44ae426082"
)
"""A 1x1 picture."""


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


async def found(mailpit: httpx.AsyncClient, query: str, count: int) -> list[dict[str, Any]]:
    """The messages Mailpit's search finds, once there are ``count`` of them."""
    async with asyncio.timeout(10):
        while True:
            answer = (await mailpit.get("/search", params={"query": query})).json()
            if answer["messages_count"] >= count:
                return list(answer["messages"])
            await asyncio.sleep(0.1)


async def received(mailpit: httpx.AsyncClient, to: str, count: int) -> list[str]:
    return sorted(m["Subject"] for m in await found(mailpit, f"to:{to}", count))


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


async def test_the_server_reads_the_message_as_written(
    running_system: StackConfig, mailpit: httpx.AsyncClient, unique: str
) -> None:
    """Names and words beyond ASCII, the picture inline beside the HTML, and an address
    beyond ASCII (SMTPUTF8) or only its domain (its ASCII name), as the mail server parses
    them."""
    picture = InlineImage("design-drawing@bespokefactory.local", PNG)
    smtp = mailer(running_system)
    await smtp.send(
        Email(
            f"smtp-mime:{unique}",
            f"Zapatería Núñez <mime-{unique}@bespoke.test>",
            f"Pedido {unique}: señora Müller, € 1.250,00",
            "Gracias, señora.\n",
            f'<p>Gracias</p><img src="cid:{picture.cid}">',
            images=(picture,),
        )
    )
    await smtp.send(Email(f"smtp-utf8:{unique}", f"josé-{unique}@bespoke.test", "Hola", "t", "h"))
    await smtp.send(Email(f"smtp-idn:{unique}", f"idn-{unique}@bücher.test", "Hallo", "t", "h"))
    await smtp.close()

    messages = await found(mailpit, unique, 3)
    by_subject = {m["Subject"]: m["ID"] for m in messages}
    message = (
        await mailpit.get(f"/message/{by_subject[f'Pedido {unique}: señora Müller, € 1.250,00']}")
    ).json()
    assert message["To"] == [{"Name": "Zapatería Núñez", "Address": f"mime-{unique}@bespoke.test"}]
    assert message["Text"].replace("\r\n", "\n") == "Gracias, señora.\n"
    [inline] = message["Inline"]
    assert (inline["ContentType"], inline["ContentID"]) == ("image/png", picture.cid)
    assert message["Attachments"] == []
    utf8 = (await mailpit.get(f"/message/{by_subject['Hola']}")).json()
    assert utf8["To"] == [{"Name": "", "Address": f"josé-{unique}@bespoke.test"}]
    idn = (await mailpit.get(f"/message/{by_subject['Hallo']}")).json()
    assert idn["To"] == [{"Name": "", "Address": f"idn-{unique}@xn--bcher-kva.test"}]
