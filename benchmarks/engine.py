"""Time `evaluate` over a few thousand random valid answer sets; print median and p99.

Goal (issue 2): median under 1 ms on a 2-core machine. Run with `make benchmark`
or `python benchmarks/engine.py [COUNT] [SEED]`.
"""

from __future__ import annotations

import platform
import random
import statistics
import sys
import time
from typing import Any

from advisor.engine import default_knowledge_base, evaluate
from advisor.engine.schema import CRITERIA, STATUSES


def random_answers(rng: random.Random) -> dict[str, Any]:
    kb = default_knowledge_base()
    opts = {q.key: [o.value for o in q.options] for q in kb.questions}
    applications = rng.choice([1, 2, 5, 12, 40, 300, rng.randint(1, 10000)])
    return {
        "experience": rng.choice(opts["experience"]),
        "automation": rng.choice(opts["automation"]),
        "infrastructure": rng.choice(opts["infrastructure"]),
        "air_gapped": rng.random() < 0.2,
        "applications": applications,
        "services": rng.randint(applications, min(100000, applications * 20)),
        "tenancy": rng.choice(opts["tenancy"]),
        "sensitivity": rng.choice(opts["sensitivity"]),
        "compliance": rng.sample(opts["compliance"], rng.randint(0, 3)),
        "environments": rng.sample(opts["environments"], rng.randint(1, 3)),
        "zero_trust": rng.random() < 0.3,
        "external_tools": rng.sample(opts["external_tools"], rng.randint(0, 4)),
        "exposure": rng.choice(opts["exposure"]),
        "priorities": {c: rng.randint(1, 5) for c in CRITERIA},
        "status": {i.id: rng.choice(STATUSES) for i in rng.sample(kb.items, rng.randint(0, 10))},
    }


def main(count: int = 5000, seed: int = 2026) -> None:
    rng = random.Random(seed)
    docs = [random_answers(rng) for _ in range(count)]
    for doc in docs[:200]:  # warm-up
        evaluate(doc)
    times = []
    for doc in docs:
        start = time.perf_counter_ns()
        evaluate(doc)
        times.append(time.perf_counter_ns() - start)
    times.sort()
    median = statistics.median(times) / 1e6
    p99 = times[int(len(times) * 0.99) - 1] / 1e6
    kb = default_knowledge_base()
    print(f"evaluate() over {count} random valid answer sets (seed {seed})")
    print(f"  python {platform.python_version()}, knowledge base {kb.version}, {len(kb.items)} checklist items")
    print(f"  median {median:.3f} ms   p99 {p99:.3f} ms   max {times[-1] / 1e6:.3f} ms")
    print(f"  goal: median under 1 ms -> {'met' if median < 1 else 'NOT met'}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
