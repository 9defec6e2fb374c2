"""The ``power-nowcast`` command line."""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from power_nowcast import __version__
from power_nowcast.data import BUILTIN, LOAD, LOAD_UNITS, Columns, DataError, Dataset, load_dataset
from power_nowcast.evaluation import (
    Window,
    backtest,
    backtest_windows,
    evaluate,
    holdout_window,
    metrics,
)
from power_nowcast.features import FEATURE_SETS, FeatureSpec, build_features
from power_nowcast.models import DEVICES, MODELS, MLPNowcaster, make_model, resolve_device
from power_nowcast.report import SCHEMA_VERSION, format_table, plot_nowcast, write_json

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _lags(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a comma-separated list of integers"
        ) from error
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="power-nowcast",
        description="Nowcast half-hourly electricity load and track the models in MLflow.",
        epilog="Exit codes: 0 done, 1 training failed, 2 bad input (nothing written).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser(
        "train",
        help="train a model, evaluate it against the baselines, log it to MLflow",
        description=(
            "Train a nowcast model on a chronological split, compare it with the persistence"
            " and seasonal naive baselines on the holdout and in a rolling-origin backtest,"
            " write a JSON report and a plot, and log the run and model to MLflow."
        ),
        epilog="Exit codes: 0 done, 1 training failed, 2 bad input (nothing written).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    data = train.add_argument_group("data")
    data.add_argument(
        "--data", default=BUILTIN, help=f"'{BUILTIN}' (built in) or a CSV/Parquet file"
    )
    data.add_argument("--timestamp-column", default="timestamp", help="file column with the times")
    data.add_argument("--load-column", default="load", help="file column with the load")
    data.add_argument(
        "--load-unit", default="MW", choices=sorted(LOAD_UNITS), help="unit of the load"
    )
    data.add_argument("--temp-column", help="file column with observed temperature (used from t-1)")
    data.add_argument(
        "--temp-forecast-column", help="file column with a temperature forecast for t (used at t)"
    )
    data.add_argument("--workday-column", help="file column with a 0/1 workday flag (calendar)")
    data.add_argument(
        "--feature-column",
        action="append",
        default=[],
        metavar="NAME",
        help="another observed column to use, from t-1 (repeatable)",
    )
    data.add_argument(
        "--forecast-column",
        action="append",
        default=[],
        metavar="NAME",
        help="another column known before t, used at t (repeatable)",
    )
    data.add_argument(
        "--max-missing",
        type=float,
        default=0.0,
        help="fraction of empty values a column may have; they are filled forward",
    )
    model = train.add_argument_group("model and features")
    model.add_argument("--model", default="xgboost", choices=MODELS, help="model to train")
    model.add_argument(
        "--features",
        default="default",
        choices=FEATURE_SETS,
        help="feature set: the rich default or the original four",
    )
    model.add_argument("--load-lags", type=_lags, help="load lags in steps, e.g. 1,2,48,336")
    model.add_argument("--temp-lags", type=_lags, help="temperature lags in steps, e.g. 1,48")
    model.add_argument("--rolling-windows", type=_lags, help="rolling load windows, e.g. 6,48")
    model.add_argument(
        "--device",
        default="auto",
        choices=DEVICES,
        help="where to train: auto picks cuda when a GPU is visible",
    )
    model.add_argument("--epochs", type=int, default=40, help="training epochs of the mlp model")
    model.add_argument("--seed", type=int, default=0, help="random seed")
    evaluation = train.add_argument_group("evaluation")
    evaluation.add_argument(
        "--test-fraction",
        type=float,
        default=0.2,
        help="last fraction of rows held out for the test",
    )
    evaluation.add_argument(
        "--backtest-weeks",
        type=int,
        default=4,
        help="weekly rolling origins over the last N weeks (0: none)",
    )
    outputs = train.add_argument_group("outputs")
    outputs.add_argument("--report", type=Path, default=Path("report.json"), help="JSON report")
    outputs.add_argument(
        "--plot", type=Path, help="PNG plot (default: the report's name with .png)"
    )
    outputs.add_argument(
        "--mlflow-dir",
        type=Path,
        default=Path(os.environ.get("POWER_NOWCAST_MLFLOW_DIR", "mlflow")),
        help="folder of the local SQLite store and artifacts (env POWER_NOWCAST_MLFLOW_DIR)",
    )
    outputs.add_argument(
        "--tracking-uri",
        default=os.environ.get("MLFLOW_TRACKING_URI"),
        help="MLflow tracking URI (overrides --mlflow-dir; env MLFLOW_TRACKING_URI)",
    )
    outputs.add_argument("--experiment", default="power-nowcast", help="MLflow experiment")
    outputs.add_argument(
        "--registered-model",
        default="power-nowcast",
        help="registry name; the alias 'champion' marks the best version",
    )
    train.set_defaults(handler=train_command)
    return parser


@dataclass(frozen=True)
class Plan:
    """Everything checked before anything is written."""

    dataset: Dataset
    spec: FeatureSpec
    holdout: Window
    backtest: list[Window]
    device: str


def make_plan(args: argparse.Namespace) -> Plan:
    columns = Columns(
        timestamp=args.timestamp_column,
        load=args.load_column,
        load_unit=args.load_unit,
        temp=args.temp_column,
        temp_forecast=args.temp_forecast_column,
        workday=args.workday_column,
        observed=tuple(args.feature_column),
        known=tuple(args.forecast_column),
        max_missing=args.max_missing,
    )
    dataset = load_dataset(args.data, columns)
    spec = FeatureSpec.preset(args.features)
    overrides = {
        "load_lags": args.load_lags,
        "temp_lags": args.temp_lags,
        "rolling_windows": args.rolling_windows,
    }
    spec = replace(spec, **{k: v for k, v in overrides.items() if v is not None})
    spec.check()
    if args.epochs < 1:
        raise DataError("--epochs must be 1 or more")
    rows = len(dataset.frame)
    fold_rows = int(pd.Timedelta(days=7) / dataset.step)
    return Plan(
        dataset=dataset,
        spec=spec,
        holdout=holdout_window(rows, args.test_fraction, spec),
        backtest=backtest_windows(rows, fold_rows, args.backtest_weeks, spec),
        device=resolve_device(args.device),
    )


