"""Each part of the local stack: how it is installed, started and known to be ready."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from bespoke.stack import ferretdb_patch
from bespoke.stack.config import DEPLOY_LOCAL, REPO_ROOT, StackConfig
from bespoke.stack.processes import ProcessSpec
from bespoke_payments.settings import PaymentsSettings
from bespoke_platform.topics import ensure_topics

Say = Callable[[str], None]


class MissingTool(RuntimeError):
    """A program the stack needs is not installed."""


class InstallFailed(RuntimeError):
    """Downloading or building a part of the stack failed."""


def require(tool: str, why: str, how: str) -> str:
    """Path of ``tool`` or a one-line error naming what to install."""
    path = shutil.which(tool)
    if path is None:
        raise MissingTool(f"`{tool}` not found on PATH: {why} needs it. Install {how}.")
    return path


def _fingerprint(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _run_install(
    argv: list[str], cwd: Path, log: Path, env: Mapping[str, str] | None = None
) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        result = subprocess.run(
            argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    if result.returncode != 0:
        raise InstallFailed(f"`{' '.join(argv)}` failed (exit {result.returncode}); see {log}")


class Component(ABC):
    """One process of the local stack."""

    name: str
    kind: str  # "infrastructure" or "service"

    def __init__(self, config: StackConfig) -> None:
        self.config = config

    @property
    def pid_file(self) -> Path:
        return self.config.run_dir / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.config.logs_dir / f"{self.name}.log"

    def install(self, say: Say) -> None:  # noqa: B027 - most services need nothing installed
        """Download or build what is missing (idempotent, cached in the stack folder)."""

    def prepare(self) -> None:  # noqa: B027
        """Write configuration and initialise data before each start."""

    @abstractmethod
    def spec(self) -> ProcessSpec:
        """The command line that runs it."""

    @abstractmethod
    async def ready(self) -> bool:
        """A protocol-level check that it serves requests (never a bare sleep)."""

    def code_version(self) -> str:
        """Changes when the code it runs changes, so `up` restarts a stale process."""
        return ""

    async def after_ready(self, say: Say) -> None:  # noqa: B027 - most have nothing to do
        """Work that needs it running, e.g. creating Kafka topics."""

    @abstractmethod
    def address(self) -> str:
        """Where it listens."""

    def _spec(self, argv: list[str], env: Mapping[str, str] | None = None) -> ProcessSpec:
        return ProcessSpec(
            name=self.name,
            argv=argv,
            cwd=REPO_ROOT,
            env=dict(env or {}),
            log_file=self.log_file,
            pid_file=self.pid_file,
        )


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


def build_go_tool(config: StackConfig, name: str, module: str, package: str, say: Say) -> Path:
    """Build ``package`` from our Go module ``deploy/local/<module>`` into ``.stack/bin``
    (once per change of the module's files); returns the binary."""
    binary = config.bin_dir / name
    module_dir = DEPLOY_LOCAL / module
    sources = sorted(p for p in module_dir.iterdir() if p.suffix in {".go", ".mod", ".sum"})
    stamp = config.bin_dir / f".{name}.{_fingerprint(*sources)}"
    if binary.exists() and stamp.exists():
        return binary
    go = require("go", name, "Go 1.24+ (https://go.dev/dl/ or `apt-get install golang`)")
    say(f"{name}: building from {module_dir.relative_to(REPO_ROOT)} (first run only)")
    config.bin_dir.mkdir(parents=True, exist_ok=True)
    # go.sum in the module pins every dependency; GOSUMDB is off because the checksum
    # database answers 404 for some of these modules from this network (see README).
    _run_install(
        [go, "build", "-mod=readonly", "-o", str(binary), package],
        cwd=module_dir,
        log=config.logs_dir / f"install-{name}.log",
        env={"GOSUMDB": "off", "GOFLAGS": "-mod=readonly", "CGO_ENABLED": "0"},
    )
    for old in config.bin_dir.glob(f".{name}.*"):
        old.unlink()
    stamp.touch()
    return binary


def kustomize(config: StackConfig, say: Say) -> Path:
    """The pinned kustomize (deploy/local/kustomize/go.mod), built on first use."""
    return build_go_tool(
        config, "kustomize", "kustomize", "sigs.k8s.io/kustomize/kustomize/v5", say
    )


class FerretDB(GoBinary):
    name = "ferretdb"
    module = "ferretdb"
    package = "."

    def install(self, say: Say) -> None:
        """Build from a copy of FerretDB with atomic writes (see ``ferretdb_patch``)."""
        module_dir = DEPLOY_LOCAL / self.module
        sources = sorted(p for p in module_dir.iterdir() if p.suffix in {".go", ".mod", ".sum"})
        patch = Path(ferretdb_patch.__file__)
        stamp = self.config.bin_dir / f".{self.name}.{_fingerprint(*sources, patch)}"
        if self.binary.exists() and stamp.exists():
            return
        go = require("go", self.name, "Go 1.24+ (https://go.dev/dl/ or `apt-get install golang`)")
        say(f"{self.name}: building from {module_dir.relative_to(REPO_ROOT)} (first run only)")
        log = self.config.logs_dir / f"install-{self.name}.log"
        env = {"GOSUMDB": "off", "GOFLAGS": "-mod=readonly", "CGO_ENABLED": "0"}
        _run_install([go, "mod", "download", ferretdb_patch.MODULE], module_dir, log, env)
        found = subprocess.run(
            [go, "list", "-m", "-f", "{{.Dir}}", ferretdb_patch.MODULE],
            cwd=module_dir,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **env},
        )
        build = self.config.stack_dir / "build"
        ferretdb_patch.patched_copy(Path(found.stdout.strip()), build / "ferretdb-src")
        main = build / "ferretdb-main"
        shutil.rmtree(main, ignore_errors=True)
        main.mkdir(parents=True)
        for source in sources:
            shutil.copy2(source, main / source.name)
        with (main / "go.mod").open("a") as mod:
            mod.write(f"\nreplace {ferretdb_patch.MODULE} => ../ferretdb-src\n")
        self.config.bin_dir.mkdir(parents=True, exist_ok=True)
        _run_install([go, "build", "-o", str(self.binary), "."], main, log, env)
        for old in self.config.bin_dir.glob(f".{self.name}.*"):
            old.unlink()
        stamp.touch()

    def spec(self) -> ProcessSpec:
        data = self.config.data_dir / "ferretdb"
        return self._spec(
            [
                str(self.binary),
                f"-listen={self.config.host}:{self.config.mongodb_port}",
                f"-data={data}",
            ],
            # Decoding documents allocates heavily; collecting less often halved the
            # garbage collector's share of a find (profiled, see README "Performance").
            {"GOGC": "400"},
        )

    async def ready(self) -> bool:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
            self.config.mongodb_url, serverSelectionTimeoutMS=1000
        )
        try:
            await client.admin.command("ping")
            return True
        except Exception:
            return False
        finally:
            await client.close()

    def address(self) -> str:
        return self.config.mongodb_url


