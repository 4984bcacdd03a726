"""Run every bench/*_bench.py in turn (`make bench`), or the ones named, passing flags on:
`python -m bench generate --stations 10`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    names = [word for word in argv if not word.startswith("-")]
    flags = argv[len(names):] if argv[: len(names)] == names else []
    scripts = sorted(HERE.glob("*_bench.py"))
    if names:
        scripts = [s for s in scripts if any(s.stem.startswith(n) for n in names)]
    failed = 0
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        failed += subprocess.call([sys.executable, "-m", f"bench.{script.stem}", *flags]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
