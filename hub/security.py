"""Security headers and the allow-list of endpoints that need no login."""

from __future__ import annotations

from flask import Response, request

#: Where the JSON API is mounted; it authenticates by bearer token (hub.api.auth).
API_PREFIX = "/api/v1"

#: Endpoints reachable without logging in. Everything else requires a session or an API token.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "font", "health"})
#: Assets without personal data, which browsers may keep.
CACHEABLE_ENDPOINTS = frozenset({"static", "font"})

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


def set_security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        # Pages carry personal data: never keep them in a shared or browser cache.
        response.headers["Cache-Control"] = "no-store"
    return response
