"""A local stand-in for Mailgun's sending API, for bench/send.py and the sending tests.

It answers ``POST /v3/<domain>/messages`` as Mailgun does (200 with
``{"id": "<...>", "message": "Queued. Thank you."}``; 401 without the API key), and counts
what it was asked: API calls, recipients per call, each recipient's copies, and whether each
recipient had their own merge values (``recipient-variables``) and headers. Point
django-anymail's Mailgun backend at it with ``ANYMAIL = {"MAILGUN_API_URL": url + "/v3",
"MAILGUN_API_KEY": FakeMailgun.api_key, "MAILGUN_SENDER_DOMAIN": ...}``.

    with FakeMailgun() as provider:          # a thread in this process (tests)
        ...; provider.stats()

bench/send.py runs it in a process of its own (``serve_forever``) so that its parsing does
not share the benchmark's CPU time.
"""

import base64
import email.parser
import email.policy
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


class _Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.calls = 0
        self.largest_call = 0
        self.copies = Counter()
        self.without_merge_values = 0
        self.without_own_headers = 0

    def as_dict(self):
        with self.lock:
            return {
                "calls": self.calls,
                "largest_call": self.largest_call,
                "messages": sum(self.copies.values()),
                "recipients": len(self.copies),
                "duplicates": sum(count - 1 for count in self.copies.values() if count > 1),
                "without_merge_values": self.without_merge_values,
                "without_own_headers": self.without_own_headers,
            }


def _form_fields(content_type, body):
    """The fields of a form (urlencoded, or multipart when there are attachments), as
    [(name, text)]."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        return parse_qsl(body.decode(), keep_blank_values=True)
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        fields.append((name, payload.decode("utf-8", errors="replace")))
    return fields


class _Handler(BaseHTTPRequestHandler):
    counts = None
    api_key = None

    def log_message(self, *args):  # quiet
        pass

    def _reply(self, status, data):
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        expected = "Basic " + base64.b64encode(f"api:{self.api_key}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self._reply(401, {"message": "Invalid private key"})
            return
        if not self.path.startswith("/v3/") or not self.path.endswith("/messages"):
            self._reply(404, {"message": "Domain not found"})
            return
        fields = _form_fields(self.headers["Content-Type"], body)
        recipients = [value for name, value in fields if name == "to"]
        variables = json.loads(dict(fields).get("recipient-variables", "{}"))
        with self.counts.lock:
            self.counts.calls += 1
            self.counts.largest_call = max(self.counts.largest_call, len(recipients))
            for recipient in recipients:
                self.counts.copies[recipient.lower()] += 1
                own = variables.get(recipient, {})
                token = own.get("token")
                if not token:
                    self.counts.without_merge_values += 1
                if not token or token not in own.get("h:List-Unsubscribe", ""):
                    self.counts.without_own_headers += 1
            number = self.counts.calls
        self._reply(
            200, {"id": f"<bench.{number}@mg.example.org>", "message": "Queued. Thank you."}
        )


class FakeMailgun:
    api_key = "fake-mailgun-key"  # noqa: S105 - a stand-in, never a real key

    def __init__(self, port=0):
        self.counts = _Counts()
        handler = type("Handler", (_Handler,), {"counts": self.counts, "api_key": self.api_key})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = None

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def stats(self):
        return self.counts.as_dict()

    def reset(self):
        with self.counts.lock:
            self.counts.reset()
