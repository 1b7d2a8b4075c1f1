"""The email edition of an issue: rendered once per send, personalised per recipient cheaply.

``render_edition(issue)`` renders the issue's blocks with the email templates under
``templates/email/newsletter/`` through ``lscp_site.email.render_email`` (table layout, CSS
inlined by css-inline so Outlook and Gmail keep it), then makes every link and image
address absolute. The text and HTML it returns carry ``RECIPIENT_TOKEN`` where each
recipient's own preferences and unsubscribe links go: the links come from
``subscriptions.mailing`` for a stand-in subscriber whose token is the placeholder, and
depend on nothing else about the person, so a recipient's copy is the edition with the
placeholder replaced by their token.

``MessageTemplate`` goes one step further for the sending worker. Serialising a MIME
message with Python's email package costs milliseconds (for 100,000 recipients, many
minutes of one core), so a batch serialises the edition once, with slots where the
recipient's address, Message-ID and token go, and each recipient's message is a join of
byte strings. Only the SMTP backend asks for those bytes (``PreparedEmail.message``); any
other backend (django-anymail's providers, the test outbox) gets an ordinary
EmailMultiAlternatives with the same parts and headers. ``tests/newsletter/
test_email_edition.py`` checks the two agree.
"""

import base64
import binascii
import email.policy
import re
import smtplib
import textwrap
from dataclasses import dataclass
from html.parser import HTMLParser

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from anymail.message import AnymailMessage

from lscp_site import links
from lscp_site.email import SiteEmail, build_email, render_email
from lscp_site.links import absolute as absolute_url
from newsletter.contents import issue_contents
from newsletter.dates import month_label
from newsletter.markup import issue_title
from subscriptions.mailing import list_headers, subscriber_links, unsubscribe_mailto
from subscriptions.models import Subscriber

TEMPLATE_NAME = "newsletter/issue"
# As long as a real token (secrets.token_urlsafe(32)), made of the same URL-safe characters,
# so the links and headers around it are laid out exactly as they will be sent.
RECIPIENT_TOKEN = "LSCPxRECIPIENTxTOKENxPLACEHOLDERx0123456789"  # noqa: S105
assert len(RECIPIENT_TOKEN) == 43
# What test emails and the admin preview put in the links: a token no subscriber has, so
# the links lead to the subscriptions app's "this link is not valid" page.
EXAMPLE_TOKEN = "example-link-in-a-test-email"  # noqa: S105
# The email rendition of a section's picture: twice the 552 px the layout shows it at.
IMAGE_SPEC = "width-1200"
IMAGE_DISPLAY_WIDTH = 552
TEXT_WIDTH = 76


@dataclass(frozen=True)
class Edition:
    """An issue as email: subject, the text and HTML parts with RECIPIENT_TOKEN in them."""

    subject: str
    preheader: str
    text: str
    html: str

    def personalised(self, token):
        """(text, html) for the recipient with this token."""
        return self.text.replace(RECIPIENT_TOKEN, token), self.html.replace(RECIPIENT_TOKEN, token)


def stand_in_subscriber(token=RECIPIENT_TOKEN):
    """An unsaved Subscriber with only a token: all subscriptions.mailing reads."""
    return Subscriber(token=token)


def edition_subject(issue):
    """'March Newsletter 2025: Leeds Safeguarding Children Partnership'."""
    return f"{issue_title(issue)}: {settings.WAGTAIL_SITE_NAME}"


def list_id():
    """RFC 2919 List-Id: the NEWSLETTER_LIST_ID setting, else one named after the site."""
    configured = getattr(settings, "NEWSLETTER_LIST_ID", "")
    if configured:
        return configured
    return f"LSCP newsletter <newsletter.{site_host()}>"


def site_host():
    return links.hostname()


def message_id(*, issue_id, subscriber_id, send_id=None):
    """The same Message-ID every time one subscriber is sent one issue (or one alert or
    digest: ``send_id``), so that if a crash makes the worker send it twice (see
    newsletter/sending.py), mail services that de-duplicate by Message-ID (Gmail does) show
    it once."""
    if send_id is not None:
        return f"<newsletter-mailing-{send_id}-{subscriber_id}@{site_host()}>"
    return f"<newsletter-{issue_id}-{subscriber_id}@{site_host()}>"


