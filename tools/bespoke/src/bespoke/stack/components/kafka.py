"""Apache Kafka in KRaft mode from its Maven Central jars."""

from __future__ import annotations

import base64
import shutil
import uuid
from pathlib import Path
from string import Template

from aiokafka.admin import AIOKafkaAdminClient

from bespoke.stack import kafka_security, kafka_tls
from bespoke.stack.components.component import Component, Say, fingerprint, require, run_install
from bespoke.stack.config import DEPLOY_LOCAL, StackConfig
from bespoke.stack.processes import ProcessSpec
from bespoke_platform.topics import ensure_topics

SASL_MARK = ".sasl-scram"
"""In the broker's data folder once its storage was formatted with SCRAM credentials."""


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

    @property
    def template(self) -> Path:
        return DEPLOY_LOCAL / "kafka" / "server.properties"

    def code_version(self) -> str:
        """A broker started from an older configuration template is restarted."""
        return fingerprint(self.template)

    def install(self, say: Say) -> None:
        pom = DEPLOY_LOCAL / "kafka" / "pom.xml"
        stamp = self.libs / f".complete.{fingerprint(pom)}"
        require("java", "Kafka", "a Java 17+ runtime (`apt-get install openjdk-17-jre-headless`)")
        if stamp.exists():
            return
        mvn = require("mvn", "installing Kafka's jars", "Maven 3.6+ (`apt-get install maven`)")
        say("kafka: copying Apache Kafka jars from Maven Central (first run only, ~1 min)")
        staging = self.home / "libs.partial"
        shutil.rmtree(staging, ignore_errors=True)
        run_install(
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
        config_dir.chmod(0o700)  # the broker's configuration holds passwords
        known = kafka_security.passwords(c)
        template = Template(self.template.read_text())
        (config_dir / "server.properties").write_text(
            template.substitute(
                host=c.host,
                port=c.kafka_port,
                tls_port=c.kafka_tls_port,
                controller_port=c.kafka_controller_port,
                log_dirs=data,
                controller_password=known[kafka_security.CONTROLLER],
                broker_password=known[kafka_security.BROKER],
                tls_keystore=kafka_tls.certificates(c).keystore,
            )
        )
        shutil.copyfile(
            DEPLOY_LOCAL / "kafka" / "log4j2.properties", config_dir / "log4j2.properties"
        )
        if (data / "meta.properties").exists() and not (data / SASL_MARK).exists():
            # Formatted before Kafka required sign-in: the broker's own credential is not
            # in its metadata, so it could not start. The local broker's data is
            # disposable (every service keeps its own state): format it again.
            shutil.rmtree(data)
        if not (data / "meta.properties").exists():
            cluster_file = self.home / "cluster-id"
            if not cluster_file.exists() or cluster_file.read_text().startswith("-"):
                cluster_file.write_text(cluster_id())
            run_install(
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
                    *kafka_security.format_arguments(c),
                ],
                cwd=self.home,
                log=self.log_file,
                env={"KAFKA_LOG4J_OPTS": ""},
            )
            (data / SASL_MARK).touch()

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
            bootstrap_servers=self.config.kafka_bootstrap,
            request_timeout_ms=2000,
            **kafka_security.login(self.config, kafka_security.ADMIN).aiokafka(),
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
    """Every event topic and its dead-letter topic, with explicit partitions; every
    principal's credential and the ACLs (all idempotent)."""
    admin = kafka_security.login(config, kafka_security.ADMIN)
    created = await ensure_topics(config.kafka_bootstrap, config.topic_partitions, login=admin)
    if created:
        say("kafka: created topics " + ", ".join(created))
    await kafka_security.apply(config)


def cluster_id() -> str:
    """A new KRaft cluster id: a random UUID in URL-safe base64, as Kafka's own
    ``random-uuid`` makes them, never starting with ``-`` (the storage tool would read
    one as an option, and refuse to format)."""
    while True:
        made = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not made.startswith("-"):
            return made
