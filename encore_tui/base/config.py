"""Settings: defaults < config file (TOML) < environment < command line.

The config file is `<user config dir>/encore-tui/config.toml` (or $ENCORE_CONFIG):

    db = "/var/lib/encore/encore.db"      # or postgresql://user@host/db
    db_timeout = 5                         # seconds before giving up on the database (0: default:
                                           # PostgreSQL 5; SQLite 10, waiting for another writer)
    lang = "hi"
    ac = 1                                 # preselect this AC on the sign-in screen (--ac)
    idle_lock_minutes = 10                 # lock the screen after idle minutes (0: never)
    printer = "counting-hall"             # an `lp` destination; empty: just write the PDF
    prints_dir = "/media/usb/prints"      # where printed PDFs are written (default <data dir>/prints)
    scans_dir = "/srv/scanner/out"        # where the hall's scanner writes (default <data dir>/scans)
    backup_dir = "/media/usb/encore"      # back up here after every approved round (SQLite)
    backup_keep = 20                      # newest backups kept there (0: keep all)
    push_url = "https://results.example"  # central results endpoint (`encore push`)
    push_central_key = "BASE64..."        # central's receipt key (`encore central keys show`)
    ca_bundle = "/etc/encore/ca.pem"      # CA bundle to verify central's TLS certificate
    [keys]                                 # binding id = keys (see F1 help for the ids)
    round.submit = "ctrl+s"                # ids are namespaced by screen: round.*, review.*, grid.*…
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

APP = "encore-tui"


def data_dir() -> Path:
    d = Path(os.environ.get("ENCORE_HOME") or platformdirs.user_data_dir(APP))
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    return d


def config_path() -> Path:
    return Path(os.environ.get("ENCORE_CONFIG") or Path(platformdirs.user_config_dir(APP)) / "config.toml")


def log_path() -> Path:
    return data_dir() / "encore.log"


@dataclass
class Settings:
    db: str = ""
    # seconds before the database is given up on (0: the default: PostgreSQL 5 s to connect, for a
    # lock, a statement, an answer; SQLite 10 s waiting for another writer). See store.open_store.
    db_timeout: float = 0.0
    ac: int = 0  # the AC this PC counts, chosen on the sign-in screen when the store holds several
    lang: str = "en"
    idle_lock_minutes: int = 10  # idle screen lock (app.check_idle_lock); 0: off
    printer: str = ""
    prints_dir: str = ""  # empty: <data dir>/prints
    scans_dir: str = ""  # empty: <data dir>/scans (the scanner's folder; Ctrl+O lists it)
    push_url: str = ""
    push_central_key: str = ""  # base64 Ed25519 key that signs central's receipts
    ca_bundle: str = ""
    backup_dir: str = ""  # empty: no automatic backup after approvals
    backup_keep: int = 20
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def store_timeout(self) -> float | None:
        """`timeout` for store.open_store (None: the backend's default)."""
        return float(self.db_timeout) if self.db_timeout else None

    @property
    def db_url(self) -> str:
        return self.db or str(data_dir() / "encore.db")

    @property
    def prints_folder(self) -> Path:
        """Where printed PDFs go (F8 in the app, `encore export` without -o)."""
        return Path(self.prints_dir).expanduser().resolve() if self.prints_dir else data_dir() / "prints"

    @property
    def scans_folder(self) -> Path:
        """Where the hall's scanner writes: the scans are picked from here (Ctrl+O in the app).
        In the user data folder by default, not beside the store: a district store is a
        PostgreSQL server, and the scanner writes on the counting PC."""
        return Path(self.scans_dir).expanduser().resolve() if self.scans_dir else data_dir() / "scans"


class ConfigError(ValueError):
    pass


def check_keys(s: Settings, path: Path | str) -> None:
    """Validate `[keys]` against the keymap registry (base/keymap.py): an unknown id or a
    value that is not a key stops encore with what to change, naming the file."""
    from encore_tui.base.keymap import flatten, problems

    if not isinstance(s.keys, dict):
        raise ConfigError(f'{path}: [keys] must be a table of  binding id = "key"  lines')
    s.keys = flatten(s.keys)
    found = problems(s.keys)
    if found:
        raise ConfigError(f"{path}: " + "; ".join(found) + ".")


def load_settings(**overrides) -> Settings:
    s = Settings()
    path = config_path()
    if path.is_file():
        import tomllib  # only when there is a file to read: the app's start is measured

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, OSError) as exc:
            raise ConfigError(f"{path}: cannot read the config file: {exc}") from exc
        for k, v in data.items():
            if not hasattr(s, k):
                raise ConfigError(f"{path}: unknown setting '{k}'")
            setattr(s, k, v)
        check_keys(s, path)
    env = {
        "db": "ENCORE_DB",
        "db_timeout": "ENCORE_DB_TIMEOUT",
        "lang": "ENCORE_LANG",
        "push_url": "ENCORE_PUSH_URL",
        "push_central_key": "ENCORE_CENTRAL_KEY",
        "ca_bundle": "ENCORE_CA_BUNDLE",
        "printer": "ENCORE_PRINTER",
        "prints_dir": "ENCORE_PRINTS_DIR",
        "scans_dir": "ENCORE_SCANS_DIR",
        "backup_dir": "ENCORE_BACKUP_DIR",
    }
    for k, var in env.items():
        if os.environ.get(var):
            setattr(s, k, os.environ[var])
    for k, v in overrides.items():
        if v is not None:
            setattr(s, k, v)
    try:
        s.db_timeout = float(s.db_timeout or 0)
    except (TypeError, ValueError):
        raise ConfigError(f"db_timeout must be a number of seconds, not {s.db_timeout!r}") from None
    if s.db_timeout < 0 or s.db_timeout != s.db_timeout:
        raise ConfigError(f"db_timeout must be 0 (the default) or more seconds, not {s.db_timeout!r}")
    if s.lang not in ("en", "hi"):
        raise ConfigError(f"lang must be 'en' or 'hi', not {s.lang!r}")
    return s
