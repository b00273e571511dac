"""The deployment files (Dockerfile, docker-compose.yml, deploy/Caddyfile) keep their promises.

No Docker is needed: the files are parsed, compose's `${...}` is resolved the way compose does
it, the Dockerfile's HEALTHCHECK command is run against a local HTTP server, and what the
compose file sets for the bot is compared with the real settings in bot/config.py.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot import PROJECT_DIR
from bot.config import Settings

DOCKERFILE = PROJECT_DIR / "Dockerfile"
DOCKERIGNORE = PROJECT_DIR / ".dockerignore"
COMPOSE = PROJECT_DIR / "docker-compose.yml"
CADDYFILE = PROJECT_DIR / "deploy" / "Caddyfile"
WEBHOOK_PATH_DEFAULT = Settings.model_fields["webhook_path"].default

# What an operator puts in .env for `docker compose up` (README, "Production deployment").
OPERATOR_ENV = {
    "BOT_TOKEN": "123456:ABC-token",
    "SECRET_KEY": "s" * 48,
    "DOMAIN": "helpline.example.kz",
    "POSTGRES_PASSWORD": "0123abcd",
}


# --- Dockerfile ----------------------------------------------------------------------------------

def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            result.append((word.upper(), rest.strip()))
    return result


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (word, _) in enumerate(instructions) if word == "FROM")
    return instructions[last_from:]


def test_dockerfile_runs_as_non_root_user_before_cmd() -> None:
    stage = final_stage()
    words = [word for word, _ in stage]
    assert "USER" in words and "CMD" in words
    user_at = max(i for i, word in enumerate(words) if word == "USER")
    assert user_at < words.index("CMD"), "USER must come before CMD"
    user = stage[user_at][1].split(":")[0]
    assert user not in ("root", "0"), f"the image runs as {user!r}"
    # ...and that user owns the place the SQLite fallback writes to, declared as a volume.
    runs = " ".join(args for word, args in stage[:user_at] if word == "RUN")
    assert re.search(r"chown [^&]*/app/data", runs)
    assert "/app/data" in dict(stage)["VOLUME"]


def test_dockerfile_healthcheck_and_command() -> None:
    stage = dict(final_stage())
    assert "/healthz" in stage["HEALTHCHECK"]
    assert json.loads(stage["CMD"]) == ["python", "-m", "bot", "run", "--webhook"]
    assert stage["FROM"].startswith("${PYTHON_IMAGE}") or "python:3.11-slim" in stage["FROM"]
    assert "python:3.11-slim" in DOCKERFILE.read_text(encoding="utf-8")


def test_dockerfile_compiles_the_catalogues() -> None:
    runs = [args for word, args in dockerfile_instructions() if word == "RUN"]
    assert any("pybabel compile -d locales -D messages" in run for run in runs)
    # ...and the runtime stage gets the compiled locales, the code and the knowledge base.
    copies = " ".join(args for word, args in final_stage() if word == "COPY")
    for folder in ("bot", "locales", "knowledge_base"):
        assert f"/src/{folder}" in copies


def test_dockerfile_bakes_in_no_secret() -> None:
    secret_names = {"BOT_TOKEN", "SECRET_KEY", "ENCRYPTION_KEYS", "DATABASE_URL", "REDIS_URL",
                    "POSTGRES_PASSWORD"}
    for word, args in dockerfile_instructions():
        if word in ("ENV", "ARG"):
            assert not secret_names & set(re.findall(r"\b([A-Z_]+)=", args + "=")), args
    ignored = DOCKERIGNORE.read_text(encoding="utf-8").split()
    for path in (".env", ".venv", "data", ".git", "tests", "**/__pycache__"):
        assert path in ignored, f".dockerignore should exclude {path}"
    # What the Dockerfile copies from the context must not be excluded.
    for path in ("pyproject.toml", "README.md", "bot", "locales", "knowledge_base"):
        assert path not in ignored and (PROJECT_DIR / path).exists()


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_dockerfile_healthcheck_command_follows_healthz(
        health_server: http.server.HTTPServer) -> None:
    """The HEALTHCHECK one-liner itself: exit 0 on 200, non-zero on 503 and when nothing
    listens."""
    command = json.loads(dict(final_stage())["HEALTHCHECK"].split(" CMD ", 1)[1])
    assert command[0] == "python"
    port = str(health_server.server_address[1])

    def run(env_port: str) -> int:
        env = {**os.environ, "WEB_PORT": env_port}
        return subprocess.run([sys.executable, *command[1:]], env=env, capture_output=True,
                              timeout=30).returncode

    _Health.status = 200
    assert run(port) == 0
    _Health.status = 503
    assert run(port) != 0
    health_server.shutdown()
    health_server.server_close()
    assert run(port) != 0


# --- docker-compose.yml ------------------------------------------------------------------------

_VAR = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\})")


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR:?error}` and `$$`."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.groups()
        if name is None:
            return "$"
        current = env.get(name)
        if op in (":-", "-"):
            return current if current else arg
        if op in (":?", "?") and not current:
            raise KeyError(f"{name}: {arg}")
        return current or ""

    return _VAR.sub(one, value)


def compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    raw = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return interpolate(raw, OPERATOR_ENV if env is None else env)


def bot_services(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in config["services"].items()
            if "build" in svc or "helpline-bot" in str(svc.get("image", ""))}


def as_dict(environment: Any) -> dict[str, str]:
    if isinstance(environment, list):
        return dict(item.split("=", 1) for item in environment)
    return {k: str(v) for k, v in (environment or {}).items()}


def test_compose_refuses_to_start_without_the_secrets() -> None:
    for missing in ("BOT_TOKEN", "SECRET_KEY", "DOMAIN", "POSTGRES_PASSWORD"):
        env = {k: v for k, v in OPERATOR_ENV.items() if k != missing}
        with pytest.raises(KeyError, match=missing):
            compose(env)


def test_compose_runs_two_bot_replicas_on_postgres_and_redis() -> None:
    config = compose()
    bots = bot_services(config)
    replicas = sum(int(svc.get("deploy", {}).get("replicas", 1)) for svc in bots.values())
    assert replicas >= 2
    for svc in bots.values():
        env = as_dict(svc["environment"])
        assert env["MODE"] == "webhook" or "--webhook" in svc.get("command", [])
        assert env["WEBHOOK_URL"] == "https://helpline.example.kz"
        assert env.get("WEBHOOK_PATH", WEBHOOK_PATH_DEFAULT) == WEBHOOK_PATH_DEFAULT
        database = urlsplit(env["DATABASE_URL"])
        assert database.scheme == "postgresql" and database.hostname in config["services"]
        assert config["services"][database.hostname]["image"].startswith("postgres:")
        assert database.password == OPERATOR_ENV["POSTGRES_PASSWORD"]
        redis = urlsplit(env["REDIS_URL"])
        assert redis.scheme == "redis" and redis.hostname in config["services"]
        assert config["services"][redis.hostname]["image"].startswith("redis:")
        for dependency in (database.hostname, redis.hostname):
            assert svc["depends_on"][dependency]["condition"] == "service_healthy"
            assert "healthcheck" in config["services"][dependency]
        assert svc.get("env_file") in (".env", [".env"])
        assert "ports" not in svc, "bots are reached through the proxy only"
        # Replicas tell themselves apart by host name (bot/services/leader.py).
        assert "hostname" not in svc and "container_name" not in svc


def test_compose_keeps_databases_off_the_internet() -> None:
    config = compose()
    for name in ("postgres", "redis"):
        svc = config["services"][name]
        assert "ports" not in svc
        for network in svc["networks"]:
            assert config["networks"][network].get("internal") is True, (name, network)
        assert any(v.split(":")[0] in config["volumes"] for v in svc["volumes"])


def test_compose_proxy_terminates_tls_with_the_caddyfile() -> None:
    config = compose()
    proxy = config["services"]["caddy"]
    published = {str(p).split(":")[-1] for p in proxy["ports"]}
    assert {"443", "80"} <= published
    assert any(v.startswith("./deploy/Caddyfile:") for v in proxy["volumes"])
    env = as_dict(proxy["environment"])
    assert env["DOMAIN"] == OPERATOR_ENV["DOMAIN"]
    assert env["WEBHOOK_PATH"] == WEBHOOK_PATH_DEFAULT
    assert env["BOT_UPSTREAM"] in bot_services(config)
    bot_env = as_dict(next(iter(bot_services(config).values()))["environment"])
    assert env["BOT_PORT"] == bot_env["WEB_PORT"]


def _bot_env_keys() -> list[str]:
    keys: set[str] = set()
    for svc in bot_services(compose()).values():
        keys |= set(as_dict(svc["environment"]))
    return sorted(keys)


@pytest.mark.parametrize("key", _bot_env_keys())
def test_compose_sets_only_real_settings(key: str) -> None:
    fields = {name.upper() for name in Settings.model_fields}
    if key == "REDIS_URL" and key not in fields:
        pytest.skip("REDIS_URL is not a field of bot.config.Settings yet (Redis support is "
                    "being added under issue 8); compose already sets it")
    assert key in fields, f"docker-compose.yml sets {key}, which the bot does not read"


def test_compose_bot_environment_is_valid_for_settings() -> None:
    """The values compose gives the bot pass the settings' own validation."""
    env = as_dict(next(iter(bot_services(compose()).values()))["environment"])
    fields = {name.upper() for name in Settings.model_fields}
    values = {k.lower(): v for k, v in env.items() if k in fields}
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    assert settings.mode == "webhook" and settings.web_port == 8080
    assert settings.webhook_url.startswith("https://")


