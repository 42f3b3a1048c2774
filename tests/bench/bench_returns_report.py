"""bench_returns.py report: the comparison of the contenders, printed from the JSON files of the
runs.
"""

import sys

import benchlib

TARGET_SECONDS = 60
TARGET_RATIO = 10


def report(paths):
    results = benchlib.load_results(paths)
    seeds = [r for r in results if "contender" not in r]
    runs = {r["contender"]: r for r in results if "contender" in r}
    if "ours" not in runs:
        sys.exit("bench_returns.py report: no result for billing_sepa")
    ours = runs["ours"]
    n = ours["n"]
    lines = [
        f"SEPA returns benchmark, N = {n}: one camt.054.001.02 returning every debit of a collected batch"
    ]
    for seed_result in seeds:
        lines.append(f"seeding: {seed_result['seconds']:.1f} s (not compared), {seed_result['counts']}")
    ours_seconds = sum(step["seconds"] for step in ours["steps"])
    ours_queries = sum(step["queries"] or 0 for step in ours["steps"])
    ours_cpu = sum(step.get("cpu", 0) for step in ours["steps"])
    in_server = any(step.get("in_server") for step in ours["steps"])
    workers = ours["result"].get("cron workers", 1)
    lines.append("")
    for step in ours["steps"]:
        cpu = f" (Odoo CPU {step['cpu']:.1f} s)" if "cpu" in step else ""
        queries = f"{step['queries']:9d} q" if step["queries"] is not None else f"{'(server)':>11}"
        lines.append(f"billing_sepa  {step['label']:<40} {step['seconds']:9.2f} s {queries}{cpu}")
    lines.append(
        f"billing_sepa  total{'':<36} {ours_seconds:9.2f} s {ours_queries:9d} q (Odoo CPU {ours_cpu:.1f} s)"
        + (" (queries of the request only)" if in_server else "")
    )
    if in_server:
        lines.append(
            f"  the booking ran in an Odoo server with {workers} cron workers (--workers=1); its Odoo CPU "
            "is the server processes' CPU time during the step"
        )
    chunks_done = ours["result"].get("chunks") or []
    for kind, what in (
        ("import", "stored and matched"),
        ("book", "booked" + ("" if in_server else " (a cron call each, commit included)")),
        ("follow_up", "followed up" + ("" if in_server else " (a cron call each, commit included)")),
    ):
        done = [chunk for chunk in chunks_done if chunk.get("kind", "import") == kind and chunk["returns"]]
        if not done:
            continue
        queries = [chunk["queries"] for chunk in done if chunk["queries"] is not None]
        sizes = [chunk["returns"] for chunk in done]
        both = sum(1 for chunk in done if kind == "book" and chunk.get("followed_up"))
        query_text = (
            f"queries per chunk {', '.join(str(q) for q in queries)} (min {min(queries)}, max {max(queries)}); "
            if queries
            else ""
        )
        lines.append(
            f"  {len(done)} chunks of up to {max(sizes)} returns {what}"
            + (f" ({both} of them followed up in the same transaction)" if both else "")
            + f": {query_text}seconds per chunk "
            f"{min(c['seconds'] for c in done):.2f}-{max(c['seconds'] for c in done):.2f}"
        )
    lines.append("  result: " + ", ".join(f"{k} {v}" for k, v in ours["result"].items() if k != "chunks"))
    floor = runs.get("floor")
    if floor:
        lines += _floor_lines(ours, floor, chunks_done, in_server)
    oca = runs.get("oca")
    if oca:
        oca_seconds = sum(step["seconds"] for step in oca["steps"])
        oca_queries = sum(step["queries"] for step in oca["steps"])
        oca_cpu = sum(step.get("cpu", 0) for step in oca["steps"])
        for step in oca["steps"]:
            cpu = f" (Odoo CPU {step['cpu']:.1f} s)" if "cpu" in step else ""
            lines.append(
                f"OCA           {step['label']:<40} {step['seconds']:9.2f} s {step['queries']:9d} q{cpu}"
            )
        lines.append(
            f"OCA           total{'':<36} {oca_seconds:9.2f} s {oca_queries:9d} q (Odoo CPU {oca_cpu:.1f} s)"
        )
        lines.append("  result: " + ", ".join(f"{k} {v}" for k, v in oca["result"].items()))
        ratio = oca_seconds / ours_seconds if ours_seconds else 0
        if oca["complete"]:
            lines.append(
                f"Ratio: billing_sepa is {ratio:.1f}x faster than OCA account_payment_return "
                f"({oca_cpu / ours_cpu if ours_cpu else 0:.1f}x in Odoo CPU, "
                f"{oca_queries / ours_queries if ours_queries else 0:.1f}x fewer queries); "
                f"target >= {TARGET_RATIO}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'}"
            )
        else:
            confirmed = oca["result"]["confirmed"]
            total = oca["result"]["payment returns"]
            confirm_step = next(step for step in oca["steps"] if step["key"] == "confirm")
            estimate = (
                oca_seconds - confirm_step["seconds"] + confirm_step["seconds"] * total / max(confirmed, 1)
            )
            lines.append(
                f"OCA stopped at its time budget: {confirmed} of {total} payment returns confirmed. "
                f"Ratio at least {ratio:.1f}x (measured time so far); about {estimate / ours_seconds:.0f}x "
                f"with the remaining confirmations at the same pace (estimate {estimate:.0f} s); "
                f"target >= {TARGET_RATIO}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'}"
            )
    lines.append(
        f"Target billing_sepa under {TARGET_SECONDS} s: {'met' if ours_seconds < TARGET_SECONDS else 'NOT met'}"
    )
    lines.append(
        "1-minute load average before -> after each run (2 cores, shared): "
        + ", ".join(
            f"{name} {runs[name]['result'].get('load_average', '?')}"
            for name in ("ours", "floor", "oca")
            if name in runs
        )
    )
    print("\n".join(lines))


