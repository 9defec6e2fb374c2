"""Checks that need an NVIDIA GPU and its driver: `make test-gpu` on a GPU host.
`make test` deselects them (marker gpu); they are not counted there."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from power_nowcast.cli import main

pytestmark = pytest.mark.gpu


def test_nvidia_smi_sees_a_gpu():
    assert shutil.which("nvidia-smi"), (
        "nvidia-smi is missing: install the driver (nvidia_driver role)"
    )
    names = subprocess.run(
        ["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert names, "nvidia-smi lists no GPU"


def test_torch_uses_cuda():
    import torch

    assert torch.cuda.is_available(), "torch sees no CUDA device (driver branch 570 or newer?)"
    x = torch.randn(1024, 1024, device="cuda")
    assert torch.allclose((x @ x.T).cpu(), (x.cpu() @ x.cpu().T), atol=1e-2)


def test_xgboost_trains_on_cuda():
    import xgboost

    rng = np.random.default_rng(0)
    features = rng.normal(size=(5000, 10))
    target = features @ rng.normal(size=10)
    model = xgboost.XGBRegressor(n_estimators=50, device="cuda", tree_method="hist")
    model.fit(features, target)
    assert np.corrcoef(model.predict(features), target)[0, 1] > 0.9


def test_the_nowcast_trains_on_cuda(tmp_path):
    report = tmp_path / "r.json"
    code = main(
        [
            "train",
            "--model",
            "mlp",
            "--device",
            "cuda",
            "--backtest-weeks",
            "0",
            "--report",
            str(report),
            "--mlflow-dir",
            str(tmp_path / "mlflow"),
        ]
    )
    assert code == 0
