"""Real files for upload tests, made with the libraries the hub judges them with."""

from __future__ import annotations

import io
import random

from PIL import Image
from pypdf import PdfWriter

GPS_IFD = 0x8825
MAKE = 0x010F


def pdf(pages: int = 1, *, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def photo(width: int = 800, height: int = 600, *, kind: str = "JPEG", gps: bool = True, sharp: bool = True) -> bytes:
    """A photo with GPS and camera EXIF; ``sharp`` draws noise (edges everywhere), else one flat colour (blurry)."""
    if sharp:
        rng = random.Random(7)
        image = Image.frombytes("RGB", (width, height), bytes(rng.getrandbits(8) for _ in range(width * height * 3)))
    else:
        image = Image.new("RGB", (width, height), (200, 190, 180))
    exif = Image.Exif()
    exif[MAKE] = "PhoneCam"
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (41.0, 52.0, 55.0), 3: "W", 4: (87.0, 37.0, 40.0)}
    out = io.BytesIO()
    image.save(out, kind, exif=exif.tobytes())
    return out.getvalue()


def exif_of(content: bytes) -> dict:
    return dict(Image.open(io.BytesIO(content)).getexif())
