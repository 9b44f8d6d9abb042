"""Bounded parsing: how long refusing hostile input takes, and what strict bulk-table parsing costs.

* a YAML file just under the 2 MB cap made of flow nesting (``a: [[[...]]]``): refused by
  ``parse_yaml_safely`` (the unbounded parser spends minutes on it and ends in RecursionError);
* a JSONL line of 1,000,000 nested arrays: refused by ``parse_json_safely``;
* a bulk CSV of 2,000 inline texts of ~2,000 characters each (about 12 MB): parsed by the strict
  reader ``analysis.ingest.corpus._read_table`` against plain ``csv.DictReader``.

Each timing is the best of ``--repeat`` runs; the machine load (``os.getloadavg``) is printed
beside them.

    python benchmarks/bench_bounded_parsing.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import random
import tempfile
import time
from pathlib import Path

from analysis.infra.safe_yaml import MAX_YAML_BYTES, parse_json_safely, parse_yaml_safely
from analysis.ingest.corpus import _read_table


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def refused(fn) -> None:
    try:
        fn()
    except ValueError:
        return
    raise AssertionError("the hostile input was accepted")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n = (MAX_YAML_BYTES - 10) // 2
    yaml_bomb = "a: " + "[" * n + "]" * n + "\n"
    json_bomb = '{"text": ' + "[" * 1_000_000 + "]" * 1_000_000 + "}"
    t_yaml = best(lambda: refused(lambda: parse_yaml_safely(yaml_bomb, "bomb.yml")), args.repeat)
    t_json = best(lambda: refused(lambda: parse_json_safely(json_bomb, "bomb.jsonl, line 1")), args.repeat)

    rng = random.Random(0)
    han = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    rows = ["unit_id,text,date,period,level,outlet"]
    for i in range(2000):
        text = "".join(rng.choice(han) for _ in range(2000))
        rows.append(f'b{i},"{text}，会议强调,要坚决落实。",2022-11-13,2022-11,national,日报')
    content = "\n".join(rows) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "t.csv"
        table.write_text(content, encoding="utf-8")
        t_strict = best(lambda: _read_table(table), args.repeat)
        t_plain = best(lambda: list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"), newline=""))),
                       args.repeat)
    size = len(content.encode("utf-8")) / 1e6
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average (1/5/15 min): {load}")
    print(f"YAML nesting bomb ({len(yaml_bomb.encode()) / 1e6:.2f} MB) refused in {t_yaml:.3f} s")
    print(f"JSONL line nested 1,000,000 deep ({len(json_bomb) / 1e6:.1f} MB) refused in {t_json:.3f} s")
    print(f"bulk CSV, 2,000 rows ({size:.1f} MB): strict reader {t_strict:.3f} s, "
          f"csv.DictReader {t_plain:.3f} s")


if __name__ == "__main__":
    main()
