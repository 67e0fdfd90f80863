"""Cookie names classified per second, cached and uncached, on a mix of known, prefixed
and unknown names.

Run from the project root: ``python benchmarks/bench_classify.py``. Prints one JSON
object per figure; ``dict_get_per_s`` is a plain dictionary lookup of the same names,
measured in the same run, as a yardstick for the machine.
"""

from __future__ import annotations

import json
import random
import re
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

try:
    import consentkit  # noqa: F401
except ImportError:  # pragma: no cover - run from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from consentkit.catalogue import load_catalogue
from consentkit.classify import Classifier
from consentkit.policy import Policy

NAMES = 3000
REPEATS = 20


def name_mix(count: int, seed: int = 7) -> list[str]:
    """A third exact catalogue names, a third prefix names with a random tail (such as
    ``_ga_K3J9Q2``), a third names no rule knows (some with heuristic words)."""
    rng = random.Random(seed)
    rules = load_catalogue().cookies
    exact = [r.name for r in rules if r.name]
    prefixes = [r.prefix for r in rules if r.prefix]
    tail = string.ascii_uppercase + string.digits
    words = ["app", "user", "pref", "cart", "x", "data", "lang", "sess", "promo", "tab"]
    names: list[str] = []
    for index in range(count):
        kind = index % 3
        if kind == 0:
            names.append(rng.choice(exact))
        elif kind == 1:
            names.append(rng.choice(prefixes) + "".join(rng.choices(tail, k=rng.randint(4, 10))))
        else:
            names.append(f"{rng.choice(words)}_{rng.choice(words)}{rng.randint(0, 9999)}")
    return names


def per_second(run: Callable[[], None], calls: int) -> float:
    """Calls per second of CPU time (``time.process_time``, so that other processes on a
    busy machine do not count), best of REPEATS short runs."""
    best = float("inf")
    for _ in range(REPEATS):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return calls / best


def main() -> None:
    names = name_mix(NAMES)
    classifier = Classifier(Policy())
    cookie = classifier.cookie
    uncached = classifier.cookie_uncached
    table = {name: name for name in names}
    rounds = 20

    def cached_run() -> None:
        for _ in range(rounds):
            for name in names:
                cookie(name)

    def uncached_run() -> None:
        for name in names:
            uncached(name)

    def dict_run() -> None:
        get = table.get
        for _ in range(rounds):
            for name in names:
                get(name)

    for name in names:  # warm the cache
        cookie(name)
    dict_rate = per_second(dict_run, rounds * len(names))
    cached = per_second(cached_run, rounds * len(names))
    uncached_rate = per_second(uncached_run, len(names))
    known = sum(1 for name in names if classifier.cookie(name).source == "catalogue")
    common = {"names": len(names), "recognised_by_catalogue": known,
              "mix": "1/3 exact, 1/3 prefix + random tail, 1/3 unknown",
              "dict_get_per_s": round(dict_rate)}
    print(json.dumps({"bench": "classify_cached_per_s", "value": round(cached),
                      "unit": "names/s", "target": 1_000_000, **common}))
    print(json.dumps({"bench": "classify_uncached_per_s", "value": round(uncached_rate),
                      "unit": "names/s", "target": 200_000, **common}))
    print(json.dumps(inline_script_figure()))


def inline_script_figure() -> dict[str, object]:
    """Kilobytes of inline script code classified per second, not cached (a fresh
    classifier per run): a 50 KB script with no tracker in it, the worst case."""
    line = ('document.querySelectorAll(".item").forEach(function (el) {'
            ' el.addEventListener("click", function (e) { e.preventDefault(); }); });\n')
    code = line * (51200 // len(line))
    classifiers = [Classifier(Policy()) for _ in range(REPEATS)]
    runs = iter(classifiers)

    def run() -> None:
        next(runs).inline_script(code)

    signatures = [re.compile(rule.signature) for rule in load_catalogue().snippets]

    def every_signature() -> None:
        for signature in signatures:
            signature.search(code)

    rate = per_second(run, 1)
    baseline = per_second(every_signature, 1)
    return {"bench": "inline_script_uncached_kb_per_s", "value": round(rate * len(code) / 1024),
            "unit": "KB/s", "script_bytes": len(code),
            "answer": classifiers[0].inline_script(code).rule,
            "every_signature_in_turn_kb_per_s": round(baseline * len(code) / 1024),
            "speedup": round(rate / baseline, 1)}


if __name__ == "__main__":
    main()
