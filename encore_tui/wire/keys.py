"""The counting centre's Ed25519 signing key: signs pushes and the QR payload of printed sheets.

`encore keys init` creates it at `<data dir>/keys/centre.key` (PEM, owner-only permissions); the
public key (base64 of the 32 raw bytes) is what central registers for this AC.
"""

from __future__ import annotations

import base64
import functools
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from encore_tui.base.config import data_dir
from encore_tui.base.portable import readable_by_others


class KeyError_(RuntimeError):
    pass


def key_path() -> Path:
    return Path(os.environ.get("ENCORE_KEY") or data_dir() / "keys" / "centre.key")


def init_keys(path: Path | None = None, overwrite: bool = False) -> Ed25519PrivateKey:
    path = path or key_path()
    if path.exists() and not overwrite:
        raise KeyError_(
            f"A signing key already exists at {path}; keep it (central knows it) or pass --overwrite."
        )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(path.with_suffix(".tmp"), path)
    return key


def load_private_key(path: Path | None = None) -> Ed25519PrivateKey | None:
    """The centre's key, or None where no key was made (sheets then carry no signature)."""
    path = path or key_path()
    if not path.exists():
        return None
    if readable_by_others(path):
        mode = path.stat().st_mode & 0o777
        raise KeyError_(f"The signing key {path} is readable by others (mode {mode:o}): chmod 600 it.")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyError_(f"{path} is not an Ed25519 key.")
    return key


def public_key_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data)).decode()


@functools.lru_cache(maxsize=256)
def _public_key(public_b64: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64))


def verify(public_b64: str, data: bytes, signature_b64: str) -> bool:
    try:
        _public_key(public_b64).verify(base64.b64decode(signature_b64), data)
        return True
    except (InvalidSignature, ValueError):
        return False
