"""Crisis phrase lists per topic and language (written naturally; normalised at load time).

Each phrase is a sequence of word *beginnings*: "не хоч жит" matches "не хочу жить",
"не хочется больше жить" (up to two words may stand between), "ne hochu zhit" and so on,
because phrases and messages pass through the same normaliser. Alternatives for one word are
separated by "/". Recall matters more than precision here: a false alarm shows helplines to
someone who did not need them; a miss leaves a child in danger without them.
"""

from __future__ import annotations

PARENT_MARKERS = (
    "мой ребен", "моего ребен", "моему ребен", "мою доч", "моя доч", "моей доч", "дочь", "дочк",
    "сын", "сыну", "сына", "ребенк", "ребенок",
    "балам", "баламды", "баламызды", "қызым", "қызымды", "ұлым", "ұлымды", "балаға",
    "my child", "my daughter", "my son", "my kid", "my baby",
)

CRISIS_PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "mental.suicidal_thoughts": {
        "ru": (
            "не хоч/хот жит", "жит не хоч/хот", "нет смысл жит", "незач жит", "покончи с соб",
            "поконч с жизн", "суицид", "самоубий", "убит/убью себ", "хоч/хот умер/умрет",
            "лучш бы я умер", "лучш бы мен не был", "хоч исчезн", "хоч пропаст навсегд",
            "повес/повеш", "спрыгн/прыгн с крыш", "выпрыгн/прыгн из окн", "наглотат таблет",
            "уйти из жизн", "свест счет с жизн", "свед счет с жизн", "не хоч просыпат",
            "всем буд лучш без мен", "не вижу смысл жит", "устал жит", "вскрыт вен",
            "резат вен", "хоч сдохн", "лучше сдохн", "не хоч больш жит",
        ),
        "kk": (
            "өмір сүрг келм", "өмір сүргім келм", "өлгім кел", "өлгім кеп", "өлсем жақс",
            "өзім өлтір", "өзімді өлтір", "суицид", "асылып өл", "асылам", "асылғым",
            "қол жұмса", "жоқ болғ кел", "ғайып болғ", "өмірд мән жоқ", "тірі жүрг келм",
            "оянғ келм", "өмірден кет", "өмірден кеткім", "бәрі мен жоқ болсам", "өлейін",
            "өлгім келіп", "тамырымды кес", "көзім жоғалс",
        ),
        "en": (
            "kill myself", "killing myself", "want to die", "wanna die", "wish i was dead",
            "wish i were dead", "suicid", "end my life", "end it all", "dont want to live",
            "do not want to live", "dont want to be alive", "better off dead",
            "better off without me", "no reason to live", "want to disappear",
            "dont want to wake up", "hang myself", "jump off", "take my own life",
            "tired of living", "dont want to exist", "not want to be here anymore",
        ),
    },
    "mental.self_harm": {
        "ru": (
            "хоч порезат", "тянет порезат",
            "реж себ", "реж рук", "режу рук", "режусь", "порез рук", "порез себ", "резат себ",
            "селфхарм", "селф харм", "причин себ бол", "бью себ", "цапа себ", "царап себ",
            "жг себ", "наношу себ", "порезы на рук", "самоповрежд",
        ),
        "kk": (
            "өзімі кес", "өзімді ұрып",
            "өзім кесем", "өзімді кес", "қолым кес", "қолымды кес", "қолымды тіл", "өзіме зиян",
            "өзімді жарала", "өзімді ұрам", "денемді кес", "өзіме ауырсын",
        ),
        "en": (
            "stop cutting", "urge to cut", "hit myself", "punch myself",
            "cut myself", "cutting myself", "self harm", "selfharm", "hurt myself",
            "hurting myself", "burn myself", "harm myself", "cuts on my arm", "i cut my arm",
            "scratch myself till",
        ),
    },
    "safety.violence_home": {
        "ru": (
            "мен бьет", "мен бьют", "мен изби",
            "бьет мен", "бьют мен", "избива", "изби мен", "отец бьет", "пап бьет", "мам бьет",
            "отчим бьет", "муж бьет", "брат бьет", "подним на мен рук", "насил дом",
            "домашн насил", "угрож убит", "боюс идт домой", "боюс возвращ домой",
            "бьет ремн", "выгна из дом", "душит мен",
        ),
        "kk": (
            "әкем ұрып", "анам ұрып", "шешем ұрып", "ағам ұрып", "күйеуім ұрып",
            "мені ұрад", "мені ұрып", "әкем ұрад", "шешем ұрад", "анам ұрад", "өгей әкем ұрад",
            "күйеуім ұрад", "ағам ұрад", "тепкіле", "үйде зорлық", "тұрмыстық зорлық",
            "үйге барғ қорқа", "үйге қайтуға қорқ", "өлтірем деп қорқыт", "мені соғад",
            "мені сабайд", "сабап", "белбеумен ұр",
        ),
        "en": (
            "hits me", "hit me", "beats me", "beat me up", "beating me", "domestic violence",
            "afraid to go home", "scared to go home", "threaten to kill", "threatens to kill",
            "chokes me", "abusive dad", "abusive father", "abusive mom", "hurts me at home",
        ),
    },
    "safety.sexual_abuse": {
        "ru": (
            "изнасил", "насилу", "домога", "приста ко мне", "трога мен", "трогал мен", "лапа",
            "застав занят сексом", "застав спат", "принуд к секс", "застав раздев",
            "отчим приста", "дяд трога", "совратил", "сексуальн насил", "насильно поцел",
            "трогает за интим", "засовыва рук",
        ),
        "kk": (
            "зорлад", "зорлап", "зорлау", "зорлық жаса", "денем ұста", "денемді ұста",
            "мені ұстай береді", "жыныстық зорлық", "күштеп жақын", "күштеп жатқ",
            "шешінуге мәжбүр", "жыныс мүшем ұста", "ағам ұстай", "нағашым ұстай",
        ),
        "en": (
            "forces me to undress", "made me undress", "makes me take off",
            "raped", "rape", "touches me", "touched me", "touching me", "molest",
            "sexual abuse", "sexually abus", "forced me to have sex", "made me have sex",
            "forced me to", "unwanted touching", "makes me undress", "groped",
        ),
    },
    "safety.early_forced_marriage": {
        "ru": (
            "мен сват", "сватают мен",
            "выда замуж", "выдаю замуж", "насильн замуж", "украл замуж", "украд замуж",
            "похит невест", "похищ невест", "умыкан", "застав выйт замуж", "хот выдат",
            "кыз алып кашу", "алып кашу", "украли невест", "просват мен",
            "замуж в 15", "замуж в 16", "замуж после школ",
        ),
        "kk": (
            "күштеп тұрмыс", "тұрмысқа берг", "тұрмысқа бер", "күйеуге бер", "күйеуге берг",
            "алып қаш", "қыз алып қаш", "ұрлап әкет", "ұрлап кет", "еріксіз тұрмыс",
            "мәжбүрлеп тұрмыс", "айттырып қойд",
        ),
        "en": (
            "kidnapped to be married", "kidnapped me to marry",
            "forced marriage", "marry me off", "force me to marry", "forcing me to marry",
            "bride kidnap", "kidnapped to marry", "kidnap me to marry", "arranged to marry me",
            "make me marry", "making me marry", "want me to marry", "married off",
        ),
    },
    "parenting.suspect_abuse": {
        "ru": (
            "трога доч", "трога сын", "трога ребен", "доч трога", "сын трога", "ребен трога",
            "подозрева насил", "подозрева что ребен", "домога до доч", "домога до ребен",
            "домога до сын", "доч изнасил", "сын изнасил", "ребен изнасил", "ребенк изнасил",
            "растлен", "педофил",
        ),
        "kk": (
            "баламды ұста", "қызымды ұста", "ұлымды ұста", "балама зорлық", "қызыма зорлық",
            "ұлыма зорлық", "баламды зорла", "қызымды зорла", "педофил",
        ),
        "en": (
            "touches my daughter", "touches my son", "touches my child", "touching my daughter",
            "touching my child", "my child was abused", "abusing my child", "abusing my daughter",
            "my daughter was raped", "suspect abuse", "suspect my child", "pedophil", "paedophil",
            "molested my",
        ),
    },
}
