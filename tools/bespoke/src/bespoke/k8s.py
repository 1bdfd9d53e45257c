"""The Kubernetes base (deploy/k8s/base), generated from one table so the six services
stay alike: ``uv run python -m bespoke.k8s`` rewrites it; a test fails when it drifts.

Per service: a Deployment (probes on /health/live and /health/ready, requests and
limits, non-root, read-only root filesystem), a Service, a PodDisruptionBudget, and an
HPA for the gateway and the Kafka consumers. Shared: the ConfigMap, NetworkPolicies
(only the gateway is reachable from outside; each service reaches only what it needs),
the Ingress of the gateway, and the Job that creates the Kafka topics. Secrets are
referenced, never written here: create ``bespoke-secrets`` per environment.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bespoke_platform.addresses import (
    CALLERS,
    KAFKA_PORT,
    METRICS_PORT_OFFSET,
    MONGODB_PORT,
    SERVICE_PORTS,
    SIGNERS,
)

BASE = Path(__file__).resolve().parents[4] / "deploy" / "k8s" / "base"
IMAGE = "bespoke/{service}"
PARTITIONS = 12
"""Partitions per event topic: the most consumer replicas that can share the work."""


@dataclass(frozen=True)
class Env:
    name: str
    config: str | None = None
    protected: str | None = None
    """A key of the `bespoke-secrets` Secret."""
    value: str | None = None
    pod: str | None = None
    """A field of the pod itself (the downward API), e.g. ``metadata.name``."""
    optional: bool = False


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: int
    consumer: bool
    env: tuple[Env, ...] = ()
    callers: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    reaches: tuple[str, ...] = ("mongodb",)
    """Outside destinations it may reach (`DESTINATIONS`), nothing else."""
    max_replicas: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


MONITORING_NAMESPACE = "monitoring"
"""Where Prometheus runs (it may scrape every service's port)."""
OBSERVABILITY_NAMESPACE = "observability"
"""Where the OpenTelemetry collector runs (services send it traces on 4318)."""
EGRESS_PROXY_NAMESPACE = "egress-proxy"
EGRESS_PROXY_PORT = 3128
EGRESS_PROXY = f"http://egress-proxy.{EGRESS_PROXY_NAMESPACE}:{EGRESS_PROXY_PORT}"
"""A forward proxy that lets out only the host names it lists (``api.stripe.com``)."""
PRIVATE_NETWORK = "10.0.0.0/8"
"""Where the base expects Kafka, MongoDB and the SMTP relay: the cluster's private
network. Each overlay narrows every destination to its real addresses."""
SMTP_PORTS = (587, 465)


@dataclass(frozen=True)
class Destination:
    """Somewhere outside the namespace that services reach. One NetworkPolicy each, so
    a deployment sets its real addresses by patching one object."""

    name: str
    ports: tuple[int, ...]
    to: tuple[dict[str, Any], ...]


DESTINATIONS = (
    Destination("kafka", (KAFKA_PORT,), ({"ipBlock": {"cidr": PRIVATE_NETWORK}},)),
    Destination("mongodb", (MONGODB_PORT,), ({"ipBlock": {"cidr": PRIVATE_NETWORK}},)),
    Destination("smtp", SMTP_PORTS, ({"ipBlock": {"cidr": PRIVATE_NETWORK}},)),
    # Stripe's API addresses change without notice (Stripe advises allowing its host
    # names): payments reaches it only through the egress proxy.
    Destination(
        "stripe",
        (EGRESS_PROXY_PORT,),
        (
            {
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": EGRESS_PROXY_NAMESPACE}
                },
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": "egress-proxy"}},
            },
        ),
    ),
)


def _container_security() -> dict[str, Any]:
    """Every container: no privilege escalation, nothing written outside its volumes.
    (A fresh dict each time, so YAML never writes it as an alias.)"""
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }


def cluster_url(service: str) -> str:
    """A service's internal API inside the cluster (its Service name and port)."""
    return f"http://{service}:{SERVICE_PORTS[service]}"


