"""Application services: what handlers call (storage + matching), no Telegram types."""
