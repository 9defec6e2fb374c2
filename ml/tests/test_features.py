"""Features use nothing from the interval they nowcast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from power_nowcast.data import LOAD, TEMP, TEMP_FORECAST, DataError, Dataset
from power_nowcast.features import FeatureSpec, build_features


def _with(dataset: Dataset, frame: pd.DataFrame) -> Dataset:
    return Dataset(
        dataset.name, frame, dataset.step, dataset.observed_columns, dataset.known_columns
    )


@pytest.mark.parametrize("name", ["default", "original"])
def test_no_feature_reads_the_target_row(elecdemand, name):
    """Change load and temperature from row t on: features of rows up to t stay the same."""
    spec = FeatureSpec.preset(name)
    base = build_features(elecdemand, spec)
    for row in (400, 9000, 17519):
        frame = elecdemand.frame.copy()
        frame.iloc[row:, frame.columns.get_loc(LOAD)] += 1000.0
        frame.iloc[row:, frame.columns.get_loc(TEMP)] -= 20.0
        changed = build_features(_with(elecdemand, frame), spec)
        pd.testing.assert_frame_equal(base.iloc[: row + 1], changed.iloc[: row + 1])
        # and the change is seen from the next row on, so the test can fail
        assert not base.iloc[row + 1 :].equals(changed.iloc[row + 1 :]) or row == 17519


def test_a_declared_forecast_is_used_at_t(elecdemand):
    frame = elecdemand.frame.assign(**{TEMP_FORECAST: elecdemand.frame[TEMP]})
    features = build_features(_with(elecdemand, frame), FeatureSpec.preset("default"))
    assert features["temp_forecast_c"].iloc[500] == frame[TEMP].iloc[500]
    original = build_features(_with(elecdemand, frame), FeatureSpec.preset("original"))
    assert original["temp_c"].iloc[500] == frame[TEMP].iloc[500]


def test_original_features_are_the_four(elecdemand):
    features = build_features(elecdemand, FeatureSpec.preset("original"))
    assert list(features.columns) == ["hour", "day_of_week", "temp_c", "load_lag1"]
    assert features["load_lag1"].iloc[10] == elecdemand.frame[LOAD].iloc[9]
    assert features["temp_c"].iloc[10] == elecdemand.frame[TEMP].iloc[9]


def test_default_features_have_history_and_lags(elecdemand):
    spec = FeatureSpec.preset("default")
    features = build_features(elecdemand, spec)
    assert spec.history == 337
    complete = features.notna().all(axis=1).to_numpy()
    assert not complete[: spec.history].any()
    assert complete[spec.history :].all()
    assert np.isclose(
        features["load_diff48"].iloc[1000],
        elecdemand.frame[LOAD].iloc[952] - elecdemand.frame[LOAD].iloc[951],
    )


def test_bad_feature_settings(elecdemand):
    with pytest.raises(DataError, match="lag of 0"):
        FeatureSpec(load_lags=(0, 1)).check()
    with pytest.raises(DataError, match="must include 1"):
        FeatureSpec(load_lags=(2, 48)).check()
    with pytest.raises(DataError, match="unknown"):
        FeatureSpec.preset("fancy")


def test_spec_round_trips_through_json():
    spec = FeatureSpec(load_lags=(1, 2), rolling_windows=(4,))
    assert FeatureSpec.from_json(spec.to_json()) == spec
