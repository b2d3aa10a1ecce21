"""helm/dms rendered with every values file, without a helm binary, and every manifest validated against the
Kubernetes schema (kubernetes-validate's offline schemas, strict: an unknown field is an error).

The chart is rendered by tests/helm/gotemplate.py, a renderer of the subset of Go templates the chart uses; a
template outside that subset fails here rather than passing unrendered. Each values file is also checked against
helm/dms/values.schema.json, which helm itself applies on install and upgrade."""

from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tests.helm.gotemplate import Fail, Renderer, deep_merge

CHART = Path(__file__).resolve().parents[2] / "helm" / "dms"
KUBERNETES = "1.30.0"
VALUES_FILES = sorted(path.name for path in CHART.glob("values*.yaml"))


def chart_values(name: str) -> dict:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    if name != "values.yaml":  # helm install -f <file>: merged over the defaults
        values = deep_merge(values, yaml.safe_load((CHART / name).read_text()) or {})
    return values


def render(values: dict) -> list[dict]:
    meta = yaml.safe_load((CHART / "Chart.yaml").read_text())
    context = {"Values": values, "Chart": {key[0].upper() + key[1:]: value for key, value in meta.items()},
               "Release": {"Name": "dms", "Namespace": "dms", "Service": "Helm", "IsInstall": True}}
    templates = {path.name: path.read_text() for path in (CHART / "templates").iterdir()
                 if path.suffix in (".yaml", ".tpl")}
    renderer = Renderer(templates)
    documents = []
    for name in sorted(templates):
        if name.endswith(".yaml"):
            documents += [doc for doc in yaml.safe_load_all(renderer.render(name, context)) if doc]
    return documents


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict]]:
    return {name: render(chart_values(name)) for name in VALUES_FILES}


def test_there_are_values_files_for_the_edge_proxy_and_a_private_deployment():
    assert {"values.yaml", "values-edge.yaml", "values-single-tenant.yaml"} <= set(VALUES_FILES)


@pytest.mark.parametrize("name", VALUES_FILES)
def test_every_values_file_matches_the_charts_schema(name):
    schema = yaml.safe_load((CHART / "values.schema.json").read_text())
    jsonschema.validate(chart_values(name), schema)


@pytest.mark.parametrize("name", VALUES_FILES)
def test_every_rendered_manifest_is_valid_kubernetes(rendered, name):
    documents = rendered[name]
    assert len(documents) >= 8
    for document in documents:
        kubernetes_validate.validate(document, KUBERNETES, strict=True)


def kinds(documents) -> dict[str, dict]:
    return {f"{doc['kind']}/{doc['metadata']['name']}": doc for doc in documents}


def test_the_default_values_render_the_application_tier_only(rendered):
    found = kinds(rendered["values.yaml"])
    assert {"Deployment/dms-web", "Deployment/dms-worker", "Deployment/dms-beat", "Job/dms-migrate",
            "Ingress/dms"} <= set(found)
    assert not [key for key in found if "edge" in key or key.startswith("CronJob/")]


def test_the_edge_proxy_asks_the_platform_before_any_certificate(rendered):
    found = kinds(rendered["values-edge.yaml"])
    caddyfile = found["ConfigMap/dms-edge"]["data"]["Caddyfile"]
    assert "ask http://dms-web:80/internal/tls-ask" in caddyfile and "on_demand" in caddyfile
    assert "respond @internal 404" in caddyfile
    service = found["Service/dms-edge"]["spec"]
    assert service["type"] == "LoadBalancer" and {p["port"] for p in service["ports"]} == {80, 443}
    edge = found["Deployment/dms-edge"]["spec"]
    assert edge["replicas"] == 1 and edge["strategy"]["type"] == "Recreate"  # one owner of the certificate store
    assert found["PersistentVolumeClaim/dms-edge-data"]["spec"]["resources"]["requests"]["storage"] == "1Gi"
    assert "Ingress/dms" not in found  # the edge proxy takes the traffic instead of the ingress


def test_the_backup_cronjob_runs_the_due_backups(rendered):
    job = kinds(rendered["values-edge.yaml"])["CronJob/dms-backup"]["spec"]
    container = job["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["python", "manage.py", "tenant_backup", "--due"]
    assert job["concurrencyPolicy"] == "Forbid" and job["schedule"] == "17 * * * *"


def test_a_private_deployment_is_one_brand_on_its_own_database(rendered):
    values = chart_values("values-single-tenant.yaml")
    found = kinds(rendered["values-single-tenant.yaml"])
    config = found["ConfigMap/dms"]["data"]
    assert config["PLATFORM_DOMAIN"] == values["platformDomain"] and config["TENANT_POOL_SIZE"] == "0"
    assert "HorizontalPodAutoscaler/dms-web" not in found and found["Deployment/dms-web"]["spec"]["replicas"] == 1
    assert values["secret"]["existingSecret"]  # its own database's credentials, from its own secret
    assert "CronJob/dms-backup" in found


def test_a_missing_platform_domain_is_refused():
    values = chart_values("values.yaml")
    values["platformDomain"] = ""
    with pytest.raises(Fail, match="platformDomain is required"):
        render(values)


def test_the_schema_refuses_a_misspelt_key_and_an_edge_without_an_email():
    schema = yaml.safe_load((CHART / "values.schema.json").read_text())
    values = chart_values("values.yaml")
    values["web"]["replica"] = 3
    with pytest.raises(jsonschema.ValidationError, match="replica"):
        jsonschema.validate(values, schema)
    values = chart_values("values-edge.yaml")
    values["edge"]["acmeEmail"] = ""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(values, schema)
