"""bench_sepa.py report and scale-report: the comparison table of the contenders and
billing_sepa's figures per size, printed from the JSON files of the runs.
"""

import sys
from decimal import Decimal

import benchlib

ROWS = [
    ("collect", "collect invoices", "create_collection", "new order + Create Transactions wizard"),
    ("confirm", "confirm", "-", "draft2open (one account.payment each)"),
    ("generate", "generate pain.008 file", "action_generate_file", "open2generated"),
    ("sent", "mark sent to bank", "action_mark_sent", "-"),
    ("book", "book + reconcile", "action_mark_collected + cron", "generated2uploaded"),
]
LABELS = {"ours": "billing_sepa", "classic": "OCA classic", "alt": "OCA alternative"}
TARGET_STEP_SECONDS = 60
TARGET_RATIO = 10


def report(paths):
    results = benchlib.load_results(paths)
    seeds = [r for r in results if "stack" in r]
    runs = {r["contender"]: r for r in results if "contender" in r}
    if "ours" not in runs:
        sys.exit("bench_sepa.py report: no result for billing_sepa")
    n = runs["ours"]["n"]
    lines = [f"SEPA direct-debit benchmark, N = {n} invoices (one per customer, 5-500 EUR, no tax)"]
    for seed_result in seeds:
        lines.append(
            f"seeding ({seed_result['stack']} stack database): {seed_result['seconds']:.1f} s (not compared)"
        )
    names = [name for name in ("ours", "classic", "alt") if name in runs]
    others = [name for name in names if name != "ours"]
    header = f"{'step':<24}" + "".join(f"{LABELS[name]:>26}" for name in names)
    header += "".join(f"{name + '/ours':>14}" for name in others)
    lines += ["", header, "-" * len(header)]
    by_key = {name: {step["key"]: step for step in runs[name]["steps"]} for name in names}
    for key, label, _ours_step, _oca_step in ROWS:
        row = f"{label:<24}"
        for name in names:
            step = by_key[name].get(key)
            row += f"{_cell(step):>26}"
        for name in others:
            row += f"{_ratio(by_key[name].get(key), by_key['ours'].get(key)):>14}"
        lines.append(row)
    totals = {
        name: {
            "seconds": sum(step["seconds"] for step in runs[name]["steps"]),
            "queries": sum(step["queries"] for step in runs[name]["steps"]),
        }
        for name in names
    }
    row = f"{'total':<24}" + "".join(f"{_cell(totals[name]):>26}" for name in names)
    row += "".join(f"{_ratio(totals[name], totals['ours']):>14}" for name in others)
    lines += ["-" * len(header), row]
    row = f"{'file':<24}"
    for name in names:
        result = runs[name]["result"]
        row += f"{result['format'] + ' ' + _size(result['file_bytes']):>26}"
    lines.append(row)
    lines += ["", "What each row runs (billing_sepa | both OCA stacks):"]
    lines += [f"  {label:<24}{ours:<24}| {oca}" for _key, label, ours, oca in ROWS]
    lines.append(
        "1-minute load average before -> after each run (2 cores, shared): "
        + ", ".join(f"{LABELS[name]} {runs[name]['result'].get('load_average', '?')}" for name in names)
    )
    transactions = runs["ours"]["result"].get("booking_transactions")
    if transactions:
        workers = runs["ours"]["result"].get("cron_workers", 1)
        book = next(step for step in runs["ours"]["steps"] if step["key"] == "book")
        how = (
            f"in an Odoo server with {workers} cron workers side by side"
            if workers > 1
            else "here, one after the other as one cron worker runs them"
        )
        lines.append(
            f"billing_sepa booking: Mark Collected returned in {transactions[0]:.2f} s, then "
            f"{len(transactions) - 1} runs of the posting and matching actions (chunks of "
            f"{runs['ours']['result']['booking_chunk']} debits) {how}; longest transaction "
            f"{max(transactions):.2f} s, {book['seconds']:.2f} s end to end"
        )
    slowest = max(runs["ours"]["steps"], key=lambda step: step["seconds"])
    lines.append(f"Slowest billing_sepa step: {slowest['label']} ({slowest['seconds']:.2f} s)")
    verdict_step = slowest["seconds"] < TARGET_STEP_SECONDS
    lines.append(
        f"Target every billing_sepa step under {TARGET_STEP_SECONDS} s: {'met' if verdict_step else 'NOT met'}"
    )
    if others:
        fastest = min(others, key=lambda name: totals[name]["seconds"])
        ratio = totals[fastest]["seconds"] / totals["ours"]["seconds"]
        lines.append(
            f"Overall: billing_sepa is {ratio:.1f}x faster than the faster OCA stack ({LABELS[fastest]}); "
            f"target >= {TARGET_RATIO}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'}"
        )
    print("\n".join(lines))


