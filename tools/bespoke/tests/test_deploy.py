"""Deployment files, checked offline: the Kubernetes overlays render with the pinned
kustomize, every object validates against the Kubernetes JSON schemas, every service is
deployed with probes its code answers and the settings it needs, and the image is built
the way the README says."""

from __future__ import annotations

import importlib
import re
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from typer.testing import CliRunner

from bespoke import k8s
from bespoke.cli import app
from bespoke.stack.components import SERVICE_NAMES, kustomize
from bespoke.stack.config import StackConfig
from bespoke_contracts.topics import CONSUMERS
from bespoke_platform.addresses import SERVICE_PORTS
from bespoke_platform.kafka_access import CLIENT_PRINCIPALS

ROOT = Path(__file__).parents[3]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.33.0"
OVERLAYS = ("dev", "prod")
LOCAL_ONLY = {"BESPOKE_GATEWAY_PAYMENT_SIMULATION_SECRET"}


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict[str, Any]]]:
    binary = kustomize(StackConfig(), lambda line: None)
    out = {}
    for overlay in OVERLAYS:
        text = subprocess.run(
            [str(binary), "build", str(K8S / "overlays" / overlay)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        out[overlay] = [doc for doc in yaml.safe_load_all(text) if doc]
    return out


def by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def test_the_committed_base_is_what_the_generator_writes() -> None:
    for name, text in k8s.render().items():
        assert (K8S / "base" / name).read_text() == text, (
            f"deploy/k8s/base/{name} is stale: run `uv run python -m bespoke.k8s`"
        )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_object_is_valid_kubernetes(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    kinds = set()
    for obj in rendered[overlay]:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        kinds.add(obj["kind"])
        assert (
            obj["metadata"].get("namespace")
            in (None, f"bespoke{'-dev' if overlay == 'dev' else ''}")
            or obj["kind"] == "Namespace"
        )
    assert {
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "Ingress",
        "Job",
        "ConfigMap",
        "Namespace",
    } <= kinds


def test_an_invalid_object_is_caught() -> None:
    broken = k8s.deployment(k8s.SERVICES[0])
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_is_deployed_safely(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    deployments = by_kind(rendered[overlay], "Deployment")
    assert set(deployments) == set(SERVICE_NAMES)
    assert set(SERVICE_NAMES) == {p.name for p in (ROOT / "services").iterdir() if p.is_dir()}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        [container] = pod["containers"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert {"requests", "limits"} <= set(container["resources"]), name
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/path"] == "/metrics"
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert annotations["prometheus.io/port"] == str(ports["metrics"])
        assert ports["metrics"] != ports["http"], "metrics on a port of their own"
        assert container["image"].startswith("registry.example.com/bespoke/" + name + ":")
    assert set(by_kind(rendered[overlay], "Service")) == set(SERVICE_NAMES)
    assert set(by_kind(rendered[overlay], "PodDisruptionBudget")) == set(SERVICE_NAMES)
    scaled = set(by_kind(rendered[overlay], "HorizontalPodAutoscaler"))
    assert scaled == {"gateway", "orders", "payments", "shipping", "notifications"}


def test_probe_paths_exist_in_each_service_s_code() -> None:
    for name in SERVICE_NAMES:
        http = importlib.import_module(f"bespoke_{name}.entrypoints.http")
        app = http.create_app()
        paths = {route.path for route in app.routes}
        assert {"/health/live", "/health/ready"} <= paths, name
        assert "/metrics" not in paths, f"{name}: metrics are served on their own port"


def _settings_class(name: str) -> Any:
    module = importlib.import_module(f"bespoke_{name}.settings")
    return next(
        v
        for k, v in vars(module).items()
        if k.endswith("Settings") and v.__module__ == module.__name__
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_setting_a_service_needs_in_a_cluster_is_set(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    """Settings whose defaults point at the local stack, and secrets, must come from the
    manifests (else a pod would look for MongoDB on its own loopback)."""
    deployments = by_kind(rendered[overlay], "Deployment")
    config = next(iter(by_kind(rendered[overlay], "ConfigMap").values()))
    for name in SERVICE_NAMES:
        settings = _settings_class(name)
        prefix = settings.model_config["env_prefix"]
        needed = {
            prefix + field.upper()
            for field, info in settings.model_fields.items()
            if "127.0.0.1" in str(info.default)
            or re.search(r"secret|api_key|password|username", field)
        }
        [container] = deployments[name]["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e for e in container["env"]}
        # Local stacks only (stripe-mock): a cluster must never let the UI fake payments.
        assert not needed & LOCAL_ONLY & set(env), (overlay, name)
        missing = needed - LOCAL_ONLY - set(env)
        assert not missing, (overlay, name, missing)
        for item in env.values():
            ref = item.get("valueFrom", {}).get("configMapKeyRef")
            if ref and not ref.get("optional"):
                assert ref["key"] in config["data"], (name, ref)
            assert "127.0.0.1" not in item.get("value", ""), (name, item)


def test_prod_replicates_kafka_topics_and_consumers_fit_the_partitions(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    for overlay in OVERLAYS:
        data = next(iter(by_kind(rendered[overlay], "ConfigMap").values()))["data"]
        partitions = int(data["topic-partitions"])
        for hpa in by_kind(rendered[overlay], "HorizontalPodAutoscaler").values():
            assert hpa["spec"]["maxReplicas"] <= partitions, (overlay, hpa["metadata"]["name"])
        job = by_kind(rendered[overlay], "Job")["bespoke-topics"]
        assert (
            "bespoke_platform.topics" in job["spec"]["template"]["spec"]["containers"][0]["args"][0]
        )
    prod = next(iter(by_kind(rendered["prod"], "ConfigMap").values()))["data"]
    assert prod["topic-replication-factor"] == "3"


def test_only_the_gateway_is_reachable_from_outside(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    policies = by_kind(rendered["prod"], "NetworkPolicy")
    assert policies["default-deny"]["spec"]["podSelector"] == {}
    for name in SERVICE_NAMES:
        namespaces = {
            source["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
            for rule in policies[name]["spec"].get("ingress", [])
            for source in rule["from"]
            if "namespaceSelector" in source
        }
        # Prometheus scrapes every service; only the gateway takes outside traffic.
        expected = {"ingress-nginx", "monitoring"} if name == "gateway" else {"monitoring"}
        assert namespaces == expected, name
        scraped = {
            port["port"]
            for rule in policies[name]["spec"]["ingress"]
            for source in rule["from"]
            if source.get("namespaceSelector", {})
            .get("matchLabels", {})
            .get("kubernetes.io/metadata.name")
            == "monitoring"
            for port in rule["ports"]
        }
        assert scraped == {SERVICE_PORTS[name] + 1000}, f"{name}: Prometheus reaches metrics only"
    ingress = by_kind(rendered["prod"], "Ingress")["gateway"]
    backends = {
        p["backend"]["service"]["name"]
        for r in ingress["spec"]["rules"]
        for p in r["http"]["paths"]
    }
    assert backends == {"gateway"}


def test_the_image_is_multi_stage_non_root_and_slim() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+) AS (\w+)", dockerfile, re.MULTILINE)
    assert [s for _, s in stages] == ["build", "run"]
    assert all(base.endswith("-slim") for base, _ in stages)
    run_stage = dockerfile.split("AS run", 1)[1]
    assert re.search(r"^USER 10001", run_stage, re.MULTILINE)
    assert "uv " not in run_stage
    assert "pip install" not in run_stage
    # Only runtime libraries (Cairo, for the orders service's thumbnails), no extras, and
    # the package lists removed in the same layer.
    for installed in re.findall(r"apt-get install (.*?)(?:\\\n|&&|$)", run_stage):
        words = installed.split()
        assert "--no-install-recommends" in words, installed
        assert all(w.startswith("lib") for w in words if not w.startswith("-")), installed
    if "apt-get" in run_stage:
        assert "rm -rf /var/lib/apt/lists/*" in run_stage
    assert "uv sync --frozen --no-dev --no-editable" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".stack", ".venv"} <= set(ignored)


def test_docker_compose_runs_every_service_with_what_it_needs() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"mongodb", "kafka", "stripe-mock", "mailpit", "topics"} <= set(services)
    assert "--replSet" in services["mongodb"]["command"]
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    for name in SERVICE_NAMES:
        service = services[name]
        assert service["build"]["args"]["SERVICE"] == name
        assert "/health/ready" in " ".join(service["healthcheck"]["test"])
        assert service["depends_on"]["kafka"]["condition"] == "service_healthy"
        assert service["depends_on"]["topics"]["condition"] == "service_completed_successfully"
        settings = _settings_class(name)
        prefix = settings.model_config["env_prefix"]
        needed = {
            prefix + field.upper()
            for field, info in settings.model_fields.items()
            if "127.0.0.1" in str(info.default) and field != "http_host"  # the image sets it
        }
        assert needed <= set(service["environment"]), (name, needed - set(service["environment"]))
        collector = services["jaeger"]["image"].split(":")[0]
        assert collector == "jaegertracing/jaeger"
        assert service["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://jaeger:4318"


def _compose_kafka_properties(environment: dict[str, str]) -> dict[str, str]:
    """The apache/kafka image's rule: KAFKA_A_B -> a.b, `__` -> `-`, `___` -> `_`."""
    out = {}
    for name, value in environment.items():
        if name.startswith("KAFKA_"):
            key = name.removeprefix("KAFKA_").lower()
            key = key.replace("___", "\0").replace("__", "-").replace("_", ".")
            out[key.replace("\0", "_")] = value
    return out


def test_docker_compose_kafka_signs_everyone_in_and_allows_only_the_acls() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    broker = _compose_kafka_properties(services["kafka"]["environment"])
    assert broker["authorizer.class.name"].endswith("StandardAuthorizer")
    assert broker["allow.everyone.if.no.acl.found"] == "false"
    assert set(broker["super.users"].split(";")) == {"User:broker", "User:controller", "User:admin"}
    protocols = dict(p.split(":") for p in broker["listener.security.protocol.map"].split(","))
    assert set(protocols.values()) == {"SASL_PLAINTEXT"}, "no listener takes anyone"
    assert "SCRAM-SHA-512" in broker["sasl.enabled.mechanisms"].split(",")
    assert "ScramLoginModule" in broker["listener.name.clients.scram-sha-512.sasl.jaas.config"]
    plain = broker["listener.name.clients.plain.sasl.jaas.config"]
    assert re.findall(r"user_(\w+)=", plain) == ["broker", "admin"], "PLAIN: no service"
    topics = services["topics"]
    assert "--access" in topics["entrypoint"]
    for principal in CLIENT_PRINCIPALS:
        variable = f"KAFKA_PASSWORD_{principal.upper()}"
        assert variable in topics["environment"][f"BESPOKE_TOPICS_{variable}"]
    for name in CONSUMERS:
        environment = services[name]["environment"]
        prefix = f"BESPOKE_{name.upper()}_KAFKA_"
        assert environment[prefix + "USERNAME"] == name
        assert f"KAFKA_PASSWORD_{name.upper()}:?" in environment[prefix + "PASSWORD"]
        assert environment.get(prefix + "SECURITY_PROTOCOL", "SASL_PLAINTEXT") != "PLAINTEXT"


def test_keys_compose_env_makes_every_secret_docker_compose_asks_for() -> None:
    asked = set(re.findall(r"\$\{(\w+)", (ROOT / "docker-compose.yml").read_text()))
    printed = CliRunner().invoke(app, ["keys", "compose-env"])
    assert printed.exit_code == 0, printed.output
    made = dict(line.split("=", 1) for line in printed.output.splitlines())
    assert asked <= set(made), asked - set(made)
    passwords = [v for k, v in made.items() if k.startswith("KAFKA_PASSWORD_")]
    assert len(set(passwords)) == len(passwords), "one password per principal"
    again = dict(
        line.split("=", 1)
        for line in CliRunner().invoke(app, ["keys", "compose-env"]).output.splitlines()
    )
    assert set(passwords).isdisjoint(again.values()), "new every time"


def test_traces_go_to_the_collector_named_in_the_config(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    for overlay in OVERLAYS:
        objects = rendered[overlay]
        policies = by_kind(objects, "NetworkPolicy")
        for name, deployment in by_kind(objects, "Deployment").items():
            env = {
                e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]
            }
            assert env["OTEL_SERVICE_NAME"]["value"] == f"bespoke-{name}"
            ref = env["OTEL_EXPORTER_OTLP_ENDPOINT"]["valueFrom"]["configMapKeyRef"]
            assert ref["key"] == "otlp-endpoint"
            assert ref["optional"] is True  # no collector configured: nothing exported
            assert any(
                port["port"] == 4318
                for rule in policies[name]["spec"]["egress"]
                for port in rule.get("ports", [])
            ), name
    config = next(iter(by_kind(rendered["prod"], "ConfigMap").values()))["data"]
    assert config["otlp-endpoint"].startswith("http://")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_has_a_database_user_and_a_kafka_principal_of_its_own(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    deployments = by_kind(rendered[overlay], "Deployment")
    seen: dict[str, set[str]] = {}
    for name in SERVICE_NAMES:
        [container] = deployments[name]["spec"]["template"]["spec"]["containers"]
        refs = {
            e["name"].removeprefix(f"BESPOKE_{name.upper()}_"): e["valueFrom"]["secretKeyRef"][
                "key"
            ]
            for e in container["env"]
            if "secretKeyRef" in e.get("valueFrom", {})
        }
        assert refs["MONGODB_URL"] == f"mongodb-url-{name}", name
        for setting, secret in refs.items():
            seen.setdefault(secret, set()).add(f"{name}.{setting}")
    shared = {secret: users for secret, users in seen.items() if len(users) > 1}
    assert shared == {}, "no two services share a secret"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_reach_outside_only_the_destinations_they_use(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    policies = by_kind(rendered[overlay], "NetworkPolicy")
    blocks = [
        peer["ipBlock"]["cidr"]
        for policy in policies.values()
        for rule in policy["spec"].get("egress", [])
        for peer in rule.get("to", [])
        if "ipBlock" in peer
    ]
    assert "0.0.0.0/0" not in blocks, "no policy lets a pod out to anywhere"
    reachers = {
        policy["metadata"]["name"].removeprefix("egress-"): set(
            policy["spec"]["podSelector"]["matchExpressions"][0]["values"]
        )
        for policy in policies.values()
        if policy["metadata"]["name"].startswith("egress-")
    }
    assert reachers == {
        "kafka": {"orders", "payments", "shipping", "notifications", "bespoke-topics"},
        "mongodb": set(SERVICE_NAMES),
        "smtp": {"notifications"},
        "stripe": {"payments"},
    }
    # Stripe only through the egress proxy, and payments is configured to use it.
    [stripe] = policies["egress-stripe"]["spec"]["egress"]
    assert [p["port"] for p in stripe["ports"]] == [k8s.EGRESS_PROXY_PORT]
    assert all("ipBlock" not in peer for peer in stripe["to"])
    config = next(iter(by_kind(rendered[overlay], "ConfigMap").values()))["data"]
    assert config["stripe-proxy"] == k8s.EGRESS_PROXY
    if overlay == "prod":  # production names its real addresses, narrower than the base
        for name in ("kafka", "mongodb", "smtp"):
            [rule] = policies[f"egress-{name}"]["spec"]["egress"]
            assert all(peer["ipBlock"]["cidr"] != k8s.PRIVATE_NETWORK for peer in rule["to"])
