"""The framework floor: a bare Flask app whose one route returns a static page of a given size."""

from __future__ import annotations

import os

from flask import Flask, Response


def create_app() -> Flask:
    app = Flask(__name__)
    body = b"x" * int(os.environ.get("FLOOR_BYTES", "100000"))

    @app.get("/")
    def page() -> Response:
        return Response(body, mimetype="text/html")

    return app
