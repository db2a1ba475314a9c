"""Which machine measured a result: seconds per cycle only compare between machines of one speed.

Two machines of this workplace that both called themselves "AMD EPYC" with 2 cores decoded the local
model at 99.8 and 19.7 prompt tokens/s (the slow one has AVX2 without AVX-512; the fast one's flags were
not recorded), so the CPU's name is not enough: the vector instructions llama.cpp's kernels use are
recorded too.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")

VECTOR_FLAGS = ("avx", "avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")


def cpu_info(path: Path = CPUINFO) -> dict[str, str]:
    """The first processor's fields of /proc/cpuinfo (Linux; empty elsewhere)."""
    fields: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8") as info:
            for line in info:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return fields


def machine(cpuinfo: Path = CPUINFO) -> dict:
    """The platform, the CPU's model name, its vector instructions and its core count."""
    fields = cpu_info(cpuinfo)
    flags = set(fields.get("flags", "").split())
    return {"platform": platform.platform(), "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(), "cpu": fields.get("model name", ""),
            "vector": [flag for flag in VECTOR_FLAGS if flag in flags], "cores": os.cpu_count()}
