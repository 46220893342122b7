"""The secure Kubernetes architecture advisor: a Flask app around a pure-Python engine."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.paths import resource_dir

if TYPE_CHECKING:  # Flask is imported inside the factory, so `import advisor.engine` never loads it
    from flask import Flask

__all__ = ["create_app"]


def _instance_path() -> Path:
    configured = os.environ.get("ADVISOR_INSTANCE_PATH")
    if configured:
        return Path(configured).resolve()
    return Path(__file__).resolve().parent.parent / "instance"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from ``ADVISOR_*`` variables, then ``config`` on top."""
    from flask import Flask

    from advisor import config as settings

    instance = Path((config or {}).get("INSTANCE_PATH") or _instance_path())
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    app.config.update(settings.from_environment(instance))
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.load_secret_key(instance)

    from advisor import logs

    settings.check_production(app)
    load_knowledge(app)
    register_extensions(app)
    logs.init_app(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    return app


def load_knowledge(app: Flask) -> None:
    """Load and validate the knowledge base now, so a broken one stops start-up."""
    from advisor.engine.knowledge import knowledge_base_for
    from advisor.report.cache import FragmentCache

    app.extensions["advisor.kb"] = knowledge_base_for(app.config.get("KNOWLEDGE_BASE") or None)
    app.extensions["advisor.fragments"] = FragmentCache(int(float(app.config["FRAGMENT_CACHE_MB"]) * 2**20))


def register_extensions(app: Flask) -> None:
    from advisor import models  # noqa: F401  (every table known to Alembic)
    from advisor.extensions import csrf, db, limiter, login_manager, migrate
    from advisor.views import readonly
    from advisor.views.scans import larger_uploads

    db.init_app(app)
    app.before_request(larger_uploads)  # before CSRF protection reads (and so size-checks) a form
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]
    _private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    migrate.init_app(app, db, directory=str(resource_dir("migrations")), render_as_batch=True)
    readonly.init_app(app)


def _private_sqlite_file(url: str) -> None:
    """An SQLite database file readable by this user only (mode 0600), created so before first use."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix or ":memory:" in url:
        return
    path = Path(url[len(prefix) :].split("?", 1)[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    path.chmod(0o600)


def register_blueprints(app: Flask) -> None:
    from advisor.views import (
        admin,
        api,
        assessments,
        auth,
        health,
        main,
        questionnaire,
        scans,
        share,
        whatif,
        workspaces,
    )

    for blueprint in (
        health.bp,
        main.bp,
        auth.bp,
        admin.bp,
        workspaces.bp,
        assessments.bp,
        questionnaire.bp,
        whatif.bp,
        scans.bp,
        share.bp,
        api.bp,
    ):
        app.register_blueprint(blueprint)
    auth.init_app(app)
    api.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from advisor.views import errors

    errors.init_app(app)


def register_security_headers(app: Flask) -> None:
    from advisor.views import security

    security.init_app(app)
