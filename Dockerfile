# The advisor as a container image: built in one stage, run in a slim one as a non-root user.
# Works with a read-only root filesystem: everything it writes goes to /tmp and /var/lib/advisor
# (mount an emptyDir/tmpfs or a volume there).

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY advisor advisor
COPY templates templates
COPY static static
COPY migrations migrations
# wheels of the app and every dependency, so the final stage needs no compiler and no network
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[postgresql,server]"

FROM python:3.11-slim-bookworm
# WeasyPrint's text layout (Pango, HarfBuzz) and fonts for the PDF export; no build tools here
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 advisor \
 && useradd --system --uid 10001 --gid advisor --home-dir /nonexistent --shell /usr/sbin/nologin advisor \
 && install -d -o 10001 -g 10001 -m 0700 /var/lib/advisor
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels "k8s-architecture-advisor[postgresql,server]" \
 && rm -rf /wheels
ENV ADVISOR_INSTANCE_PATH=/var/lib/advisor \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    XDG_CACHE_HOME=/tmp/cache \
    HOME=/tmp
USER 10001:10001
EXPOSE 8000
# the process answers /healthz (no curl or wget in the image: Python's urllib; a non-2xx answer raises)
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# advisor/gunicorn_conf.py: bind 0.0.0.0:8000, WEB_CONCURRENCY workers (default 2), heartbeat files in /tmp, and
# an access log on standard output with share-link tokens redacted (/share/[redacted])
CMD ["gunicorn", "-c", "python:advisor.gunicorn_conf"]
