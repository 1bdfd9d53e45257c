"""The local stack's secrets (keys between services, Kafka passwords): one folder,
``.stack/secrets/``, and files in it readable by this user only."""

from __future__ import annotations

import os
from pathlib import Path

from bespoke.stack.config import StackConfig


def secrets_dir(config: StackConfig, *parts: str) -> Path:
    """``.stack/secrets/<parts…>``, made if missing, each folder this user's only."""
    folders = [config.stack_dir / "secrets"]
    for part in parts:
        folders.append(folders[-1] / part)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
    return folders[-1]


def write_private(path: Path, text: str, *, replace: bool) -> None:
    """Write ``text`` to ``path`` readable by this user only: created at once with mode
    0600 (never readable by others, even briefly). ``replace=False``: only if new."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    descriptor = os.open(path, flags, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(text)
