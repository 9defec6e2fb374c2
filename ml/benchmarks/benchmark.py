"""Fit time, predict time and MAE of every model on elecdemand: the default
holdout (last 20%) and the rolling-origin backtest (4 weekly origins).

Usage: python ml/benchmarks/benchmark.py [--device cpu|cuda] [--weeks 4]
Prints a table; nothing is asserted (speed targets are figures, not tests).
"""

from __future__ import annotations

import argparse
import time

from power_nowcast.data import load_elecdemand
from power_nowcast.evaluation import backtest, backtest_windows, evaluate, holdout_window
from power_nowcast.features import FeatureSpec, build_features
from power_nowcast.models import make_model

ROW = "{:<10} {:<9} {:<12} {:>7} {:>9} {:>8} {:>11}"


def line(name: str, preset: str, label: str, fit: float, predict: float, mae: dict) -> str:
    return ROW.format(
        name,
        preset,
        label,
        f"{fit:.2f}",
        f"{predict:.4f}",
        f"{mae[name]:.2f}",
        f"{mae['persistence']:.2f}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--weeks", type=int, default=4)
    args = parser.parse_args()
    dataset = load_elecdemand()
    rows = len(dataset.frame)
    print(
        ROW.format("model", "features", "evaluation", "fit s", "predict s", "MAE MW", "persistence")
    )
    for name in ("xgboost", "mlp"):
        for preset in ("default", "original"):
            spec = FeatureSpec.preset(preset)
            started = time.perf_counter()
            features = build_features(dataset, spec)
            feature_seconds = time.perf_counter() - started

            def factory(name=name):
                return make_model(name, seed=0, device=args.device)

            holdout, _ = evaluate(dataset, features, holdout_window(rows, 0.2, spec), factory)
            mae = {r["model"]: r["mae_mw"] for r in holdout.results()}
            print(line(name, preset, "holdout", holdout.fit_seconds, holdout.predict_seconds, mae))
            windows = backtest_windows(rows, 336, args.weeks, spec)
            report = backtest(dataset, features, windows, factory)
            mae = {r["model"]: r["mae_mw"] for r in report["results"]}
            label = f"backtest {args.weeks}w"
            print(line(name, preset, label, report["fit_seconds"], report["predict_seconds"], mae))
    print(f"features built in {feature_seconds:.3f} s; device {args.device}")


if __name__ == "__main__":
    main()
