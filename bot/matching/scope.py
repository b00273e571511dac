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
    # adults' own chronic conditions
    "диабет", "давлени", "инсульт", "инфаркт", "простат", "климакс", "менопауз",
    "diabet", "blood pressure", "stroke", "prostate", "menopause", "hot flashes",
    "қант диабет", "қан қысым", "insurance", "страховк", "сақтандыру",
)
# Grandparents, husbands, in-laws: the subject, unless the message is about a child or a
# pregnancy ("свекровь говорит малыша надо...", "муж говорит, я просто устала после родов").
OLDER_RELATIVES = (
    "бабушк", "дедушк", "свекр", "тёщ", "муж ", "мужа", "мужу", "супруг",
    "әже", "әжем", "атам ", "күйеу", "қайын",
    "grandma", "grandmother", "grandpa", "grandfather", "husband", "father in law",
    "mother in law",
)
# Topics that are not ours at all (word beginnings; a trailing space ends the word).
OFF_TOPICS = (
    "кредит", "ипотек", "налог", "вычет", "банк", "каспи", "kaspi", "зарплат", "пенси", "алимент",
    "салық", "несие", "жалақы", "зейнетақы", "loan", "mortgage", "tax ", "taxes", "bank ",
    "salary", "pension", "виза", "visa", "резюме", "вакан", "resume", "cover letter",
    "job interview", "жұмыс ізд", "работу ищ", "ищу работ", "телевизор", "теледидар", "роутер",
    "wifi", "wi fi", "ноутбук", "laptop", "принтер", "стиральн", "кран теч", "leaking tap",
    "plumber", "сантехник", "ремонт квартир", "car ", "cars", "driving licen", "водительск",
    "бензин", "flight", "авиабилет", "билет на", "europe", "европ", "погода", "ауа райы",
    "weather", "rain ", "дожд", "матч", "match ", "барселон", "реал мадрид", "eurovision",
    "евровиден", "сериал", "фильм посовет", "movie", "recipe", "пісір", "бешбармак", "лагман",
    "плов", "огород", "garden", "помидор", "қызанақ", "tomato", "домашк", "домашн задан",
    "үй тапсырма", "homework", "есеп шығар", "реши задач", "capital of", "столиц", "астанасы",
    "ветеринар", "veterinar", "vet ", "rabbit", "кролик", "қоян", "rabies", "бешенств", "құтыру",
    "аквариум", "рыбк", "от скуки", "скучно на каникул", "көлікт", "көлігі", "жөндет", "ремонт ",
    "repair", "экраны сынд", "cracked screen", "screen cracked", "screen broke", "phone broke",
    "разбил экран", "разбился экран", "разбила экран", "экран разбил", "экран телефона",
    "телефон сломал", "телефоным сынд", "телефонум сынд", "iphone", "айфон", "samsung", "самсунг",
    "машину ", "машины ", "машине ", "машиной",
    "машина ", "write me an", "write an essay", "қай кітап", "какую книгу", "which book",
)
# An adult relative's own illness: a relative and an illness in the same message.
ADULT_RELATIVES = (
    "ағам ", "апам ", "әпкем ", "тәтем ",
    "у мамы", "у папы", "у отца", "у матери", "у тети", "у тёти", "у дяди", "у брата", "у сестры",
    "папе ", "анамның", "анамнын", "әкемнің", "әкемнін", "папамның", "ағамның", "апамның",
    "әпкемнің", "тәтемнің", "нағашымның", "my mom has", "my mother has", "my dad has",
    "my father has", "my aunt", "my uncle", "my brother has", "my sister has",
    "my moms ", "my dads ", "my mothers ", "my fathers ", "мой дядя", "моя тетя", "моя тётя",
)
# Conditions of adults (only together with an adult relative).
ADULT_ILLNESS = (
    "давлен", "сахар", "холестерин", "сердц", "почк", "желчн", "сустав", "колен", "поясниц",
    "спин", "зуб", "мигрен", "подагр", "артрит", "артроз", "камни", "щитовид", "онколог", "қысым",
    "жүрег", "бүйрег", "буын", "тізе", "бел ", "белі", "тіс", "тісі", "шаш", "pressure",
    "cholesterol", "heart", "kidney", "gallbladder", "joint", "knee", "back pain", "tooth",
    "teeth", "migraine", "gout", "arthritis", "thyroid", "cancer", "dementia", "болеет",
)
_ADULT_AGE = re.compile(
    r"\b(?:i am|i'm|im|мне|маған|мен)\s*(?:[2-9]\d)\b"
    r"(?!\s*(?:weeks?|week|нед|апта|month|мес|ай|days?|дн|күн))"
    r"|\b(?:[2-9]\d)\s*(?:жаста|жастамын|years old|лет|год)",
    re.IGNORECASE,
)
# Kazakh "қыз", "ұл", "сын" begin other words too ("қызуы" a fever, "ұлғайды", "сынып" a
# school class): only the forms that mean a daughter or a son count.
CHILD_MARKERS = ("ребен", "реб", "доч", "сын ", "сына ", "сыну ", "сынок", "сыноч", "сыном",
                 "малыш", "младен", "бала", "қызым", "қызы ", "қызың", "қыз бала", "ұлым",
                 "ұлы ", "ұлың", "ұл бала", "сәби", "baby", "child", "kid ", "kids", "son ",
                 "sons", "daughter", "toddler", "infant")
PREGNANCY_MARKERS = ("беремен", "родил", "роды", "родов", "малого", "жүкті", "босан", "бөбек",
                     "pregnan", "gave birth", "weeks pregnant", "newborn")


def _patterns(words: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a list of word beginnings (a trailing space: the whole word)."""
    bodies = sorted({
        re.escape(normalize(w)) + (r" " if w.endswith(" ") else "") for w in words if normalize(w)
    })
    return re.compile(r" (?:" + "|".join(bodies) + ")")


_SUBJECTS = _patterns(OTHER_SUBJECTS + OFF_TOPICS)
_OLDER = _patterns(OLDER_RELATIVES)
_ABOUT_A_CHILD = _patterns(CHILD_MARKERS + PREGNANCY_MARKERS)
_RELATIVES = _patterns(ADULT_RELATIVES)
_ILLNESS = _patterns(ADULT_ILLNESS)
_PARTNER = _patterns(("жігіт", "парень", "парня", "парнем", "boyfriend", "bf ", "ухажер"))
_CHILD = _patterns(CHILD_MARKERS)


def other_subject(text: str) -> bool:
    """True when the question is about a pet, an older relative, an adult's own health or a
    topic that is not ours at all (money, homework, travel, recipes...)."""
    skeleton = " " + normalize(text) + " "
    if _SUBJECTS.search(skeleton):
        return True
    if _OLDER.search(skeleton) and not _ABOUT_A_CHILD.search(skeleton):
        return True
    if _RELATIVES.search(skeleton) and _ILLNESS.search(skeleton):
        return True
    return (
        bool(_ADULT_AGE.search(text))
        and not _CHILD.search(skeleton)
        and not _PARTNER.search(skeleton)  # "I'm 15, my boyfriend is 20": about her
    )
