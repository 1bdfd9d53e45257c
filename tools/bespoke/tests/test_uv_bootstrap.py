"""`deploy/local/uv.sh` (the Makefile's uv): where the shell has no uv, it puts the pinned
one where the shell finds it, so the docs' `uv run ...` commands work as written.

Each test runs a copy of the script in a repository of its own, with a PATH that has no
uv, and a uv already "downloaded" into that repository's `.stack/tools/uv` (the uv running
these tests); the PyPI download itself runs on every fresh machine's first `make up`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bespoke.stack.config import DEPLOY_LOCAL

SYSTEM_PATH = "/usr/bin:/bin"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose `.stack/tools/uv` already holds uv."""
    running = os.environ.get("UV") or shutil.which("uv")
    assert running, "these tests run under `uv run`, which names its uv in $UV"
    assert shutil.which("uv", path=SYSTEM_PATH) is None, f"a uv in {SYSTEM_PATH} hides the case"
    root = tmp_path / "repo"
    (root / "deploy" / "local").mkdir(parents=True)
    shutil.copy2(DEPLOY_LOCAL / "uv.sh", root / "deploy" / "local" / "uv.sh")
    tools = root / ".stack" / "tools" / "uv" / "bin"
    tools.mkdir(parents=True)
    for name in ("uv", "uvx"):
        shutil.copy2(Path(running).with_name(name), tools / name)
    return root


def run(repo: Path, path: str, home: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": path, "HOME": str(home), **extra}
    return subprocess.run(
        ["sh", str(repo / "deploy" / "local" / "uv.sh")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def test_uv_goes_into_the_users_bin_directory_on_path(repo: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    bin_dir = home / ".local" / "bin"
    bin_dir.mkdir(parents=True)
    path = f"{bin_dir}:{SYSTEM_PATH}"

    done = run(repo, path, home)

    assert done.stdout.strip() == str(bin_dir / "uv")
    assert (bin_dir / "uvx").exists()
    # A new shell with the same PATH now finds `uv`, as the docs' commands need.
    version = subprocess.run(
        ["sh", "-c", "uv --version"], env={"PATH": path}, capture_output=True, text=True
    )
    assert version.stdout.startswith("uv "), version.stderr
    assert run(repo, path, home).stdout.strip() == "uv", "the next call uses it"


def test_a_chosen_directory_wins(repo: Path, tmp_path: Path) -> None:
    chosen = tmp_path / "tools-bin"
    done = run(repo, f"{chosen}:{SYSTEM_PATH}", tmp_path, BESPOKE_UV_INSTALL_DIR=str(chosen))
    assert done.stdout.strip() == str(chosen / "uv")
    assert os.access(chosen / "uv", os.X_OK)


def test_with_no_writable_directory_on_path_it_says_what_to_add(repo: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".local" / "bin").mkdir(parents=True)  # exists, but not on PATH

    done = run(repo, SYSTEM_PATH, home)

    assert done.stdout.strip() == str(repo / ".stack" / "tools" / "uv" / "bin" / "uv")
    assert f'export PATH="{repo}/.stack/tools/uv/bin:$PATH"' in done.stderr
    assert not (home / ".local" / "bin" / "uv").exists()