def _signing(service: str) -> tuple[Env, ...]:
    """A service that calls others signs its calls with its own key (a secret) and says
    which key it is (public)."""
    return (
        Env("SIGNING_KEY", protected=f"{service}-signing-key"),
        Env("SIGNING_KEY_ID", config=f"{service}-signing-key-id"),
    )


COMMON = (Env("KAFKA_BOOTSTRAP", config="kafka-bootstrap"),)

SERVICES = (
    ServiceSpec(
        "gateway",
        SERVICE_PORTS["gateway"],
        consumer=False,
        env=(
            Env("DESIGN_URL", value=cluster_url("design")),
            Env("ORDERS_URL", value=cluster_url("orders")),
            Env("PAYMENTS_URL", value=cluster_url("payments")),
            Env("SHIPPING_URL", value=cluster_url("shipping")),
            Env("NOTIFICATIONS_URL", value=cluster_url("notifications")),
            *_signing("gateway"),
            # Only the ingress controller may reach the gateway (NetworkPolicies), so the
            # client address and scheme it forwards are believed.
            Env("TRUSTED_PROXIES", value="*"),
        ),
        callers=("ingress",),
        calls=("design", "orders", "payments", "shipping", "notifications"),
        max_replicas=10,
    ),
    ServiceSpec(
        "design",
        SERVICE_PORTS["design"],
        consumer=False,
        env=(Env("BACKOFFICE_URL", config="backoffice-url"),),
        callers=CALLERS["design"],
    ),
    ServiceSpec(
        "orders",
        SERVICE_PORTS["orders"],
        consumer=True,
        env=(
            Env("DESIGN_URL", value=cluster_url("design")),
            Env("SHIPPING_URL", value=cluster_url("shipping")),
            *_signing("orders"),
        ),
        callers=CALLERS["orders"],
        calls=("design", "shipping"),
        reaches=("mongodb", "kafka"),
        max_replicas=PARTITIONS,
    ),
    ServiceSpec(
        "payments",
        SERVICE_PORTS["payments"],
        consumer=True,
        env=(
            Env("STRIPE_API_BASE", config="stripe-api-base"),
            Env("STRIPE_API_KEY", protected="stripe-api-key"),
            Env("STRIPE_WEBHOOK_SECRET", protected="stripe-webhook-secret"),
            Env("STRIPE_PROXY", config="stripe-proxy"),
        ),
        callers=CALLERS["payments"],
        reaches=("mongodb", "kafka", "stripe"),
        max_replicas=PARTITIONS,
    ),
    ServiceSpec(
        "shipping",
        SERVICE_PORTS["shipping"],
        consumer=True,
        callers=CALLERS["shipping"],
        reaches=("mongodb", "kafka"),
        max_replicas=PARTITIONS,
    ),
    ServiceSpec(
        "notifications",
        SERVICE_PORTS["notifications"],
        consumer=True,
        env=(
            Env("SMTP_HOST", config="smtp-host"),
            Env("SMTP_PORT", config="smtp-port"),
            Env("SMTP_STARTTLS", config="smtp-starttls"),
            Env("SMTP_USERNAME", protected="smtp-username", optional=True),
            Env("SMTP_PASSWORD", protected="smtp-password", optional=True),
            Env("MAIL_FROM", config="mail-from"),
            Env("BACKOFFICE_URL", config="backoffice-url"),
            Env("DESIGN_URL", value=cluster_url("design")),
            *_signing("notifications"),
        ),
        callers=CALLERS["notifications"],
        calls=("design",),
        reaches=("mongodb", "kafka", "smtp"),
        max_replicas=PARTITIONS,
    ),
)


def _labels(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "bespoke"}


