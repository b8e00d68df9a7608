"""Speaker conventions met on minutes of bodies the project had not seen (issue 19, item 4).

Each convention is tested on a small case built with a known answer, next to the traps that
must not become turns: a role word in a roster, a table, a sentence; a speaker index; an agenda
that names a greeting. Real examples are in tests/data/realworld (rw_051–rw_062).
"""

from __future__ import annotations

import pytest

from dxminutes.corpus.cleaning import clean
from dxminutes.corpus.segment import segment


def turns_of(text: str) -> list[tuple[str, str, str]]:
    """(speaker, role, first 8 characters of the text) of every turn."""
    turns = segment(clean(text).text).turns
    return [(row.speaker, row.role, row.text[:8]) for row in turns.itertuples()]


def test_bare_role_words_alone_on_a_line_then_the_speech():
    text = (
        "第3回 地域公共交通会議\n会長\nただいまから会議を開きます。本日は資料1について御意見をいただきます。\n"
        "委員\nバスの本数について質問します。減便の理由は何ですか。\n事務局\n利用者の減少によるものです。\n"
    )
    assert turns_of(text) == [
        ("会長", "chair", "ただいまから会議"),
        ("委員", "member", "バスの本数につい"),
        ("事務局", "official", "利用者の減少によ"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "出席者\n会長\n山田太郎\n委員\n鈴木花子 佐藤一郎\n事務局\n企画課長 田中次郎\n",  # a roster
        "会議録\n会長は開会を宣言した。\n委員から質問があった。\n",  # role words inside sentences
        "出席者\n委員\t山田太郎\t出席\n事務局\t鈴木花子\t出席\n",  # a table
        "委員 (田沢湖町)\n高 橋 正 男 千 葉   勇\n委員 東裕 若柳善朗 樋口ユミ\n",  # roster lines
        "応招議員 (17名)\n1番 井 上 恭 子 議員\n不応招議員 (1名)\n",
    ],
)
def test_role_words_in_rosters_tables_and_sentences_are_not_labels(text):
    assert turns_of(text) == []


def test_spaced_role_word_opening_a_line():
    text = "1-7\n事務局長  ここから会長に議長職をお願いいたします。\n議  長  たった今、委嘱書を交付しました。\n議長として委員の皆様に御了解をいただきたい。\n"
    assert turns_of(text) == [
        ("事務局長", "official", "ここから会長に議"),
        ("議長", "chair", "たった今、委嘱書"),
    ]


def test_inline_parenthesised_labels():
    text = (
        "要旨\n(委 員)予約はスマホでできますか。\n(事務局)できます。\n(A委員)高齢者への配慮もお願いしたい。\n"
    )
    assert turns_of(text) == [
        ("委員", "member", "予約はスマホでで"),
        ("事務局", "official", "できます。"),
        ("A委員", "member", "高齢者への配慮も"),
    ]
    # flattened into one line after a stage note, as a table cell of a summary page
    flat = (
        "7 会議概要 -資料を基に事務局より説明- (事務局)感想をお伺いしたい。 (委員)問題量は多くないと思った。"
    )
    assert turns_of(flat) == [
        ("事務局", "official", "感想をお伺いした"),
        ("委員", "member", "問題量は多くない"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "出席者\n(西神楽支所長)長岐和典,(同市民係長)柳渡秀一\n",  # a roster of posts and names
        "経過\n(委員)の意見を踏まえ、修正した。\n",  # a particle: the parenthesis is part of a sentence
        "名簿\n(委員)山田太郎\n(委員)鈴木花子\n(事務局)田中次郎\n",  # a run of labels with names, no speech
    ],
)
def test_parenthesised_role_words_that_are_not_labels(text):
    assert turns_of(text) == []


def test_anonymous_question_and_answer_items():
    text = (
        "意見交換\n○窓口の予約制はいつから始まるのか。\n→来年4月から試行する予定である。\n"
        "○ 高齢者への周知はどうするのか。\n⇒ 広報紙とチラシで周知する。\n"
    )
    assert turns_of(text) == [
        ("委員", "member", "窓口の予約制はい"),
        ("事務局", "official", "来年4月から試行"),
        ("委員", "member", "高齢者への周知は"),
        ("事務局", "official", "広報紙とチラシで"),
    ]


