"""Posters: drawn from a title's name and year for titles without an uploaded image, and
the limits an uploaded one must keep.

Drawn posters are deterministic: the same name and year always give the same colours and
layout, so they look the same on every instance.
"""

from __future__ import annotations

import hashlib
import textwrap
import warnings
from typing import Any
from xml.sax.saxutils import escape

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image

WIDTH = 300
HEIGHT = 450


def _palette(seed: bytes) -> tuple[str, str, str]:
    hue = int.from_bytes(seed[0:2], "big") % 360
    shift = 25 + seed[2] % 60
    sat = 45 + seed[3] % 30
    top = f"hsl({hue}, {sat}%, {22 + seed[4] % 12}%)"
    bottom = f"hsl({(hue + shift) % 360}, {sat}%, {8 + seed[5] % 8}%)"
    accent = f"hsl({(hue + 180) % 360}, 80%, 70%)"
    return top, bottom, accent


def _shape(seed: bytes, accent: str) -> str:
    # One of a few abstract motifs so that rows of generated posters do not look identical.
    variant = seed[6] % 4
    cx, cy = 60 + seed[7] % 180, 90 + seed[8] % 160
    r = 40 + seed[9] % 70
    if variant == 0:
        return f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{accent}" opacity="0.22"/>'
    if variant == 1:
        return (
            f'<rect x="{cx - r}" y="{cy - r}" width="{2 * r}" height="{2 * r}" '
            f'transform="rotate({seed[10] % 90} {cx} {cy})" fill="{accent}" opacity="0.18"/>'
        )
    if variant == 2:
        return (
            f'<polygon points="{cx},{cy - r} {cx + r},{cy + r} {cx - r},{cy + r}" '
            f'fill="{accent}" opacity="0.2"/>'
        )
    rings = "".join(
        f'<circle cx="{cx}" cy="{cy}" r="{r - i * 14}" fill="none" stroke="{accent}" '
        f'stroke-width="3" opacity="{0.35 - i * 0.07:.2f}"/>'
        for i in range(4)
    )
    return rings


def poster_svg(name: str, year: int | None = None, kind: str = "movie") -> str:
    """An SVG poster (300×450) for a title."""
    seed = hashlib.sha256(f"{name}|{year or ''}".encode()).digest()
    top, bottom, accent = _palette(seed)
    lines = textwrap.wrap(name.upper(), width=14, break_long_words=True)[:5] or ["UNTITLED"]
    font_size = 34 if max(len(line) for line in lines) <= 10 else 26
    line_height = font_size * 1.15
    first_y = HEIGHT - 70 - line_height * (len(lines) - 1)
    text = "".join(
        f'<text x="24" y="{first_y + i * line_height:.0f}" font-size="{font_size}" '
        f'font-weight="800" fill="#fff" letter-spacing="1">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    subtitle = " · ".join(
        part for part in (str(year) if year else "", "SERIES" if kind == "series" else "") if part
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(name)}">'
        f'<defs><linearGradient id="g" x1="0" y1="0" x2="0.3" y2="1">'
        f'<stop offset="0" stop-color="{top}"/><stop offset="1" stop-color="{bottom}"/>'
        f"</linearGradient></defs>"
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#g)"/>'
        f"{_shape(seed, accent)}"
        f'<g font-family="Helvetica, Arial, sans-serif">{text}'
        f'<text x="24" y="{HEIGHT - 32}" font-size="15" fill="{accent}" '
        f'letter-spacing="3">{escape(subtitle)}</text></g>'
        f'<rect x="24" y="28" width="36" height="4" fill="{accent}"/>'
        f"</svg>"
    )


# --------------------------------------------------------------------------------------
# Uploaded posters
# --------------------------------------------------------------------------------------


def poster_upload_validate(file: Any) -> None:
    """Refuse an uploaded poster over MARQUEE_POSTER_MAX_BYTES or MARQUEE_POSTER_MAX_PIXELS.

    Only the image's header is read: a few kilobytes of PNG can declare a billion pixels
    (a decompression bomb) that decoding would hold in memory. A poster already stored is
    not checked again; a file that is no image is left to the ImageField to refuse.

    Raises:
        ValidationError: code "too_large" (bytes) or "too_many_pixels".
    """
    if getattr(file, "_committed", False):
        return
    max_bytes = settings.MARQUEE_POSTER_MAX_BYTES
    if file.size > max_bytes:
        raise ValidationError(
            "This poster is %(size)s; a poster may be at most %(max)s.",
            code="too_large",
            params={"size": filesizeformat(file.size), "max": filesizeformat(max_bytes)},
        )
    max_pixels = settings.MARQUEE_POSTER_MAX_PIXELS
    too_many = ValidationError(
        "This poster has more than %(max)s megapixels; scale it down first.",
        code="too_many_pixels",
        params={"max": f"{max_pixels / 1_000_000:g}"},
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns between its limit and twice it; the size is judged below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        raise too_many from None
    except (OSError, ValueError, SyntaxError):
        return
    finally:
        file.seek(0)
    if width * height > max_pixels:
        raise too_many


class PosterFormField(forms.ImageField):
    """An ImageField that checks the limits before Pillow verifies (decodes) the image."""

    def to_python(self, data: Any) -> Any:
        if data not in self.empty_values:
            poster_upload_validate(data)
        return super().to_python(data)
