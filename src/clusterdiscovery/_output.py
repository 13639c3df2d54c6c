"""One safe writer: an output folder appears whole or not at all.

Every command and function that writes a folder of results (``discover``,
``ClusterDescriptions.save``, the ``monitor`` command) writes into a temporary folder beside
the destination and moves the files into place only when everything was written. A run that
fails half way leaves the destination as it was (absent, or with its earlier contents).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

__all__ = ["staged_directory", "staged_file", "relocate"]


@contextmanager
def staged_directory(directory):
    """Context manager yielding a temporary folder whose contents replace ``directory``'s.

    On a clean exit, each top-level entry written in the temporary folder is moved into
    ``directory`` (created if needed), replacing an entry of the same name; entries of
    ``directory`` that the run did not write are kept. On an exception nothing is moved, the
    temporary folder is removed and the exception propagates.

    Raises
    ------
    FileExistsError
        If ``directory`` exists and is not a folder.
    """
    final = Path(directory)
    if final.exists() and not final.is_dir():
        raise FileExistsError(f"{final} is a file; pass a folder to write into.")
    parent = final.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.partial-", dir=parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        if not final.exists():
            os.replace(tmp, final)  # one rename: atomic on the same file system
            return
        for entry in sorted(tmp.iterdir()):
            target = final / entry.name
            if target.is_dir() and entry.is_dir():
                _merge(entry, target)
                continue
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(entry, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def staged_file(path):
    """Context manager yielding a temporary path beside ``path``; on a clean exit it
    replaces ``path`` in one rename, on an exception it is removed."""
    final = Path(path)
    if final.is_dir():
        raise IsADirectoryError(f"{final} is a folder; give a file name, e.g. "
                                f"{final / 'labels.csv'}.")
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.partial-", dir=final.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def _merge(src: Path, dst: Path) -> None:
    for entry in sorted(src.iterdir()):
        target = dst / entry.name
        if entry.is_dir() and target.is_dir():
            _merge(entry, target)
        else:
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(entry, target)


def relocate(paths, staged: Path, final: Path):
    """Map paths under the staged folder to where they are after the move."""
    staged, final = Path(staged), Path(final)
    out = []
    for p in paths:
        p = Path(p)
        try:
            out.append(final / p.relative_to(staged))
        except ValueError:
            out.append(p)
    return out
