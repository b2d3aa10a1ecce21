"""The production Dockerfile, docker-compose.yml, the Caddyfile and gunicorn's configuration, checked by reading them:
no Docker daemon runs where the tests run, so `docker build` / `docker compose up` are not part of the suite."""

import re
import runpy
import shlex
from pathlib import Path

import yaml
from gunicorn.config import KNOWN_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
SECRET_NAMES = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY\b|DSN|DATABASE_URL|BROKER_URL", re.I)


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    lines, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        current += " " + line.rstrip("\\").strip() if current else line.rstrip("\\").strip()
        if not line.endswith("\\"):
            lines.append(current)
            current = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def stages(text: str) -> dict[str, list[tuple[str, str]]]:
    found, name = {}, None
    for op, args in instructions(text):
        if op == "FROM":
            name = re.search(r"\bAS\s+(\S+)", args, re.I)[1]
            found[name] = []
        elif name is not None:
            found[name].append((op, args))
    return found


def test_the_dockerfile_builds_in_two_stages_and_runs_unprivileged_with_a_healthcheck():
    built = stages((ROOT / "Dockerfile").read_text())
    assert list(built) == ["build", "runtime"]
    build_runs = " ".join(args for op, args in built["build"] if op == "RUN")
    assert "pip install -c requirements.lock" in build_runs  # the pinned versions
    assert "scripts/compilemessages.py" in build_runs and "collectstatic --noinput" in build_runs
    runtime = built["runtime"]
    assert ("COPY", "--from=build /opt/venv /opt/venv") in runtime and ("COPY", "--from=build /app /app") in runtime
    users = [args for op, args in runtime if op == "USER"]
    assert len(users) == 1 and users[0].split(":")[0] not in {"0", "root"}
    assert [op for op, _ in runtime].index("USER") > max(i for i, (op, _) in enumerate(runtime) if op == "RUN")
    healthcheck = next(args for op, args in runtime if op == "HEALTHCHECK")
    assert "/healthz" in healthcheck and "--interval=" in healthcheck
    cmd = next(args for op, args in runtime if op == "CMD")
    assert cmd.startswith('["gunicorn", "dms.wsgi:application", "--config", "platform/dms/gunicorn_conf.py"]')


def test_the_image_bakes_in_no_secret():
    for stage in stages((ROOT / "Dockerfile").read_text()).values():
        for op, args in stage:
            if op in {"ENV", "ARG", "LABEL"}:
                names = re.findall(r"([A-Z_][A-Z0-9_]*)=", args) or [args.split()[0]]
                assert not [name for name in names if SECRET_NAMES.search(name)], (op, args)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".git", ".venv", ".data"} <= set(ignored)


def test_the_gunicorn_configuration_names_only_settings_gunicorn_knows():
    loaded = runpy.run_path(str(ROOT / "platform/dms/gunicorn_conf.py"))
    known = {setting.name for setting in KNOWN_SETTINGS}
    names = {name for name, value in loaded.items() if not name.startswith("_") and not callable(value)
             and not isinstance(value, type(re))} - {"json", "os", "shutil", "Path"}
    assert names <= known, names - known
    assert {"bind", "workers", "timeout", "pythonpath"} <= names
    assert loaded["threads"] == 1 and loaded["worker_class"] == "sync"  # the schema is on the worker's connection
    hooks = {name for name, value in loaded.items() if callable(value) and name in known}
    assert {"when_ready", "on_starting", "child_exit"} <= hooks


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_whole_platform_with_healthchecks():
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "rabbitmq", "migrate", "web", "worker", "beat", "caddy"}
    for name, service in services.items():
        if name == "migrate":
            assert service["healthcheck"] == {"disable": True} and service["restart"] == "no"
        else:
            assert service["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL"}, name
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["env_file"] == ".env" and services[name]["build"] == "."
    assert "celery" in services["worker"]["command"] and "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert [port for name, s in services.items() for port in s.get("ports", [])] == ["80:80", "443:443", "443:443/udp"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in services["caddy"]["volumes"]


def test_compose_takes_every_secret_from_the_environment_file():
    text = (ROOT / "docker-compose.yml").read_text()
    for name, service in compose()["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAMES.search(key) or "://" in str(value) and "@" in str(value):
                assert "${" in str(value), (name, key, value)  # a reference to .env, never a literal
    referenced = set(re.findall(r"\$\{([A-Z_]+)", text))
    example = dict(line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
                   if line and not line.startswith("#"))
    assert referenced <= set(example), referenced - set(example)
    assert all(not example[name] for name in example if SECRET_NAMES.search(name))  # placeholders only
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_caddy_issues_certificates_on_demand_only_for_hosts_the_platform_confirms():
    text = (ROOT / "deploy/Caddyfile").read_text()
    tokens = shlex.split(text, comments=True)
    ask = tokens.index("ask")
    assert tokens[ask - 2:ask + 2] == ["on_demand_tls", "{", "ask", "http://web:8000/internal/tls-ask"]
    assert "on_demand" in tokens and "reverse_proxy" in tokens
    assert tokens[tokens.index("@internal"):tokens.index("@internal") + 3] == ["@internal", "path", "/internal/*"]
    assert "respond @internal 404" in text
    assert text.count("{") == text.count("}")