def test_a_speaker_index_is_never_taken_for_turns():
    index = "発言者一覧\n" + "".join(
        f"{i}: ◯{name}\n" for i, name in enumerate(["山田議長", "鈴木市長", "田中委員"] * 4, 1)
    )
    text = index + "◯山田議長 ただいまから本日の会議を開きます。\n◯鈴木市長 お答えします。\n"
    assert turns_of(text) == [
        ("山田", "chair", "ただいまから本日"),
        ("鈴木", "official", "お答えします。"),
    ]
    toc = "目次\n○開会の宣告 ……………… 3\n○日程第1 会議録署名議員の指名 ……… 3\n○行政報告 ……………… 4\n"
    assert turns_of(toc) == []


def test_greeting_headings():
    # the heading is followed by the greeting itself: the chair's turn
    assert turns_of(
        "次第\n2 会長あいさつ\n本日はお忙しいところお集まりいただき、ありがとうございます。\n"
    ) == [("会長", "chair", "本日はお忙しいと")]
    assert turns_of("〇会長あいさつ\n本日はお集まりいただきありがとうございます。\n") == [
        ("会長", "chair", "本日はお集まりい")
    ]
    # an agenda that names the greeting: a heading
    assert turns_of("次第\n3.会長あいさつ\n4.会議録署名委員の指名について\n5.議題\n") == []
    assert turns_of("○会長あいさつ\n○議事\n(1)報告事項\n") == []


# --- round 2 (a second development sample, /work/dev2): conventions and traps --------------------


def test_labels_ending_with_an_equals_sign():
    # numbered speeches of a web page flattened into one line (`1 ◯米倉委員長=…`)
    flat = (
        "総務常任委員会 本文 1 午前十時六分 開議 ◯米倉委員長=ただいまから委員会を開催いたします。"
        "これより質疑に入ります。 2 ◯井上祐輔委員=おはようございます。施設の整備について伺います。"
    )
    assert turns_of(flat) == [
        ("米倉", "chair", "ただいまから委員"),
        ("井上祐輔", "member", "おはようございま"),
    ]
    # one per line, with an official answering
    lines = "◯議長=これより会議を開きます。\n◯山田太郎君=質問します。\n◯総務部長=お答えします。\n"
    assert turns_of(lines) == [
        ("議長", "chair", "これより会議を開"),
        ("山田太郎", "member", "質問します。"),
        ("総務部長", "official", "お答えします。"),
    ]
    # a bracketed name before the `=`
    named = "◯議長(石井啓裕君)=ただいまから会議を開きます。\n◯知事(山口祥義君)=お答えします。\n"
    turns = segment(clean(named).text).turns
    assert list(turns["speaker"]) == ["石井啓裕", "山口祥義"]
    assert list(turns["text"]) == ["ただいまから会議を開きます。", "お答えします。"]
    assert list(turns["speaker_label"]) == ["○議長(石井啓裕君)=", "○知事(山口祥義君)="]
    # a label alone on its line, the speech on the next
    alone = "◯米倉委員長=\nただいまから委員会を開催いたします。\n◯井上祐輔委員=\n質問します。\n"
    assert turns_of(alone) == [("米倉", "chair", "ただいまから委員"), ("井上祐輔", "member", "質問します。")]


@pytest.mark.parametrize(
    "text",
    [
        "出席者\n○委員=5名\n○事務局=2名\n",  # a field: a count, not speech
        "○出席委員=山田太郎 鈴木花子\n",  # a roster word in the label
    ],
)
def test_equals_signs_that_are_not_labels(text):
    assert turns_of(text) == []


def test_a_search_pages_speaker_menu_is_never_turns():
    # DB-Search pages list every speech as `選択 N : ◯label` before the record; cleaning splits
    # the list at each mark, so each menu line reads `○label 選択N+1 :`
    page = (
        "本文 発言者一覧 選択 1 : ◯山田議長 選択 2 : ◯鈴木市長 選択 3 : ◯山田議長 選択 4 : ◯田中委員"
        " 選択 5 : ◯山田議長 ↑ 発言者の先頭へ 本文 ↓ 1: ◯山田議長 ただいまから本日の会議を開きます。"
        " 2: ◯鈴木市長 おはようございます。提出議案について説明いたします。"
    )
    assert turns_of(page) == [
        ("山田", "chair", "ただいまから本日"),
        ("鈴木", "official", "おはようございま"),
    ]
    # labels whose opening parenthesis was lost, and an excerpt that ends inside the menu
    lost = (
        "発言者一覧 選択 1 : ◯議長新田篤実君) 選択 2 : ◯知事藤田雄山君) 選択 3 : ◯議長新田篤実君)"
        " ↑ 発言者の先頭へ 本文 ↓ 1: 午前十時三十二分開会・開議 ◯議長新田篤実君) これより本日の会議を開きます。"
    )
    assert turns_of(lost) == [("新田篤実", "chair", "これより本日の会")]
    cut = "発言者一覧 選択 1 : ◯渡邉委員長 選択 2 : ◯上村市長 選択 3 : ◯渡邉委員長 選択 4 : ◯山口委員 選択"
    assert turns_of(cut) == []
    # a menu numbered without checkboxes, closed by the page's `本文` link
    numbered = (
        "発言者一覧 1 : ◯山田議長 2 : ◯鈴木市長 3 : ◯山田議長 4 : ◯田中委員 本文 1: ◯山田議長 "
        "ただいまから本日の会議を開きます。 2: ◯鈴木市長 お答えします。"
    )
    assert turns_of(numbered) == [
        ("山田", "chair", "ただいまから本日"),
        ("鈴木", "official", "お答えします。"),
    ]


