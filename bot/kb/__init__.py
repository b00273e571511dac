"""The curated knowledge base: its model, loader and validator (no aiogram here)."""

from bot.kb.loader import KnowledgeBaseError, load_knowledge_base
from bot.kb.model import Category, Entry, KnowledgeBase, Source

__all__ = [
    "Category",
    "Entry",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Source",
    "load_knowledge_base",
]