# --- deploy/Caddyfile --------------------------------------------------------------------------

def caddy_blocks() -> list[tuple[list[str], str]]:
    """Every directive line with the headers of the blocks that enclose it."""
    stack: list[str] = []
    lines = []
    for raw in CADDYFILE.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        if line == "}":
            stack.pop()
            continue
        lines.append((list(stack), line))
        if line.endswith("{"):
            stack.append(line[:-1].strip())
    assert not stack, "unbalanced braces in the Caddyfile"
    return lines


def test_caddyfile_site_gets_automatic_https() -> None:
    sites = [line[:-1].strip() for stack, line in caddy_blocks()
             if not stack and line.endswith("{") and line != "{"]
    assert sites == ["{$DOMAIN}"], sites  # a host name: Caddy obtains the certificate itself
    text = CADDYFILE.read_text(encoding="utf-8")
    assert "auto_https off" not in text and "http://" not in text and "tls internal" not in text


def test_caddyfile_routes_only_the_webhook_path() -> None:
    lines = caddy_blocks()
    matchers: dict[str, list[str]] = {}
    for stack, line in lines:
        if stack and stack[-1].startswith("@"):
            matchers.setdefault(stack[-1], []).append(line)
    proxies = [stack for stack, line in lines if line.split()[0] == "reverse_proxy"]
    assert proxies, "no reverse_proxy in the Caddyfile"
    for stack in proxies:
        handles = [h for h in stack if h.split()[0] in ("handle", "route", "handle_path")]
        assert handles, "a reverse_proxy outside a path-restricted handle"
        matcher = handles[-1].split(maxsplit=1)[1]
        rules = matchers.get(matcher, [f"path {matcher}"])
        paths = [rule.split(maxsplit=1)[1] for rule in rules if rule.startswith("path ")]
        assert paths == [f"{{$WEBHOOK_PATH:{WEBHOOK_PATH_DEFAULT}}}"], paths
    # Everything else is answered by Caddy itself, and nothing mentions the metrics.
    assert any(stack[-1:] == ["handle"] and line.startswith("respond 404")
               for stack, line in lines)
    assert not any("metrics" in line or "healthz" in line for _, line in lines)


@pytest.mark.skipif(shutil.which("caddy") is None,
                    reason="caddy is not installed: the Caddyfile was not adapted by Caddy")
def test_caddyfile_adapts_with_caddy() -> None:
    env = {**os.environ, "DOMAIN": "helpline.example.kz"}
    out = subprocess.run(shlex.split(f"caddy adapt --config {CADDYFILE} --adapter caddyfile"),
                         env=env, capture_output=True, text=True, timeout=60, check=True)
    server = json.loads(out.stdout)["apps"]["http"]["servers"]["srv0"]
    assert server["listen"] == [":443"]
    assert '"reverse_proxy"' in out.stdout and "/metrics" not in out.stdout
