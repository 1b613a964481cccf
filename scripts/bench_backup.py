"""Time `credfile backup` and `credfile restore` on a loaded instance, each beside the plain
tools doing the same copy (sqlite3 .backup or pg_dump/pg_restore, tar and sha256sum of the
documents); medians of several runs.

    CREDFILE_HOME=/tmp/bench credfile keys init && CREDFILE_HOME=/tmp/bench credfile migrate
    CREDFILE_HOME=/tmp/bench credfile demo --customers 100000 --seed 1
    CREDFILE_HOME=/tmp/bench python scripts/bench_backup.py --runs 3 --scratch /tmp/bench-scratch
    # PostgreSQL: the same with DATABASE_URL=postgres://postgres@127.0.0.1:5432/cf_backup_bench;
    # the restores go into a database cf_backup_bench_restore created and dropped each run.

The instance's documents must be in local stores ($CREDFILE_HOME/documents and archive).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]


def run(cmd: list[str] | str, env: dict[str, str] | None = None, shell: bool = False) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, shell=shell, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scratch", type=Path, required=True)
    parser.add_argument(
        "--restore-database",
        default="cf_backup_bench_restore",
        help="PostgreSQL: the database each restore goes into (created and dropped)",
    )
    parser.add_argument(
        "--src", type=Path, default=ROOT / "src", help="the credfile sources to time"
    )
    args = parser.parse_args()
    restore_db = args.restore_database
    home = Path(os.environ["CREDFILE_HOME"]).resolve()
    url = os.environ.get("DATABASE_URL", "")
    pg = url.startswith("postgres")
    env = {**os.environ, "PYTHONPATH": str(args.src.resolve()), "CREDFILE_LANGUAGE": "en"}
    credfile = [sys.executable, "-m", "credfile"]
    times: dict[str, list[float]] = {}
    for number in range(args.runs):
        shutil.rmtree(args.scratch, ignore_errors=True)
        args.scratch.mkdir(parents=True)
        backup = args.scratch / "b.cfbak"
        times.setdefault("credfile backup", []).append(
            run([*credfile, "backup", str(backup)], env=env)
        )
        size = backup.stat().st_size
        if pg:
            plain_db = run(["pg_dump", "--format=custom", "-f", str(args.scratch / "p.dump"), url])
        else:
            plain_db = run(
                ["sqlite3", str(home / "credfile.sqlite3"), f".backup {args.scratch / 'p.db'}"]
            )
        plain_docs = run(
            f"tar -cf {args.scratch / 'docs.tar'} -C {home} documents archive 2>/dev/null "
            f"|| tar -cf {args.scratch / 'docs.tar'} -C {home} documents; "
            f"sha256sum {args.scratch / 'docs.tar'}",
            shell=True,
        )
        times.setdefault("plain backup (database + tar + sha256sum)", []).append(
            plain_db + plain_docs
        )
        target = args.scratch / "restored"
        target.mkdir()
        shutil.copy2(home / "master.key", target / "master.key")
        restore_env = {**env, "CREDFILE_HOME": str(target)}
        parsed = urlparse(url)
        restore_url = parsed._replace(path=f"/{restore_db}").geturl() if pg else ""
        if pg:
            admin = parsed._replace(path="/postgres").geturl()
            subprocess.run(
                ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {restore_db}"],
                check=True,
            )
            subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {restore_db}"], check=True)
            restore_env["DATABASE_URL"] = restore_url
        else:
            restore_env.pop("DATABASE_URL", None)
        times.setdefault("credfile restore (with its checks)", []).append(
            run([*credfile, "restore", str(backup)], env=restore_env)
        )
        plain = args.scratch / "plain"
        plain.mkdir()
        if pg:
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE {restore_db}"], check=True)
            subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {restore_db}"], check=True)
            plain_db = run(
                ["pg_restore", "--no-owner", "-d", restore_url, str(args.scratch / "p.dump")]
            )
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE {restore_db}"], check=True)
        else:
            plain_db = run(["cp", str(args.scratch / "p.db"), str(plain / "credfile.sqlite3")])
        plain_docs = run(
            f"sha256sum {args.scratch / 'docs.tar'} && "
            f"tar -xf {args.scratch / 'docs.tar'} -C {plain}",
            shell=True,
        )
        times.setdefault("plain restore (database + sha256sum + tar)", []).append(
            plain_db + plain_docs
        )
        print(f"run {number + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()))
    print(f"backup file: {size / 1e6:.0f} MB")
    for name, values in times.items():
        print(f"{name}: median {statistics.median(values):.1f} s of {len(values)}")
    shutil.rmtree(args.scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
