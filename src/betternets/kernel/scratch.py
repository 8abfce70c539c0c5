"""Removing a scratch folder, however deep and however its owner locked it.

Used by the grader (an unsandboxed kernel's host folder) and by the template kernel
(emptying the sandbox's /scratch and /tmp between two submissions).
"""
from __future__ import annotations

import os
from pathlib import Path


def remove_tree(path: Path) -> bool:
    """Remove `path` and everything in it, however deep; True when it is gone.

    Iterative and depth-independent: the entries of each subfolder are moved up to
    the top folder before the subfolder is removed, so that no path ever grows and
    at most two folders are open at a time. Symbolic links are removed, never followed.
    """
    path = Path(path)
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    try:
        top = os.open(path, flags)
    except FileNotFoundError:
        return True
    except OSError:
        try:
            os.unlink(path)
        except OSError:
            pass
        return not os.path.lexists(path)
    counter = 0

    def unlock(name: str, dir_fd: int) -> None:
        # a folder needs write and search permission to be emptied, and write permission
        # to be moved (its ".." changes)
        # (through an O_PATH descriptor of the folder itself, so that a link swapped in
        # meanwhile is never followed)
        try:
            fd = os.open(name, getattr(os, "O_PATH", os.O_RDONLY) | os.O_NOFOLLOW
                         | os.O_DIRECTORY, dir_fd=dir_fd)
        except OSError:
            return
        try:
            os.chmod(f"/proc/self/fd/{fd}", 0o700)
        except OSError:
            pass
        finally:
            os.close(fd)

    try:
        while True:
            try:
                entries = list(os.scandir(top))
            except OSError:
                break
            progress = False
            for e in entries:
                try:
                    if e.is_dir(follow_symlinks=False):
                        unlock(e.name, top)
                        sub = os.open(e.name, flags, dir_fd=top)
                        try:
                            for child in list(os.scandir(sub)):
                                if child.is_dir(follow_symlinks=False):
                                    unlock(child.name, sub)
                                counter += 1
                                os.rename(child.name, f".rm-{counter}-{child.name[:40]}",
                                          src_dir_fd=sub, dst_dir_fd=top)
                                progress = True
                        finally:
                            os.close(sub)
                        os.rmdir(e.name, dir_fd=top)
                    else:
                        os.unlink(e.name, dir_fd=top)
                    progress = True
                except OSError:
                    continue
            if not progress:    # what is left cannot be removed: reported by the caller
                break
    finally:
        os.close(top)
    try:
        os.rmdir(path)
    except OSError:
        pass
    return not os.path.lexists(path)



def empty_folder(path: str | Path) -> bool:
    """Remove everything inside `path` (which stays); True when it is empty."""
    try:
        names = os.listdir(path)
    except FileNotFoundError:
        return True
    for name in names:
        remove_tree(Path(path) / name)
    return not os.listdir(path)
