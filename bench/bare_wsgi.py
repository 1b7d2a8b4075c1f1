"""The fastest a page could be served: a bare WSGI app returning the page's own bytes.

bench/pages.py saves the HTML of each page it measures into a directory and runs this app
under the same gunicorn, with the same workers, to get the ceiling each page is compared
with. ``BENCH_BARE_PAGES`` names a JSON file mapping each path (with its query string) to
the file holding that page's bytes.
"""

import json
import os
from pathlib import Path

NOT_FOUND = b"Not found"


def load_pages(index_file):
    index_file = Path(index_file)
    pages = json.loads(index_file.read_text())
    return {path: (index_file.parent / name).read_bytes() for path, name in pages.items()}


PAGES = load_pages(os.environ["BENCH_BARE_PAGES"]) if os.environ.get("BENCH_BARE_PAGES") else {}


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    query = environ.get("QUERY_STRING", "")
    body = PAGES.get(f"{path}?{query}" if query else path)
    if body is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [NOT_FOUND]
    start_response(
        "200 OK",
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]
