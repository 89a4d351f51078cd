"""The Kubernetes recipes render, are valid Kubernetes, and say what docs/deployment.md says.

Each overlay of deploy/kubernetes is rendered with `kubectl kustomize` (installed from Debian's
`kubernetes-client` package when missing) and every document is validated against the
Kubernetes schemas of `kubernetes-validate`, strictly (no field the schema does not know).
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from modeldir.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
OVERLAYS = ROOT / "deploy" / "kubernetes" / "overlays"
KUBERNETES_VERSION = "1.30"


def kubectl() -> str:
    found = shutil.which("kubectl")
    if found is None:
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "kubernetes-client"],
            check=True,
            capture_output=True,
        )
        found = shutil.which("kubectl")
    assert found is not None
    return found


# Kinds defined by a CustomResourceDefinition, which kubernetes-validate has no schema for: each
# is checked by a test of its own below.
CUSTOM_KINDS = {"ServiceMonitor": "monitoring.coreos.com/v1"}


def documents(overlay: str) -> list[dict[str, Any]]:
    """The overlay, rendered."""
    output = subprocess.run(
        [kubectl(), "kustomize", str(OVERLAYS / overlay)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [doc for doc in yaml.safe_load_all(output) if doc]


def rendered(overlay: str) -> dict[str, dict[str, Any]]:
    """The overlay's documents by kind; a kind that appears more than once, by kind/name."""
    found = documents(overlay)
    kinds = Counter(doc["kind"] for doc in found)
    return {
        doc["kind"] if kinds[doc["kind"]] == 1 else f"{doc['kind']}/{doc['metadata']['name']}": doc
        for doc in found
    }


@pytest.mark.parametrize("overlay", ["single", "cluster"])
def test_every_manifest_is_valid_kubernetes(overlay: str) -> None:
    for doc in documents(overlay):
        if doc["kind"] in CUSTOM_KINDS:
            assert doc["apiVersion"] == CUSTOM_KINDS[doc["kind"]]
            continue
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def container(docs: dict[str, dict[str, Any]], name: str = "modeldir") -> dict[str, Any]:
    """The pod's container of that name."""
    (found,) = [
        c for c in docs["Deployment"]["spec"]["template"]["spec"]["containers"] if c["name"] == name
    ]
    return found  # type: ignore[no-any-return]


# What each overlay's modeldir listens on: alone, the pod's port; behind the nginx sidecar of
# components/nginx-front, loopback only.
LISTENS = {
    "single": ["--host", "0.0.0.0", "--port", "8080"],
    "cluster": ["--host", "127.0.0.1", "--port", "8081"],
}


