"""Files written outside the database (PDFs, exports, the OpenAPI document) survive a power cut
whole or not at all: temp file, fsync, rename, fsync the folder."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from encore_tui.base.portable import fsync_dir


def atomic_write(path: Path, data: bytes) -> Path:
    """Write to a temp file in the same folder, fsync, rename over, fsync the folder."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(folder)
    return path
