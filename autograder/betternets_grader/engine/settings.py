"""What an instructor may set for a grading run: the one source of its defaults.

The limits' defaults are those of `limits.Limits`; `betternets grade`'s options
(`betternets_grader.cli`) read theirs from the fields of `Settings`.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from .limits import Limits


def _option(default, help: str, metavar: str = "", flag: str = ""):
    """A setting, with its command-line option's help text, metavar and flag (when the
    flag is not the field's name)."""
    return field(default=default, metadata={"help": help, "metavar": metavar, "flag": flag})

@dataclass
class Settings:
    """Limits and sandboxing of a grading run."""
    timeout: float = _option(Limits.timeout, "seconds per answer cell and per call", "S")
    notebook_timeout: float = _option(Limits.notebook_timeout, "seconds per submission notebook",
                                      "S")
    memory_mb: int = _option(Limits.memory_mb, "memory limit of a student's kernel and all its "
                             "processes, in MB", "MB", flag="--memory")
    output_bytes: int = _option(Limits.output_bytes, "output kept per cell, in bytes", "BYTES")
    sandbox: bool = _option(True, "run kernels in bubblewrap (without: the report says "
                            "unsandboxed)")
    disk_mb: int = _option(Limits.disk_mb, "size of a kernel's scratch folder and of its /tmp, "
                           "in MB", "MB", flag="--disk")
    setup_timeout: float = _option(0.0, "seconds per setup cell (0: three times --timeout, "
                                   "at least 30)", "S")

    def limits(self) -> Limits:
        return Limits(timeout=self.timeout, notebook_timeout=self.notebook_timeout,
                      memory_mb=self.memory_mb, output_bytes=self.output_bytes,
                      disk_mb=self.disk_mb)

    def key(self) -> str:
        """The settings as text, part of the resume cache's digest."""
        return json.dumps(asdict(self), sort_keys=True)
