"""Understanding a question: normalising, language detection, crisis detection, matching.

Pure Python (rapidfuzz), no aiogram import, so every piece is tested directly.
"""
