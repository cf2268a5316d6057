"""Template filters that show a rating's label and description in the reader's language.

Only the newsroom pages use them: the CMS API and ClaimReview output keep the English label.
"""

from __future__ import annotations

from django import template
from django.utils import translation

from reviews.models import Rating

register = template.Library()


@register.filter
def rating_label(rating: Rating | None) -> str:
    """The rating's label in the active language (English when the scale has no translation)."""
    if rating is None:
        return ""
    return rating.label_in(translation.get_language())


@register.filter
def rating_description(rating: Rating | None) -> str:
    """The rating's description in the active language, falling back to English."""
    if rating is None:
        return ""
    return rating.description_in(translation.get_language())


@register.simple_tag
def rating_label_of(label: str | None, label_es: str | None) -> str:
    """Pick between an English and a Spanish label read by a query (the queue's annotations)."""
    return Rating(label=label or "", label_es=label_es or "").label_in(translation.get_language())
