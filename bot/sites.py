"""Pilot sites: the deep-link payload of a site's link and its printable QR code."""

from __future__ import annotations

import io
import re

import qrcode
from qrcode.constants import ERROR_CORRECT_M

SITE_PREFIX = "s_"
NAME_MAX = 60
_CODE = re.compile(r"^[0-9a-f]{4,32}$")


def site_payload(code: str) -> str:
    """The /start payload of a site's link."""
    return f"{SITE_PREFIX}{code}"


def site_code(payload: str | None) -> str | None:
    """The site code in a /start payload, or None if it is not a site's link."""
    if not payload or not payload.startswith(SITE_PREFIX):
        return None
    code = payload[len(SITE_PREFIX):]
    return code if _CODE.match(code) else None


def clean_name(raw: str | None) -> str:
    """A site name on one line, at most NAME_MAX characters."""
    return " ".join((raw or "").split())[:NAME_MAX].strip()


def qr_png(link: str) -> bytes:
    """A PNG of the link's QR code, large enough to print on a poster."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=12, border=4)
    code.add_data(link)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()
