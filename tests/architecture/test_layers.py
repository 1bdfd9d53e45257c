"""House rules that keep the code easy to change (docs/architecture.md, "Inside a service")."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SERVICES = sorted(p for p in (ROOT / "services").iterdir() if (p / "src").is_dir())


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_every_service_has_the_house_layout() -> None:
    assert {p.name for p in SERVICES} == {
        "design",
        "orders",
        "payments",
        "shipping",
        "notifications",
        "gateway",
    }
    for service in SERVICES:
        package = service / "src" / f"bespoke_{service.name}"
        for part in ("domain", "service_layer", "adapters", "entrypoints"):
            assert (package / part / "__init__.py").exists(), f"{package}/{part} missing"
        for module in ("bootstrap.py", "settings.py", "__main__.py"):
            assert (package / module).exists(), f"{package}/{module} missing"


def test_domain_code_imports_only_stdlib_pydantic_and_contracts() -> None:
    allowed_third_party = {"pydantic", "bespoke_contracts"}
    offenders = []
    for service in SERVICES:
        own = f"bespoke_{service.name}"
        for path in (service / "src" / own / "domain").rglob("*.py"):
            for root in imported_roots(path):
                if root in sys.stdlib_module_names or root in allowed_third_party or root == own:
                    continue
                if root == "__future__":
                    continue
                offenders.append(f"{path.relative_to(ROOT)} imports {root}")
    assert offenders == []


def test_services_never_import_each_other() -> None:
    names = {f"bespoke_{s.name}" for s in SERVICES}
    offenders = []
    for service in SERVICES:
        own = f"bespoke_{service.name}"
        for path in (service / "src").rglob("*.py"):
            for root in imported_roots(path) & (names - {own}):
                offenders.append(f"{path.relative_to(ROOT)} imports {root}")
    assert offenders == []


def test_only_a_stripe_adapter_imports_stripe() -> None:
    for path in ROOT.glob("services/*/src/**/*.py"):
        if "stripe" in imported_roots(path):
            assert "adapters" in path.parts, f"{path} imports stripe outside an adapter"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, wherever the import stands (functions included)."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return modules


def test_bootstrap_never_imports_an_entry_point() -> None:
    """Entry points import bootstrap, never the reverse: the wiring takes its subscription
    table from the service layer, so there is no import cycle to hide in a function."""
    offenders = []
    for service in SERVICES:
        package = f"bespoke_{service.name}"
        bootstrap = service / "src" / package / "bootstrap.py"
        for module in imported_modules(bootstrap):
            if module.startswith(f"{package}.entrypoints"):
                offenders.append(f"{bootstrap.relative_to(ROOT)} imports {module}")
    assert offenders == []


LOADED_WHEN_USED = {
    "orders": {"reportlab", "cairosvg", "pypdf"},  # job tickets, thumbnails, stamp proofs
    "payments": {"reportlab"},  # invoices
    "gateway": {"zxcvbn"},  # the common passwords, with the first password chosen
    "notifications": {"cairosvg", "PIL"},  # the order email's drawing
}
"""Libraries a service loads with the first request that needs them, not at start: a
replica that never needs one does not carry its memory (docs/performance.md)."""

NEVER_LOADED = {"rich", "pygments", "httpx._main"}
"""Console extras a service process leaves out (``bespoke_platform.process``)."""


STARTUP_PROBE = """
import importlib, logging, sys
from bespoke_platform.process import leave_out_console_extras

service, unwanted = sys.argv[1], set(sys.argv[2:])
leave_out_console_extras()  # what the service's __main__ does first
importlib.import_module(f"bespoke_{service}.entrypoints.main")
importlib.import_module(f"bespoke_{service}.bootstrap").bootstrap()
from bespoke_platform.observability import configure_logging
configure_logging(service)
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("probe").exception("a logged traceback")
loaded = {name for name, module in sys.modules.items() if module is not None}
print("loaded:", *sorted(unwanted & (loaded | {name.split(".")[0] for name in loaded})))
"""
"""Starts a service as its ``__main__`` does, up to serving, logs an exception, and prints
which of the modules named after the service's name are loaded."""


@pytest.mark.parametrize("service", [p.name for p in SERVICES])
def test_a_service_starts_without_what_it_loads_when_used(service: str) -> None:
    import subprocess

    unwanted = sorted(LOADED_WHEN_USED.get(service, set()) | NEVER_LOADED)
    done = subprocess.run(
        [sys.executable, "-c", STARTUP_PROBE, service, *unwanted],
        capture_output=True,
        text=True,
        check=True,
    )
    *logged, loaded = done.stdout.splitlines()
    assert loaded.split() == ["loaded:"]
    assert "ZeroDivisionError" in "".join(logged)  # the traceback is logged without rich


@pytest.mark.parametrize("service", [p.name for p in SERVICES])
def test_a_service_leaves_out_console_extras_before_any_other_import(service: str) -> None:
    main = ROOT / "services" / service / "src" / f"bespoke_{service}" / "__main__.py"
    first, second = (ast.unparse(node) for node in ast.parse(main.read_text()).body[:2])
    assert first == "from bespoke_platform.process import leave_out_console_extras"
    assert second == "leave_out_console_extras()"