def _env(spec: ServiceSpec) -> list[dict[str, Any]]:
    prefix = f"BESPOKE_{spec.name.upper()}_"
    out: list[dict[str, Any]] = [
        {"name": prefix + "HTTP_HOST", "value": "0.0.0.0"},
        {"name": prefix + "HTTP_PORT", "value": str(spec.port)},
    ]
    trusted = (
        (Env("TRUSTED_KEYS", config=f"trusted-keys-{spec.name}"),) if spec.name in CALLERS else ()
    )
    # Each Kafka client signs in as its own principal (ACLs: bespoke_contracts.topics).
    kafka = (
        (
            Env("KAFKA_SECURITY_PROTOCOL", config="kafka-security-protocol"),
            Env("KAFKA_USERNAME", value=spec.name),
            Env("KAFKA_PASSWORD", protected=f"kafka-password-{spec.name}"),
            # Static group membership: a container restarted in its pod rejoins as the
            # member it was, and gets its partitions back without waiting out a session.
            Env("CONSUMER_INSTANCE_ID", pod="metadata.name"),
        )
        if spec.consumer
        else ()
    )
    # Its own database user, whose role reaches its own database only.
    database = (Env("MONGODB_URL", protected=f"mongodb-url-{spec.name}"),)
    for env in (*COMMON, *database, *trusted, *kafka, *spec.env):
        item: dict[str, Any] = {"name": prefix + env.name}
        if env.value is not None:
            item["value"] = env.value
        elif env.pod is not None:
            item["valueFrom"] = {"fieldRef": {"fieldPath": env.pod}}
        elif env.config is not None:
            item["valueFrom"] = {"configMapKeyRef": {"name": "bespoke-config", "key": env.config}}
        else:
            ref: dict[str, Any] = {"name": "bespoke-secrets", "key": env.protected}
            if env.optional:
                ref["optional"] = True
            item["valueFrom"] = {"secretKeyRef": ref}
        out.append(item)
    # Traces: exported over OTLP only where the cluster's config names a collector.
    out.append({"name": "OTEL_SERVICE_NAME", "value": f"bespoke-{spec.name}"})
    out.append(
        {
            "name": "OTEL_EXPORTER_OTLP_ENDPOINT",
            "valueFrom": {
                "configMapKeyRef": {
                    "name": "bespoke-config",
                    "key": "otlp-endpoint",
                    "optional": True,
                }
            },
        }
    )
    return out


def _namespace(name: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def _probe(path: str, port: int, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": 3,
        "failureThreshold": failures,
    }


def deployment(spec: ServiceSpec) -> dict[str, Any]:
    labels = _labels(spec.name)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": spec.name, "labels": labels},
        "spec": {
            "replicas": 2,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": {"app.kubernetes.io/name": spec.name}},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
            },
            "template": {
                "metadata": {
                    "labels": labels,
                    "annotations": {  # scraped by Prometheus (annotation-based discovery)
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(spec.port + METRICS_PORT_OFFSET),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": {
                    "automountServiceAccountToken": False,
                    "terminationGracePeriodSeconds": 30,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 10001,
                        "runAsGroup": 10001,
                        "fsGroup": 10001,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [
                        {
                            "name": spec.name,
                            "image": IMAGE.format(service=spec.name),
                            "imagePullPolicy": "IfNotPresent",
                            "ports": [
                                {"name": "http", "containerPort": spec.port},
                                {
                                    "name": "metrics",
                                    "containerPort": spec.port + METRICS_PORT_OFFSET,
                                },
                            ],
                            "env": _env(spec),
                            "startupProbe": _probe("/health/live", spec.port, 2, 30),
                            "livenessProbe": _probe("/health/live", spec.port, 10, 3),
                            "readinessProbe": _probe("/health/ready", spec.port, 5, 3),
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "192Mi"},
                                "limits": {"cpu": "1", "memory": "512Mi"},
                            },
                            "securityContext": _container_security(),
                            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],  # noqa: S108
                        }
                    ],
                    "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
                },
            },
        },
    }


def service(spec: ServiceSpec) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": spec.name, "labels": _labels(spec.name)},
        "spec": {
            "selector": {"app.kubernetes.io/name": spec.name},
            "ports": [{"name": "http", "port": spec.port, "targetPort": "http"}],
        },
    }


def pdb(spec: ServiceSpec) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": spec.name, "labels": _labels(spec.name)},
        "spec": {
            "minAvailable": 1,
            "selector": {"matchLabels": {"app.kubernetes.io/name": spec.name}},
        },
    }


