"""The settings object: `.env.example` documents every setting with its default, and the
matcher's own threshold defaults are the settings' (so a matcher built without settings
decides as the bot does)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dotenv import dotenv_values

from bot.config import Settings
from bot.matching.matcher import Thresholds

EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.mark.usefixtures("clean_env")
def test_env_example_lists_every_setting_with_its_default_value() -> None:
    documented = dotenv_values(EXAMPLE)
    assert {key.lower() for key in documented} == set(Settings.model_fields)
    from_example = Settings(_env_file=EXAMPLE)  # type: ignore[call-arg]
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    # The example's relative database path is the default's absolute one, from the project.
    assert from_example.sqlite_path == defaults.sqlite_path
    assert from_example.model_dump(exclude={"database_url"}) == \
        defaults.model_dump(exclude={"database_url"})


@pytest.mark.usefixtures("clean_env")
def test_the_matcher_thresholds_default_to_the_settings() -> None:
    assert Settings(_env_file=None).thresholds() == Thresholds()  # type: ignore[call-arg]
