"""Sum the JUnit files of a test run and print "N passed, N failed" last.

Exits non-zero when a test failed or when no test ran at all.
"""

import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

passed = failed = skipped = 0
for path in sorted(Path(sys.argv[1]).glob("*.xml")):
    for suite in ElementTree.parse(path).getroot().iter("testsuite"):
        tests = int(suite.get("tests", 0))
        bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skip = int(suite.get("skipped", 0))
        passed += tests - bad - skip
        failed += bad
        skipped += skip
missing = [
    line for line in Path(sys.argv[1], "steps").read_text().splitlines() if "exit 0 " not in line
]
for line in missing:
    print(f"step failed: {line}")
if skipped:
    print(f"{skipped} skipped (not counted as passed)")
if passed + failed == 0:
    print("no tests ran: that is a failure")
    failed = max(failed, 1)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or missing else 0)
