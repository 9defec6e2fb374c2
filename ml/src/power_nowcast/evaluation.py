"""Evaluation in time order: a chronological holdout and a rolling-origin backtest."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from power_nowcast.data import LOAD, DataError, Dataset
from power_nowcast.features import FeatureSpec
from power_nowcast.models import BASELINES, Nowcaster, Progress, baseline_forecasts

MIN_TRAIN_ROWS = 96
ModelFactory = Callable[[], Nowcaster]


def metrics(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """MAE and RMSE in MW, MAPE in percent."""
    error = predicted - actual
    return {
        "mae_mw": float(np.mean(np.abs(error))),
        "rmse_mw": float(math.sqrt(np.mean(error**2))),
        "mape_pct": float(np.mean(np.abs(error) / np.abs(actual)) * 100.0),
    }


@dataclass(frozen=True)
class Window:
    """Rows [start, stop) of the dataset, as integer positions."""

    start: int
    stop: int

    def describe(self, index: pd.DatetimeIndex) -> dict[str, object]:
        return {
            "start": index[self.start].isoformat(),
            "end": index[self.stop - 1].isoformat(),
            "rows": self.stop - self.start,
        }


def holdout_window(rows: int, test_fraction: float, spec: FeatureSpec) -> Window:
    """The last ``test_fraction`` of rows; checks that enough rows remain to train."""
    if not 0.0 < test_fraction < 1.0:
        raise DataError(f"--test-fraction {test_fraction} must be between 0 and 1 (e.g. 0.2)")
    test_rows = max(1, math.ceil(rows * test_fraction))
    needed = spec.history + MIN_TRAIN_ROWS + test_rows
    if rows < needed:
        raise DataError(
            f"{rows} rows are too few for features that look back {spec.history} rows, at least"
            f" {MIN_TRAIN_ROWS} training rows and a {test_fraction:.0%} test split: give at"
            f" least {needed} rows, shorter lags (--features original) or a smaller --test-fraction"
        )
    return Window(rows - test_rows, rows)


def backtest_windows(rows: int, fold_rows: int, folds: int, spec: FeatureSpec) -> list[Window]:
    """``folds`` consecutive test windows of ``fold_rows`` ending at the last row."""
    if folds < 0:
        raise DataError("--backtest-weeks must be 0 or more")
    first = rows - folds * fold_rows
    needed = spec.history + MIN_TRAIN_ROWS
    if folds and first < needed:
        raise DataError(
            f"a backtest of {folds} weeks needs at least {needed + folds * fold_rows} rows,"
            f" the data has {rows}: use fewer --backtest-weeks or more data"
        )
    return [Window(first + k * fold_rows, first + (k + 1) * fold_rows) for k in range(folds)]


@dataclass
class Evaluation:
    """Forecasts of every model and baseline over some test rows."""

    window: dict[str, object]
    actual: pd.Series
    forecasts: dict[str, pd.Series]
    fit_seconds: float
    predict_seconds: float
    train_rows: int

    def results(self) -> list[dict[str, object]]:
        persistence = metrics(self.actual.to_numpy(), self.forecasts["persistence"].to_numpy())
        rows = []
        for name, forecast in self.forecasts.items():
            scores = metrics(self.actual.to_numpy(), forecast.to_numpy())
            scores["skill_vs_persistence"] = 1.0 - scores["mae_mw"] / persistence["mae_mw"]
            rows.append({"model": name, **scores, **self.window})
        return rows


def evaluate(
    dataset: Dataset,
    features: pd.DataFrame,
    window: Window,
    factory: ModelFactory,
) -> tuple[Evaluation, Nowcaster]:
    """Train on every complete row before ``window``, forecast the rows in it."""
    complete = features.notna().all(axis=1).to_numpy()
    positions = np.arange(len(features))
    train = complete & (positions < window.start)
    load = dataset.frame[LOAD]
    model = factory()
    started = time.perf_counter()
    model.fit(features[train], load[train])
    fit_seconds = time.perf_counter() - started
    test = slice(window.start, window.stop)
    started = time.perf_counter()
    predicted = model.predict(features.iloc[test])
    predict_seconds = time.perf_counter() - started
    forecasts = {model.name: pd.Series(predicted, index=features.index[test])}
    for name, series in baseline_forecasts(dataset.frame).items():
        # A seasonal baseline needs a full season of history before the window.
        if series.iloc[test].notna().all():
            forecasts[name] = series.iloc[test]
    evaluation = Evaluation(
        window=window.describe(dataset.frame.index),
        actual=load.iloc[test],
        forecasts=forecasts,
        fit_seconds=fit_seconds,
        predict_seconds=predict_seconds,
        train_rows=int(train.sum()),
    )
    return evaluation, model


def backtest(
    dataset: Dataset,
    features: pd.DataFrame,
    windows: list[Window],
    factory: ModelFactory,
    progress: Progress | None = None,
) -> dict[str, object]:
    """Retrain at each weekly origin; metrics over all folds together and per fold."""
    folds = []
    evaluations = []
    for number, window in enumerate(windows, start=1):
        if progress:
            origin = dataset.frame.index[window.start]
            progress(f"backtest origin {number}/{len(windows)} ({origin:%Y-%m-%d %H:%M}): training")
        evaluation, _ = evaluate(dataset, features, window, factory)
        evaluations.append(evaluation)
        folds.append({"window": evaluation.window, "results": evaluation.results()})
    joined = Evaluation(
        window={
            "start": evaluations[0].window["start"],
            "end": evaluations[-1].window["end"],
            "rows": sum(int(e.window["rows"]) for e in evaluations),
        },
        actual=pd.concat([e.actual for e in evaluations]),
        forecasts={
            name: pd.concat([e.forecasts[name] for e in evaluations])
            for name in evaluations[0].forecasts
        },
        fit_seconds=sum(e.fit_seconds for e in evaluations),
        predict_seconds=sum(e.predict_seconds for e in evaluations),
        train_rows=evaluations[-1].train_rows,
    )
    return {
        "folds": folds,
        "results": joined.results(),
        "fit_seconds": joined.fit_seconds,
        "predict_seconds": joined.predict_seconds,
    }


__all__ = ["BASELINES", "Evaluation", "Window", "backtest", "evaluate", "holdout_window", "metrics"]
