"""A person's family name written before a post in a speaker label: `梶市長` → `梶`.

Minutes often label officials by family name and post (`○村松電子県庁課長`, `○齊藤副区長`,
`【棚橋IT担当大臣】`). Where the name ends cannot be told from the characters alone
(`村松電子県庁課長` vs `電子県庁課長`), so the label is split with janome's dictionary (IPADIC marks
family names as 名詞,固有名詞,人名,姓): a label whose first word is a family name gives that name;
a given name right after it counts too when only the post follows (`山田太郎市長` → `山田太郎`).

A family name that is also a place before its post is the place's post, not a person's:
`石川県知事`, `上田市長`, `吉田町長` name the governor or mayor of 石川県, 上田市, 吉田町 (a body on the
official list), so they are left whole. Labels janome reads as places (`松本市長`) or common
words (`総務部長`) are left whole too.
"""

from __future__ import annotations

import re
from functools import lru_cache

from dxminutes.corpus import roles
from dxminutes.corpus.places import gazetteer

__all__ = ["name_before_post"]

#: A label that ends in a post (`…課長`, `…大臣`, `…座長`).
POST_END_RE = re.compile(rf"(?:{roles.ROLE_WORD_RE.pattern})$")
#: The characters that follow a place's name in a post (`県知事`, `市長`, `区長`, `府知事`).
PLACE_SUFFIXES = "都道府県市町村区"


@lru_cache(maxsize=1)
def _tokenizer():
    from janome.tokenizer import Tokenizer

    return Tokenizer()


def _person_kind(token) -> str:
    """`姓`, `名` or "" for a janome token (名詞,固有名詞,人名,姓 / 名)."""
    parts = token.part_of_speech.split(",")
    return parts[3] if parts[1:3] == ["固有名詞", "人名"] else ""


@lru_cache(maxsize=65536)
def name_before_post(label: str) -> str | None:
    """The person's name at the start of `label` (a label ending in a post), or None."""
    if not POST_END_RE.search(label):
        return None
    tokens = list(_tokenizer().tokenize(label))
    if len(tokens) < 2 or _person_kind(tokens[0]) != "姓":
        return None
    name = tokens[0].surface
    rest = label[len(name) :]
    if rest[:1] in PLACE_SUFFIXES and gazetteer().is_body(name + rest[0]):
        return None
    given = tokens[1].surface
    if _person_kind(tokens[1]) == "名" and roles.ROLE_WORD_RE.fullmatch(rest[len(given) :]):
        name += given
    return name
