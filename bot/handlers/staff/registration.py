"""Invitation links: /start <code> registers a staff member, who sets alias, languages and
specialties."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot import views_staff
from bot.callbacks_staff import StaffSetupCb
from bot.middlewares.staff import IsStaff
from bot.queue.roles import SPECIALTIES
from bot.sites import SITE_PREFIX
from bot.storage.queue_store import Staff
from bot.storage.store import Storage

ALIAS_MAX = 40


def router() -> Router:
    r = Router(name="staff.registration")

    @r.message(CommandStart(deep_link=True))
    async def invitation(message: Message, command: CommandObject, storage: Storage,
                         i18n: I18n) -> None:
        if message.from_user is None or not command.args:
            return
        staff = await storage.redeem_invite(command.args, message.from_user.id,
                                            i18n.current_locale)
        if staff is None:
            if command.args.startswith(SITE_PREFIX):
                raise SkipHandler  # a pilot site's link: the user /start handles it
            await message.answer(_("This link is not valid or has expired."))
            return
        await message.answer(_(
            "Welcome to the team. You are registered as: {role}.\n\nHow should users see "
            "you? Send a display name, e.g. \"Doctor Aigerim\" or just \"Consultant\". Never "
            "your full name or contacts."
        ).format(role=staff.role))

    @r.message(IsStaff(), F.text, lambda m, staff: staff.pending_input == "alias")
    async def alias(message: Message, staff: Staff, storage: Storage) -> None:
        name = " ".join((message.text or "").split())[:ALIAS_MAX]
        if not name or name.startswith("/"):
            await message.answer(_("Please send a short display name."))
            return
        await storage.update_staff(staff.id, alias=name, pending_input=None)
        await message.answer(_("Which languages do you answer in?"),
                             reply_markup=views_staff.setup_keyboard("lang", staff.languages))

    @r.callback_query(IsStaff(), StaffSetupCb.filter())
    async def setup(query: CallbackQuery, callback_data: StaffSetupCb, staff: Staff,
                    storage: Storage) -> None:
        await query.answer()
        if query.message is None:
            return
        if callback_data.kind in ("lang", "spec"):
            field = "languages" if callback_data.kind == "lang" else "specialties"
            options = ("kk", "ru", "en") if callback_data.kind == "lang" else SPECIALTIES
            if callback_data.value not in options:
                return
            current = set(getattr(staff, field))
            current ^= {callback_data.value}
            chosen = tuple(v for v in options if v in current)
            await storage.update_staff(staff.id, **{field: chosen})
            await query.message.edit_reply_markup(
                reply_markup=views_staff.setup_keyboard(callback_data.kind, chosen))
        elif callback_data.value == "lang":
            await query.message.answer(
                _("Your specialties (the queue shows you these first):"),
                reply_markup=views_staff.setup_keyboard("spec", staff.specialties))
        else:
            await query.message.answer(_(
                "All set. /queue shows the questions waiting for you; /duty switches your "
                "duty on and off; /help_staff lists everything."))

    return r
