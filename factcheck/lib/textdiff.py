"""Word-level differences between two texts, for showing an article's revisions side by side.

Numbers ("3.4", "1,200") are one token, so a changed figure shows as one replaced word rather
than a digit inserted into another.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class Piece:
    """A run of text that both texts share (`kind` "equal"), only the new one has ("insert")
    or only the old one had ("delete")."""

    kind: str
    text: str


def word_diff(old: str, new: str) -> list[Piece]:
    """The new text as pieces, with what the old text had instead marked deleted.

    Steps: split both into words, numbers, spaces and punctuation; diff the token lists
    (difflib, without its junk heuristic, which would treat frequent words as noise); merge
    neighbouring pieces of the same kind. Joining the equal and inserted pieces gives `new`,
    the equal and deleted ones `old`.
    """
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    pieces: list[Piece] = []

    def add(kind: str, text: str) -> None:
        if not text:
            return
        if pieces and pieces[-1].kind == kind:
            pieces[-1] = Piece(kind, pieces[-1].text + text)
        else:
            pieces.append(Piece(kind, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", "".join(a[i1:i2]))
            continue
        add("delete", "".join(a[i1:i2]))
        add("insert", "".join(b[j1:j2]))
    return pieces