def test_spaced_role_word_and_bangai_label_inside_a_flattened_pdf_line():
    flat = (
        "平成26年第2回川本町議会臨時会会議録 (第1日目)平成26年4月25日 議 長 午後2時00分開議 "
        "定刻となりましたので、ただいまより本会議を開きます。 日程第1、会期の決定を議題と致します。 々 "
        "番外 三宅町長 一言ご挨拶を申し上げます。本日はご出席を賜り、誠にありがとうございます。"
    )
    assert turns_of(flat) == [
        ("議長", "chair", "午後2時00分開"),
        ("三宅", "official", "一言ご挨拶を申し"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "出席議員 議 長 山 田 太 郎 君 副 議 長 鈴 木 花 子 君 1 番 田 中 一 郎 君\n",  # a spaced roster
        "会議録\n本日は番外の案件について協議した。番外 町長の出席を求めることとした。\n",  # 番外 in a sentence
        "日程 議 長 の 選 挙 に つ い て 行 い ま し た 。\n",  # a line spaced out letter by letter
    ],
)
def test_spaced_role_words_and_bangai_that_are_not_labels(text):
    assert turns_of(text) == []


def test_a_label_that_lost_its_parenthesis_and_honorific_inside_a_flattened_line():
    flat = (
        "1: 午前10時00分 開会 ○感謝状伝達 議長伊藤真人) おはようございます。開会に先立ちまして申し上げます。"
        " (感謝状伝達) (拍手) これをもって、感謝状伝達を終了いたします。"
    )
    assert turns_of(flat) == [("伊藤真人", "chair", "おはようございま")]
    # inside a parenthesis the same letters are a title, not a label
    assert turns_of("報告 (総務 委員長報告) について審査の経過を報告した。\n") == []


def test_stage_notes_in_parentheses_and_speech_after_a_parenthesised_label():
    text = (
        "(委員長)\nそれではただ今より定例会をはじめます。\n(事務局説明)\n"
        "第1号議案について説明いたしました。\n(委員長)ありがとう\n"
    )
    assert turns_of(text) == [
        ("委員長", "chair", "それではただ今よ"),
        ("委員長", "chair", "ありがとう"),
    ]
    # a post after the label is still the speaker's post (`(事務局) 佐藤情報政策課長`)
    assert turns_of("(事務局) 佐藤情報政策課長\nかしこまりました。\n") == [
        ("佐藤", "official", "かしこまりました"),
    ]


def test_a_page_reference_after_the_label_is_part_of_the_label():
    text = (
        "○議会事務局長(浦川謙司君)[ 7頁]\nおはようございます。事務局より申し上げます。\n"
        "○市長(宮本明雄君)登壇[7頁]\nおはようございます。本日ここに臨時会を招集いたしました。\n"
    )
    turns = segment(clean(text).text).turns
    assert list(turns["speaker"]) == ["浦川謙司", "宮本明雄"]
    assert [t[:8] for t in turns["text"]] == ["おはようございま", "おはようございま"]
    assert all("頁" in label for label in turns["speaker_label"])
    paged = segment(clean("○議長(山田太郎君)[P.12] これより会議を開きます。\n").text).turns
    assert list(paged["text"]) == ["これより会議を開きます。"]


