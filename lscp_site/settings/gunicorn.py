"""gunicorn's settings in the production image: `gunicorn -c python:lscp_site.settings.gunicorn`.

Each is read from the environment, so an operator sizes the web containers without
rebuilding the image (docs/deployment.md, "Sizing the web processes").
"""

import os

# Pages are rendered in Python, so processes, not threads, use the cores: two per core
# keeps every core busy while another process waits on PostgreSQL or Redis.
CORES = os.process_cpu_count() or 1

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * CORES)))
# More than one thread a worker (gthread) helps when requests mostly wait (slow clients
# without a proxy that buffers, a remote database); one is right behind a load balancer.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# A worker is replaced after this many requests, so that slow leaks never add up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "true").lower() == "true" else None
# The load balancer in front may say which address a request came from.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
