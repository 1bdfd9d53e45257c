"""Servers built from our small Go modules under ``deploy/local/``."""

from __future__ import annotations

from abc import ABC
from collections.abc import Callable
from pathlib import Path

from bespoke.stack.components.component import Component, Say, fingerprint, require, run_install
from bespoke.stack.config import DEPLOY_LOCAL, REPO_ROOT, StackConfig

# go.sum in each module pins every dependency; GOSUMDB is off because the checksum
# database answers 404 for some of these modules from this network
# (docs/operations/local-stack.md).
GO_ENV = {"GOSUMDB": "off", "GOFLAGS": "-mod=readonly", "CGO_ENABLED": "0"}


class GoBinary(Component, ABC):
    """A server built from one of our small Go modules under ``deploy/local/<module>``."""

    kind = "infrastructure"
    module: str
    package: str  # what `go build` builds inside the module

    @property
    def binary(self) -> Path:
        return self.config.bin_dir / self.name

    def install(self, say: Say) -> None:
        build_go_tool(self.config, self.name, self.module, self.package, say)


def module_sources(module: str) -> list[Path]:
    """The files of ``deploy/local/<module>`` that a build depends on."""
    module_dir = DEPLOY_LOCAL / module
    return sorted(p for p in module_dir.iterdir() if p.suffix in {".go", ".mod", ".sum"})


def build_once(
    config: StackConfig,
    name: str,
    inputs: list[Path],
    build: Callable[[str, Path], None],
    say: Say,
) -> Path:
    """``.stack/bin/<name>``, built by ``build(go, log)`` unless it was already built from
    these exact ``inputs`` (a stamp file holds their fingerprint)."""
    binary = config.bin_dir / name
    stamp = config.bin_dir / f".{name}.{fingerprint(*inputs)}"
    if binary.exists() and stamp.exists():
        return binary
    go = require("go", name, "Go 1.24+ (https://go.dev/dl/ or `apt-get install golang`)")
    say(f"{name}: building from {inputs[0].parent.relative_to(REPO_ROOT)} (first run only)")
    config.bin_dir.mkdir(parents=True, exist_ok=True)
    build(go, config.logs_dir / f"install-{name}.log")
    for old in config.bin_dir.glob(f".{name}.*"):
        old.unlink()
    stamp.touch()
    return binary


def build_go_tool(config: StackConfig, name: str, module: str, package: str, say: Say) -> Path:
    """Build ``package`` from our Go module ``deploy/local/<module>`` into ``.stack/bin``
    (once per change of the module's files); returns the binary."""
    binary = config.bin_dir / name

    def build(go: str, log: Path) -> None:
        run_install([go, "build", "-o", str(binary), package], DEPLOY_LOCAL / module, log, GO_ENV)

    return build_once(config, name, module_sources(module), build, say)


def kustomize(config: StackConfig, say: Say) -> Path:
    """The pinned kustomize (deploy/local/kustomize/go.mod), built on first use."""
    return build_go_tool(
        config, "kustomize", "kustomize", "sigs.k8s.io/kustomize/kustomize/v5", say
    )
