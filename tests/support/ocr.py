"""A printed document read back by OCR, as a person reads the paper (tests/test_printing_ocr.py:
the official documents; tests/test_training_ocr.py: the training sheets, key, report, certificate).

pdftotext reads the characters a PDF *means* (its ToUnicode map), so it cannot see a vowel sign
drawn on the wrong letter. Here each page is rendered (pdftoppm) and read with tesseract: the
Hindi with `-l hin`, the English with `-l eng`, and the words read are compared with the words
printed.

How: pdftotext -bbox-layout gives each printed line with its box and its intended text (its
Devanagari words cut into pieces, which are joined back into the words the document drew). Every
line holding words of the script is cut out of the rendered page (light greys — watermark,
shading, banner — thresholded away), and all the cut lines of a document go to one tesseract run
as a list of one-line images (`--psm 7`), so each line is read on its own and compared with its
own words. A line repeated on later pages (column heads) is read once.

The measure, per document and script: a printed word counts as read when the OCR of its line
holds exactly that word (NFC, joiners and punctuation stripped; no fuzzy match, because a
mis-shaped word such as घोषति for घोषित is one transposed letter away). Every word must be
read, except a few OCR slips, bounded two ways: at most `SLIP_SHARE` (4 %) of a document's
words (but `SLIP_MIN`, 2, always: the training report prints only ~46 Hindi words, and a correct
print of it had 2 slips, ां read as ा and चक्र as पक्र in a 7 pt column head), and fewer than
`SLIP_LINE` (2) in any one line. Measured on correct prints (300 dpi,
tesseract 5 with Debian's tessdata_fast `hin`/`eng`): 0–2 slips in 59–144 words per document
and script, never 2 in a line (ङ read as ड, दल and शक्ति in the 6.5–7.5 pt narrow face, JVP).
A line that skips shaping loses nearly every word with ि, a reph or a conjunct — 2 or more in
any real line — and before the fix 7 of the then 11 documents failed.
"""

from __future__ import annotations

import os
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import require_tool

DPI = 300
LINE_PX = 60  # a line is scaled up to at least this height (tesseract reads ~30 px letters best)
SLIP_SHARE = 0.04
SLIP_MIN = 2
SLIP_LINE = 2
WATERMARK_PT = 25  # taller 'lines' are the 64 pt rotated DRAFT mark, thresholded away

DEVA_WORD = re.compile(r"[\u0900-\u0963\u0970-\u097F]+")  # no danda (0964-5), no digits (0966-6F)
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@dataclass
class Line:
    page: int
    text: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points


def printed_lines(pdf: Path) -> list[Line]:
    """Each text line pdftotext finds, with its box (points) and its intended text."""
    require_tool("pdftotext")
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    root = ET.fromstring(xml)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    out = []
    for pno, page in enumerate(root.iterfind(".//h:page", ns), start=1):
        for line in page.iterfind(".//h:line", ns):
            words = [w.text or "" for w in line.iterfind("h:word", ns)]
            box = tuple(float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))
            out.append(Line(pno, " ".join(words), box))
    return out


def render(pdf: Path, pages: set[int], tmp: Path) -> dict[int, Path]:
    require_tool("pdftoppm")
    out = {}
    for n in sorted(pages):
        prefix = tmp / f"{pdf.stem}-ocr-p{n}"
        # PGM, not PNG: compressing a 300 dpi page cost ~0.8 s of CPU, writing it raw 0.1 s
        args = ["pdftoppm", "-r", str(DPI), "-gray", "-singlefile", "-f", str(n), "-l", str(n)]
        subprocess.run([*args, str(pdf), str(prefix)], check=True)
        out[n] = prefix.with_suffix(".pgm")
    return out


