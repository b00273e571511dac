"""Each validation rule of the knowledge base, proven on a broken copy of a valid base."""

from __future__ import annotations

import copy
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.kb import KnowledgeBaseError, load_knowledge_base
from tests.conftest import SMALL_KB

TODAY = date(2026, 11, 22)


def write_base(tmp_path: Path, mutate: Any = None, *, resources: Any = None) -> Path:
    root = tmp_path / "kb"
    root.mkdir()
    shutil.copy(SMALL_KB / "resources.yaml", root / "resources.yaml")
    data = yaml.safe_load((SMALL_KB / "periods.yaml").read_text(encoding="utf-8"))
    if mutate is not None:
        mutate(data)
    (root / "periods.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    if resources is not None:
        (root / "resources.yaml").write_text(resources, encoding="utf-8")
    return root


def line_of(root: Path, entry_id: str, *keys: str) -> int:
    """The line of `keys` (nested, e.g. "questions", "en") inside an entry, found by reading
    the file as text: independent of the loader under test."""
    lines = (root / "periods.yaml").read_text(encoding="utf-8").splitlines()
    entry_id, _, nth = entry_id.partition("#")
    starts = [i for i, line in enumerate(lines) if line.strip() == f"- id: {entry_id}"]
    start = starts[int(nth or 1) - 1]
    number = start
    for key in keys:
        number = next(i for i in range(number + (key != "id"), len(lines))
                      if re.match(rf"^\s*(- )?{re.escape(key)}:", lines[i]))
    return number + 1


def problems(root: Path) -> list[str]:
    _, found = load_knowledge_base(root, today=TODAY, strict=False)
    return [str(p) for p in found if not p.warning]


def entry(data: dict[str, Any], entry_id: str) -> dict[str, Any]:
    return next(e for e in data["entries"] if e["id"] == entry_id)


def test_the_fixture_base_is_clean(tmp_path: Path) -> None:
    assert problems(write_base(tmp_path)) == []


def test_strict_loading_refuses_an_invalid_base(tmp_path: Path) -> None:
    root = write_base(tmp_path, lambda d: entry(d, "periods.pain").pop("sources"))
    with pytest.raises(KnowledgeBaseError) as exc:
        load_knowledge_base(root, today=TODAY)
    assert "periods.pain" in str(exc.value)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            lambda d: entry(d, "periods.pain").update(id="periods.late_missed"),
            "periods.yaml:{line}: periods.late_missed: id: duplicate id (also in periods.yaml)",
            marks=pytest.mark.where('periods.late_missed#2', ('id',)),
            id="duplicate-id",
        ),
        pytest.param(
            lambda d: entry(d, "periods.pain")["questions"]["ru"].append("Задержка  месячных!"),
            "periods.yaml:{line}: periods.pain: questions.ru: duplicate phrasing "
            "'Задержка  месячных!' (also in periods.late_missed)",
            marks=pytest.mark.where('periods.pain', ('questions', 'ru')),
            id="duplicate-phrasing",
        ),
        pytest.param(
            lambda d: entry(d, "periods.pain")["answer"].pop("kk"),
            "periods.yaml:{line}: periods.pain: answer.kk: missing translation",
            marks=pytest.mark.where('periods.pain', ('answer',)),
            id="missing-language",
        ),
        pytest.param(
            lambda d: entry(d, "periods.pain")["answer"].update(en="   "),
            "periods.yaml:{line}: periods.pain: answer.en: empty",
            marks=pytest.mark.where('periods.pain', ('answer', 'en')),
            id="empty-answer",
        ),
        pytest.param(
            lambda d: entry(d, "periods.pain")["answer"].update(en="word " * 900),
            "periods.yaml:{line}: periods.pain: answer.en: longer than Telegram's 4096 characters "
            "(4499) after placeholders",
            marks=pytest.mark.where('periods.pain', ('answer',)),
            id="too-long",
        ),
        pytest.param(
            lambda d: entry(d, "periods.pain")["questions"].update(en=["a", "b", "c"]),
            "periods.yaml:{line}: periods.pain: questions.en: fewer than 5 phrasings (3)",
            marks=pytest.mark.where('periods.pain', ('questions', 'en')),
            id="few-phrasings",
        ),
        pytest.param(
            lambda d: entry(d, "periods.pain").update(sources=[]),
            "periods.yaml:{line}: periods.pain: sources: no source: cite at least one",
            marks=pytest.mark.where('periods.pain', ('sources',)),
            id="no-source",
        ),
        pytest.param(
            lambda d: entry(d, "periods.pain").pop("reviewed"),
            "periods.yaml:{line}: periods.pain: reviewed: missing review date (YYYY-MM-DD)",
            marks=pytest.mark.where('periods.pain', ('id',)),
            id="reviewed-missing",
        ),
        pytest.param(
            lambda d: entry(d, "periods.pain").update(reviewed=date(2027, 1, 1)),
            "periods.yaml:{line}: periods.pain: reviewed: 2027-01-01 is in the future",
            marks=pytest.mark.where('periods.pain', ('reviewed',)),
            id="reviewed-future",
        ),
        pytest.param(
            lambda d: entry(d, "periods.pain").update(related=["periods.nope"]),
            "periods.yaml:{line}: periods.pain: related: unknown id 'periods.nope'",
            marks=pytest.mark.where('periods.pain', ('related',)),
            id="unknown-related",
        ),
        pytest.param(
            lambda d: entry(d, "periods.pain")["answer"].update(
                ru="Позвони {helpline.kids} сейчас."),
            "periods.yaml:{line}: periods.pain: answer.ru: unknown placeholder {helpline.kids}",
            marks=pytest.mark.where('periods.pain', ('answer',)),
            id="unknown-placeholder",
        ),
        pytest.param(
            lambda d: entry(d, "mental.suicidal_thoughts")["answer"].update(
                en="Talk to someone you trust.\n• {service.polyclinic}"),
            "periods.yaml:{line}: mental.suicidal_thoughts: answer.en: crisis answer must include "
            "an {emergency.*} and a {helpline.*} placeholder",
            marks=pytest.mark.where('mental.suicidal_thoughts', ('answer',)),
            id="crisis-without-helpline",
        ),
        pytest.param(
            lambda d: entry(d, "periods.pain")["answer"].update(ru="Звони 112 или 111."),
            "periods.yaml:{line}: periods.pain: answer.ru: service number 111 written directly: "
            "use its placeholder",
            marks=pytest.mark.where('periods.pain', ('answer',)),
            id="hard-coded-number",
        ),
        pytest.param(
            lambda d: entry(d, "periods.pain").update(audience="kids"),
            "periods.yaml:{line}: periods.pain: audience: must be one of teen, parent, all",
            marks=pytest.mark.where('periods.pain', ('audience',)),
            id="bad-audience",
        ),
        pytest.param(
            lambda d: entry(d, "periods.pain").update(answr={"en": "typo"}),
            "periods.yaml:{line}: periods.pain: answr: unknown field",
            marks=pytest.mark.where('periods.pain', ('answr',)),
            id="unknown-field",
        ),
    ],
)
def test_each_rule_reports_file_line_entry_field_and_language(
    tmp_path: Path, mutate: Any, expected: str, request: pytest.FixtureRequest
) -> None:
    entry_id, keys = request.node.get_closest_marker("where").args
    root = write_base(tmp_path, mutate)
    line = line_of(root, entry_id, *keys)
    found = problems(root)
    assert expected.replace("{line}", str(line)) in found, found


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    def break_twice(d: dict[str, Any]) -> None:
        entry(d, "periods.pain").update(sources=[])
        entry(d, "periods.late_missed")["questions"]["kk"] = ["бір"]

    found = problems(write_base(tmp_path, break_twice))
    assert any("periods.pain: sources" in p for p in found)
    assert any("periods.late_missed: questions.kk: fewer than 5" in p for p in found)


