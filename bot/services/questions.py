"""From a user's free-text question to a decision, keeping the question for consent."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks import age_lower_bound
from bot.kb.model import Entry
from bot.matching.matcher import Decision, Matcher
from bot.matching.normalize import normalize
from bot.metrics import QUESTIONS
from bot.services.queue import QueueService
from bot.storage.events_store import Event, score_band
from bot.storage.store import Storage, UserProfile

MAX_STORED_QUESTION = 4000


@dataclass(frozen=True, slots=True)
class Outcome:
    decision: Decision
    question_id: int
    lang: str
    entry: Entry | None
    offers: list[Entry]


class QuestionService:
    def __init__(self, storage: Storage, matcher: Matcher, queue: QueueService) -> None:
        self.storage = storage
        self.matcher = matcher
        self.queue = queue

    def answer_language(self, profile: UserProfile, text: str, ui_lang: str) -> str:
        if profile.lang_chosen and profile.lang in ("kk", "ru", "en"):
            return profile.lang
        if len(normalize(text)) < 3:
            return ui_lang
        return self.matcher.detect_language(text)

    async def ask(self, profile: UserProfile, text: str, ui_lang: str) -> Outcome:
        lang = self.answer_language(profile, text, ui_lang)
        if not profile.lang_chosen and lang != profile.lang:
            # She writes in this language: answer and talk in it from now on.
            await self.storage.update_user(profile.pseudonym, lang=lang)
        decision = self.matcher.decide(text, lang=lang, audience=profile.audience)
        QUESTIONS.labels(lang=lang, decision=decision.action).inc()
        topic = decision.entry_id or (decision.candidates[0] if decision.candidates else None)
        await self.storage.record(Event("question", lang, profile.audience, decision.action,
                                        topic, score_band(decision.score), profile.site))
        if decision.action == "crisis":
            await self.storage.record(Event("crisis_shown", lang, profile.audience,
                                            topic=decision.entry_id, site=profile.site))
        kb = self.matcher.kb
        entry = kb.get(decision.entry_id) if decision.entry_id else None
        offers = [kb.entries[c] for c in decision.candidates if c in kb.entries]
        qid = await self.storage.add_pending_question(
            profile.pseudonym,
            text[:MAX_STORED_QUESTION],
            lang,
            decision.entry_id or (decision.candidates[0] if decision.candidates else None),
            decision.action == "crisis",
        )
        if decision.action == "escalate":
            await self.storage.add_gap_question(text[:MAX_STORED_QUESTION], lang, "escalated",
                                                None)
        return Outcome(decision, qid, lang, entry, offers)

    async def not_helpful(self, profile: UserProfile, qid: int, entry_id: str) -> None:
        question = await self.storage.get_pending_question(qid, profile.pseudonym)
        if question is not None:
            await self.storage.add_gap_question(question.text, question.lang, "not_helpful",
                                                entry_id)

    async def alternatives(self, profile: UserProfile, qid: int, exclude: str) -> list[Entry]:
        question = await self.storage.get_pending_question(qid, profile.pseudonym)
        if question is None:
            return []
        age = age_lower_bound(profile.age_band)
        ranked = self.matcher.rank(question.text, profile.audience, limit=8)
        kb = self.matcher.kb
        result = [
            kb.entries[s.entry_id] for s in ranked
            if s.entry_id != exclude and kb.entries[s.entry_id].suits(profile.audience, age)
            and s.score >= self.matcher.thresholds.offer_score - 10
        ]
        return result[:3]

    async def send_to_consultant(self, profile: UserProfile, qid: int) -> tuple[int, bool] | None:
        """Create the ticket (idempotent). Returns (number, urgent) or None if not found."""
        question = await self.storage.get_pending_question(qid, profile.pseudonym)
        if question is None:
            return None
        number, created = await self.queue.create_ticket(
            question, profile.audience, profile.age_band
        )
        if created:
            await self.storage.record(Event("escalated", question.lang, profile.audience,
                                            topic=question.topic_guess, site=profile.site))
        return number, question.crisis