def cut_lines(lines: list[Line], pages: dict[int, Path], tmp: Path, tag: str) -> list[Path]:
    from PIL import Image, ImageOps

    scale = DPI / 72
    opened: dict[int, Image.Image] = {}
    paths = []
    for i, ln in enumerate(lines):
        img = opened.get(ln.page)
        if img is None:
            img = opened[ln.page] = Image.open(pages[ln.page]).convert("L")
        x0, y0, x1, y1 = (v * scale for v in ln.box)
        # pdftotext's box is the font's height (reph and ि's loop included): more would take in
        # the next line of a tight column head. Its right edge can stop short of the last letter
        # (in कि the text rides on the ि glyph drawn first, so the box ends there): half an em more.
        h = y1 - y0
        crop = img.crop((int(x0 - 0.15 * h), int(y0), int(x1 + 0.6 * h), int(y1)))
        crop = crop.point(lambda v: 0 if v < 170 else 255)  # drop the watermark and shading
        if crop.height < LINE_PX:
            f = LINE_PX / crop.height
            crop = crop.resize((int(crop.width * f), LINE_PX), Image.LANCZOS)
        crop = ImageOps.expand(crop, border=LINE_PX // 3, fill=255)  # tesseract wants a margin
        p = tmp / f"{tag}-{i:03d}.png"
        crop.save(p)
        paths.append(p)
    return paths


def require_tesseract(lang: str) -> None:
    """tesseract and its `lang` data: skipped locally without them, a failure under CI (.ci/run
    installs tesseract-ocr and tesseract-ocr-hin)."""
    require_tool("tesseract")
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
    if lang not in langs:
        msg = f"tesseract has no {lang!r} data (Debian: apt-get install tesseract-ocr-{lang})"
        pytest.fail(msg) if os.environ.get("CI") else pytest.skip(msg)


def ocr(jobs: dict[str, list[Path]], tmp: Path, tag: str) -> dict[str, list[str]]:
    """For each language, one tesseract run over all its one-line images (the runs side by
    side, one per core): the texts, in order."""
    procs = {}
    for lang, images in jobs.items():
        require_tesseract(lang)
        listing = tmp / f"{tag}-{lang}.txt"
        listing.write_text("".join(f"{p}\n" for p in images))
        procs[lang] = subprocess.Popen(
            ["tesseract", str(listing), "stdout", "-l", lang, "--psm", "7"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},  # its threads only slowed it on 2 cores
        )
    out = {}
    for lang, proc in procs.items():
        stdout, stderr = proc.communicate()
        assert proc.returncode == 0, f"tesseract -l {lang} failed: {stderr[-500:]}"
        texts = stdout.split("\f")
        assert len(texts) >= len(jobs[lang]), (lang, len(texts), len(jobs[lang]))
        out[lang] = texts[: len(jobs[lang])]
    return out


def words(text: str, script: str) -> list[str]:
    """The words of `script` in `text`: runs of Devanagari letters and signs (digits, danda and
    punctuation cut them), or Latin words of 3 letters or more."""
    text = unicodedata.normalize("NFC", text).replace("\u200c", "").replace("\u200d", "")
    return (DEVA_WORD if script == "hin" else LATIN_WORD).findall(text)


@dataclass
class Reading:
    script: str
    printed: int
    missed: list[tuple[str, str, str]]  # (word, its printed line, what OCR read there)

    @property
    def worst_line(self) -> int:
        per: dict[str, int] = {}
        for _, line, _ in self.missed:
            per[line] = per.get(line, 0) + 1
        return max(per.values(), default=0)

    def report(self) -> str:
        lines = [f"{len(self.missed)} of {self.printed} {self.script} words not read back:"]
        lines += [f"  {w!r} in {line!r} — OCR read {seen!r}" for w, line, seen in self.missed]
        return "\n".join(lines)


def line_words(text: str, script: str, vocabulary: set[str]) -> list[str]:
    """The printed words of a pdftotext line. pdftotext splits a Devanagari word wherever a
    glyph is placed on its own (नि र्वा चन for निर्वाचन), so neighbouring pieces are joined back
    into the longest word the document was asked to print (`vocabulary`): a join is taken when
    every word it makes was printed somewhere (उप-नि र्वा चन → उप, निर्वाचन). The pieces may
    also come in glyph order, not in the text's (क ं ु जी for कुंजी: the anusvara drawn before the
    u sign): a join whose signs after a letter are the printed word's, in another order, is that
    word."""
    by_marks = {_marks_sorted(w): w for w in vocabulary}
    tokens = text.split()
    out, i = [], 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + 8), i, -1):
            joined = [by_marks.get(_marks_sorted(w), w) for w in words("".join(tokens[i:j]), script)]
            if j == i + 1 or (joined and all(w in vocabulary for w in joined)):
                out += joined
                i = j
                break
    return out


def _marks_sorted(word: str) -> str:
    """The word with each run of combining signs (vowel signs, anusvara, virama…) in code-point
    order: the same for the text and for its glyphs in drawing order."""
    out: list[str] = []
    run: list[str] = []
    for ch in word:
        if unicodedata.category(ch)[0] == "M":
            run.append(ch)
        else:
            out += sorted(run)
            run = []
            out.append(ch)
    return "".join(out + sorted(run))


def read_back(pdf: Path, tmp: Path, drawn: list[str]) -> list[Reading]:
    """The document's Hindi read with `-l hin` and its English with `-l eng`, line by line."""
    unique, texts = [], set()
    for ln in printed_lines(pdf):
        # a line repeated (column heads on every page) is read once
        if ln.box[3] - ln.box[1] < WATERMARK_PT and ln.text not in texts:
            texts.add(ln.text)
            unique.append(ln)
    lines = {}  # script -> [(line, its words)]
    for script in ("hin", "eng"):
        vocabulary = {w for text in drawn for w in words(text, script)}
        lines[script] = [(ln, ws) for ln in unique if (ws := line_words(ln.text, script, vocabulary))]
        assert lines[script], f"{pdf.name}: no {script} words printed"
    pages = render(pdf, {ln.page for ls in lines.values() for ln, _ in ls}, tmp)
    jobs = {s: cut_lines([ln for ln, _ in ls], pages, tmp, f"{pdf.stem}-{s}") for s, ls in lines.items()}
    seen = ocr(jobs, tmp, pdf.stem)
    readings = []
    for script, ls in lines.items():
        printed, missed = 0, []
        for (_, ws), got in zip(ls, seen[script], strict=True):
            have = set(words(got, script))
            printed += len(ws)
            missed += [(w, " ".join(ws), " ".join(got.split())) for w in ws if w not in have]
        readings.append(Reading(script, printed, missed))
    return readings


def assert_reads_back(pdf: Path, tmp: Path, drawn: list[str]) -> None:
    for r in read_back(pdf, tmp, drawn):
        allowed = max(SLIP_MIN, SLIP_SHARE * r.printed)
        assert len(r.missed) <= allowed and r.worst_line < SLIP_LINE, f"{pdf.name}: {r.report()}"
