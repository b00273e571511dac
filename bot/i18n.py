"""The gettext catalogues in `locales/` (built from this file's location, not the cwd)."""

from __future__ import annotations

from aiogram.utils.i18n import I18n

from bot import PROJECT_DIR

LOCALES_DIR = PROJECT_DIR / "locales"
DOMAIN = "messages"


def build_i18n(default_locale: str = "ru") -> I18n:
    return I18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)
