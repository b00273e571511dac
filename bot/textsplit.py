"""Split long texts under Telegram's 4096-character limit (counted in UTF-16 units)."""

from __future__ import annotations

import re

LIMIT = 4096
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    """Cut at paragraph bounds, then sentence bounds, then spaces; never mid-character."""
    if utf16_len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        candidate = f"{current}{piece}" if current else piece.lstrip()
        if utf16_len(candidate) <= limit:
            current = candidate
        else:
            if current.strip():
                parts.append(current.rstrip())
            current = piece.lstrip()
    if current.strip():
        parts.append(current.rstrip())
    return parts


def _pieces(text: str, limit: int) -> list[str]:
    """Paragraphs (with their separators); over-long ones broken into sentences or words."""
    result: list[str] = []
    for paragraph in re.split(r"(?<=\n\n)", text):
        if utf16_len(paragraph) <= limit:
            result.append(paragraph)
            continue
        for sentence in _SENTENCE_END.split(paragraph):
            sentence += " "
            if utf16_len(sentence) <= limit:
                result.append(sentence)
                continue
            for word in re.split(r"(?<= )", sentence):
                while utf16_len(word) > limit:
                    cut = _cut_utf16(word, limit)
                    result.append(word[:cut])
                    word = word[cut:]
                result.append(word)
    return result


def _cut_utf16(text: str, limit: int) -> int:
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)
