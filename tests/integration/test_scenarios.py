#!/usr/bin/python3
"""The core synthetic people (tests/scenarios, gen_people.py --set core) through
the path a person uses: a private kizukid, `kizuki import`, `kizuki checkin`,
then `kizuki policy test`. (The wide set is measured, not checked:
tests/bench/policy_bench.py.)

Two things are checked for every person:
  - the days each default policy would have nudged are exactly the days the
    scenario harness (run-scenarios, which calls the engine directly) reports,
    so the tuning figures in docs/policies.md hold for the real CLI;
  - the limits, computed here from the CLI's own output: a stable person gets at
    most 3 nudges per person-year, a drifting person is nudged within 21 days of
    the onset (and never before it more often than a stable person would be).
"""

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kizukitest as k  # noqa: E402
import people as pp  # noqa: E402

RUN_SCENARIOS = os.environ.get("KIZUKI_RUN_SCENARIOS") or os.path.join(k.BUILD_DIR, "tests", "run-scenarios")

STABLE_NUDGES_PER_YEAR_MAX = 3.0
DETECTION_DAYS_MAX = 21
DAYS_PER_YEAR = 365.25


class TestScenarios(k.KizukiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="kz-people-")
        cls.people = pp.generate(cls.tmp.name)
        r = subprocess.run([RUN_SCENARIOS, "--json", "--policies", pp.POLICIES, cls.tmp.name],
                           capture_output=True, text=True, check=True)
        cls.reference = json.loads(r.stdout)["people"]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_people(self):
        totals = {"stable_nudges": 0, "stable_years": 0.0, "delays": []}
        for name, meta in sorted(self.people.items()):
            with self.subTest(person=name):
                fired, first, last, _ = pp.replay(self.tmp.name, name, meta)
                ref = self.reference[name]["nudges"]
                # Same days as the engine harness, policy by policy.
                self.assertEqual({p: d for p, d in fired.items() if d}, {p: d for p, d in ref.items() if d},
                                 f"{name}: kizuki policy test and run-scenarios disagree")
                every = sorted(d for dates in fired.values() for d in dates)
                onset = meta["onset"]
                before = [d for d in every if onset is None or d < onset]
                years = ((dt.date.fromisoformat(onset) if onset else last + dt.timedelta(days=1)) - first).days
                years /= DAYS_PER_YEAR
                k.log(f"{name}: {len(every)} nudges, {len(before)} before onset over {years:.2f} years")
                if meta["kind"] == "stable":
                    totals["stable_nudges"] += len(before)
                    totals["stable_years"] += years
                    self.assertLessEqual(len(before) / years, STABLE_NUDGES_PER_YEAR_MAX,
                                         f"{name}, a stable person, was nudged on {before}")
                else:
                    after = [d for d in every if d >= onset]
                    self.assertTrue(after, f"{name}: the drift from {onset} was never caught")
                    delay = (dt.date.fromisoformat(after[0]) - dt.date.fromisoformat(onset)).days
                    totals["delays"].append(delay)
                    self.assertLessEqual(delay, DETECTION_DAYS_MAX, f"{name}: caught {delay} days after the onset")
                    self.assertLessEqual(len(before) / years if years else 0, STABLE_NUDGES_PER_YEAR_MAX,
                                         f"{name}: nudged before the drift on {before}")
        k.log(f"stable: {totals['stable_nudges']} nudges in {totals['stable_years']:.2f} person-years; "
              f"detection delays: {sorted(totals['delays'])}")


if __name__ == "__main__":
    unittest.main()
