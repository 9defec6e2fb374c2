"""testinfra settings shared by the scenarios: journal output on failure."""

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    host = item.funcargs.get("host") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and host is not None:
        journal = host.run("journalctl --no-pager -n 60 -p warning")
        report.sections.append(("journalctl -p warning (last 60 lines)", journal.stdout))
