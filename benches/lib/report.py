"""The report: one Markdown table of every row, the scale and peer ratios, memory, and the
targets of issue 8 as PASS or MISS."""

from common import human

# Targets of issue 8 (2 cores, load generator on the same machine).
CHECK_RPS, CHECK_CEILING_SHARE, CHECK_P99_MS = 20_000, 0.30, 10.0
REFRESH_RPS, CONSENT_RPS, SCALE_MAX, RSS_MAX_MIB, PEER_MIN = 2_000, 1_000, 1.3, 100, 5.0


def fmt_row(r, ceilings):
    ceiling = ceilings.get(r["db"])
    share = f"{r['rps'] / ceiling * 100:.1f} %" if ceiling and r["row"] != "ceiling" else (
        "100 %" if r["row"] == "ceiling" else "–")
    err = str(r["errors"])
    if r.get("error_detail"):
        err += " (" + ", ".join(f"{k} {v}" for k, v in r["error_detail"].items()) + ")"
    qpr = f"{r['qpr']:.2f}" if "qpr" in r else "–"
    return (f"| {r['db']} | {r['row']} | {r['what']} | {r['rps']:,.0f} | {r['p50']:.2f} | "
            f"{r['p99']:.2f} | {err} | {share} | {qpr} |")


def report(results, args, meta):
    rows = results["rows"]
    ceilings = {r["db"]: r["rps"] for r in rows if r["row"] == "ceiling"}
    out = []
    out.append(f"{meta['date']} · {meta['cores']} cores · `{meta['command']}` · "
               f"{args.connections} connections, {args.duration:g} s per row after {args.warmup:g} s "
               f"warm-up, wrk -t{args.threads} · load average {meta['load_start']:.1f} at the start, "
               f"{meta['load_end']:.1f} at the end · {meta['minutes']:.1f} min")
    out.append("")
    out.append("| db | row | request | req/s | p50 ms | p99 ms | errors | of ceiling | queries/request |")
    out.append("|---|---|---|---:|---:|---:|---|---:|---:|")
    out += [fmt_row(r, ceilings) for r in rows]
    out.append("")
    verdicts = []

    def verdict(ok, text):
        verdicts.append(f"- {'PASS' if ok else 'MISS'}: {text}")

    by = {(r["db"], r["row"]): r for r in rows}
    dbs = [d for d in ("sqlite", "postgres") if (d, "ceiling") in by]
    out.append("Scale (p50 with the larger seed / p50 with the smaller seed):")
    for d in dbs:
        for base in ("check", "refresh-live", "refresh-oauth"):
            scaled = [r for r in rows if r["db"] == d and r.get("base") == base and "scale" in r]
            if len(scaled) >= 2:
                lo, hi = scaled[0], scaled[-1]
                ratio = hi["p50"] / lo["p50"]
                out.append(f"- {d} {base}: {hi['p50']:.2f} ms / {lo['p50']:.2f} ms = {ratio:.2f}x "
                           f"({human(hi['scale'])} vs {human(lo['scale'])})")
                verdict(ratio <= SCALE_MAX, f"{d} {base} scale median ratio {ratio:.2f} <= {SCALE_MAX}")
    out.append("")
    out.append("Memory (server VmHWM, peak resident set):")
    peak = 0
    for name, samples in results["memory"].items():
        if not samples:
            continue
        hwm = max(s[1] for s in samples) / 1024
        if name != "oidc-provider":
            peak = max(peak, hwm)
        before_signin = [s[1] for s in samples if s[0] not in ("sign-in",)]
        extra = ""
        if any(s[0] == "sign-in" for s in samples) and before_signin:
            extra = f" (before the sign-in row: {max(before_signin) / 1024:.1f} MiB)"
        out.append(f"- {name}: {hwm:.1f} MiB{extra}")
    if peak:
        verdict(peak < RSS_MAX_MIB, f"peak RSS {peak:.1f} MiB < {RSS_MAX_MIB} MiB")
    out.append("")
    baseline = [d for d in ceilings if d.endswith("-baseline")]
    if baseline:
        out.append("Against the baseline binary (this build's req/s / the baseline's):")
        for b in baseline:
            d = b[: -len("-baseline")]
            for r in rows:
                if r["db"] == b and (d, r["row"]) in by and r["rps"]:
                    ratio = by[(d, r["row"])]["rps"] / r["rps"]
                    out.append(f"- {d} {r['row']}: {by[(d, r['row'])]['rps']:,.0f} / "
                               f"{r['rps']:,.0f} = {ratio:.2f}x")
        out.append("")
    peer_rows = {r["base"]: r for r in rows if r["db"] == "oidc-provider"}
    if peer_rows:
        out.append("Peer (Assent req/s / oidc-provider req/s):")
        for d in dbs:
            for base in ("introspect", "refresh-oauth"):
                if base in peer_rows and (d, base) in by:
                    ratio = by[(d, base)]["rps"] / peer_rows[base]["rps"]
                    out.append(f"- {d} {base}: {by[(d, base)]['rps']:,.0f} / "
                               f"{peer_rows[base]['rps']:,.0f} = {ratio:.2f}x")
                    verdict(ratio >= PEER_MIN, f"{d} {base} {ratio:.2f}x oidc-provider >= {PEER_MIN}x")
        out.append("")
    for d in dbs:
        c = by.get((d, "check"))
        if c:
            share = c["rps"] / ceilings[d]
            verdict(c["rps"] >= CHECK_RPS and share >= CHECK_CEILING_SHARE and c["p99"] < CHECK_P99_MS,
                    f"{d} check {c['rps']:,.0f} req/s >= {CHECK_RPS:,}, {share * 100:.0f} % of ceiling "
                    f">= {CHECK_CEILING_SHARE * 100:.0f} %, p99 {c['p99']:.2f} ms < {CHECK_P99_MS:g} ms")
        for base in ("refresh-live", "refresh-oauth"):
            r = by.get((d, base))
            if r:
                verdict(r["rps"] >= REFRESH_RPS and r["errors"] == 0,
                        f"{d} {base} {r['rps']:,.0f} req/s >= {REFRESH_RPS:,}, errors {r['errors']} = 0")
        r = by.get((d, "consent"))
        if r:
            verdict(r["rps"] >= CONSENT_RPS, f"{d} consent {r['rps']:,.0f} req/s >= {CONSENT_RPS:,}")
    out.append("Targets:")
    out += verdicts
    return "\n".join(out)
