"""Cross-cutting concerns as aiogram middlewares."""
