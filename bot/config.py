"""One settings object, read from the environment and `.env` (see `.env.example`)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot import PROJECT_DIR

LANGUAGES = ("kk", "ru", "en")
OFFICIAL_API_BASE = "https://api.telegram.org"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the key."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=(PROJECT_DIR / ".env", ".env"),
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    bot_token: str = ""
    telegram_api_base: str = OFFICIAL_API_BASE
    database_url: str = f"sqlite:///{PROJECT_DIR / 'data' / 'helpline.sqlite3'}"
    kb_path: Path = PROJECT_DIR / "knowledge_base"
    default_language: Literal["kk", "ru", "en"] = "ru"
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    secret_key: str = ""
    encryption_keys: Annotated[tuple[str, ...], NoDecode] = ()
    retention_days: int = Field(default=90, ge=1)
    mode: Literal["polling", "webhook"] = "polling"
    poll_timeout: int = Field(default=25, ge=0, le=50)
    webhook_url: str = ""  # the public https base URL Telegram posts to (webhook mode)
    webhook_path: str = "/telegram/webhook"
    web_host: str = "0.0.0.0"
    web_port: int = Field(default=8080, ge=0, le=65535)

    # Matching thresholds (chosen on tests/eval/tune.jsonl with tests/eval/crossval.py). Scores
    # run from 0 to 160: 100 fuzzy points plus 60 from the entry model (matcher.MODEL_WEIGHT).
    match_answer_score: float = Field(default=30.0, ge=0, le=100)
    match_answer_margin: float = Field(default=12.0, ge=0, le=100)
    match_clear_margin: float = Field(default=12.0, ge=0, le=100)
    match_offer_score: float = Field(default=16.0, ge=0, le=100)
    match_crisis_score: float = Field(default=70.0, ge=0, le=161)
    match_alarm_score: float = Field(default=60.0, ge=0, le=161)
    # Crisis classifier probability above which a message is a crisis, for a base without the
    # entry model (fewer than 30 entries, or too large; 1.01: classifier off).
    match_crisis_model: float = Field(default=0.8, ge=0, le=1.01)
    # The same, for the harmonic mean of the classifier's and the entry model's crisis
    # probabilities (used instead when the base is large enough for the entry model; 1.01: off).
    match_crisis_joint: float = Field(default=0.4, ge=0, le=1.01)

    # The consultant queue.
    moderation: Literal["all", "new_staff", "off"] = "all"
    claim_lease_minutes: int = Field(default=30, ge=1)
    remind_unclaimed_minutes: int = Field(default=30, ge=1)
    remind_review_minutes: int = Field(default=30, ge=1)
    answer_promise_hours: int = Field(default=24, ge=1)
    care_interval: float = Field(default=60.0, gt=0)  # seconds between queue care rounds

    # Flood limits for users.
    flood_messages: int = Field(default=6, ge=1)
    flood_window_seconds: float = Field(default=60.0, gt=0)
    redis_url: str = ""

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            return tuple(int(p) for p in parts)
        if isinstance(value, int):
            return (value,)
        return value

    @field_validator("encryption_keys", mode="before")
    @classmethod
    def _parse_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(k.strip() for k in value.split(",") if k.strip())
        return value

    @field_validator("kb_path")
    @classmethod
    def _relative_to_project(cls, value: Path) -> Path:
        return value if value.is_absolute() else PROJECT_DIR / value

    @field_validator("telegram_api_base")
    @classmethod
    def _check_api_base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("default_language", "log_level", mode="before")
    @classmethod
    def _strip_case(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @cached_property
    def sqlite_path(self) -> Path:
        url = self.database_url
        for prefix in ("sqlite:///", "sqlite://", ""):
            if url.startswith(prefix) and (prefix or "://" not in url):
                path = Path(url.removeprefix(prefix))
                return path if path.is_absolute() else PROJECT_DIR / path
        raise ConfigError(f"DATABASE_URL: unsupported scheme in {url.split('://')[0]!r}")

    def thresholds(self):  # type: ignore[no-untyped-def]
        from bot.matching.matcher import Thresholds

        return Thresholds(
            answer_score=self.match_answer_score,
            answer_margin=self.match_answer_margin,
            offer_score=self.match_offer_score,
            crisis_score=self.match_crisis_score,
            clear_margin=self.match_clear_margin,
            alarm_score=self.match_alarm_score,
        )

    def fernet_keys(self) -> list[bytes]:
        from bot.privacy import derive_fernet_key

        if self.encryption_keys:
            return [k.encode() for k in self.encryption_keys]
        return [derive_fernet_key(self.secret_key)]

    @property
    def has_token(self) -> bool:
        return bool(self.bot_token.strip())


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning the first validation error into one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]).upper() if err["loc"] else "settings"
        raise ConfigError(f"{key}: {err['msg']}") from None
