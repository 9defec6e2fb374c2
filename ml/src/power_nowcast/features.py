"""Features for the nowcast of interval t, built only from what is known before t.

Load and observed columns enter only through lags of one step or more. Values
at t come only from columns known in advance: the calendar, the workday flag
and columns declared as forecasts (``temp_forecast_c`` and ``--forecast-column``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from power_nowcast.data import LOAD, TEMP, TEMP_FORECAST, WORKDAY, DataError, Dataset

FEATURE_SETS = ("default", "original")


@dataclass(frozen=True)
class FeatureSpec:
    """Which features to build. ``original`` is the original system's four."""

    name: str = "default"
    load_lags: tuple[int, ...] = (1, 2, 3, 4, 47, 48, 49, 335, 336, 337)
    # Differences load[t-k] - load[t-k-1]: the last step's change and the change
    # at the same time of day a day and a week ago.
    load_diffs: tuple[int, ...] = (1, 2, 47, 48, 335)
    temp_lags: tuple[int, ...] = (1, 2, 48)
    rolling_windows: tuple[int, ...] = (6, 48)
    calendar: bool = True

    @classmethod
    def preset(cls, name: str) -> FeatureSpec:
        if name == "original":
            return cls(name, load_lags=(1,), load_diffs=(), temp_lags=(), rolling_windows=())
        if name == "default":
            return cls()
        raise DataError(f"feature set '{name}' is unknown: use one of {', '.join(FEATURE_SETS)}")

    @property
    def history(self) -> int:
        """Rows of history the first usable row needs."""
        needs = [*self.load_lags, *(k + 1 for k in self.load_diffs), *self.temp_lags]
        needs += self.rolling_windows
        return max(needs, default=1)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> FeatureSpec:
        values = json.loads(text)
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})

    def check(self) -> None:
        for label, lags in (("load lags", self.load_lags), ("temperature lags", self.temp_lags)):
            if any(lag < 1 for lag in lags):
                raise DataError(f"{label} must be 1 or more (a lag of 0 reads interval t itself)")
        if 1 not in self.load_lags:
            raise DataError("load lags must include 1: the models nowcast the change from t-1")
        if any(k < 1 for k in self.load_diffs) or any(w < 2 for w in self.rolling_windows):
            raise DataError("load differences start at 1 and rolling windows at 2")


def _original(dataset: Dataset) -> pd.DataFrame:
    frame = dataset.frame
    index = frame.index
    features = pd.DataFrame(index=index)
    features["hour"] = index.hour.astype(float)
    features["day_of_week"] = index.day_of_week.astype(float)
    # The temperature known when the nowcast is made: a forecast for t if
    # there is one, otherwise the last observation (t-1).
    if TEMP_FORECAST in frame:
        features["temp_c"] = frame[TEMP_FORECAST]
    elif TEMP in frame:
        features["temp_c"] = frame[TEMP].shift(1)
    features["load_lag1"] = frame[LOAD].shift(1)
    return features


def build_features(dataset: Dataset, spec: FeatureSpec) -> pd.DataFrame:
    """One row per interval; rows without enough history hold NaN."""
    spec.check()
    if spec.name == "original":
        return _original(dataset)
    frame = dataset.frame
    index = frame.index
    load = frame[LOAD]
    columns: dict[str, pd.Series] = {}
    if spec.calendar:
        hour = index.hour + index.minute / 60.0
        columns["hour"] = pd.Series(hour, index=index, dtype=float)
        columns["hour_sin"] = pd.Series(np.sin(2 * np.pi * hour / 24), index=index)
        columns["hour_cos"] = pd.Series(np.cos(2 * np.pi * hour / 24), index=index)
        columns["day_of_week"] = pd.Series(index.day_of_week, index=index, dtype=float)
        columns["day_of_year"] = pd.Series(index.day_of_year, index=index, dtype=float)
    if WORKDAY in frame:
        columns["workday"] = frame[WORKDAY]
    for lag in spec.load_lags:
        columns[f"load_lag{lag}"] = load.shift(lag)
    for k in spec.load_diffs:
        columns[f"load_diff{k}"] = load.shift(k) - load.shift(k + 1)
    past = load.shift(1)
    for window in spec.rolling_windows:
        columns[f"load_mean{window}"] = past.rolling(window).mean()
        columns[f"load_std{window}"] = past.rolling(window).std()
    if TEMP in frame:
        for lag in spec.temp_lags:
            columns[f"temp_lag{lag}"] = frame[TEMP].shift(lag)
        if len(spec.temp_lags) > 1:
            columns["temp_diff1"] = frame[TEMP].shift(1) - frame[TEMP].shift(2)
    if TEMP_FORECAST in frame:
        columns["temp_forecast_c"] = frame[TEMP_FORECAST]
    for name in dataset.observed_columns:
        columns[f"{name}_lag1"] = frame[name].shift(1)
    for name in dataset.known_columns:
        columns[name] = frame[name]
    return pd.DataFrame(columns, index=index).astype(float)