def _floor_lines(ours, floor, ours_chunks, in_server):
    """The floor's figures, and billing_sepa's against them (all of it, and its booking action)."""
    lines = []
    step = floor["steps"][0]
    floor_seconds, floor_cpu, floor_queries = step["seconds"], step.get("cpu", 0), step["queries"]
    lines.append(
        f"floor (core)  {step['label']:<40} {floor_seconds:9.2f} s {floor_queries:9d} q "
        f"(Odoo CPU {floor_cpu:.1f} s)"
    )
    done = floor["result"].get("chunks") or []
    if done:
        lines.append(
            f"  {len(done)} chunks of up to {max(c['returns'] for c in done)} returns booked (commit included): "
            f"queries per chunk {', '.join(str(c['queries']) for c in done)}; seconds per chunk "
            f"{min(c['seconds'] for c in done):.2f}-{max(c['seconds'] for c in done):.2f}, Odoo CPU per chunk "
            f"{min(c['cpu'] for c in done):.2f}-{max(c['cpu'] for c in done):.2f}"
        )
    lines.append(
        "  result: "
        + ", ".join(f"{k} {v}" for k, v in floor["result"].items() if k not in ("chunks", "parts"))
    )
    parts = floor["result"].get("parts") or {}
    if parts:
        lines.append(
            "  by part (each flushed, all chunks): "
            + "; ".join(
                f"{part} {figures['seconds']:.1f} s, Odoo CPU {figures['cpu']:.1f} s, {figures['queries']} q"
                for part, figures in parts.items()
            )
        )
    ours_seconds = sum(step["seconds"] for step in ours["steps"])
    ours_cpu = sum(step.get("cpu", 0) for step in ours["steps"])
    lines.append(
        f"Ratio to the floor: billing_sepa in all (request + booking + follow-up) / floor: "
        f"{ours_seconds / floor_seconds:.2f}x wall, {ours_cpu / floor_cpu if floor_cpu else 0:.2f}x Odoo CPU"
    )
    booking = [chunk for chunk in ours_chunks if chunk.get("kind") == "book" and chunk.get("cpu") is not None]
    if booking and not in_server:
        seconds = sum(chunk["seconds"] for chunk in booking)
        cpu = sum(chunk["cpu"] for chunk in booking)
        queries = sum(chunk["queries"] for chunk in booking)
        both = sum(1 for chunk in booking if chunk.get("followed_up"))
        lines.append(
            f"  billing_sepa's booking action alone ({len(booking)} chunks"
            + (f", {both} of them followed up in the same transaction" if both else "")
            + f"): {seconds:.2f} s, {queries} q, Odoo CPU {cpu:.1f} s: "
            f"{seconds / floor_seconds:.2f}x the floor's wall, {cpu / floor_cpu if floor_cpu else 0:.2f}x its CPU, "
            f"{queries / floor_queries if floor_queries else 0:.2f}x its queries"
        )
    return lines
