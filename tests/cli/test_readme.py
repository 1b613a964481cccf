"""The README's commands work as a newcomer pastes them, on a fresh instance."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from credfile.accounts.models import User

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# The suite's own interpreter environment stands in for the .venv `make install` creates.
VENV = Path(sys.prefix)


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def shell_commands(text: str) -> list[str]:
    """The commands of the ```sh blocks, continuation lines joined."""
    commands: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for command in block.replace("\\\n", " ").splitlines():
            if command.strip() and not command.lstrip().startswith("#"):
                commands.append(command)
    return commands


def environment(**extra: str) -> dict[str, str]:
    """A shell without the suite's credfile settings: the instance is the commands' own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDFILE_", "LC_", "LANG"))}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # This tree's sources, not whatever the environment has installed.
    env["PYTHONPATH"] = str(ROOT / "src")
    env.update(extra)
    return env


def test_the_command_line_section_runs_in_order_on_a_fresh_clone(tmp_path: Path) -> None:
    commands = shell_commands(section("Command line"))
    assert any(c.startswith("credfile migrate") for c in commands)
    assert commands[0] == "make install" and "source .venv/bin/activate" in commands[1]
    (tmp_path / ".venv").symlink_to(VENV)
    lines = []
    for number, command in enumerate(commands, start=1):
        if command.startswith("make "):
            continue  # the Makefile's install; the suite's environment is that .venv
        command = command.replace("--customers 2000", "--customers 20")
        lines.append(f'{command} || {{ echo "README command {number} failed: $?" >&2; exit 1; }}')
    result = subprocess.run(
        ["bash", "-c", "\n".join(lines)],
        cwd=tmp_path,
        env=environment(LANG="en_US.UTF-8"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Created department SALES1" in result.stdout
    assert "C00000001" in result.stdout  # addcustomer prints the new file's code
    assert "Added 20 customers (C00000002–C00000021)" in result.stdout
    assert (tmp_path / "var" / "try" / "credfile.sqlite3").exists()


def test_a_command_before_migrate_says_to_run_migrate(tmp_path: Path) -> None:
    credfile = str(VENV / "bin" / "credfile")
    home = {"CREDFILE_HOME": str(tmp_path / "fresh")}
    subprocess.run(
        [credfile, "keys", "init"], env=environment(**home), check=True, capture_output=True
    )
    for argv, language, expected in [
        (["adddepartment", "SALES1", "销售一部"], "en_US.UTF-8", "Run `credfile migrate` first"),
        (["demo", "--customers", "5"], "zh_CN.UTF-8", "请先运行 `credfile migrate`"),
        # Django's own commands too.
        (["createsuperuser", "--no-input", "--username", "x"], "en_US.UTF-8", "credfile migrate"),
    ]:
        result = subprocess.run(
            [credfile, *argv],
            env=environment(LANG=language, **home),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 1, argv
        assert expected in result.stderr, (argv, result.stderr)
        assert "Traceback" not in result.stderr
        assert "no such table" not in result.stderr


@pytest.mark.django_db
def test_the_search_example_finds_demo_data() -> None:
    api = section("REST API")
    term = re.search(r"--data-urlencode 'q=([^']+)'", api)
    user = re.search(r'"username": "([^"]+)"', api)
    assert term and user
    call_command(
        "demo", customers=20, seed=1, no_progress=True, stdout=io.StringIO(), stderr=io.StringIO()
    )
    client = APIClient()
    client.force_authenticate(User.objects.get(username=user.group(1)))
    found = client.get("/api/v1/customers/", {"q": term.group(1)}).json()["results"]
    assert found and all(term.group(1) in c["name"] for c in found)
    # The file the README names as an example is among them.
    example = re.search(r"e\.g\. (\S+) \((C\d{8})\)", api)
    assert example and {example.group(1), example.group(2)} <= {
        v for c in found for v in (c["name"], c["code"])
    }
