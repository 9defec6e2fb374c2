"""The power-nowcast command on the real data set, with a real MLflow store."""

from __future__ import annotations

import json
import time

import mlflow
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from power_nowcast.cli import main

from .conftest import make_series


def _train(tmp_path, *args, name="report"):
    report = tmp_path / f"{name}.json"
    argv = ["train", "--report", str(report), "--mlflow-dir", str(tmp_path / "mlflow"), *args]
    code = main(argv)
    return code, (json.loads(report.read_text()) if report.exists() else None)


def _mae(report, model):
    return next(r["mae_mw"] for r in report["holdout"]["results"] if r["model"] == model)


def _client(tmp_path):
    return MlflowClient(f"sqlite:///{tmp_path / 'mlflow' / 'mlflow.db'}")


def _runs(tmp_path):
    client = _client(tmp_path)
    experiments = client.search_experiments()
    return client.search_runs([e.experiment_id for e in experiments])


@pytest.fixture(scope="module")
def xgboost_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xgboost")
    code, report = _train(
        folder, "--data", "elecdemand", "--model", "xgboost", "--backtest-weeks", "2"
    )
    return folder, code, report


def test_xgboost_beats_persistence_within_25_mw(xgboost_run, capsys):
    folder, code, report = xgboost_run
    assert code == 0
    holdout = report["holdout"]
    assert holdout["window"]["rows"] == 3504
    assert holdout["window"]["start"] == "2014-10-20T00:00:00+10:00"
    assert _mae(report, "xgboost") <= 25.0
    assert 90 < _mae(report, "persistence") < 96
    assert 250 < _mae(report, "seasonal_naive_48") < 400
    assert {r["model"] for r in holdout["results"]} == {
        "xgboost",
        "persistence",
        "seasonal_naive_48",
        "seasonal_naive_336",
    }
    for row in holdout["results"]:
        assert row["rows"] == 3504
        assert {"mae_mw", "rmse_mw", "mape_pct", "skill_vs_persistence", "start", "end"} <= set(row)
    assert len(report["backtest"]["folds"]) == 2
    assert report["backtest"]["results"][0]["rows"] == 2 * 336
    assert (folder / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_features_use_nothing_from_interval_t(xgboost_run):
    _, _, report = xgboost_run
    columns = report["features"]["columns"]
    assert "load_lag1" in columns
    assert not [c for c in columns if c in ("load_mw", "temp_c", "load_lag0")]


def test_mlflow_run_is_finished_with_params_metrics_and_model(xgboost_run, monkeypatch):
    folder, _, report = xgboost_run
    (run,) = _runs(folder)
    assert run.info.status == "FINISHED"
    assert run.info.run_id == report["mlflow"]["run_id"]
    assert run.data.params["data_sha256"] == report["data"]["sha256"]
    assert run.data.params["model"] == "xgboost"
    assert run.data.metrics["holdout_xgboost_mae_mw"] == pytest.approx(_mae(report, "xgboost"))
    client = _client(folder)
    version = client.get_model_version_by_alias("power-nowcast", "champion")
    assert str(version.version) == report["mlflow"]["version"] == "1"
    # set_tracking_uri also sets MLFLOW_TRACKING_URI, which the CLI reads: undone after the test.
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{folder / 'mlflow' / 'mlflow.db'}")
    mlflow.set_tracking_uri(f"sqlite:///{folder / 'mlflow' / 'mlflow.db'}")
    model = mlflow.pyfunc.load_model("models:/power-nowcast@champion")
    inputs = model.metadata.get_input_schema().input_names()
    assert inputs == report["features"]["columns"]
    assert model.metadata.saved_input_example_info is not None


def test_same_command_gives_the_same_mae(xgboost_run, tmp_path):
    _, _, first = xgboost_run
    code, second = _train(tmp_path, "--model", "xgboost", "--backtest-weeks", "2")
    assert code == 0
    for a, b in zip(first["holdout"]["results"], second["holdout"]["results"], strict=True):
        assert a["model"] == b["model"]
        assert abs(a["mae_mw"] - b["mae_mw"]) < 1e-9


def test_champion_moves_only_for_a_better_model(tmp_path):
    assert _train(tmp_path, "--features", "original", "--backtest-weeks", "0", name="a")[0] == 0
    code, better = _train(tmp_path, "--backtest-weeks", "0", name="b")
    assert code == 0
    assert better["mlflow"]["champion"]["promoted"] is True
    code, same = _train(tmp_path, "--features", "original", "--backtest-weeks", "0", name="c")
    assert code == 0
    decision = same["mlflow"]["champion"]
    assert decision["promoted"] is False
    assert decision["champion_mae_mw"] == pytest.approx(_mae(better, "xgboost"))
    alias = _client(tmp_path).get_model_version_by_alias("power-nowcast", "champion")
    assert str(alias.version) == better["mlflow"]["version"]


def test_original_features_are_reported(tmp_path):
    code, report = _train(tmp_path, "--features", "original", "--backtest-weeks", "0")
    assert code == 0
    assert report["features"]["columns"] == ["hour", "day_of_week", "temp_c", "load_lag1"]
    assert _mae(report, "xgboost") < _mae(report, "persistence")


def test_mlp_trains_on_the_cpu_in_under_two_minutes_and_beats_persistence(tmp_path):
    started = time.monotonic()
    code, report = _train(tmp_path, "--model", "mlp", "--device", "cpu", "--backtest-weeks", "0")
    elapsed = time.monotonic() - started
    print(f"mlp: {elapsed:.1f} s, MAE {_mae(report, 'mlp'):.2f} MW")
    assert code == 0
    assert report["model"]["params"]["device"] == "cpu"
    assert _mae(report, "mlp") < _mae(report, "persistence")
    assert elapsed < 120


def test_failed_training_leaves_the_run_failed(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    code, _ = _train(tmp_path, "--backtest-weeks", "0", "--plot", str(blocker / "plot.png"))
    assert code == 1
    (run,) = _runs(tmp_path)
    assert run.info.status == "FAILED"


BAD = {
    "empty file": (lambda p: p.write_text(""), [], "is empty"),
    "missing column": (
        lambda p: make_series().drop(columns="load").to_csv(p, index=False),
        [],
        "not found",
    ),
    "gap": (
        lambda p: make_series().drop(index=[7]).to_csv(p, index=False),
        [],
        "irregular spacing",
    ),
    "too few rows": (lambda p: make_series(rows=200).to_csv(p, index=False), [], "too few"),
    "non-numeric load": (
        lambda p: (
            make_series()
            .astype({"load": object})
            .assign(load=lambda f: f["load"].where(f.index != 3, "abc"))
            .to_csv(p, index=False)
        ),
        [],
        "non-numeric values",
    ),
    "empty values beyond the tolerance": (
        lambda p: (
            make_series()
            .assign(load=lambda f: f["load"].where(f.index % 5 != 0))
            .to_csv(p, index=False)
        ),
        ["--max-missing", "0.1"],
        "above the tolerance",
    ),
    "unsorted timestamps": (
        lambda p: make_series().iloc[::-1].to_csv(p, index=False),
        [],
        "not in increasing order",
    ),
    "duplicated timestamps": (
        lambda p: pd.concat([make_series().iloc[:10], make_series().iloc[9:]]).to_csv(
            p, index=False
        ),
        [],
        "appears more than once",
    ),
    "forced cuda without a GPU": (
        lambda p: make_series().to_csv(p, index=False),
        ["--device", "cuda", "--backtest-weeks", "0"],
        "CUDA",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, case):
    make, extra, message = BAD[case]
    if case == "forced cuda without a GPU":
        import torch

        if torch.cuda.is_available():
            pytest.skip("a GPU is visible: --device cuda is valid here")
    data = tmp_path / "input.csv"
    make(data)
    code, report = _train(tmp_path, "--data", str(data), *extra)
    assert code == 2
    assert message in capsys.readouterr().err
    assert report is None
    assert not (tmp_path / "report.png").exists()
    assert not (tmp_path / "mlflow").exists()


def test_help_documents_the_options(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = capsys.readouterr().out
    for option in (
        "--data",
        "--model",
        "--features",
        "--device",
        "--report",
        "--tracking-uri",
        "--test-fraction",
        "--backtest-weeks",
        "--registered-model",
        "Exit codes",
    ):
        assert option in text
