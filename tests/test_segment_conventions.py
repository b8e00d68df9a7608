"""Known-answer tests of the speaker conventions of Japanese minutes at large.

Each case is a small text built for the test with its answer written out: the turns' speakers,
roles and texts. Every case goes through `clean` and `segment`, as a loaded file does.
"""

from __future__ import annotations

import pytest

from dxminutes.corpus import roles
from dxminutes.corpus.cleaning import clean, split_inline_paragraphs
from dxminutes.corpus.segment import segment


def seg(text: str):
    return segment(clean(text).text)


def turns_of(text: str):
    return seg(text).turns


def triples(text: str) -> list[tuple[str, str, str]]:
    turns = turns_of(text)
    return list(zip(turns["speaker"], turns["role"], turns["text"]))


# --- assembly minutes as minutes systems publish them -------------------------------------


@pytest.mark.parametrize(
    ("line", "speaker", "role"),
    [
        ("○議長（山田太郎君）　ただいまから会議を開きます。", "山田太郎", "chair"),
        ("○山田太郎君　質問いたします。", "山田太郎", "member"),
        ("◆5番（鈴木一郎 君）　質問いたします。", "鈴木一郎", "member"),
        ("◎総務部長（佐藤次郎君）　お答えいたします。", "佐藤次郎", "official"),
        ("○山田太郎 委員長　ただいまから委員会を開きます。", "山田太郎", "chair"),
        ("◎佐藤 情報政策課長　御説明いたします。", "佐藤", "official"),
        ("○(山田太郎委員長)　ただいまから委員会を開きます。", "山田太郎", "chair"),
        ("○田中(一)委員　質問します。", "田中(一)", "member"),
        ("△議長(山田太郎君) 休憩します。", "山田太郎", "chair"),
        ("◇山田委員 質問します。", "山田", "member"),
        ("□総務部長(佐藤次郎君) お答えします。", "佐藤次郎", "official"),
        ("委員長（山田太郎君）　ただいまから委員会を開きます。", "山田太郎", "chair"),
        ("◎東垣典雄(6番) おはようございます。", "東垣典雄", "member"),
        ("◯議長【二見泰弘君】 皆様、おはようございます。", "二見泰弘", "chair"),
        ("◯委員長北田 織君) 開会します。", "北田織", "chair"),  # opening parenthesis lost
        ("谷田川委員長)ただ今から開会します。", "谷田川", "chair"),
        ("市長)本日はお集まりいただきありがとうございます。", "市長", "official"),
        ("○野田内閣府特命担当大臣 お待たせいたしました。", "野田", "official"),
        ("○ 議長 笹木 英二 ただ今の出席議員は7人です。", "笹木英二", "chair"),  # PDF table cells
        ("木原誠二君 ただいま議題となりました法律案につきまして御報告します。", "木原誠二", "member"),
        ("〇事務局(デジタルサービス局戦略部戦略課)\n定刻となりました。", "事務局", "official"),
    ],
)
def test_assembly_label(line, speaker, role):
    turns = turns_of(line)
    assert len(turns) == 1, list(turns["speaker_label"])
    assert (turns.iloc[0]["speaker"], turns.iloc[0]["role"]) == (speaker, role)
    assert turns.iloc[0]["text"] and not turns.iloc[0]["text"].startswith(("(", "君", ")", "】"))


def test_unmarked_label_alone_on_its_line():
    assert triples(
        "議長(尾田善靖君)\nこれより会議を開きます。\n事務局長(鈴木正志君)\nご報告申し上げます。"
    ) == [
        ("尾田善靖", "chair", "これより会議を開きます。"),
        ("鈴木正志", "official", "ご報告申し上げます。"),
    ]


def test_marks_that_are_headings_do_not_open_turns():
    text = "○議長(山田太郎君) 開会します。\n△議案第53号の質疑、討論、採決\n◎臨時議長紹介\n○議事日程(第4号)"
    result = seg(text)
    assert list(result.turns["speaker"]) == ["山田太郎"]
    assert "△議案第53号の質疑、討論、採決" in result.turns.iloc[0]["text"]


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("副市長", "official"),
        ("副知事", "official"),
        ("委員長", "chair"),
        ("副委員長", "vice_chair"),
        ("総務常任委員会委員長", "chair"),
        ("議長", "chair"),
        ("副議長", "vice_chair"),
        ("本部長", "chair"),
        ("事務局", "official"),
        ("参与", "official"),
        ("説明員", "official"),
        ("理事者", "official"),
        ("講師", "expert"),
        ("参考人", "expert"),
        ("学識経験者", "expert"),
        ("教授", "expert"),
        ("構成員", "member"),
        ("5番", "member"),
        ("山田太郎君", "member"),
        ("山田太郎", "unknown"),
    ],
)
def test_role_of(label, role):
    assert roles.role_of(label) == role


