"""Admins: pilot sites (`/site add <name>`, `/site list`): a link and a QR code per site.

A user who opens a site's link is counted in that site's cohort: only the site's code is
stored in the profile, never anything about who arrived."""

from __future__ import annotations

import asyncio
import html

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.deep_linking import create_start_link
from aiogram.utils.i18n import gettext as _

from bot.middlewares.staff import IsStaff
from bot.sites import NAME_MAX, clean_name, qr_png, site_payload
from bot.storage.store import Storage
from bot.textsplit import split_text

SMALL_COUNT = 5  # fewer users than this are shown as "<5"


def shown_count(count: int) -> str:
    return f"<{SMALL_COUNT}" if 0 < count < SMALL_COUNT else str(count)


def router() -> Router:
    r = Router(name="staff.sites")

    @r.message(Command("site"), IsStaff("admin"))
    async def site(message: Message, command: CommandObject, storage: Storage,
                   bot: Bot) -> None:
        action, _sep, rest = (command.args or "").strip().partition(" ")
        action = action.lower()
        if action == "add":
            name = clean_name(rest)
            if not name:
                await message.answer(_("Usage: /site add <name>, e.g. /site add School 25 "
                                       "(at most {limit} characters)").format(limit=NAME_MAX))
                return
            code = await storage.create_site(name)
            link = await create_start_link(bot, site_payload(code))
            png = await asyncio.to_thread(qr_png, link)
            caption = _("Site <b>{name}</b> added. Users who open this link (or scan the QR "
                        "code) are counted for this site; nothing else about them is kept:\n"
                        "{link}").format(name=html.escape(name), link=html.escape(link))
            await message.answer_photo(BufferedInputFile(png, filename=f"site-{code}.png"),
                                       caption=caption, parse_mode="HTML")
            return
        if action not in ("", "list"):
            await message.answer(_("Usage: /site add <name>, or /site list"))
            return
        sites = await storage.sites()
        if not sites:
            await message.answer(_("No sites yet. Add one with /site add <name>."))
            return
        counts = await storage.site_user_counts()
        blocks = [html.escape(_("Sites (users who came through each link; fewer than 5 "
                                "shown as \"<5\"):"))]
        for code, name in sites.items():
            link = await create_start_link(bot, site_payload(code))
            blocks.append(_("<b>{name}</b> · users: {count}\n{link}").format(
                name=html.escape(name), count=html.escape(shown_count(counts.get(code, 0))),
                link=html.escape(link)))
        for part in split_text("\n\n".join(blocks)):
            await message.answer(part, parse_mode="HTML")

    return r
