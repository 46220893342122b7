"""gunicorn's settings for the container image and the Kubernetes manifests.

Used as ``gunicorn -c python:advisor.gunicorn_conf``; a command-line option still overrides a
setting here (``--bind 127.0.0.1:8000``). Workers come from ``WEB_CONCURRENCY`` (default 2),
and the number gunicorn runs (``--workers`` included) is put back into ``WEB_CONCURRENCY``
before the workers load the app, so that its production checks see how many processes share
its state (the app is not preloaded in the master).

The access log stays on, but share-link tokens never reach it: ``/share/<token>`` becomes
``/share/[redacted]`` in every line gunicorn writes (the request line, the path, the query,
any header such as Referer, and the error log's "Error handling request <url>"), and in the
app's own error log ("Exception on /share/<token> [GET]").
"""

from __future__ import annotations

import logging
import os
import re

from gunicorn.arbiter import Arbiter
from gunicorn.config import Config
from gunicorn.glogging import Logger

# a share token in a path, plain or percent-encoded (a Referer, a next= parameter): /share/<token>
SHARE_TOKEN = re.compile(r"(?i)((?:/|%2F)share(?:/|%2F))[^/?#&\s\"'%]+")
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    """``text`` with every share-link token replaced by ``[redacted]``."""
    return SHARE_TOKEN.sub(REDACTED, text)


class RedactShareTokens(logging.Filter):
    """Rewrites each record to its redacted message, exception text included."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not format: leave it to the handler
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RedactingLogger(Logger):
    """gunicorn's logger, with share-link tokens taken out of the access and error logs.

    The filter sees each line once formatted, so every atom of any ``access_log_format`` is
    covered: ``%(r)s``, ``%(U)s``, ``%(q)s``, ``%(f)s``, ``%({referer}i)s``, ``%({raw_uri}e)s``…
    """

    def setup(self, cfg: Config) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactShareTokens) for f in log.filters):
                log.addFilter(RedactShareTokens())


def _redact_app_log() -> None:
    """Flask logs an unhandled error as "Exception on <path> [GET]" to the app's logger, named after the package."""
    app_log = logging.getLogger("advisor")
    if not any(isinstance(f, RedactShareTokens) for f in app_log.filters):
        app_log.addFilter(RedactShareTokens())


_redact_app_log()


def on_starting(server: Arbiter) -> None:
    """Before the workers load the app: tell its production checks how many processes share its state."""
    os.environ["WEB_CONCURRENCY"] = str(server.cfg.workers)


wsgi_app = "advisor:create_app()"
bind = ["0.0.0.0:8000"]  # the container's port, reached through the pod's address; --bind overrides it
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
worker_tmp_dir = "/tmp"  # noqa: S108 (gunicorn's heartbeat files, on the writable in-memory /tmp of the image)
accesslog = "-"
errorlog = "-"
logger_class = RedactingLogger
control_socket_disable = True  # no runtime control socket (gunicorn 25.1+): nothing manages the server from inside
