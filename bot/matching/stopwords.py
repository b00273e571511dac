"""Very common words of the three languages (in natural spelling; normalised at load).

They carry no topic, so the token-overlap signal ignores them.
"""

from __future__ import annotations

STOPWORDS = {
    "ru": (
        "а и или но что чтобы как так это эта этот тот та то же ли бы не ни да нет у в во на к ко"
        " с со о об от до по за из под над при для без про я ты он она мы вы они мне меня мной"
        " тебе тебя ему ей нам вам им мой моя мое мои твой твоя мне себе его ее их вот там тут"
        " уже еще очень можно нужно надо если когда где почему зачем какой какая какие кто чем"
        " был была было были есть быть будет буду всё все весь всего просто только даже"
        " пожалуйста привет здравствуйте помогите подскажите скажите вопрос"
        " разница отличие между без нормально норм ли ок окей вообще ещё еще уже всегда"
        " иногда часто очень сильно много мало какие каких какой что-то кто-то чего"
        " делать сделать знать понять быть бывает это ли нужно надо стоит хочу могу"
    ),
    "kk": (
        "және мен сен сіз ол біз сендер олар менің сенің сіздің оның біздің мені сені оны маған"
        " саған оған бұл осы сол ана мына не неге қалай қашан қайда кім қандай ма ме ба бе па пе"
        " ғой да де та те ғана дейін үшін бар жоқ еді екен болады бола ма ше иә жоқ ия өте тым"
        " сәлем сәлеметсіз бе көмектесіңізші айтыңызшы сұрақ деген деп"
        " айырмашылығы арасында қалыпты нормально ма ме ба бе бола болады болама дұрыс"
        " жиі кейде өте қатты көп аз не істеу істеймін білу керек пе қандай"
    ),
    "en": (
        "a an the and or but if so is are am was were be been being i me my mine you your he she"
        " it its we our they their them this that these those what how why when where who which"
        " do does did doing to of in on at by for with about from into up down out can could"
        " should would will just very really please hi hello help question have has had im"
        " there here not no yes"
        " difference between without normal okay ok still even ways way much many lot"
        " get make know need want like some any something thing things"
    ),
}
