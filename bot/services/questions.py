"""From a user's free-text question to a decision, keeping the question for consent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.callbacks import age_lower_bound
from bot.kb.model import Entry
from bot.matching.matcher import Decision, Matcher
from bot.matching.normalize import normalize
from bot.matching.smalltalk import small_talk
from bot.metrics import QUESTIONS
from bot.services.queue import QueueService
from bot.storage.events_store import Event, score_band
from bot.storage.store import PendingQuestion, Storage, UserProfile

MAX_STORED_QUESTION = 4000


@dataclass(frozen=True, slots=True)
class Outcome:
    decision: Decision
    question_id: int
    lang: str
    entry: Entry | None
    offers: list[Entry]
    small_talk: str | None = None  # thanks | goodbye | greeting | ok, for a reply in kind


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

    def is_crisis(self, text: str) -> bool:
        """What the crisis detector says, except for plain thanks or a goodbye (which go on to
        a consultant she is talking to, as any follow-up does)."""
        return small_talk(text) is None and self.matcher.detect_crisis(text) is not None

    async def ask(self, profile: UserProfile, text: str, ui_lang: str) -> Outcome:
        kind = small_talk(text)
        if kind is not None:
            # "Thanks", "hi", "bye": not a question. Nothing to store, count or hand over, and
            # too short to say which language she prefers: the reply keeps the current one.
            QUESTIONS.labels(lang=ui_lang, decision="smalltalk").inc()
            return Outcome(Decision("smalltalk", None, (), ui_lang, 0.0), 0, ui_lang, None, [],
                           small_talk=kind)
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

    def _close_topics(self, profile: UserProfile, text: str, keep: Callable[[Entry], bool],
                      limit: int, window: float | None = None) -> list[Entry]:
        """Up to 3 topics close to the text that suit her and that `keep` accepts; with a
        `window`, only those within it of the best of them."""
        age = age_lower_bound(profile.age_band)
        ranked = self.matcher.rank(text, profile.audience, limit=limit)
        kb = self.matcher.kb
        result = [
            s for s in ranked
            if keep(kb.entries[s.entry_id]) and kb.entries[s.entry_id].suits(profile.audience, age)
            and s.score >= self.matcher.thresholds.offer_score - 10
        ]
        if window is not None and result:
            result = [s for s in result if s.score >= result[0].score - window]
        return [kb.entries[s.entry_id] for s in result[:3]]

    async def alternatives(self, profile: UserProfile, qid: int, exclude: str) -> list[Entry]:
        question = await self.storage.get_pending_question(qid, profile.pseudonym)
        if question is None:
            return []
        return self._close_topics(profile, question.text, lambda e: e.id != exclude, limit=8)

    async def not_crisis(self, profile: UserProfile, qid: int, entry_id: str
                         ) -> tuple[PendingQuestion, list[Entry]] | None:
        """She says the crisis answer was not what she asked: keep the question for the
        operators (without any link to her) and give the closest topics that are not crisis
        topics. None if the question is not hers, is gone, or was not shown this crisis entry.
        """
        question = await self.storage.get_pending_question(qid, profile.pseudonym)
        if question is None or not question.crisis or question.topic_guess != entry_id:
            return None
        await self.storage.add_gap_question(question.text, question.lang, "not_crisis", entry_id)
        await self.storage.record(Event("crisis_declined", question.lang, profile.audience,
                                        topic=entry_id, site=profile.site))
        # A clear best topic ("period cramps so bad i want to kill myself, what helps") is
        # offered alone; only topics about as close as it come with it.
        topics = self._close_topics(profile, question.text, lambda e: not e.crisis,
                                    limit=len(self.matcher.kb.entries),
                                    window=self.matcher.thresholds.offer_window)
        return question, topics

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
