"""Turn an uploaded file's bytes into an article's title and plain text. No Django here.

The type is read from the content, never trusted from the file name: `%PDF-` is a PDF, a ZIP
holding `word/document.xml` and `[Content_Types].xml` is a Word file, other archives, images,
audio, video and programs are refused, and what decodes as text is HTML when it starts like a
page, else plain text (Markdown when the name ends in .md). Text and HTML go through
`factcheck.lib.htmltext`, as pasted and fetched articles do.

Hostile files are refused, never expanded: a Word file's ZIP is checked against its declared
sizes and then read through a capped reader into a plain (stored) copy, so python-docx
decompresses nothing itself; a PDF's page count is capped, pypdf's own per-stream decompression
limits are lowered to ours, the content each page makes pypdf parse is counted against one budget
for the whole file, and extraction stops once the text passes the cap.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import docx
import pypdf
from django.utils import formats
from django.utils.translation import gettext, gettext_noop
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.exceptions import OpcError
from docx.text.paragraph import Paragraph
from lxml import etree
from pypdf.errors import DependencyError, LimitReachedError, PyPdfError
from pypdf.generic import DictionaryObject, StreamObject

from factcheck.lib.htmltext import decode_bytes, readable_text

ACCEPTED = gettext_noop(
    "plain text (.txt), Markdown (.md), HTML, Word (.docx) or PDF with a text layer"
)

_MB = 1_000_000


@dataclass(frozen=True)
class DocumentLimits:
    """How much an upload may cost: its size, its pages, and what it may expand to."""

    max_bytes: int = 5 * _MB
    max_pages: int = 300
    # A Word file's unpacked members together; a PDF's decoded page content and extracted text.
    max_decompressed_bytes: int = 50 * _MB


@dataclass(frozen=True)
class Document:
    """An uploaded article: what kind of file it was, its title and its plain text."""

    kind: str  # "text", "markdown", "html", "docx", "pdf"
    title: str  # "" when the file names none
    text: str  # plain text; Word paragraphs and PDF pages are separated by blank lines


class DocumentError(ValueError):
    """The file cannot become an article; `str(error)` says why, for a newsroom user."""


def _not_an_article(kind: str) -> str:
    """The refusal of a file of another kind (`kind` is marked, translated here)."""
    return gettext("This file is %(kind)s, not an article. Upload %(accepted)s.") % {
        "kind": gettext(kind),
        "accepted": gettext(ACCEPTED),
    }


def read_document(
    data: bytes, *, filename: str = "", limits: DocumentLimits = DocumentLimits()
) -> Document:
    """Return the title and text of an uploaded file; raise DocumentError if it cannot be read.

    Steps: refuse an empty or oversized file; `%PDF-` goes to the PDF reader and a ZIP to the
    Word reader (other archives are refused there); refuse known binary formats by their magic
    bytes; decode the rest as text (htmltext refuses what decodes as binary) and read it as
    HTML if it starts like a page, as Markdown if the name ends in .md or .markdown, else as
    plain text.
    """
    if not data:
        raise DocumentError(gettext("The file is empty."))
    if len(data) > limits.max_bytes:
        raise DocumentError(
            gettext("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": formats.number_format(len(data) / _MB, 1),
                "limit": formats.number_format(limits.max_bytes / _MB, 1),
            }
        )
    if data.startswith(b"%PDF-"):
        return _read_pdf(data, limits)
    if data.startswith(_ZIP_MAGIC):
        return _read_docx(data, limits)
    binary_kind = _binary_kind(data)
    if binary_kind:
        raise DocumentError(_not_an_article(binary_kind))
    return _read_text(data, filename)


# --- Identifying refused formats ---------------------------------------------------------------

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

# Formats people upload by mistake, named so the refusal says what the file is. Anything else
# binary is refused by decode_bytes (NUL bytes, control characters).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", gettext_noop("a PNG image")),
    (b"\xff\xd8\xff", gettext_noop("a JPEG image")),
    (b"GIF87a", gettext_noop("a GIF image")),
    (b"GIF89a", gettext_noop("a GIF image")),
    (b"II*\x00", gettext_noop("a TIFF image")),
    (b"MM\x00*", gettext_noop("a TIFF image")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", gettext_noop(
        "an older Office file (.doc, .xls) or a password-protected document: save it as .docx "
        "without a password")),
    (b"{\\rtf", gettext_noop("a Rich Text (.rtf) file: save it as .docx")),
    (b"\x1f\x8b", gettext_noop("a compressed (gzip) archive")),
    (b"BZh", gettext_noop("a compressed (bzip2) archive")),
    (b"\xfd7zXZ\x00", gettext_noop("a compressed (xz) archive")),
    (b"7z\xbc\xaf\x27\x1c", gettext_noop("a 7-Zip archive")),
    (b"Rar!\x1a\x07", gettext_noop("a RAR archive")),
    (b"\x7fELF", gettext_noop("a program")),
    (b"MZ\x90\x00", gettext_noop("a Windows program")),
    (b"\xcf\xfa\xed\xfe", gettext_noop("a program")),
    (b"ID3", gettext_noop("an audio file")),
    (b"OggS", gettext_noop("an audio or video file")),
    (b"fLaC", gettext_noop("an audio file")),
    (b"\x1aE\xdf\xa3", gettext_noop("a video file")),
    (b"SQLite format 3\x00", gettext_noop("a database")),
)  # fmt: skip

_RIFF_KINDS = {
    b"WEBP": gettext_noop("a WebP image"),
    b"WAVE": gettext_noop("an audio file"),
    b"AVI ": gettext_noop("a video file"),
}


def _binary_kind(data: bytes) -> str | None:
    """Name the binary format the data starts with, if it is one we recognise."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(b"RIFF") and data[8:12] in _RIFF_KINDS:
        return _RIFF_KINDS[data[8:12]]
    if data[4:8] == b"ftyp":
        return gettext_noop("an image, audio or video file (MP4, MOV, HEIC)")
    return None


