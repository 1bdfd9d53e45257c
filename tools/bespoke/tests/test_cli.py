from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bespoke.accounts import gateway_settings
from bespoke.cli import app
from bespoke.stack.components import MissingTool, require
from bespoke.stack.config import StackConfig


def test_stack_info_names_every_address_of_the_contract(monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.setenv("BESPOKE_KAFKA_PORT", "19092")
    monkeypatch.setenv("BESPOKE_STACK_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["stack", "info"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["gateway_url"] == "http://127.0.0.1:8000"
    assert info["mailpit_api_url"] == "http://127.0.0.1:8025"
    assert info["kafka_bootstrap"] == "127.0.0.1:19092"
    assert info["mongodb_url"] == "mongodb://127.0.0.1:27017/"
    assert info["stripe_api_base"] == "http://127.0.0.1:12111"
    assert info["stack_dir"] == str(tmp_path)


def test_a_missing_tool_is_one_line_naming_what_to_install(monkeypatch: Any) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    try:
        require("java", "Kafka", "a Java 17+ runtime")
    except MissingTool as error:
        message = str(error)
    else:
        raise AssertionError("expected MissingTool")
    assert "\n" not in message
    assert "java" in message
    assert "Java 17+" in message


def test_defaults_match_the_documented_local_addresses() -> None:
    config = StackConfig()
    assert (config.kafka_port, config.mongodb_port, config.stripe_mock_port) == (9092, 27017, 12111)
    assert (config.mailpit_smtp_port, config.mailpit_http_port, config.gateway_port) == (
        1025,
        8025,
        8000,
    )


def test_accounts_are_made_in_the_database_of_the_stack_they_are_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BESPOKE_GATEWAY_MONGODB_URL", raising=False)
    monkeypatch.setenv("BESPOKE_MONGODB_PORT", "37017")
    assert gateway_settings().mongodb_url == "mongodb://127.0.0.1:37017/", "a shifted stack"
    monkeypatch.setenv("BESPOKE_GATEWAY_MONGODB_URL", "mongodb://db.example:27017/")
    assert gateway_settings().mongodb_url == "mongodb://db.example:27017/", "named outright"
