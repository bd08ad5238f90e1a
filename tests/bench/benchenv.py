"""What the benchmarks share: the integration harness (tests/integration/
kizukitest.py) pointed at a build, and a daemon recording an active person."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
DEFAULT_BUILD = os.environ.get("KIZUKI_BUILD_DIR") or os.path.join(SRC, "build")


def harness(build, keep=False, **environ):
    """kizukitest, imported after KIZUKID/KIZUKI name the binaries of build (and
    environ is set); None, with a message, when they are missing."""
    os.environ["KIZUKID"] = os.path.abspath(os.path.join(build, "kizukid"))
    os.environ["KIZUKI"] = os.path.abspath(os.path.join(build, "kizuki"))
    os.environ.update(environ)
    if keep:
        os.environ["KIZUKI_TEST_KEEP"] = "1"
    sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
    import kizukitest
    if not (os.access(kizukitest.KIZUKID, os.X_OK) and os.access(kizukitest.KIZUKI, os.X_OK)):
        print(f"kizukid and kizuki not found in {build} (--build DIR)", file=sys.stderr)
        return None
    return kizukitest


def start_active(k, env, config=None, daemon_args=()):
    """A private bus, a mock logind with one Active session of our uid, kizukid
    (with config as its kizukid.conf and daemon_args), consent; returns once it
    records the person as active."""
    env.start_bus_and_logind()
    env.add_session("c1", active=True)
    if config is not None:
        env.write_config(config)
    env.start_daemon(*daemon_args, timeout=30)
    env.grant_consent_raw()
    k.wait_for(lambda: env.status()["recording"] == "recording" and env.status()["active"], 10,
               what="kizukid recording an active person")
