"""The system packages the test suite needs: one list, for `make setup`, `.ci/run` and the tests.

    python3 scripts/system_packages.py list       # name and purpose of each
    python3 scripts/system_packages.py missing    # the ones not on this machine
    python3 scripts/system_packages.py install    # apt-get install them, where we may

`install` uses apt-get where it can run it: as root, or through passwordless
sudo. Elsewhere (macOS, no root) it says which packages are missing and the
command that would install them, and exits 0: the tests that need them are
skipped with that reason. Under CI=true nothing may be missing: `install` exits
1 when it cannot install, and the tests fail instead of skipping.

Standard library only: it runs before the virtual environment exists.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

# Debian package -> what in the test suite needs it
PACKAGES = {
    "bubblewrap": "the sandbox of students' kernels (adversarial and sandbox tests)",
    "libseccomp2": "the sandbox's seccomp filter (built through pyseccomp; tests/test_seccomp.py)",
    "chromium": "real-browser tests of JupyterLab and the walkthrough site",
    "libjs-mathjax": "formulas typeset offline on the walkthrough site",
    "postgresql": "the gradebook-on-PostgreSQL test (a throwaway local server)",
}


def postgres_bindir() -> Path | None:
    """The folder with initdb and pg_ctl: Debian's newest /usr/lib/postgresql/N/bin, or PATH."""
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                    key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if debian:
        return Path(debian[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


def chromium_path() -> Path:
    return Path(os.environ.get("BETTERNETS_CHROMIUM", "/usr/bin/chromium"))


def present(package: str) -> bool:
    """Whether what the tests use of `package` is on this machine (not only dpkg's word)."""
    if package == "bubblewrap":
        return shutil.which("bwrap") is not None
    if package == "libseccomp2":
        import ctypes.util
        return ctypes.util.find_library("seccomp") is not None
    if package == "chromium":
        return chromium_path().exists()
    if package == "libjs-mathjax":
        return any((Path(d) / "MathJax.js").is_file() for d in
                   ("/usr/share/javascript/mathjax", "/usr/share/nodejs/mathjax",
                    os.environ.get("BETTERNETS_MATHJAX", "/nonexistent")))
    if package == "postgresql":
        return postgres_bindir() is not None
    raise ValueError(f"unknown system package {package!r}; known: {', '.join(PACKAGES)}")


def missing() -> list[str]:
    return [p for p in PACKAGES if not present(p)]


def install_command(packages: list[str]) -> str:
    return "sudo apt-get install -y --no-install-recommends " + " ".join(packages)


def _apt_prefix() -> list[str] | None:
    """How to run apt-get here: directly as root, through passwordless sudo, or not at all."""
    if shutil.which("apt-get") is None:
        return None
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True,
                                               stdin=subprocess.DEVNULL).returncode == 0:
        return ["sudo", "-n"]
    return None


def install() -> int:
    need = missing()
    if not need:
        return 0
    strict = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    prefix = _apt_prefix()
    if prefix is None:
        print(f"system packages missing: {', '.join(need)}; apt-get cannot be run here, so the "
              f"tests that need them will be skipped. To cover them: {install_command(need)}",
              file=sys.stderr)
        return 1 if strict else 0
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"installing system packages: {' '.join(need)}", file=sys.stderr)
    steps = [prefix + ["apt-get", "update", "-qq"],
             prefix + ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *need]]
    for step in steps:
        if subprocess.run(step, env=env, stdin=subprocess.DEVNULL).returncode != 0:
            print(f"`{' '.join(step)}` failed", file=sys.stderr)
            return 1 if strict else 0
    still = missing()
    if still:
        print(f"still missing after apt-get: {', '.join(still)}", file=sys.stderr)
        return 1 if strict else 0
    return 0


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "list"
    if command == "list":
        for name, why in PACKAGES.items():
            print(f"{name}\t{'present' if present(name) else 'MISSING'}\t{why}")
        return 0
    if command == "missing":
        print(" ".join(missing()))
        return 0
    if command == "install":
        return install()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
