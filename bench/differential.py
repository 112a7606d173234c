"""The seeded differential test at scale: random cards, both engines, field by field.

    python -m bench.differential            # 10,000 cards, seed 0
    python -m bench.differential 500 --seed 3

Cards are drawn by `bench.draw` (every field of the card format from the code lists:
sub-units, unknowns, claims), written as YAML and read back through the card reader,
then checked by the fast engine and by pyshacl in the same batches on every core. The
result (cards, findings, differences, the first differing cards, the commit) is saved in
bench/results/differential.json; the last line is `differential <n> cards <d> differ`.
CI runs the same comparison on 200 cards (tests/unit/test_parity.py).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.draw import draw_cards
from bench.generate import dump_card
from bench.run import RESULTS, _commit


def _docs(reports: list[Any]) -> dict[str, str]:
    return {
        r.incident: json.dumps(
            {k: v for k, v in r.to_json().items() if k != "engine"}, sort_keys=True
        )
        for r in reports
    }


def run(n: int, seed: int) -> dict[str, Any]:
    from kg import api
    from kg.bulk import check_many
    from kg.decide.check import Options

    commit = _commit()  # before anything is loaded: the code and law measured
    ctx = api.context()
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for data in draw_cards(n, seed, ctx.codes.all_notations()):
            path = Path(tmp) / f"{data['id']}.yaml"
            path.write_text(dump_card(data, by="bench/draw.py"), encoding="utf-8")
            paths.append(path)
        out: dict[str, dict[str, str]] = {}
        seconds: dict[str, float] = {}
        bad = 0
        for engine in ("fast", "pyshacl"):
            start = time.perf_counter()
            reports = []
            for batch in check_many(paths, ctx, Options(engine=engine), workers=workers):
                reports += batch.reports
                bad += len(batch.errors)
            seconds[engine] = time.perf_counter() - start
            out[engine] = _docs(reports)
    differ = sorted(k for k in out["fast"] if out["fast"][k] != out["pyshacl"].get(k))
    findings = sum(len(json.loads(d)["findings"]) for d in out["fast"].values())
    return {
        "cards": n,
        "seed": seed,
        "checked": len(out["fast"]),
        "unreadable": bad,
        "findings": findings,
        "differ": len(differ),
        "first_differing": differ[:10],
        "fast_s": seconds["fast"],
        "pyshacl_s": seconds["pyshacl"],
        "workers": workers,
        "commit": commit,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = run(args.n, args.seed)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "differential.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"differential {result['cards']} cards {result['differ']} differ")


if __name__ == "__main__":
    main()
