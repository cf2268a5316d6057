"""One shape for every error the CMS API returns.

    {"status": 400, "code": "invalid", "detail": "…", "errors": {"field": ["…"]}}

`errors` names the fields of a refused request (empty for other errors). A body too large for
the server is a 413, an unknown URL under /api/ a 404, both in the same shape.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

NOT_AUTHENTICATED = (
    "No credentials: send 'Authorization: Api-Key <key>' with a key created in the admin."
)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than the server accepts."
    default_code = "too_large"


def error_body(
    status_code: int, code: str, detail: str, errors: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON every API error carries."""
    return {"status": status_code, "code": code, "detail": detail, "errors": errors or {}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with every error rewritten to `error_body`'s shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, exceptions.NotAuthenticated):
        exc.detail = exceptions.ErrorDetail(NOT_AUTHENTICATED, exc.default_code)
    elif isinstance(exc, DjangoValidationError):
        # A service refused the input (ValidationError by house style): a 400 naming the field.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 (and its log)
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body(
            response.status_code, "invalid", "Some fields are not valid.", _strings(errors)
        )
    elif isinstance(exc, exceptions.APIException):
        code = exc.get_codes()
        response.data = error_body(
            response.status_code,
            code if isinstance(code, str) else exc.default_code,
            str(exc.detail) if isinstance(exc.detail, str) else str(exc.default_detail),
        )
    return response


def _strings(errors: Any) -> Any:
    """ErrorDetail objects as plain strings, keeping the nesting of lists and dicts."""
    if isinstance(errors, dict):
        return {str(key): _strings(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [_strings(value) for value in errors]
    return str(errors)


def api_not_found(request: HttpRequest) -> JsonResponse:
    """Any URL under /api/ that names no endpoint: a 404 in the API's error shape."""
    return JsonResponse(
        error_body(404, "not_found", "There is no API endpoint at this URL."), status=404
    )
