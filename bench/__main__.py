"""`python -m bench`: the benchmark suite. Quick by default, `--full` for the big sizes,
`--smoke` for CI (tiny sizes, no timings asserted). Writes bench/results.json and
BENCHMARKS.md."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import crash, fanout, throughput
from bench.common import summary

ROOT = Path(__file__).resolve().parent.parent
SIZES = {
    #           users, users at 50 ms, repeats, fan-out N, fan-out at 30/s, crash users, kills
    "smoke": (5, 10, 1, 200, 60, 300, 1),
    "quick": (60, 200, 3, 10_000, 450, 1_500, 2),
    "full": (200, 1_000, 3, 100_000, 2_000, 5_000, 5),
}


def _throughput(
    kind: str, db_url: str | None, users: int, latency: float, repeats: int, work: Path
) -> dict[str, Any]:
    rates, p50s, p99s, order = [], [], [], True
    for attempt in range(repeats):
        url = db_url
        if url is not None and url.startswith("sqlite"):
            url = fanout.sqlite_url(work, f"tp-{kind}-{latency}-{attempt}.db")
        elif url is not None:
            from tests.conftest import reset_postgres

            asyncio.run(reset_postgres(url))
        result = asyncio.run(throughput.run(kind, url, users, latency, work))
        rates.append(result.per_second)
        p50s.append(result.p50_ms)
        p99s.append(result.p99_ms)
        order = order and result.order_ok
    return {
        "updates_per_second": summary(rates),
        "p50_added_ms": summary(p50s),
        "p99_added_ms": summary(p99s),
        "per_user_order_preserved": order,
        "users": users,
        "api_latency_ms": latency * 1000,
    }


def main() -> None:
    """Run every scenario and write the results."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help="the big sizes (100,000 users)")
    size.add_argument("--smoke", action="store_true", help="tiny sizes for CI, no timings")
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="fan-out rate limit of the fake Bot API, messages/s",
    )
    args = parser.parse_args()
    mode = "full" if args.full else "smoke" if args.smoke else "quick"
    users, users_50ms, repeats, fan_n, fan_30, crash_users, kills = SIZES[mode]
    rate = args.rate or {"smoke": 1000.0, "quick": 300.0, "full": 300.0}[mode]
    pg_url = os.environ.get("BENCH_DATABASE_URL")
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    started = time.perf_counter()
    results: dict[str, Any] = {
        "mode": mode,
        "machine": _machine(),
        "command": _command(mode, args.rate),
    }
    try:
        sqlite = "sqlite:///placeholder"
        results["throughput"] = {
            "echo": _throughput("echo", None, users, 0.0, repeats, work),
            "bot_sqlite": _throughput("bot", sqlite, users, 0.0, repeats, work),
        }
        results["throughput"]["ratio_to_echo_sqlite"] = (
            results["throughput"]["bot_sqlite"]["updates_per_second"]["median"]
            / results["throughput"]["echo"]["updates_per_second"]["median"]
        )
        if pg_url:
            results["throughput"]["bot_postgresql"] = _throughput(
                "bot", pg_url, users, 0.0, repeats, work
            )
        results["latency_50ms"] = {
            "echo": _throughput("echo", None, users_50ms, 0.05, 1, work),
            "bot_sqlite": _throughput("bot", sqlite, users_50ms, 0.05, 1, work),
        }
        for label, n, r in (("fanout", fan_n, rate), ("fanout_at_30_per_second", fan_30, 30.0)):
            # A fresh process per fan-out, so its memory figure is the bot's alone.
            url = fanout.sqlite_url(work, f"{label}.db")
            output = subprocess.run(
                [sys.executable, "-m", "bench.fanout", url, str(n), str(r)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            results[label] = json.loads(output.strip().splitlines()[-1])
        results["crash"] = crash.run(
            fanout.sqlite_url(work, "crash.db"), crash_users, kills, 300.0, work
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["total_seconds"] = time.perf_counter() - started
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    table = render_table(results)
    print(table)
    if mode != "smoke":
        (ROOT / "BENCHMARKS.md").write_text(render_markdown(results, table))
    print(f"\nwrote {out.relative_to(ROOT)} in {results['total_seconds']:.0f} s")


def _machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }


def _command(mode: str, rate: float | None) -> str:
    flags = {"quick": "", "full": " --full", "smoke": " --smoke"}[mode]
    return f"python -m bench{flags}" + (f" --rate {rate:g}" if rate else "")


def _m(block: dict[str, Any], key: str) -> str:
    value = block[key]
    return f"{value['median']:.1f} ({value['min']:.1f}–{value['max']:.1f})"


def render_table(r: dict[str, Any]) -> str:
    """A plain-text table of every figure with its floor."""
    t, lat = r["throughput"], r["latency_50ms"]
    f, f30, c = r["fanout"], r["fanout_at_30_per_second"], r["crash"]
    rows = [
        ("echo bot updates/s (0 ms API)", _m(t["echo"], "updates_per_second"), "baseline"),
        ("bot updates/s, SQLite (0 ms API)", _m(t["bot_sqlite"], "updates_per_second"), "≥ 1000"),
        (
            "bot p50 / p99 added ms, SQLite",
            f"{t['bot_sqlite']['p50_added_ms']['median']:.1f} / "
            f"{t['bot_sqlite']['p99_added_ms']['median']:.1f}",
            "—",
        ),
        ("ratio to echo bot, SQLite", f"{t['ratio_to_echo_sqlite']:.2f}", "≥ 0.40"),
    ]
    if "bot_postgresql" in t:
        rows.append(
            ("bot updates/s, PostgreSQL", _m(t["bot_postgresql"], "updates_per_second"), "—")
        )
    rows += [
        (
            f"50 ms API: echo updates/s ({lat['echo']['users']} users)",
            _m(lat["echo"], "updates_per_second"),
            "baseline",
        ),
        (
            f"50 ms API: bot updates/s ({lat['bot_sqlite']['users']} users)",
            _m(lat["bot_sqlite"], "updates_per_second"),
            "≥ 300",
        ),
        ("50 ms API: bot p99 added ms", _m(lat["bot_sqlite"], "p99_added_ms"), "≤ 20"),
        (
            "50 ms API: per-user order kept",
            str(lat["bot_sqlite"]["per_user_order_preserved"]),
            "True",
        ),
        (f"fan-out {f['users']} users: ready s", f"{f['ready_seconds']:.2f}", "≤ 2"),
        (
            "fan-out: RSS MB (ready / after)",
            f"{f['rss_mb_ready']:.0f} / {f['rss_mb_after_fanout']:.0f}",
            "≤ 150",
        ),
        ("fan-out: plan s", f"{f['plan_seconds']:.2f}", "—"),
        (
            f"fan-out at {f['rate_limit']:g}/s: fraction of limit",
            f"{f['fraction_of_limit']:.3f}",
            "≥ 0.93",
        ),
        ("fan-out: 429 per 10k sends", f"{f['retry_after_per_10k']:.2f}", "≤ 1"),
        ("fan-out: lost / duplicated", f"{f['lost']} / {f['duplicated']}", "0 / 0"),
        ("fan-out: longest loop stall ms", f"{f['max_loop_stall_ms']:.1f}", "≤ 100"),
        (
            f"fan-out at 30/s ({f30['users']} users): fraction",
            f"{f30['fraction_of_limit']:.3f}",
            "≥ 0.93",
        ),
        (
            "fan-out at 30/s: 429s / lost / dup",
            f"{f30['retry_after_received']} / {f30['lost']} / {f30['duplicated']}",
            "≤1/10k, 0, 0",
        ),
        (f"crash ×{c['kills']}: lost", str(c["lost"]), "0"),
        (
            "crash: duplicated / in flight at kills",
            f"{c['duplicated']} / {c['in_flight_total']}",
            "dup ≤ in flight",
        ),
    ]
    width = max(len(a) for a, _, _ in rows)
    lines = [f"{'figure':<{width}}  {'measured (median (min–max))':<32}  floor", "-" * (width + 45)]
    lines += [f"{a:<{width}}  {b:<32}  {c_}" for a, b, c_ in rows]
    return "\n".join(lines)


def render_markdown(r: dict[str, Any], table: str) -> str:
    """BENCHMARKS.md: the command, the machine, the table."""
    machine = r["machine"]
    return (
        "# Benchmarks\n\n"
        f"Command: `{r['command']}` ({r['mode']} run, {r['total_seconds']:.0f} s). "
        "Every scenario runs the real application from `build_application`, with the real "
        "handlers, templates and database, against the in-process fake Bot API.\n\n"
        f"Machine: {machine['cpus']} CPUs, Python {machine['python']}, {machine['platform']}.\n\n"
        "```\n" + table + "\n```\n\n"
        "Raw figures: `bench/results.json`.\n\n"
        + (ROOT / "bench" / "analysis.md").read_text()
    )


if __name__ == "__main__":
    main()
