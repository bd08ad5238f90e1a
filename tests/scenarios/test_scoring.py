#!/usr/bin/python3
"""scoring.py counts as documented, and gen_people.py's wide set is what
people.json says: every onset leaves the warm-up before it and the detection
horizon after it inside the year, unobserved periods have no rows.

    test_scoring.py [PEOPLEDIR]   (PEOPLEDIR: gen_people.py --set all output)
"""
import datetime as dt
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import scoring  # noqa: E402

PEOPLE_DIR = None


def meta(kind="stable", onset=None, drift=None, unobserved=()):
    return {"kind": kind, "drift": drift, "onset": onset, "first": "2025-01-06", "last": "2026-01-04",
            "unobserved": [list(u) for u in unobserved]}


class TestScoring(unittest.TestCase):
    def test_false_nudges_after_warmup_per_observed_year(self):
        s = scoring.Score(["a", "b"])
        # 2025-02-09 is day 34 of the data (in the warm-up), 2025-02-10 day 35.
        s.add(0, {"p": meta(unobserved=[("2025-06-01", "2025-06-10")])},
              {"p": {"a": ["2025-02-09", "2025-02-10"], "b": ["2025-06-05"]}})
        r = s.report()
        self.assertEqual(r["policies"]["a"]["false_nudges"], 1)
        self.assertEqual(r["policies"]["b"]["false_nudges"], 1)  # counted even on a day without data
        self.assertEqual(r["policies"][scoring.ANY]["false_nudges"], 2)
        days = (dt.date(2026, 1, 5) - dt.date(2025, 2, 10)).days - 10
        self.assertAlmostEqual(r["person_years"], days / scoring.DAYS_PER_YEAR)

    def test_drift_false_before_onset_and_delays(self):
        s = scoring.Score(["a", "b"])
        people = {"d1": meta("drift", "2025-06-01", "gradual"), "d2": meta("drift", "2025-06-01", "gradual"),
                  "d3": meta("drift", "2025-06-01", "abrupt")}
        s.add(0, people, {"d1": {"a": ["2025-05-31", "2025-06-08"], "b": ["2025-06-04"]},
                          "d2": {"a": ["2025-08-01"]},          # 61 days: a miss
                          "d3": {"b": ["2025-06-01"]}})
        r = s.report()
        self.assertEqual(r["policies"]["a"]["false_nudges"], 1)
        self.assertEqual(r["people"]["d1@0"]["delay"], 3)
        self.assertIsNone(r["people"]["d2@0"]["delay"])
        g = r["policies"][scoring.ANY]["kinds"]["gradual"]
        self.assertEqual((g["n"], g["caught"], g["missed"], g["median"], g["worst"]), (2, 1, 1, None, None))
        self.assertEqual(r["policies"]["a"]["kinds"]["gradual"]["median_caught"], 7)
        self.assertEqual(r["policies"][scoring.ANY]["kinds"]["abrupt"]["median"], 0)
        summary = {row["what"].split(",")[0]: row for row in r["summary"]}
        self.assertEqual(summary["drifts missed (> 60 d)"]["measured"], 1)
        self.assertFalse(summary["drifts missed (> 60 d)"]["ok"])
        self.assertTrue(summary["abrupt change"]["ok"])

    def test_quantiles_count_a_miss_as_longest(self):
        st = scoring.delay_stats([1, 2, 3, 4, 5, 6, 7, 8, 9, None])
        self.assertEqual((st["median"], st["p90"], st["worst"], st["missed"]), (5.5, 9, None, 1))
        self.assertEqual(scoring.delay_stats([4])["p90"], 4)

    def test_options(self):
        o, rest = scoring.options(["--heldout", "--set", "core", "x", "--json"])
        self.assertEqual((o["variants"], o["set"], o["json"], rest), (list(range(100, 106)), "core", True, ["x"]))
        self.assertEqual(scoring.parse_variants("0-2,100"), [0, 1, 2, 100])
        self.assertEqual(scoring.compact([0, 1, 2, 100, 5]), "0-2,5,100")
        for bad in (["--set", "some"], ["--variants", "a-b"], ["--variants"]):
            with self.assertRaises(ValueError):
                scoring.options(bad)


class TestPopulation(unittest.TestCase):
    def setUp(self):
        if not PEOPLE_DIR:
            raise unittest.SkipTest("no people directory given")

    def test_people_json(self):
        with open(os.path.join(PEOPLE_DIR, "people.json"), encoding="ascii") as f:
            people = json.load(f)
        self.assertGreaterEqual(len(people), 35)
        kinds = {p["drift"] for p in people.values() if p["kind"] == "drift"}
        self.assertEqual(kinds, set(scoring.KINDS))
        for name, p in people.items():
            with self.subTest(person=name):
                first, last = dt.date.fromisoformat(p["first"]), dt.date.fromisoformat(p["last"])
                self.assertEqual((last - first).days, 363)
                self.assertEqual(p["kind"] == "drift", p["onset"] is not None)
                self.assertEqual(p["kind"] == "drift", p["drift"] is not None)
                if p["onset"]:
                    onset = dt.date.fromisoformat(p["onset"])
                    self.assertGreaterEqual((onset - first).days, scoring.WARMUP_DAYS)
                    self.assertGreaterEqual((last - onset).days, scoring.HORIZON_DAYS)
                with open(os.path.join(PEOPLE_DIR, name + ".csv"), encoding="ascii") as f:
                    starts = [line.split(",", 1)[0][:10] for line in f.readlines()[1:]]
                for a, b in p["unobserved"]:
                    self.assertFalse([s for s in starts if a <= s <= b], f"rows in {a}..{b}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        PEOPLE_DIR = sys.argv.pop(1)
    unittest.main()
