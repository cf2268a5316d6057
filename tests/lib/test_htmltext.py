"""Tests for reviews.htmltext: readable text from HTML, and bytes decoded to text."""

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.lib.htmltext import (
    decode_bytes,
    decode_with_encoding,
    html_to_text,
    sniff_html_charset,
)

FRENCH = (
    "Le gouvernement a annoncé mercredi une hausse de 3,2 % du budget de l’éducation. Selon le "
    "ministre, « les écoles recevront davantage de moyens dès la rentrée ». Les syndicats "
    "estiment toutefois que cette augmentation ne compensera pas l’inflation, qui a atteint "
    "4,9 % l’an dernier."
)


def test_it_keeps_paragraphs_on_separate_lines() -> None:
    """Sentences of two paragraphs must never run together (what nh3 does)."""
    _, text = html_to_text("<p>Prices rose.</p><p>Wages fell.</p>")
    assert text == "Prices rose.\nWages fell."


def test_it_breaks_lines_at_headings_list_items_divs_and_br() -> None:
    """Every block boundary becomes a line break."""
    html = "<h1>Title</h1><div>Intro</div><ul><li>one<li>two</ul>a<br>b<br/>c"
    assert html_to_text(html)[1] == "Title\nIntro\none\ntwo\na\nb\nc"


def test_it_keeps_inline_elements_on_one_line() -> None:
    """Links and emphasis are part of the sentence around them."""
    html = "<p>The <b>rate</b> rose to <a href='/x'>5%</a> in\n  May.</p>"
    assert html_to_text(html)[1] == "The rate rose to 5% in May."


def test_it_drops_scripts_styles_and_embedded_documents() -> None:
    """Code, styling, fallbacks, templates, drawings and frames are not article text."""
    html = (
        "<p>kept</p><script>var p = '<p>no</p>';</script><style>p { color: red }</style>"
        "<noscript>enable JS</noscript><template><p>later</p></template>"
        "<svg><title>icon</title><text>drawn</text></svg><iframe><p>framed</p></iframe><p>end</p>"
    )
    assert html_to_text(html) == ("", "kept\nend")


def test_it_takes_the_title_from_the_head_and_nothing_else_from_it() -> None:
    """The head gives the title; its metadata, styles and scripts add no text."""
    html = (
        "<html><head><title>  Budget\n 2025 </title><meta charset='utf-8'>"
        "<style>body{}</style><script>track()</script></head><body><p>Body</p></body></html>"
    )
    assert html_to_text(html) == ("Budget 2025", "Body")


def test_it_ignores_a_title_inside_an_svg() -> None:
    """An icon's accessible title is not the page title."""
    html = "<svg><title>icon</title></svg><title>Real</title><p>x</p>"
    assert html_to_text(html) == ("Real", "x")


def test_it_unescapes_entities() -> None:
    """Named and numeric character references become characters."""
    html = "<title>Fish &amp; chips</title><p>caf&eacute; &#8220;ok&#x201D; &lt;tag&gt;</p>"
    assert html_to_text(html) == ("Fish & chips", "café “ok” <tag>")


def test_it_collapses_runs_of_spaces_and_strips_lines() -> None:
    """Source indentation and non-breaking runs do not survive as layout."""
    html = "<div>   lots    of \t space&nbsp;&nbsp;here   </div>\n\n   <div>  next </div>"
    assert html_to_text(html)[1] == "lots of space here\nnext"


def test_it_keeps_line_breaks_inside_pre() -> None:
    """Preformatted text keeps its lines."""
    assert html_to_text("<pre>line one\nline two</pre>")[1] == "line one\nline two"


def test_it_puts_table_cells_of_a_row_on_one_line() -> None:
    """A row reads as one line, cells separated by a space."""
    html = "<table><tr><td>GDP</td><td>2.1%</td></tr><tr><td>CPI</td><td>3%</td></tr></table>"
    assert html_to_text(html)[1] == "GDP 2.1%\nCPI 3%"


