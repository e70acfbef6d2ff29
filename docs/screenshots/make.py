"""Re-make the PNG pages in this folder: `python docs/screenshots/make.py` from the repo root
(needs pdftoppm). Uses the fictional bilingual Bihar demo AC with every round counted, one
table kept aside, and round 1 corrected after approval."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from encore_tui import services  # noqa: E402
from encore_tui.printing import documents  # noqa: E402
from encore_tui.services.importing import read_setup_json  # noqa: E402
from encore_tui.store import open_store  # noqa: E402
from tests.conftest import RO  # noqa: E402
from tests.test_printing import BIHAR, counted_ac  # noqa: E402

OUT = Path(__file__).resolve().parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "demo.db")
        ac_id, _ = counted_ac(store, read_setup_json(BIHAR))
        e = services.round_view(store, ac_id, 1).entries[4]
        services.open_correction(store, ac_id, 1, "Table 5 keyed from the wrong Form 17C sheet", RO)
        services.enter_cell(store, ac_id, 1, e.station, "c1", e.values["c1"] - 5, RO)
        services.enter_cell(store, ac_id, 1, e.station, "c2", e.values["c2"] + 5, RO)
        services.approve_round(store, ac_id, 1, RO)
        for r in (2, 3):
            services.approve_round(store, ac_id, r, RO)
        docs = {
            "round-sheet": documents.round_sheet(store, ac_id, 2, printed_by="Demo Operator"),
            "postal-round": documents.round_sheet(store, ac_id, 0, printed_by="Demo Operator"),
            "postal-result": documents.postal_sheet(store, ac_id),
            "form20": documents.form20(store, ac_id),
            "form21c": documents.form21c(store, ac_id),
            "form21e": documents.form21e(store, ac_id),
            "form22": documents.form22(store, ac_id),
            "correction-annex": documents.correction_annex(store, ac_id, 1),
        }
        for name, data in docs.items():
            pdf = Path(tmp) / f"{name}.pdf"
            pdf.write_bytes(data)
            for old in OUT.glob(f"{name}-*.png"):
                old.unlink()
            subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(OUT / name)], check=True)
        store.engine.dispose()
    print("\n".join(sorted(p.name for p in OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
