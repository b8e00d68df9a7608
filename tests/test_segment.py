"""Tests of speaker-turn segmentation on the seed minutes and on small cases with known answers."""

from __future__ import annotations

import pytest

from dxminutes import config
from dxminutes.corpus.cleaning import clean
from dxminutes.corpus.roles import classify_role
from dxminutes.corpus.segment import (
    NO_SPEAKERS_WARNING,
    NON_SPEECH_COLUMNS,
    TURN_COLUMNS,
    UNKNOWN_SPEAKER,
    normalize_speaker_name,
    segment,
)


def seed_segmentation(prefix: str):
    (path,) = [p for p in config.RAW_DIR.glob("*.txt") if p.name.startswith(prefix)]
    return segment(clean(path.read_text(encoding="utf-8")).text)


@pytest.fixture(scope="module")
def seeds():
    return {
        name: seed_segmentation(name)
        for name in ("nagareyama", "nagasaki", "musashimurayama", "sumida", "toshima")
    }


# --- roles -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("副委員長", "vice_chair"),
        ("委員長(たきざわ正宜)", "chair"),
        ("委員(小林しょう)", "member"),
        ("(小國会長)", "chair"),
        ("(白澤副会長)", "vice_chair"),
        ("(事務局) 佐藤情報政策・改革改善課長", "official"),
        ("本部長", "chair"),
        ("副本部長", "vice_chair"),
        ("部員", "member"),
        ("デジタル化推進員", "official"),
        ("株式会社政策創造研究所代表取締役社長(吉田大祐)", "expert"),
        ("議長(山田太郎君)", "chair"),
        ("小暮委員(委員長)", "chair"),
        ("総務委員会委員長", "chair"),
        ("村井座長", "chair"),
        ("山田花子", "unknown"),
    ],
)
def test_classify_role(label, role):
    assert classify_role(label) == role


def test_normalize_speaker_name():
    assert normalize_speaker_name("髙橋 正利") == normalize_speaker_name("高橋正利") == "高橋正利"
    assert normalize_speaker_name("山田太郎君") == "山田太郎"
    assert normalize_speaker_name("しもむら 緑") == "しもむら緑"


# --- seed targets ------------------------------------------------------------------------


def test_tables_have_the_contract_columns(seeds):
    for seg in seeds.values():
        assert list(seg.turns.columns) == TURN_COLUMNS
        assert list(seg.non_speech.columns) == NON_SPEECH_COLUMNS
        assert list(seg.turns["position"]) == list(range(len(seg.turns)))
        assert list(seg.non_speech["position"]) == list(range(len(seg.non_speech)))
        assert set(seg.turns["role"]) <= {"chair", "vice_chair", "member", "official", "expert", "unknown"}
        assert set(seg.non_speech["kind"]) <= {
            "header",
            "roster",
            "agenda",
            "metadata",
            "stage_note",
            "boilerplate",
            "other",
        }


def test_nagareyama(seeds):
    # 122 labelled utterances: the raw text has 119 labels in ASCII parentheses and three in
    # full-width ones, （小國会長） twice and （青木委員） once, which NFKC makes identical.
    turns = seeds["nagareyama"].turns
    assert len(turns) == 122
    assert (turns["speaker"] == "小國").sum() == 49
    assert (turns["role"] == "official").sum() == 31
    assert (turns["speaker"] == "青木").sum() == 9
    assert set(turns.loc[turns["speaker"] == "白澤", "role"]) == {"vice_chair", "member"}
    first = turns.iloc[0]
    assert first["speaker_label"] == "(小國会長)" and first["role"] == "chair"
    assert first["text"].startswith("それでは定刻となりましたので")
    official = turns.iloc[1]
    assert official["speaker_label"] == "(事務局) 渡辺情報政策・改革改善課長補佐"
    assert official["text"].split("\n")[0] == "それでは、本日の進行について事務局より説明します。"
    assert not turns["text"].str.contains("出席委員|添付資料|委員からの意見無し").any()
    ns = seeds["nagareyama"].non_speech
    assert set(ns.loc[ns["kind"] == "stage_note", "text"]) == {
        "~委員からの意見無し~",
        "~資料6について説明~",
        "-質疑応答-",
        "-意見交換-",
    }
    assert {"roster", "agenda", "metadata", "header"} <= set(ns["kind"])
    assert ns["text"].str.contains("小國会長、白澤副会長").any()