@pytest.mark.parametrize(
    "html",
    [
        "<div><p>one<p>two</div></span></p>",
        "<p>unclosed <b>bold",
        "<![ unknown marked section",
        "<!DOCTYPE html [ <!ENTITY x 'y'> ]><p>after",
        "<svg><p>never closed",
        "</script></p><<<>>>&;&#;&#x;",
        "<a href='x>broken attr</a>",
    ],
)
def test_it_never_raises_on_malformed_html(html: str) -> None:
    """Malformed markup gives partial text, not an exception."""
    title, text = html_to_text(html)
    assert isinstance(title, str)
    assert isinstance(text, str)


@given(st.text(alphabet="<>/!-[]&;#=\"' \napbdivscrtyle", max_size=200) | st.text(max_size=200))
def test_it_never_raises_and_returns_clean_lines(html: str) -> None:
    """Whatever the input, the output is stripped, non-empty lines."""
    title, text = html_to_text(html)
    assert title == title.strip()
    for line in text.split("\n") if text else []:
        assert line
        assert line == line.strip()
        assert "  " not in line


def test_it_decodes_utf8_without_a_declaration() -> None:
    """Valid UTF-8 needs no guessing."""
    assert decode_with_encoding("naïve “quotes”".encode()) == ("naïve “quotes”", "utf-8")


def test_it_lets_a_byte_order_mark_win_over_the_declared_charset() -> None:
    """A BOM is the strongest signal, as in browsers; it is not part of the text."""
    assert decode_bytes(codecs.BOM_UTF8 + "café".encode(), "iso-8859-1") == "café"
    assert decode_bytes("café".encode("utf-16"), None) == "café"


def test_it_reads_latin1_declarations_as_windows_1252() -> None:
    """Pages labelled latin-1 use 0x93/0x94 for curly quotes; browsers decode them so."""
    data = "“Café”".encode("cp1252")
    assert decode_with_encoding(data, "ISO-8859-1") == ("“Café”", "cp1252")


def test_it_replaces_a_few_broken_bytes_in_the_declared_charset() -> None:
    """One bad byte must not send a UTF-8 page through a guess."""
    assert decode_bytes(b"caf\xc3\xa9 \xff ok", "utf-8") == "café \ufffd ok"


def test_it_ignores_a_declared_charset_it_does_not_know_or_trust() -> None:
    """Unknown labels and utf-7 fall back to detection."""
    assert decode_bytes("café".encode(), "no-such-charset") == "café"
    assert decode_bytes(b"+ADw-script+AD4-", "utf-7") == "+ADw-script+AD4-"


def test_it_detects_a_legacy_encoding_without_a_declaration() -> None:
    """charset-normalizer is the fallback when nothing is declared and UTF-8 fails."""
    assert decode_bytes(FRENCH.encode("cp1252")) == FRENCH


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        bytes(range(256)) * 4,
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04",
        codecs.BOM_UTF8 + bytes(range(128, 256)) * 8,
    ],
    ids=["png", "all-bytes", "gif", "bom-then-garbage"],
)
def test_it_refuses_binary_data_with_a_clear_message(data: bytes) -> None:
    """Uploads and fetched bodies that are not text are refused, not stored as mojibake."""
    with pytest.raises(ValueError, match="binary, not text"):
        decode_bytes(data)


def test_it_refuses_binary_data_even_when_a_charset_is_declared() -> None:
    """A text/plain; charset=utf-8 label does not make an image text."""
    with pytest.raises(ValueError, match="binary, not text"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "utf-8")


def test_it_decodes_empty_data_to_empty_text() -> None:
    """An empty body is empty text, not an error."""
    assert decode_bytes(b"") == ""


def test_it_finds_the_charset_an_html_document_declares() -> None:
    """Both the HTML5 and the http-equiv forms are found."""
    assert sniff_html_charset(b'<html><head><meta charset="windows-1252">') == "windows-1252"
    html = b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
    assert sniff_html_charset(html) == "ISO-8859-1"
    assert sniff_html_charset(b"<html><p>no declaration</p>") is None
