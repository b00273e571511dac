"""The crisis detector: high recall across languages and scripts, quiet on ordinary questions."""

from __future__ import annotations

import pytest

from bot.matching.crisis import CrisisDetector

DETECTOR = CrisisDetector()


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("не хочу больше жить", "mental.suicidal_thoughts"),
        ("ne hochu zhit", "mental.suicidal_thoughts"),
        ("өмір сүргім келмейді", "mental.suicidal_thoughts"),
        ("omir surgim kelmeidi", "mental.suicidal_thoughts"),
        ("i wanna die tbh", "mental.suicidal_thoughts"),
        ("я режу руки", "mental.self_harm"),
        ("i cut myself again", "mental.self_harm"),
        ("қолымды кесемін", "mental.self_harm"),
        ("отчим бьет меня", "safety.violence_home"),
        ("әкем мені ұрады", "safety.violence_home"),
        ("меня изнасиловали", "safety.sexual_abuse"),
        ("he touched me and i didnt want", "safety.sexual_abuse"),
        ("меня хотят выдать замуж после 9 класса", "safety.early_forced_marriage"),
        ("мені күштеп тұрмысқа бергісі келеді", "safety.early_forced_marriage"),
        ("дядя трогает мою дочь", "parenting.suspect_abuse"),
        ("i think someone touches my daughter", "parenting.suspect_abuse"),
        # veiled wording, contractions, translit, Kazakh without its letters
        ("I don't want to wake up tomorrow", "mental.suicidal_thoughts"),
        ("everyone would be better off if i wasn't here", "mental.suicidal_thoughts"),
        ("устала от всего, хочу исчезнуть", "mental.suicidal_thoughts"),
        ("mne kazhetsya vsem budet legche esli menya ne budet", "mental.suicidal_thoughts"),
        ("ертең оянбай қалсам ғой", "mental.suicidal_thoughts"),
        ("озимди олтиргим келеди", "mental.suicidal_thoughts"),
        ("сан жагымды кесип журмин", "mental.self_harm"),
        ("he'll share my nudes unless i pay", "safety.online_strangers"),
        ("бермесең ата-анаңа жазам дейді", "safety.online_strangers"),
        ("мені алып қашып кетті", "safety.early_forced_marriage"),
        # pregnancy emergencies: pregnant now, and bleeding, fainting or strong pain
        ("я беременна, сильное кровотечение", "mother.prenatal_care"),
        ("zhuktimin, basym ainalyp esimnen tanyp kaldym", "mother.prenatal_care"),
        ("8 months pregnant and the baby stopped kicking", "mother.prenatal_care"),
        ("my daughter is pregnant and bleeding heavily", "parenting.daughter_pregnant"),
        # added in session 4: violence to a mother, plans, threats to keep a secret
        ("my stepdad is beating my mum again", "safety.violence_home"),
        ("whats the lethal dose of aspirin", "mental.suicidal_thoughts"),
        ("how long does it take to drown in a river", "mental.suicidal_thoughts"),
        ("какая доза снотворного смертельна", "mental.suicidal_thoughts"),
        ("он сказал что убьет меня если я кому-нибудь расскажу", "safety.violence_home"),
        ("айтсаң өлтіремін деп қорқытты", "safety.violence_home"),
        ("тренер говорит это наш секрет", "safety.sexual_abuse"),
        ("ол маған қол салды, қашып кеттім", "safety.sexual_abuse"),
        ("әкем мені танымайтын жігітке атастырып қойыпты", "safety.early_forced_marriage"),
    ],
)
def test_crisis_is_found(text: str, entry: str) -> None:
    hit = DETECTOR.detect(text)
    assert hit is not None and hit.entry_id == entry


@pytest.mark.parametrize(
    "text",
    [
        "болит живот при месячных", "my period is late", "етеккір кешікті",
        "как перестать бояться экзаменов", "прыщи на лице", "baby has a fever",
        "хочу похудеть к лету", "can i swim on my period", "балам тамақ жемейді",
        # idioms that only sound alarming
        "period pain is killing me", "my parents will kill me if they find out i vape",
        "умираю от скуки", "i'm dying of embarrassment", "была паническая атака, думала что умру",
        "етеккір кешікті, қорқып өлейін деп жүрмін",
        # a small child hitting its parent; pregnancy without danger signs
        "my toddler hits me when he's angry", "сын бьёт меня, когда злится, ему 3 года",
        "балам ашуланса мені ұрады", "could i be pregnant if i had bleeding after sex",
        "я беременна, когда вставать на учет", "heavy bleeding on my period",
        # ordinary questions with words that also occur in crisis phrases
        "не могу больше терпеть боль при месячных", "у сына покраснение на письке, чем мазать",
        "ребенок приходит ночью спать в мою кровать", "дочка трогает себя там, это нормально?",
        "можно ли забеременеть если была кровь после секса", "анализ крови на беременность",
        "парень просит голые фото, что делать", "как безболезненно вставить тампон",
        "соски потрескались до крови при кормлении", "я ещё не рожала, можно ли мне спираль",
        "баламды ұрып тәрбиелеуге бола ма", "шашымды кескім келеді", "тамақтан уланып қалдым ба",
        "жүктілік кезінде қан тапсыру керек пе", "антибиотикті түгел ішіп бітіру керек пе",
        "жүкті болғым келмейді, қандай контрацепция бар", "мен вакцинаға қарсымын",
        "i want to diet before summer", "can a blood test show if i'm pregnant",
        "my toddler crawls into my bed every night", "how do i clean my baby's private parts",
        "my son asks about sexual things", "i scratch my eczema until it bleeds",
        "my friend is passed out drunk and wont wake up", "i want to end things with my boyfriend",
        "my mom is going to kill me, i failed my test", "i want to marry him someday",
        # added in session 4: hyperbole, shaving, skipping class, "when I marry"
        "мама меня убьёт если узнает что я прогуляла", "my dad will kill me if i get a C",
        "i keep cutting myself when i shave my legs", "порезалась когда брила подмышки",
        "сабақтан қашып, сабақты кесіп жүр", "аяғымдағы түкті ұстарамен алсам бола ма",
        "тұрмысқа шыққанда күйеуім біле ме", "жүрегім қатты соғады, қорқамын",
        "тамаққа қол салды", "анам пышақ алып нан турады",
        # added in session 6: bodily pain and shame spoken of as deadly
        "cramps so bad i wanna die lol what pill helps", "this headache is murdering me",
        "месячные просто убивают меня, что выпить", "зуб болит так что хочется сдохнуть",
        "ұяттан өлейін дедім, бәрі көріп қойды", "басым ауырғаннан өлейін деп жатырмын",
        "қолтығымды ұстарамен алып жатып кесіп алдым", "брила ноги, везде мелкие порезы",
        "ішім кескендей ауырады", "я не умру от такой кровопотери при месячных?",
        "кормлю дочку насильно, она плачет", "one line on the test means not pregnant?",
        "қорыққаннан өле жаздадым, презерватив жыртылды",
    ],
)
def test_ordinary_questions_are_not_crises(text: str) -> None:
    assert DETECTOR.detect(text) is None


def test_a_parent_about_her_child_gets_the_parent_topic_about_herself_not() -> None:
    hit = DETECTOR.detect("мою дочь изнасиловали")
    assert hit is not None and hit.entry_id == "parenting.suspect_abuse"
    hit = DETECTOR.detect("меня изнасиловали")
    assert hit is not None and hit.entry_id == "safety.sexual_abuse"
