# syntax=docker/dockerfile:1
# The production image of the platform: web (gunicorn), worker and beat (Celery), migrations (platform_migrate) all
# run from it with a different command (deploy/docker-compose.yml, helm/dms). Build: `docker build -t dms .`
#
# Two stages: `build` installs the pinned dependencies into a virtualenv, compiles the translations (Babel) and
# collects the static files (WhiteNoise's compressed manifest); `runtime` copies only the virtualenv and the
# application onto a slim Python and runs it as an unprivileged user. No secret is baked in: every secret comes from
# the environment at run time (the placeholders given to collectstatic below live for that one command only).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 VIRTUAL_ENV=/opt/venv
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# Dependencies first, so that a code change reuses this layer.
COPY pyproject.toml requirements.lock ./
COPY scripts/deps.py scripts/deps.py
RUN python scripts/deps.py | pip install -c requirements.lock -r /dev/stdin
COPY . .
RUN python scripts/compilemessages.py \
    && DJANGO_ENV=production PLATFORM_DOMAIN=build.invalid SECRET_KEY=collectstatic-placeholder \
       DATABASE_URL=postgres://collectstatic@127.0.0.1:1/unused \
       FIELD_ENCRYPTION_KEY=cGxhY2Vob2xkZXItZm9yLWNvbGxlY3RzdGF0aWMtMDA= \
       python manage.py collectstatic --noinput -v 0 \
    && python -m compileall -q platform tenants tenant_apps shared_apps onboarding billing_saas

FROM ${PYTHON_IMAGE} AS runtime
# A CJK font for the PDFs (dealer statements, documents); nothing else from the system is needed (wheels only).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 dms \
    && useradd --system --uid 10001 --gid dms --home-dir /app --no-create-home --shell /usr/sbin/nologin dms \
    && mkdir -p /data /tmp/prometheus \
    && chown dms:dms /data /tmp/prometheus
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app/platform \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=dms.settings \
    DJANGO_ENV=production \
    LOG_FORMAT=json \
    DMS_DATA_DIR=/data \
    MEDIA_ROOT=/data/media \
    EXPORT_ROOT=/data/exports \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    PORT=8000
WORKDIR /app
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
# /healthz answers without touching the database (a database outage never restarts the container).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]
CMD ["gunicorn", "dms.wsgi:application", "--config", "platform/dms/gunicorn_conf.py"]
