from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from bespoke.stack import processes
from bespoke.stack.components import kafka
from bespoke.stack.processes import ProcessSpec


def spec(tmp_path: Path, script: str) -> ProcessSpec:
    return ProcessSpec(
        name="demo",
        argv=["/bin/sh", "-c", script],
        cwd=tmp_path,
        env={"GREETING": "hola"},
        log_file=tmp_path / "logs" / "demo.log",
        pid_file=tmp_path / "run" / "demo.pid",
    )


def test_stop_ends_the_process_and_all_its_children(tmp_path: Path) -> None:
    s = spec(tmp_path, 'echo "$GREETING"; sleep 300 & sleep 300 & wait')
    pid = processes.start(s, version="v1")
    assert processes.read_pid(s.pid_file) == pid
    assert processes.recorded_version(s.pid_file) == "v1"
    deadline = time.monotonic() + 5
    while "hola" not in s.log_file.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "hola" in s.log_file.read_text(), "output and environment reach the log file"

    assert processes.stop(s.pid_file, timeout=5)

    assert processes.read_pid(s.pid_file) is None
    assert not s.pid_file.exists()
    assert not processes._group_alive(pid)


def test_a_process_ignoring_sigterm_is_killed(tmp_path: Path) -> None:
    s = spec(tmp_path, "trap '' TERM; while true; do sleep 0.1; done")
    pid = processes.start(s)
    time.sleep(0.2)  # let the shell install its trap
    assert processes.stop(s.pid_file, timeout=0.5)
    assert not processes._group_alive(pid)


def test_a_stale_pid_file_means_not_running(tmp_path: Path) -> None:
    pid_file = tmp_path / "gone.pid"
    pid_file.write_text("999999999 v1\n")
    assert processes.read_pid(pid_file) is None
    assert not processes.stop(pid_file)
    assert not pid_file.exists()
    assert processes.read_pid(tmp_path / "missing.pid") is None
    assert os.getpid() > 0


def test_a_kafka_cluster_id_never_reads_as_an_option(monkeypatch: pytest.MonkeyPatch) -> None:
    # 0xfb first encodes to "-" first in URL-safe base64: the storage tool refused it.
    dashed, plain = uuid.UUID(bytes=b"\xfb" + b"\x00" * 15), uuid.UUID(int=1)
    made = iter([dashed, plain])
    monkeypatch.setattr(uuid, "uuid4", lambda: next(made))
    assert kafka.cluster_id() == "AAAAAAAAAAAAAAAAAAAAAQ"
