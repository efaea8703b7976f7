"""Files for upload tests, built in memory: real minimal office documents, and the malicious ones (fake ODF, zip
bombs, a photo with its GPS position, a decompression-bomb PNG) — all small on disk."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import ExifTags, Image

ODT = "application/vnd.oasis.opendocument.text"
ODP = "application/vnd.oasis.opendocument.presentation"
OOXML_MAIN = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
             '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
             "<w:r><w:t>Bonjour</w:t></w:r></w:p></w:body></w:document>"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
             '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>'),
    "pptx": ("ppt/presentation.xml",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
             '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>'),
}
MB = 1024 * 1024


def manifest(mimetype: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
            'manifest:version="1.3">\n'
            f' <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="{mimetype}"/>\n'
            ' <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>\n'
            "</manifest:manifest>\n")


def odf(mimetype: str = ODT, *, stored: bool = True, with_manifest: bool = True,
        manifest_type: str | None = None) -> bytes:
    """A minimal OpenDocument as LibreOffice writes it: ``mimetype`` first and stored, then the manifest."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
        if with_manifest:
            archive.writestr("META-INF/manifest.xml", manifest(manifest_type or mimetype))
        archive.writestr("content.xml", '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:'
                                        'xmlns:office:1.0" office:version="1.3"><office:body/>'
                                        "</office:document-content>")
    return buffer.getvalue()


def ooxml(kind: str = "docx", *, main_part: bool = True, declared: bool = True,
          extra_members: int = 0, extra_size: int = 0) -> bytes:
    """A minimal Office Open XML document: [Content_Types].xml naming the main part, _rels/.rels, the part."""
    part, content_type, body = OOXML_MAIN[kind]
    override = f'<Override PartName="/{part}" ContentType="{content_type}"/>' if declared else ""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{override}</Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'officeDocument" Target="{part}"/></Relationships>'))
        if main_part:
            archive.writestr(part, body)
        for n in range(extra_members):
            archive.writestr(f"{part.split('/')[0]}/media/extra{n}.bin", bytes(range(256)) * (extra_size // 256),
                             compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "Rien d'un document bureautique.")
    return buffer.getvalue()


def with_bomb(member: str, inflated: int = 200 * MB, *, declare: int | None = None, base: bytes | None = None) -> bytes:
    """A minimal ODT holding ``member``: ``inflated`` bytes of zeros, deflated (about a thousandth on disk). With
    ``declare``, the archive lies about it: its headers say the member inflates to ``declare`` bytes."""
    source = zipfile.ZipFile(io.BytesIO(base or odf()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != member:
                archive.writestr(info, source.read(info))
        with archive.open(member, "w") as handle:
            chunk = bytes(MB)
            for _ in range(inflated // MB):
                handle.write(chunk)
    return buffer.getvalue() if declare is None else lie_about(buffer.getvalue(), member, declare)


def lie_about(original: bytes, member: str, size: int) -> bytes:
    """The archive with the uncompressed size of ``member`` rewritten (local header and central directory)."""
    data = bytearray(original)
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo(member)
    struct.pack_into("<L", data, info.header_offset + 22, size)
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46:position + 46 + name_length]) == member.encode():
            struct.pack_into("<L", data, position + 24, size)
            return bytes(data)
        position = data.find(b"PK\x01\x02", position + 4)
    raise AssertionError(member)


def bzip2_member() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(ooxml()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info),
                             compress_type=zipfile.ZIP_BZIP2 if info.filename.endswith(".xml") else None)
    return buffer.getvalue()


def jpeg_with_gps(size: tuple[int, int] = (32, 16), orientation: int = 6) -> bytes:
    """A photo whose EXIF says where it was taken (a shelter's GPS position), the camera, and an orientation:
    its left half is red and its right half blue as stored; orientation 6 means "turn it a quarter clockwise"."""
    width, height = size
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (49.0, 36.0, 42.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (6.0, 7.0, 48.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"Foyer, rue des Roses 12", quality=95)
    return out.getvalue()


def image(image_format: str = "PNG", size: tuple[int, int] = (4, 3), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 200) if mode == "RGB" else 128).save(out, format=image_format)
    return out.getvalue()


def png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A PNG a few hundred bytes long whose header announces ``width`` by ``height`` pixels (3.6 billion by
    default: 3.6 GB once decoded, one byte a pixel)."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 4, 9)  # a few rows of black; the rest is missing
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
