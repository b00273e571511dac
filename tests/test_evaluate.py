"""`python -m bot eval` counts what a user would notice: a crisis screen instead of the right
answer is a false alarm; helplines shown together with the right answer are not."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.matching.evaluate import evaluate
from bot.matching.matcher import Decision


@dataclass
class _Entry:
    crisis: bool


@dataclass
class _Base:
    entries: dict[str, _Entry] = field(default_factory=lambda: {
        "safety.online_strangers": _Entry(crisis=False),
        "safety.violence_home": _Entry(crisis=True),
        "periods.pain": _Entry(crisis=False),
    })

    def get(self, entry_id: str) -> _Entry | None:
        return self.entries.get(entry_id)


class _Matcher:
    """Answers each text with a fixed decision."""

    def __init__(self, decisions: dict[str, Decision]) -> None:
        self.kb = _Base()
        self.decisions = decisions

    def decide(self, text: str, *, audience: str | None = None) -> Decision:
        return self.decisions[text]


def _item(text: str, kind: str, expected: str | None) -> dict[str, object]:
    return {"id": text, "text": text, "lang": "en", "kind": kind, "expected": expected}


def test_false_alarms_are_crisis_screens_instead_of_the_right_answer() -> None:
    matcher = _Matcher({
        "he will post my pics": Decision("crisis", "safety.online_strangers", (), "en", 100),
        "my period cramps kill me": Decision("crisis", "safety.violence_home", (), "en", 100),
        "my grandma's blood pressure": Decision("crisis", "safety.violence_home", (), "en", 100),
        "my dad hits me": Decision("crisis", "safety.violence_home", (), "en", 100),
    })
    stats = evaluate(matcher, [  # type: ignore[arg-type]
        _item("he will post my pics", "in_scope", "safety.online_strangers"),
        _item("my period cramps kill me", "in_scope", "periods.pain"),
        _item("my grandma's blood pressure", "out_of_scope", None),
        _item("my dad hits me", "crisis", "safety.violence_home"),
    ])["en"]
    assert (stats.in_scope, stats.top1, stats.wrong) == (2, 1, 1)
    assert stats.false_alarm == 2  # the cramps and the grandmother, not the sextortion
    assert (stats.crisis, stats.crisis_found) == (1, 1)
    assert stats.rates()["crisis_false_alarm"] == 2 / 3
