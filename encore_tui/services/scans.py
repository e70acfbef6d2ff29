"""The scanner's folder and the pages of a scan, for the screens that attach and show scans.

The hall's scanner writes its files into one folder (`scans_dir`, default `<data dir>/scans`);
the app lists them newest first and attaches the one picked through `ro_result.attach_scan`
(hashed and journaled there). To show a scan in the terminal its pages are decoded here:
PNG/JPEG/TIFF with Pillow, PDF pages with `pdftoppm` (poppler-utils) when it is installed.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from encore_tui.services.errors import ServiceError

SCAN_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
MAX_PAGES = 40  # pages decoded to show one scan (a Form 13A bundle is a few pages)
PDF_DPI = 40  # enough for 80 columns × 2 half-block pixels; a page decodes in ~0.1 s


@dataclass(frozen=True)
class ScanFile:
    path: Path
    size: int
    mtime: float

    @property
    def line(self) -> str:
        at = dt.datetime.fromtimestamp(self.mtime).strftime("%d.%m. %H:%M:%S")
        return f"{self.path.name[:36]:<36} {self.size:>9} B  {at}"  # fits the 80-column dialog


def scan_files(folder: Path) -> list[ScanFile]:
    """The scans in the scanner's folder, newest first (PDF, PNG, JPEG, TIFF)."""
    try:
        items = [p for p in Path(folder).iterdir() if p.suffix.lower() in SCAN_SUFFIXES]
        found = [(p, p.stat()) for p in items if p.is_file()]
    except FileNotFoundError:
        raise ServiceError(
            f"The scans folder {folder} does not exist: set scans_dir in the config file to the folder "
            "the scanner writes to, or type the path of the scan."
        ) from None
    except OSError as exc:
        raise ServiceError(f"Cannot read the scans folder {folder}: {exc.strerror}.") from None
    files = [ScanFile(p, st.st_size, st.st_mtime) for p, st in found]
    return sorted(files, key=lambda f: (-f.mtime, f.path.name))


def scan_pages(content: bytes, media_type: str):
    """The pages of a scan as Pillow images (RGB). Raises ServiceError saying what is missing
    when this PC cannot decode it (no Pillow; a PDF without pdftoppm)."""
    try:
        from PIL import Image, ImageSequence
    except ImportError:
        raise ServiceError(
            "This PC cannot show images in the terminal: Pillow is not installed (pip install pillow); "
            "`encore ro scans --export ID -o FILE` writes the scan out to open it elsewhere."
        ) from None
    if media_type == "application/pdf":
        return _pdf_pages(content, Image)
    import io

    try:
        img = Image.open(io.BytesIO(content))
        pages = [
            p.convert("RGB") for _, p in zip(range(MAX_PAGES), ImageSequence.Iterator(img), strict=False)
        ]
    except (OSError, ValueError) as exc:
        raise ServiceError(f"The scan cannot be decoded ({exc}); scan the form again.") from None
    return pages


def _pdf_pages(content: bytes, Image):
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise ServiceError(
            "This PC cannot show PDF scans: pdftoppm is not installed (apt install poppler-utils); "
            "`encore ro scans --export ID -o FILE` writes the scan out to open it elsewhere."
        )
    with tempfile.TemporaryDirectory(prefix="encore-scan-") as tmp:
        src = Path(tmp) / "scan.pdf"
        src.write_bytes(content)
        cmd = [exe, "-r", str(PDF_DPI), "-l", str(MAX_PAGES), "-png", str(src), str(Path(tmp) / "page")]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
        except subprocess.TimeoutExpired:
            raise ServiceError("pdftoppm took more than a minute on this PDF; it is not shown.") from None
        pages = sorted(Path(tmp).glob("page*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[-1]))
        if proc.returncode != 0 or not pages:
            why = (proc.stderr or "no page").strip().splitlines()[-1:] or ["no page"]
            raise ServiceError(f"The PDF scan cannot be shown (pdftoppm: {why[0]}).")
        out = []
        for p in pages:
            with Image.open(p) as im:
                out.append(im.convert("RGB"))
        return out
