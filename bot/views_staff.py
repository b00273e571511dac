"""What staff see. A ticket is shown as number, language, audience, age band, topic guess,
waiting time and text: never a name, username, id, photo or link to the user."""

from __future__ import annotations

import time

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.dates import format_timedelta

from bot.callbacks_staff import (
    KbPickCb,
    RejectCb,
    StaffAdminCb,
    StaffSetupCb,
    TicketCb,
    TransferCb,
    UserTicketCb,
)
from bot.kb.model import KnowledgeBase
from bot.queue.roles import SPECIALTIES
from bot.storage.queue_store import Staff, TicketView

LANGS = ("kk", "ru", "en")


def waiting(created_at: float, locale: str) -> str:
    return format_timedelta(time.time() - created_at, locale=locale, threshold=1.1)


def ticket_card(ticket: TicketView, kb: KnowledgeBase, locale: str) -> str:
    topic = kb.entries[ticket.topic_guess].title[locale] if ticket.topic_guess in kb.entries \
        else "—"
    audience = {"teen": _("teen"), "parent": _("parent")}.get(ticket.audience or "", "—")
    header = _("#{number} · {lang} · {audience} · age {age} · topic: {topic} · waiting {wait}"
               ).format(number=ticket.id, lang=ticket.lang, audience=audience,
                        age=ticket.age_band or "—", topic=topic,
                        wait=waiting(ticket.created_at, locale))
    if ticket.priority == "urgent":
        header = _("URGENT") + " " + header
    lines = [header, ""]
    for author, text in ticket.messages:
        label = {"user": _("Question"), "consultant": _("Answer"),
                 "note": _("Internal note"), "question": _("Clarifying question")}[author]
        lines.append(f"{label}: {text}")
    return "\n".join(lines)


def claim_keyboard(ticket_id: int, moderator: bool = False) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Claim"), callback_data=TicketCb(action="claim", id=ticket_id))
    if moderator:
        builder.button(text=_("Reject"), callback_data=TicketCb(action="reject", id=ticket_id))
    return builder.as_markup()


