"""The demo's placeholder files: a one-page PDF for each document the story uploads, a coloured PNG for each
photo. Real files, so that the pages that show or check them (downloads, the gallery, the upload checks) work."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF showing ``text``."""
    safe = text.encode("cp1252", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 14 Tf 72 770 Td (" + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def placeholder_png(label: str, colour: tuple[int, int, int]) -> bytes:
    """A small coloured PNG saying "Photo d'exemple" and ``label``."""
    image = Image.new("RGB", (640, 400), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((16, 16, 623, 383), outline=(255, 255, 255), width=4)
    draw.text((320, 180), "Photo d'exemple", fill=(255, 255, 255), anchor="mm", font_size=40)
    draw.text((320, 240), label, fill=(255, 255, 255), anchor="mm", font_size=28)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