class StripeMock(GoBinary):
    name = "stripe-mock"
    module = "stripe-mock"
    package = "github.com/stripe/stripe-mock"

    def spec(self) -> ProcessSpec:
        return self._spec(
            [str(self.binary), "-http-addr", f"{self.config.host}:{self.config.stripe_mock_port}"]
        )

    async def ready(self) -> bool:
        return await _http_ok(
            f"{self.config.stripe_api_base}/v1/customers",
            headers={"Authorization": "Bearer sk_test_local"},
        )

    def address(self) -> str:
        return self.config.stripe_api_base


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
        return await _http_ok(f"{self.config.mailpit_api_url}/api/v1/info")

    def address(self) -> str:
        c = self.config
        return f"smtp://{c.host}:{c.mailpit_smtp_port} api {c.mailpit_api_url}"


class Kafka(Component):
    """Apache Kafka in KRaft mode (one combined broker and controller) from its Maven jars."""

    name = "kafka"
    kind = "infrastructure"

    @property
    def home(self) -> Path:
        return self.config.stack_dir / "kafka"

    @property
    def libs(self) -> Path:
        return self.home / "libs"

    def install(self, say: Say) -> None:
        pom = DEPLOY_LOCAL / "kafka" / "pom.xml"
        stamp = self.libs / f".complete.{_fingerprint(pom)}"
        require("java", "Kafka", "a Java 17+ runtime (`apt-get install openjdk-17-jre-headless`)")
        if stamp.exists():
            return
        mvn = require("mvn", "installing Kafka's jars", "Maven 3.6+ (`apt-get install maven`)")
        say("kafka: copying Apache Kafka jars from Maven Central (first run only, ~1 min)")
        staging = self.home / "libs.partial"
        shutil.rmtree(staging, ignore_errors=True)
        _run_install(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(pom),
                "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
                f"-DoutputDirectory={staging}",
                "-DincludeScope=runtime",
            ],
            cwd=pom.parent,
            log=self.config.logs_dir / "install-kafka.log",
        )
        shutil.rmtree(self.libs, ignore_errors=True)
        staging.rename(self.libs)
        stamp.touch()

    def prepare(self) -> None:
        c = self.config
        config_dir = self.home / "config"
        data = c.data_dir / "kafka"
        config_dir.mkdir(parents=True, exist_ok=True)
        (config_dir / "server.properties").write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.voters=1@{c.host}:{c.kafka_controller_port}",
                    f"listeners=PLAINTEXT://{c.host}:{c.kafka_port},CONTROLLER://{c.host}:{c.kafka_controller_port}",
                    f"advertised.listeners=PLAINTEXT://{c.host}:{c.kafka_port}",
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    f"log.dirs={data}",
                    "num.partitions=1",
                    # Topics are created explicitly by `bespoke stack up`, with their partitions.
                    "auto.create.topics.enable=false",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=10",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "log.retention.hours=168",
                    "",
                ]
            )
        )
        (config_dir / "log4j2.properties").write_text(
            "\n".join(
                [
                    "status = warn",
                    "appender.out.type = Console",
                    "appender.out.name = STDOUT",
                    "appender.out.layout.type = PatternLayout",
                    "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                    "rootLogger.level = info",
                    "rootLogger.appenderRef.out.ref = STDOUT",
                    "logger.kafka.name = kafka",
                    "logger.kafka.level = warn",
                    "logger.apache.name = org.apache.kafka",
                    "logger.apache.level = warn",
                    "",
                ]
            )
        )
        if not (data / "meta.properties").exists():
            cluster_file = self.home / "cluster-id"
            if not cluster_file.exists():
                cluster_file.write_text(
                    base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
                )
            _run_install(
                [
                    "java",
                    "-cp",
                    f"{self.libs}/*",
                    "kafka.tools.StorageTool",
                    "format",
                    "--ignore-formatted",
                    "-t",
                    cluster_file.read_text().strip(),
                    "-c",
                    str(config_dir / "server.properties"),
                ],
                cwd=self.home,
                log=self.log_file,
                env={"KAFKA_LOG4J_OPTS": ""},
            )

    def spec(self) -> ProcessSpec:
        config_dir = self.home / "config"
        return self._spec(
            [
                "java",
                f"-Xmx{self.config.kafka_heap}",
                f"-Xms{self.config.kafka_heap}",
                "-XX:+UseG1GC",
                "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={config_dir / 'log4j2.properties'}",
                "-cp",
                f"{self.libs}/*",
                "kafka.Kafka",
                str(config_dir / "server.properties"),
            ]
        )

    async def ready(self) -> bool:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.config.kafka_bootstrap, request_timeout_ms=2000
        )
        try:
            await admin.start()
            await admin.list_topics()
            return True
        except Exception:
            return False
        finally:
            await admin.close()

    async def after_ready(self, say: Say) -> None:
        await create_topics(self.config, say)

    def address(self) -> str:
        return self.config.kafka_bootstrap


