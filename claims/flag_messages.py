"""Consistency flag messages in the reader's language.

The extraction engine (`claims.extraction`, no Django) builds each flag's message from one of
its templates (`FLAG_MESSAGES`) and keeps the template and its values on the flag; the article
stores both. This module marks the same templates for translation, word for word (a test keeps
the two lists equal), and `flag_message_display` fills the translated template. A flag stored
before templates existed shows its stored English message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext, gettext_noop

TEMPLATES: tuple[str, ...] = (
    gettext_noop(
        "The same count (%(noun)s) is given as %(first)s in sentence %(first_sentence)s "
        "and as %(second)s in sentence %(second_sentence)s."
    ),
    gettext_noop(
        "The figures given as part of %(whole)s (%(parts)s) add up to more than it: they may "
        "overlap or count something else, so they may not add up."
    ),
    gettext_noop("The percentage (%(percent)s) does not match the counts (%(part)s of %(whole)s)."),
    gettext_noop("The shares of one vote (%(shares)s) add up to more than 100%%."),
    gettext_noop(
        "The text announces %(expected)s parts (%(announcement)s) but lists %(listed_count)s: "
        "%(listed)s."
    ),
    gettext_noop("The figures listed (%(parts)s) do not add up to the stated total (%(total)s)."),
)


def flag_message_display(flag: Mapping[str, Any]) -> str:
    """A stored flag's message in the active language (its stored English when unknown)."""
    template, params = flag.get("template", ""), flag.get("params")
    if template in TEMPLATES and isinstance(params, dict):
        try:
            return gettext(template) % {name: str(value) for name, value in params.items()}
        except (KeyError, TypeError, ValueError):
            pass  # a template whose values do not fit: fall back to the stored text
    return str(flag.get("message", ""))