def _cell(step):
    if not step:
        return "-"
    return f"{step['seconds']:.2f} s {step['queries']:>7} q"


def _ratio(other, ours):
    if not other or not ours or not ours["seconds"]:
        return "-"
    return f"{other['seconds'] / ours['seconds']:.1f}x"


def _megabytes(value):
    return f"{value}MB" if value else "-"


def _size(size):
    return f"{Decimal(size) / 1000:.0f} kB" if size < 10**6 else f"{Decimal(size) / 10**6:.2f} MB"


def _longest_transactions(run_result):
    """Per step (collect, generate, book), its longest single transaction in seconds.

    A step run in the background has its click and each scheduled-action call timed apart;
    results of runs before that knew only the step's time, which then counts as one transaction.
    """
    result = run_result["result"]
    transactions = dict(result.get("step_transactions") or {})
    transactions.setdefault("book", result.get("booking_transactions") or [])
    longest = {}
    for step in run_result["steps"]:
        longest[step["key"]] = max(transactions.get(step["key"]) or [step["seconds"]])
    return longest


def scale_report(paths):
    """billing_sepa's figures per size N (one run-ours.json per size), against the smallest N."""
    runs = sorted(
        (r for r in benchlib.load_results(paths) if r.get("contender") == "ours"), key=lambda r: r["n"]
    )
    if not runs:
        sys.exit("bench_sepa.py scale-report: no billing_sepa result")
    print(f"billing_sepa at N = {', '.join(str(r['n']) for r in runs)} debits in one collection")
    header = (
        f"{'N':>8} {'collect':>9} {'generate':>9} {'book':>9} {'total':>9} {'queries':>9}"
        f" {'per debit':>10} {'ratio':>6} {'longest tx: collect':>20} {'generate':>9} {'book':>7}"
        f" {'peak RSS':>9} {'cron RSS':>9} {'file':>9}"
    )
    print(header)
    print("-" * len(header))
    # A partial run (BENCH_SEPA_STEPS) is compared on the steps every run has.
    common = set.intersection(*({step["key"] for step in r["steps"]} for r in runs))
    base = None
    for run_result in runs:
        steps = {step["key"]: step for step in run_result["steps"]}
        total = sum(step["seconds"] for step in run_result["steps"])
        queries = sum(step["queries"] for step in run_result["steps"])
        per_debit = 1000 * sum(steps[key]["seconds"] for key in common) / run_result["n"]
        base = base or per_debit
        result = run_result["result"]
        longest = _longest_transactions(run_result)
        seconds = {key: f"{step['seconds']:.1f}s" for key, step in steps.items()}
        longest = {key: f"{value:.1f}s" for key, value in longest.items()}
        print(
            f"{run_result['n']:>8} {seconds.get('collect', '-'):>9} {seconds.get('generate', '-'):>9}"
            f" {seconds.get('book', '-'):>9} {total:>8.1f}s {queries:>9}"
            f" {per_debit:>8.2f}ms {per_debit / base:>5.2f}x {longest.get('collect', '-'):>20}"
            f" {longest.get('generate', '-'):>9} {longest.get('book', '-'):>7}"
            f" {result.get('peak_rss_mb', 0):>7}MB {_megabytes(result.get('cron_server_peak_rss_mb')):>9}"
            f" {_size(result['file_bytes']):>9}"
        )
    print(
        f"per debit: the time of {', '.join(sorted(common))} per debit; "
        "ratio: time per debit against the smallest N (target at most 1.2x at 100 000 against 10 000); "
        "longest tx: the longest single transaction of each step (target under 15 s); peak RSS: the benchmark "
        "process (steps run in it), cron RSS: the largest process of the booking server (target under 4 GB)"
    )
