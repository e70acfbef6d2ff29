"""Re-make the Hindi screen shots in this folder: `python docs/screenshots/make_screens.py` from
the repo root (needs chromium for the PNGs; the SVGs are written without it).

The app runs headless at 80×24 under `--lang hi` on the fictional bilingual Bihar demo AC with
every round counted (one table kept aside); Textual's `save_screenshot` writes each screen as
an SVG (cells placed as the terminal places them: widgets/cells.py is installed by the app), and
headless chromium renders it to PNG with the bundled Noto Sans Devanagari for the Hindi.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from encore_tui import services  # noqa: E402
from encore_tui.app import EncoreApp  # noqa: E402
from encore_tui.base.config import Settings  # noqa: E402
from encore_tui.services.importing import read_setup_json  # noqa: E402
from encore_tui.store import open_store  # noqa: E402
from tests.test_printing import BIHAR, counted_ac  # noqa: E402

OUT = Path(__file__).resolve().parent


def devanagari_font() -> Path:
    import fontpkg_noto_sans_devanagari as pkg

    fonts = sorted(Path(pkg.__file__).parent.glob("files/*.ttf"))
    return fonts[0]


async def shoot(store) -> dict[str, str]:
    shots: dict[str, str] = {}
    app = EncoreApp(store, Settings(lang="hi"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"operator", "enter", *"1111", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        shots["hindi-dashboard"] = app.export_screenshot(title="encore-tui --lang hi: dashboard")
        app.screen.open_round(2)
        await pilot.pause()
        await pilot.press("right", "right")  # onto the kept-aside table
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        shots["hindi-round-grid"] = app.export_screenshot(title="encore-tui --lang hi: round 2")
    return shots


def to_png(svg: Path, png: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium not found: SVG only", file=sys.stderr)
        return
    text = svg.read_text()
    w, h = (float(x) for x in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', text).groups())
    with tempfile.TemporaryDirectory() as tmp:
        font = Path(tmp) / "deva.ttf"
        shutil.copy(devanagari_font(), font)
        # the SVG names "Fira Code", monospace: Devanagari falls back to the bundled Noto font
        face = f'@font-face {{ font-family: "Deva"; src: url("{font.as_uri()}"); }}'
        text = text.replace("<style>", f"<style>\n{face}", 1).replace(
            "font-family: Fira Code, monospace", 'font-family: "Fira Code", monospace, "Deva"'
        )
        page = Path(tmp) / "page.svg"
        page.write_text(text)
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--window-size={int(w)},{int(h)}", f"--screenshot={png}", page.as_uri()],
            check=True, capture_output=True,
        )  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "demo.db")
        counted_ac(store, read_setup_json(BIHAR))
        services.add_user(store, "operator", "operator", "1111", "Demo Operator")
        shots = asyncio.run(shoot(store))
        store.close()
    for name, svg_text in shots.items():
        svg = OUT / f"{name}.svg"
        svg.write_text(svg_text)
        to_png(svg, OUT / f"{name}.png")
        print(svg, OUT / f"{name}.png")


if __name__ == "__main__":
    main()
