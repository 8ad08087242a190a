"""All-or-nothing writes of an output folder: a reader sees the old folder or the new one, never a mix.

The new folder is made beside the old one (`.gcmkg-<name>-*`): what the old folder holds and the build does not
write (graph/sources/, a user's own files) is hard-linked into it, the build's files are written, and the two
folders are exchanged in one step (Linux `renameat2(RENAME_EXCHANGE)`; where the file system lacks it, two
renames in a row). A build killed at any point leaves the old folder whole; the staging folders it leaves are
removed by the next build. Builds of the same folder take turns (an advisory lock on the parent folder).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import stat
import tempfile
from pathlib import Path

from .errors import InputError

STAGING = ".gcmkg-"


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False where the system cannot (then nothing happened)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _link_tree(source: Path, target: Path, skip: set[str], prefix: str = "") -> None:
    """Hard-link (or copy) into `target` every file of `source` whose relative path is not in `skip`."""
    for entry in os.scandir(source):
        name = prefix + entry.name
        if name in skip or entry.name.startswith(STAGING):
            continue
        dest = target / entry.name
        if entry.is_symlink():
            os.symlink(os.readlink(entry.path), dest)
        elif entry.is_dir():
            dest.mkdir()
            shutil.copystat(entry.path, dest)
            _link_tree(Path(entry.path), dest, skip, name + "/")
        else:
            try:
                os.link(entry.path, dest)
            except OSError:
                shutil.copy2(entry.path, dest)


def write_folder(files: dict[str, bytes], out: Path) -> None:
    """Make `out` hold `files` (relative path -> bytes) beside what it held, in one step; InputError (nothing
    changed) when `out` cannot be written."""
    out = Path(os.path.abspath(out))
    if out.exists() and not out.is_dir():
        raise InputError(out, 1, "the output must be a folder, and this is a file")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        parent = os.open(out.parent, os.O_RDONLY)
    except OSError as err:
        raise InputError(out, 1, f"cannot create the output folder: {err.strerror or err}") from None
    try:
        fcntl.flock(parent, fcntl.LOCK_EX)  # another build of the same folder waits here
        for stale in out.parent.glob(f"{STAGING}{out.name}-*"):  # left by a killed build
            shutil.rmtree(stale, ignore_errors=True)
        _replace(files, out)
    except OSError as err:
        raise InputError(out, 1, f"cannot write the output folder: {err.strerror or err}") from None
    finally:
        os.close(parent)  # releases the lock


def _replace(files: dict[str, bytes], out: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING}{out.name}-", dir=out.parent))
    try:
        if out.is_dir():
            os.chmod(staging, stat.S_IMODE(out.stat().st_mode))
            _link_tree(out, staging, set(files))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(staging, 0o777 & ~umask)
        for name, data in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(data)
        if not out.exists():
            os.rename(staging, out)
        elif not _exchange(staging, out):
            old = Path(tempfile.mkdtemp(prefix=f"{STAGING}{out.name}-", dir=out.parent))
            os.rename(out, old / "old")
            os.rename(staging, out)
            staging = old
    finally:
        shutil.rmtree(staging, ignore_errors=True)
