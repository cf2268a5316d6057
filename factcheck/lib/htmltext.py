"""Turn fetched or uploaded bytes into readable text. No Django here: tested on its own.

`html_to_text` keeps block boundaries as newlines so paragraphs never run together (nh3 is a
sanitiser, not an extractor). `main_text` keeps only the main text of a news page (trafilatura,
given the `str` we fetched ourselves: it never fetches and never sees bytes), falling back to
`html_to_text` when it finds none; `article_text` does the same for an article import, with the
page's own metadata and no fallback (a page of menus has no article). `decode_bytes` picks a
text encoding the way a browser would (BOM, then the declared charset, then detection) and
refuses binary data.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from configparser import ConfigParser
from dataclasses import dataclass
from html.parser import HTMLParser

import charset_normalizer
import trafilatura
import trafilatura.settings

# Content of these elements is never readable text.
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object", "math"})

# Elements whose start and end are line boundaries.
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav",
        "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
        "legend", "option",
    }
)  # fmt: skip

# Table cells sit on one line, separated by a space.
_CELLS = frozenset({"td", "th"})

_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_LINE_SPACE = re.compile(r"[^\S\n]+")

# Encodings a page may not pick for itself: utf-7 is a classic filter bypass, the others are
# not byte-to-text codecs at all.
_REFUSED_ENCODINGS = frozenset(
    {"utf-7", "idna", "punycode", "raw-unicode-escape", "unicode-escape", "undefined"}
)

# As browsers do (WHATWG Encoding), these labels mean windows-1252: pages that say latin-1
# routinely contain curly quotes in 0x80-0x9F.
_WINDOWS_1252_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "cp819"}
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)

# Binary data decoded as text is full of control characters; real text has almost none.
_MAX_CONTROL_RATIO = 0.05
# ...but a short text with one broken byte is still text.
_MIN_CONTROLS = 8
_RATIO_SAMPLE = 100_000
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")


class _TextExtractor(HTMLParser):
    """Collect the title and the visible text, marking block boundaries with newlines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.title_parts: list[str] = []
        self.title_done = False
        self._skip_stack: list[str] = []
        self._in_title = False
        self._pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_stack:
            # Nested skipped elements must be counted so the outer end tag closes the region.
            if tag in _SKIPPED:
                self._skip_stack.append(tag)
            return
        if tag in _SKIPPED:
            self._skip_stack.append(tag)
        elif tag == "title":
            self._in_title = not self.title_done
        elif tag == "br":
            self.pieces.append("\n")
        elif tag in _BLOCKS:
            self.pieces.append("\n")
            if tag == "pre":
                self._pre_depth += 1
        elif tag in _CELLS:
            self.pieces.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # `<svg/>` or `<div/>` opens nothing; only the boundary it implies matters.
        if self._skip_stack or tag in _SKIPPED:
            return
        if tag == "br" or tag in _BLOCKS:
            self.pieces.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skip_stack:
            if tag in self._skip_stack:
                # Close up to the matching start tag, tolerating unclosed inner elements.
                while self._skip_stack and self._skip_stack.pop() != tag:
                    pass
            return
        if tag == "title":
            if self._in_title:
                self.title_done = True
            self._in_title = False
        elif tag in _BLOCKS:
            self.pieces.append("\n")
            if tag == "pre" and self._pre_depth:
                self._pre_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._skip_stack:
            return
        if self._in_title:
            self.title_parts.append(data)
            return
        if self._pre_depth:
            self.pieces.append(data.replace("\r\n", "\n").replace("\r", "\n"))
        else:
            # Source line breaks inside a paragraph are just spaces in HTML.
            self.pieces.append(_HTML_SPACE.sub(" ", data))


