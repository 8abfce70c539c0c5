"""Run a command beside a throwaway local PostgreSQL server, for the gradebook test.

    python3 scripts/with_postgres.py COMMAND [ARG ...]

Where PostgreSQL's binaries are installed (Debian's /usr/lib/postgresql/N/bin,
or initdb and pg_ctl on PATH), it makes a fresh cluster in a temporary folder,
starts it on 127.0.0.1 at a free port, creates a database, and runs COMMAND
with BETTERNETS_TEST_DB_URL set to it; afterwards the server is stopped and
the folder removed, whatever COMMAND did. Where they are not, COMMAND runs
without the variable (the test then skips, or fails under CI=true). Exits
with COMMAND's exit code.

initdb refuses to run as root: as root the server runs as the `postgres` user
(Debian's package makes it), with its folder handed to that user. Nothing of
the machine's own clusters is touched. `make test` and `.ci/run` both use this.
"""
from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent))
from system_packages import postgres_bindir  # noqa: E402

USER, DATABASE = "betternets", "betternets_test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    """As root, the command runs as `postgres`; otherwise as ourselves."""
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str | None]:
    """Yield the URL of a fresh local server, or None where one cannot be started."""
    bindir = postgres_bindir()
    if bindir is None:
        yield None
        return
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            print("with_postgres: running as root and there is no `postgres` user",
                  file=sys.stderr)
            yield None
            return
    folder = Path(tempfile.mkdtemp(prefix="betternets-pg-"))
    data, log = folder / "data", folder / "server.log"
    if os.geteuid() == 0:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.STDOUT,
             "stdin": subprocess.DEVNULL}
    started = False
    try:
        steps = [
            [str(bindir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8",
             "--no-sync"],
            [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "start",
             "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"],
        ]
        for i, step in enumerate(steps):
            if subprocess.run(_as_server_user(step), cwd=folder, timeout=120,
                              **quiet).returncode != 0:
                tail = log.read_text()[-1500:] if log.exists() else ""
                print(f"with_postgres: `{' '.join(step[:2])}` failed; no PostgreSQL test\n{tail}",
                      file=sys.stderr)
                yield None
                return
            started = i == 1
        created = subprocess.run(_as_server_user(
            [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, DATABASE]),
            cwd=folder, timeout=60, **quiet).returncode == 0
        yield f"postgresql://{USER}@127.0.0.1:{port}/{DATABASE}" if created else None
    finally:
        if started:
            subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m",
                                            "immediate", "-w", "stop"]), cwd=folder,
                           timeout=60, **quiet)
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    with throwaway_postgres() as url:
        env = dict(os.environ)
        if url:
            env["BETTERNETS_TEST_DB_URL"] = url
            print(f"with_postgres: a throwaway server for the gradebook test at {url}",
                  file=sys.stderr)
        return subprocess.run(argv, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
