"""The PDF reader: pdfminer's font warnings stay out of the user's console, and a PDF text layer
with CJK radical code points (as browsers and word processors print them) loads as plain kanji.

The PDFs are written in the test with matplotlib's PDF backend (`pdf.fonttype` 42 embeds the
Japanese font of japanize-matplotlib with a ToUnicode map, so pdfminer reads the text back).
"""

from __future__ import annotations

import logging

import pytest

from dxminutes.corpus import readers
from dxminutes.corpus.build import load_document

LINES = [
    "柏原市 行政改革推進委員会 会議録",
    "令和6年7月17日",
    "○委員⻑ これより開会します。",
    "○佐藤委員 市⺠の意見を聞きました。",
    "○副市⻑ お答えします。",
]
FONT_WARNING = "Could not get FontBBox"


def write_pdf(path, pages: int = 3, *, drop_font_bbox: bool = False):
    """A text-layer PDF of `LINES` on each page; `drop_font_bbox` renames the FontBBox key of the
    font descriptors (same length, so the xref offsets stay right), as some producers omit it."""
    import japanize_matplotlib  # noqa: F401  (a Japanese font)
    import matplotlib
    from matplotlib import pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        for _ in range(pages):
            figure = plt.figure(figsize=(8, 6))
            for i, line in enumerate(LINES):
                figure.text(0.05, 0.9 - 0.1 * i, line, fontsize=14)
            pdf.savefig(figure)
            plt.close(figure)
    if drop_font_bbox:
        data = path.read_bytes()
        assert b"/FontBBox" in data
        path.write_bytes(data.replace(b"/FontBBox", b"/FontBBoy"))
    return path


@pytest.fixture
def noisy_pdf(tmp_path):
    return write_pdf(tmp_path / "noisy.pdf", drop_font_bbox=True)


def test_the_fixture_pdf_does_make_pdfminer_warn(noisy_pdf, caplog):
    """Without the reader's guard, pdfminer warns about the font (so the next test can fail)."""
    from pdfminer.high_level import extract_text

    with caplog.at_level(logging.WARNING):
        extract_text(noisy_pdf)
    assert sum(FONT_WARNING in r.getMessage() for r in caplog.records) >= 2


def test_pdf_read_emits_no_pdfminer_warnings(noisy_pdf, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    raw = readers.read_raw(noisy_pdf)
    assert "開会します" in raw.text
    assert not [r for r in caplog.records if r.name.startswith("pdfminer") and r.levelno < logging.ERROR]
    captured = capsys.readouterr()
    assert FONT_WARNING not in captured.err and FONT_WARNING not in captured.out


def test_pdfminer_logger_level_is_restored(noisy_pdf):
    logger = logging.getLogger(readers.PDFMINER_LOGGER)
    before = logger.level
    logger.setLevel(logging.INFO)
    try:
        readers.read_raw(noisy_pdf)
        assert logger.level == logging.INFO
    finally:
        logger.setLevel(before)


def test_pdf_with_radical_code_points_loads_as_kanji(tmp_path):
    path = write_pdf(tmp_path / "minutes.pdf", pages=1)
    raw = readers.read_raw(path)
    assert "⻑" in raw.text and "⺠" in raw.text  # the text layer does carry the radicals
    corpus = load_document(path)
    assert list(corpus.turns["speaker_label"]) == ["○委員長", "○佐藤委員", "○副市長"]
    assert list(corpus.turns["role"]) == ["chair", "member", "official"]
    assert corpus.turns["text"].iloc[1] == "市民の意見を聞きました。"
    steps = corpus.cleaning.set_index("step")
    assert steps.loc["normalize_radicals", "n_changes"] == 3
