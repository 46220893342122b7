"""Read every real scanner sample and print, per file, the tool, its findings and the read time (median of 5).

The samples live outside the project, in `../shared/scanner-samples/` beside the repository (developers only); a
folder can be given instead: `python benchmarks/scanners.py [FOLDER]`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from advisor.scanners import ScanError, read_scan

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "scanner-samples"
RUNS = 5


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT
    files = sorted(p for p in folder.glob("*/*.json") if not p.parent.name.startswith("_"))
    if not files:
        print(f"no scanner samples under {folder}")
        return 1
    print(f"{'file':<62} {'tool':<10} {'KB':>6} {'findings':>8} {'fail':>5} {'pass':>5} {'n/e':>5} {'ms':>8}")
    for path in files:
        data = path.read_bytes()
        times: list[float] = []
        try:
            for _ in range(RUNS):
                started = time.perf_counter()
                scan = read_scan(data)
                times.append((time.perf_counter() - started) * 1000)
        except ScanError as exc:
            print(f"{path.name:<62} refused: {exc}")
            continue
        print(
            f"{path.name[:62]:<62} {scan.tool:<10} {len(data) / 1024:>6.0f} {len(scan.findings):>8} "
            f"{scan.failed:>5} {scan.passed:>5} {scan.not_evaluated:>5} {statistics.median(times):>8.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