# --- committee and council records ---------------------------------------------------------


def test_council_conventions():
    text = (
        "(事務局)\n説明します。\n(委 員)\n質問です。\n【会長】\n次に移ります。\n"
        "会長 それでは始めます。\n山田委員:意見を述べます。\n事務局：お答えします。\n"
        "○事務局(○○課)\n補足します。"
    )
    assert triples(text) == [
        ("事務局", "official", "説明します。"),
        ("委員", "member", "質問です。"),
        ("会長", "chair", "次に移ります。"),
        ("会長", "chair", "それでは始めます。"),
        ("山田", "member", "意見を述べます。"),
        ("事務局", "official", "お答えします。"),
        ("事務局", "official", "補足します。"),
    ]


def test_summary_with_anonymous_remarks_and_arrow_answers():
    """The rule: with `→` answers in the record, a `○ ` item is a member's remark (委員, member)
    and a `→ ` item the secretariat's answer (事務局, official)."""
    text = "議事の概要\n○ 窓口のデジタル化はいつ始まるのか。\n→ 来年度から始める予定である。\n○ 高齢者への支援はどうか。\n→ 対面での支援を続ける。"
    assert triples(text) == [
        ("委員", "member", "窓口のデジタル化はいつ始まるのか。"),
        ("事務局", "official", "来年度から始める予定である。"),
        ("委員", "member", "高齢者への支援はどうか。"),
        ("事務局", "official", "対面での支援を続ける。"),
    ]


def test_anonymous_bullets_without_answers_are_not_turns():
    result = seg("【会長】\n報告を受けた。\n○ 資料1について\n○ 資料2について")
    assert len(result.turns) == 1


def test_question_and_answer_items():
    text = "◆問\n人員は足りているのか。\n◎答\n不足している。\n◆要望\n早急に対応されたい。"
    assert triples(text) == [
        ("委員", "member", "人員は足りているのか。"),
        ("理事者", "official", "不足している。"),
        ("委員", "member", "早急に対応されたい。"),
    ]


def test_q_and_a_letters_before_labels():
    text = "Q檜垣委員 津波対策を伺う。\nA泉野学校安全課長 25校である。"
    assert [(s, r) for s, r, _ in triples(text)] == [("檜垣", "member"), ("泉野学校安全課長", "official")]


def test_opinion_bullets_of_a_summary():
    text = "出席者\n構成員 伊藤、小林\n意見交換の概要\n・ 地域情報化活動の資金は市民出資と寄附を連携させるべき。\n・ 無線LAN以外の技術の活用も示すべきではないか。"
    assert [(s, r) for s, r, _ in triples(text)] == [("構成員", "member"), ("構成員", "member")]


def test_colon_labels_with_honorifics():
    text = "委員長(星君):ただいまより開会いたします。\n庶務係長:御説明いたします。\n徳田君:1点だけ伺います。"
    assert triples(text) == [
        ("星", "chair", "ただいまより開会いたします。"),
        ("庶務係長", "official", "御説明いたします。"),
        ("徳田", "member", "1点だけ伺います。"),
    ]


def test_stage_direction_in_parentheses_is_speech():
    assert triples("○海老原委員長 ただいまより開会します。\n○押田議長 (挨拶)") == [
        ("海老原", "chair", "ただいまより開会します。"),
        ("押田", "member", "(挨拶)"),  # a 議長 attending a committee chaired by its 委員長
    ]


def test_board_of_education_is_presided_by_its_kyoikucho():
    result = seg("品川区教育委員会 臨時会\n【教育長】 ただいまから開会いたします。\n【委員】 質問です。")
    assert list(result.turns["role"]) == ["chair", "member"]


def test_full_names_from_the_roster():
    text = "出席委員\n委員長 森野真治\n委員 良知駿一\n委員 良知花子\n○森野委員長 開会します。\n○良知(駿)委員 質問します。"
    assert list(turns_of(text)["speaker"]) == ["森野真治", "良知駿一"]


def test_ambiguous_family_names_stay_family_names():
    text = "出席委員\n委員 田中一郎\n委員 田中次郎\n○田中委員 質問します。"
    assert list(turns_of(text)["speaker"]) == ["田中"]


# --- marks inline: several turns in one long line ------------------------------------------


def test_several_turns_in_one_flattened_line():
    text = (
        "平成9年2月定例会 午後1時開会 ○議長(松井良夫君) ただいまより開会します。 (知事山田勇君登壇) "
        "◎知事(山田勇君) ごあいさつ申し上げます。 ○議長(松井良夫君) 次に移ります。"
    )
    assert [(s, r) for s, r, _ in triples(text)] == [
        ("松井良夫", "chair"),
        ("山田勇", "official"),
        ("松井良夫", "chair"),
    ]
    assert turns_of(text).iloc[1]["text"] == "ごあいさつ申し上げます。"


