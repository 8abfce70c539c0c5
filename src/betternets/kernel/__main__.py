"""`python -m betternets.kernel CONFIG`: a template kernel, or one plain kernel.

CONFIG is one JSON object: with "template": true the process is the template
(`forkserver.main`), else a kernel serving on the pipes it names (`server.serve`).
"""
from __future__ import annotations

import json
import os
import sys

from .forkserver import main as template
from .server import serve


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    cfg = json.loads(argv[0])
    os.environ.setdefault("MPLBACKEND", "Agg")
    if cfg.get("template"):
        template(cfg)
    else:
        serve(cfg)


if __name__ == "__main__":
    main()
