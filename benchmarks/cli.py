"""Time the whole `advisor` process, start to exit, for the two commands that need no web app.

Goal (issue 13): `advisor evaluate FILE` and `advisor kb check` in under 0.3 s each on a 2-core
machine, against a bare `python -c pass` for reference. Each command runs RUNS times (default 7)
one after another; the median, min and max wall-clock times are printed.
Run with `python benchmarks/cli.py [RUNS]`.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL = 0.3  # seconds, whole process
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ADVISOR = str(BIN / "advisor")

# the README's example ("Evaluating answers from the command line")
SAMPLE_ANSWERS = """\
experience: intermediate
automation: partial
infrastructure: public_cloud
air_gapped: false
applications: 4
services: 12
tenancy: multi_team
sensitivity: moderate
compliance: [soc2]
environments: [dev, prod]
external_tools: [siem, runtime_security]
exposure: public_web
priorities: {isolation: 5, simplicity: 4, cost: 2}
status:
  psa-restricted-enforce: done
"""


def timed(command: list[str], runs: int, env: dict[str, str]) -> list[float]:
    """Wall-clock seconds of each run; a run that fails stops the benchmark."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode(errors='replace')}")
    return times


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    if not Path(ADVISOR).exists():
        sys.exit(f"no {ADVISOR}: run this with the Python of the advisor's environment (.venv/bin/python)")
    with tempfile.TemporaryDirectory() as tmp:
        answers = Path(tmp) / "answers.yaml"
        answers.write_text(SAMPLE_ANSWERS, encoding="utf-8")
        # an instance directory of its own, so a run never touches the checkout's
        env = {**os.environ, "ADVISOR_INSTANCE_PATH": str(Path(tmp) / "instance")}
        env.pop("ADVISOR_KNOWLEDGE_BASE", None)  # the built-in knowledge base, as the goal is stated
        cases = [
            ("python -c pass (reference)", [sys.executable, "-c", "pass"], False),
            ("advisor evaluate answers.yaml", [ADVISOR, "evaluate", str(answers)], True),
            (
                "advisor evaluate answers.yaml --format markdown",
                [ADVISOR, "evaluate", str(answers), "--format", "markdown"],
                True,
            ),
            ("advisor kb check", [ADVISOR, "kb", "check"], True),
            ("advisor kb check advisor/knowledge", [ADVISOR, "kb", "check", "advisor/knowledge"], True),
        ]
        print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {runs} runs each, whole process")
        print(f"{'command':50} {'median':>8} {'min':>8} {'max':>8}  goal")
        for label, command, goal in cases:
            times = timed(command, runs, env)
            median = statistics.median(times)
            verdict = (f"under {GOAL} s: " + ("met" if median < GOAL else "NOT met")) if goal else ""
            print(f"{label:50} {median:8.3f} {min(times):8.3f} {max(times):8.3f}  {verdict}")


if __name__ == "__main__":
    main()
