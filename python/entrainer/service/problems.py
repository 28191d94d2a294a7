"""Error answers: every 4xx carries the same located lines as the CLI, plus a JSON list.

The body is always ``{"message": ..., "errors": [{"code", "location", "text"}], "warnings": [...]}``.
`message` is the text the CLI would print (`format.md` §7.1): for a track, a count line and one
``<location>: <text>`` line per error. Nothing here ever shows a traceback: an unexpected
exception becomes a plain 500 whose details stay in the server log.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import E_JSON, Diagnostic, EntrainerError, TrackError, num, show

log = logging.getLogger("entrainer.service")

# Service codes, beside the track catalogue's (format.md §7.2).
E_AUTH = "E_AUTH"            # 401: no or malformed token
E_FORBIDDEN = "E_FORBIDDEN"  # 403: the token does not control this resource
E_NOT_FOUND = "E_NOT_FOUND"  # 404
E_REQUEST = "E_REQUEST"      # 422: a request field (not a track) is wrong
E_STATE = "E_STATE"          # 409: not possible in the current state
E_LIMIT = "E_LIMIT"


class ApiError(Exception):
    """An answer with a status and one or more diagnostics."""

    def __init__(self, status: int, diagnostics: list[Diagnostic], message: str | None = None,
                 warnings: list[Diagnostic] | None = None, headers: dict[str, str] | None = None):
        self.status = status
        self.diagnostics = diagnostics
        self.warnings = warnings or []
        self.message = message or "\n".join(str(d) for d in diagnostics)
        self.headers = headers
        super().__init__(self.message)

    @classmethod
    def one(cls, status: int, code: str, location: str, text: str, **kw) -> "ApiError":
        return cls(status, [Diagnostic(code, location, text)], **kw)

    @classmethod
    def from_track(cls, e: TrackError, warnings=None) -> "ApiError":
        """422 with the loader's message; 400 when the body is not JSON or not UTF-8 (§7.1)."""
        codes = set(e.codes)
        status = 400 if codes & {"E_JSON", "E_ENCODING"} else 422
        if "E_LIMIT" in codes:
            status = getattr(e, "http_status", status)
        return cls(status, e.diagnostics, str(e), warnings=warnings or e.warnings)

    def body(self) -> dict:
        return {"message": self.message, "errors": [as_json(d) for d in self.diagnostics],
                "warnings": [as_json(w) for w in self.warnings]}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def as_json(d: Diagnostic) -> dict:
    return {"code": d.code, "location": d.location, "text": d.text}


def not_found(what: str, ident) -> ApiError:
    return ApiError.one(404, E_NOT_FOUND, what, f"no {what} with id {show(ident)}")


_EXPECT = {
    "missing": "a value",
    "float_parsing": "a number", "float_type": "a number", "finite_number": "a finite number",
    "int_parsing": "an integer", "int_type": "an integer", "int_from_float": "an integer",
    "string_type": "a string", "bool_parsing": "true or false", "bool_type": "true or false",
    "dict_type": "an object", "model_attributes_type": "an object", "model_type": "an object",
    "list_type": "an array",
}


def _validation_diagnostic(err: dict) -> Diagnostic:
    """One pydantic error as a located line: `seek.position_s: expected a number, got "x"`."""
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
    location = ".".join(loc) or "(body)"
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return Diagnostic(E_REQUEST, location, "expected a value, got nothing")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "")
        expected = f"a number {sign} {num(bound) if isinstance(bound, (int, float)) else bound}"
    elif kind == "literal_error":
        expected = f"one of {ctx.get('expected', '')}"
    elif kind == "extra_forbidden":
        return Diagnostic(E_REQUEST, location, "unknown key")
    else:
        expected = _EXPECT.get(kind, err.get("msg", "a valid value").lower())
    return Diagnostic(E_REQUEST, location, f"expected {expected}, got {show(err.get('input'))}")


def install(app: FastAPI) -> None:
    """Registers the handlers that turn every failure into the body above."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, e: ApiError):
        return e.response()

    @app.exception_handler(TrackError)
    async def _track(_: Request, e: TrackError):
        return ApiError.from_track(e).response()

    @app.exception_handler(EntrainerError)
    async def _engine(_: Request, e: EntrainerError):
        # The engine's own checks (a plan it refuses, a stream that cannot start): one located
        # line each, as the CLI prints them.
        lines = [line for line in str(e).splitlines() if line.strip()] or ["(engine): the engine refused the request"]
        diagnostics = [Diagnostic("E_ENGINE", *(line.split(": ", 1) if ": " in line else ("(engine)", line)))
                       for line in lines]
        return ApiError(422, diagnostics, str(e)).response()

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, e: RequestValidationError):
        errors = list(e.errors())
        if any(err.get("type") == "json_invalid" for err in errors):
            err = next(err for err in errors if err.get("type") == "json_invalid")
            pos = (err.get("ctx") or {}).get("error", "")
            return ApiError.one(400, E_JSON, "(body)", f"invalid JSON: {pos}".rstrip(": ")).response()
        return ApiError(422, [_validation_diagnostic(err) for err in errors]).response()

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, e: StarletteHTTPException):
        code = {404: E_NOT_FOUND, 405: E_REQUEST, 401: E_AUTH, 403: E_FORBIDDEN}.get(e.status_code, E_REQUEST)
        text = {404: "no such path", 405: "method not allowed here"}.get(e.status_code, str(e.detail))
        return ApiError.one(e.status_code, code, "(request)", text).response()

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, e: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"message": "(server): an internal error occurred; it has been logged",
                             "errors": [{"code": "E_INTERNAL", "location": "(server)",
                                         "text": "an internal error occurred; it has been logged"}],
                             "warnings": []}, status_code=500)
