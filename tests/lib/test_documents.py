"""Tests for factcheck.lib.documents: uploaded bytes to an article's title and text.

Every fixture is built here: Word files with python-docx, PDFs written byte by byte, bombs with
zipfile and zlib. No database.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile
from collections.abc import Callable

import docx
import pypdf
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from pypdf.errors import LimitReachedError

from factcheck.lib.documents import (
    ACCEPTED,
    Document,
    DocumentError,
    DocumentLimits,
    _unpacked_copy,
    read_document,
)
from tests.documents import build_docx, build_pdf, encrypt_pdf, text_content

# --- Builders ----------------------------------------------------------------------------------


def rewrite_zip(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """Copy a ZIP, passing each member through `change` (None drops the member)."""
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            changed = change(name, source.read(name))
            if changed is not None:
                target.writestr(name, changed)
    return output.getvalue()


def make_zip(members: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return output.getvalue()


def report_docx() -> bytes:
    def fill(document: docx.document.Document) -> None:
        document.core_properties.title = "Budget 2026: what the figures say"
        document.add_heading("Schools get more", level=1)
        document.add_paragraph("The ministry announced a 3.2% rise in the education budget.")
        paragraph = document.add_paragraph("Unions say ")
        paragraph.add_run("inflation").bold = True
        paragraph.add_run(" was 4.9% last year.")
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text = "Year"
        table.cell(0, 1).text = "Budget"
        table.cell(1, 0).text = "2026"
        table.cell(1, 1).text = "€52bn"
        document.add_paragraph("Figures from the finance ministry.")

    return build_docx(fill)


# --- Plain text, Markdown and HTML -------------------------------------------------------------


def test_it_reads_utf8_text_as_it_is() -> None:
    data = b"Prices rose 3%.\n\nWages fell.\n"
    assert read_document(data, filename="article.txt") == Document(
        kind="text", title="", text="Prices rose 3%.\n\nWages fell.\n"
    )


def test_it_decodes_a_latin1_text_file() -> None:
    text = (
        "Le gouvernement a annoncé mercredi une hausse de 3,2 % du budget de l'éducation. Les "
        "écoles recevront davantage de moyens dès la rentrée, à São Paulo comme à Besançon."
    )
    document = read_document(text.encode("latin-1"), filename="note.txt")
    assert (document.kind, document.text) == ("text", text)


def test_it_decodes_utf16_with_a_byte_order_mark() -> None:
    text = "Die Inflation lag im Mai bei 2,4 %.\nÜberraschend niedrig."
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    assert read_document(data, filename="bericht.txt") == Document(kind="text", title="", text=text)


def test_it_reads_html_by_its_content_even_when_named_txt() -> None:
    data = (
        b"<!DOCTYPE html><html><head><title>Jobs report</title><style>p{}</style></head>"
        b"<body><h1>Jobs up</h1><p>Unemployment fell to 5.1%.</p><p>Wages rose.</p></body></html>"
    )
    assert read_document(data, filename="export.txt") == Document(
        kind="html", title="Jobs report", text="Jobs up\nUnemployment fell to 5.1%.\nWages rose."
    )


@pytest.mark.parametrize(
    "start",
    [
        "<p>Fragment</p>",
        "  \n<P class='x'>Fragment</P>",
        "<!-- exported --><div>Fragment</div>",
        "<?xml version='1.0'?><html><body>Fragment</body></html>",
    ],
)
def test_it_sniffs_html_fragments_after_spaces_comments_and_xml_declarations(start: str) -> None:
    document = read_document(start.encode(), filename="a.md")
    assert (document.kind, document.text) == ("html", "Fragment")


def test_text_that_only_mentions_a_tag_stays_text() -> None:
    data = b"Use the <p> element for paragraphs.\nThat is all."
    assert read_document(data, filename="a.txt").kind == "text"


def test_it_decodes_windows_1252_html() -> None:
    # \x93 and \x94 are curly quotes in windows-1252 and control characters in Latin-1.
    data = (
        b'<html><head><meta charset="windows-1252"><title>Caf\xe9</title></head>'
        b"<body><p>\x93Prices\x94 rose.</p></body></html>"
    )
    document = read_document(data)
    assert (document.title, document.text) == ("Café", "“Prices” rose.")


def test_a_truncated_html_file_keeps_what_was_read() -> None:
    data = b"<html><head><title>Rents</title></head><body><p>Rents rose 8%.</p><p>Landl"
    assert read_document(data) == Document(kind="html", title="Rents", text="Rents rose 8%.\nLandl")


def test_it_reads_a_docx_named_text_file_as_text() -> None:
    data = b"This is plain text, whatever the name says."
    assert read_document(data, filename="article.docx") == Document(
        kind="text", title="", text="This is plain text, whatever the name says."
    )


def test_it_reads_markdown_dropping_heading_marks_and_emphasis() -> None:
    data = (
        b"# Budget *2026*\n"
        b"\n"
        b'The **deficit** fell to _3%_ of [GDP](https://example.org/gdp "GDP").\n'
        b"\n"
        b"## Details ##\n"
        b"\n"
        b"* 3 * 4 = 12, and snake_case_name stays.\n"
        b"![Chart of the deficit](chart.png)\n"
    )
    assert read_document(data, filename="Budget.MD") == Document(
        kind="markdown",
        title="Budget 2026",
        text=(
            "Budget 2026\n\nThe deficit fell to 3% of GDP.\n\nDetails\n\n"
            "* 3 * 4 = 12, and snake_case_name stays.\nChart of the deficit\n"
        ),
    )


def test_markdown_keeps_a_hash_that_belongs_to_a_word() -> None:
    document = read_document(b"# Why C# matters #\n\n#hashtag is not a heading.", filename="a.md")
    assert (document.title, document.text) == (
        "Why C# matters",
        "Why C# matters\n\n#hashtag is not a heading.",
    )


def test_markdown_without_a_level_one_heading_has_no_title() -> None:
    document = read_document(b"## Section\n\nText.", filename="notes.markdown")
    assert (document.kind, document.title, document.text) == ("markdown", "", "Section\n\nText.")


def test_the_same_markdown_named_txt_is_kept_as_text() -> None:
    data = b"# Title\n\nThe **deficit** fell."
    assert read_document(data, filename="notes.txt") == Document(
        kind="text", title="", text="# Title\n\nThe **deficit** fell."
    )


def test_it_refuses_an_empty_file() -> None:
    with pytest.raises(DocumentError, match=r"^The file is empty\.$"):
        read_document(b"", filename="a.txt")


def test_it_refuses_a_file_over_the_size_limit() -> None:
    with pytest.raises(DocumentError, match=r"^The file is 0\.0 MB; the limit is 0\.0 MB\.$"):
        read_document(b"x" * 11, limits=DocumentLimits(max_bytes=10))
    assert read_document(b"x" * 10, limits=DocumentLimits(max_bytes=10)).text == "x" * 10


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40), "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "a JPEG image"),
        (b"\x1f\x8b\x08\x00" + bytes(20), "a compressed (gzip) archive"),
        (b"\x7fELF\x02\x01\x01" + bytes(40), "a program"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "an audio file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(40), "an older Office file (.doc, .xls)"),
        (b"{\\rtf1\\ansi Hello}", "a Rich Text (.rtf) file"),
    ],
)
def test_it_refuses_binary_formats_named_txt_and_names_what_it_takes(
    data: bytes, kind: str
) -> None:
    with pytest.raises(DocumentError) as error:
        read_document(data, filename="article.txt")
    assert str(error.value).startswith(f"This file is {kind}")
    assert ACCEPTED in str(error.value)


def test_it_refuses_unrecognised_binary_data_named_txt() -> None:
    data = bytes(range(256)) * 4
    with pytest.raises(DocumentError) as error:
        read_document(data, filename="article.txt")
    assert "binary" in str(error.value)
    assert ACCEPTED in str(error.value)


# --- Word ----------------------------------------------------------------------------------------


def test_it_reads_a_docx_title_paragraphs_and_tables_in_order() -> None:
    assert read_document(report_docx(), filename="upload.bin") == Document(
        kind="docx",
        title="Budget 2026: what the figures say",
        text=(
            "Schools get more\n\n"
            "The ministry announced a 3.2% rise in the education budget.\n\n"
            "Unions say inflation was 4.9% last year.\n\n"
            "Year\tBudget\n2026\t€52bn\n\n"
            "Figures from the finance ministry."
        ),
    )


def test_a_docx_without_a_title_property_takes_its_title_styled_paragraph() -> None:
    def fill(document: docx.document.Document) -> None:
        document.add_heading("Background", level=2)
        document.add_heading("Second-level first, but this is the main heading", level=1)
        document.add_paragraph("Text.")
        document.add_heading("The real title", level=0)  # level 0 is the Title style

    document = read_document(build_docx(fill))
    assert document.title == "The real title"


def test_a_docx_without_a_title_property_or_title_style_takes_its_first_top_heading() -> None:
    def fill(document: docx.document.Document) -> None:
        document.add_heading("Background", level=2)
        document.add_heading("Rents rose 8%", level=1)
        document.add_heading("Later section", level=1)

    assert read_document(build_docx(fill)).title == "Rents rose 8%"


def test_a_docx_without_core_properties_has_no_invented_title() -> None:
    """python-docx makes up "Word Document" when the part is missing; we must not."""

    def drop_core(name: str, data: bytes) -> bytes | None:
        if name == "docProps/core.xml":
            return None
        if name in ("_rels/.rels", "[Content_Types].xml"):
            return re.sub(rb"<(Relationship|Override)[^>]*core[^>]*/>", b"", data)
        return data

    data = rewrite_zip(build_docx(lambda d: d.add_paragraph("Only text.")), drop_core)
    assert read_document(data) == Document(kind="docx", title="", text="Only text.")


def test_it_keeps_tracked_insertions_and_drops_tracked_deletions() -> None:
    """A draft with tracked changes reads as it now stands (python-docx's text omits <w:ins>)."""

    def fill(document: docx.document.Document) -> None:
        paragraph = document.add_paragraph("The rate was ")
        paragraph._p.append(
            parse_xml(
                f'<w:ins {nsdecls("w")} w:id="1" w:author="Ed"><w:r><w:t>4%</w:t></w:r></w:ins>'
            )
        )
        paragraph._p.append(
            parse_xml(
                f'<w:del {nsdecls("w")} w:id="2" w:author="Ed"><w:r><w:delText>3%</w:delText></w:r>'
                "</w:del>"
            )
        )
        paragraph.add_run(".")

    assert read_document(build_docx(fill)).text == "The rate was 4%."


def test_it_refuses_a_docx_zip_bomb_without_expanding_it(monkeypatch: pytest.MonkeyPatch) -> None:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            zeros = bytes(1 << 20)
            for _ in range(200):  # 200 MB of zeros, about 200 KB compressed
                member.write(zeros)
    data = output.getvalue()
    assert len(data) < 5_000_000

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("a member was opened: the declared sizes should have refused it")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_reading)
    with pytest.raises(DocumentError, match="unpacks to more than 50 MB"):
        read_document(data, filename="bomb.docx")


