"""Role vocabulary and speaker-line patterns shared by cleaning.py and segment.py."""
from __future__ import annotations

import re

ROLES = ("chair", "vice_chair", "member", "official", "expert", "unknown")

#: Role words, longest first so that 副委員長 wins over 委員長 and 委員長 over 委員.
ROLE_WORDS: dict[str, str] = {
    "副委員長": "vice_chair", "副本部長": "vice_chair", "副会長": "vice_chair",
    "副議長": "vice_chair", "副座長": "vice_chair", "副部会長": "vice_chair",
    "委員長": "chair", "本部長": "chair", "部会長": "chair", "会長": "chair",
    "議長": "chair", "座長": "chair",
    "委員": "member", "議員": "member", "部員": "member", "構成員": "member",
    "事務局": "official", "課長": "official", "部長": "official", "市長": "official",
    "区長": "official", "理事者": "official",
    "講師": "expert", "代表取締役": "expert", "教授": "expert",
}


def classify_role(label: str) -> str:
    """Return the role of a speaker label (minimal version)."""
    for word in sorted(ROLE_WORDS, key=len, reverse=True):
        if word in label:
            return ROLE_WORDS[word]
    return "unknown"
