"""Text normalisation applied once, on import, before anything is stored (no Django here).

Claim offsets index the stored body, so the body must never change after import: every import path
runs `normalise_text` exactly once, and it is idempotent (`normalise_text(normalise_text(x)) ==
normalise_text(x)`, tested with hypothesis).
"""

import re
import unicodedata

# C0/C1 control characters except tab and newline; they carry no meaning in an article and some
# (NUL) break databases.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n|\r|\u2028|\u2029|\x85")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Return the article body form: no BOMs, `\\n` line ends, no control characters, NFC.

    Steps, in this order so that the result is stable: drop byte-order marks wherever they stand,
    turn every line-break spelling into `\\n` (before dropping controls, which would eat a lone
    `\\r`), drop other control characters, compose to NFC, drop trailing spaces on each line, and
    strip the whole.
    """
    text = text.replace("\ufeff", "")
    text = _LINE_BREAKS.sub("\n", text)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _TRAILING_SPACE.sub("", text)
    return text.strip()


def normalise_line(text: str) -> str:
    """Return a one-line field (a title, an outlet): normalised text with whitespace collapsed."""
    return _SPACES.sub(" ", normalise_text(text)).strip()
