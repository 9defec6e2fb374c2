#!/usr/bin/env bash
# The demo: a local Ubuntu 24.04 host built with playbooks/site.yml (the
# playbook Packer runs), then playbooks/train.yml on it, then the MAE.
set -euo pipefail
cd "$(dirname "$0")/.."
host=ml-power-nowcast-demo
started=$SECONDS

echo "== starting the local Ubuntu 24.04 host '$host'"
scripts/local-host.sh "$host" noble
echo "   systemd: $(podman exec "$host" systemctl is-system-running || true)"

echo "== applying playbooks/site.yml (a few minutes the first time)"
ansible-playbook -i inventories/local/hosts.yml playbooks/site.yml

echo "== training on the host: playbooks/train.yml"
ansible-playbook -i inventories/local/hosts.yml playbooks/train.yml

report=.cache/train/$host/report.json
echo "== MAE on the holdout (report: $report, plot: $(dirname "$report")/plot.png)"
python3 - "$report" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
window = report["holdout"]["window"]
print(f"holdout {window['start']} .. {window['end']} ({window['rows']} rows)")
for row in sorted(report["holdout"]["results"], key=lambda r: r["mae_mw"]):
    print(f"  {row['model']:<20} MAE {row['mae_mw']:8.2f} MW")
PY
echo "== done in $((SECONDS - started)) s; the host keeps running: podman exec -it $host bash"