# --- Rendering -----------------------------------------------------------------------------


_RELATIVE_URL = re.compile(r'(\s(?:href|src)=")(/(?!/)[^"]*)"')


def absolutise_urls(html):
    """Every href="/..." and src="/..." made absolute on the public site (BASE_URL)."""
    return _RELATIVE_URL.sub(lambda match: f'{match[1]}{absolute_url(match[2])}"', html)


class _TextConverter(HTMLParser):
    """Rich text HTML as readable plain text: paragraphs, list items, 'link text (URL)'."""

    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.lists = []
        self.links = []

    def _break(self, blank=True):
        self.out.append("\n\n" if blank else "\n")

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self._break(blank=not self.lists)
        if tag in {"ul", "ol"}:
            self.lists.append([tag, 0])
        elif tag == "li":
            self._break(blank=False)
            kind = self.lists[-1] if self.lists else ["ul", 0]
            kind[1] += 1
            self.out.append(f"{kind[1]}. " if kind[0] == "ol" else "- ")
        elif tag == "br":
            self._break(blank=False)
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.out)))

    def handle_endtag(self, tag):
        if tag in {"ul", "ol"} and self.lists:
            self.lists.pop()
        if tag in self.BLOCKS:
            self._break(blank=not self.lists)
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.out[start:]).strip()
            if href.startswith("mailto:"):
                href = href[len("mailto:") :].split("?")[0]
            elif href.startswith("/"):
                href = absolute_url(href)
            if href and href != label:
                self.out.append(f" ({href})")

    def handle_data(self, data):
        self.out.append(re.sub(r"\s+", " ", data))

    def text(self):
        raw = "".join(self.out)
        paragraphs = [" ".join(line.split()) for line in raw.split("\n")]
        text = "\n".join(paragraphs)
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_to_text(html):
    converter = _TextConverter()
    converter.feed(str(html))
    converter.close()
    return converter.text()


