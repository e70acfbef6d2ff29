"""Scans from the app: the list of a round's (or the result's) attached scans, attaching a new
one from the scanner's folder (newest first, Enter picks; a typed path works too), and a
keyboard-only viewer that draws a scan's pages in the terminal (PgDn/PgUp page through).

Every attachment is one call to `services.ro_result.attach_scan_file` (hashed and journaled
there); the service decides who may attach what."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from encore_tui.base.i18n import t, t_msg
from encore_tui.screens.base import SessionScreen
from encore_tui.screens.common import local_time, user_errors
from encore_tui.screens.messages import not_saved
from encore_tui.widgets.footer import FittingFooter

MAX_LISTED = 200  # files of the scanner's folder listed (newest first)


class PurposeDialog(ModalScreen["str | None"]):
    """Which form the scan is (when a screen attaches more than one kind)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, purposes: tuple[str, ...]) -> None:
        super().__init__()
        self.purposes = purposes

    def compose(self) -> ComposeResult:
        from encore_tui.services.ro_result import PURPOSES

        with Vertical(classes="dialog"):
            yield Static(t("Attach a scan of which form?"), classes="dialog-title")
            yield OptionList(*[Option(t(PURPOSES[p]), id=p) for p in self.purposes], id="purposes")
            yield Static(
                t("↑↓ choose · Enter select · Esc: {cancel}", cancel=t("Cancel")), classes="dialog-hint"
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#purposes")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ScanPicker(ModalScreen["str | None"]):
    """The scanner's folder, newest first: Enter picks a file; or type a path and press Enter."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, folder: Path) -> None:
        super().__init__()
        self.title_text, self.folder = title, folder

    def compose(self) -> ComposeResult:
        from encore_tui.services.scans import scan_files

        try:
            files, problem = scan_files(self.folder)[:MAX_LISTED], ""
        except user_errors() as exc:
            files, problem = [], str(exc)
        self.files = files
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(
                problem
                or (
                    t("{folder} (newest first)", folder=self.folder)
                    if files
                    else t("{folder}: no scan yet.", folder=self.folder)
                ),
                id="picker-where",
                markup=False,
            )
            if files:
                yield OptionList(*[Option(f.line, id=str(i)) for i, f in enumerate(files)], id="files")
            yield Input(placeholder=t("or type the path of the scan"), id="path")
            yield Static(
                t("↑↓ choose · Enter attach · Tab: type a path · Esc: {cancel}", cancel=t("Cancel")),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        (self.query_one("#files") if self.files else self.query_one("#path")).focus()

    @on(OptionList.OptionSelected, "#files")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(self.files[int(event.option.id)].path))

    @on(Input.Submitted, "#path")
    def _typed(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.query_one("#picker-where", Static).update(
                t("Type the path of the scan, or pick a file above.")
            )
            return
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.folder / path  # a bare file name is looked up in the scans folder
        self.dismiss(str(path))

    def action_cancel(self) -> None:
        self.dismiss(None)


def attach_from_folder(screen, purposes: tuple[str, ...], done) -> None:
    """Ask which form (when several), pick the file, attach it through the service. `done(info)`
    gets the AttachmentInfo; a refusal is shown on `screen`'s status line (nothing saved)."""
    from encore_tui.services import ro_result

    app = screen.app

    def attach(purpose: str, path: str | None) -> None:
        if not path:
            return
        try:
            info = ro_result.attach_scan_file(app.store, app.ac_id, purpose, Path(path), app.actor)
        except user_errors() as exc:
            screen.set_status(not_saved(exc), True)
            return
        screen.set_status(
            t("{form} {file} attached", form=t(info.label), file=info.filename)
            + f" · sha256 {info.sha256[:12]}… · {t('journaled')}"
        )
        done(info)

    def with_purpose(purpose: str | None) -> None:
        if not purpose:
            return
        title = t("Attach the scanned {form}", form=t(ro_result.PURPOSES[purpose]))
        app.push_screen(ScanPicker(title, app.settings.scans_folder), lambda p: attach(purpose, p))

    if len(purposes) == 1:
        with_purpose(purposes[0])
    else:
        app.push_screen(PurposeDialog(purposes), with_purpose)


class ScansScreen(SessionScreen):
    """The scans attached for `purposes`: Enter shows one, F2 attaches another."""

    BINDINGS = [
        Binding("f2", "attach", "Attach", id="scans.attach", tooltip="Attach a scan from the scans folder"),
        Binding("escape", "back", "Back", id="scans.back", tooltip="Back"),
    ]

    def __init__(self, purposes: tuple[str, ...], title: str) -> None:
        super().__init__()
        self.purposes, self.title_text = purposes, t_msg(title)
        self.items: list = []

    def compose(self) -> ComposeResult:
        yield Static(self.title_text, id="title", classes="title-bar", markup=False)
        yield DataTable(id="scans", cursor_type="row", zebra_stripes=False)
        yield Static(id="status", classes="status", markup=False)
        yield FittingFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in [("Form", 22), ("File", 20), ("Bytes", 8), ("sha256", 12), ("By", 6)]:
            table.add_column(t(label), width=width)
        self.reload()
        table.focus()
        where = self.app.settings.scans_folder
        self.set_status(
            t("Enter: view · F2: attach from {where}", where=where)
            if self.items
            else t("F2: attach from {where}", where=where)
        )

    def reload(self) -> None:
        from encore_tui.services import ro_result

        try:
            self.items = ro_result.list_attachments(self.store, self.ac_id, self.purposes)
        except user_errors() as exc:
            self.set_status(str(exc), True)
            return
        table = self.query_one(DataTable)
        table.clear()
        for a in self.items:
            table.add_row(t(a.label), a.filename, str(a.size), a.sha256[:12], a.by, key=str(a.id))
        if not self.items:
            table.add_row(t("none yet"), t("F2 attaches one"), "", "", "", key="none")

    @on(DataTable.RowSelected, "#scans")
    def _view(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value == "none":
            self.action_attach()
            return
        self.app.push_screen(ScanViewer(int(event.row_key.value)))

    def action_attach(self) -> None:
        attach_from_folder(self, self.purposes, lambda _info: self.reload())

    def action_back(self) -> None:
        self.app.pop_screen()


class ScanViewer(SessionScreen):
    """One attached scan drawn with half blocks; PgDn/PgUp (or n/p) turn the pages."""

    BINDINGS = [
        Binding("pagedown,n,space", "page(1)", "Next page", id="scan.next"),
        Binding("pageup,p", "page(-1)", "Previous page", id="scan.previous"),
        Binding("escape", "back", "Back", id="scan.back"),
    ]

    def __init__(self, attachment_id: int) -> None:
        super().__init__()
        self.attachment_id = attachment_id
        self.pages: list = []
        self.page = 0
        self.info = None

    def compose(self) -> ComposeResult:
        from encore_tui.widgets.scan_view import ScanPage

        yield Static("…", id="title", classes="title-bar", markup=False)
        yield ScanPage(id="page")
        yield Static(id="status", classes="status", markup=False)
        yield FittingFooter()

    def on_mount(self) -> None:
        self.set_status(t("Reading the scan…"))
        self.run_worker(self._load, thread=True, exclusive=True, group="scan")

    def _load(self) -> None:
        from encore_tui.services import ro_result
        from encore_tui.services.scans import scan_pages

        app = self.app
        try:
            info, content = ro_result.read_attachment(app.store, app.ac_id, self.attachment_id)
            pages = scan_pages(content, info.media_type)
        except user_errors() as exc:
            app.call_from_thread(self.set_status, str(exc), True)
            return
        app.call_from_thread(self._loaded, info, pages)

    def _loaded(self, info, pages: list) -> None:
        self.info, self.pages = info, pages
        self.show_page(0)

    def show_page(self, n: int) -> None:
        from encore_tui.widgets.scan_view import ScanPage

        self.page = n
        i = self.info
        self.query_one("#title", Static).update(
            f"{t(i.label)} · {i.filename} · {t('page')} {n + 1}/{len(self.pages)} · sha256 {i.sha256[:12]}…"
            f" · {i.by} {local_time(i.at)}"
        )
        self.query_one(ScanPage).show(self.pages[n])
        more = f"PgDn/PgUp: {t('pages')} · " if len(self.pages) > 1 else ""
        self.set_status(f"{more}Esc: {t('Back')}")

    def action_page(self, step: int) -> None:
        if not self.pages:
            return
        n = self.page + step
        if not 0 <= n < len(self.pages):
            self.set_status(t("That was the last page." if step > 0 else "This is the first page."))
            return
        self.show_page(n)

    def action_back(self) -> None:
        self.app.pop_screen()
