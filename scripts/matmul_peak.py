"""The float32 matrix-product peak of one core: the yardstick for the native engine's speed
(issue 13 asks `examples/train` for at least 0.30 of it, in its `gflops` field).

    ~/.cache/convlab/pyenv/bin/python scripts/matmul_peak.py

Times 2048 × 2048 products (2·n³ floating-point operations each) with numpy's OpenBLAS on
one thread, best of several, once with the kernels OpenBLAS picks for this CPU and once
with each kernel set named below, and prints the best: the core's peak. Each runs in its own
process with OPENBLAS_CORETYPE set or removed, because an environment may pin it (machines
of this project's kind set OPENBLAS_CORETYPE=Haswell, whose AVX2 kernels reach half of what
a Zen 5 core's AVX-512 units do). A kernel set the CPU cannot run is skipped. Run it in the
same hour as the engine: only ratios measured together compare, since machines of one kind
differ.
"""

import os
import subprocess
import sys
import time

N = 2048
REPEATS = 12
# OpenBLAS's names for kernel sets (OPENBLAS_CORETYPE); "" is its own choice.
CORE_TYPES = ["", "Haswell", "SkylakeX", "Cooperlake", "SapphireRapids"]


def measure() -> None:
    """Prints the kernel set in use and its GFLOP/s (in a process whose BLAS is fresh)."""
    import ctypes
    import glob

    import numpy as np

    rng = np.random.default_rng(1)
    a = rng.standard_normal((N, N), dtype=np.float32)
    b = rng.standard_normal((N, N), dtype=np.float32)
    c = np.empty((N, N), dtype=np.float32)
    np.matmul(a, b, out=c)
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        np.matmul(a, b, out=c)
        best = min(best, time.perf_counter() - start)
    core = "?"
    libs = os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*")
    for path in glob.glob(libs):
        lib = ctypes.CDLL(path)
        for name in ("scipy_openblas_get_corename64_", "openblas_get_corename"):
            if hasattr(lib, name):
                getter = getattr(lib, name)
                getter.restype = ctypes.c_char_p
                core = getter().decode()
    print(f"{core} {2 * N**3 / best / 1e9:.1f}")


def main() -> None:
    if sys.argv[1:] == ["--one"]:
        measure()
        return
    results = []
    for core_type in CORE_TYPES:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        env.pop("OPENBLAS_CORETYPE", None)
        if core_type:
            env["OPENBLAS_CORETYPE"] = core_type
        run = subprocess.run(
            [sys.executable, __file__, "--one"], env=env, capture_output=True, text=True
        )
        if run.returncode != 0 or not run.stdout.strip():
            print(f"{core_type}: not runnable on this CPU")
            continue
        core, gflops = run.stdout.split()
        chosen = "OpenBLAS's own choice" if not core_type else f"forced {core_type}"
        print(f"{chosen}: {core} kernels, {gflops} GFLOP/s")
        results.append(float(gflops))
    if not results:
        sys.exit("no OpenBLAS kernel set ran: is numpy installed?")
    print(f"float32 matmul peak, one thread: {max(results):.1f} GFLOP/s")


if __name__ == "__main__":
    main()
