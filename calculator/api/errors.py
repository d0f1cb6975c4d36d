"""Every API error in one JSON shape, `{"errors": {"drugs.0.rate": ["..."]}}`: the renderer,
the error answers, the exception handlers, and pydantic's errors put in plain words."""

from __future__ import annotations

import json
import math
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from calculator import services
from calculator.api.schemas import INPUT_FIELDS
from calculator.domain.errors import InvalidOrder

NOT_SIGNED_IN = "sign in, or send an API token as Authorization: Bearer <token>"


# orjson leaves dates and times to the encoder below, so they are written as Django writes them.
_ORJSON_OPTIONS = (
    orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)
_ENCODER = NinjaJSONEncoder()


def render_json(data: Any) -> bytes:
    """Return data as `json.dumps(data, indent=2)` writes it (what `manage.py calculate --json`
    prints), byte for byte, with ninja's encoder for what JSON has no type for (Decimal as text).

    The standard library's encoder runs in pure Python whenever it indents, which cost a
    calculate more than its claim lines; orjson writes the same layout in C. What orjson writes
    differently, or refuses, goes to the standard encoder: non-ASCII text (which the standard
    encoder escapes), integers beyond 64 bits, lone surrogates, keys that are not text."""
    try:
        body = orjson.dumps(data, default=_ENCODER.default, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError is one
        body = b""
    if body and body.isascii():
        return body
    return json.dumps(_finite(data), cls=NinjaJSONEncoder, indent=2).encode()


def _finite(data: Any) -> Any:
    """Return data with NaN and infinities as None, as orjson writes them: JSON has no spelling
    for them (the standard encoder would write `NaN`, which no JSON parser must accept)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(item) for item in data]
    return data


class Renderer(JSONRenderer):
    """JSON laid out as `manage.py calculate --json` prints it, so the two match byte for byte."""

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return render_json(data)


def json_response(data: Any, status: int = 200) -> HttpResponse:
    """Return data as the API renders every answer (errors included)."""
    content_type = f"{Renderer.media_type}; charset={Renderer.charset}"
    return HttpResponse(render_json(data), status=status, content_type=content_type)


def errors(status: int, field: str, *messages: str) -> HttpResponse:
    return json_response({"errors": {field: list(messages)}}, status=status)


def unauthorized(message: str) -> HttpResponse:
    response = errors(401, "auth", message)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


class ErrorOut(Schema):
    errors: dict[str, list[str]] = Field(
        description="Messages by field path, as in the request: `drugs.0.rate`.",
        examples=[{"drugs.0.rate": ['"25 mg/mL" is a concentration, not a dose rate']}],
    )


class Forbidden(HttpError):
    def __init__(self, message: str) -> None:
        super().__init__(403, message)


ERROR_RESPONSES: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}
NOT_FOUND = {"id": ["not found"]}


def _invalid_order(request: HttpRequest, exc: InvalidOrder) -> HttpResponse:
    return json_response({"errors": exc.errors}, status=400)


def _wrong_state(request: HttpRequest, exc: services.OrderStateError) -> HttpResponse:
    return errors(409, "status", str(exc))


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return json_response({"errors": NOT_FOUND}, status=404)


def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return errors(400, "body", f"the body is larger than the {limit} bytes allowed")


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError) or exc.status_code == 401:
        return unauthorized(NOT_SIGNED_IN if isinstance(exc, AuthenticationError) else exc.message)
    if exc.status_code == 403:
        return errors(403, "auth", exc.message)
    if exc.status_code == 400 and exc.__cause__ is not None:
        # ninja wraps whatever the JSON parser raised; name the cause, not the wrapper.
        return errors(400, "body", f"the body is not valid JSON: {_reason(exc.__cause__)}")
    return errors(exc.status_code, "request", exc.message)


def _reason(error: BaseException) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} (line {error.lineno}, column {error.colno})"
    if isinstance(error, UnicodeDecodeError):
        return "it is not UTF-8 text"
    return type(error).__name__


TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a number",
    "float_type": "a number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
}


def _schema_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Answer 400 with the engine's shape; a path parameter that is not an id is not found."""
    if any(error["loc"][:1] == ("path",) for error in exc.errors):
        return json_response({"errors": NOT_FOUND}, status=404)
    return json_response({"errors": schema_errors(exc.errors)}, status=400)


def schema_errors(raw: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Return pydantic's errors keyed by request path ("drugs.0.rate"), in plain words.

    The body parameter's name and pydantic's union branch tags ("str", "int", "DrugIn") are
    dropped from the location; a failed union at one path says once what the value may be.
    """
    by_path: dict[str, list[dict[str, Any]]] = {}
    for error in raw:
        if error["type"] == "none_required":
            continue  # the undocumented null branch of a field the engine reads (`Text`)
        loc = list(error["loc"])
        source = loc.pop(0) if loc else "body"
        if source == "body" and loc:
            loc.pop(0)  # the body parameter's name
        if error["type"] == "extra_forbidden" and loc:
            unknown = loc.pop()  # the unknown key itself, whatever it is called
            parts = [*_path_parts(loc), str(unknown)]
        else:
            parts = _path_parts(loc)
        path = ".".join(parts) or ("body" if source == "body" else source)
        by_path.setdefault(path, []).append(error)
    out: dict[str, list[str]] = {}
    for path, found in by_path.items():
        deeper = any(other.startswith(f"{path}.") for other in by_path)
        kinds = [TYPE_WORDS[e["type"]] for e in found if e["type"] in TYPE_WORDS]
        messages = [_message(e) for e in found if e["type"] not in TYPE_WORDS]
        if kinds and not deeper:
            words = list(dict.fromkeys(kinds))
            messages.insert(0, "must be " + " or ".join(words))
        if messages:
            out[path] = list(dict.fromkeys(messages))
    return out or {"body": ["the request does not match the schema"]}


def _path_parts(loc: list[Any]) -> list[str]:
    return [str(part) for part in loc if isinstance(part, int) or part in INPUT_FIELDS]


def _message(error: dict[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field"
    if error["type"] == "missing":
        return "required"
    text = str(error["msg"])
    return text[:1].lower() + text[1:]


def register_error_handlers(api: NinjaAPI) -> None:
    """Answer every error the API meets in one JSON shape: `{"errors": {path: [messages]}}`."""
    api.add_exception_handler(InvalidOrder, _invalid_order)
    api.add_exception_handler(services.OrderStateError, _wrong_state)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(RequestDataTooBig, _too_big)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(ValidationError, _schema_error)
