"""The MIME message an email goes out as, read back with the standard library's parser
(its strictest policy), which is what a mail client reads it with."""

from __future__ import annotations

from email import message_from_bytes, message_from_string, policy
from email.message import EmailMessage

import pytest

from bespoke_notifications.adapters.mime import message_id, write
from bespoke_notifications.adapters.smtp import SmtpMailer
from bespoke_notifications.domain.emails import Email, InlineImage
from bespoke_notifications.service_layer.ports import PermanentMailError

SENDER = "Bespoke <orders@bespokefactory.local>"
PICTURE = InlineImage("design-drawing@bespokefactory.local", bytes(range(256)) * 40)
TEXT = (
    "Gracias, señora Müller.\n"
    "A line that ends in spaces   \n"
    ".A line that starts with a dot\n"
    "From the factory, a line as mailboxes once mangled\n"
    f"{'A long line of words ' * 12}\n"
    "Tabs\tand = signs and € and 日本\n"
)
HTML = '<p>Gracias, señora</p>\n<img src="cid:design-drawing@bespokefactory.local" alt="">\n'


def email(**changes: object) -> Email:
    fields: dict[str, object] = {
        "dedup_key": "e1:order-received:ops@nunez.example",
        "to": "Zapatería Núñez <ops@nunez.example>",
        "subject": "Order BF-000001 received, Señora Müller (€ 1.250,00)",
        "text": TEXT,
        "html": HTML,
        "images": (PICTURE,),
    }
    return Email(**{**fields, **changes})  # type: ignore[arg-type]


def parsed(data: bytes) -> EmailMessage:
    message = message_from_bytes(data, policy=policy.strict)
    assert isinstance(message, EmailMessage)
    return message


def test_what_is_written_reads_back_as_the_email() -> None:
    outgoing = write(email(), SENDER)
    message = parsed(outgoing.data)

    assert message["Subject"] == "Order BF-000001 received, Señora Müller (€ 1.250,00)"
    assert message["To"].addresses[0].display_name == "Zapatería Núñez"
    assert message["To"].addresses[0].addr_spec == "ops@nunez.example"
    assert message["From"].addresses[0].display_name == "Bespoke"
    assert message["Message-ID"] == message_id("e1:order-received:ops@nunez.example")
    assert message["Date"].datetime is not None
    text, related = message.iter_parts()
    html, picture = related.iter_parts()
    assert message.get_content_type() == "multipart/alternative"
    assert related.get_content_type() == "multipart/related"
    # MIME's text has CRLF line breaks, which a reader takes as its own.
    assert text.get_content().replace("\r\n", "\n") == TEXT
    assert html.get_content().replace("\r\n", "\n") == HTML
    assert picture.get_content_type() == "image/png"
    assert picture["Content-ID"] == f"<{PICTURE.cid}>"
    assert picture.get_content_disposition() == "inline"
    assert picture.get_filename() == "design-drawing.png"
    assert picture.get_content() == PICTURE.png
    assert all(not part.defects for part in message.walk())
    assert (outgoing.sender, outgoing.recipients) == (
        "orders@bespokefactory.local",
        ["ops@nunez.example"],
    )


def test_the_message_is_seven_bit_with_short_crlf_lines() -> None:
    """Any relay takes it as it is: ASCII, every line ended by CRLF, none past 78
    characters (RFC 5322's limit is 998; 78 is what it asks)."""
    long_subject = "Shipping group G-0001: " + "BF-000001, " * 30 + "ship together"
    data = write(email(subject=long_subject), SENDER).data

    assert data.isascii()
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")
    assert not any(b"\n" in line or b"\r" in line for line in lines)
    assert max(len(line) for line in lines) <= 78
    assert parsed(data)["Subject"] == long_subject


def test_an_email_without_pictures_is_two_alternatives() -> None:
    message = parsed(write(email(images=()), SENDER).data)
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]


def test_each_message_has_its_own_boundaries() -> None:
    first, second = parsed(write(email(), SENDER).data), parsed(write(email(), SENDER).data)
    assert first.get_boundary() != second.get_boundary()
    assert first.get_boundary() not in {part.get_boundary() for part in first.walk()} - {
        first.get_boundary()
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"subject": "Your order\r\nBcc: everyone@elsewhere.example"},
        {"subject": "Your order\nBcc: everyone@elsewhere.example"},
        {"to": "ops@nunez.example\r\nBcc: everyone@elsewhere.example"},
        {"to": ""},
        {"to": "Norte, SL <ops@norte.example>"},  # an unquoted comma makes "Norte" a recipient
    ],
)
def test_a_header_that_would_break_its_line_or_name_a_stranger_is_refused(
    changes: dict[str, str],
) -> None:
    """A line break in a header would start a header of the sender's choosing (a hidden
    copy to anyone), and a To that is not a list of addresses would send to whatever it
    splits into: the email is refused instead of written."""
    with pytest.raises(ValueError, match="header"):
        write(email(**changes), SENDER)


async def test_the_mailer_fails_such_an_email_for_good_without_calling_the_server() -> None:
    mailer = SmtpMailer("127.0.0.1", 9, "orders@bespokefactory.local", timeout=0.5)
    with pytest.raises(PermanentMailError, match="line break"):
        await mailer.send(email(subject="Hi\r\nBcc: everyone@elsewhere.example"))


def test_an_address_beyond_ascii_asks_for_smtputf8() -> None:
    ascii_only = write(email(), SENDER)
    assert not ascii_only.utf8
    outgoing = write(email(to="José Núñez <josé@zapatería.example>"), SENDER)
    assert outgoing.utf8
    assert outgoing.recipients == ["josé@xn--zapatera-i2a.example"]
    message = message_from_string(outgoing.data.decode(), policy=policy.SMTPUTF8)
    assert isinstance(message, EmailMessage)
    assert message["To"].addresses[0].addr_spec == "josé@xn--zapatera-i2a.example"
    assert message["To"].addresses[0].display_name == "José Núñez"


def test_a_domain_beyond_ascii_is_written_as_its_ascii_name_without_smtputf8() -> None:
    """A server without SMTPUTF8 takes the A-label form of an international domain
    (RFC 3492's own example: bücher is xn--bcher-kva)."""
    outgoing = write(email(to="Jörg <joerg@Bücher.example>"), "Zapatería <pedidos@zapatería.es>")
    assert not outgoing.utf8
    assert outgoing.sender == "pedidos@xn--zapatera-i2a.es"
    assert outgoing.recipients == ["joerg@xn--bcher-kva.example"]
    assert outgoing.data.isascii()
    message = parsed(outgoing.data)
    assert message["To"].addresses[0].addr_spec == "joerg@xn--bcher-kva.example"
    assert message["To"].addresses[0].display_name == "Jörg"


def test_a_domain_idna_cannot_write_is_left_as_it_is_for_the_server_to_refuse() -> None:
    outgoing = write(email(to="snow@☃.example"), SENDER)
    assert outgoing.recipients == ["snow@☃.example"]
    assert outgoing.utf8