def test_inline_name_space_post_labels():
    text = "開会 午後1時 ○松井隆文 委員長  ただいまから開会します。 ◎浅村 デジタル戦略推進局長  本日は御説明します。"
    assert [(s, r) for s, r, _ in triples(text)] == [("松井隆文", "chair"), ("浅村", "official")]


def test_inline_bracket_lost_paren_and_unmarked_labels():
    assert len(turns_of("会議録 日時 令和2年9月29日 【教育長】 ただいまから開会いたします。")) == 1
    assert [s for s, _, _ in triples("開会宣告議長斎藤秀雄君) おはようございます。")] == ["斎藤秀雄"]
    text = "永井課長 只今より開会いたします。 大場会長 今日は暑い中ありがとうございます。"
    assert [(s, r) for s, r, _ in triples(text)] == [("永井", "official"), ("大場", "chair")]


@pytest.mark.parametrize(
    "speech",
    [
        "○○市の○○課長が説明した内容について伺います。",
        "評価は ○× で示しております。",
        "資料は次のとおりです。 ○ 資料1 ○ 資料2",
        "出席は ◎山川昌子 ○肥沼茂男 の各委員です。",
        "○○委員会 ○○委員長 からの報告です。",
    ],
)
def test_ordinary_marks_inside_speech_do_not_split(speech):
    turns = turns_of("○議長(山田太郎君) " + speech)
    assert len(turns) == 1
    assert turns.iloc[0]["text"].replace(" ", "").replace("\n", "") == speech.replace(" ", "")


def test_inline_split_keeps_the_text():
    line = "冒頭 ○議長(山田太郎君) 開会します。 ◎市長(鈴木一郎君) 挨拶します。"
    assert split_inline_paragraphs(line).split("\n") == [
        "冒頭",
        "○議長(山田太郎君) 開会します。",
        "◎市長(鈴木一郎君) 挨拶します。",
    ]


# --- marks split across lines by extraction -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "speaker", "role"),
    [
        ("○委員長（山田\n太郎君）　それでは始めます。", "山田太郎", "chair"),
        ("○議長(\n渡邉一夫君) 日程第4を議題とします。", "渡辺一夫", "chair"),
        ("◎\n総務課長(\n吉田政吉君) お答えいたします。", "吉田政吉", "official"),
        ("◆8番(\n高橋七重君) 2点お尋ねします。", "高橋七重", "member"),
        ("○\n畠山晋一 委員長 続きまして説明を願います。", "畠山晋一", "chair"),
        ("◎後藤\n総務課長 それでは資料を御覧ください。", "後藤", "official"),
    ],
)
def test_labels_split_across_lines(text, speaker, role):
    turns = turns_of("前の発言です。\n" + text)
    assert [(s, r) for s, r in zip(turns["speaker"], turns["role"])] == [(speaker, role)]
    assert turns.iloc[0]["text"] and "君)" not in turns.iloc[0]["text"]


def test_a_lone_mark_before_speech_is_not_joined_into_a_label():
    assert list(turns_of("○議長(山田太郎君) 開会します。\n○\n資料について説明します。")["speaker"]) == [
        "山田太郎"
    ]


# --- rosters, attendance lists, agendas, headers -------------------------------------------


def test_rosters_and_headers_never_become_turns():
    text = (
        "総務委員会会議録\n〇出席委員(8人)\n委員長 森野真治\n副委員長 石垣智矢\n委員 川口円\n"
        "〇欠席委員 なし\n● 出席者(敬称略) 会長 佐瀨一男 副会長 田辺一男\n"
        "○事務局 大和田正治 事務局長 小林明信 事務局次長 宮川節夫 事務局主幹\n"
        "【委員】 藤野兼治(会長)、篠原清彦(副会長)、徳川正臣、中村克久\n"
        "委員長 金崎ひさ 出席\n議事日程\n日程第1 会議録署名議員の指名\n"
        "○森野委員長 ただいまから委員会を開会いたします。"
    )
    result = seg(text)
    assert list(result.turns["speaker"]) == ["森野真治"]
    assert result.turns.iloc[0]["text"] == "ただいまから委員会を開会いたします。"
    assert set(result.non_speech["kind"]) <= {"header", "roster", "agenda", "metadata"}


def test_a_turn_that_looks_like_a_roster_warns():
    result = seg(
        "○議長(山田太郎君) 開会します。\n○事務局\n山田太郎 総務課長、鈴木一郎 企画課長、佐藤次郎 情報政策課長"
    )
    assert len(result.turns) == 2
    assert any("looks like a roster" in w and "○事務局" in w for w in result.warnings)