def test_unknown_placeholder_in_resources_language_is_reported(tmp_path: Path) -> None:
    text = (SMALL_KB / "resources.yaml").read_text(encoding="utf-8")
    broken = text.replace('    en: "112 — the single emergency number (free, 24/7)"\n', "")
    found = problems(write_base(tmp_path, resources=broken))
    line = broken.splitlines().index("  general:") + 1
    assert f"resources.yaml:{line}: emergency.general.en: missing text for this language" in found


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    root = write_base(tmp_path)
    (root / "broken.yaml").write_text("category: x\nentries: [\n  - id: a\n", encoding="utf-8")
    found = problems(root)
    assert any(p.startswith("broken.yaml:") and "not valid YAML" in p for p in found), found


def test_placeholders_are_resolved_in_the_answer_language(tmp_path: Path) -> None:
    kb, _ = load_knowledge_base(write_base(tmp_path), today=TODAY)
    crisis = kb.entries["mental.suicidal_thoughts"]
    assert "{" not in crisis.answer["kk"]
    assert kb.resources["emergency.general"]["kk"] in crisis.answer["kk"]
    assert kb.resources["helpline.family"]["en"] in crisis.answer["en"]


def test_drafts_are_not_loaded(tmp_path: Path) -> None:
    root = write_base(tmp_path)
    (root / "drafts").mkdir()
    (root / "drafts" / "new.yaml").write_text("category: broken\n", encoding="utf-8")
    kb, found = load_knowledge_base(root, today=TODAY)
    assert len(kb) == 3 and not [p for p in found if not p.warning]


