import os

import pytest

from encore_tui.wire import keys


def test_key_is_owner_only_signs_and_verifies(tmp_path):
    p = tmp_path / "k" / "centre.key"
    k = keys.init_keys(p)
    assert os.stat(p).st_mode & 0o777 == 0o600
    pub = keys.public_key_b64(k)
    sig = keys.sign(keys.load_private_key(p), b"round 3")
    assert keys.verify(pub, b"round 3", sig)
    assert not keys.verify(pub, b"round 4", sig)
    with pytest.raises(keys.KeyError_):
        keys.init_keys(p)
    os.chmod(p, 0o644)
    with pytest.raises(keys.KeyError_, match="readable by others"):
        keys.load_private_key(p)
    assert keys.load_private_key(tmp_path / "none.key") is None
