# The production image: the same commands `make` and CI run, under gunicorn.
FROM python:3.13-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH="/app/.venv/bin:$PATH" \
    DJANGO_SETTINGS_MODULE=lscp_site.settings.production

RUN apt-get update \
    && apt-get install -y --no-install-recommends libjpeg62-turbo zlib1g libwebp7 \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv==0.13.8 \
    && useradd --create-home --uid 1000 lscp

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY --chown=lscp:lscp . .
# The project's own modules are compiled here, as uv compiled the dependencies: with
# PYTHONDONTWRITEBYTECODE each gunicorn worker and command would otherwise compile them as
# it starts. collectstatic needs settings but no secrets or database: throwaway values.
RUN python -m compileall -q -x '/\.venv/' /app \
    && SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --no-input -v 0 \
    && mkdir -p /app/var/media && chown -R lscp:lscp /app/var

USER lscp
EXPOSE 8000
# /healthz answers 200 when the database and the cache do (lscp_site/health.py).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "scripts/healthcheck.py"]
# Workers, threads and timeouts from the environment: lscp_site/settings/gunicorn.py.
CMD ["gunicorn", "lscp_site.wsgi:application", "-c", "python:lscp_site.settings.gunicorn", \
     "--no-control-socket"]