def test_answer_length_outside_editorial_range_is_a_warning(tmp_path: Path) -> None:
    root = write_base(tmp_path)
    _, found = load_knowledge_base(root, today=TODAY, strict=False)
    warnings = [str(p) for p in found if p.warning]
    line = line_of(root, "periods.pain", "answer")
    assert f"periods.yaml:{line}: periods.pain: answer.ru: warning: 19 words, outside the " \
           "editorial range 80-250" in warnings


def test_copy_does_not_alias(tmp_path: Path) -> None:
    data = yaml.safe_load((SMALL_KB / "periods.yaml").read_text(encoding="utf-8"))
    assert copy.deepcopy(data) == data


def write_examples(root: Path, lang: str, text: str) -> Path:
    folder = root / "examples"
    folder.mkdir(exist_ok=True)
    path = folder / f"{lang}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_user_style_examples_are_loaded_under_their_entry(tmp_path: Path) -> None:
    root = write_base(tmp_path)
    write_examples(root, "ru", 'periods.pain:\n  - "болит живот при мес((("\n')
    write_examples(root, "kk", 'periods.pain:\n  - "etekkir kezinde ishim auyrady"\n')
    kb, found = load_knowledge_base(root, today=TODAY)
    assert [str(p) for p in found if not p.warning] == []
    assert sorted(kb.examples["periods.pain"]) == ["etekkir kezinde ishim auyrady",
                                                  "болит живот при мес((("]


def test_out_of_scope_examples_are_loaded_apart_from_the_entries(tmp_path: Path) -> None:
    root = write_base(tmp_path)
    write_examples(root, "ru", 'periods.pain:\n  - "болит живот"\nout_of_scope:\n'
                               '  - "у бабушки давление 180"\n')
    write_examples(root, "en", 'out_of_scope:\n  - "fix my cracked phone screen"\n')
    kb, found = load_knowledge_base(root, today=TODAY)
    assert [str(p) for p in found if not p.warning] == []
    assert sorted(kb.out_of_scope) == ["fix my cracked phone screen", "у бабушки давление 180"]
    assert "out_of_scope" not in kb.examples


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        pytest.param("ru.yaml", 'periods.pain:\n  - "ok"\nperiods.unknown:\n  - "что это"\n',
                     "ru.yaml:3: periods.unknown: examples.ru: unknown entry id", id="unknown-id"),
        pytest.param("en.yaml", "periods.pain: just one string\n",
                     "en.yaml:1: periods.pain: examples.en: must be a list of questions "
                     "(text, 1-1000 characters)", id="not-a-list"),
        pytest.param("en.yaml", 'periods.pain:\n  - ""\n',
                     "en.yaml:1: periods.pain: examples.en: must be a list of questions "
                     "(text, 1-1000 characters)", id="empty-question"),
        pytest.param("kk.yaml", "out_of_scope: [1, 2]\n",
                     "kk.yaml:1: out_of_scope: examples.kk: must be a list of questions "
                     "(text, 1-1000 characters)", id="out-of-scope-not-text"),
        pytest.param("de.yaml", 'periods.pain:\n  - "Regelschmerzen"\n',
                     "de.yaml: examples files are named after a language: kk.yaml, ru.yaml, "
                     "en.yaml", id="unknown-language"),
    ],
)
def test_bad_examples_are_reported_with_file_line_and_entry(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    root = write_base(tmp_path)
    write_examples(root, name.removesuffix(".yaml"), text)
    assert problems(root) == [expected]
