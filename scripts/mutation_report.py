"""`make mutate`: the kill rate per module and the surviving mutants, from `mutmut results`.

Reads the lines `<module>.x_<function>__mutmut_<n>: <status>` on standard input; mutants
not selected for this run ("not checked") are left out.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict

KILLED = {"killed", "timeout", "segfault"}


def main() -> int:
    per_module: dict[str, Counter] = defaultdict(Counter)
    survivors: list[str] = []
    for line in sys.stdin:
        name, sep, status = line.strip().rpartition(": ")
        if not sep or status == "not checked" or ".x" not in name:
            continue
        module = name.split(".x", 1)[0]
        per_module[module][status] += 1
        if status not in KILLED:
            survivors.append(f"{name}: {status}")
    if not per_module:
        print("no mutants were run")
        return 1
    total = Counter()
    print(f"{'module':45} {'killed':>7} {'total':>6} {'rate':>7}")
    for module, counts in sorted(per_module.items()):
        killed = sum(counts[s] for s in KILLED)
        n = sum(counts.values())
        total.update(killed=killed, n=n)
        print(f"{module:45} {killed:7} {n:6} {killed / n:7.1%}")
    print(f"{'all':45} {total['killed']:7} {total['n']:6} {total['killed'] / total['n']:7.1%}")
    print(f"\nsurviving mutants ({len(survivors)}; `.venv/bin/mutmut show NAME` shows one):")
    for line in survivors:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
