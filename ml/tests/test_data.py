"""Loading and validating data: the built-in set and user files."""

from __future__ import annotations

import pandas as pd
import pytest

from power_nowcast.data import LOAD, TEMP, WORKDAY, Columns, DataError, load_dataset, load_file

from .conftest import make_series


def test_elecdemand_is_half_hourly_2014_in_mw(elecdemand):
    frame = elecdemand.frame
    assert len(frame) == 17520
    assert list(frame.columns) == [LOAD, TEMP, WORKDAY]
    assert str(frame.index[0]) == "2014-01-01 00:00:00+10:00"
    assert str(frame.index[-1]) == "2014-12-31 23:30:00+10:00"
    assert (frame.index[1:] - frame.index[:-1] == pd.Timedelta(minutes=30)).all()
    # Demand is in GW in the source: about 4.6 GW on average.
    assert 4000 < frame[LOAD].mean() < 5200
    assert set(frame[WORKDAY].unique()) == {0.0, 1.0}


def test_dataset_hash_changes_with_the_data(elecdemand):
    changed = elecdemand.frame.copy()
    changed.iloc[100, 0] += 1.0
    other = type(elecdemand)(elecdemand.name, changed, elecdemand.step)
    assert elecdemand.sha256 != other.sha256
    assert elecdemand.sha256 == load_dataset("elecdemand").sha256


def test_csv_with_named_columns(series_csv):
    dataset = load_file(series_csv, Columns(temp="temp", observed=("other",)))
    assert list(dataset.frame.columns) == [LOAD, TEMP, "other"]
    assert dataset.step == pd.Timedelta(minutes=30)
    assert dataset.observed_columns == ("other",)


def test_parquet_and_load_unit(tmp_path):
    table = make_series()
    path = tmp_path / "series.parquet"
    table.assign(load=table["load"] / 1000).to_parquet(path)
    dataset = load_file(path, Columns(load_unit="GW"))
    assert dataset.frame[LOAD].iloc[0] == pytest.approx(table["load"].iloc[0])
    assert list(dataset.frame.columns) == [LOAD]


def test_missing_values_within_tolerance_are_filled_forward(tmp_path):
    table = make_series()
    table.loc[10, "load"] = None
    path = tmp_path / "gaps.csv"
    table.to_csv(path, index=False)
    dataset = load_file(path, Columns(max_missing=0.01))
    assert dataset.frame[LOAD].iloc[10] == dataset.frame[LOAD].iloc[9]


def _write(tmp_path, table: pd.DataFrame, name: str = "bad.csv"):
    path = tmp_path / name
    table.to_csv(path, index=False)
    return path


BAD_INPUTS = {
    "missing load column": (lambda t: t.drop(columns="load"), Columns(), "column 'load' not found"),
    "missing timestamp column": (
        lambda t: t.rename(columns={"timestamp": "time"}),
        Columns(),
        "pass --timestamp-column",
    ),
    "missing temperature column": (lambda t: t, Columns(temp="celsius"), "--temp-column"),
    "non-numeric load": (
        lambda t: t.astype({"load": object}).assign(
            load=lambda f: f["load"].where(f.index != 5, "abc")
        ),
        Columns(),
        "non-numeric values at rows 5",
    ),
    "too many missing values": (
        lambda t: t.assign(load=t["load"].where(t.index % 10 != 0)),
        Columns(max_missing=0.05),
        "above the tolerance",
    ),
    "unsorted timestamps": (
        lambda t: pd.concat([t.iloc[:10], t.iloc[[11, 10]], t.iloc[12:]]),
        Columns(),
        "not in increasing order",
    ),
    "duplicated timestamps": (
        lambda t: pd.concat([t.iloc[:10], t.iloc[[9]], t.iloc[10:]]),
        Columns(),
        "appears more than once",
    ),
    "a gap": (lambda t: t.drop(index=[50, 51]), Columns(), "irregular spacing"),
    "bad timestamps": (
        lambda t: t.assign(timestamp=t["timestamp"].where(t.index != 3, "yesterday")),
        Columns(),
        "not timestamps",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_names_the_problem(tmp_path, case):
    change, columns, message = BAD_INPUTS[case]
    path = _write(tmp_path, change(make_series()))
    with pytest.raises(DataError, match=message):
        load_file(path, columns)


def test_gap_message_says_where(tmp_path):
    path = _write(tmp_path, make_series().drop(index=[50, 51]))
    with pytest.raises(
        DataError,
        match=r"2020-01-02 00:30:00\+01:00 is followed by 2020-01-02 02:00:00\+01:00,"
        r" expected a step of 30 minutes",
    ):
        load_file(path, Columns())


def test_empty_and_missing_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match="is empty"):
        load_file(empty, Columns())
    header_only = tmp_path / "header.csv"
    header_only.write_text("timestamp,load\n")
    with pytest.raises(DataError, match="no data rows"):
        load_file(header_only, Columns())
    with pytest.raises(DataError, match="does not exist"):
        load_dataset(str(tmp_path / "absent.csv"))