def test_a_name_alone_after_a_bare_post_completes_the_label():
    # PDF text with a line break inside every label: `○教育政策係長` / `大園健朗君` / speech
    text = (
        "開会\n○教育政策係長\n大園健朗君\nそれでは、ただいまから定例の教育委員会を開催します。\n"
        "○教育長\nそれでは、開会させていただきます。\n"
    )
    assert turns_of(text) == [
        ("大園健朗", "official", "それでは、ただい"),
        ("教育長", "official", "それでは、開会さ"),
    ]
    # a chair calls on the next speaker by name: that line is the chair's speech
    call = "○議長\n鈴木一郎君\n○鈴木一郎君 質問します。\n"
    assert turns_of(call) == [("議長", "chair", "鈴木一郎君"), ("鈴木一郎", "member", "質問します。")]
    # a named label keeps its name: a name line after it is speech (a roll call), not the label
    named = "○議長(山田太郎君)\n鈴木一郎君\n○鈴木一郎君 質問します。\n"
    assert turns_of(named)[0][:2] == ("山田太郎", "chair")


def test_committee_chairs_reporting_in_a_plenary_are_members():
    # giji.rocks labels write the name with a member's title (`伊藤正数議員`) in the parentheses
    plenary = (
        "○議長(伊藤正数議員) これより本日の会議を開きます。\n"
        "○総務委員長(石田成生議員) 総務委員会における審査の経過と結果をご報告申し上げます。\n"
        "◆議会改革特別委員会委員長(磯崎誠治君) 質疑にお答えいたします。\n"
        "○議長(伊藤正数議員) 以上で委員長報告を終わります。\n"
    )
    assert turns_of(plenary) == [
        ("伊藤正数", "chair", "これより本日の会"),
        ("石田成生", "member", "総務委員会におけ"),
        ("磯崎誠治", "member", "質疑にお答えいた"),
        ("伊藤正数", "chair", "以上で委員長報告"),
    ]
    # a kind of member in the parentheses is not a name
    assert turns_of("○委員(市民委員) 意見を述べます。\n") == [("委員", "member", "意見を述べます。")]
    # in a committee's own record its chair presides, named by family name or bare
    committee = (
        "○山田委員長 ただいまから委員会を開きます。\n○鈴木委員 質問します。\n○委員長 答弁を求めます。\n"
    )
    assert [role for _, role, _ in turns_of(committee)] == ["chair", "member", "chair"]
    # in a plenary, a chair named by family name (no committee named apart) keeps the role
    named = "○議長(伊藤正数君) 開会します。\n○山田委員長 報告します。\n"
    assert [role for _, role, _ in turns_of(named)] == ["chair", "chair"]


def test_the_superintendent_presides_over_a_board_of_education_meeting():
    text = (
        "令和元年第10回広島市教育委員会議(定例会)議事録\n出席者\n教育長 糸山隆\n"
        "○糸山教育長 ただいまから教育委員会議を開会します。\n○井内委員 質問します。\n"
    )
    assert [role for _, role, _ in turns_of(text)] == ["chair", "member"]


def test_a_colon_after_a_marked_label_belongs_to_the_label():
    text = "(午後1時開会)\n○教育長(藤迫稔君):ただ今から定例会を開催いたします。\n(事務局報告)\n○教育長(藤迫稔君):本委員会は成立いたしました。\n"
    turns = segment(clean(text).text).turns
    assert list(turns["speaker_label"]) == ["○教育長(藤迫稔君):"] * 2
    assert [t[2] for t in turns_of(text)] == ["ただ今から定例会", "本委員会は成立い"]


def test_press_conference_labels_with_a_colon():
    text = (
        "8.定例記者会見のライブ配信\n○毎日新聞:済みません、毎日新聞です。知事、意気込みを。\n"
        "○溝口知事:できるだけわかりやすく説明していきたいと思います。\n○山陰放送:実際、このインタ\n"
    )
    assert turns_of(text) == [
        ("毎日新聞", "unknown", "済みません、毎日"),
        ("溝口", "official", "できるだけわかり"),
        ("山陰放送", "unknown", "実際、このインタ"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "○日時:令和5年8月2日 午後7時\n○場所:市役所3階会議室\n",  # marked fields, no speech
        "○その他:特になし。\n",  # a marked 'nothing'
        "○資料:配付資料について説明した。\n",  # a label that is neither a post nor a press outlet
        "○委員長:山田太郎、副委員長:鈴木花子\n",  # a roster written with colons
    ],
)
def test_marked_fields_with_a_colon_are_not_turns(text):
    assert turns_of(text) == []


