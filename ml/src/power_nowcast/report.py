"""The run's outputs: the JSON report, the table on stdout, the plot."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

SCHEMA_VERSION = 1


def write_json(report: dict[str, object], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    temporary.replace(path)


def format_table(title: str, results: list[dict[str, object]]) -> str:
    """A plain text table of the results, best MAE first."""
    first = results[0]
    lines = [
        f"{title}: {first['start']} .. {first['end']} ({first['rows']} rows)",
        f"{'model':<20} {'MAE MW':>9} {'RMSE MW':>9} {'MAPE %':>8} {'skill':>7}",
    ]
    for row in sorted(results, key=lambda r: r["mae_mw"]):
        lines.append(
            f"{row['model']:<20} {row['mae_mw']:>9.2f} {row['rmse_mw']:>9.2f}"
            f" {row['mape_pct']:>8.3f} {row['skill_vs_persistence']:>7.3f}"
        )
    return "\n".join(lines)


def plot_nowcast(actual: pd.Series, nowcast: pd.Series, label: str, path: Path) -> None:
    """Actual load against the nowcast over the test window, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    path.parent.mkdir(parents=True, exist_ok=True)
    figure, (whole, last) = pyplot.subplots(2, 1, figsize=(12, 7), constrained_layout=True)
    week = min(len(actual), 336)
    for axes, span in ((whole, slice(None)), (last, slice(-week, None))):
        axes.plot(actual.index[span], actual.iloc[span], lw=0.7, label="actual", color="black")
        axes.plot(nowcast.index[span], nowcast.iloc[span], lw=0.7, label=label, color="tab:orange")
        axes.set_ylabel("load (MW)")
        axes.legend(loc="upper right")
    whole.set_title("Test window: actual load and nowcast")
    last.set_title("Last week of the test window")
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
