"""Messages that are only a greeting, thanks, a goodbye or an "ok": not questions.

"рахмет, сау бол, жақсы түн", "спасибо большое!!", "hiii", "ok thx" deserve a short kind reply,
not a search of the knowledge base (which offered a consultant for "thanks", and whose crisis
models, never taught such chat, took "рахмет, сау бол, жаксы тун" for a farewell note).

A message is small talk only when every word of its skeleton belongs to one of the phrases
below (emoji and punctuation do not count), so "спасибо, а можно ещё вопрос про месячные" or
"bye everyone, i can't do this anymore" are not. Phrases that can close a farewell note
("прощайте", "farewell", "қош болыңдар") are deliberately absent.
"""

from __future__ import annotations

from typing import Literal

from bot.matching.normalize import normalize

Kind = Literal["thanks", "goodbye", "greeting", "ok"]

# Per kind, in any script: folded with `normalize` (so "рахмет", "rahmet" and "raxmet" agree;
# Latin "ts" folds to "c", so "salemetsiz" is listed as well as "сәлеметсіз").
_PHRASES: dict[Kind, tuple[str, ...]] = {
    "thanks": (
        # kk
        "рахмет", "рақмет", "рахмет сізге", "рахмет саған", "көп рахмет", "үлкен рахмет",
        "алғыс", "алғысым шексіз", "рахмет көмектескеніңізге",
        # ru
        "спасибо", "спасибки", "спасибо большое", "большое спасибо", "огромное спасибо",
        "спасибо вам", "спасибо тебе", "благодарю", "спс", "пасиб", "пасибо",
        "спасибо за помощь", "спасибо за ответ",
        # en
        "thanks", "thank you", "thank u", "thx", "tnx", "ty", "thanks a lot", "thank you so much",
        "thanks so much", "many thanks", "thanks for the help", "thanks for helping",
        "thank you for the answer", "thanks for the answer",
    ),
    "goodbye": (
        "сау бол", "сау болыңыз", "көріскенше", "жақсы түн", "тыныш түн", "кейін жазам",
        "пока", "пока пока", "до свидания", "досвидания", "спокойной ночи", "доброй ночи",
        "до встречи", "всего доброго",
        "bye", "bye bye", "goodbye", "good night", "gn", "see you", "see ya", "later",
        "talk later",
    ),
    "greeting": (
        "сәлем", "салем", "сәлеметсіз бе", "салеметсиз бе", "саламатсыз ба", "ассалаумағалейкум",
        "салам", "salemetsiz be", "salemetsizbe", "қайырлы күн", "қайырлы таң", "қайырлы кеш",
        "армысыз",
        "привет", "приветик", "здравствуйте", "здрасте", "здравствуй", "добрый день",
        "доброе утро", "добрый вечер", "хай", "прив",
        "hi", "hello", "hey", "hiya", "good morning", "good afternoon", "good evening",
        "hi there", "hey there", "hello there",
    ),
    "ok": (
        "жарайды", "жақсы", "түсіндім", "түсінікті", "ок", "окей", "иә", "ия",
        "хорошо", "ладно", "понятно", "ясно", "поняла", "понял", "ага", "угу",
        "ok", "okay", "okk", "k", "got it", "i see", "alright", "all right", "cool", "yes",
    ),
}
# The reply a mixed message gets: thanks before goodbye before greeting before "ok".
_ORDER: tuple[Kind, ...] = ("thanks", "goodbye", "greeting", "ok")
# Words that may stand next to the phrases without making a question of them.
_FILLERS = frozenset(normalize(" ".join((
    "и а ну да ещё еще тогда уже ой мне вам тебе очень",
    "және енді ал сізге саған маған көп",
    "and so oh very much you again then now lol",
))).split())
MAX_WORDS = 8


def _phrase_table() -> dict[tuple[str, ...], Kind]:
    table: dict[tuple[str, ...], Kind] = {}
    for kind in reversed(_ORDER):  # earlier kinds win a phrase listed twice
        for phrase in _PHRASES[kind]:
            words = tuple(normalize(phrase).split())
            if words:
                table[words] = kind
    return table


_TABLE = _phrase_table()
_LONGEST = max(len(words) for words in _TABLE)


def small_talk(text: str) -> Kind | None:
    """The kind of small talk a message is, or None when it says anything more."""
    words = normalize(text).split()
    if not words or len(words) > MAX_WORDS:
        return None
    found: set[Kind] = set()
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            kind = _TABLE.get(tuple(words[i : i + size]))
            if kind is not None:
                found.add(kind)
                i += size
                break
        else:
            if words[i] not in _FILLERS:
                return None
            i += 1
    return next((kind for kind in _ORDER if kind in found), None)
