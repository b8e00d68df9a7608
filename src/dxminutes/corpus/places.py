"""The gazetteer: the official list of local public bodies, the prefectures, the designated
cities (whose wards are grouped with them) and the words naming national institutions.

`gazetteer()` reads `resources/local_governments.csv` (全国地方公共団体コード: 47 prefectures and
1,741 municipalities with their 6-digit codes) once and answers which names are bodies. A name
that is not in it is never output as a municipality.
"""

from __future__ import annotations

__all__ = ["DESIGNATED_CITIES", "LOCAL_GOVERNMENTS_FILE", "NATIONAL", "NATIONAL_WORDS", "PREFECTURES", "Body", "Gazetteer", "fold_name", "gazetteer"]  # fmt: skip

import csv
import functools
from dataclasses import dataclass

from dxminutes import config

#: The shipped list of local public bodies (two `#` comment lines, then a header).
LOCAL_GOVERNMENTS_FILE = config.RESOURCES_DIR / "local_governments.csv"


@dataclass(frozen=True)
class Body:
    """One local public body of the official list."""

    code: str  # 6-digit 全国地方公共団体コード
    prefecture: str
    name: str
    level: str  # `prefecture` or `municipality`


@dataclass(frozen=True)
class Gazetteer:
    """Every local public body by name; a name may belong to several prefectures (府中市, 伊達市)."""

    bodies: tuple[Body, ...]
    by_name: dict[str, tuple[Body, ...]]  # keyed by `fold_name`
    max_len: int

    def lookup(self, name: str, prefecture: str | None = None) -> tuple[Body, ...]:
        """The bodies called `name` (in `prefecture` when given), spelling variants folded."""
        found = self.by_name.get(fold_name(name), ())
        return tuple(b for b in found if b.prefecture == prefecture) if prefecture else found

    def is_body(self, name: str) -> bool:
        return fold_name(name) in self.by_name


#: Spelling variants of official names: 鎌ヶ谷市/鎌ケ谷市 (the official list itself mixes ヶ and
#: ケ: 六ヶ所村, 龍ケ崎市), 鯵ヶ沢町/鰺ヶ沢町.
_FOLD = str.maketrans({"ヶ": "ケ", "ヵ": "カ", "ｹ": "ケ", "鯵": "鰺"})


def fold_name(name: str) -> str:
    """The key names are compared by: spelling variants folded (`鎌ヶ谷市` = `鎌ケ谷市`)."""
    return name.translate(_FOLD)


@functools.cache
def gazetteer() -> Gazetteer:
    """The official list, read once from `LOCAL_GOVERNMENTS_FILE`."""
    with open(LOCAL_GOVERNMENTS_FILE, encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    bodies = tuple(
        Body(
            code=row["body_code"],
            prefecture=row["prefecture"],
            name=row["name"],
            level="prefecture" if row["name"] == row["prefecture"] else "municipality",
        )
        for row in rows
    )
    by_name: dict[str, list[Body]] = {}
    for body in bodies:
        by_name.setdefault(fold_name(body.name), []).append(body)
    return Gazetteer(
        bodies=bodies,
        by_name={name: tuple(found) for name, found in by_name.items()},
        max_len=max(len(body.name) for body in bodies),
    )


#: The 47 prefectures.
PREFECTURES = (
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
)
#: Designated cities (政令指定都市) and their prefectures; their wards are 区 that are not 特別区.
DESIGNATED_CITIES = {
    "札幌市": "北海道",
    "仙台市": "宮城県",
    "さいたま市": "埼玉県",
    "千葉市": "千葉県",
    "横浜市": "神奈川県",
    "川崎市": "神奈川県",
    "相模原市": "神奈川県",
    "新潟市": "新潟県",
    "静岡市": "静岡県",
    "浜松市": "静岡県",
    "名古屋市": "愛知県",
    "京都市": "京都府",
    "大阪市": "大阪府",
    "堺市": "大阪府",
    "神戸市": "兵庫県",
    "岡山市": "岡山県",
    "広島市": "広島県",
    "北九州市": "福岡県",
    "福岡市": "福岡県",
    "熊本市": "熊本県",
}
#: National institutions: a document whose header names one (and no local body holding the
#: meeting) is the minutes of a national body, grouped as municipality `国`. Ministries (省),
#: national agencies (庁), the Cabinet and the Diet.
NATIONAL_WORDS = (
    "衆議院",
    "参議院",
    "国会",
    "首相官邸",
    "内閣官房",
    "内閣府",
    "内閣総理大臣",
    "内閣",
    "総務省",
    "法務省",
    "外務省",
    "財務省",
    "文部科学省",
    "厚生労働省",
    "農林水産省",
    "経済産業省",
    "国土交通省",
    "環境省",
    "防衛省",
    "デジタル庁",
    "復興庁",
    "金融庁",
    "消費者庁",
    "こども家庭庁",
    "警察庁",
    "文化庁",
    "スポーツ庁",
    "観光庁",
    "気象庁",
    "特許庁",
    "中小企業庁",
    "資源エネルギー庁",
    "林野庁",
    "水産庁",
    "国税庁",
    "消防庁",
    "個人情報保護委員会",
    "公正取引委員会",
    "IT戦略本部",
    "高度情報通信ネットワーク社会推進戦略本部",
    "デジタル社会推進会議",
    "政府",
    "大臣",
    # councils of the national government whose names carry no ministry (Diet-style councils;
    # names that local bodies also use, such as 文化審議会, are left out)
    "情報通信審議会",
    "中央教育審議会",
    "社会保障審議会",
    "地方制度調査会",
    "地方財政審議会",
    "政府税制調査会",
    "規制改革推進会議",
    "経済財政諮問会議",
    "行政改革推進会議",
    "産業構造審議会",
    "交通政策審議会",
    "社会資本整備審議会",
    "中央環境審議会",
    "労働政策審議会",
    "中央社会保険医療協議会",
    "科学技術・学術審議会",
    "法制審議会",
    "電波監理審議会",
    "日本学術会議",
    "デジタル臨時行政調査会",
)
#: The municipality value of national bodies.
NATIONAL = "国"
