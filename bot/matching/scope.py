"""Questions about someone the service does not cover (pets, grandparents, a husband, an
adult's own illness) must not be answered from a nearby child or teen topic."""

from __future__ import annotations

import re

from bot.matching.normalize import normalize

# Word beginnings, in natural spelling (normalised at load).
OTHER_SUBJECTS = (
    # pets
    "кошк", "кот ", "котен", "собак", "щен", "попуга", "хомяк",
    "мысық", "мысығ", "итім", "итіміз", "күшік", "cat ", "cats", "kitten", "dog ", "dogs",
    "puppy", "my pet", "parrot", "hamster",
    # grandparents, husbands, other adults
    "бабушк", "дедушк", "свекр", "тёщ", "муж ", "мужа", "мужу", "супруг",
    "әже", "әжем", "атам ", "күйеу", "қайын",
    "grandma", "grandmother", "grandpa", "grandfather", "husband", "father in law",
    "mother in law",
    # adults' own chronic conditions
    "диабет", "давлени", "инсульт", "инфаркт", "простат", "климакс", "менопауз",
    "diabet", "blood pressure", "stroke", "prostate", "menopause", "hot flashes",
    "қант диабет", "қысым", "insurance", "страховк", "сақтандыру",
)
_ADULT_AGE = re.compile(
    r"\b(?:i am|i'm|im|мне|маған|мен)\s*(?:[2-9]\d)\b"
    r"|\b(?:[2-9]\d)\s*(?:жаста|жастамын|years old|лет|год)",
    re.IGNORECASE,
)
CHILD_MARKERS = ("ребен", "реб", "доч", "сын", "малыш", "младен", "бала", "қыз", "ұл",
                 "сәби", "baby", "child", "kid", "son", "daughter", "toddler", "infant")
_PATTERNS = [
    re.compile(r" " + re.escape(normalize(w)) + (r" " if w.endswith(" ") else r"[a-z]*"))
    for w in OTHER_SUBJECTS if normalize(w)
]
_CHILD = [re.compile(r" " + re.escape(normalize(w))) for w in CHILD_MARKERS]


def other_subject(text: str) -> bool:
    """True when the question is about a pet, an older relative or an adult's own health."""
    skeleton = " " + normalize(text) + " "
    if any(p.search(skeleton) for p in _PATTERNS):
        return True
    return bool(_ADULT_AGE.search(text)) and not any(c.search(skeleton) for c in _CHILD)