def hpa(spec: ServiceSpec) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": spec.name, "labels": _labels(spec.name)},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": spec.name},
            "minReplicas": 2,
            "maxReplicas": spec.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 70},
                    },
                }
            ],
        },
    }


def _pods(name: str) -> dict[str, Any]:
    return {"podSelector": {"matchLabels": {"app.kubernetes.io/name": name}}}


def network_policies() -> list[dict[str, Any]]:
    """Default deny; then each service: who may call it, and what it may reach."""
    policies: list[dict[str, Any]] = [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny"},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        }
    ]
    dns = {
        "to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    }
    traces = {  # the OpenTelemetry collector (OTLP over HTTP)
        "to": [_namespace(OBSERVABILITY_NAMESPACE)],
        "ports": [{"protocol": "TCP", "port": 4318}],
    }
    for spec in SERVICES:
        ingress: list[dict[str, Any]] = []
        for caller in spec.callers:
            source = _namespace("ingress-nginx") if caller == "ingress" else _pods(caller)
            ingress.append({"from": [source], "ports": [{"protocol": "TCP", "port": spec.port}]})
        # Prometheus scrapes /metrics from its own namespace, on the metrics port only:
        # it never reaches an API.
        ingress.append(
            {
                "from": [_namespace(MONITORING_NAMESPACE)],
                "ports": [{"protocol": "TCP", "port": spec.port + METRICS_PORT_OFFSET}],
            }
        )
        egress: list[dict[str, Any]] = [dns, traces]
        for callee in spec.calls:
            port = next(s.port for s in SERVICES if s.name == callee)
            egress.append({"to": [_pods(callee)], "ports": [{"protocol": "TCP", "port": port}]})
        policy_spec: dict[str, Any] = {
            **_pods(spec.name),
            "policyTypes": ["Ingress", "Egress"],
            "egress": egress,
        }
        if ingress:
            policy_spec["ingress"] = ingress
        policies.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": spec.name, "labels": _labels(spec.name)},
                "spec": policy_spec,
            }
        )
    policies.append(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "topics-job"},
            "spec": {
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": "bespoke-topics"}},
                "policyTypes": ["Egress"],
                "egress": [dns],
            },
        }
    )
    reachers = {
        d.name: sorted(s.name for s in SERVICES if d.name in s.reaches) for d in DESTINATIONS
    }
    reachers["kafka"].append("bespoke-topics")
    for destination in DESTINATIONS:
        policies.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": f"egress-{destination.name}"},
                "spec": {
                    "podSelector": {
                        "matchExpressions": [
                            {
                                "key": "app.kubernetes.io/name",
                                "operator": "In",
                                "values": reachers[destination.name],
                            }
                        ]
                    },
                    "policyTypes": ["Egress"],
                    "egress": [
                        {
                            "to": list(destination.to),
                            "ports": [{"protocol": "TCP", "port": p} for p in destination.ports],
                        }
                    ],
                },
            }
        )
    return policies