@pytest.mark.parametrize("overlay", ["single", "cluster"])
def test_the_server_is_probed_and_stops_gracefully(overlay: str) -> None:
    docs = rendered(overlay)
    server = container(docs)
    assert server["args"] == ["modeldir", "serve", *LISTENS[overlay]]
    assert server["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert server["livenessProbe"]["httpGet"]["path"] == "/healthz"
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] > 30  # modeldir finishes requests for 30 s
    assert pod["securityContext"]["runAsNonRoot"] is True
    # The root file system is read-only: serve keeps its workers' metrics in a writable /tmp.
    assert server["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {m["mountPath"]: m["name"] for m in server["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]
    service = docs["Service"]["spec"]
    labels = docs["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert service["selector"].items() <= labels.items()


def test_one_instance_keeps_sqlite_on_a_volume() -> None:
    docs = rendered("single")
    deployment = docs["Deployment"]["spec"]
    assert deployment["replicas"] == 1 and deployment["strategy"]["type"] == "Recreate"
    env = {e["name"]: e["value"] for e in container(docs)["env"]}
    assert env["MODELDIR_DATABASE_URL"] == "sqlite:////data/modeldir.db"
    assert {"name": "data", "mountPath": "/data"} in container(docs)["volumeMounts"]
    volumes = {v["name"]: v for v in deployment["template"]["spec"]["volumes"]}
    assert (
        volumes["data"]["persistentVolumeClaim"]["claimName"]
        == docs["PersistentVolumeClaim"]["metadata"]["name"]
    )


def test_the_cluster_runs_replicas_on_postgres_and_redis() -> None:
    docs = rendered("cluster")
    assert set(docs) >= {
        "ConfigMap/modeldir-settings",
        "Secret/modeldir-connections",
        "Service",
        "Deployment",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "ServiceMonitor",
    }
    connections = docs["Secret/modeldir-connections"]["stringData"]
    assert set(connections) == {"MODELDIR_DATABASE_URL", "MODELDIR_REDIS_URL"}
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    (migrate,) = pod["initContainers"]
    assert migrate["args"][:2] == ["modeldir", "org"]  # any command migrates the schema first
    sources = [next(iter(s.values()))["name"] for s in container(docs)["envFrom"]]
    assert sources == ["modeldir-settings", "modeldir-connections"]
    assert docs["Deployment"]["spec"]["replicas"] >= 2
    labels = docs["Deployment"]["spec"]["template"]["metadata"]["labels"]
    selector = docs["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"]
    assert selector.items() <= labels.items()
    target = docs["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "modeldir")
    images = {c["image"] for c in (migrate, container(docs))}
    assert images == {"modeldir:0.1.0"}


def test_prometheus_scrapes_every_replica_with_the_metrics_token() -> None:
    """The ServiceMonitor (no schema to validate it against) checked against what it refers to."""
    docs = rendered("cluster")
    monitor, service = docs["ServiceMonitor"]["spec"], docs["Service"]
    assert set(monitor) == {"selector", "endpoints"}
    assert set(monitor["selector"]) == {"matchLabels"}
    assert monitor["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    (endpoint,) = monitor["endpoints"]
    assert set(endpoint) <= {"port", "path", "interval", "authorization"}
    assert endpoint["port"] in {port["name"] for port in service["spec"]["ports"]}
    assert endpoint["path"] == "/metrics"
    assert endpoint["authorization"]["type"] == "Bearer"
    credentials = endpoint["authorization"]["credentials"]
    secret = docs[f"Secret/{credentials['name']}"]
    assert credentials["key"] in secret["stringData"]
    # The pods require that same token.
    variable = "MODELDIR_METRICS_TOKEN"
    assert variable.removeprefix("MODELDIR_").lower() in Settings.model_fields
    (token,) = [e for e in container(docs)["env"] if e["name"] == variable]
    assert token["valueFrom"]["secretKeyRef"] == credentials


def test_in_the_cluster_nginx_fronts_modeldir_with_the_recommended_configuration() -> None:
    """deploy/nginx.conf, rendered for the pod, owns the pod's port; modeldir is behind it."""
    docs = rendered("cluster")
    conf = ROOT / "deploy" / "nginx.conf"
    expected = (
        conf.read_text()
        .replace("@LISTEN@", "8080")
        .replace("@SERVERS@", "server 127.0.0.1:8081 max_fails=1 fail_timeout=5s;")
        .replace("@PREFIX@", "/tmp")
    )
    component = ROOT / "deploy" / "kubernetes" / "components" / "nginx-front" / "nginx.conf"
    assert component.read_text() == expected, "run scripts/render-nginx (see the component)"
    configmaps = [d for k, d in docs.items() if k.startswith("ConfigMap/modeldir-nginx")]
    assert [c["data"]["nginx.conf"] for c in configmaps] == [expected]
    nginx = container(docs, "nginx")
    ports = {p["name"]: p["containerPort"] for p in nginx["ports"]}
    assert ports == {"http": 8080}
    assert {p["name"] for p in container(docs)["ports"]} == {"app"}  # not reachable from outside
    assert docs["Service"]["spec"]["ports"][0]["targetPort"] == "http"
    mounts = {m["mountPath"]: m["name"] for m in nginx["volumeMounts"]}
    volumes = {v["name"]: v for v in docs["Deployment"]["spec"]["template"]["spec"]["volumes"]}
    assert (
        volumes[mounts["/etc/modeldir-nginx"]]["configMap"]["name"]
        == configmaps[0]["metadata"]["name"]
    )
    assert nginx["args"] == ["nginx", "-c", "/etc/modeldir-nginx/nginx.conf", "-p", "/tmp"]
    assert nginx["securityContext"]["readOnlyRootFilesystem"] is True
