"""The front page: what the advisor knows, until the questionnaire arrives."""

from flask import Blueprint, current_app, render_template

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str:
    kb = current_app.extensions["advisor.kb"]
    return render_template("main/index.html", kb=kb)
