"""Turning validation errors into messages a person can read, on a form or as a flash."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def flash_errors(request: HttpRequest, error: ValidationError) -> None:
    """Show a service's ValidationError to the user as error messages."""
    for message in error.messages:
        messages.error(request, str(message))


def add_form_errors(form: Any, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form that caused it, field by field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(None, error)
