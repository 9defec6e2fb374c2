"""Nowcast models and baselines.

Both learned models predict the change from the last known load (t-1) and add
it back, which suits trees and networks better than the level itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import numpy as np
import pandas as pd

from power_nowcast.data import LOAD, DataError

MODELS = ("xgboost", "mlp")
DEVICES = ("auto", "cpu", "cuda")
# Baselines and the load lag each one repeats.
BASELINES = {"persistence": 1, "seasonal_naive_48": 48, "seasonal_naive_336": 336}
ANCHOR = "load_lag1"

Progress = Callable[[str], None]


class Nowcaster(Protocol):
    name: str

    def fit(self, features: pd.DataFrame, load: pd.Series) -> Nowcaster: ...

    def predict(self, features: pd.DataFrame) -> np.ndarray: ...

    def params(self) -> dict[str, object]: ...


def resolve_device(requested: str) -> str:
    """``auto`` becomes cuda when torch sees a GPU, else cpu; a forced cuda must exist."""
    if requested not in DEVICES:
        raise DataError(f"device '{requested}' is unknown: use one of {', '.join(DEVICES)}")
    import torch

    available = torch.cuda.is_available()
    if requested == "cuda" and not available:
        raise DataError(
            "--device cuda was asked for, but torch sees no CUDA device: check the NVIDIA"
            " driver (nvidia-smi) or use --device cpu"
        )
    if requested == "auto":
        return "cuda" if available else "cpu"
    return requested


def baseline_forecasts(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Persistence and seasonal naive forecasts for every row (NaN without history)."""
    return {name: frame[LOAD].shift(lag) for name, lag in BASELINES.items()}


class XGBoostNowcaster:
    name = "xgboost"

    def __init__(
        self,
        seed: int = 0,
        device: str = "cpu",
        n_estimators: int = 600,
        learning_rate: float = 0.05,
        max_depth: int = 6,
    ) -> None:
        import xgboost  # noqa: F401 (imported here, so that fit times measure fitting alone)

        self.seed = seed
        self.device = device
        self.settings = {
            "n_estimators": n_estimators,
            "learning_rate": learning_rate,
            "max_depth": max_depth,
            "subsample": 0.8,
            "colsample_bytree": 0.8,
            "tree_method": "hist",
        }
        self.regressor = None

    def params(self) -> dict[str, object]:
        return {**self.settings, "seed": self.seed, "device": self.device}

    def fit(self, features: pd.DataFrame, load: pd.Series) -> XGBoostNowcaster:
        import xgboost

        self.regressor = xgboost.XGBRegressor(
            **self.settings, random_state=self.seed, device=self.device
        )
        self.regressor.fit(features, load - features[ANCHOR])
        return self

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        if self.regressor is None:
            raise RuntimeError("fit the model before predicting")
        return features[ANCHOR].to_numpy() + self.regressor.predict(features)


class MLPNowcaster:
    """A small multilayer perceptron on standardised features (PyTorch)."""

    name = "mlp"

    def __init__(
        self,
        seed: int = 0,
        device: str = "cpu",
        hidden: tuple[int, ...] = (128, 64),
        epochs: int = 40,
        batch_size: int = 256,
        learning_rate: float = 1e-3,
        progress: Progress | None = None,
    ) -> None:
        import torch  # noqa: F401 (imported here, so that fit times measure fitting alone)

        self.seed = seed
        self.device = device
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.progress = progress
        self.network = None
        self.scales: dict[str, np.ndarray] = {}

    def params(self) -> dict[str, object]:
        return {
            "hidden": list(self.hidden),
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "learning_rate": self.learning_rate,
            "seed": self.seed,
            "device": self.device,
        }

    def __getstate__(self) -> dict[str, object]:
        # The progress printer stays behind when the model is pickled for MLflow.
        return {**self.__dict__, "progress": None}

    def _inputs(self, features: pd.DataFrame) -> np.ndarray:
        values = features.to_numpy(dtype=np.float32)
        return (values - self.scales["x_mean"]) / self.scales["x_std"]

    def fit(self, features: pd.DataFrame, load: pd.Series) -> MLPNowcaster:
        import torch
        from torch import nn

        torch.manual_seed(self.seed)
        values = features.to_numpy(dtype=np.float32)
        target = (load - features[ANCHOR]).to_numpy(dtype=np.float32)
        std = values.std(axis=0)
        self.scales = {
            "x_mean": values.mean(axis=0),
            "x_std": np.where(std > 0, std, 1.0).astype(np.float32),
            "y_mean": np.float32(target.mean()),
            "y_std": np.float32(target.std() or 1.0),
        }
        x = torch.from_numpy(self._inputs(features))
        y = torch.from_numpy((target - self.scales["y_mean"]) / self.scales["y_std"])
        # The latest tenth of the training rows picks the best epoch.
        cut = max(1, int(len(x) * 0.9))
        x_train, y_train = x[:cut].to(self.device), y[:cut].to(self.device)
        x_val, y_val = x[cut:].to(self.device), y[cut:]

        layers: list[nn.Module] = []
        width = x.shape[1]
        for size in self.hidden:
            layers += [nn.Linear(width, size), nn.ReLU()]
            width = size
        layers.append(nn.Linear(width, 1))
        network = nn.Sequential(*layers).to(self.device)
        optimiser = torch.optim.Adam(network.parameters(), lr=self.learning_rate)
        loss_fn = nn.SmoothL1Loss()
        generator = torch.Generator().manual_seed(self.seed)
        best_mae, best_state = float("inf"), None
        for epoch in range(1, self.epochs + 1):
            started = time.perf_counter()
            network.train()
            order = torch.randperm(len(x_train), generator=generator).to(self.device)
            total = 0.0
            for start in range(0, len(order), self.batch_size):
                batch = order[start : start + self.batch_size]
                optimiser.zero_grad()
                loss = loss_fn(network(x_train[batch]).squeeze(1), y_train[batch])
                loss.backward()
                optimiser.step()
                total += loss.item() * len(batch)
            network.eval()
            with torch.no_grad():
                guess = network(x_val).squeeze(1).cpu()
            val_mae = float((guess - y_val).abs().mean()) * float(self.scales["y_std"])
            if val_mae < best_mae:
                best_mae = val_mae
                best_state = {k: v.detach().cpu().clone() for k, v in network.state_dict().items()}
            if self.progress:
                self.progress(
                    f"mlp epoch {epoch}/{self.epochs}: train loss {total / len(order):.4f},"
                    f" validation MAE {val_mae:.1f} MW ({time.perf_counter() - started:.1f} s)"
                )
        network = network.cpu()
        network.load_state_dict(best_state)
        network.eval()
        self.network = network
        return self

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        import torch

        if self.network is None:
            raise RuntimeError("fit the model before predicting")
        with torch.no_grad():
            scaled = self.network(torch.from_numpy(self._inputs(features))).squeeze(1).numpy()
        change = scaled * self.scales["y_std"] + self.scales["y_mean"]
        return features[ANCHOR].to_numpy() + change.astype(np.float64)


def make_model(name: str, seed: int, device: str, progress: Progress | None = None) -> Nowcaster:
    if name == "xgboost":
        return XGBoostNowcaster(seed=seed, device=device)
    if name == "mlp":
        return MLPNowcaster(seed=seed, device=device, progress=progress)
    raise DataError(f"model '{name}' is unknown: use one of {', '.join(MODELS)}")
