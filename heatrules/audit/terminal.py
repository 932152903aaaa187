"""The rich terminal summary of an audit: classes, reconciliation, rejects and the outputs."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from ..money import fmt
from .readings import CLASSES
from .report import CLASS_LABELS
from .run import AuditResult


def summary_view(result: AuditResult, outputs: dict[str, Path] | None = None) -> Group:
    by_class, amounts = result.by_class(), result.amount_by_class()
    head = (
        f"[b]{result.accounts_audited}[/] accounts audited · [b]{result.figures_compared}[/] "
        f"figures compared · [b]{len(result.differences)}[/] differences · "
        f"[b]{result.rejects.height}[/] rejected rows · {result.seconds:.2f} s"
    )
    classes = Table(title="differences by class", title_justify="left")
    classes.add_column("class")
    classes.add_column("类别")
    classes.add_column("count", justify="right")
    classes.add_column("Σ difference", justify="right")
    for k in CLASSES:
        if by_class[k]:
            style = "red" if k == "unexplained" else None
            classes.add_row(k, CLASS_LABELS[k][0], str(by_class[k]), fmt(amounts[k]), style=style)
    if not result.differences:
        classes.add_row("—", "无差异", "0", "0.00")
    recon = Table(
        title="reconciliation (Σ claimed − Σ expected = Σ difference)", title_justify="left"
    )
    for col in ("figure", "Σ claimed", "Σ expected", "Σ difference"):
        recon.add_column(col, justify="left" if col == "figure" else "right")
    for figure, r in result.reconciliation().items():
        recon.add_row(figure, fmt(r["claimed"]), fmt(r["expected"]), fmt(r["difference"]))
    parts: list[object] = [head, classes, recon]
    if result.engine_mismatches:
        parts.append(
            f"[bold red]{len(result.engine_mismatches)} figure(s) where the batch and the scalar "
            "engine disagree (see summary.json engine_mismatches)[/]"
        )
    if outputs:
        parts.append("\n".join(f"{name}: {escape(str(path))}" for name, path in outputs.items()))
    return Group(*parts)  # type: ignore[arg-type]


def print_summary(
    result: AuditResult, outputs: dict[str, Path] | None = None, console: Console | None = None
) -> None:
    console = console or Console()
    console.print(Panel(summary_view(result, outputs), title="heatrules audit", expand=False))
