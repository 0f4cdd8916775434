"""What a file is, judged by its content, and what of it may be kept.

The type comes from the file's own bytes (``filetype``'s magic numbers), never from its name or the part's
``Content-Type``: a ``.pdf`` that is a ZIP is refused. Only PDF, JPEG and PNG are taken, the formats agencies'
document systems read. Then:

- a PDF must open with pypdf, not be encrypted (an agency cannot read a password-protected file) and have at
  least one page; anything else is "malformed";
- a photo is decoded with Pillow and written again without its metadata (EXIF: GPS position, camera serial,
  time; PNG text chunks), turned upright as its EXIF orientation said. Re-encoding is the only sure way to
  drop every metadata block; JPEGs are written at quality 90, which a caseworker cannot tell from the original.

Every refusal is a ``FileRefused`` with a plain message for the ``file`` field; the bytes never reach a log.
"""

from __future__ import annotations

import dataclasses
import io
import warnings

import filetype
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PdfReadError

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
ACCEPTED_TYPES = (PDF, JPEG, PNG)
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 60_000_000  # a phone photo is 12–50 Mpx; more is a decompression bomb, not a document


class FileRefused(ValueError):
    """The file cannot be taken; ``str(error)`` says why in words a resident understands."""


@dataclasses.dataclass(frozen=True)
class CheckedFile:
    """What will be stored: the (for photos, cleaned) bytes and their type judged from content."""

    content: bytes
    content_type: str


def check_file(content: bytes) -> CheckedFile:
    """The file as it may be stored, or ``FileRefused``."""
    if not content:
        raise FileRefused("The file is empty.")
    if len(content) > MAX_BYTES:
        raise FileRefused("The file is larger than 10 MB.")
    kind = filetype.guess_mime(content)
    if kind not in ACCEPTED_TYPES:
        raise FileRefused("Send a PDF, JPEG or PNG file.")
    if kind == PDF:
        _check_pdf(content)
        return CheckedFile(content, PDF)
    return CheckedFile(_without_metadata(content, kind), kind)


def _check_pdf(content: bytes) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted:
                raise FileRefused("The PDF is password-protected; send it without a password.")
            if len(reader.pages) < 1:
                raise FileRefused("The PDF has no pages.")
    except FileRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        raise FileRefused("The PDF is damaged and cannot be opened.") from None


def _without_metadata(content: bytes, kind: str) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            if image.width * image.height > MAX_PIXELS:
                raise FileRefused("The photo is too large in pixels.")
            image.load()
            image = ImageOps.exif_transpose(image)
    except FileRefused:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileRefused("The photo is damaged and cannot be opened.") from None
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA")
    clean = Image.new(image.mode, image.size)  # a new image carries no info, EXIF or text chunks
    clean.paste(image)
    if kind == JPEG and clean.mode not in ("RGB", "L", "CMYK"):
        clean = clean.convert("RGB")
    out = io.BytesIO()
    if kind == JPEG:
        clean.save(out, "JPEG", quality=90, optimize=True)
    else:
        clean.save(out, "PNG", optimize=False)
    return out.getvalue()
