"""Fold every spelling of a question into one comparable form (a "skeleton").

Kazakh in Cyrillic, Kazakh without its special letters, Kazakh in the 2021 Latin alphabet or in
ad-hoc chat Latin ("zh", "sh", "ch"), Russian in Cyrillic or typed in Latin letters, and English
all end up as lowercase Latin letters and single spaces, with repeated letters collapsed:

    "Етеккір келмей жатыр((("  -> "etekir kelmei jatyr"
    "etekkir kelmei zhatyr"     -> "etekir kelmei jatyr"
    "задержка месячных"         -> "zaderjka mesyachnyh"
    "zaderzhka mesyachnyh"      -> "zaderjka mesyachnyh"

The same function indexes the knowledge base, so both sides always agree.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

KAZAKH_LETTERS = frozenset("әғқңөұүһі")

# Cyrillic maps to UPPER-case Latin so that the Latin digraph rules below never touch it;
# everything is lower-cased at the end.
_CYRILLIC = {
    "а": "A", "ә": "A", "б": "B", "в": "V", "г": "G", "ғ": "G", "д": "D", "е": "E", "ё": "E",
    "ж": "J", "з": "Z", "и": "I", "й": "I", "к": "K", "қ": "K", "л": "L", "м": "M", "н": "N",
    "ң": "N", "о": "O", "ө": "O", "п": "P", "р": "R", "с": "S", "т": "T", "у": "U", "ұ": "U",
    "ү": "U", "ф": "F", "х": "H", "һ": "H", "ц": "C", "ч": "CH", "ш": "SH", "щ": "SH",
    "ъ": "", "ы": "Y", "і": "I", "ь": "", "э": "E", "ю": "YU", "я": "YA",
}
# Kazakh 2021 Latin alphabet and other diacritics seen in chat.
_LATIN_LETTERS = {
    "ä": "a", "á": "a", "ğ": "g", "ǵ": "g", "q": "k", "ñ": "n", "ń": "n", "ö": "o", "ó": "o",
    "ū": "u", "ü": "u", "ú": "u", "ı": "i", "ş": "sh", "ç": "ch", "ý": "u", "é": "e",
    "ë": "e", "ž": "j", "š": "sh", "č": "ch", "x": "h",
}
# Ad-hoc Latin digraphs (Russian and Kazakh typed in Latin letters), longest first.
_DIGRAPHS = (
    ("shch", "sh"), ("sch", "sh"), ("zh", "j"), ("kh", "h"), ("ts", "c"), ("tz", "c"),
    ("yo", "e"),
)
_DIGRAPH_RE = re.compile("|".join(d for d, _ in _DIGRAPHS))
_DIGRAPH_MAP = dict(_DIGRAPHS)
_NON_LETTER = re.compile(r"[^a-z]+")
_APOSTROPHE = re.compile(r"(?<=[a-z])['’ʼ`´](?=[a-z])")
# English contractions: "he'll" must not fold into "hell", nor "i'll" into "ill".
_CONTRACTIONS = re.compile(r"(?<=[a-z])['’ʼ`´](ll|re|ve|d)\b")
_EXPANDED = {"ll": " will", "re": " are", "ve": " have", "d": " would"}
_REPEATS = re.compile(r"(.)\1+")
_TRANSLATE = str.maketrans({**_CYRILLIC, **_LATIN_LETTERS})

# Chat abbreviations and slang, written in skeleton form (after folding).
_SLANG = {
    "pls": "pojaluista", "plz": "pojaluista", "pliz": "pojaluista", "spc": "spasibo",
    "spz": "spasibo", "mb": "mojet", "chto": "chto", "che": "chto", "cho": "chto",
    "shto": "chto", "sho": "chto", "pochemy": "pochemu", "nz": "ne znayu", "hz": "ne znayu",
    "u": "u", "r": "are", "ur": "your", "im": "i am", "idk": "i dont know", "dont": "dont",
    "bc": "because", "cuz": "because", "coz": "because", "bf": "boyfriend", "gf": "girlfriend",
    "mom": "mother", "mum": "mother", "mama": "mama", "ok": "ok", "pms": "pms",
}


def fold_char_script(text: str) -> str:
    """Lowercase Latin transliteration of any Kazakh/Russian/Latin text (no collapsing)."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("i̇", "i")
    text = text.translate(_TRANSLATE)
    text = _DIGRAPH_RE.sub(lambda m: _DIGRAPH_MAP[m.group(0)], text).lower()
    # Strip any remaining diacritics (e.g. "ï", "ê").
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def fold_words(text: str) -> list[str]:
    """The words of a skeleton before slang is expanded (English contractions kept whole:
    "don't" -> "dont", "i'm" -> "im")."""
    folded = _CONTRACTIONS.sub(lambda m: _EXPANDED[m.group(1)], fold_char_script(text))
    folded = _APOSTROPHE.sub("", folded)
    folded = _NON_LETTER.sub(" ", folded)
    folded = _REPEATS.sub(r"\1", folded)
    return folded.split()


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """The skeleton of a text: folded letters, single spaces, repeated letters collapsed."""
    return " ".join(_SLANG.get(w, w) for w in fold_words(text))


def stem(token: str, size: int = 5) -> str:
    """A light stem: the first letters of a skeleton token (works across all three languages)."""
    return token[:size]


def truncate_for_matching(text: str, limit: int = 400) -> str:
    """Long messages are matched on their start (cut at a word boundary)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else cut