def work_keyboard(ticket_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for action, label in (("kb", _("Start from a KB answer")), ("note", _("Internal note")),
                          ("ask", _("Ask the user")), ("transfer", _("Transfer")),
                          ("release", _("Release"))):
        builder.button(text=label, callback_data=TicketCb(action=action, id=ticket_id))
    builder.adjust(1, 2, 2)
    return builder.as_markup()


def claimed_text(minutes: int) -> str:
    return _("You hold this ticket for {minutes} minutes. Reply to this message with your "
             "answer (or just send it now); you can send it again to change it before "
             "submitting.").format(minutes=minutes)


def staff_help() -> str:
    return _(
        "Staff commands:\n"
        "/queue: questions waiting for you (urgent first)\n"
        "/review: drafts waiting for a moderator\n"
        "/duty: switch your duty on or off\n"
        "/invite consultant|moderator: a single-use invitation link\n"
        "/staff: the team, roles and revocation\n"
        "/audit #number: every staff action on a ticket (admins)\n"
        "/stats: queue figures and response times"
    ) + "\n" + _(
        "/promote #number: turn a delivered answer into a draft knowledge-base entry "
        "(moderators)\n"
        "/site add <name>, /site: pilot sites, their links and QR codes (admins)"
    ) + "\n" + _("/report [days]: impact summary with a chart, the last 30 days by default "
                 "(admins)")


def draft_preview(ticket_id: int, text: str, kind: str) -> str:
    label = _("Clarifying question") if kind == "question" else _("Answer")
    return _("Draft for #{number} ({kind}):").format(number=ticket_id, kind=label) \
        + f"\n\n{text}"


def draft_keyboard(ticket_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Submit"), callback_data=TicketCb(action="submit", id=ticket_id))
    builder.button(text=_("Release"), callback_data=TicketCb(action="release", id=ticket_id))
    return builder.as_markup()


def review_keyboard(ticket_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for action, label in (("approve", _("Approve")), ("edit", _("Edit")),
                          ("return", _("Return")), ("reject", _("Reject"))):
        builder.button(text=label, callback_data=TicketCb(action=action, id=ticket_id))
    builder.adjust(2, 2)
    return builder.as_markup()


def reject_keyboard(ticket_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for reason, label in (("spam", _("Spam")), ("abuse", _("Abuse")), ("other", _("Other"))):
        builder.button(text=label, callback_data=RejectCb(id=ticket_id, reason=reason,
                                                          block=False))
    builder.button(text=_("Abuse, and block this user"),
                   callback_data=RejectCb(id=ticket_id, reason="abuse", block=True))
    builder.adjust(3, 1)
    return builder.as_markup()


def transfer_keyboard(ticket_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for specialty in SPECIALTIES:
        builder.button(text=specialty_name(specialty),
                       callback_data=TransferCb(id=ticket_id, specialty=specialty))
    builder.adjust(2)
    return builder.as_markup()


def kb_keyboard(ticket_id: int, entries: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for entry_id, title in entries:
        builder.button(text=title, callback_data=KbPickCb(id=ticket_id, entry=entry_id))
    builder.adjust(1)
    return builder.as_markup()


def specialty_name(specialty: str) -> str:
    return {"gynaecology": _("Gynaecology"), "paediatrics": _("Paediatrics"),
            "psychology": _("Psychology"), "social": _("Social and legal")}[specialty]


def setup_keyboard(kind: str, chosen: tuple[str, ...]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    options = LANGS if kind == "lang" else SPECIALTIES
    for value in options:
        label = value if kind == "lang" else specialty_name(value)
        mark = "✓ " if value in chosen else ""
        builder.button(text=f"{mark}{label}", callback_data=StaffSetupCb(kind=kind, value=value))
    builder.button(text=_("Done"), callback_data=StaffSetupCb(kind="done", value=kind))
    builder.adjust(3 if kind == "lang" else 2, 1)
    return builder.as_markup()


def staff_list(staff: list[Staff]) -> str:
    lines = [_("Staff:")]
    for s in staff:
        state = _("active") if s.active else _("revoked")
        duty = _("on duty") if s.on_duty else _("off duty")
        lines.append(f"#{s.id} {s.display} · {s.role} · {','.join(s.languages) or '—'} · "
                     f"{','.join(s.specialties) or '—'} · {duty} · {state}")
    return "\n".join(lines)


def staff_admin_keyboard(staff: list[Staff]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for s in staff:
        if s.role == "admin" or not s.active:
            continue
        other = "moderator" if s.role == "consultant" else "consultant"
        builder.button(text=_("#{number}: make {role}").format(number=s.id, role=other),
                       callback_data=StaffAdminCb(action=other, id=s.id))
        builder.button(text=_("#{number}: revoke").format(number=s.id),
                       callback_data=StaffAdminCb(action="revoke", id=s.id))
    builder.adjust(2)
    return builder.as_markup()


def delivered_keyboard(ticket_id: int, locale: str) -> list[list[dict[str, str]]]:
    """Buttons under a delivered answer, as outbox JSON (rendered in the user's language)."""
    return [
        [{"text": _("Thank you", locale=locale),
          "data": UserTicketCb(action="thanks", id=ticket_id).pack()}],
        [{"text": _("Ask a follow-up", locale=locale),
          "data": UserTicketCb(action="followup", id=ticket_id).pack()},
         {"text": _("Close", locale=locale),
          "data": UserTicketCb(action="close", id=ticket_id).pack()}],
    ]


def rating_keyboard(ticket_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for value in range(1, 6):
        builder.button(text="★" * value,
                       callback_data=UserTicketCb(action="rate", id=ticket_id, value=value))
    builder.adjust(5)
    return builder.as_markup()


def delivered_text(ticket_id: int, alias: str, locale: str, kind: str) -> str:
    if kind == "question":
        head = _("The consultant has a question about your message #{number}:",
                 locale=locale)
    else:
        head = _("A reply to your question #{number}:", locale=locale)
    # The draft is put in by the storage layer inside the approving transaction.
    return head.format(number=ticket_id) + "\n\n\x00DRAFT\x00\n\n— " + alias