# --- Text, Markdown and HTML -------------------------------------------------------------------

# A page starts with one of these tags (the WHATWG sniffing list, plus common body elements),
# after any XML declaration and comments.
_HTML_START = re.compile(
    r"""\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--(?:[^-]|-(?!->))*-->\s*)*
    <(?:!doctype\s+html|html|head|body|title|meta|link|script|style|iframe|h[1-6]|div|font
       |table|a|b|br|p|article|section|main|header|nav|ul|ol|span)(?=[\s/>])""",
    re.IGNORECASE | re.VERBOSE,
)
_MARKDOWN_SUFFIXES = (".md", ".markdown")


def _read_text(data: bytes, filename: str) -> Document:
    """Decode text as htmltext does and read it as HTML, Markdown or plain text."""
    try:
        text = decode_bytes(data)
    except ValueError as error:
        raise DocumentError(
            gettext("%(reason)s Upload %(accepted)s.")
            % {"reason": error, "accepted": gettext(ACCEPTED)}
        ) from error
    if _HTML_START.match(text[:4096]):
        title, body = readable_text(text, "text/html")
        return Document(kind="html", title=title, text=body)
    if filename.lower().endswith(_MARKDOWN_SUFFIXES):
        title, body = _markdown_to_text(text)
        return Document(kind="markdown", title=title, text=body)
    return Document(kind="text", title="", text=text)


_MD_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*))?")
# Only markup that cannot be ordinary prose: emphasis hugs its words (so "3 * 4" and "* item"
# stay), underscores do not count inside words (snake_case), links and images keep their words.
# A span never runs past the next opener, so a line of unclosed markers costs linear time.
_MD_INLINE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[([^\[\]\n]{0,500})\]\([^()\s\[\]]{0,2000}\)"), r"\1"),
    (
        re.compile(r"\[([^\[\]\n]{1,500})\]\([^()\s\[\]]{1,2000}(?:[ \t]\"[^\"\n()]{0,500}\")?\)"),
        r"\1",
    ),
    (re.compile(r"\*\*(?=\S)((?:[^*\n]|\*(?!\*)){1,500}?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"(?<!\w)__(?=\S)((?:[^_\n]|_(?!_)){1,500}?)(?<=\S)__(?!\w)"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^\n*]{1,500}?)(?<=[^\s*])\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])([^\n_]{1,500}?)(?<=[^\s_])_(?![\w_])"), r"\1"),
)


def _without_closing_hashes(heading: str) -> str:
    """Drop a closing run of hashes ("Details ##") but not a word's own ("C#")."""
    heading = heading.strip()
    bare = heading.rstrip("#")
    if bare != heading and (not bare or bare[-1] in " \t"):
        return bare.rstrip()
    return heading


def _markdown_inline(text: str) -> str:
    for pattern, replacement in _MD_INLINE:
        text = pattern.sub(replacement, text)
    return text


