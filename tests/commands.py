"""Running the ``adology`` command as a user does: the installed script, in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ADOLOGY = str(Path(sys.executable).parent / "adology")


def run_adology(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``adology ARGS`` with ``env`` over this process's environment; output captured as text."""
    return subprocess.run([ADOLOGY, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout)