def test_a_label_ending_with_a_slash():
    text = (
        "議事録(速報版)\n議長/皆さんおはようございます。\nただ今より臨時会を開会いたします。\n吉川議会運営委員長\n"
        "吉川議会運営委員長/皆さんおはようございます。\n議長/お諮りいたします。\n"
    )
    assert turns_of(text) == [
        ("議長", "chair", "皆さんおはようご"),
        ("吉川", "member", "皆さんおはようご"),
        ("議長", "chair", "お諮りいたします"),
    ]
    # a slash between posts or in a roster is no label
    assert turns_of("出席者\n委員長/副委員長\n会長/山田太郎\n") == []


def test_a_bare_label_with_a_colon_or_a_moderator_alone_on_its_line():
    conference = (
        "知事記者会見内容\n知事:\n1番目は新型コロナウイルスの状況です。\n本日の新規感染者数は2017人です。\n"
    )
    assert turns_of(conference) == [("知事", "official", "1番目は新型コロ")]
    meeting = "会議録\n(司会)\n皆様こんばんは。\n定刻となりましたので、開催させていただきます。\n"
    assert turns_of(meeting) == [("司会", "chair", "皆様こんばんは。")]
    # a colon label over a list or a field value is not a turn
    assert turns_of("事務局:\n企画課長 田中次郎\n") == []


def test_seat_number_and_name_label_inside_a_flattened_line():
    # search-site minutes flattened onto one line; the label has no parentheses
    text = (
        "午前10時1分 開議 ◯本多達郎議長 ただいまから本日の会議を開きます。  通告により発言を許します。"
        "  25番武田えみ子議員。 ◯25番 武田えみ子議員 議案第99号に対しまして、お尋ねをいたします。\n"
    )
    assert turns_of(text) == [
        ("本多達郎", "chair", "ただいまから本日"),
        ("武田えみ子", "member", "議案第99号に対"),
    ]
    # a seat number and a name in a roster are no label
    assert turns_of("出席議員\n○25番 武田えみ子議員 ○26番 山田花子議員 ○27番 鈴木一郎議員\n") == []


def test_a_known_label_glued_to_the_heading_before_it_opens_a_turn():
    # a lost bracket glued the chair's label to the agenda heading (`(質疑◯本多達郎議長`)
    text = (
        "◯本多達郎議長 ただいまから本日の会議を開きます。 日程第1 議案第99号について(質疑"
        "◯本多達郎議長 日程第1、議案第99号を議題とします。\n"
    )
    assert turns_of(text) == [
        ("本多達郎", "chair", "ただいまから本日"),
        ("本多達郎", "chair", "日程第1、議案第"),
    ]
    # the same label quoted with a particle, or a label never used to open a turn, stays inside
    quoted = "◯本多達郎議長 ただいまから会議を開きます。先ほどの◯本多達郎議長の発言について確認します。\n"
    assert len(turns_of(quoted)) == 1
    unknown = "◯本多達郎議長 ただいまから会議を開きます。議案について(質疑◯山田一郎委員 質問します。\n"
    assert len(turns_of(unknown)) == 1


def test_a_stage_word_in_parentheses_glued_to_a_label_belongs_to_the_label():
    text = "○議長(福谷直美君) 17番福井議員。\n○17番(福井康夫君)(登壇) それでは委員長報告をいたします。\n"
    turns = segment(clean(text).text).turns
    assert list(turns["speaker_label"]) == ["○議長(福谷直美君)", "○17番(福井康夫君)(登壇)"]
    assert turns_of(text)[1] == ("福井康夫", "member", "それでは委員長報")
    # a parenthesis inside the speech, after its first words, stays speech
    assert turns_of("○17番(福井康夫君) 報告します(登壇)。\n")[0][2] == "報告します(登壇"


def test_question_and_answer_digest_items():
    text = (
        "■参加者からの意見・質問と市長の回答を紹介します。(Q→参加者からの質問、A→市長の回答)\n"
        "Q.高齢化で町内会の運営ができなくなるのではないかと心配\nA.例えば上原田町については、合併の話が進んでいる。\n"
        "Q.子どもの遊び場がないので造ってほしい\nA.豪雨災害後、遊び場が減っていて、大変\n"
    )
    assert turns_of(text) == [
        ("参加者", "unknown", "高齢化で町内会の"),
        ("市長", "official", "例えば上原田町に"),
        ("参加者", "unknown", "子どもの遊び場が"),
        ("市長", "official", "豪雨災害後、遊び"),
    ]
    # without a legend: who asks is not said, the answer is the administration's
    plain = "Q.窓口の受付時間は何時までですか。\nA.午後5時15分までです。\n"
    assert turns_of(plain) == [
        ("質問者", "unknown", "窓口の受付時間は"),
        ("回答者", "official", "午後5時15分ま"),
    ]
    # questions alone (a list of FAQ titles) or an ASCII `A.` are no turns
    assert turns_of("よくある質問\nQ.受付時間は?\nQ.駐車場はありますか。\n") == []
    assert turns_of("Q.受付時間は?\nA. B. C. の順に並べます\n") == []


