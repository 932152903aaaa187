"""``report.html``: one self-contained page with inline SVG charts — nothing is fetched.

No scripts, fonts, stylesheets or images are loaded from anywhere: the charts are inline SVG,
the style is inline CSS, and a Content-Security-Policy forbids every request, so the page
opens the same offline. Charts: differences by class, by station, the distribution of the
differences (signed, in decades of yuan) and the accounts with the largest differences.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ..money import ZERO, fmt
from .readings import CLASSES

if TYPE_CHECKING:
    from .run import AuditResult

CLASS_LABELS = {
    "daily_fee_rounded_first": ("日采暖费先舍入", "daily fee rounded first"),
    "divisor_120": ("按120天计算", "fixed 120-day divisor"),
    "divisor_supplied_days": ("按实际供热天数计算", "supplied days as divisor"),
    "part_day_rounding": ("不足一天反向计算", "part days counted the other way"),
    "temperature_band": ("室温退费错档", "temperature band shifted"),
    "overlap_double_counted": ("重叠停热重复计算", "overlapping outages double counted"),
    "supplier_as_facility": ("供热单位原因按设施故障", "supplier outage read as facility"),
    "facility_as_supplier": ("设施故障按供热单位原因", "facility outage read as supplier"),
    "other_season_rule": ("适用了其他供热期规则", "another season's rules"),
    "waiver_missing": ("漏计减免", "waiver missing"),
    "waiver_extra": ("多计减免", "waiver applied without entitlement"),
    "unexplained": ("原因不明", "unexplained"),
}
COLOURS = ("#3867d6", "#20bf6b", "#f7b731", "#eb3b5a", "#8854d0", "#0fb9b1")
TOP = 15
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def bar_chart(title: str, items: list[tuple[str, float, str]], colour: str = COLOURS[0]) -> str:
    """A horizontal bar chart as inline SVG: ``(label, value, annotation)`` per bar."""
    if not items:
        return f'<figure><figcaption>{_e(title)}</figcaption><p class="none">—</p></figure>'
    label_w, bar_w, note_w, row_h = 230, 360, 170, 22
    width = label_w + bar_w + note_w
    height = row_h * len(items) + 8
    top = max((abs(v) for _, v, _ in items), default=0.0) or 1.0
    parts = [
        f'<svg role="img" aria-label="{_e(title)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    ]
    for i, (label, value, note) in enumerate(items):
        y = 4 + i * row_h
        w = max(1.0, bar_w * abs(value) / top) if value else 0.0
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{_e(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="{colour}"><title>{_e(label)}: {_e(note)}</title></rect>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" class="note">{_e(note)}</text>'
        )
    parts.append("</svg>")
    return f"<figure><figcaption>{_e(title)}</figcaption>{''.join(parts)}</figure>"


BUCKETS = (
    "< −1000",
    "−1000 … −100",
    "−100 … −10",
    "−10 … −1",
    "−1 … 0",
    "0 … 1",
    "1 … 10",
    "10 … 100",
    "100 … 1000",
    "> 1000",
)
"""Signed decades of yuan for the distribution chart; a bound belongs to the bucket nearer 0."""


def _bucket_counts(result: AuditResult) -> list[int]:
    counts = [0] * len(BUCKETS)
    for d in result.differences:
        counts[signed_decade(d.difference)] += 1
    return counts


def signed_decade(diff: Decimal) -> int:
    """The index in :data:`BUCKETS` of a (non-zero) difference: |diff| ≤ 1 → ±(0 … 1), etc."""
    size = abs(diff)
    step = 0 if size <= 1 else 1 if size <= 10 else 2 if size <= 100 else 3 if size <= 1000 else 4
    return 4 - step if diff < 0 else 5 + step


def _table(head: tuple[str, ...], rows: list[tuple[object, ...]], numeric: set[int]) -> str:
    ths = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{ths}</tr></thead><tbody>{body}</tbody></table>"


def body_html(result: AuditResult) -> str:
    """The report's content: statistics, the four charts and the tables."""
    diffs = result.differences
    by_class = result.by_class()
    amounts = result.amount_by_class()
    class_items = [
        (
            f"{CLASS_LABELS[k][0]} {k}",
            float(by_class[k]),
            f"{by_class[k]} · Σ {fmt(amounts[k])} 元",
        )
        for k in CLASSES
        if by_class[k]
    ]
    station_count: Counter[str] = Counter()
    station_sum: dict[str, Decimal] = defaultdict(lambda: ZERO)
    account_sum: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    account_n: Counter[tuple[str, str]] = Counter()
    for d in diffs:
        s = d.station_id or "（无站点 no station）"
        station_count[s] += 1
        station_sum[s] += abs(d.difference)
        account_sum[(d.account_id, d.season)] += abs(d.difference)
        account_n[(d.account_id, d.season)] += 1
    station_items = [
        (s, float(n), f"{n} · Σ|差额| {fmt(station_sum[s])} 元")
        for s, n in sorted(station_count.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    ]
    dist_items = [
        (label, float(n), str(n)) for label, n in zip(BUCKETS, _bucket_counts(result), strict=True)
    ]
    top_accounts = sorted(account_sum.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    account_items = [
        (f"{a} · {s}", float(v), f"Σ|差额| {fmt(v)} 元 · {account_n[(a, s)]} 项")
        for (a, s), v in top_accounts
    ]
    recon = result.reconciliation()
    recon_rows: list[tuple[object, ...]] = [
        (f, fmt(r["claimed"]), fmt(r["expected"]), fmt(r["difference"])) for f, r in recon.items()
    ]
    class_rows: list[tuple[object, ...]] = [
        (k, CLASS_LABELS[k][0], CLASS_LABELS[k][1], by_class[k], fmt(amounts[k])) for k in CLASSES
    ]
    top_keys = {k for k, _ in top_accounts}
    detail_rows: list[tuple[object, ...]] = [
        (
            d.account_id,
            d.season,
            d.figure,
            fmt(d.claimed),
            fmt(d.expected),
            fmt(d.difference),
            d.klass,
            d.explanation_zh,
            d.explanation_en,
            d.citation,
        )
        for d in diffs
        if (d.account_id, d.season) in top_keys
    ]
    reject_rows: list[tuple[object, ...]] = list(
        result.rejects.head(200).select("table", "line", "column", "value", "reason").iter_rows()
    )
    total_diff = sum((abs(d.difference) for d in diffs), ZERO)
    stats = (
        f"<ul class='stats'><li><b>{result.accounts_audited}</b> 户已核对 accounts audited</li>"
        f"<li><b>{result.figures_compared}</b> 项金额已比对 figures compared</li>"
        f"<li><b>{len(diffs)}</b> 项不一致 differences (Σ|差额| {fmt(total_diff)} 元)</li>"
        f"<li><b>{result.rejects.height}</b> 行被拒 rejected rows</li></ul>"
    )
    body = [
        "<h1>供热收费核查报告 · heatrules audit</h1>",
        f"<p class='meta'>规则版本 rules version {_e(result.rules_version)} · "
        f"{result.seconds:.1f} s</p>",
        stats,
        "<h2>按类别 · Differences by class</h2>",
        bar_chart("差异数量（按类别） · differences by class", class_items, COLOURS[0]),
        _table(("class", "类别", "reading", "count", "Σ difference"), class_rows, {3, 4}),
        "<h2>按站点 · By station</h2>",
        bar_chart(
            f"差异最多的站点（前 {TOP}） · stations with most differences",
            station_items,
            COLOURS[1],
        ),
        "<h2>差额分布 · Distribution of differences</h2>",
        bar_chart(
            "差额（公司 − 按规定，元） · difference claimed − expected (yuan)",
            dist_items,
            COLOURS[2],
        ),
        "<h2>差额最大的账户 · Top accounts</h2>",
        bar_chart(
            f"差额最大的账户（前 {TOP}） · accounts with the largest differences",
            account_items,
            COLOURS[3],
        ),
        _table(
            (
                "account_id",
                "season",
                "figure",
                "claimed",
                "expected",
                "difference",
                "class",
                "说明",
                "explanation",
                "citation",
            ),
            detail_rows,
            {3, 4, 5},
        ),
        "<h2>核对 · Reconciliation (Σ claimed − Σ expected = Σ difference)</h2>",
        _table(("figure", "Σ claimed", "Σ expected", "Σ difference"), recon_rows, {1, 2, 3}),
        "<h2>被拒的行 · Rejected rows</h2>",
        _table(("table", "line", "column", "value", "reason"), reject_rows, {1})
        if reject_rows
        else "<p class='none'>无 · none</p>",
    ]
    if result.rejects.height > len(reject_rows):
        body.append(
            f"<p class='meta'>… {result.rejects.height - len(reject_rows)} more in rejects.csv</p>"
        )
    return "\n".join(body)


STYLE = (
    "body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;"
    "color:#222;max-width:1200px}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;"
    "border-bottom:1px solid #ddd}figure{margin:1em 0}figcaption{font-weight:600;"
    "margin-bottom:.3em}svg text{font-size:12px;fill:#222}svg text.note{fill:#555}"
    "table{border-collapse:collapse;font-size:12px;margin:.5em 0}td,th{border:1px solid #ddd;"
    "padding:3px 6px;vertical-align:top}th{background:#f4f4f4}td.num{text-align:right;"
    "font-variant-numeric:tabular-nums}.meta,.none{color:#666}.stats li{margin:.2em 0}"
)


def render(result: AuditResult) -> str:
    """The report as one self-contained HTML document."""
    return (
        "<!DOCTYPE html>\n<html lang='zh'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{_CSP}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>heatrules audit</title><style>{STYLE}</style></head><body>"
        + body_html(result)
        + "</body></html>\n"
    )


def fragment(result: AuditResult) -> str:
    """The report's content for a notebook cell (scoped style, no document wrapper)."""
    scoped = re.sub(
        r"(^|})([^{}]+){",
        lambda m: (
            m.group(1)
            + ",".join(
                ".heatrules-audit" if sel == "body" else f".heatrules-audit {sel}"
                for sel in m.group(2).split(",")
            )
            + "{"
        ),
        STYLE,
    )
    return f"<div class='heatrules-audit'><style>{scoped}</style>{body_html(result)}</div>"


def write_report(result: AuditResult, path: str | Path) -> Path:
    out = Path(path)
    out.write_text(render(result), encoding="utf-8")
    return out
