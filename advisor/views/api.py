"""The JSON API (contract §7), authenticated with personal API tokens."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, g, request
from werkzeug.wrappers import Response

from advisor.engine import AnswersError, evaluate
from advisor.extensions import csrf, db
from advisor.services import accounts
from advisor.views.common import kb

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies: cross-site requests cannot carry them


def error(status: int, key: str, message: str) -> tuple[dict[str, Any], int]:
    return {"errors": [{"key": key, "message": message}]}, status


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        user = accounts.user_for_api_token(db.session, raw.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            db.session.rollback()
            body, status = error(
                401, "Authorization", "Send a valid personal API token: 'Authorization: Bearer <token>'."
            )
            return body, status, {"WWW-Authenticate": 'Bearer realm="advisor"'}
        db.session.commit()  # records the token's last use
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped


def json_body() -> Any:
    data = request.get_json(silent=True)
    if data is None:
        return None
    return data


@bp.post("/evaluate")
@token_required
def evaluate_answers() -> tuple[dict[str, Any], int] | Response:
    """Evaluate an answers document; nothing is stored."""
    body = json_body()
    if body is None:
        return error(400, "(body)", "Send the answers document as a JSON object (Content-Type: application/json).")
    try:
        return evaluate(body, kb()), 200
    except AnswersError as exc:
        return {"errors": exc.errors}, 400