def shared() -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "bespoke-config"},
            "data": {
                "kafka-bootstrap": f"kafka-bootstrap:{KAFKA_PORT}",
                "kafka-security-protocol": "SASL_SSL",
                "stripe-api-base": "https://api.stripe.com",
                "stripe-proxy": EGRESS_PROXY,
                "smtp-host": "smtp.example.com",
                "smtp-port": "587",
                "smtp-starttls": "true",
                "mail-from": "Bespoke Factory <orders@example.com>",
                "backoffice-url": "https://backoffice.example.com",
                "topic-partitions": str(PARTITIONS),
                "topic-replication-factor": "1",
                "topic-retention-ms": str(7 * 24 * 3600 * 1000),
                # Keys between services: each signer's key id, and each service's trusted
                # callers' public keys (`uv run bespoke keys create`; replace per cluster).
                **{f"{signer}-signing-key-id": f"{signer}-1" for signer in SIGNERS},
                **{
                    f"trusted-keys-{service}": json.dumps({caller: [] for caller in callers})
                    for service, callers in CALLERS.items()
                },
            },
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": "gateway", "labels": _labels("gateway")},
            "spec": {
                "ingressClassName": "nginx",
                "rules": [
                    {
                        "host": "backoffice.example.com",
                        "http": {
                            "paths": [
                                {
                                    "path": "/api/v1",
                                    "pathType": "Prefix",
                                    "backend": {
                                        "service": {
                                            "name": "gateway",
                                            "port": {"number": SERVICE_PORTS["gateway"]},
                                        }
                                    },
                                }
                            ]
                        },
                    }
                ],
            },
        },
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "bespoke-topics", "labels": _labels("bespoke-topics")},
            "spec": {
                "backoffLimit": 6,
                "ttlSecondsAfterFinished": 3600,
                "template": {
                    "metadata": {"labels": _labels("bespoke-topics")},
                    "spec": {
                        "restartPolicy": "OnFailure",
                        "automountServiceAccountToken": False,
                        "securityContext": {
                            "runAsNonRoot": True,
                            "runAsUser": 10001,
                            "seccompProfile": {"type": "RuntimeDefault"},
                        },
                        "containers": [
                            {
                                "name": "topics",
                                "image": IMAGE.format(service="orders"),
                                "command": ["/bin/sh", "-c"],
                                "args": [
                                    "exec python -m bespoke_platform.topics"
                                    ' --bootstrap "$KAFKA_BOOTSTRAP" --partitions "$PARTITIONS"'
                                    ' --replication-factor "$REPLICATION" --retention-ms "$RETENTION"'
                                ],
                                "env": [
                                    {
                                        "name": key,
                                        "valueFrom": {
                                            "configMapKeyRef": {
                                                "name": "bespoke-config",
                                                "key": ref,
                                            }
                                        },
                                    }
                                    for key, ref in (
                                        ("KAFKA_BOOTSTRAP", "kafka-bootstrap"),
                                        ("PARTITIONS", "topic-partitions"),
                                        ("REPLICATION", "topic-replication-factor"),
                                        ("RETENTION", "topic-retention-ms"),
                                        (
                                            "BESPOKE_TOPICS_KAFKA_SECURITY_PROTOCOL",
                                            "kafka-security-protocol",
                                        ),
                                    )
                                ]
                                + [
                                    {
                                        "name": f"BESPOKE_TOPICS_KAFKA_{key}",
                                        "valueFrom": {
                                            "secretKeyRef": {
                                                "name": "bespoke-secrets",
                                                "key": f"kafka-admin-{ref}",
                                            }
                                        },
                                    }
                                    for key, ref in (
                                        ("USERNAME", "username"),
                                        ("PASSWORD", "password"),
                                    )
                                ],
                                "resources": {
                                    "requests": {"cpu": "50m", "memory": "128Mi"},
                                    "limits": {"cpu": "500m", "memory": "256Mi"},
                                },
                                "securityContext": _container_security(),
                            }
                        ],
                    },
                },
            },
        },
    ]


def render() -> dict[str, str]:
    """File name -> YAML text of the base."""
    files: dict[str, list[dict[str, Any]]] = {}
    for spec in SERVICES:
        objects = [deployment(spec), service(spec), pdb(spec)]
        if spec.max_replicas:
            objects.append(hpa(spec))
        files[f"{spec.name}.yaml"] = objects
    files["network-policies.yaml"] = network_policies()
    files["shared.yaml"] = shared()
    texts = {
        name: "# Generated by `uv run python -m bespoke.k8s`; edit tools/bespoke/src/bespoke/k8s.py.\n"
        + yaml.safe_dump_all(objects, sort_keys=False)
        for name, objects in files.items()
    }
    texts["kustomization.yaml"] = (
        "# Generated by `uv run python -m bespoke.k8s`.\n"
        + yaml.safe_dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "labels": [{"pairs": {"app.kubernetes.io/part-of": "bespoke"}}],
                "resources": sorted(files),
            },
            sort_keys=False,
        )
    )
    return texts


def main(out: Path = BASE) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (out / name).write_text(text)
        print(out / name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=BASE, help="where to write")
    main(parser.parse_args().out)
