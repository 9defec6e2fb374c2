"""MLflow tracking: the run, the logged and registered model, the champion alias."""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient

from power_nowcast.models import Nowcaster

CHAMPION = "champion"
# What a host needs to load a logged model; pinned to what trained it.
MODEL_REQUIREMENTS = (
    "power-nowcast",
    "xgboost",
    "torch",
    "pandas",
    "numpy",
    "scikit-learn",
    "mlflow",
)


@dataclass(frozen=True)
class TrackingSettings:
    tracking_uri: str
    experiment: str = "power-nowcast"
    registered_model: str = "power-nowcast"
    artifact_location: str | None = None
    # The local store's folder; None for a tracking server or a given URI.
    folder: Path | None = None


def local_settings(mlflow_dir: Path, experiment: str, registered_model: str) -> TrackingSettings:
    """A SQLite store and an artifact folder under ``mlflow_dir``."""
    folder = mlflow_dir.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return TrackingSettings(
        tracking_uri=f"sqlite:///{folder / 'mlflow.db'}",
        experiment=experiment,
        registered_model=registered_model,
        artifact_location=(folder / "artifacts").as_uri(),
        folder=folder,
    )


class NowcastModel(mlflow.pyfunc.PythonModel):
    """The fitted nowcaster behind MLflow's pyfunc interface: features in, load (MW) out."""

    def __init__(self, model: Nowcaster) -> None:
        self.model = model

    def predict(self, model_input: pd.DataFrame, params: dict | None = None) -> list[float]:
        return [float(value) for value in self.model.predict(model_input)]


@contextlib.contextmanager
def start_run(settings: TrackingSettings, run_name: str) -> Iterator[mlflow.ActiveRun]:
    """A run that ends FINISHED, or FAILED on any exception. mlflow.set_tracking_uri()
    also sets MLFLOW_TRACKING_URI: it is put back afterwards, so that a later run in
    the same process starts from the same place."""
    previous_uri = os.environ.get("MLFLOW_TRACKING_URI")
    mlflow.set_tracking_uri(settings.tracking_uri)
    try:
        # MLflow's SQLite store makes ./mlruns (for its Default experiment) in the
        # working folder when it opens; for the local store that goes into its folder.
        with contextlib.chdir(settings.folder or "."):
            experiment = mlflow.get_experiment_by_name(settings.experiment)
        if experiment is None:
            experiment_id = mlflow.create_experiment(
                settings.experiment, artifact_location=settings.artifact_location
            )
        else:
            experiment_id = experiment.experiment_id
        with mlflow.start_run(experiment_id=experiment_id, run_name=run_name) as run:
            yield run
    finally:
        mlflow.set_tracking_uri(previous_uri)


def _requirements() -> list[str]:
    pins = []
    for name in MODEL_REQUIREMENTS:
        try:
            pins.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pins.append(name)
    return pins


def log_model(model: Nowcaster, example: pd.DataFrame, settings: TrackingSettings) -> str:
    """Log the model with its signature and input example, register it; return the version."""
    info = mlflow.pyfunc.log_model(
        name="model",
        python_model=NowcastModel(model),
        signature=infer_signature(example, model.predict(example)),
        input_example=example,
        registered_model_name=settings.registered_model,
        pip_requirements=_requirements(),
    )
    return str(info.registered_model_version)


def promote_if_better(
    settings: TrackingSettings,
    version: str,
    mae: float,
    score: Callable[[str, str], float],
) -> dict[str, object]:
    """Point ``champion`` at ``version`` only if it beats the current champion.

    ``score(model_uri, feature_spec_json)`` scores the champion on the same
    holdout rows this run was scored on.
    """
    client = MlflowClient(settings.tracking_uri)
    name = settings.registered_model
    try:
        current = client.get_model_version_by_alias(name, CHAMPION)
    except MlflowException:
        current = None
    decision: dict[str, object] = {"alias": CHAMPION, "candidate_version": version}
    if current is None:
        client.set_registered_model_alias(name, CHAMPION, version)
        return {**decision, "promoted": True, "reason": "no champion yet"}
    spec = client.get_run(current.run_id).data.params.get("feature_spec", "")
    try:
        champion_mae = score(f"models:/{name}/{current.version}", spec)
    except Exception as error:
        return {
            **decision,
            "promoted": False,
            "champion_version": str(current.version),
            "reason": f"the champion could not be scored on this holdout ({error}); alias kept",
        }
    decision.update(champion_version=str(current.version), champion_mae_mw=champion_mae)
    if mae < champion_mae:
        client.set_registered_model_alias(name, CHAMPION, version)
        reason = f"MAE {mae:.2f} MW beats the champion's {champion_mae:.2f} MW"
        return {**decision, "promoted": True, "reason": reason}
    reason = f"MAE {mae:.2f} MW does not beat the champion's {champion_mae:.2f} MW"
    return {**decision, "promoted": False, "reason": reason}