def test_nagasaki(seeds):
    turns = seeds["nagasaki"].turns
    assert len(turns) == 22
    assert turns["speaker"].value_counts().to_dict() == {"事務局": 9, "委員": 8, "会長": 5}
    assert turns.iloc[-1]["text"] == "以上をもって令和3年度第2回行政改革審議会を終了する。"
    assert turns.iloc[0]["speaker_label"] == "【事務局】"
    assert seeds["nagasaki"].non_speech["text"].str.contains("審議結果").any()


def test_musashimurayama(seeds):
    seg = seeds["musashimurayama"]
    turns = seg.turns
    assert len(turns) >= 45
    by_label = turns.groupby("speaker_label")["role"].agg(set).to_dict()
    assert by_label == {"○": {"member"}, "●": {"official"}, "-": {"unknown"}}
    assert (turns["speaker_label"] == "○").sum() == 6 and (turns["speaker_label"] == "●").sum() == 5
    assert set(turns.loc[turns["role"] == "unknown", "speaker"]) == {UNKNOWN_SPEAKER}
    first = turns.iloc[0]
    assert first["speaker_label"] == "●" and first["text"].startswith("武蔵村山市第八次行政改革大綱")
    assert "密接に関係しているため" in first["text"]  # page break inside the table cell rejoined
    ns = seg.non_speech
    assert (ns.loc[ns["kind"] == "stage_note", "text"] == "○ 特になし。").sum() == 2
    assert ns["text"].str.contains("【質疑・意見等】").any()
    assert not turns["text"].str.contains("【質疑・意見等】|開催日時|庶務担当課").any()
    assert any("lost their speaker mark" in w for w in seg.warnings)


def test_sumida(seeds):
    turns = seeds["sumida"].turns
    assert len(turns) == 31
    lecturer = turns[turns["speaker"] == "吉田大祐"]
    assert len(lecturer) == 15 and set(lecturer["role"]) == {"expert"}
    takahashi = turns[turns["speaker_label"].str.contains("橋正利")]
    assert set(takahashi["speaker_label"]) == {"◎委員(髙橋正利)", "◎委員(高橋正利)"}
    assert set(takahashi["speaker"]) == {"高橋正利"} and len(takahashi) == 3
    assert set(turns.loc[turns["speaker_label"].str.startswith("◎委員 ("), "speaker"]) == {
        "桜井浩之",
        "井上裕幾",
    }
    chair = turns.iloc[-1]
    assert chair["speaker"] == "たきざわ正宜" and chair["role"] == "chair" and chair["text"] == ""
    ns = seeds["sumida"].non_speech
    header = "\n".join(
        ns.loc[ns["position"] < ns.index[ns["text"].str.contains("質疑及び意見交換の概要")][0], "text"]
    )
    assert "出席委員氏名" in header and "講師氏名" in header
    assert "~委員長あいさつ~" in set(ns["text"])


def test_toshima(seeds):
    turns = seeds["toshima"].turns
    assert len(turns) == 43
    assert turns["speaker"].value_counts().to_dict() == {
        "本部長": 21,
        "事務局": 10,
        "部員": 9,
        "デジタル化推進員": 2,
        "副本部長": 1,
    }
    assert (
        turns.iloc[0]["text"]
        == "ただいまより第1回行政情報化推進本部を開催します。\nはじめに報告事項からお願いします。"
    )
    ns = seeds["toshima"].non_speech
    notes = set(ns.loc[ns["kind"] == "stage_note", "text"])
    assert {"(質疑)", "(質疑なし)", "〔14:18終了〕", "—議題については継続審議—"} <= notes
    assert any(n.startswith("[事務局:「報告事項(1)") for n in notes)
    assert ns.iloc[-1]["text"].startswith("提出された資料等")
    assert ns["text"].str.contains("☑非公開").any()
    assert not turns["text"].str.contains("提出された資料等|質疑なし").any()


