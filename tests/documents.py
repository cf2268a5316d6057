"""Builders of test documents: PDFs written byte by byte and Word files made with python-docx.

Every fixture the tests use is built by these, from text we write in the tests (no file is
copied in). Used by the document reader's tests and by the upload and import tests.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable

import docx
import pypdf


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_content(*lines: str) -> bytes:
    """A page content stream writing each line in Helvetica, one under the other."""
    ops = ["BT /F1 12 Tf 14 TL 72 720 Td"]
    ops += [f"({_escape(line)}) Tj T*" for line in lines]
    ops.append("ET")
    return "\n".join(ops).encode("latin-1")


def build_pdf(
    contents: list[bytes | None],
    *,
    title: str | None = None,
    compress: bool = False,
    form: bytes | None = None,
) -> bytes:
    """A minimal valid PDF: one page per content stream (None: a page without content), with
    Helvetica as /F1, an optional form XObject /Fm1 on every page, an optional /Title, and a
    cross-reference table with the real byte offsets."""
    objects: list[bytes] = [b"", b""]  # 1: catalog, 2: page tree, filled in at the end

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(data: bytes, extra: bytes = b"") -> int:
        if compress:
            data = zlib.compress(data, 9)
            extra += b" /Filter /FlateDecode"
        return add(b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), extra, data))

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    resources = b"/Font << /F1 %d 0 R >>" % font
    if form is not None:
        form_object = stream(
            form,
            b" /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << %s >>" % resources,
        )
        resources += b" /XObject << /Fm1 %d 0 R >>" % form_object
    kids = []
    for content in contents:
        page = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << %s >>" % resources
        )
        if content is not None:
            page += b" /Contents %d 0 R" % stream(content)
        kids.append(add(page + b" >>"))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    references = b" ".join(b"%d 0 R" % kid for kid in kids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (references, len(kids))
    info = add(b"<< /Title (%s) >>" % _escape(title).encode("latin-1")) if title else None

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"/Size %d /Root 1 0 R" % (len(objects) + 1)
    if info:
        trailer += b" /Info %d 0 R" % info
    out += b"trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)


def encrypt_pdf(data: bytes, *, user_password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    # RC4 needs no optional dependency to write or read.
    writer.encrypt(user_password=user_password, owner_password="desk-owner", algorithm="RC4-128")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def build_docx(fill: Callable[[docx.document.Document], None]) -> bytes:
    document = docx.Document()
    fill(document)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
