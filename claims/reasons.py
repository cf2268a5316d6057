"""Check-worthiness reasons in the reader's language.

The extraction engine (`claims.extraction`, no Django) stores each reason as English text
("states a figure: 1,240") and writes its labels in one place, `REASON_LABELS`. This module
holds the translatable label of every code; `reason_display` turns a stored reason into the
label in the active language followed by what was found. A test keeps the two dicts' keys the
same, so a new code cannot go untranslated.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy

from claims.extraction import parse_reason

# code -> label; the English msgids are the engine's labels, word for word.
REASON_LABELS: dict[str, Promise] = {
    "figure": pgettext_lazy("check-worthiness reason", "states a figure"),
    "figures": pgettext_lazy("check-worthiness reason", "states figures"),
    "source": pgettext_lazy("check-worthiness reason", "attributes to a named source"),
    "quote": pgettext_lazy("check-worthiness reason", "quotes someone"),
    "speech": pgettext_lazy("check-worthiness reason", "reports what someone said or did"),
    "statistic": pgettext_lazy("check-worthiness reason", "cites a statistic"),
    "comparison": pgettext_lazy("check-worthiness reason", "compares"),
    "superlative": pgettext_lazy("check-worthiness reason", "uses a superlative"),
    "causal": pgettext_lazy("check-worthiness reason", "states a cause"),
    "prediction": pgettext_lazy("check-worthiness reason", "makes a prediction"),
    "date": pgettext_lazy("check-worthiness reason", "refers to a date"),
    "promise": pgettext_lazy("check-worthiness reason", "a promise or plan"),
    "conditional": pgettext_lazy("check-worthiness reason", "a conditional"),
    "imperative": pgettext_lazy("check-worthiness reason", "an appeal or instruction"),
    "opinion": pgettext_lazy("check-worthiness reason", "an opinion"),
    "question": pgettext_lazy("check-worthiness reason", "a question"),
    "opinion_or_question": pgettext_lazy("check-worthiness reason", "opinion or question"),
    "wording_checkable": pgettext_lazy(
        "check-worthiness reason", "wording typical of checkable claims"
    ),
    "wording_opinion": pgettext_lazy(
        "check-worthiness reason", "wording typical of opinion or talk"
    ),
}


def reason_display(stored: str) -> str:
    """A stored reason as the reader sees it: the translated label, then what was found.

    Text the engine never wrote (a legacy or unknown label) is shown as stored.
    """
    code, detail = parse_reason(stored)
    label = REASON_LABELS.get(code) if code is not None else None
    if label is None:
        return stored
    if not detail:
        return str(label)
    return gettext("%(label)s: %(detail)s") % {"label": label, "detail": detail}