def test_no_seed_paragraph_is_lost(seeds):
    """Every paragraph of the cleaned text is a label line, a speech line or a non-speech line."""
    for name, seg in seeds.items():
        (path,) = [p for p in config.RAW_DIR.glob("*.txt") if p.name.startswith(name)]
        paragraphs = [
            line.strip() for line in clean(path.read_text(encoding="utf-8")).text.split("\n") if line.strip()
        ]
        placed = set()
        for label, text in zip(seg.turns["speaker_label"], seg.turns["text"]):
            lines = text.split("\n") if text else []
            placed.update([label, *lines])
            if lines:
                placed.update(
                    {
                        f"{label} {lines[0]}",
                        f"{label}{lines[0]}",
                        f"{label}: {lines[0]}",
                        f"{label}:{lines[0]}",
                    }
                )
        for part in seg.non_speech["text"]:
            placed.update(part.split("\n"))
        assert [p for p in paragraphs if p not in placed] == [], name
        n_speech = sum(len(t.split("\n")) for t in seg.turns["text"] if t)
        n_other = sum(len(t.split("\n")) for t in seg.non_speech["text"])
        assert n_speech + n_other <= len(paragraphs), name  # nothing counted twice


# --- general conventions on small cases --------------------------------------------------


def turns_of(text: str):
    return segment(clean(text).text).turns


def test_assembly_style_marks():
    turns = turns_of(
        "○議長（山田太郎君）　ただいまから会議を開きます。\n○山田委員　質問します。\n"
        "続けて述べます。\n◆委員\n意見です。\n◎市長（鈴木一郎君）　お答えします。"
    )
    assert list(turns["speaker"]) == ["山田太郎", "山田", "委員", "鈴木一郎"]
    assert list(turns["role"]) == ["chair", "member", "member", "official"]
    assert list(turns["text"]) == [
        "ただいまから会議を開きます。",
        "質問します。\n続けて述べます。",
        "意見です。",
        "お答えします。",
    ]
    assert turns.iloc[0]["speaker_label"] == "○議長(山田太郎君)"


def test_label_colon_convention():
    turns = turns_of("村井座長: 始めます。\n村井座長：次に移ります。\n事務局：説明します。")
    assert list(turns["speaker"]) == ["村井", "村井", "事務局"]
    assert list(turns["role"]) == ["chair", "chair", "official"]
    assert list(turns["text"]) == ["始めます。", "次に移ります。", "説明します。"]


def test_bracket_and_paren_lines():
    turns = turns_of(
        "【委員】\n質問です。\n【副会長】\n補足します。\n(山本部会長)\n了解。\n(事務局) 田中課長\nお答えします。"
    )
    assert list(turns["role"]) == ["member", "vice_chair", "chair", "official"]
    assert list(turns["speaker"]) == ["委員", "副会長", "山本", "田中"]  # the family name before the post


def test_legend_bullets_and_lost_marks():
    text = "(発言者) ○印=委員 ●印=事務局\n○ 質問がある。\n● 回答する。\n- 追加の質問。\n○ 特になし。"
    seg = segment(clean(text).text)
    assert list(seg.turns["speaker_label"]) == ["○", "●", "-"]
    assert list(seg.turns["role"]) == ["member", "official", "unknown"]
    assert list(seg.non_speech["kind"]) == ["header", "stage_note"]


def test_dash_items_without_legend_are_not_turns():
    seg = segment(clean("【会長】\n議題は次のとおり。\n- 第一の議題\n- 第二の議題").text)
    assert len(seg.turns) == 1 and seg.turns.iloc[0]["text"].count("\n") == 2


def test_role_word_paragraphs_and_page_break_continuation():
    text = "本部長 開会します。\n\n事務局 説明します。資料の\n\n- 2 -\n\nとおりです。\n\n副本部長 賛成です。\n\n続きの段落です。"
    turns = turns_of(text)
    assert list(turns["speaker"]) == ["本部長", "事務局", "副本部長"]
    assert list(turns["text"]) == [
        "開会します。",
        "説明します。資料のとおりです。",
        "賛成です。\n続きの段落です。",
    ]


def test_stage_notes_do_not_become_turns():
    text = "【会長】\n質問はあるか。\n~委員からの意見無し~\n(質疑なし)\n[事務局:「資料」を説明]\n〔14:18 終了〕\n-質疑応答-"
    seg = segment(clean(text).text)
    assert list(seg.turns["text"]) == ["質問はあるか。"]
    assert list(seg.non_speech["kind"]) == ["stage_note"] * 5


def test_no_speakers_gives_empty_turns_and_warning():
    seg = segment(clean("これは議事録ではない文章です。\n二行目です。").text)
    assert seg.turns.empty and list(seg.turns.columns) == TURN_COLUMNS
    assert NO_SPEAKERS_WARNING in seg.warnings
    assert "".join(seg.non_speech["text"]).replace("\n", "") == "これは議事録ではない文章です。二行目です。"
