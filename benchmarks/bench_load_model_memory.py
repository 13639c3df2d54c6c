"""Peak memory of load_model on a hostile 99 MB file (run by hand, one kind per process).

    python benchmarks/bench_load_model_memory.py lists     # [[],[],...]
    python benchmarks/bench_load_model_memory.py objects   # [{},{},...]
    python benchmarks/bench_load_model_memory.py floats    # [0.5,0.5,...]

The file is written once (in a separate process, so that writing it does not count) under
the system's temporary folder; the peak resident memory of loading it is printed next to the
memory before loading (after imports). Measured on 2026-12-01: about +190 MB for each kind
(the file's bytes and its decoded text), against +2.5 GB before the loader's density check.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile

UNITS = {"lists": b"[],", "objects": b"{},", "floats": b"0.5,"}


def main(kind: str) -> None:
    path = os.path.join(tempfile.gettempdir(), f"hostile_{kind}.json")
    if not os.path.exists(path):
        subprocess.run([sys.executable, "-c", (
            f"unit = {UNITS[kind]!r}; n = 99_000_000 // len(unit)\n"
            f"open({path!r}, 'wb').write(b'[' + unit * (n - 1) + unit[:-1] + b']')")],
            check=True)
    from clusterdiscovery import load_model
    from clusterdiscovery.exceptions import ModelSpecError

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        load_model(path)
        result = "loaded"
    except ModelSpecError as exc:
        result = f"ModelSpecError: {str(exc)[:90]}..."
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = os.path.getsize(path) / 1e6
    print(f"{kind}: file {size:.0f} MB; peak RSS {before:.0f} MB before, {peak:.0f} MB after "
          f"(+{peak - before:.0f} MB, {(peak - before) / size:.1f} x the file); {result}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "lists")