def wrap_text(text, width=TEXT_WIDTH):
    """Lines of at most ``width`` characters, except a word (a web address) longer than it."""
    lines = []
    for line in text.splitlines():
        if len(line) <= width:
            lines.append(line)
            continue
        # A line already indented (a diary item's link under its item) keeps its indent:
        # textwrap would drop it from a web address too long to wrap.
        leading = line[: len(line) - len(line.lstrip(" "))]
        indent = (
            "  " if line.startswith(("- ", "1", "2", "3", "4", "5", "6", "7", "8", "9")) else ""
        )
        lines.extend(
            textwrap.wrap(
                line[len(leading) :],
                width=width,
                initial_indent=leading,
                subsequent_indent=leading or indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class EmailImage:
    url: str
    width: int
    height: int
    alt: str


def email_image(image, *, alt):
    """The picture at twice the size the email shows it, with an absolute address."""
    rendition = image.get_rendition(IMAGE_SPEC)
    width = min(IMAGE_DISPLAY_WIDTH, rendition.width)
    height = round(rendition.height * width / rendition.width) if rendition.width else 0
    return EmailImage(url=absolute_url(rendition.url), width=width, height=height, alt=alt)


@dataclass(frozen=True)
class EmailBlock:
    block_type: str
    html: str
    text: str


def render_block(block, *, issue):
    """One body block as (html, text) with the email's templates and the block's context."""
    parent_context = {"issue": issue, "page": issue}
    context = block.block.get_context(block.value, parent_context=parent_context)
    context.update(parent_context)
    context["subscribe_url"] = absolute_url("/subscribe/")
    if block.block_type == "section":
        value = block.value
        if value.get("image") is not None:
            alt = "" if value.get("image_decorative") else (value.get("image_alt") or "")
            context["image"] = email_image(value["image"], alt=alt)
        rich_text = str(value.get("text") or "")
        context["text_html"] = mark_safe(rich_text)  # noqa: S308 - Wagtail's rich text
        context["text_plain"] = html_to_text(rich_text)
    name = f"email/newsletter/blocks/{block.block_type}"
    html = render_to_string(f"{name}.html", context)
    text = render_to_string(f"{name}.txt", context).strip()
    return EmailBlock(block.block_type, mark_safe(html), text)  # noqa: S308 - our template


def render_edition(issue, *, token=RECIPIENT_TOKEN):
    """The issue (its published version: pass the live page) as an Edition."""
    online_url = absolute_url(issue.url)
    links = subscriber_links(stand_in_subscriber(token))
    blocks = [render_block(block, issue=issue) for block in issue.body]
    context = {
        "issue": issue,
        "title": issue_title(issue),
        "issue_month": month_label(issue.issue_date),
        "preheader": issue.summary,
        "online_url": online_url,
        "contents": issue_contents(issue.body),
        "blocks": blocks,
        "subscribe_url": absolute_url("/subscribe/"),
        **links,
    }
    text, html = render_email(template_name=TEMPLATE_NAME, context=context)
    return Edition(
        subject=edition_subject(issue),
        preheader=issue.summary,
        text=wrap_text(text).strip() + "\n",
        html=absolutise_urls(html),
    )


# --- Messages ------------------------------------------------------------------------------


def edition_headers(*, token, message_id_value, mailto):
    """List-Unsubscribe, List-Unsubscribe-Post (subscriptions.mailing), List-Id, Message-ID."""
    return {
        **list_headers(stand_in_subscriber(token), mailto=mailto),
        "List-Id": list_id(),
        "Message-ID": message_id_value,
    }


class _Serialised:
    """What PreparedEmail.message() gives the SMTP backend: the message's bytes."""

    def __init__(self, data):
        self.data = data

    def as_bytes(self, *args, **kwargs):
        return self.data

    def __bytes__(self):
        return self.data


class PreparedEmail(SiteEmail):
    """A SiteEmail that can hand the SMTP backend bytes made in advance.

    Everything else about it (body, alternatives, headers, recipients) is an ordinary
    message's, so other backends and the test outbox see nothing unusual.
    """

    prepared_bytes = None

    def message(self, *, policy=email.policy.default):
        if self.prepared_bytes is not None and policy is email.policy.SMTP:
            return _Serialised(self.prepared_bytes)
        return super().message(policy=policy)


class NewsletterSMTPBackend(SMTPBackend):
    """Django's SMTP backend, configured the same way (the EMAIL_* settings), that skips
    re-parsing plain addresses: Django checks each address with the email package's full
    header parser (a quarter of a millisecond, twice per message). An address made only of
    the characters _SIMPLE_ADDRESS allows cannot smuggle a line break or a second address,
    so it is used as it is; anything else gets Django's full check."""

    def prep_address(self, address, force_ascii=True):
        if _SIMPLE_ADDRESS.match(address):
            return address
        # The sender ("Leeds Safeguarding Children Partnership <...>") is the same on every
        # message: checked once per connection.
        cache = self.__dict__.setdefault("_prepared_addresses", {})
        key = (address, force_ascii)
        if key not in cache:
            cache[key] = super().prep_address(address, force_ascii=force_ascii)
        return cache[key]

    # smtplib's sendmail() in two halves, so the sending loop can write the previous
    # email's "sent" mark while this one's envelope is exchanged (newsletter/sending.py).

    def begin(self, message):
        """MAIL FROM and RCPT TO for ``message`` on the open connection; nothing is
        delivered yet. Returns the bytes for finish(). Raises what sendmail() raises."""
        data = message.message(policy=email.policy.SMTP).as_bytes()
        sender = self.prep_address(message.from_email)
        recipients = [self.prep_address(address) for address in message.recipients()]
        smtp = self.connection
        smtp.ehlo_or_helo_if_needed()
        options = [f"size={len(data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
        code, reply = self._command(smtp, "MAIL", "FROM", sender, options)
        if code != 250:
            self._abandon(smtp, code)
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for recipient in recipients:
            code, reply = self._command(smtp, "RCPT", "TO", recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
            if code == 421:
                smtp.close()
                raise smtplib.SMTPRecipientsRefused(refused)
        if len(refused) == len(recipients):
            smtp.rset()
            raise smtplib.SMTPRecipientsRefused(refused)
        return data

    def finish(self, data):
        """DATA: the server accepts the message (or raises SMTPDataError)."""
        smtp = self.connection
        code, reply = smtp.data(data)
        if code != 250:
            self._abandon(smtp, code)
            raise smtplib.SMTPDataError(code, reply)

    @staticmethod
    def _command(smtp, verb, keyword, address, options=()):
        """MAIL FROM / RCPT TO. smtplib's mail() and rcpt() parse the address again; a
        plain one (prep_address has passed it) goes as it is, in angle brackets."""
        if not _SIMPLE_ADDRESS.match(address):
            if verb == "MAIL":
                return smtp.mail(address, list(options))
            return smtp.rcpt(address)
        suffix = "".join(f" {option}" for option in options)
        return smtp.docmd(verb, f"{keyword}:<{address}>{suffix}")

    @staticmethod
    def _abandon(smtp, code):
        if code == 421:
            smtp.close()
        else:
            smtp.rset()


# Lines up to RFC 5322's limit of 998 characters: a long List-Unsubscribe URL stays one
# word instead of turning into RFC 2047 encoded-words, which list headers must not use.
TEMPLATE_POLICY = email.policy.SMTP.clone(max_line_length=998)
_TO_SLOT = "lscp-to-slot@slot.invalid"
_MESSAGE_ID_SLOT = "<lscp-message-id-slot@slot.invalid>"
_BODY_SLOT = "LSCPxBODYxSLOTx{}x"
# An address the template can carry as it is: ASCII, no quotes, spaces or comments.
_SIMPLE_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+$")
_SIMPLE_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


def _crlf(data):
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _qp(data):
    """Quoted-printable with CRLF line ends, every line at most 76 characters, and no
    trailing line break of its own (the caller adds a soft one)."""
    encoded = _crlf(binascii.b2a_qp(data, istext=True))
    head, _, last = encoded.rpartition(b"\r\n")
    pieces = []
    while len(last) > 75:
        cut = 75
        # Never split an "=XX" escape.
        if last[cut - 1 : cut] == b"=":
            cut -= 1
        elif last[cut - 2 : cut - 1] == b"=":
            cut -= 2
        pieces.append(last[:cut] + b"=")
        last = last[cut:]
    pieces.append(last)
    tail = b"\r\n".join(pieces)
    return head + b"\r\n" + tail if head or encoded.startswith(b"\r\n") else tail


def _encoded_body_pieces(content, *, cte, charset):
    """The body of one part as [bytes, "token", bytes, ...], already transfer-encoded."""
    if cte == "base64":
        return [("base64", content, charset)]
    segments = content.split(RECIPIENT_TOKEN)
    pieces = []
    for number, segment in enumerate(segments):
        data = _crlf(segment.encode(charset))
        if cte == "quoted-printable":
            is_last = number == len(segments) - 1
            encoded = _qp(data)
            pieces.append(encoded if is_last else encoded + b"=\r\n")
            if not is_last:
                pieces.extend(["token", b"=\r\n"])
        else:  # 7bit, 8bit: as it is
            pieces.append(data)
            if number != len(segments) - 1:
                pieces.append("token")
    if cte == "quoted-printable" and not content.endswith("\n"):
        pieces.append(b"\r\n")
    return pieces


class MessageTemplate:
    """The edition serialised once, ready to be joined into each recipient's bytes."""

    def __init__(self, edition, *, mailto=None):
        self.edition = edition
        self.mailto = mailto or unsubscribe_mailto()
        self.headers = edition_headers(
            token=RECIPIENT_TOKEN, message_id_value=_MESSAGE_ID_SLOT, mailto=self.mailto
        )
        sample = build_email(
            to=_TO_SLOT,
            subject=edition.subject,
            template_name=TEMPLATE_NAME,
            context={},
            headers=self.headers,
            rendered=(edition.text, edition.html),
        )
        mime = sample.message(policy=TEMPLATE_POLICY)
        bodies = {}
        for number, part in enumerate(p for p in mime.walk() if not p.is_multipart()):
            slot = _BODY_SLOT.format(number)
            bodies[slot] = _encoded_body_pieces(
                part.get_content(),
                cte=(part.get("Content-Transfer-Encoding") or "7bit").lower(),
                charset=part.get_content_charset() or "utf-8",
            )
            part.set_payload(slot)
        data = mime.as_bytes(policy=TEMPLATE_POLICY)
        boundary = mime.get_boundary()
        if boundary and (boundary in edition.text or boundary in edition.html):
            mime.set_boundary(f"{boundary}{RECIPIENT_TOKEN}")  # never in the content
            data = mime.as_bytes(policy=TEMPLATE_POLICY)
        self.pieces = []
        pattern = re.compile(
            "|".join(re.escape(s) for s in [_TO_SLOT, _MESSAGE_ID_SLOT, RECIPIENT_TOKEN, *bodies])
        )
        text = data.decode("ascii")
        position = 0
        for match in pattern.finditer(text):
            self.pieces.append(text[position : match.start()].encode("ascii"))
            found = match[0]
            if found == _TO_SLOT:
                self.pieces.append("to")
            elif found == _MESSAGE_ID_SLOT:
                self.pieces.append("message_id")
            elif found == RECIPIENT_TOKEN:
                self.pieces.append("token")
            else:
                self.pieces.extend(bodies[found])
            position = match.end()
        self.pieces.append(text[position:].encode("ascii"))

    def serialise(self, *, to, token, message_id_value):
        slots = {
            "to": to.encode("ascii"),
            "token": token.encode("ascii"),
            "message_id": message_id_value.encode("ascii"),
        }
        out = []
        for piece in self.pieces:
            if isinstance(piece, bytes):
                out.append(piece)
            elif isinstance(piece, str):
                out.append(slots[piece])
            else:  # a base64 part: encoded per recipient
                _, content, charset = piece
                data = _crlf(content.replace(RECIPIENT_TOKEN, token).encode(charset))
                out.append(_crlf(base64.encodebytes(data)))
        return b"".join(out)

    def headers_for(self, *, token, message_id_value):
        return {
            name: value.replace(RECIPIENT_TOKEN, token).replace(_MESSAGE_ID_SLOT, message_id_value)
            for name, value in self.headers.items()
        }

    def email_for(self, *, to, token, message_id_value):
        """A PreparedEmail for one recipient (bytes ready when the address allows it)."""
        text, html = self.edition.personalised(token)
        message = build_email(
            to=to,
            subject=self.edition.subject,
            template_name=TEMPLATE_NAME,
            context={},
            headers=self.headers_for(token=token, message_id_value=message_id_value),
            rendered=(text, html),
            message_class=PreparedEmail,
        )
        if _SIMPLE_ADDRESS.match(to) and _SIMPLE_TOKEN.match(token):
            message.prepared_bytes = self.serialise(
                to=to, token=token, message_id_value=message_id_value
            )
        return message

    def batch_email(self, *, recipients, merge_field):
        """One message for a whole batch through an email service's batch API.

        ``recipients`` is [(address, token, message_id_value, metadata)]. The text and HTML
        carry the service's merge field (``merge_field.format("token")``, e.g. Mailgun's
        ``%recipient.token%``) where each person's token goes, and ``merge_data`` gives
        each address its token; ``merge_headers`` gives each their own List-Unsubscribe
        and Message-ID, ``merge_metadata`` what their reports are matched by. The service
        sends each person a separate email addressed to them alone.
        """
        field = merge_field.format("token")
        text = self.edition.text.replace(RECIPIENT_TOKEN, field)
        html = self.edition.html.replace(RECIPIENT_TOKEN, field)
        message = AnymailMessage(
            subject=self.edition.subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address for address, *_ in recipients],
            headers={"List-Id": self.headers["List-Id"]},
        )
        message.attach_alternative(html, "text/html")
        message.merge_data = {address: {"token": token} for address, token, *_ in recipients}
        message.merge_headers = {
            address: {
                name: value
                for name, value in self.headers_for(
                    token=token, message_id_value=message_id_value
                ).items()
                if name != "List-Id"
            }
            for address, token, message_id_value, _ in recipients
        }
        message.merge_metadata = {address: metadata for address, *_, metadata in recipients}
        return message
