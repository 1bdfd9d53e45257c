"""Our Python services, each run as its own process from the workspace."""

from __future__ import annotations

import hashlib
import sys

from bespoke.stack import kafka_security
from bespoke.stack.components.component import Component, http_ok
from bespoke.stack.config import REPO_ROOT, StackConfig
from bespoke.stack.keys import service_env
from bespoke.stack.processes import ProcessSpec
from bespoke_payments.settings import PaymentsSettings
from bespoke_platform.kafka_access import SERVICES

LOCAL_FREE_FAILURES = 1_000_000
"""Failed sign-ins from one address before the local gateway slows them (see ``spec``)."""

SERVICE_NAMES = ("design", "orders", "payments", "shipping", "notifications", "gateway")


class Service(Component):
    """One of our Python services, run as its own process from the workspace."""

    kind = "service"

    def __init__(self, config: StackConfig, name: str) -> None:
        super().__init__(config)
        self.name = name

    @property
    def port(self) -> int:
        port: int = getattr(self.config, f"{self.name}_port")
        return port

    def code_version(self) -> str:
        digest = hashlib.sha256()
        for root in (REPO_ROOT / "services", REPO_ROOT / "libs", REPO_ROOT / "contracts"):
            files = (p for p in root.rglob("src/**/*") if p.is_file())
            for path in sorted(p for p in files if "__pycache__" not in p.parts):
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        return digest.hexdigest()[:16]

    def spec(self) -> ProcessSpec:
        c = self.config
        prefix = f"BESPOKE_{self.name.upper()}_"
        env = {
            prefix + "HTTP_HOST": c.host,
            prefix + "HTTP_PORT": str(self.port),
            prefix + "METRICS_PORT": str(self.config.metrics_port(self.name)),
            prefix + "MONGODB_URL": c.mongodb_url,
            prefix + "KAFKA_BOOTSTRAP": c.kafka_bootstrap,
            prefix + "SMTP_HOST": c.host,
            prefix + "SMTP_PORT": str(c.mailpit_smtp_port),
            prefix + "STRIPE_API_BASE": c.stripe_api_base,
            "PYTHONUNBUFFERED": "1",
            # Compiled bytecode, as in the containers (UV_COMPILE_BYTECODE): a service that
            # compiles its modules at every start takes about 2 s more to be ready and
            # 4 MiB more memory. The caches live in the stack's folder, never beside the
            # sources, so a shell's PYTHONDONTWRITEBYTECODE does not apply to them.
            "PYTHONDONTWRITEBYTECODE": "",
            "PYTHONPYCACHEPREFIX": str(c.stack_dir / "pycache"),
        }
        # Every service is told where the others listen (each reads the ones it calls), so
        # a stack on shifted ports never calls another stack's services.
        for other in SERVICE_NAMES:
            if other != self.name:
                env[f"{prefix}{other.upper()}_URL"] = c.service_url(other)
        env[prefix + "BACKOFFICE_URL"] = c.gateway_url
        env |= service_env(c, self.name)  # its key and the callers it trusts
        if self.name in SERVICES:  # its own Kafka principal
            env[prefix + "KAFKA_USERNAME"] = self.name
            env[prefix + "KAFKA_PASSWORD"] = kafka_security.passwords(c)[self.name]
            # One process per service here: a stable static member, so a killed and
            # restarted consumer takes its partitions back at once (make chaos shows it).
            env[prefix + "CONSUMER_INSTANCE_ID"] = f"{self.name}-local-0"
        if self.name == "gateway":
            # Every local client (browsers, scripts, the API fuzzer) comes from loopback, so
            # one client address says nothing here: failed sign-ins count per email only.
            env[prefix + "SIGN_IN_FREE_FAILURES_PER_ADDRESS"] = str(LOCAL_FREE_FAILURES)
            env[prefix + "RATE_LIMIT_PER_ADDRESS_PER_SECOND"] = str(LOCAL_FREE_FAILURES)
            env[prefix + "RATE_LIMIT_PER_ADDRESS_BURST"] = str(LOCAL_FREE_FAILURES)
            # Payments run against stripe-mock here: the web UI may simulate a payment.
            env[prefix + "PAYMENT_SIMULATION_SECRET"] = PaymentsSettings().stripe_webhook_secret
        return self._spec([sys.executable, "-m", f"bespoke_{self.name}"], env)

    async def ready(self) -> bool:
        return await http_ok(f"{self.config.service_url(self.name)}/health")

    def address(self) -> str:
        return self.config.service_url(self.name)
