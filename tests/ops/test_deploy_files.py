"""The files under deploy/ that docs/deployment.md installs: they parse and fit credfile."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / "credfile.env.example"
NGINX = DEPLOY / "nginx" / "credfile.conf"
UNITS = [
    DEPLOY / "systemd" / name
    for name in (
        "credfile-web.service",
        "credfile-jobs.service",
        "credfile-celery-worker.service",
        "credfile-celery-beat.service",
    )
]
VENV_BIN = "/opt/credfile/venv/bin/"
# How credfile reads a variable: its typed helpers, or os.environ for the few read raw.
READ = re.compile(
    r"""(?:env_(?:str|int|bool|list|path|choice)|_env_decimal|environ\.get|getenv)\(\s*["']"""
    r"""([A-Z][A-Z0-9_]+)["']"""
)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian: apt-get install {name}-light)"
        # CI installs it (.ci/run); there the check must not be skipped.
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _sep, value = line.partition("=")
            values[name] = value
    return values


def _commented_names() -> set[str]:
    return set(re.findall(r"^# ?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.M))


def test_the_environment_file_names_only_variables_credfile_reads() -> None:
    read = set()
    for source in (ROOT / "src" / "credfile").rglob("*.py"):
        read |= set(READ.findall(source.read_text()))
    assert "CREDFILE_SERVE_BIND" in read  # the pattern finds the helpers' calls
    named = set(_example()) | _commented_names()
    assert named - read == set()


def test_the_environment_file_passes_the_deployment_checks(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDFILE_", "DJANGO_"))}
    env.update(_example())
    # The example's paths and database belong to the server; here, a scratch instance.
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        CREDFILE_HOME=str(tmp_path),
        CREDFILE_KEY_FILE=str(tmp_path / "master.key"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    run = [sys.executable, "-m", "credfile"]
    subprocess.run([*run, "keys", "init"], env=env, check=True, capture_output=True)
    result = subprocess.run(
        [*run, "check", "--deploy"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    # Only what docs/deployment.md explains: nginx redirects to HTTPS, and HSTS for the
    # subdomains and the preload list is the operator's choice.
    assert set(re.findall(r"security\.W\d+", result.stderr)) <= {
        "security.W005",
        "security.W008",
        "security.W021",
    }


def test_nginx_lets_a_document_of_the_largest_size_through() -> None:
    text = NGINX.read_text()
    [size] = re.findall(r"client_max_body_size (\d+)m;", text)
    limit = int(_example()["CREDFILE_DOCUMENT_MAX_BYTES"])
    assert limit < int(size) * 1024 * 1024 <= limit + 4 * 1024 * 1024


def test_nginx_proxies_to_the_address_credfile_serves_on() -> None:
    [upstream] = re.findall(r"^\s*server (\S+:\d+);", NGINX.read_text(), re.M)
    assert upstream == _example()["CREDFILE_SERVE_BIND"]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in NGINX.read_text()
    assert _example()["CREDFILE_PROXY_COUNT"] == "1"


def _certificate(directory: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "credfile.example.com")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (directory / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    nginx = _tool("nginx")
    (tmp_path / "ssl").mkdir()
    (tmp_path / "logs").mkdir()
    _certificate(tmp_path / "ssl")
    site = NGINX.read_text()
    site = site.replace("/etc/ssl/credfile", str(tmp_path / "ssl"))
    site = site.replace("/var/log/nginx", str(tmp_path / "logs"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\n"
        f"events {{}}\nhttp {{ include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run(
        [
            nginx,
            "-t",
            "-p",
            str(tmp_path),
            "-c",
            str(tmp_path / "nginx.conf"),
            "-e",
            str(tmp_path / "logs" / "error.log"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.mark.parametrize("unit", UNITS, ids=lambda path: path.name)
def test_systemd_accepts_the_unit(unit: Path, tmp_path: Path) -> None:
    analyze = _tool("systemd-analyze")
    text = unit.read_text()
    assert "EnvironmentFile=/etc/credfile/credfile.env" in text
    # The venv's commands are not installed here; the unit is checked with this one's.
    copy = tmp_path / unit.name
    copy.write_text(text.replace(VENV_BIN, f"{Path(sys.executable).parent}/"))
    result = subprocess.run(
        [analyze, "verify", str(copy)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    # Unknown keys are only warnings: none is allowed.
    assert result.stderr.strip() == "", result.stderr


@pytest.mark.parametrize(
    ("unit", "program", "command"),
    [
        (UNITS[0], "credfile", ["serve"]),
        (UNITS[1], "credfile", ["jobs", "worker"]),
        (UNITS[2], "celery", ["-A", "credfile.celery", "worker"]),
        (UNITS[3], "celery", ["-A", "credfile.celery", "beat"]),
    ],
    ids=["web", "jobs", "celery-worker", "celery-beat"],
)
def test_the_units_run_commands_credfile_has(unit: Path, program: str, command: list[str]) -> None:
    [exec_start] = re.findall(r"^ExecStart=(.+)$", unit.read_text(), re.M)
    [binary, *args] = exec_start.split()
    assert binary == VENV_BIN + program
    assert args[: len(command)] == command
    # The rest are options of that command (with their values), which its help names.
    options = [arg for arg in args[len(command) :] if arg.startswith("-")]
    assert len(options) == len(args[len(command) :]) // 2, args
    runner = [sys.executable, "-m", program]
    result = subprocess.run(
        [*runner, *command, "--help"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for option in options:
        assert re.search(rf"(^|[\s,]){re.escape(option)}\b", result.stdout), option