async def create_topics(config: StackConfig, say: Say) -> None:
    """Create every event topic and its dead-letter topic, with explicit partitions."""
    created = await ensure_topics(config.kafka_bootstrap, config.topic_partitions)
    if created:
        say("kafka: created topics " + ", ".join(created))


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
            prefix + "MONGODB_URL": c.mongodb_url,
            prefix + "KAFKA_BOOTSTRAP": c.kafka_bootstrap,
            prefix + "SMTP_HOST": c.host,
            prefix + "SMTP_PORT": str(c.mailpit_smtp_port),
            prefix + "STRIPE_API_BASE": c.stripe_api_base,
            "PYTHONUNBUFFERED": "1",
        }
        if self.name == "gateway":
            for other in ("design", "orders", "payments", "shipping"):
                env[f"{prefix}{other.upper()}_URL"] = c.service_url(other)
            # Payments run against stripe-mock here: the web UI may simulate a payment.
            env[prefix + "PAYMENT_SIMULATION_SECRET"] = PaymentsSettings().stripe_webhook_secret
        return self._spec([sys.executable, "-m", f"bespoke_{self.name}"], env)

    async def ready(self) -> bool:
        return await _http_ok(f"{self.config.service_url(self.name)}/health")

    def address(self) -> str:
        return self.config.service_url(self.name)


async def _http_ok(url: str, headers: Mapping[str, str] | None = None) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            response = await client.get(url, headers=headers)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


SERVICE_NAMES = ("design", "orders", "payments", "shipping", "notifications", "gateway")


def all_components(config: StackConfig) -> list[Component]:
    """Every component in start order (stop runs in reverse)."""
    infrastructure: list[Component] = [
        Kafka(config),
        FerretDB(config),
        StripeMock(config),
        Mailpit(config),
    ]
    return infrastructure + [Service(config, name) for name in SERVICE_NAMES]
