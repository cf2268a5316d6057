"""Template filters for the URL-import job page: stored English texts in the reader's language.

A job stores its error and note in English (`claims.importing` marks each text with
`gettext_noop`); these filters translate a stored text when the page renders. A text with
figures in it ("... in 3 attempts.") is matched against its marked template, the figures taken
back out and put into the translation. Anything else is translated when the catalogue knows it
word for word, and shown as stored otherwise (a fetcher's message naming a host, for one).
"""

from __future__ import annotations

import re
from functools import lru_cache

from django import template
from django.utils.translation import gettext

from claims.importing import STORED_MESSAGES

register = template.Library()

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each stored template with placeholders as a regex capturing its values, and the msgid."""
    patterns = []
    for message in STORED_MESSAGES:
        if not _PLACEHOLDER.search(message):
            continue
        pieces = _PLACEHOLDER.split(message)
        regex = "".join(
            re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>.+?)"
            for index, piece in enumerate(pieces)
        )
        patterns.append((re.compile(f"^{regex}$"), message))
    return tuple(patterns)


def import_message_display(stored: str) -> str:
    """A job's stored error or note in the active language (as stored when unknown)."""
    if not stored:
        return ""
    for pattern, message in _patterns():
        found = pattern.match(stored)
        if found:
            return gettext(message) % found.groupdict()
    return gettext(stored)


@register.filter
def import_message(stored: object) -> str:
    """`{{ job.error|import_message }}`: a stored import text, translated."""
    return import_message_display(str(stored or ""))
