"""Where numba keeps the kernel's compiled machine code (imported before any kernel module).

numba caches beside the modules (``__pycache__``) or, when that folder is not writable, in
the user's cache folder (``~/.cache``). A service account in a read-only container may have
neither; numba would then refuse to compile. In that case — and only when the user has not
chosen a folder with ``NUMBA_CACHE_DIR`` — the cache goes to a folder of this user in the
system's temporary directory.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numba
from numba.misc.appdirs import user_cache_dir

_config: Any = numba.config  # numba's settings module (not typed)


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def choose_cache_dir(here: Path = Path(__file__).parent) -> str | None:
    """Set numba's cache folder when neither default is writable; return the folder set."""
    if _config.CACHE_DIR:
        return None
    user: str = user_cache_dir("numba")  # type: ignore[no-untyped-call]
    if _writable(here / "__pycache__") or _writable(Path(user)):
        return None
    uid = os.getuid() if hasattr(os, "getuid") else 0
    folder = Path(tempfile.gettempdir()) / f"heatrules-numba-cache-{uid}"
    _config.CACHE_DIR = str(folder)
    return str(folder)


choose_cache_dir()