def test_the_capped_reader_stops_a_member_larger_than_declared() -> None:
    """CPython's zipfile stops at the declared size itself; the capped reader does not rely on
    it. A stand-in archive whose members yield more than they declare shows the reader stop."""

    class LyingArchive:
        def open(self, member: zipfile.ZipInfo) -> io.BytesIO:
            return io.BytesIO(bytes(3_000))

    members = [zipfile.ZipInfo("[Content_Types].xml"), zipfile.ZipInfo("word/document.xml")]
    for member in members:
        member.file_size = 10
    with pytest.raises(DocumentError, match="unpacks to more than"):
        _unpacked_copy(LyingArchive(), members, 5_000)  # type: ignore[arg-type]


def test_it_refuses_a_zip_whose_declared_sizes_lie() -> None:
    """The declared size says 100 bytes; the data inflates to 20 MB. Nothing reads past 100."""
    data = bytearray(
        make_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": bytes(20 << 20)})
    )
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        for match in re.finditer(re.escape(signature), data):
            start = match.start()
            if struct.unpack_from("<I", data, start + size_offset)[0] == 20 << 20:
                struct.pack_into("<I", data, start + size_offset, 100)

    with pytest.raises(DocumentError, match="damaged"):
        read_document(bytes(data))


def test_it_refuses_a_zip_with_encrypted_members() -> None:
    data = bytearray(make_zip({"[Content_Types].xml": b"<T/>", "word/document.xml": b"<w/>"}))
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        for match in re.finditer(re.escape(signature), data):
            data[match.start() + flag_offset] |= 0x01  # "encrypted"
    with pytest.raises(DocumentError, match="Word file is damaged"):
        read_document(bytes(data))


