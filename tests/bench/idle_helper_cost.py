#!/usr/bin/python3
"""Idle cost of kizuki-idle: how often the helper wakes up and how much memory
it uses while nothing happens (no input on the display, kizukid attached and
quiet).

Starts a private dbus-daemon + python-dbusmock logind + kizukid (the harness of
tests/integration/kizukitest.py), a session bus (so the screen saver signals are
followed too), a display server (--display xvfb, the default; sway headless,
run as nobody when we are root; or kwin_wayland --virtual) and the helper attached to the
daemon, sends one input, lets the helper go idle (its timeout, default 3 s),
then leaves everything alone for --minutes and reads /proc/PID of the helper:
  - context switches (voluntary + nonvoluntary, all threads): each is a wakeup
    or a preemption; the target is 0 per minute while nothing changes;
  - VmRSS, RssAnon/RssFile, Pss and private memory at the end.
At the end it checks the helper is still attached and reported idle.

Usage: /usr/bin/python3 tests/bench/idle_helper_cost.py [--minutes N] [--display xvfb|sway|kwin]
Exit status 0 when the wakeup target is met, 1 when missed, 2 on errors.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
sys.path.insert(0, HERE)

import idle_cost  # noqa: E402  (its /proc readers)
import kizukitest as k  # noqa: E402
import test_idle  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=5.0, help="measured period (default 5)")
    ap.add_argument("--display", choices=("xvfb", "sway", "kwin"), default="xvfb",
                    help="Xvfb (XSync), sway headless (org_kde_kwin_idle on sway 1.7) or kwin_wayland "
                         "--virtual (ext-idle-notify-v1); default xvfb")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir and print its path")
    args = ap.parse_args()
    if not os.access(test_idle.KIZUKI_IDLE, os.X_OK):
        print(f"no kizuki-idle at {test_idle.KIZUKI_IDLE} (set KIZUKI_IDLE or KIZUKI_BUILD_DIR)", file=sys.stderr)
        return 2

    env = k.Env("idle-helper-cost")
    try:
        env.start_bus_and_logind()
        env.add_session("c1", active=True)
        env.start_daemon()
        env.grant_consent_raw()
        if args.display == "sway":
            _, denv = test_idle.start_sway(env)
            inject = ["wtype", "-k", "Shift_L"]
        elif args.display == "kwin":
            _, denv = test_idle.start_kwin(env)
            inject = [test_idle.IDLE_POKE]
        else:
            _, display = test_idle.start_xvfb(env)
            denv, inject = dict(DISPLAY=display), ["xdotool", "mousemove_relative", "--", "1", "1"]
        # With a session bus, so the lock source (sd-bus) is part of the figure.
        e = env.environ(**{**test_idle.CLEAN, **denv, "DBUS_SESSION_BUS_ADDRESS": test_idle.start_session_bus(env)})
        subprocess.run(inject, env=e, check=True, timeout=5)
        helper = env.spawn("kizuki-idle", [test_idle.KIZUKI_IDLE, "--timeout", str(test_idle.TIMEOUT_S),
                                           "--socket", env.socket_path], env=e)
        k.wait_for(lambda: [s["state"] for s in env.status()["idle_sources"]] == ["idle"],
                   test_idle.TIMEOUT_S + 10, 0.5, "the helper to report idle")
        time.sleep(1)
        pid = helper.pid
        v0, n0, _ = idle_cost.ctxt_switches(pid)
        t0 = time.monotonic()
        time.sleep(args.minutes * 60)
        v1, n1, threads = idle_cost.ctxt_switches(pid)
        minutes = (time.monotonic() - t0) / 60
        st = idle_cost.read_status(pid)
        roll = idle_cost.smaps_rollup(pid)
        sources = env.status()["idle_sources"]
        if not helper.alive() or [s["state"] for s in sources] != ["idle"]:
            print(f"the helper is not attached and idle at the end: {sources}", file=sys.stderr)
            return 2
        per_min = (v1 - v0 + n1 - n0) / minutes
        print(f"kizuki-idle ({args.display}), {minutes:.1f} min with nothing happening:")
        print(f"  context switches: {v1 - v0} voluntary + {n1 - n0} nonvoluntary ({threads} thread(s)) "
              f"= {per_min:.2f}/min (target 0)")
        print(f"  VmRSS {idle_cost.kib(st['VmRSS'])} KiB (RssAnon {idle_cost.kib(st['RssAnon'])}, "
              f"RssFile {idle_cost.kib(st['RssFile'])}), Pss {roll.get('Pss', 0)} KiB, "
              f"private {roll.get('Private_Clean', 0) + roll.get('Private_Dirty', 0)} KiB"
              f"{' (sanitized build: memory figures meaningless)' if k.sanitized(pid) else ''}")
        return 0 if v1 - v0 + n1 - n0 == 0 else 1
    finally:
        if args.keep:
            print("kept", env.dir)
        env.close()
        if not args.keep:
            shutil.rmtree(env.dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
