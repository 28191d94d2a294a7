"""A pure ASGI middleware that refuses request bodies over the limit with 413 (`format.md` §8).

It answers at once when `Content-Length` is too large, and counts the bytes of a body sent
without one (chunked), stopping the request as soon as the count passes the limit, so a large
body is never held in memory.
"""

from __future__ import annotations

from .config import Limits
from .limits import body_too_large


class BodyLimit:
    def __init__(self, app, limits: Limits):
        self.app = app
        self.limits = limits

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limits.request_bytes
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    size = int(value)
                except ValueError:
                    size = 0
                if size > limit:
                    response = body_too_large(size, self.limits).response()
                    return await response(scope, receive, send)
        seen = 0

        async def counting_receive():
            # The ApiError raised here reaches the app's handler, which answers 413.
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise body_too_large(seen, self.limits)
            return message

        await self.app(scope, counting_receive, send)
