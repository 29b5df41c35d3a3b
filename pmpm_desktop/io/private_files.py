"""Our one private folder for temporary and partial files, and files created private.

Member data (IDs, names, dates of birth) passes through temporary files: xlsxwriter's row
files, a workbook being written, the demo practice being built. They all live in one folder of
ours (``$PMPM_TMPDIR``, else ``<user cache>/tmp``), which only the user can open (0700), each
run's items named ``run-<pid>-<random>…`` so that :func:`remove_stale` can tell the leftovers
of a killed run (its process is gone, or the item is a day old) from the files of a run still
going. Every file we write that holds member data is created 0600 and moved into place only
when complete (:func:`atomic_output`), so a kill leaves the target as it was.

On Windows the modes mean nothing (the user's profile folders are private already); the
folder, the names and the cleanup are the same.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import platformdirs

#: overrides the private folder (tests; an office that wants it elsewhere)
ENV_VAR = "PMPM_TMPDIR"
#: the application's folder name (as ``db.database.APP_NAME``; io/ does not import db/)
_APP_NAME = "PMPM Desktop"
FILE_MODE = 0o600
DIR_MODE = 0o700
RUN_PREFIX = "run-"
#: a pending copy beside a target on another device: the marker names that copy
PENDING_SUFFIX = ".pending"
PARTIAL_SUFFIX = ".partial"
#: an item of a process that still runs is kept unless it is this old (the pid may be reused)
STALE_AFTER_SECONDS = 24 * 3600
_POSIX = os.name == "posix"


def private_root_path() -> Path:
    """Where the private folder is (not created)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir(_APP_NAME, appauthor=False)) / "tmp"


def private_root() -> Path:
    """The private folder, created 0700 (narrowed to 0700 when it exists with wider bits)."""
    return private_dir(private_root_path())


def private_dir(path: Path) -> Path:
    """``path`` as a folder only its owner can open: created 0700, or narrowed to it (the
    missing folders above it are created 0700 too)."""
    create_folders(path)
    make_private(path)
    return path


def create_folders(folder: Path) -> None:
    """Create ``folder`` and its missing parents, each 0700 (``mkdir(parents=True)`` would
    give the parents the umask's mode); folders that exist stay as they are."""
    missing: list[Path] = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        if _POSIX:
            path.chmod(DIR_MODE)  # the umask may have narrowed it further; say exactly


def make_private(path: Path) -> None:
    """Narrow ``path`` to its owner: 0700 for a folder, 0600 for a file (POSIX only)."""
    if not _POSIX:
        return
    mode = DIR_MODE if path.is_dir() else FILE_MODE
    if (path.stat().st_mode & 0o777) != mode:
        path.chmod(mode)


def run_name(label: str = "") -> str:
    """A fresh name for this run's item: ``run-<pid>-<random>[-label]``."""
    name = f"{RUN_PREFIX}{os.getpid()}-{secrets.token_hex(6)}"
    return f"{name}-{label}" if label else name


