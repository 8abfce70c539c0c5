"""Commands run as other local users, for tests of nbgrader's exchange (release, fetch,
submit, collect, release_feedback, fetch_feedback), which tells students apart by their
operating-system user.

    users = LocalUsers(base, ["alice", "bob"])     # needs root and bubblewrap
    users.run("alice", ["nbgrader", "fetch_assignment", "00_x"], cwd=users.home("alice"))

No account is added to the machine: each command runs under bubblewrap, which sees the
host's files as they are, but with an /etc/passwd and /etc/group that name the test's
users (uids from `FIRST_UID`), then drops to that user with setpriv. A user's home is a
folder under `base` that the user owns. /root is usually closed to other users, and this
checkout's interpreter may live below it (pyenv): the view lays a fresh /root and binds
back only the interpreter's installation and the environment's folders into it.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FIRST_UID = 61500


def _under_root() -> list[Path]:
    """Folders below /root the test's commands need: the interpreter's installation, the
    environment (venv) and this checkout."""
    here = Path(__file__).resolve().parents[1]
    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), here}
    return sorted(p for p in paths if p.is_relative_to("/root"))


class LocalUsers:
    """A few pretend local users, with homes under `base`, able to run commands."""

    def __init__(self, base: Path, names: list[str]):
        self.base = Path(base)
        self.uids = {name: FIRST_UID + i for i, name in enumerate(names)}
        etc = self.base / "etc"
        etc.mkdir(parents=True, exist_ok=True)
        passwd = ["root:x:0:0:root:/root:/bin/sh"]
        group = ["root:x:0:"]
        for name, uid in self.uids.items():
            home = self.home(name)
            home.mkdir(parents=True, exist_ok=True)
            os.chown(home, uid, uid)
            passwd.append(f"{name}:x:{uid}:{uid}:{name}:{home}:/bin/sh")
            group.append(f"{name}:x:{uid}:")
        (etc / "passwd").write_text("\n".join(passwd) + "\n")
        (etc / "group").write_text("\n".join(group) + "\n")
        for folder in (self.base, etc):
            folder.chmod(0o755)

    def home(self, name: str) -> Path:
        return self.base / "home" / name

    def command(self, name: str | None, argv: list[str]) -> list[str]:
        """`argv` as user `name` (None: root, to whom the users' files then have names):
        bubblewrap's view of the host, then setpriv."""
        view = ["bwrap", "--dev-bind", "/", "/", "--tmpfs", "/root"]
        for path in _under_root():
            view += ["--ro-bind", str(path), str(path)]
        view += ["--ro-bind", str(self.base / "etc" / "passwd"), "/etc/passwd",
                 "--ro-bind", str(self.base / "etc" / "group"), "/etc/group",
                 "--die-with-parent", "--"]
        if name is None:
            return view + argv
        uid = self.uids[name]
        return view + ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *argv]

    def run(self, name: str, argv: list[str], cwd: Path | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
        """Run `argv` as `name` in `cwd` (default: the home), with HOME set; the finished
        process, whatever its exit status."""
        home = self.home(name)
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
                       "USER": name, "LOGNAME": name, "LANG": "C.UTF-8", "MPLBACKEND": "Agg"}
        return subprocess.run(self.command(name, argv), cwd=cwd or home, env=environment,
                              capture_output=True, text=True, timeout=timeout)
