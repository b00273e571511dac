"""Service facts (helplines, emergency numbers) referenced from answers by placeholder."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from bot.kb.model import LANGS

PLACEHOLDER = re.compile(r"\{([a-z0-9_]+(?:\.[a-z0-9_]+)+)\}")
SERVICE_NUMBER = re.compile(r"(?<![\d.,])\d{3}(?!\d|[.,]\d)")


def flatten_resources(
    raw: Mapping[str, object], prefix: str = ""
) -> Iterator[tuple[str, object, int | None]]:
    """Yield (dotted key, value, line of the key) for every leaf; a leaf is a string or a
    kk/ru/en mapping."""
    key_lines = getattr(raw, "key_lines", {})
    for key, value in raw.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and not set(value) <= set(LANGS):
            yield from flatten_resources(value, dotted + ".")
        else:
            yield dotted, value, key_lines.get(key)


def service_numbers(resources: Mapping[str, Mapping[str, str]]) -> set[str]:
    """The short service numbers (112, 103, ...) that answers must only reach by placeholder."""
    return {
        number
        for texts in resources.values()
        for text in texts.values()
        for number in SERVICE_NUMBER.findall(text)
    }


def resolve(text: str, lang: str, resources: Mapping[str, Mapping[str, str]]) -> str:
    return PLACEHOLDER.sub(lambda m: resources[m.group(1)][lang], text)
