"""Pilot sites: an admin creates site links, users arrive through them, and each site's
cohort is counted (only the site's code is kept)."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from bot.sites import site_code
from bot.standin import ApiCall, FakeTelegram, FakeUser
from bot.standin.server import BOT_USER
from tests.chat import Chat
from tests.test_e2e_queue import db, eventually, invite_link
from tests.test_e2e_user_flows import t

ADMIN_ID = 7_000_222
LINK_START = f"https://t.me/{BOT_USER['username']}?start=s_"
KNOWN_QUESTION = "задержка месячных"


async def add_site(standin: FakeTelegram, admin: FakeUser, name: str) -> ApiCall:
    start = len(standin.calls)
    admin.send(f"/site add {name}")
    return await standin.wait_for(
        lambda c: c.method == "sendPhoto" and c.chat_id == admin.id, start=start)


def link_of(call: ApiCall) -> str:
    return next(word for word in call.text.split() if word.startswith(LINK_START))


async def arrive_and_ask(standin: FakeTelegram, name: str, start_text: str) -> Chat:
    chat = Chat(standin, standin.user(name, language_code="ru"))
    welcome, _language = await chat.send(start_text, expect=2)
    assert "112" in welcome.text  # the ordinary welcome, with the emergency number
    await chat.send(KNOWN_QUESTION)
    return chat


async def test_site_links_count_their_users(start_bot: Any, standin: FakeTelegram) -> None:
    bot = await start_bot(admin_ids=(ADMIN_ID,))
    admin = standin.user("Boss", id=ADMIN_ID, language_code="en")

    school = await add_site(standin, admin, "School <b>25</b> & Co")
    assert school.params["parse_mode"] == "HTML"
    assert "School &lt;b&gt;25&lt;/b&gt; &amp; Co" in school.text  # the name is escaped
    filename, png = school.params["_upload"]
    assert filename.endswith(".png") and png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    assert image.width >= 250 and image.width == image.height  # printable, square QR
    colours = image.convert("L").getcolors()
    assert colours is not None and {c for _n, c in colours} == {0, 255}  # black on white
    college = await add_site(standin, admin, "College " + "x" * 200)
    assert "College xxx" in college.text
    assert [len(n) for (n,) in db(bot, "SELECT name FROM sites ORDER BY created_at")] == \
        [len("School <b>25</b> & Co"), 60]  # names are length-limited
    school_link, college_link = link_of(school), link_of(college)
    school_code = site_code(school_link.split("start=")[1])
    college_code = site_code(college_link.split("start=")[1])
    assert school_code and college_code and school_code != college_code

    for i in range(6):
        await arrive_and_ask(standin, f"Pupil{i}", f"/start s_{school_code}")
    for i in range(2):
        await arrive_and_ask(standin, f"Student{i}", f"/start s_{college_code}")
    for i in range(3):
        await arrive_and_ask(standin, f"Other{i}", "/start")
    # An unknown or malformed site code: the ordinary welcome, no error, no cohort.
    await arrive_and_ask(standin, "Stray", "/start s_deadbeef")
    await arrive_and_ask(standin, "Odd", "/start s_not-a-code")
    # A pupil who later opens the college's link stays in the school's cohort.
    pupil = Chat(standin, standin.user("Pupil0b", language_code="ru"))
    await pupil.send(f"/start s_{school_code}", expect=2)
    await pupil.send(f"/start s_{college_code}", expect=2)

    assert dict(db(bot, "SELECT site, COUNT(*) FROM users WHERE site IS NOT NULL"
                        " GROUP BY site")) == {school_code: 7, college_code: 2}
    await eventually(bot, "SELECT site, SUM(count) FROM daily_counts WHERE kind = 'question'"
                          " GROUP BY site ORDER BY site", (),
                     sorted([("", 5), (school_code, 6), (college_code, 2)]))
    # Only the code is kept: the sites table holds no user, the users table no name.
    assert db(bot, "SELECT COUNT(*) FROM sites") == [(2,)]

    admin_chat = Chat(standin, admin)
    (listing,) = await admin_chat.send("/site list")
    assert listing.params["parse_mode"] == "HTML"
    assert t("en", "<b>{name}</b> · users: {count}\n{link}").format(
        name="School &lt;b&gt;25&lt;/b&gt; &amp; Co", count=7, link=school_link) in listing.text
    assert "&lt;5" in listing.text.split("College")[1]  # 2 users: suppressed
    assert school_link in listing.text and college_link in listing.text
    (same,) = await admin_chat.send("/site")
    assert same.text == listing.text


async def test_only_admins_manage_sites_and_invitations_still_work(
        start_bot: Any, standin: FakeTelegram) -> None:
    bot = await start_bot(admin_ids=(ADMIN_ID,))
    intruder = Chat(standin, standin.user("Intruder", language_code="en"))
    (reply,) = await intruder.send("/site add Fake school")
    assert reply.text == t("en", "I don't know this command. Send /help to see what I can "
                                 "do.")
    assert db(bot, "SELECT COUNT(*) FROM sites") == [(0,)]

    admin = Chat(standin, standin.user("Boss", id=ADMIN_ID, language_code="en"))
    (empty,) = await admin.send("/site")
    assert empty.text == t("en", "No sites yet. Add one with /site add <name>.")
    (usage,) = await admin.send("/site add")
    assert usage.text.startswith("Usage: /site add")
    # A staff invitation link is still an invitation, not a site.
    code = (await invite_link(admin, "consultant")).split("start=")[1]
    newcomer = Chat(standin, standin.user("Dana", language_code="en"))
    (welcome,) = await newcomer.send(f"/start {code}")
    assert welcome.text.startswith(t("en", "Welcome to the team. You are registered as: "
                                           "{role}.\n\nHow should users see you? Send a "
                                           "display name, e.g. \"Doctor Aigerim\" or just "
                                           "\"Consultant\". Never your full name or "
                                           "contacts.").split("{role}")[0])
    assert db(bot, "SELECT role FROM staff WHERE tg_id = ?", (newcomer.user.id,)) == \
        [("consultant",)]
