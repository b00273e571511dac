"""Three languages are equal: complete catalogues, and no user text that bypasses gettext."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot import PACKAGE_DIR, PROJECT_DIR

LOCALES = PROJECT_DIR / "locales"
LANGS = ("kk", "ru", "en")
SEND_METHODS = {"answer", "send_message", "edit_text", "reply", "edit_message_text",
                "answer_callback_query"}
FIELD = re.compile(r"\{[a-z_]+\}")


def catalog(lang: str):  # type: ignore[no-untyped-def]
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def source_msgids(tmp_path: Path) -> set[str]:
    pot = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
         str(PROJECT_DIR / "babel.cfg"), "-k", "_", "-k", "__", "--no-location", "-o", str(pot),
         str(PROJECT_DIR)],
        check=True, capture_output=True, cwd=PROJECT_DIR,
    )
    with pot.open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_is_complete_and_current(lang: str, tmp_path: Path) -> None:
    cat = catalog(lang)
    messages = [m for m in cat if m.id]
    untranslated = [m.id for m in messages if not m.string]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not untranslated, f"{lang}: untranslated: {untranslated}"
    assert not fuzzy, f"{lang}: fuzzy: {fuzzy}"
    in_code = source_msgids(tmp_path)
    in_catalogue = {m.id for m in messages}  # obsolete entries are kept apart by babel
    assert in_code - in_catalogue == set(), (
        f"{lang}: strings in the code missing from the catalogue (run make extract-messages)"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_their_placeholders(lang: str) -> None:
    for m in catalog(lang):
        if m.id:
            assert sorted(FIELD.findall(m.string)) == sorted(FIELD.findall(m.id)), m.id


def test_translations_really_differ_between_languages() -> None:
    """kk is not a copy of ru (a few shared loanwords like "Спам" are fine), and neither is
    left in English."""
    ru = {m.id: m.string for m in catalog("ru") if m.id}
    kk = {m.id: m.string for m in catalog("kk") if m.id}
    for lang, strings in (("ru", ru), ("kk", kk)):
        english = [i for i, s in strings.items() if s == i and re.search(r"[A-Za-z]{3}", i)]
        assert english == [], lang
    shared = [i for i in ru if ru[i] == kk[i]]
    assert len(shared) <= len(ru) * 0.05, shared


def test_compiled_catalogues_exist_for_every_language() -> None:
    for lang in LANGS:
        assert (LOCALES / lang / "LC_MESSAGES" / "messages.mo").exists(), lang


def _user_facing_literals(path: Path) -> list[str]:
    """String literals with letters passed directly to a send method (not through _())."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr not in SEND_METHODS:
            continue
        args = list(node.args) + [k.value for k in node.keywords if k.arg in ("text",)]
        for arg in args:
            if isinstance(arg, ast.JoinedStr) or (
                isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                and re.search(r"[^\W\d_]", arg.value)
            ):
                found.append(f"{path.name}:{node.lineno}")
    return found


def _bare_returns_in_views(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str) and re.search(r"[^\W\d_]", node.value.value):
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_user_text_bypasses_gettext() -> None:
    files = sorted((PACKAGE_DIR / "handlers").rglob("*.py"))
    offenders = [hit for f in files for hit in _user_facing_literals(f)]
    offenders += _bare_returns_in_views(PACKAGE_DIR / "views.py")
    assert offenders == []


def test_the_scan_catches_a_bare_string(tmp_path: Path) -> None:
    sample = tmp_path / "h.py"
    sample.write_text('async def f(m):\n    await m.answer("Hello there")\n'
                      '    await m.answer(f"{x} items")\n    await m.answer(_("ok"))\n')
    assert _user_facing_literals(sample) == ["h.py:2", "h.py:3"]
