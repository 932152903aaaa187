"""numba's cache folder: a temporary folder when neither default is writable."""

from __future__ import annotations

from pathlib import Path

import numba
import pytest

from heatrules.batch.kernel import cache


def test_a_read_only_installation_caches_in_a_temporary_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    monkeypatch.setattr(cache, "_writable", lambda folder: False)
    folder = cache.choose_cache_dir()
    assert folder is not None and "heatrules-numba-cache" in folder
    assert numba.config.CACHE_DIR == folder


def test_a_writable_installation_or_a_chosen_folder_is_left_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    assert cache.choose_cache_dir(tmp_path) is None  # beside the modules: writable
    assert numba.config.CACHE_DIR == ""
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cache, "_writable", lambda folder: False)
    assert cache.choose_cache_dir() is None  # NUMBA_CACHE_DIR wins
