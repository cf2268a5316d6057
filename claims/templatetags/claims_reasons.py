"""Template filters that show what the extraction engine stored in the reader's language."""

from __future__ import annotations

from django import template

from claims.reasons import reason_display

register = template.Library()


@register.filter
def reason_label(stored: object) -> str:
    """`{{ reason|reason_label }}`: a stored check-worthiness reason, translated."""
    return reason_display(str(stored))
