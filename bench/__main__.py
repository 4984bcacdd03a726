"""Run every bench/*_bench.py in turn (`make bench`), or the ones named, passing flags on:
`python -m bench generate --stations 10`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    # Names come first; everything from the first flag on goes to the scripts.
    first_flag = next((i for i, word in enumerate(argv) if word.startswith("-")), len(argv))
    names, flags = argv[:first_flag], argv[first_flag:]
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
