"""Shared fixtures. Store tests run on SQLite (a real file) and on the local PostgreSQL
(127.0.0.1:5432, user postgres, database test): set ENCORE_TEST_PG to another URL, or
ENCORE_TEST_PG=skip on a machine without it (CI never skips)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from encore_tui.domain.rounds import Role
from encore_tui.domain.setup import AssemblyConstituency, Candidate, Election, PollingStation, Setup
from encore_tui.services import Actor

ROOT = Path(__file__).resolve().parent.parent
SHARED_AC = ROOT.parent / "shared" / "data" / "tn2021-ac001-gummidipoondi"
BUNDLED_AC = ROOT / "encore_tui" / "demo_data" / "gummidipoondi"
GUMMIDIPOONDI = SHARED_AC if SHARED_AC.is_dir() else BUNDLED_AC

PG_ADMIN_URL = os.environ.get("ENCORE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

OPERATOR = Actor("op1", Role.OPERATOR, "Operator One")
OPERATOR2 = Actor("op2", Role.OPERATOR, "Operator Two")
RO = Actor("ro1", Role.RO, "Returning Officer")
OBSERVER = Actor("obs", Role.OBSERVER, "Observer")
ADMIN = Actor("admin", Role.ADMIN, "Admin")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("encore_home")
    monkeypatch.setenv("ENCORE_HOME", str(home))
    monkeypatch.setenv("ENCORE_CONFIG", str(home / "config.toml"))
    for var in (
        "ENCORE_DB",
        "ENCORE_LANG",
        "ENCORE_PUSH_URL",
        "ENCORE_PRINTER",
        "ENCORE_CENTRAL_KEY",
        "ENCORE_CA_BUNDLE",
        "ENCORE_DB_TIMEOUT",
    ):
        monkeypatch.delenv(var, raising=False)


def small_setup(n_candidates: int = 3, n_stations: int = 7, tables: int = 3, **kw) -> Setup:
    stations = [
        PollingStation(number=str(i), name=f"School {i}", electors=1000, form17c_total=100 + i)
        for i in range(1, n_stations + 1)
    ]
    return Setup(
        election=Election(name="Test Election 2026"),
        ac=AssemblyConstituency(number=kw.pop("ac_no", 7), name="TESTPUR", electors=1000 * n_stations),
        candidates=[
            Candidate(serial=i, name=f"CANDIDATE {i}", party=f"P{i}") for i in range(1, n_candidates + 1)
        ],
        stations=stations,
        counting_tables=tables,
        **kw,
    )


@pytest.fixture(scope="session")
def pg_database():
    """A fresh PostgreSQL database for this test session (dropped at the end)."""
    if PG_ADMIN_URL == "skip":
        pytest.skip("PostgreSQL disabled with ENCORE_TEST_PG=skip")
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"encore_t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fresh_pg_store(url: str):
    from encore_tui.store import open_store
    from encore_tui.store.models import metadata

    store = open_store(url, create=False)
    metadata.drop_all(store.engine)
    metadata.create_all(store.engine)
    return store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    """An empty store on each backend."""
    from encore_tui.store import open_store

    if request.param == "sqlite":
        s = open_store(tmp_path / "store.db")
    else:
        s = _fresh_pg_store(request.getfixturevalue("pg_database"))
    yield s
    s.engine.dispose()


@pytest.fixture
def sqlite_store(tmp_path):
    from encore_tui.store import open_store

    s = open_store(tmp_path / "store.db")
    yield s
    s.engine.dispose()


SCAN_13A = b"%PDF-1.4\n% scanned Form 13A\n"


def approvable(store, ac_id: int) -> None:
    """Meet the RO rules that are not the point of a test: no blind spot check required for the
    first rounds (the RO's setting), and the postal Form 13A scan attached. Tests of those rules
    build their AC without this."""
    from encore_tui.services import ro, ro_result

    ro.set_spot_check_rounds(store, ac_id, 0, RO)
    ro_result.attach_scan(store, ac_id, "form13a", "13a.pdf", SCAN_13A, OPERATOR)


@pytest.fixture
def small_ac(store):
    """(store, ac_id) with a 3-candidate, 7-station AC at 3 tables: rounds of 3, 3, 1."""
    from encore_tui import services

    ac_id = services.create_ac(store, small_setup(), ADMIN)
    approvable(store, ac_id)
    return store, ac_id


def require_tool(name: str) -> str:
    """A system tool a test needs (tmux, pdftoppm, zbarimg). Locally a missing tool skips the
    test; under CI (CI set, .ci/run installs the tools) it fails, so nothing is silently skipped."""
    import shutil

    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI (.ci/run installs it)")
    pytest.skip(f"{name} is not installed")


# The tests `-m "not slow"` leaves out, beyond those marked where they are defined (e2e/, the
# benchmark smoke run, the real Gummidipoondi count): the slowest of a full run's --durations
# (docs/architecture.md, "Tests"). Kept here, in one list, so that marking one touches no test
# module. A module path marks every test in it; a test id marks that test (every parameter).
SLOW = {  # each took 20 s or more (call + setup, every parameter) in a full run on 2 workers
    "tests/test_central_fuzz.py",  # the receiver fuzzed (schemathesis)
    "tests/crash/test_crash.py::test_sigkill_at_random_moments_loses_nothing_and_duplicates_nothing",
    "tests/test_app_wiring.py::test_a_second_window_on_the_same_store_is_refused_while_signed_in",
    "tests/test_app_wiring.py::test_the_app_pushes_while_signed_in_and_the_dashboard_shows_it",
    "tests/test_central.py::test_accepts_and_publishes_results",
    "tests/test_import_export.py::test_cli_import_export_status_verify_and_tamper",
    "tests/test_import_export.py::test_cli_user_add_and_demo_store",
    "tests/test_pg_concurrency.py::test_cell_edit_and_approval_of_one_round_never_approve_other_figures",
    "tests/test_pg_concurrency.py::test_ro_and_operator_writes_wait_for_the_chain_head_lock",
    "tests/test_pg_concurrency.py::test_soak_operators_ro_and_verify_at_once",
    "tests/test_printing.py::test_cli_export_and_verify",
    "tests/test_printing.py::test_correction_annex_and_verify_names_the_changed_cell",
    "tests/test_printing.py::test_declaration_documents_draft_then_declared",
    "tests/test_printing.py::test_postal_round_and_draft_round",
    "tests/test_printing.py::test_round_sheet_on_both_backends",
    "tests/test_printing_declared.py::test_declaration_forms_print_the_recorded_declaration",
    "tests/test_printing_form20.py::test_form20_of_36_candidates_and_420_stations",
    "tests/test_properties.py::test_random_service_sequences_keep_the_store_valid",
    "tests/test_push.py::test_central_killed_mid_request_no_loss_no_duplicate",
    "tests/test_push.py::test_correction_and_reapproval_reach_central_and_republish",
    "tests/test_push.py::test_offline_then_online_everything_arrives_once",
    "tests/test_push.py::test_postal_correction_makes_central_wait_for_every_round_again",
    "tests/test_push.py::test_push_cli_flushes_and_exit_code_says_what_is_left",
    "tests/test_push.py::test_several_worker_processes_share_one_store_replays_refused_everywhere",
    "tests/test_push_ro.py::test_a_counting_day_reaches_central_once_with_the_declared_winner",
    "tests/test_ro_cli.py::test_an_ro_reviews_approves_returns_corrects_and_declares_at_the_console",
    "tests/test_ro_screens.py::test_correction_of_round_3_after_round_7_published",
    "tests/test_ro_screens.py::test_double_entry_keyed_by_the_second_operator_and_compared_by_the_ro",
    "tests/test_ro_screens.py::test_return_with_a_remark_reaches_the_operator_and_the_resubmission_shows_its_changes",
    "tests/test_ro_screens.py::test_spot_check_blocks_approval_until_rekeyed_and_resolved",
    "tests/test_ro_vvpat_screens.py::test_recount_sign_tie_lot_declare_and_form22",
    "tests/test_ro_vvpat_screens.py::test_vvpat_draw_mismatch_recount_amend_kept_aside_round_and_close",
    "tests/test_screens.py::test_a_whole_round_typed_checked_kept_aside_submitted_returned_and_reentered",
    "tests/test_tamper.py::test_truncation_is_caught_by_central_receipts_and_printed_sheets",
    # and each that took 3 s or more in a `-m "not slow"` run on 2 workers (2026-12-02), so that
    # the quick lane stays under 3 minutes here; `.ci/run` runs them all
    "tests/test_app_wiring.py::test_f8_prints_the_round_sheet_and_form20_to_the_prints_folder",
    "tests/test_cdf.py::test_a_36_candidate_synthetic_ac_during_counting_and_after_the_declaration",
    "tests/test_central_ingress.py::test_a_revoked_key_is_refused_at_once_and_grants_are_listed",
    "tests/test_central_model.py::test_a_recount_order_holds_the_declaration_until_the_recounted_rounds_arrive",
    "tests/test_central_model.py::test_declaration_only_after_every_round_and_vvpat_and_nothing_after_it",
    "tests/test_day_print.py::test_the_palette_lists_submit_and_print_and_the_rounds_in_counting_order",
    "tests/test_day_print.py::test_the_result_screen_prints_form20_21c_21e_and_22_and_attaches_their_signed_scans",
    "tests/test_day_scans.py::test_the_operator_attaches_the_newest_scan_with_enter_and_views_it_page_by_page",
    "tests/test_day_small.py::test_a_wrong_station_in_the_vvpat_draw_keeps_the_form_and_its_fields",
    "tests/test_day_small.py::test_the_total_row_adds_the_typed_cu_totals_and_postal_says_total",
    "tests/test_form17c_screens.py::test_keying_17c_from_the_dashboard_each_enter_saved_and_resumed",
    "tests/test_form17c_screens.py::test_the_assigned_second_keyer_gets_a_blind_grid_and_differences_are_marked",
    "tests/test_form17c_screens.py::test_the_round_grid_shows_the_17c_checks_with_their_codes",
    "tests/test_form17c_services.py::test_cli_import_form17c_and_bad_file_message",
    "tests/test_i18n_screens.py::test_no_english_on_any_screen_in_hindi",
    "tests/test_keymap.py::test_review_back_remaps_the_review_screen_only",
    "tests/test_pg_timeouts.py::test_a_read_gives_up_when_the_network_freezes",
    "tests/test_pg_timeouts.py::test_a_write_gives_up_when_the_network_freezes_and_the_next_one_succeeds",
    "tests/test_pg_timeouts.py::test_open_store_and_a_read_give_up_on_a_server_that_never_answers",
    "tests/test_pg_timeouts.py::test_the_app_shows_why_the_store_did_not_open_instead_of_hanging",
    "tests/test_portable.py::test_store_services_and_a_screen_pass_with_the_posix_only_modules_blocked",
    "tests/test_printing_bilingual.py::test_no_english_left_in_the_hindi_of_any_document",
    "tests/test_provisional.py::test_dashboard_lead_line_and_trends_say_provisional_until_approved",
    "tests/test_replay.py::test_the_replay_screens_at_80x24_keys_and_status",
    "tests/test_ro_screens.py::test_idle_lock_opens_only_with_the_users_pin_and_others_can_only_sign_out",
    "tests/test_ro_screens.py::test_postal_round_shows_its_scans_and_needs_them_for_approval",
    "tests/test_ro_screens.py::test_ro_is_put_back_on_the_correction_after_a_power_cut",
    "tests/test_screens.py::test_17c_mismatch_is_acknowledged_before_submit",
    "tests/test_screens.py::test_cursor_and_figures_come_back_after_restart",
    "tests/test_screens.py::test_many_candidates_scroll_with_the_cursor_and_the_header_stays",
    "tests/test_screens.py::test_postal_round_and_read_only_observer",
    "tests/test_screens.py::test_trends_and_the_command_palette",
    "tests/test_training_printing.py::test_sheets_per_trainee_and_per_table",
    "tests/test_training_printing.py::test_the_sheets_show_what_the_supervisor_wrote_and_never_the_answer",
    "tests/test_training_watch.py::test_watch_shows_two_acs_progress_changing_while_one_is_typed",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        test_id = item.nodeid.split("[", 1)[0]
        if test_id in SLOW or test_id.split("::", 1)[0] in SLOW:
            item.add_marker(pytest.mark.slow)