def html_to_text(html: str) -> tuple[str, str]:
    """Return (title, readable text) for an HTML document; never raises.

    Steps: parse with the stdlib parser, dropping scripts, styles, embedded documents and the
    head (except its title); turn block boundaries into newlines; collapse runs of spaces, strip
    each line and drop empty lines.
    """
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
    except Exception:
        # The stdlib's _markupbase raises AssertionError on some odd declarations; keep what
        # was read before the bad markup rather than losing the whole page.
        pass
    title = " ".join("".join(extractor.title_parts).split())
    lines = (_LINE_SPACE.sub(" ", line).strip() for line in "".join(extractor.pieces).split("\n"))
    return title, "\n".join(line for line in lines if line)


def sniff_html_charset(data: bytes) -> str | None:
    """Return the charset an HTML document declares in a `<meta>` near its start, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _usable_encoding(label: str | None) -> str | None:
    """Return the Python codec name for a declared charset label, or None if we won't use it."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if info.name in _REFUSED_ENCODINGS or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def _check_is_text(text: str) -> None:
    """Raise ValueError if decoded data looks binary (NUL bytes or many control characters)."""
    if "\x00" in text:
        raise ValueError("The data is binary, not text: it contains NUL bytes.")
    sample = text[:_RATIO_SAMPLE]
    if not sample:
        return
    controls = sum(
        1
        for char in sample
        if char == "\ufffd" or (unicodedata.category(char) == "Cc" and char not in _TEXT_CONTROLS)
    )
    if controls >= _MIN_CONTROLS and controls / len(sample) > _MAX_CONTROL_RATIO:
        raise ValueError(
            f"The data is binary, not text: {controls / len(sample):.0%} of its characters "
            "are control characters or undecodable bytes."
        )


def decode_with_encoding(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode bytes to text and return (text, codec name); raise ValueError for binary data.

    Steps: a byte order mark wins; then the declared charset (broken bytes become U+FFFD) unless
    the result looks binary; then strict UTF-8; then charset-normalizer's guess. The result must
    not look binary: NUL characters or more than 5% control or undecodable characters.
    """
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(bom_encoding, errors="replace")
            _check_is_text(text)
            return text, codecs.lookup(bom_encoding).name

    declared_encoding = _usable_encoding(declared)
    if declared_encoding:
        # Trust the declaration as browsers do: a few broken bytes become U+FFFD rather than
        # sending the whole page through a guess. Only a clearly wrong label falls through.
        try:
            text = data.decode(declared_encoding, errors="replace")
            _check_is_text(text)
        except (UnicodeError, ValueError):
            pass
        else:
            return text, declared_encoding

    if b"\x00" in data:
        # Undeclared UTF-16 without a BOM is vanishingly rare; NUL bytes mean binary.
        raise ValueError("The data is binary, not text: it contains NUL bytes.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _check_is_text(text)
        return text, "utf-8"
    for match in charset_normalizer.from_bytes(data):
        # Without NUL bytes the data cannot be UTF-16/32, though short texts get guessed so.
        if match.encoding.startswith(("utf_16", "utf_32")):
            continue
        text = str(match)
        _check_is_text(text)
        return text, codecs.lookup(match.encoding).name
    raise ValueError("The data is binary, not text: no text encoding fits it.")


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode bytes to text (BOM, declared charset, detection); raise ValueError for binary."""
    return decode_with_encoding(data, declared)[0]


def readable_text(text: str, content_type: str) -> tuple[str, str]:
    """Return (title, readable text) of a document: HTML is reduced to text, the rest kept."""
    if "html" in content_type:
        return html_to_text(text)
    return "", text


def _trafilatura_config() -> ConfigParser:
    """trafilatura's settings with a cap on the tree size: a page of more elements than this
    is not extracted (html_to_text takes over), so a hostile page cannot take minutes."""
    config = trafilatura.settings.use_config()
    config.set("DEFAULT", "MAX_TREE_SIZE", "200000")
    # Everything below is ours to decide; trafilatura never downloads here anyway.
    config.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    return config


_TRAFILATURA_CONFIG = _trafilatura_config()


def main_text(html: str, *, url: str | None = None) -> tuple[str, str]:
    """Return (title, main text) of an HTML page: the article without menus and footers.

    Steps: the title is the page's first `<title>` (as html_to_text reads it); the text is
    trafilatura's extraction of the main content (tables kept, comments, links and images
    dropped), given the decoded `str` only, so it neither fetches nor decompresses anything;
    when it finds no main content (a short page, a list page) or fails, the whole readable
    text from html_to_text is used. Never raises.
    """
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            # No second opinion from justext/readability: on a short page it cost more than
            # the fetch itself (bench sources), and html_to_text is our fallback anyway.
            fast=True,
            include_comments=False,
            include_tables=True,
            include_links=False,
            include_images=False,
            with_metadata=False,
            config=_TRAFILATURA_CONFIG,
        )
    except Exception:
        # A parser failure on odd markup must not lose the page: fall back below.
        document = None
    text = getattr(document, "text", None) or ""
    if not text.strip():
        return html_to_text(html)
    lines = (_LINE_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return _page_title(html), "\n".join(line for line in lines if line)


_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)


