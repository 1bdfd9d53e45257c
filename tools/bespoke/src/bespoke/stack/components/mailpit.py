"""Mailpit: the SMTP server whose API the tests read emails from."""

from __future__ import annotations

from bespoke.stack.components.component import http_ok
from bespoke.stack.components.go import GoBinary
from bespoke.stack.processes import ProcessSpec


class Mailpit(GoBinary):
    name = "mailpit"
    module = "mailpit"
    package = "github.com/axllent/mailpit"

    def spec(self) -> ProcessSpec:
        c = self.config
        db = c.data_dir / "mailpit" / "mailpit.db"
        db.parent.mkdir(parents=True, exist_ok=True)
        return self._spec(
            [
                str(self.binary),
                "--smtp",
                f"{c.host}:{c.mailpit_smtp_port}",
                "--listen",
                f"{c.host}:{c.mailpit_http_port}",
                "--database",
                str(db),
                "--smtp-auth-accept-any",
                "--smtp-auth-allow-insecure",
                "--disable-version-check",
                # Keep every message (Mailpit's default keeps the last 500, which hid
                # whether an email went out twice in the failure drills).
                "--max",
                str(c.mailpit_max_messages),
            ]
        )

    async def ready(self) -> bool:
        return await http_ok(f"{self.config.mailpit_api_url}/api/v1/info")

    def address(self) -> str:
        c = self.config
        return f"smtp://{c.host}:{c.mailpit_smtp_port} api {c.mailpit_api_url}"
