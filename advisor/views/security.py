"""Security headers on every response: a strict CSP with no inline script or style, and no caching of
what a signed-in person (or a share link's holder) sees."""

from __future__ import annotations

from flask import Flask, Response, g, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def private(response: Response) -> bool:
    """Should no browser or proxy keep this response?

    Every HTML page (signed-in pages, the share-link report, forms with CSRF tokens, error pages) and
    anything answered to a signed-in person or an API token; static files keep their caching. The
    signed-in user is only looked at if the request loaded it already: this never asks the database.
    """
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static"):
        return False
    if response.mimetype == "text/html":
        return True
    user = g.get("_login_user")  # where Flask-Login keeps the user it loaded for this request
    return bool(user is not None and user.is_authenticated) or g.get("api_user") is not None


def init_app(app: Flask) -> None:
    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if private(response):  # routes that set their own Cache-Control (exports: no-store too) keep it
            response.headers.setdefault("Cache-Control", "no-store")
        if request.is_secure or app.config.get("SESSION_COOKIE_SECURE"):  # ADVISOR_HTTPS: served over TLS only
            response.headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response
