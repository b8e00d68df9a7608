"""Measure the effect of each dictionary change listed in docs/codebook.md §9 (Dictionary audit).

Run from the project root:

    .venv/bin/python docs/dictionary_audit.py > /tmp/audit.md

For every change, the current dictionary is compared with the dictionary where only that change
is undone (`validity.edit_themes`): precision, recall and κ on the seed gold sample's tuning
municipalities and on the other turns whose errors were read while changing the dictionary
(`read`: the whole independent sample and the blind samples' dev half, `validity.BLIND_DEV`),
and κ on the seed held-out municipalities (read in round 3 too). The blind samples' test half
(`validity.BLIND_TEST`) is not scored here, so it stays a test set.
"""

from __future__ import annotations

import pandas as pd

from dxminutes.analysis import themes as th
from dxminutes.analysis import validity as v
from dxminutes.corpus.build import load_corpus

P = th.load_themes()
PROC = {i: p for i, p in enumerate(P.procedural)}

# (entry, theme, change, reason, undo: kwargs of edit_themes)
CHANGES = [
    # ---------------------------------------------------------------- procedural sentences
    (
        "procedural: handout headings 【資料…】",
        "all",
        "new",
        "G2: a list of handouts names documents",
        {"drop_procedural": [PROC[0]]},
    ),
    (
        "procedural: opening/closing a meeting",
        "all",
        "new",
        "G3: 「…本部を開会します」「…研修会を始めます」",
        {"drop_procedural": [PROC[1], PROC[2]]},
    ),
    (
        "procedural: agenda announcements, calls for an explanation",
        "all",
        "new",
        "G3: 「次に、…について事務局から説明をお願いします」",
        {"drop_procedural": [PROC[3], PROC[4], PROC[5]]},
    ),
    (
        "procedural: summary bullets naming what was explained",
        "all",
        "new",
        "G5: 「・DX推進計画について説明」",
        {"drop_procedural": [PROC[6]]},
    ),
    (
        "procedural: calls on the next speaker",
        "all",
        "new",
        "G3: 「はい、今井委員。」",
        {"drop_procedural": [PROC[7]]},
    ),
    (
        "procedural: housekeeping (microphone, minutes, next meeting)",
        "all",
        "new",
        "G3: housekeeping even when it names a digital tool",
        {"drop_procedural": [PROC[8], PROC[9], PROC[10]]},
    ),
    # ---------------------------------------------------------------- dx
    (
        "デジタル, デジタライゼーション, デジタイゼーション",
        "dx",
        "added",
        "definition: digitalisation, the concept of DX (digitisation → digitalisation)",
        {"drop": ["デジタル", "デジタライゼーション", "デジタイゼーション"]},
    ),
    (
        "システム, 情報システム, システム化",
        "dx",
        "added",
        "definition: introducing, using or evaluating systems",
        {"drop": ["システム", "情報システム", "システム化"]},
    ),
    ("IT, IoT", "dx", "added", "definition: ICT (variants)", {"drop": ["IT", "IoT"]}),
    (
        "クラウド, ガバメントクラウド, グループウェア, ノーコード, ローコード, アプリ, チャットボット",
        "dx",
        "added",
        "definition: AI, RPA, no-code tools, cloud, groupware",
        {
            "drop": [
                "クラウド",
                "ガバメントクラウド",
                "グループウェア",
                "ノーコード",
                "ローコード",
                "アプリ",
                "チャットボット",
            ]
        },
    ),
    (
        "オンライン, 電子決裁, 電子化, 電子的, 電子データ, 電子媒体, PDF化",
        "dx",
        "added",
        "definition: online procedures, e-application, electronic approval; B-dx-2",
        {"drop": ["オンライン", "電子決裁", "電子化", "電子的", "電子データ", "電子媒体", "PDF化"]},
    ),
    (
        "pattern 紙による決裁 / 紙媒体 / 紙と判子 / 押印",
        "dx",
        "added",
        "B-dx-2: saying a process is still on paper is about the level of digitalisation",
        {"drop": [P["dx"].patterns[2]]},
    ),
    (
        "オープンデータ, ビッグデータ, EBPM, pattern データ活用/利活用/連携/分析/化",
        "dx",
        "added",
        "definition: data use, open data, EBPM as part of the digital agenda",
        {"drop": [P["dx"].patterns[3], "オープンデータ", "ビッグデータ", "EBPM"]},
    ),
    (
        "bare データ not a term (only the data-use pattern)",
        "dx",
        "narrowed",
        "bare データ also fires on backups and 'important data' (security, G6)",
        {"add_terms": ["データ"]},
    ),
    (
        "マイナンバー, マイナンバーカード, マイナポータル",
        "dx",
        "added",
        "definition: My Number Card as digital infrastructure",
        {"drop": ["マイナンバー", "マイナンバーカード", "マイナポータル"]},
    ),
    (
        "標準化, 共通化, 共同調達",
        "dx",
        "added",
        "definition: system standardisation, joint procurement",
        {"drop": ["標準化", "共通化", "共同調達"]},
    ),
    (
        "UX, UI, ユーザーインターフェース, ユーザーインタフェース, ユーザーエクスペリエンス",
        "dx",
        "added",
        "frame convenience: usability/UX of digital services",
        {
            "drop": [
                "UX",
                "UI",
                "ユーザーインターフェース",
                "ユーザーインタフェース",
                "ユーザーエクスペリエンス",
            ]
        },
    ),
    (
        "テレワーク, 働き方, 意識改革, スマート化",
        "dx",
        "added (意識改革, 働き方 moved from staffing)",
        "frame organisation: telework, new ways of working, mindset (6.3)",
        {"drop": ["テレワーク", "働き方", "意識改革", "スマート化"]},
    ),
    (
        "exclude: names of plans, bodies and units (…情報化推進計画, DX推進本部, デジタル推進課)",
        "dx",
        "new exclude",
        "G2: names are not content",
        {"drop": [P["dx"].exclude[1]]},
    ),
    (
        "exclude: システム…セキュリティ (システムのセキュリティ, システム面での技術的セキュリティ)",
        "dx",
        "new exclude",
        "G6: the security of systems is security, not digitalisation",
        {"drop": [P["dx"].exclude[2]]},
    ),
    # ---------------------------------------------------------------- security
    (
        "流出, 機密, 極秘, 秘密情報",
        "security",
        "added",
        "definition: confidentiality, leaks, classified documents",
        {"drop": ["流出", "機密", "極秘", "秘密情報"]},
    ),
    (
        "閉域網, アクセス権, pattern ネットワークを分離",
        "security",
        "added",
        "definition: network separation (閉域網), access rights",
        {"drop": ["閉域網", "アクセス権", P["security"].patterns[3]]},
    ),
    (
        "バックアップ, システム障害, システムダウン",
        "security",
        "added",
        "definition: integrity and availability; B-sec-4",
        {"drop": ["バックアップ", "システム障害", "システムダウン"]},
    ),
    (
        "exclude (新型)コロナウイルス",
        "security",
        "new exclude",
        "a disease, not malware",
        {"drop": [P["security"].exclude[0]]},
    ),
    (
        "audit pattern without デジタル監査",
        "security",
        "narrowed",
        "auditing of digital projects is not information security (only audits of information systems)",
        {
            "drop": [P["security"].patterns[1]],
            "add_patterns": ["(情報セキュリティ|セキュリティ|情報|システム|デジタル|IT|ICT)監査"],
        },
    ),
    # ---------------------------------------------------------------- staffing
    (
        "職員 → patterns 職員の数/配置/異動/育成/研修/教育/確保/採用/負担/能力/スキル/知識/不足/削減, 職員への研修",
        "staffing",
        "narrowed",
        "staff are named in passing everywhere; the theme is their numbers, skills, development, burden",
        {"drop": [P["staffing"].patterns[0], P["staffing"].patterns[1]], "add_terms": ["職員"]},
    ),
    (
        "意識改革 removed",
        "staffing",
        "removed",
        "6.3: mindset alone is dx:organisation, not staffing",
        {"add_terms": ["意識改革"]},
    ),
    (
        "働き方 removed",
        "staffing",
        "removed",
        "codebook: telework and new ways of working are dx:organisation",
        {"add_terms": ["働き方"]},
    ),
    (
        "勉強会, IT人材, 人手, 職員数, 定員, 採用, 異動, 人事, ローテーション, 配置換え",
        "staffing",
        "added",
        "definition: numbers of staff, training, recruitment, retention and rotation",
        {
            "drop": [
                "勉強会",
                "IT人材",
                "人手",
                "職員数",
                "定員",
                "採用",
                "異動",
                "人事",
                "ローテーション",
                "配置換え",
            ]
        },
    ),
    (
        "専門家, 専門職, 専門技術者, アドバイザー, アドバイザリー, コンサルタント, コンサルティング, 伴走, 民間委託",
        "staffing",
        "added",
        "frame outside: advisers, consultants, specialist hiring, 伴走 support, outsourcing",
        {
            "drop": [
                "専門家",
                "専門職",
                "専門技術者",
                "アドバイザー",
                "アドバイザリー",
                "コンサルタント",
                "コンサルティング",
                "伴走",
                "民間委託",
            ]
        },
    ),
    (
        "専管, 担当部署, 責任者, 推進員, 推進リーダー, 組織, 部局, 役割",
        "staffing",
        "added",
        "frame structure: responsible unit, dedicated department, roles, DX leaders per section",
        {"drop": ["専管", "担当部署", "責任者", "推進員", "推進リーダー", "組織", "部局", "役割"]},
    ),
    (
        "メンタルヘルス, 心身, 休職; pattern 負担が大きい/膨大な負担",
        "staffing",
        "added",
        "B-st-1 workload as a problem, B-st-3 staff health",
        {"drop": ["メンタルヘルス", "心身", "休職", P["staffing"].patterns[2]]},
    ),
    (
        "exclude 負担の軽減/削減",
        "staffing",
        "new exclude",
        "6.2: burden reduction as a benefit of a tool is dx:efficiency",
        {"drop": [P["staffing"].exclude[3]]},
    ),
    # ---------------------------------------------------------------- digital divide
    (
        "窓口 → patterns 対面/有人窓口, 窓口での支援/相談/案内, 窓口を残す",
        "digital_divide",
        "narrowed",
        "any counter (窓口対応, 窓口での手続き) is not in-person support; the theme is keeping human help",
        {"drop": [P["digital_divide"].patterns[3]], "add_terms": ["窓口"]},
    ),
    (
        "barrier pattern without 来られない/来庁できない",
        "digital_divide",
        "narrowed",
        "codebook: 「市役所に来られない人でも…手続きができる」 is dx:convenience, nobody is left behind",
        {
            "drop": [P["digital_divide"].patterns[0]],
            "add_patterns": [
                "(来られない|来庁できない|行けない|使えない|使いこなせない|ついていけない)(人|方)"
            ],
        },
    ),
    (
        "barrier pattern + 利用できない/持っていない/苦手な/わからない人・方",
        "digital_divide",
        "added",
        "definition: people without devices, skills or willingness; inclusion: people who cannot keep up",
        {
            "drop": [P["digital_divide"].patterns[0]],
            "add_patterns": ["(使えない|使いこなせない|ついていけない)(人|方)"],
        },
    ),
    (
        "情報弱者, デジタル弱者, 障害のある, 障がいのある, 外国人, 多言語, アクセシビリティ, ユニバーサルデザイン",
        "digital_divide",
        "added",
        "definition: accessibility, disabilities, foreign residents",
        {
            "drop": [
                "情報弱者",
                "デジタル弱者",
                "障害のある",
                "障がいのある",
                "外国人",
                "多言語",
                "アクセシビリティ",
                "ユニバーサルデザイン",
            ]
        },
    ),
    (
        "pattern 市民/区民/住民のリテラシー",
        "digital_divide",
        "added",
        "definition: residents' information literacy (and, by the longest match, not staff リテラシー)",
        {"drop": [P["digital_divide"].patterns[4]]},
    ),
    (
        "patterns 情報が市民に届く/市民が情報を受けられる, 市民の理解",
        "digital_divide",
        "added",
        "definition and B-dd-3: information reaching and understood by all residents",
        {"drop": [P["digital_divide"].patterns[5], P["digital_divide"].patterns[6]]},
    ),
    # ================================================================ round 2 (independent dev)
    # ---------------------------------------------------------------- procedural sentences
    (
        "procedural: opening anywhere in the sentence (定刻となりましたので、ただいまから…)",
        "all",
        "new",
        "G3: opening and closing; the old pattern only matched at the sentence start",
        {"drop_procedural": [PROC[11]]},
    ),
    (
        "procedural: agenda items taken up or read out (…を議題とし, 日程第N, 本日の案件は, 議事に入ります)",
        "all",
        "new",
        "G2/G3: agenda items are names; taking them up is procedure",
        {"drop_procedural": [PROC[12], PROC[13], PROC[14], PROC[15]]},
    ),
    (
        "procedural: recess, objections, votes and decisions (休憩します, 御異議ありませんか, 可決されました)",
        "all",
        "new",
        "G3: procedure",
        {"drop_procedural": [PROC[16], PROC[17], PROC[18], PROC[19]]},
    ),
    (
        "procedural: assembly floor (3番、…議員。 / …君。 / 発言を許します / 質疑を終結 / 採決 / 日程の追加)",
        "all",
        "new",
        "G3: calling on the next speaker, closing debate, votes",
        {"drop_procedural": [PROC[i] for i in range(20, 27)]},
    ),
    (
        "procedural: self-introduction (…部長の深井でございます。)",
        "all",
        "new",
        "G3: a speaker naming themself and their title (G2) says nothing about a theme",
        {"drop_procedural": [PROC[27]]},
    ),
    (
        "procedural: this meeting's materials, format and public (tablets, online session, 傍聴)",
        "all",
        "new",
        "G3: housekeeping even when it names a digital tool",
        {"drop_procedural": [PROC[28], PROC[29], PROC[30]]},
    ),
    (
        "procedural: order of business and materials to bring (次第のとおり, お持ちください)",
        "all",
        "new",
        "G3: housekeeping",
        {"drop_procedural": [PROC[31], PROC[32], PROC[33]]},
    ),
    # ---------------------------------------------------------------- dx
    (
        "exclude: names with words between (デジタル社会構想会議, デジタルサービス局, IT戦略本部, ICT活用戦略, デジタル庁)",
        "dx",
        "new exclude",
        "G2: names of bodies, units, named IT strategies and events",
        {"drop": [P["dx"].exclude[2]]},
    ),
    (
        "exclude: a handout cited with its title (【資料4】…の変遷)",
        "dx",
        "new exclude",
        "G2: document titles",
        {"drop": [P["dx"].exclude[6]]},
    ),
    (
        "exclude: quoted titles of plans, strategies, reports (「…計画」)",
        "dx",
        "new exclude",
        "G2: names of plans",
        {"drop": [P["dx"].exclude[7]]},
    ),
    (
        "context: システム only with a digital/IT word in the sentence",
        "dx",
        "narrowed",
        "§2: introducing, using or evaluating ICT and systems; 社会保障システム is no IT system",
        {"drop_context": ["システム"]},
    ),
    (
        "context: 働き方, 意識改革 only in a digital context",
        "dx",
        "narrowed",
        "6.3/6.4: mindset and ways of working are dx:organisation in a digital context",
        {"drop_context": ["働き方", "意識改革"]},
    ),
    (
        "電子決済, スマホ決済, 電子証明書, 公的個人認証, 電子署名, プラットフォーム, 共通基盤",
        "dx",
        "added",
        "definition: e-payment, digital ID, shared platforms",
        {
            "drop": [
                "電子決済",
                "スマホ決済",
                "電子証明書",
                "公的個人認証",
                "電子署名",
                "プラットフォーム",
                "共通基盤",
            ]
        },
    ),
    (
        "情報通信技術, 電算, Web会議, ウェブ会議, リモート",
        "dx",
        "added",
        "definition: ICT (in Japanese), computing, remote work (6.3 telework)",
        {"drop": ["情報通信技術", "電算", "Web会議", "ウェブ会議", "リモート"]},
    ),
    (
        "pattern 電子で/により/による/上で",
        "dx",
        "added",
        "definition: online procedures, doing it electronically",
        {"drop": [P["dx"].patterns[4]]},
    ),
    # ---------------------------------------------------------------- security
    (
        "exclude: names of ordinances, laws and boards (個人情報保護条例, 情報公開・個人情報保護審査会)",
        "security",
        "new exclude",
        "G2 and §3: disclosure boards and the legal basis are names",
        {"drop": [P["security"].exclude[1]]},
    ),
    (
        "exclude: a handout cited with its title",
        "security",
        "new exclude",
        "G2",
        {"drop": [P["security"].exclude[4]]},
    ),
    (
        "context: 流出, 漏えい, 漏洩, バックアップ, ウイルス, ウィルス, インシデント only with an information word",
        "security",
        "narrowed",
        "§3: 人口流出, ガス漏れ, diseases and support set-ups are not information",
        {"drop_context": ["流出", "漏えい", "漏洩", "バックアップ", "ウイルス", "ウィルス", "インシデント"]},
    ),
    # ---------------------------------------------------------------- staffing
    (
        "pattern 知らない/使えない/不慣れな…職員",
        "staffing",
        "added",
        "definition: skills and literacy of staff",
        {"drop": [P["staffing"].patterns[3]]},
    ),
    (
        "pattern …課が所管/…課で調達し管理運用",
        "staffing",
        "added",
        "definition: which unit is responsible (structure; 6.5)",
        {"drop": [P["staffing"].patterns[4]]},
    ),
    (
        "メンタル, 心のケア, 臨床心理士, 心を病",
        "staffing",
        "added",
        "B-st-3: staff counselling and health",
        {"drop": ["メンタル", "心のケア", "臨床心理士", "心を病"]},
    ),
    (
        "exclude 人事案件/人事案",
        "staffing",
        "new exclude",
        "G3: the assembly's consent to appointments is an agenda category",
        {"drop": [P["staffing"].exclude[4]]},
    ),
    (
        "exclude 組織する (verb)",
        "staffing",
        "new exclude",
        "「事務組合を組織する団体」 is no structure of the administration",
        {"drop": [P["staffing"].exclude[5]]},
    ),
    (
        "exclude 人員/定員…計画",
        "staffing",
        "new exclude",
        "G2: names of staffing plans",
        {"drop": [P["staffing"].exclude[6]]},
    ),
    (
        "exclude: a handout cited with its title",
        "staffing",
        "new exclude",
        "G2",
        {"drop": [P["staffing"].exclude[7]]},
    ),
    (
        "exclude 組織力/組織風土/組織文化/組織も意識も",
        "staffing",
        "new exclude",
        "6.3: culture and mindset are dx:organisation",
        {"drop": [P["staffing"].exclude[8]]},
    ),
    (
        "context: 採用, 体制, 人材, 育成, 定員, 役割, 専門家, 人事 only with a staff/structure word",
        "staffing",
        "narrowed",
        "§4: the administration's human resources (採用 = adopt, 保育所の定員, 医療体制, 地域の人材)",
        {"drop_context": ["採用", "体制", "人材", "育成", "定員", "役割", "専門家", "人事"]},
    ),
    (
        "context: 研修 not of council members, association members, residents or volunteers",
        "staffing",
        "narrowed",
        "§4: experts teaching residents are digital_divide; training of non-staff is not staffing",
        {"drop_context": ["研修"]},
    ),
    # ---------------------------------------------------------------- digital divide
    (
        "context: 高齢者, 障害者, 外国人, 対面, 寄り添, 誰一人, 講習会 … only with a digital/access word",
        "digital_divide",
        "narrowed",
        "§5 does not count: elderly welfare unrelated to digital or access questions",
        {"drop_context": [e for e, _ in P["digital_divide"].context]},
    ),
    # ================================================================ round 3
    (
        "procedural: a whole sentence in parentheses (placeholder, stage note)",
        "all",
        "new",
        "G9: 「(理事者紹介~区長部局分)」 stands for omitted speech",
        {"drop_procedural": [PROC[34]]},
    ),
    (
        "procedural: attendance notices (…にもご出席いただいております)",
        "all",
        "new",
        "G3",
        {"drop_procedural": [PROC[35]]},
    ),
    (
        "procedural: introductions and changes of members or staff",
        "all",
        "new",
        "G3: 「新任職員の紹介をお願いします」「人事異動のため…委員に替わり」",
        {"drop_procedural": [PROC[36], PROC[37], PROC[38]]},
    ),
    (
        "procedural: asking a named person for comments",
        "all",
        "new",
        "G3: 「…推進員さんはいかがでしょう」",
        {"drop_procedural": [PROC[39]]},
    ),
    (
        "procedural: calls for opinions on an item",
        "all",
        "new",
        "G3: 「DX推進方針については何かご意見はありますか」",
        {"drop_procedural": [PROC[40]]},
    ),
    (
        "procedural: announcing the topic of an answer",
        "all",
        "new",
        "G3: 「職員の配置についてお答えいたします」",
        {"drop_procedural": [PROC[41]]},
    ),
    (
        "procedural: numbered headings naming a question item",
        "all",
        "new",
        "G2, G5: 「(2)行政手続のオンライン化について。」",
        {"drop_procedural": [PROC[42]]},
    ),
    (
        "端末, タブレット, パソコン, ソフトウェア, 無線LAN, Wi-Fi, ICT機器, 情報機器, GIGAスクール",
        "dx",
        "added",
        "definition: introducing, using or evaluating ICT (devices, networks)",
        {
            "drop": [
                "端末",
                "タブレット",
                "パソコン",
                "ソフトウェア",
                "無線LAN",
                "Wi-Fi",
                "WiFi",
                "ICT機器",
                "情報機器",
                "GIGAスクール",
            ]
        },
    ),
    (
        "context: devices only when the administration provides or uses them",
        "dx",
        "narrowed",
        "G6, 6.6: residents' own familiarity with devices is the divide",
        {"drop_context": ["端末", "タブレット", "パソコン", "ICT機器", "情報機器"]},
    ),
    (
        "exclude: names ending in 委員長 (デジタル社会実現特別委員長)",
        "dx",
        "narrowed",
        "G2",
        {"drop": [P["dx"].exclude[2]], "add_exclude": [P["dx"].exclude[2].replace("|委員長", "")]},
    ),
    (
        "exclude: system failures and outages",
        "dx",
        "new exclude",
        "G6: availability is security (§3)",
        {"drop": [P["dx"].exclude[4]]},
    ),
    (
        "exclude デジタルネイティブ",
        "dx",
        "new exclude",
        "§2: a generation, society at large",
        {"drop": [P["dx"].exclude[5]]},
    ),
    (
        "pattern: system outages",
        "security",
        "added",
        "§3 availability: 「システムが…トラブルでダウン」",
        {"drop": [P["security"].patterns[4]]},
    ),
    (
        "exclude: requests to see one's own records (保有個人情報, 開示請求)",
        "security",
        "new exclude",
        "§3 does not count: disclosure decisions",
        {"drop": [P["security"].exclude[2]]},
    ),
    (
        "exclude サイバーメディアセンター",
        "security",
        "new exclude",
        "G2: a name",
        {"drop": [P["security"].exclude[3]]},
    ),
    (
        "exclude 組織的/人的対策",
        "staffing",
        "new exclude",
        "G6: measures of information security",
        {"drop": [P["staffing"].exclude[9]]},
    ),
    (
        "pattern 人的(な)?資源",
        "staffing",
        "added",
        "§4: the administration's human resources",
        {"drop": [P["staffing"].patterns[5]]},
    ),
    (
        "context: 伴走 only for the administration",
        "staffing",
        "narrowed",
        "B-st-2: 伴走型相談支援 for parents is no staffing",
        {"drop_context": ["伴走"]},
    ),
    (
        "context: 人手, 人手不足 only of the administration",
        "staffing",
        "narrowed",
        "§4: labour shortage of society or the economy",
        {"drop_context": ["人手", "人手不足"]},
    ),
    (
        "context: 部局 only with a structure word",
        "staffing",
        "narrowed",
        "§4: 「部局ごとに」 says nothing on structure",
        {"drop_context": ["部局"]},
    ),
    (
        "context: 役割 without デジタル/DX as context words",
        "staffing",
        "narrowed",
        "§4: 「デジタルを用いて…市町村の役割が重要」 is no statement on staff",
        {
            "drop_context": ["役割"],
            "add_context": {"役割": P["staffing"].context_for("役割") + "|デジタル|DX"},
        },
    ),
    (
        "context: 勉強会 like 研修, not on inspection visits",
        "staffing",
        "narrowed",
        "§4: council members' study sessions are not staff training",
        {"drop_context": ["勉強会"]},
    ),
    (
        "pattern: the gap as two groups (使える人とそうでない人)",
        "digital_divide",
        "added",
        "§5 definition: the gap between who can and cannot use digital services",
        {"drop": [P["digital_divide"].patterns[1]]},
    ),
    (
        "procedural: reading out an agenda item's title (議題1「…」)",
        "all",
        "new",
        "G3",
        {"drop_procedural": [PROC[43]]},
    ),
    (
        "pattern: internet connections and lines (インターネット回線, 高速回線, 通信環境)",
        "dx",
        "added",
        "§2: introducing ICT infrastructure",
        {"drop": [P["dx"].patterns[5]]},
    ),
    (
        "pattern: overtime (時間外勤務, 超過勤務, 残業)",
        "staffing",
        "added",
        "B-st-1: workload of staff",
        {"drop": [P["staffing"].patterns[6]]},
    ),
    (
        "pattern: staff numbers changed (増員, 人員削減)",
        "staffing",
        "added",
        "§4: numbers of staff",
        {"drop": [P["staffing"].patterns[7]]},
    ),
    (
        "pattern: 職員の before a digital training or skill word (only 職員の is matched)",
        "staffing",
        "added",
        "6.1: digital training is dx and staffing",
        {"drop": [P["staffing"].patterns[8]]},
    ),
    (
        "マンパワー (with the 人手 context)",
        "staffing",
        "added",
        "B-st-1: shortage of manpower",
        {"drop": ["マンパワー"]},
    ),
    (
        "context: 組織 only with a word of the administration",
        "staffing",
        "narrowed",
        "§4: residents' organisations (住民自治組織) and the assembly's committees are not staff structure",
        {"drop_context": ["組織"]},
    ),
    (
        "context: 脆弱性 only with an information word",
        "security",
        "narrowed",
        "§3: 「備えの脆弱性」 of social security is no vulnerability of information",
        {"drop_context": ["脆弱性"]},
    ),
    (
        "patterns: residents left out (使いこなせていない市民, アクセスできない人), information reaching them, seniors and devices",
        "digital_divide",
        "added",
        "§5 definition and B-dd-3",
        {
            "drop": [
                P["digital_divide"].patterns[7],
                P["digital_divide"].patterns[8],
                P["digital_divide"].patterns[9],
            ]
        },
    ),
    (
        "置いてきぼり, 置き去り (with the digital/access context)",
        "digital_divide",
        "added",
        "§5: nobody left behind",
        {"drop": ["置いてきぼり", "置き去り"]},
    ),
    (
        "procedural: asking the executive to explain an item (当局からの説明を求めます)",
        "all",
        "new",
        "G3",
        {"drop_procedural": [PROC[44]]},
    ),
    (
        "procedural: placeholders in ≪ ≫",
        "all",
        "new",
        "G9: 「≪…が資料に基づき説明≫」",
        {"drop_procedural": [PROC[45]]},
    ),
    (
        "exclude 人事院, 人事委員会",
        "staffing",
        "new exclude",
        "§4: pay recommendations are remuneration",
        {"drop": [P["staffing"].exclude[10]]},
    ),
    (
        "exclude 人員/定員…方針",
        "staffing",
        "new exclude",
        "G2: names of staffing policies",
        {"drop": [P["staffing"].exclude[11]]},
    ),
    (
        "pattern: ICT support staff (ICT支援員; only 支援員 is matched)",
        "staffing",
        "added",
        "6.1: ICT support staff are capacity to digitalise",
        {"drop": [P["staffing"].patterns[9]]},
    ),
    (
        "context: a growing burden only where staff or work are named",
        "staffing",
        "narrowed",
        "§4: 「消費税の負担増」 is no staff workload",
        {"drop_context": [P["staffing"].patterns[2]]},
    ),
    (
        "exclude サイバー犯罪",
        "security",
        "new exclude",
        "§3 does not count: crime against residents",
        {"drop": [P["security"].exclude[5]]},
    ),
]


