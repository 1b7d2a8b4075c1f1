"""Docker's and compose's health check of a web container: exit 0 when /healthz answers 200.

It asks as the load balancer would: with a Host from ALLOWED_HOSTS (any other is refused)
and X-Forwarded-Proto: https (or production settings would redirect to https).
"""

import os
import sys
import urllib.error
import urllib.request

PORT = os.environ.get("PORT", "8000")


def main():
    host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip() or "localhost"
    request = urllib.request.Request(  # noqa: S310 - a fixed http://127.0.0.1 address
        f"http://127.0.0.1:{PORT}/healthz",
        headers={"Host": host.lstrip("."), "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            print(response.read().decode())
            return 0
    except urllib.error.HTTPError as error:
        print(error.read().decode(), file=sys.stderr)
    except OSError as error:
        print(error, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