def test_a_small_cap_refuses_a_docx_that_unpacks_past_it() -> None:
    with pytest.raises(DocumentError, match="unpacks to more than"):
        read_document(report_docx(), limits=DocumentLimits(max_decompressed_bytes=10_000))


def test_it_refuses_a_zip_of_thousands_of_parts() -> None:
    members = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}
    members |= {f"word/media/{n}.bin": b"" for n in range(5_001)}
    with pytest.raises(DocumentError, match="5,003 parts"):
        read_document(make_zip(members))


@pytest.mark.parametrize(
    ("members", "kind"),
    [
        ({"xl/workbook.xml": b"<w/>", "[Content_Types].xml": b"<T/>"}, "an Excel workbook"),
        ({"ppt/presentation.xml": b"<p/>"}, "a PowerPoint presentation"),
        ({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<c/>"},
         "an OpenDocument file"),
        ({"photo.jpg": b"\xff\xd8\xff"}, "a ZIP archive"),
    ],
)  # fmt: skip
def test_it_refuses_other_zip_files_by_name(members: dict[str, bytes], kind: str) -> None:
    with pytest.raises(DocumentError) as error:
        read_document(make_zip(members), filename="article.docx")
    assert str(error.value).startswith(f"This file is {kind}")
    assert ACCEPTED in str(error.value)


def test_it_refuses_a_truncated_docx() -> None:
    data = report_docx()
    with pytest.raises(DocumentError, match="Word file is damaged"):
        read_document(data[: len(data) // 2], filename="article.docx")


def test_it_refuses_a_docx_shaped_zip_of_broken_xml() -> None:
    data = rewrite_zip(
        report_docx(),
        lambda name, content: b"<w:document><unclosed" if name == "word/document.xml" else content,
    )
    with pytest.raises(DocumentError, match="Word file is damaged"):
        read_document(data)


# --- PDF ----------------------------------------------------------------------------------------


def test_the_pdf_builder_writes_a_valid_cross_reference_table() -> None:
    """The fixtures must be real PDFs, not files pypdf only reads by repairing them."""
    data = build_pdf([text_content("One."), None], title="T", compress=True, form=b"")
    xref = int(data.rsplit(b"startxref\n", 1)[1].split()[0])
    assert data[xref:].startswith(b"xref\n")
    offsets = re.findall(rb"^(\d{10}) 00000 n $", data[xref:], re.MULTILINE)
    for number, offset in enumerate(offsets, 1):
        assert data[int(offset) :].startswith(b"%d 0 obj" % number)
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    assert [page.extract_text() for page in reader.pages] == ["One.\n", ""]


def test_it_reads_the_text_layer_of_each_page_and_the_title() -> None:
    data = build_pdf(
        [
            text_content("Inflation rose to 3.2% in May.", "Food prices (mostly) led."),
            text_content("Page two says wages fell."),
            text_content("Page three."),
        ],
        title="Price report",
        compress=True,
    )
    assert read_document(data, filename="scan.txt") == Document(
        kind="pdf",
        title="Price report",
        text=(
            "Inflation rose to 3.2% in May.\nFood prices (mostly) led.\n\n"
            "Page two says wages fell.\n\nPage three."
        ),
    )


def test_a_pdf_without_a_title_has_an_empty_one() -> None:
    document = read_document(build_pdf([text_content("Only text.")]))
    assert (document.title, document.text) == ("", "Only text.")


def test_it_skips_pages_without_text() -> None:
    data = build_pdf([text_content("First."), None, text_content("Third.")])
    assert read_document(data).text == "First.\n\nThird."


@pytest.mark.parametrize(
    "contents",
    [[None], [b"0 0 1 rg 72 72 200 100 re f"], [None, b"q 1 0 0 1 0 0 cm 10 10 50 50 re S Q"]],
)
def test_it_refuses_a_pdf_without_a_text_layer(contents: list[bytes | None]) -> None:
    with pytest.raises(DocumentError) as error:
        read_document(build_pdf(contents))
    message = str(error.value)
    assert "no text layer" in message
    assert "OCR" in message
    assert "paste" in message


def test_it_refuses_a_pdf_that_needs_a_password() -> None:
    data = encrypt_pdf(build_pdf([text_content("Secret budget.")]), user_password="s3cret")
    with pytest.raises(DocumentError, match="protected by a password"):
        read_document(data)


def test_it_reads_a_pdf_encrypted_only_against_editing() -> None:
    """An empty user password opens it for anyone: the text is no secret."""
    data = encrypt_pdf(build_pdf([text_content("Open budget.")], title="Open"), user_password="")
    assert read_document(data) == Document(kind="pdf", title="Open", text="Open budget.")


def test_it_refuses_a_pdf_with_more_pages_than_the_limit() -> None:
    data = build_pdf([text_content(f"Page {n}.") for n in range(3)])
    with pytest.raises(DocumentError, match=r"^This PDF has 3 pages; the limit is 2\."):
        read_document(data, limits=DocumentLimits(max_pages=2))
    assert read_document(data, limits=DocumentLimits(max_pages=3)).kind == "pdf"


def test_it_refuses_a_pdf_bomb_at_the_default_cap_inside_pypdf() -> None:
    """60 MB of zeros in one content stream: pypdf's lowered limit stops it at 50 MB."""
    data = build_pdf([text_content("Hi") + bytes(60_000_000)], compress=True)
    assert len(data) < 5_000_000

    with pytest.raises(DocumentError, match="more than 50 MB of content") as error:
        read_document(data)
    assert isinstance(error.value.__cause__, LimitReachedError)


def test_it_counts_many_small_streams_against_one_budget() -> None:
    """Each page's content is under the cap; together they pass it."""
    page = text_content("Hi") + b" " * 400_000
    limits = DocumentLimits(max_decompressed_bytes=1_000_000)
    assert read_document(build_pdf([page, page], compress=True), limits=limits).text == "Hi\n\nHi"

    with pytest.raises(DocumentError, match="more than 1 MB of content") as error:
        read_document(build_pdf([page, page, page], compress=True), limits=limits)
    assert error.value.__cause__ is None


def test_it_stops_once_the_extracted_text_passes_the_cap() -> None:
    """A form drawn many times: little content to decode, much text extracted."""
    form = text_content("A sentence of forty characters, roughly.")
    page = b"/Fm1 Do " * 200
    limits = DocumentLimits(max_decompressed_bytes=5_000)
    with pytest.raises(DocumentError, match=r"more than 0\.005 MB of content"):
        read_document(build_pdf([page], form=form), limits=limits)
    document = read_document(build_pdf([b"/Fm1 Do " * 2], form=form), limits=limits)
    assert document.text.count("A sentence of forty characters, roughly.") == 2


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n",
        b"%PDF-1.7\n" + bytes(range(256)) * 8,
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>",
    ],
)
def test_it_refuses_a_damaged_pdf(data: bytes) -> None:
    with pytest.raises(DocumentError, match="PDF is damaged"):
        read_document(data)


def test_a_truncated_pdf_is_read_or_refused_never_crashes() -> None:
    """pypdf rebuilds a lost cross-reference table, so a cut file may still give its text; any
    other exception than DocumentError fails this test."""
    data = build_pdf([text_content("First page."), text_content("Second page.")], title="T")
    refused = 0
    for cut in range(8, len(data), 7):
        try:
            assert read_document(data[:cut]).kind == "pdf"
        except DocumentError:
            refused += 1
    assert refused