def test_spaced_role_word_after_a_spaced_table_cell_in_a_flattened_pdf_line():
    text = (
        "農業委員会総会会議録 出席委員 番 号 1 番 北 垣 寿 成 主 事 坪 倉 昂 平 7.そ 8.閉 の 他 会 開 会 "
        "会 長 定刻になったことを確認し、第10回農業委員会を開会すると宣言した。 挨 拶 議 長 改めまして、"
        "あけましておめでとうございます。\n"
    )
    assert turns_of(text) == [("会長", "chair", "定刻になったこと"), ("議長", "chair", "改めまして、あけ")]
    # a roster cell (`主 事 坪 倉 昂 平`) and a line spaced letter by letter are no label
    assert turns_of("出席した職員 事 務 局 長 小 澤 美 知 弥 主 事 坪 倉 昂 平 以 上\n") == []
    assert turns_of("本 日 は 会 長 に お か れ ま し て は 、 ご 出 席 あ り が と う 。\n") == []


def test_unmarked_labels_inside_a_flattened_summary_and_a_roster_of_posts():
    text = (
        "会議録 出 席 委 員 秋山 憲夫、岩崎 正朔 事 務 局 梶市長、横田総務部長、中公共施設管理課長、森本主査 "
        "(1)会議の公開等について 議 題 (2)基本構想について 発 言 者 議事の概要及び発言の要旨 "
        "ただいまから審議会を開会させていただきます。 <委嘱状交付> 事務局(中) それでは、梶市長よりごあいさつ申し上げます。 "
        "梶市長 本日は当審議会にご出席いただきありがとうございました。\n"
    )
    assert turns_of(text) == [
        ("中", "official", "それでは、梶市長"),
        ("梶", "official", "本日は当審議会に"),
    ]
    # a roster of posts after a spaced role word is no turn, though an agenda with clauses follows
    assert turns_of("事 務 局 梶市長、横田総務部長、中公共施設管理課長 (1)会議の公開等について\n") == []
    # a post with a unit in parentheses before a list is no label either
    assert turns_of("事務局(企画課) 山田、鈴木\n") == []


def test_a_lost_parenthesis_label_repeating_the_post_after_the_name():
    # `◯ 議長坂井芳浩議長)`: the post before and after the name (DB-Search pages); the name is the speaker
    text = "◯ 議長坂井芳浩議長) ただいまから本日の会議を開きます。\n◯議長溝口伊佐雄) 休憩します。\n"
    assert turns_of(text) == [
        ("坂井芳浩", "chair", "ただいまから本日"),
        ("溝口伊佐雄", "chair", "休憩します。"),
    ]


def test_a_wrapped_roster_item_with_a_head_count_is_no_label():
    text = (
        "3出席者\n(4) 中国電力(古林島根原子力本部長、井田島根原子\n力本部広報部長他5名)\n"
        "(5) 事務局(井田支所長、山本地域振興課長)\n(会長)\n今までの話で何かお聞きしたいところはありますか。\n"
    )
    assert turns_of(text) == [("会長", "chair", "今までの話で何か")]


def test_an_agenda_heading_with_a_seat_like_number_is_no_label():
    text = (
        "○議長(笹木英二君) 異議なしと認めます。\n◎日程3番議案第3号平成23年度一般会計補正予算(第5号)\n"
        "○議長(笹木英二君) 日程3番を議題とします。\n"
    )
    assert [speaker for speaker, _, _ in turns_of(text)] == ["笹木英二", "笹木英二"]
    # a member's seat number in a label is still one
    assert turns_of("◆3番(高橋七重君) 質問します。\n") == [("高橋七重", "member", "質問します。")]


@pytest.mark.parametrize(
    "text",
    [
        "○事務局:企画課、総務課\n",  # a marked field listing units
        "委員/事務局から説明があった。\n",  # a slash between two kinds of people in a sentence
        "議事の経過 事務局から説明した。 各委員 それぞれ意見を述べた。 全委員 賛成した。\n",  # determiners
    ],
)
def test_new_label_rules_leave_fields_and_sentences_alone(text):
    assert turns_of(text) == []
