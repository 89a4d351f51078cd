"""The Kubernetes recipes render, are valid Kubernetes, and say what docs/deployment.md says.

Each overlay of deploy/kubernetes is rendered with `kubectl kustomize` (installed from Debian's
`kubernetes-client` package when missing) and every document is validated against the
Kubernetes schemas of `kubernetes-validate`, strictly (no field the schema does not know).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

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


def rendered(overlay: str) -> dict[str, dict[str, Any]]:
    """The overlay's documents by kind."""
    output = subprocess.run(
        [kubectl(), "kustomize", str(OVERLAYS / overlay)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {doc["kind"]: doc for doc in yaml.safe_load_all(output) if doc}


@pytest.mark.parametrize("overlay", ["single", "cluster"])
def test_every_manifest_is_valid_kubernetes(overlay: str) -> None:
    for kind, doc in rendered(overlay).items():
        assert kind  # each document names its kind
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def container(docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    (found,) = docs["Deployment"]["spec"]["template"]["spec"]["containers"]
    return found  # type: ignore[no-any-return]


@pytest.mark.parametrize("overlay", ["single", "cluster"])
def test_the_server_is_probed_and_stops_gracefully(overlay: str) -> None:
    docs = rendered(overlay)
    server = container(docs)
    assert server["args"] == ["modeldir", "serve", "--host", "0.0.0.0", "--port", "8080"]
    assert server["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert server["livenessProbe"]["httpGet"]["path"] == "/healthz"
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] > 30  # modeldir finishes requests for 30 s
    assert pod["securityContext"]["runAsNonRoot"] is True
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
    (volume,) = deployment["template"]["spec"]["volumes"]
    assert (
        volume["persistentVolumeClaim"]["claimName"]
        == docs["PersistentVolumeClaim"]["metadata"]["name"]
    )


def test_the_cluster_runs_replicas_on_postgres_and_redis() -> None:
    docs = rendered("cluster")
    assert set(docs) >= {
        "ConfigMap",
        "Secret",
        "Service",
        "Deployment",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
    }
    assert set(docs["Secret"]["stringData"]) == {"MODELDIR_DATABASE_URL", "MODELDIR_REDIS_URL"}
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
