"""A local stand-in of the Telegram Bot API, for tests and the terminal sandbox."""

from bot.standin.server import ApiCall, FakeTelegram, FakeUser

__all__ = ["ApiCall", "FakeTelegram", "FakeUser"]
