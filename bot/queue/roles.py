"""Staff roles, specialties and what each role may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"
    CONSULTANT = "consultant"


SPECIALTIES = ("gynaecology", "paediatrics", "psychology", "social")
INVITABLE = {Role.ADMIN: (Role.MODERATOR, Role.CONSULTANT),
             Role.MODERATOR: (Role.CONSULTANT,)}
MODERATION_POLICIES = ("all", "new_staff", "off")
NEW_STAFF_APPROVALS = 5  # under "new_staff", answers are reviewed until this many approved


def can_answer(role: str) -> bool:
    return role in (Role.CONSULTANT, Role.MODERATOR, Role.ADMIN)


def can_moderate(role: str) -> bool:
    return role in (Role.MODERATOR, Role.ADMIN)


def can_invite(role: str, invited: str) -> bool:
    try:
        return Role(invited) in INVITABLE.get(Role(role), ())
    except ValueError:
        return False


def needs_review(policy: str, approved_answers: int) -> bool:
    if policy == "off":
        return False
    if policy == "new_staff":
        return approved_answers < NEW_STAFF_APPROVALS
    return True


def specialty_for_topic(topic: str | None) -> str | None:
    """A first guess at who should answer, from the matched topic's group."""
    if not topic:
        return None
    group = topic.split(".")[0]
    return {
        "periods": "gynaecology", "health": "gynaecology", "contraception": "gynaecology",
        "pregnancy": "gynaecology", "sti": "gynaecology", "sex": "gynaecology",
        "puberty": "gynaecology", "mother": "gynaecology",
        "baby": "paediatrics", "child": "paediatrics",
        "mental": "psychology", "relationships": "psychology", "parenting": "psychology",
        "lifestyle": "psychology",
        "safety": "social", "services": "social",
    }.get(group)