def _fmt(before, after):
    if pd.isna(before) and pd.isna(after):
        return "n/a"
    if abs(after - before) < 5e-4:
        return f"{after:.2f} (=)"
    return f"{before:.2f}→{after:.2f}"


def main() -> None:
    turns = load_corpus().turns
    gold = v.match_gold(v.read_gold(), turns)
    iturns, igold = v.independent_sample()
    bturns, bgold = v.blind_sample()
    bgold = bgold[bgold["municipality"] == v.BLIND_DEV]
    bturns = bturns[bturns["turn_id"].isin(bgold["turn_id"])]
    munis = list(pd.unique(gold["municipality"]))
    subsets = {
        "tuning": [m for m in munis if m in v.TUNING_MUNICIPALITIES],
        "held_out": [m for m in munis if m not in v.TUNING_MUNICIPALITIES],
    }
    read = {"read": ["read"]}
    other = pd.concat(
        [igold.assign(municipality="read"), bgold.assign(municipality="read")], ignore_index=True
    )
    other_turns = pd.concat([iturns, bturns], ignore_index=True)

    def score(ts):
        a = v.agreement(gold, th.code_turns(turns, ts), subsets=subsets, n_boot=0, random_state=0)
        b = v.agreement(other, th.code_turns(other_turns, ts), subsets=read, n_boot=0, random_state=0)
        return pd.concat([a, b]).set_index(["subset", "theme", "metric"])["value"]

    columns = [
        ("tuning", "precision"),
        ("tuning", "recall"),
        ("tuning", "kappa"),
        ("read", "precision"),
        ("read", "recall"),
        ("read", "kappa"),
        ("held_out", "kappa"),
    ]
    now = score(P)
    print(
        "| entry | theme | change | reason | tuning P | tuning R | tuning κ | read P | read R | read κ | held-out κ |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for entry, theme, change, reason, undo in CHANGES:
        key = None if theme == "all" else theme
        was = score(v.edit_themes(P, key, **undo))
        affected = (
            [theme]
            if key
            else [
                t
                for t in P.keys
                if not (now.xs(t, level="theme") - was.xs(t, level="theme")).abs().fillna(0).lt(5e-4).all()
            ]
        )
        for t in affected or ["(none)"]:
            if t == "(none)":
                print(f"| {entry} | all | {change} | {reason} | (no change) | | | | | | |")
                continue
            cells = [_fmt(was[(s, t, m)], now[(s, t, m)]) for s, m in columns]
            print(f"| {entry} | {t} | {change} | {reason} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
