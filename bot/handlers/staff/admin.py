"""Admins and moderators: invitations, staff list, roles, duty, audit, statistics."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, datetime

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.deep_linking import create_start_link
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_datetime, format_timedelta

from bot import views_staff
from bot.callbacks_staff import StaffAdminCb
from bot.middlewares.staff import IsStaff
from bot.queue.roles import can_invite
from bot.storage.queue_store import Staff
from bot.storage.store import Storage


def router() -> Router:
    r = Router(name="staff.admin")

    @r.message(Command("invite"), IsStaff("admin", "moderator"))
    async def invite(message: Message, command: CommandObject, staff: Staff,
                     storage: Storage, bot: Bot) -> None:
        role = (command.args or "").strip().lower()
        if not can_invite(staff.role, role):
            await message.answer(_("Usage: /invite consultant (admins also: /invite "
                                   "moderator)"))
            return
        code = await storage.create_invite(role, staff.id)
        link = await create_start_link(bot, code)
        await message.answer(_("A single-use invitation for a {role}, valid for 48 hours:\n{link}"
                               ).format(role=role, link=link))

    @r.message(Command("staff"), IsStaff("admin", "moderator"))
    async def staff_list(message: Message, staff: Staff, storage: Storage) -> None:
        everyone = await storage.list_staff()
        keyboard = views_staff.staff_admin_keyboard(everyone) if staff.role == "admin" \
            else None
        await message.answer(views_staff.staff_list(everyone), reply_markup=keyboard)

    @r.callback_query(StaffAdminCb.filter(), IsStaff("admin"))
    async def change(query: CallbackQuery, callback_data: StaffAdminCb, staff: Staff,
                     storage: Storage) -> None:
        target = await storage.staff_by_id(callback_data.id)
        if target is None or target.role == "admin" or callback_data.action not in (
                "revoke", "consultant", "moderator"):
            await query.answer(_("This button has expired."))
            return
        if callback_data.action == "revoke":
            await storage.update_staff(target.id, active=0, on_duty=0, active_ticket=None)
            if target.active_ticket:
                await storage.release(target.active_ticket, None, "revoked")
        else:
            await storage.update_staff(target.id, role=callback_data.action)
        await query.answer(_("Done."))

    @r.message(Command("help_staff"), IsStaff())
    async def help_staff(message: Message) -> None:
        await message.answer(views_staff.staff_help())

    @r.message(Command("duty"), IsStaff())
    async def duty(message: Message, staff: Staff, storage: Storage) -> None:
        await storage.update_staff(staff.id, on_duty=0 if staff.on_duty else 1)
        await message.answer(_("You are now off duty.") if staff.on_duty
                             else _("You are now on duty."))

    @r.message(Command("audit"), IsStaff("admin"))
    async def audit(message: Message, command: CommandObject, storage: Storage,
                    i18n: I18n) -> None:
        number = (command.args or "").strip().lstrip("#")
        if not number.isdigit():
            await message.answer(_("Usage: /audit #number"))
            return
        rows = await storage.audit_log(int(number))
        if not rows:
            await message.answer(_("No such ticket."))
            return
        lines = [_("Audit of #{number}:").format(number=number)]
        for at, staff_id, action, detail in rows:
            when = format_datetime(datetime.fromtimestamp(at, UTC), "short",
                                   locale=i18n.current_locale)
            who = f"staff #{staff_id}" if staff_id else _("system")
            lines.append(f"{when} · {who} · {action}" + (f" · {detail}" if detail else ""))
        await message.answer("\n".join(lines))

    @r.message(Command("stats"), IsStaff("admin", "moderator"))
    async def stats(message: Message, storage: Storage, i18n: I18n) -> None:
        rows = await storage.ticket_rows_for_stats()
        locale = i18n.current_locale
        by_state: dict[str, int] = defaultdict(int)
        first: dict[str, list[float]] = defaultdict(list)
        delivery: dict[str, list[float]] = defaultdict(list)
        by_consultant: dict[str, list[float]] = defaultdict(list)
        ratings: list[int] = []
        for state, lang, consultant, created, first_at, delivered_at, rating in rows:
            by_state[state] += 1
            if first_at:
                first[lang].append(first_at - created)
                by_consultant[f"#{consultant}"].append(first_at - created)
            if delivered_at:
                delivery[lang].append(delivered_at - created)
            if rating:
                ratings.append(int(rating))

        def median(values: list[float]) -> str:
            return format_timedelta(statistics.median(values), locale=locale) if values \
                else "—"

        lines = [_("Tickets by state: {states}").format(
            states=", ".join(f"{k} {v}" for k, v in sorted(by_state.items())) or "—")]
        for lang in sorted(set(first) | set(delivery)):
            lines.append(_("{lang}: median to first answer {first}, to delivery {delivery}"
                           ).format(lang=lang, first=median(first[lang]),
                                    delivery=median(delivery[lang])))
        for consultant, values in sorted(by_consultant.items()):
            lines.append(_("consultant {who}: {count} answered, median {median}").format(
                who=consultant, count=len(values), median=median(values)))
        if ratings:
            lines.append(_("Ratings: {count}, average {average}").format(
                count=len(ratings), average=f"{statistics.mean(ratings):.1f}"))
        await message.answer("\n".join(lines))

    return r
