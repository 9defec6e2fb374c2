# ml-power-nowcast: `make demo` and `make test` are all a fresh Debian 12 or
# Ubuntu 22.04/24.04 machine needs. Run `make help` for the other targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export CONTAINERS_CONF := $(CURDIR)/containers.conf
export UV_CACHE_DIR := $(CURDIR)/.cache/uv
export UV_SYSTEM_CERTS := 1
export MLFLOW_DISABLE_TELEMETRY := true
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/.venv/bin:$(CURDIR)/.cache/tools/bin:$(PATH)

UV := .cache/tools/bin/uv
LOCK_ARGS := --quiet --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock"

.PHONY: help setup images demo image test test-gpu test-grid lint unit molecule lock clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: ## Install system packages, uv and the locked controller environments
	@scripts/setup.sh

images: setup ## Build (or reuse) the local Ubuntu 24.04 and 22.04 base images
	@scripts/build-base-image.sh noble
	@scripts/build-base-image.sh jammy

demo: setup ## Build a local Ubuntu 24.04 host with site.yml, train on it, print the MAE
	@scripts/demo.sh

image: setup ## The local twin of the AMI: Packer's provisioner on a local host, committed, trained on
	@.venv/bin/python scripts/image.py

test: setup ## Every check: lint, unit tests, Molecule scenarios; ends with "N passed, N failed"
	@scripts/test.sh

lint: setup ## yamllint, ansible-lint (production profile), ruff, role specs
	@scripts/test.sh lint

unit: setup ## Unit tests of the nowcast package and the repository
	@scripts/test.sh unit

molecule: setup ## The Molecule scenarios (default: Ubuntu 24.04, jammy: Ubuntu 22.04)
	@scripts/test.sh molecule

test-gpu: setup ## The GPU-only checks (nvidia-smi, torch CUDA, XGBoost on CUDA): run on a GPU host
	@scripts/test.sh gpu

test-grid: setup ## Install AWS's GRID driver on this host and check it: run as root on a G6f instance
	@scripts/test.sh grid

lock: ## Regenerate requirements.txt (the hosts' lock) and the controller's uv.lock
	$(UV) pip compile $(LOCK_ARGS) requirements.in -o requirements.txt
	$(UV) pip compile $(LOCK_ARGS) ml/requirements-test.in -c requirements.txt -o ml/requirements-test.txt
	$(UV) lock --quiet
	@echo "requirements.txt holds $$(grep -c '^[a-z0-9]' requirements.txt) packages"

clean: ## Remove local hosts, caches and environments
	-podman rm -f ml-power-nowcast-demo ml-power-nowcast-image ml-power-nowcast-image-build mlpn-noble mlpn-jammy mlpn-dkms 2>/dev/null
	rm -rf .cache .venv .venv-ml artifacts