def _page_title(html: str) -> str:
    """The first `<title>`'s text, as html_to_text reads it, without parsing the whole page."""
    match = _TITLE.search(html)
    if match is None:
        return ""
    return html_to_text(f"<title>{match.group(1)}</title>")[0]


def readable_main_text(text: str, content_type: str, *, url: str | None = None) -> tuple[str, str]:
    """Return (title, main text) of a fetched document: HTML reduced to its main text."""
    if "html" in content_type:
        return main_text(text, url=url)
    return "", text


# An article has at least one line this long; a page whose every line is shorter (menus, link
# lists, section labels) has no article text, whatever the extractor kept of it.
MIN_ARTICLE_LINE = 25


@dataclass(frozen=True)
class ArticleText:
    """The main text of a page and what the page says about itself ("" where it says nothing).

    `date` is ISO (YYYY-MM-DD) as the page states it; `url` is the canonical URL the page
    claims, unchecked: the caller decides whether to believe it.
    """

    title: str
    text: str
    author: str = ""
    date: str = ""
    sitename: str = ""
    url: str = ""


def article_text(html: str, *, url: str | None = None) -> ArticleText:
    """Return the article of an HTML page with its title, author, date, site name and URL.

    Steps: trafilatura extracts the main content and the metadata (`<meta>`, Open Graph,
    JSON-LD, byline) from the decoded `str` only, favouring precision (comments, links, images
    and boilerplate left out); unlike `main_text` there is no fallback to the whole page, so
    a page that is all navigation gives an empty `text`, as does one with no line of
    MIN_ARTICLE_LINE characters. The title is the page's own (metadata, else `<title>`).
    Never raises.
    """
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            fast=True,
            favor_precision=True,
            include_comments=False,
            include_tables=True,
            include_links=False,
            include_images=False,
            with_metadata=True,
            config=_TRAFILATURA_CONFIG,
        )
    except Exception:
        document = None

    def field(name: str) -> str:
        value = getattr(document, name, None)
        return " ".join(value.split()) if isinstance(value, str) else ""

    raw = getattr(document, "text", None) or ""
    lines = [_LINE_SPACE.sub(" ", line).strip() for line in raw.split("\n")]
    lines = [line for line in lines if line]
    text = "\n".join(lines) if any(len(line) >= MIN_ARTICLE_LINE for line in lines) else ""
    return ArticleText(
        title=field("title") or _page_title(html),
        text=text,
        author=field("author"),
        date=field("date"),
        sitename=field("sitename"),
        url=field("url"),
    )


def readable_article(text: str, content_type: str, *, url: str | None = None) -> ArticleText:
    """The article of a fetched document: HTML reduced to its main text and metadata, plain
    text kept as it is (with no metadata)."""
    if "html" in content_type:
        return article_text(text, url=url)
    return ArticleText(title="", text=text.strip())
