"""The limits of one kernel, and what of them the kernel applies to itself.

Its fields' defaults are the limits' defaults, which `settings.Settings` (the options
of `betternets grade`) takes as its own.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Limits:
    timeout: float = 30.0            # seconds per cell and per call
    notebook_timeout: float = 300.0  # seconds for the whole notebook
    memory_mb: int = 2048            # memory of the kernel's whole process tree
    nproc: int = 64                  # processes and threads of the kernel's user
    output_bytes: int = 10_000       # captured output kept per cell or call
    file_mb: int = 64                # largest file the kernel may write
    disk_mb: int = 256               # size of its scratch folder, and of its /tmp
    cpu_cores: float = 1.0           # cores the process tree may keep busy on average
    nice: int = 5                    # nice level of the kernel's processes
    poll: float = 0.25               # seconds between two looks of the watchdog

    def rlimits(self) -> dict[str, int]:
        """The per-process limits a kernel sets on itself (`betternets.kernel.process`)."""
        return {"RLIMIT_AS": self.memory_mb * 1024 * 1024,
                "RLIMIT_FSIZE": self.file_mb * 1024 * 1024,
                "RLIMIT_NOFILE": 256,
                "RLIMIT_CORE": 0,
                "RLIMIT_CPU": int(self.notebook_timeout * 2) + 10}
