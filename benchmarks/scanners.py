"""Read every real scanner sample and print, per file, the tool, its findings, the read time (median of 5), and how
many checklist items of a broad assessment (a PCI DSS and SOC 2 platform on AWS) its findings give evidence to.

The samples live outside the project, in `../shared/scanner-samples/` beside the repository (developers only); a
folder can be given instead: `python benchmarks/scanners.py [FOLDER]`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from advisor.engine import default_knowledge_base, evaluate
from advisor.scanners import ScanError, read_scan
from advisor.scanners.evidence import attach_evidence

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "scanner-samples"
RUNS = 5
ANSWERS = {
    **{"experience": "intermediate", "automation": "full", "sensitivity": "high", "compliance": ["pci_dss", "soc2"]},
    **{"infrastructure": "public_cloud", "air_gapped": False, "cloud_providers": ["aws"], "tenancy": "multi_team"},
    **{"environments": ["dev", "staging", "prod"], "applications": 6, "services": 40, "zero_trust": True},
    **{"exposure": "public_api", "external_tools": ["log_shipping", "siem"]},
}


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT
    files = sorted(p for p in folder.glob("*/*.json") if not p.parent.name.startswith("_"))
    if not files:
        print(f"no scanner samples under {folder}")
        return 1
    kb = default_knowledge_base()
    result = evaluate(ANSWERS, kb)
    print(f"checklist of the broad assessment: {len(result['checklist'])} items")
    head = f"{'file':<62} {'tool':<10} {'KB':>6} {'findings':>8} {'fail':>5} {'pass':>5} {'n/e':>5} {'ms':>8}"
    print(f"{head} {'items':>5}")
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
        items = sum(1 for i in attach_evidence(result, kb, [scan])["checklist"] if i["evidence"])
        print(
            f"{path.name[:62]:<62} {scan.tool:<10} {len(data) / 1024:>6.0f} {len(scan.findings):>8} "
            f"{scan.failed:>5} {scan.passed:>5} {scan.not_evaluated:>5} {statistics.median(times):>8.2f} {items:>5}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
