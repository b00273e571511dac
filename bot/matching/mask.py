"""Mask what could identify someone in a question kept for knowledge-base gap analysis."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_URL = re.compile(r"(https?://|www\.|t\.me/)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w{3,}")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\s\-()]{6,}\d")
_NUMBER = re.compile(r"\d+")


def mask_personal(text: str) -> str:
    """Replace e-mails, links, @handles, phone numbers and any other numbers by markers."""
    text = _EMAIL.sub("<email>", text)
    text = _URL.sub("<link>", text)
    text = _HANDLE.sub("<user>", text)
    text = _PHONE.sub("<phone>", text)
    return _NUMBER.sub("<n>", text)
