"""Compile a cuda backend kernel to PTX and SASS here, with no GPU: registers, local memory and
the PTX instruction mix, to judge a change of the kernels before it gets device time.

    python bench/cuda_ptx.py                    # the step kernel, for sm_90 (H100 / H200)
    python bench/cuda_ptx.py --kernel compact --top 10 --save /tmp/compact.ptx

It needs numba's NVVM and `ptxas` from a CUDA toolkit (CUDA_HOME, else /usr/local/cuda), not a
driver: the kernels' eager signatures are recorded instead of compiled at import, and numba is
told the device is an sm_90. ptxas's register count is the one a launch gets, give or take the
driver's own ptxas version.
"""
from __future__ import annotations

import argparse
import collections
import os
import re
import struct
import subprocess
import sys
import tempfile
import types as pytypes
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
CC = (9, 0)
PTXAS = Path(os.environ.get("CUDA_HOME", "/usr/local/cuda")) / "bin" / "ptxas"


def load_kernels() -> dict:
    """name -> (python function, signature) of every kernel of cuda_kernels and cuda_heap."""
    from numba import cuda
    import numba.cuda.dispatcher as dispatcher
    dispatcher.get_current_device = lambda: pytypes.SimpleNamespace(compute_capability=CC)
    signatures, jit = {}, cuda.jit

    def recording_jit(*args, **options):
        """cuda.jit that keeps an eager signature for compile_ptx instead of compiling."""
        if not (args and isinstance(args[0], str)):
            return jit(*args, **options)

        def record(fn):
            signatures[fn.__name__] = (fn, args[0])
            return fn
        return record
    cuda.jit = recording_jit
    try:
        from hvmlang.runtime import cuda_heap, cuda_kernels  # noqa: F401
    finally:
        cuda.jit = jit
    return signatures


def code_bytes(cubin: bytes) -> int:
    """Bytes of machine code in a cubin (its ELF sections named .text.*): what the SMs'
    instruction caches must hold, since every device function is inlined into the kernel."""
    shoff, = struct.unpack_from("<Q", cubin, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", cubin, 0x3A)
    headers = [struct.unpack_from("<IIQQQQ", cubin, shoff + i * shentsize) for i in range(shnum)]
    names = headers[shstrndx][4]
    return sum(size for name, _, _, _, _, size in headers
               if cubin[names + name:cubin.index(b"\0", names + name)].startswith(b".text."))


def main() -> None:
    """Print the chosen kernel's ptxas summary and its most frequent PTX instructions."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernel", default="step")
    parser.add_argument("--top", type=int, default=20, help="PTX opcodes listed")
    parser.add_argument("--save", type=Path, help="write the PTX here")
    a = parser.parse_args()
    from numba import cuda
    kernels = load_kernels()
    if a.kernel not in kernels:
        sys.exit(f"no kernel {a.kernel}; kernels: {', '.join(sorted(kernels))}")
    if not PTXAS.exists():
        sys.exit(f"{PTXAS} not found: set CUDA_HOME to a CUDA toolkit")
    fn, signature = kernels[a.kernel]
    ptx, _ = cuda.compile_ptx(fn, signature, cc=CC)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "kernel.ptx"
        source.write_text(ptx)
        done = subprocess.run([str(PTXAS), f"-arch=sm_{CC[0]}{CC[1]}", "-v", str(source),
                               "-o", str(Path(tmp) / "kernel.cubin")],
                              capture_output=True, text=True)
        if done.returncode:
            sys.exit(done.stderr)
        code = code_bytes((Path(tmp) / "kernel.cubin").read_bytes())
    if a.save:
        a.save.write_text(ptx)
    opcodes = collections.Counter(re.findall(r"^\s+([a-z][\w.]*)", ptx, re.M))
    print(f"{a.kernel}: {sum(opcodes.values())} PTX instructions, {code} bytes of SASS "
          f"({code // 16} instructions)")
    print("\n".join(line.split(": ", 1)[-1] for line in done.stderr.splitlines()
                    if "registers" in line))
    for opcode, count in opcodes.most_common(a.top):
        print(f"{count:7}  {opcode}")


if __name__ == "__main__":
    main()