def create_private_file(path: Path) -> int:
    """Create ``path`` (it must not exist) readable by its owner only; returns the open fd."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    return os.open(path, flags, FILE_MODE)


@contextlib.contextmanager
def private_temp_dir(label: str = "") -> Iterator[Path]:
    """A new folder of this run inside the private folder, removed with all it holds at the
    end (a kill leaves it to :func:`remove_stale`)."""
    path = private_root() / run_name(label)
    path.mkdir(mode=DIR_MODE)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def atomic_output(target: Path, label: str = "out") -> Iterator[Path]:
    """A private file (0600, already created, empty) to write ``target``'s content to.

    When the block ends without an error the file is moved onto ``target`` (one rename; across
    devices a copy beside the target, then a rename); on an error it is removed and ``target``
    stays as it was. The file's folder belongs to this run only: a writer's own scratch files
    (xlsxwriter's ``tmpdir``) go there too and are removed with it.
    """
    target = Path(target)
    with private_temp_dir(label) as work:
        tmp = work / target.name
        os.close(create_private_file(tmp))
        yield tmp
        move_into_place(tmp, target)


def move_into_place(src: Path, target: Path) -> None:
    """Move the complete file ``src`` onto ``target`` in one step (keeping its mode)."""
    try:
        os.replace(src, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        _copy_beside(src, target)


@contextlib.contextmanager
def partial_beside(target: Path) -> Iterator[Path]:
    """A hidden name beside ``target`` to build it under, then rename onto it (a rename is
    only atomic within one folder). A marker in the private folder names it, so if this run
    is killed the next start removes the partial file (and SQLite's journals of it); on
    leaving the block the partial file and the marker are removed."""
    token = run_name()
    partial = target.with_name(f".{target.name}.{token}{PARTIAL_SUFFIX}")
    marker = private_root() / f"{token}{PENDING_SUFFIX}"
    with os.fdopen(create_private_file(marker), "w", encoding="utf-8") as f:
        f.write(os.fspath(partial))
    try:
        yield partial
    finally:
        _remove_partial(partial)
        marker.unlink(missing_ok=True)


def _remove_partial(partial: Path) -> None:
    for suffix in _SQLITE_SIDE_FILES:
        partial.with_name(partial.name + suffix).unlink(missing_ok=True)


#: a partial file, and the files SQLite keeps beside one it writes
_SQLITE_SIDE_FILES = ("", "-journal", "-wal", "-shm")


def _copy_beside(src: Path, target: Path) -> None:
    """``src`` is on another device: copy it to a hidden partial file beside ``target``, then
    rename (see :func:`partial_beside`)."""
    with partial_beside(target) as partial:
        with os.fdopen(create_private_file(partial), "wb") as out, src.open("rb") as data:
            shutil.copyfileobj(data, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    src.unlink(missing_ok=True)


def remove_stale() -> int:
    """Remove what killed runs left in the private folder (and the partial copies their
    markers name); never an item of a run still going. Returns how many items went.

    Cheap (one listing of a folder that is normally empty) and never raises: it runs at the
    start of every ``pmpm`` command and of the app.
    """
    root = private_root_path()
    try:
        entries = list(os.scandir(root))
    except OSError:
        return 0
    removed = 0
    for entry in entries:
        if _is_stale(entry):
            with contextlib.suppress(OSError):
                _remove(entry)
                removed += 1
    with contextlib.suppress(OSError):
        make_private(root)
    return removed


def _run_pid(name: str) -> int | None:
    if not name.startswith(RUN_PREFIX):
        return None
    pid = name[len(RUN_PREFIX) :].split("-", 1)[0]
    return int(pid) if pid.isdigit() else None


def _is_stale(entry: os.DirEntry[str]) -> bool:
    pid = _run_pid(entry.name)
    if pid is None or pid == os.getpid():
        return False
    try:
        age = time.time() - entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return False
    return age > STALE_AFTER_SECONDS or not pid_running(pid)


def _remove(entry: os.DirEntry[str]) -> None:
    path = Path(entry.path)
    if entry.name.endswith(PENDING_SUFFIX):
        partial = Path(path.read_text(encoding="utf-8").strip())
        token = entry.name[: -len(PENDING_SUFFIX)]
        # only the partial copy this marker was made for: a name with its token and suffix
        if partial.name.startswith(".") and partial.name.endswith(f"{token}{PARTIAL_SUFFIX}"):
            _remove_partial(partial)
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(path)
    else:
        path.unlink()


def pid_running(pid: int) -> bool:
    """Whether a process with this id exists (of any user)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_pid_running(pid)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _windows_pid_running(pid: int) -> bool:
    # os.kill(pid, 0) would end the process on Windows: ask the process table instead.
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
    query_limited_information = 0x1000
    still_active = 259
    handle = kernel32.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return bool(kernel32.GetLastError() == 5)  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)
