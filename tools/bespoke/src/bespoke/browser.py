"""`bespoke browser install`: Debian's Chromium for the browser tests (Playwright drives
it; Playwright's own browser download is not used)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable

PACKAGE = "chromium"


class BrowserUnavailable(RuntimeError):
    pass


def install(say: Callable[[str], None]) -> str:
    """The path of Chromium, installed from Debian's packages if missing (idempotent)."""
    found = shutil.which("chromium")
    if found:
        return found
    if shutil.which("apt-get") is None:
        raise BrowserUnavailable("no Chromium and no apt-get: install Chromium yourself")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = [*sudo, "apt-get", "install", "-y", "--no-install-recommends", PACKAGE]
    say(f"installing Debian's {PACKAGE} (a few minutes the first time)")
    if subprocess.run(command, env=env, capture_output=True, check=False).returncode != 0:
        # A fresh machine may have no package lists yet.
        subprocess.run([*sudo, "apt-get", "update"], env=env, capture_output=True, check=False)
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BrowserUnavailable(
                f"apt-get could not install {PACKAGE}: {result.stderr[-2000:]}"
            )
    found = shutil.which("chromium")
    if not found:
        raise BrowserUnavailable(f"{PACKAGE} installed but `chromium` is not on PATH")
    return found