def test_a_turn_that_swallows_speaker_marks_warns():
    result = seg("○議長(山田太郎君) 開会します。◎市長(鈴木一郎君) 御挨拶申し上げます。")
    assert len(result.turns) == 1
    assert any("speaker-like mark" in w for w in result.warnings)


def test_ordinary_turns_do_not_warn():
    assert seg("○議長(山田太郎君) 開会します。\n◎市長(鈴木一郎君) 御挨拶申し上げます。").warnings == ()


# --- guards against false turns in ordinary speech -----------------------------------------


def test_plenary_chair_stays_chair_when_a_committee_chair_reports():
    # the 議長 presides; the committee's 委員長 reports without presiding, so he is a member (the
    # truth convention of tests/data/realworld/README.md: "a 議長 or 委員長 who speaks without presiding")
    text = (
        "○議長(山田太郎君) 日程第1を議題とします。委員長の報告を求めます。\n"
        "○総務常任委員長(鈴木一郎君) 委員会の審査の結果を報告します。\n"
        "○議長(山田太郎君) 採決します。"
    )
    assert list(turns_of(text)["role"]) == ["chair", "member", "chair"]


def test_words_in_speech_that_resemble_labels_do_not_open_turns():
    text = (
        "○議長(山田太郎君) 説明を求めます。\n◎市長(鈴木一郎君) お答えします。\n"
        "AI担当課長 の報告では、効果が出ております。 山田委員 からの御質問にお答えします。"
    )
    turns = turns_of(text)
    assert list(turns["speaker"]) == ["山田太郎", "鈴木一郎"]
    assert "山田委員からの御質問" in turns.iloc[1]["text"]


def test_anonymized_council_labels():
    text = "会長: 始めます。\nA委員: 質問です。\n委員A: 意見です。\n委員(B): 賛成です。\n○○委員: 反対です。\n事務局: 回答します。"
    turns = turns_of(text)
    assert list(turns["speaker"]) == ["会長", "A委員", "委員A", "委員(B)", "○○委員", "事務局"]
    assert list(turns["role"]) == ["chair", "member", "member", "member", "member", "official"]


def test_full_name_from_a_roster_drops_the_honorific():
    text = "出席委員\n委員長野村 有信君\n副委員長新藤 義彦君\n○野村委員長 ただいまから開会いたします。"
    assert list(turns_of(text)["speaker"]) == ["野村有信"]


@pytest.mark.parametrize(
    ("line", "speaker", "role"),
    [
        ("○政府参考人（山田太郎君）　お答えいたします。", "山田太郎", "official"),
        ("○参考人（鈴木一郎君）　意見を申し述べます。", "鈴木一郎", "expert"),
        ("○代表監査委員（佐藤次郎君）　御報告いたします。", "佐藤次郎", "official"),
        ("○選挙管理委員会委員長（田中三郎君）　お答えします。", "田中三郎", "official"),
        ("○委員外議員（高橋四郎君）　発言を許されました。", "高橋四郎", "member"),
        ("<事務局>\n資料を説明します。", "事務局", "official"),
        ("[山田委員] 質問します。", "山田", "member"),
    ],
)
def test_more_assembly_and_council_labels(line, speaker, role):
    turns = turns_of(line)
    assert [(s, r) for s, r in zip(turns["speaker"], turns["role"])] == [(speaker, role)]


def test_angle_bracket_headings_stay_headings():
    result = seg("<委員長あいさつ>\n<質疑及び意見交換の概要>\n【会長】\n始めます。")
    assert list(result.turns["speaker"]) == ["会長"]


def test_bare_post_named_by_the_roster():
    text = "市執行部 市長(今泉文彦),副市長(根本博文)\n谷田川委員長)ただ今から開会します。\n市長)本日はありがとうございます。"
    assert list(turns_of(text)["speaker"]) == ["谷田川", "今泉文彦"]
    assert list(turns_of("市長)本日はありがとうございます。")["speaker"]) == ["市長"]


def test_marked_fields_of_a_flattened_cover_page():
    text = (
        "議会改革検討代表者会議 ○開議時刻 午後2時0分 ○場所 全員協議会室 ○出席委員(10人) 伊藤学 座長 "
        "川畑英樹 副座長 ○事務局 大和田正治 事務局長 小林明信 事務局次長 宮川節夫 事務局主幹 "
        "○案件 1 議会日程等の事前決定について 午後2時0分 開議 ○伊藤座長 皆さん、こんにちは。"
    )
    assert triples(text) == [("伊藤学", "chair", "皆さん、こんにちは。")]


def test_family_name_before_a_vice_chair_post():
    text = "出席委員 伊藤学座長、川畑英樹副座長\n○川畑副座長 皆さん、こんにちは。\n○伊藤座長 改めまして、こんにちは。"
    assert list(turns_of(text)["speaker"]) == ["川畑英樹", "伊藤学"]
