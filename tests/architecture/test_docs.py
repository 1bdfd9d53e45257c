"""The front page and docs/ stay true: links resolve, every setting is documented, and
every `uv run …` command they show names something that exists."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings
from typer.testing import CliRunner

from bespoke.cli import app as bespoke_cli
from bespoke_design.settings import DesignSettings
from bespoke_gateway.settings import GatewaySettings
from bespoke_notifications.settings import NotificationsSettings
from bespoke_orders.settings import OrdersSettings
from bespoke_payments.settings import PaymentsSettings
from bespoke_shipping.settings import ShippingSettings

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\n]+)`|^(?:\s*)(uv run [^\n#]+)", re.MULTILINE)
SETTINGS: dict[str, type[BaseSettings]] = {
    "design": DesignSettings,
    "gateway": GatewaySettings,
    "notifications": NotificationsSettings,
    "orders": OrdersSettings,
    "payments": PaymentsSettings,
    "shipping": ShippingSettings,
}


def anchors(page: Path) -> set[str]:
    """GitHub's anchors for the page's headings."""
    found = set()
    for line in page.read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


def test_the_readme_is_a_front_page() -> None:
    assert len((ROOT / "README.md").read_text().splitlines()) <= 200


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_resolves(page: Path) -> None:
    broken = []
    for target in LINK.findall(page.read_text()):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not ours to check
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        checked = file.exists() and anchor and file.suffix == ".md"
        if not file.exists() or (checked and anchor not in anchors(file)):
            broken.append(target)
    assert broken == []


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_setting_is_on_its_services_page(service: str) -> None:
    settings = SETTINGS[service]
    prefix = settings.model_config.get("env_prefix", "")
    page = (ROOT / "docs" / "services" / f"{service}.md").read_text()
    missing = [
        f"{prefix}{name}".upper()
        for name in settings.model_fields
        if f"`{prefix}{name}`".upper() not in page.upper()
    ]
    assert missing == []


def documented_commands() -> list[tuple[str, list[str]]]:
    """(page, argv after `uv run`) for every command shown, but placeholders (`uv run …`,
    `python -m bespoke_<name>`)."""
    commands = []
    for page in PAGES:
        for inline, block in CODE.findall(page.read_text()):
            text = (inline or block).strip()
            if text.startswith("uv run ") and "…" not in text and "<" not in text:
                commands.append((str(page.relative_to(ROOT)), shlex.split(text)[2:]))
    return commands


COMMANDS = documented_commands()


def test_the_docs_show_commands() -> None:
    assert len(COMMANDS) > 10


@pytest.mark.parametrize(
    ("where", "argv"), COMMANDS, ids=[f"{where}: {' '.join(argv)}" for where, argv in COMMANDS]
)
def test_every_uv_run_command_names_something_that_exists(where: str, argv: list[str]) -> None:
    program, args = argv[0], argv[1:]
    if program == "bespoke":
        words = [a for a in args if not a.isupper() and not a.startswith(("-", "<", "…"))]
        words = [w for w in words if re.fullmatch(r"[a-z][a-z-]*", w)][:2]
        result = CliRunner().invoke(bespoke_cli, [*words, "--help"])
        assert result.exit_code == 0, f"{where}: `bespoke {' '.join(words)}` does not exist"
        for option in (a for a in args if a.startswith("--")):
            assert option.split("=")[0] in result.output, f"{where}: no {option}"
    elif program == "python" and args[0] == "-m":
        module = args[1]
        in_repo = ROOT / module.replace(".", "/")  # run from the root, which is on sys.path
        found = in_repo.with_suffix(".py").exists() or (in_repo / "__main__.py").exists()
        assert found or importlib.util.find_spec(module) is not None, f"{where}: no {module}"
    elif program == "pytest":
        for path in (a for a in args if not a.startswith("-")):
            assert (ROOT / path.split("::")[0]).exists(), f"{where}: no {path}"
    else:
        pytest.fail(f"{where}: `uv run {' '.join(argv)}`: unknown program {program}")
