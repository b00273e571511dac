"""The consultant queue's pure logic: ticket states, roles, policies (no aiogram)."""
