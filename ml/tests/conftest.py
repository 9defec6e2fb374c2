"""Shared fixtures: the real data set and small series the tests make."""

from __future__ import annotations

from datetime import timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from power_nowcast.data import load_elecdemand


@pytest.fixture(scope="session")
def elecdemand():
    return load_elecdemand()


def make_series(rows: int = 1200, seed: int = 1) -> pd.DataFrame:
    """A half-hourly load with a daily cycle and noise, as a file would hold it."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2020-01-01", periods=rows, freq="30min", tz=timezone(timedelta(hours=1)))
    hours = index.hour + index.minute / 60
    load = 1000 + 200 * np.sin(2 * np.pi * hours / 24) + rng.normal(0, 10, rows)
    temp = 15 + 5 * np.sin(2 * np.pi * (hours - 3) / 24) + rng.normal(0, 0.5, rows)
    return pd.DataFrame(
        {
            "timestamp": index.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "load": load,
            "temp": temp,
            "other": 1.0,
        }
    )


@pytest.fixture
def series_csv(tmp_path):
    path = tmp_path / "series.csv"
    make_series().to_csv(path, index=False)
    return path
