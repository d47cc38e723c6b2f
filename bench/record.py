"""Benchmark figures as data: each measure is printed in a table at the end and appended as one JSON
object per line to var/bench/latest.jsonl (name, value, unit, sizes, target, commit, measured_at)."""

import datetime as dt
import json
import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "var" / "bench" / "latest.jsonl"
ROWS: list[dict] = []


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=OUT.parents[2]).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def start():
    """A new run: latest.jsonl holds this run's measures only."""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("")
    ROWS.clear()


def record(name: str, value: float, unit: str, *, sizes: dict, target: float | None = None):
    row = {"name": name, "value": round(float(value), 4), "unit": unit, "sizes": sizes, "target": target,
           "commit": commit(), "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    ROWS.append(row)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("a") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return row


def table():
    print(f"\n{'measure':<52}{'value':>12} {'unit':<6}{'target':>10}  sizes")
    for row in ROWS:
        target = "" if row["target"] is None else f"≤ {row['target']:g}"
        met = "" if row["target"] is None else ("  ok" if row["value"] <= row["target"] else "  OVER")
        sizes = ", ".join(f"{k}={v}" for k, v in row["sizes"].items())
        print(f"{row['name'][:51]:<52}{row['value']:>12,.3f} {row['unit']:<6}{target:>10}{met}  {sizes}")
    print(f"\n(one JSON object per measure in {OUT.relative_to(OUT.parents[2])})")