def _markdown_to_text(markdown: str) -> tuple[str, str]:
    """Return (title, text) of Markdown: heading marks, emphasis and link targets dropped.

    The first level-one heading is the title; it stays in the text, as a page's h1 does.
    """
    title = ""
    lines = []
    for line in markdown.split("\n"):
        heading = _MD_HEADING.fullmatch(line)
        if heading:
            line = _markdown_inline(_without_closing_hashes(heading.group(2) or ""))
            if not title and len(heading.group(1)) == 1:
                title = " ".join(line.split())
        else:
            line = _markdown_inline(line)
        lines.append(line)
    return title, "\n".join(lines)


# --- Word (.docx) ------------------------------------------------------------------------------

# A real article has a few dozen parts; thousands mean a crafted file.
_MAX_ZIP_ENTRIES = 5_000
_READ_CHUNK = 64 * 1024

_DOCX_DAMAGED = gettext_noop(
    "This Word file is damaged or is not really a .docx, so its text cannot be read. Open it in "
    "Word and save it again as .docx, or paste the text."
)

# What malformed input makes these parsers raise (their own errors, and the lookups, asserts and
# conversions inside them that a broken file trips). MemoryError and our own errors are not here.
_MALFORMED = (
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    AssertionError,
    RecursionError,
    UnicodeError,
    EOFError,
    OverflowError,
    ZeroDivisionError,
    NotImplementedError,
    zlib.error,
    zipfile.BadZipFile,
)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Deleted and moved-away text, text boxes (floating sidebars, anchored mid-paragraph), the
# duplicate fallback of alternate content, and properties: none of it is the paragraph's text.
_SKIPPED_INLINE = frozenset(
    {
        f"{_W}del", f"{_W}moveFrom", f"{_W}txbxContent", f"{_MC}Fallback", f"{_W}pPr",
        f"{_W}rPr", f"{_W}sdtPr", f"{_W}instrText", f"{_W}delText",
    }
)  # fmt: skip
_INLINE_CHARACTERS = {f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}
# Block-level wrappers whose children are the document's paragraphs and tables.
_BLOCK_WRAPPERS = frozenset(
    {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins", f"{_W}moveTo", f"{_W}smartTag"}
)


def _read_docx(data: bytes, limits: DocumentLimits) -> Document:
    """Read a Word file; refuse other ZIP-based formats, bombs and damaged files.

    Steps: list the archive and name what it is if not a Word file; refuse it if its declared
    sizes pass the cap; copy every member through a capped reader into a stored (uncompressed)
    archive; open that copy with python-docx and collect its paragraphs and tables in order.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_is_docx({member.filename for member in members})
            stored = _unpacked_copy(archive, members, limits.max_decompressed_bytes)
    except DocumentError:
        raise
    except (*_MALFORMED, RuntimeError) as error:
        # RuntimeError: zipfile's refusal of encrypted members.
        raise DocumentError(gettext(_DOCX_DAMAGED)) from error
    try:
        document = docx.Document(io.BytesIO(stored))
        text = "\n\n".join(_docx_blocks(document.element.body))
        title = _docx_title(document)
    except (*_MALFORMED, OpcError, etree.LxmlError) as error:
        raise DocumentError(gettext(_DOCX_DAMAGED)) from error
    return Document(kind="docx", title=title, text=text)


def _check_is_docx(names: set[str]) -> None:
    if "word/document.xml" in names and "[Content_Types].xml" in names:
        return
    if "xl/workbook.xml" in names:
        kind = gettext_noop("an Excel workbook")
    elif "ppt/presentation.xml" in names:
        kind = gettext_noop("a PowerPoint presentation")
    elif "mimetype" in names and "content.xml" in names:
        kind = gettext_noop("an OpenDocument file: save it as .docx")
    elif "META-INF/container.xml" in names:
        kind = gettext_noop("an e-book (EPUB)")
    else:
        kind = gettext_noop("a ZIP archive")
    raise DocumentError(_not_an_article(kind))


def _unpacked_copy(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], cap: int) -> bytes:
    """Return a stored copy of the archive, refusing it once its contents pass `cap` bytes."""
    if len(members) > _MAX_ZIP_ENTRIES:
        raise DocumentError(
            gettext(
                "This Word file holds %(parts)s parts, so it is refused as malformed. "
                "Paste the text instead."
            )
            % {"parts": formats.number_format(len(members), force_grouping=True)}
        )
    if len({member.filename for member in members}) != len(members):
        raise DocumentError(gettext(_DOCX_DAMAGED))
    bomb = DocumentError(
        gettext(
            "This Word file unpacks to more than %(cap)s MB, so it is refused: a real "
            "article is far smaller, and such files are made to exhaust servers. Paste the text "
            "instead."
        )
        % {"cap": f"{cap / _MB:g}"}
    )
    # The declared sizes refuse most bombs before any work; the capped reader catches a file
    # whose declared sizes lie.
    if sum(member.file_size for member in members) > cap:
        raise bomb
    output = io.BytesIO()
    total = 0
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_STORED) as copy:
        for member in members:
            if member.is_dir():
                continue
            pieces = []
            with archive.open(member) as reader:
                while chunk := reader.read(_READ_CHUNK):
                    total += len(chunk)
                    if total > cap:
                        raise bomb
                    pieces.append(chunk)
            copy.writestr(member.filename, b"".join(pieces))
    return output.getvalue()


def _docx_blocks(container: Any) -> Iterator[str]:
    """Yield the text of each non-empty paragraph and table row group under a body or cell."""
    for child in container:
        if child.tag == f"{_W}p":
            text = _inline_text(child).strip()
            if text:
                yield text
        elif child.tag == f"{_W}tbl":
            rows = "\n".join(_table_rows(child))
            if rows:
                yield rows
        elif child.tag in _BLOCK_WRAPPERS:
            yield from _docx_blocks(child)


def _table_rows(table: Any) -> Iterator[str]:
    """Yield each row of a table as its non-empty cells' text, separated by tabs."""
    for row in _children(table, f"{_W}tr"):
        cells = (
            " ".join(_docx_blocks(cell)).replace("\n", " ") for cell in _children(row, f"{_W}tc")
        )
        text = "\t".join(cell for cell in cells if cell)
        if text:
            yield text


def _children(element: Any, tag: str) -> Iterator[Any]:
    """The children with this tag, looking through wrappers (content controls, insertions)."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in _BLOCK_WRAPPERS:
            yield from _children(child, tag)


def _inline_text(element: Any) -> str:
    """The visible text of a paragraph: runs, hyperlinks, fields and insertions, in order."""
    pieces = []
    for child in element:
        tag = child.tag
        if tag == f"{_W}t":
            pieces.append(child.text or "")
        elif tag in _INLINE_CHARACTERS:
            pieces.append(_INLINE_CHARACTERS[tag])
        elif tag not in _SKIPPED_INLINE and isinstance(tag, str):
            pieces.append(_inline_text(child))
    return "".join(pieces)


def _docx_title(document: Any) -> str:
    """The title in the file's properties, else its Title-styled, else its first heading."""
    package = document.part.package
    # python-docx invents "Word Document" for a file without core properties: ask only if present.
    if any(rel.reltype == RELATIONSHIP_TYPE.CORE_PROPERTIES for rel in package.rels.values()):
        title = " ".join((document.core_properties.title or "").split())
        if title:
            return title
    best: tuple[int, str] | None = None
    for element in document.element.body.iter(f"{_W}p"):
        style = Paragraph(element, document).style
        rank = _heading_rank(style.name if style is not None else None)
        if rank is not None and (best is None or rank < best[0]):
            text = " ".join(_inline_text(element).split())
            if text:
                best = (rank, text)
    return best[1] if best else ""


def _heading_rank(style_name: str | None) -> int | None:
    """0 for the Title style, n for "Heading n", None for other paragraphs."""
    if style_name == "Title":
        return 0
    match = re.fullmatch(r"Heading ([1-9])", style_name or "")
    return int(match.group(1)) if match else None


# --- PDF ---------------------------------------------------------------------------------------

_PDF_DAMAGED = gettext_noop(
    "This PDF is damaged, so its text cannot be read. Open it and save or print it to a new PDF, "
    "or paste the text."
)


def _read_pdf(data: bytes, limits: DocumentLimits) -> Document:
    """Read the text layer of a PDF; refuse encrypted, scanned, oversized and damaged files.

    Steps: lower pypdf's per-stream decompression limits to our cap (and let it run no external
    decoder); open the file and refuse it if a password is needed or it has too many pages;
    for each page, decode its content and forms and count them against the cap, then extract
    its text and count that too; refuse a file with no text at all (a scan). The title is the
    document information's.
    """
    cap = limits.max_decompressed_bytes
    try:
        with pypdf.apply_configuration(
            zlib_maximum_output_length=cap,
            lzw_maximum_output_length=cap,
            run_length_maximum_output_length=cap,
            jbig2_maximum_output_length=cap,
            brotli_maximum_output_length=cap,
            array_based_stream_maximum_output_length=cap,
            image_maximum_buffer_size=cap,
            stream_decoding_work_maximum_length=cap,
            jbig2dec_binary=None,
        ):
            return _read_pdf_pages(data, limits)
    except DocumentError:
        raise
    except DependencyError as error:
        # AES needs the optional `cryptography` package, which we do not install.
        raise DocumentError(gettext(_PDF_ENCRYPTED)) from error
    except LimitReachedError as error:
        raise _pdf_bomb(cap) from error
    except PyPdfError as error:
        raise DocumentError(gettext(_PDF_DAMAGED)) from error
    except _MALFORMED as error:
        raise DocumentError(gettext(_PDF_DAMAGED)) from error


_PDF_ENCRYPTED = gettext_noop(
    "This PDF is protected by a password or encrypted, so its text cannot be read. Upload an "
    "unprotected copy, or paste the text."
)


def _pdf_bomb(cap: int) -> DocumentError:
    return DocumentError(
        gettext(
            "This PDF expands to more than %(cap)s MB of content, so it is refused: a real "
            "article is far smaller, and such files are made to exhaust servers. Paste the text "
            "instead."
        )
        % {"cap": f"{cap / _MB:g}"}
    )


def _read_pdf_pages(data: bytes, limits: DocumentLimits) -> Document:
    cap = limits.max_decompressed_bytes
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted and reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
        raise DocumentError(gettext(_PDF_ENCRYPTED))
    page_count = len(reader.pages)
    if page_count > limits.max_pages:
        raise DocumentError(
            gettext(
                "This PDF has %(pages)d pages; the limit is %(limit)d. Upload only the "
                "pages of the article, or paste the text."
            )
            % {"pages": page_count, "limit": limits.max_pages}
        )
    content_bytes = 0
    text_bytes = 0
    page_texts = []
    for page in reader.pages:
        content_bytes += _page_content_bytes(page)
        if content_bytes > cap:
            raise _pdf_bomb(cap)
        page_text = page.extract_text()
        text_bytes += len(page_text.encode("utf-8", errors="replace"))
        if text_bytes > cap:
            raise _pdf_bomb(cap)
        lines = "\n".join(line.rstrip() for line in page_text.splitlines()).strip("\n")
        if lines.strip():
            page_texts.append(lines)
    if not page_texts:
        raise DocumentError(
            gettext(
                "This PDF has no text layer: its pages are images (a scan or a photo). Run it "
                "through OCR (text recognition) first, or paste the article's text."
            )
        )
    return Document(kind="pdf", title=_pdf_title(reader), text="\n\n".join(page_texts))


# Forms inside forms deeper than this are counted no further (pypdf caps their invocations).
_MAX_FORM_DEPTH = 8


def _page_content_bytes(page: pypdf.PageObject) -> int:
    """Decode a page's content and the forms it may draw; return their size in bytes.

    pypdf caches what it decodes and parses it again wherever it is drawn, so a few compressed
    streams drawn on every page are real work: they are counted on every page.
    """
    contents = page.get_contents()
    size = len(contents.get_data()) if contents is not None else 0
    return size + _form_bytes(page.get("/Resources"), set(), 0)


def _form_bytes(resources: Any, seen: set[int], depth: int) -> int:
    if depth > _MAX_FORM_DEPTH or resources is None:
        return 0
    resources = resources.get_object()
    if not isinstance(resources, DictionaryObject):
        return 0
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else None
    if not isinstance(xobjects, DictionaryObject):
        return 0
    size = 0
    for value in xobjects.values():
        form = value.get_object()
        if not isinstance(form, StreamObject) or form.get("/Subtype") != "/Form":
            continue
        if id(form) in seen:
            continue
        seen.add(id(form))
        try:
            size += len(form.get_data())
        except LimitReachedError:
            raise
        except (PyPdfError, *_MALFORMED):
            continue  # pypdf's extraction skips a form it cannot decode; so do we
        size += _form_bytes(form.get("/Resources"), seen, depth + 1)
    return size


def _pdf_title(reader: pypdf.PdfReader) -> str:
    """The title in the document information, if it has a readable one."""
    try:
        metadata = reader.metadata
        title = metadata.title if metadata is not None else None
    except (PyPdfError, *_MALFORMED):
        return ""
    return " ".join(str(title).split()) if title else ""
