"""`bespoke browser install`: Debian's Chromium for the browser tests (Playwright drives
it; Playwright's own browser download is not used), and axe-core, the accessibility
checker the tests run in each page, from the npm registry."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path

import httpx

PACKAGE = "chromium"

AXE_VERSION = "4.10.3"
AXE_TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
AXE_INTEGRITY = "sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg=="
"""The tarball's npm ``dist.integrity``: a download that does not match it is refused."""


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


def axe_script(stack_dir: Path) -> Path:
    """Where axe-core's browser build lives once installed."""
    return stack_dir / "tools" / f"axe-core-{AXE_VERSION}" / "axe.min.js"


def install_axe(stack_dir: Path, say: Callable[[str], None]) -> Path:
    """axe-core's ``axe.min.js`` from its npm tarball, checked against the pinned
    integrity, kept in the stack's ignored folder (idempotent)."""
    target = axe_script(stack_dir)
    if target.exists():
        return target
    say(f"downloading axe-core {AXE_VERSION} from the npm registry")
    try:
        response = httpx.get(AXE_TARBALL, follow_redirects=True, timeout=60.0)
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise BrowserUnavailable(f"could not download {AXE_TARBALL}: {error}") from error
    algorithm, _, expected = AXE_INTEGRITY.partition("-")
    if base64.b64encode(hashlib.new(algorithm, response.content).digest()).decode() != expected:
        raise BrowserUnavailable(f"{AXE_TARBALL} does not match its npm integrity {AXE_INTEGRITY}")
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        if member is None:
            raise BrowserUnavailable(f"{AXE_TARBALL} holds no package/axe.min.js")
        script = member.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(script)
    partial.rename(target)
    return target