def _flat_metrics(prefix: str, results: list[dict[str, object]]) -> dict[str, float]:
    flat = {}
    for row in results:
        for key in ("mae_mw", "rmse_mw", "mape_pct", "skill_vs_persistence"):
            flat[f"{prefix}_{row['model']}_{key}"] = float(row[key])
    return flat


def run_training(
    plan: Plan, args: argparse.Namespace, settings
) -> tuple[dict[str, object], pd.Series, pd.Series]:
    """Train, evaluate, log to the active MLflow run; return the report and the test nowcast."""
    import mlflow

    from power_nowcast.tracking import log_model, promote_if_better

    def factory():
        model = make_model(args.model, args.seed, plan.device, _progress)
        if isinstance(model, MLPNowcaster):
            model.epochs = args.epochs
        return model

    dataset, spec = plan.dataset, plan.spec
    described = dataset.describe()
    mlflow.log_params(
        {
            "model": args.model,
            "features": spec.name,
            "feature_spec": spec.to_json(),
            "test_fraction": args.test_fraction,
            "backtest_weeks": args.backtest_weeks,
            "seed": args.seed,
            "device": plan.device,
            "data_name": dataset.name,
            "data_sha256": dataset.sha256,
            "data_rows": described["rows"],
        }
    )
    mlflow.set_tags({"data_sha256": dataset.sha256, "power_nowcast_version": __version__})
    features = build_features(dataset, spec)
    _progress(f"training {args.model} on {plan.holdout.start} rows before the holdout")
    holdout, model = evaluate(dataset, features, plan.holdout, factory)
    mlflow.log_params({f"model_{k}": v for k, v in model.params().items()})
    holdout_results = holdout.results()
    mlflow.log_metrics(_flat_metrics("holdout", holdout_results))
    mlflow.log_metrics(
        {"fit_seconds": holdout.fit_seconds, "predict_seconds": holdout.predict_seconds}
    )
    backtest_report = None
    if plan.backtest:
        backtest_report = backtest(dataset, features, plan.backtest, factory, _progress)
        mlflow.log_metrics(_flat_metrics("backtest", backtest_report["results"]))

    test = features.iloc[plan.holdout.start : plan.holdout.stop]
    version = log_model(model, test.head(5), settings)
    mae = next(r["mae_mw"] for r in holdout_results if r["model"] == args.model)
    actual = dataset.frame[LOAD].iloc[plan.holdout.start : plan.holdout.stop].to_numpy()

    def score_champion(model_uri: str, spec_json: str) -> float:
        champion_features = build_features(dataset, FeatureSpec.from_json(spec_json))
        rows = champion_features.iloc[plan.holdout.start : plan.holdout.stop]
        champion = mlflow.pyfunc.load_model(model_uri)
        return metrics(actual, champion.predict(rows))["mae_mw"]

    champion = promote_if_better(settings, version, mae, score_champion)
    _progress(f"registry: {champion['reason']}")
    run = mlflow.active_run()
    report = {
        "schema_version": SCHEMA_VERSION,
        "power_nowcast_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": described,
        "features": {"set": spec.name, "spec": spec.to_json(), "columns": list(features.columns)},
        "model": {
            "type": args.model,
            "params": model.params(),
            "fit_seconds": holdout.fit_seconds,
            "predict_seconds": holdout.predict_seconds,
            "train_rows": holdout.train_rows,
        },
        "holdout": {"window": holdout.window, "results": holdout_results},
        "backtest": backtest_report,
        "mlflow": {
            "tracking_uri": settings.tracking_uri,
            "experiment": settings.experiment,
            "run_id": run.info.run_id,
            "registered_model": settings.registered_model,
            "version": version,
            "champion": champion,
        },
    }
    return report, holdout.actual, holdout.forecasts[args.model]


def train_command(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        plan = make_plan(args)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT

    from power_nowcast.tracking import TrackingSettings, local_settings, start_run

    if args.tracking_uri:
        settings = TrackingSettings(args.tracking_uri, args.experiment, args.registered_model)
    else:
        settings = local_settings(args.mlflow_dir, args.experiment, args.registered_model)
    plot_path = args.plot or args.report.with_suffix(".png")
    try:
        with start_run(settings, f"{args.model}-{plan.spec.name}") as run:
            report, actual, nowcast = run_training(plan, args, settings)
            plot_nowcast(actual, nowcast, args.model, plot_path)
            report["outputs"] = {"report": str(args.report), "plot": str(plot_path)}
            report["elapsed_seconds"] = time.perf_counter() - started
            write_json(report, args.report)
            import mlflow

            mlflow.log_artifact(str(args.report))
            mlflow.log_artifact(str(plot_path))
    except KeyboardInterrupt:
        print("interrupted: the MLflow run is marked FAILED", file=sys.stderr)
        return 130
    except Exception as error:
        print(f"error: training failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(format_table("holdout", report["holdout"]["results"]))
    if report["backtest"]:
        print()
        print(
            format_table(
                f"backtest, {len(plan.backtest)} weekly origins", report["backtest"]["results"]
            )
        )
    print()
    print(f"report: {args.report}  plot: {plot_path}  mlflow run: {run.info.run_id}")
    return 0


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
