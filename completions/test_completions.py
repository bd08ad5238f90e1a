#!/usr/bin/python3
"""The shell completions (completions/) against kizuki's own help.

For bash (the completion function driven through COMP_WORDS/COMP_CWORD, as
`complete -F` would call it), fish (`complete -C`) and zsh (an interactive zsh
in a pseudo-terminal, compinit, TAB, with compadd wrapped to print what it
offers): every command of `kizuki --help` is offered, every option of
`kizuki CMD --help` is offered for CMD (or one of its subcommands), every
subcommand word, and the values of the enumerated options. A shell that is not
installed is skipped (zsh and fish come from Debian's zsh and fish packages).

Environment: KIZUKI (the binary; default $KIZUKI_BUILD_DIR/kizuki),
KIZUKI_SOURCE_DIR.
"""

import os
import pty
import re
import select
import shutil
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("KIZUKI_SOURCE_DIR") or os.path.dirname(HERE)
BUILD_DIR = os.environ.get("KIZUKI_BUILD_DIR") or os.path.join(SOURCE_DIR, "build")
KIZUKI = os.environ.get("KIZUKI") or os.path.join(BUILD_DIR, "kizuki")
BASH = os.path.join(HERE, "kizuki.bash")
FISH = os.path.join(HERE, "kizuki.fish")
ZSH_DIR = HERE  # holds _kizuki

RECIPIENTS = {"therapist", "coach"}
VALUES = {
    "kizuki --color ": {"auto", "always", "never"},
    "kizuki status --color ": {"auto", "always", "never"},
    "kizuki hint ": {"active", "idle", "locked", "unlocked"},
    "kizuki digest --format ": {"text", "json", "html", "fhir"},
    "kizuki digest --level ": {"summary", "daily", "hourly"},
    "kizuki import --format ": {"csv", "activitywatch", "kizuki"},
    "kizuki export --format ": {"json", "csv"},
    "kizuki checkin --mood ": {"1", "2", "3", "4", "5"},
    "kizuki checkin --went-out ": {"yes", "no"},
    "kizuki nudge dismiss 3 --helpful ": {"yes", "no"},
    "kizuki hours --date ": {"today", "yesterday"},
    "kizuki days --from ": {"today", "yesterday"},
    "kizuki share --to ": RECIPIENTS,
    "kizuki recipients show ": RECIPIENTS,
}


def kizuki_help(*args):
    p = subprocess.run([KIZUKI, *args, "--help"], capture_output=True, text=True, timeout=10)
    assert p.returncode == 0, p.stderr
    return p.stdout


def help_commands():
    text = kizuki_help()
    block = text.split("Commands:\n")[1].split("\n\n")[0]
    return [m for m in re.findall(r"^  ([a-z]+)", block, re.M)]


def help_options(cmd):
    """(long options, subcommand words) from `kizuki CMD --help`'s Options."""
    text = kizuki_help(cmd)
    opts, subs = set(), set()
    in_opts = False
    for line in text.splitlines():
        if line.startswith("Options:"):
            in_opts = True
            continue
        if not in_opts or not re.match(r"^ {2,4}\S", line):
            continue  # descriptions continue at column 24
        first = re.split(r"\s{2,}", line.strip())[0]
        opts.update(re.findall(r"(--[a-z][a-z-]*)", first))
        m = re.match(r"^  ([a-z]+)(\s|$)", line)
        if m:
            subs.add(m.group(1))
    return opts, subs


class Shell:
    name = ""

    def complete(self, line):
        raise NotImplementedError

    def close(self):
        pass


class Bash(Shell):
    name = "bash"

    def __init__(self, env, cwd):
        self.env, self.cwd = env, cwd

    def complete(self, line):
        words = line.split()
        if line.endswith(" "):
            words.append("")
        script = (f"source {BASH}\n"
                  "complete -p kizuki >/dev/null || exit 3\n"
                  f"COMP_LINE={sh_quote(line)}; COMP_POINT=${{#COMP_LINE}}\n"
                  f"COMP_WORDS=({' '.join(sh_quote(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
                  "_kizuki kizuki \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
                  "printf '%s\\n' \"${COMPREPLY[@]}\"\n")
        p = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True,
                           text=True, env=self.env, cwd=self.cwd, timeout=10)
        assert p.returncode == 0, f"bash: {p.returncode} {p.stderr}"
        return {w for w in p.stdout.splitlines() if w}


class Fish(Shell):
    name = "fish"

    def __init__(self, env, cwd):
        self.env, self.cwd = env, cwd

    def complete(self, line):
        p = subprocess.run(["fish", "--no-config", "-c", f"source {FISH}; complete -C {sh_quote(line)}"],
                           capture_output=True, text=True, env=self.env, cwd=self.cwd, timeout=10)
        assert p.returncode == 0, f"fish: {p.returncode} {p.stderr}"
        return {w.split("\t")[0] for w in p.stdout.splitlines() if w}


ZSH_SETUP = r"""
PROMPT='' RPROMPT='' PS2=''
fpath=(%(dir)s $fpath)
autoload -U compinit && compinit -u -D
# TAB completes, then says so (comppostfuncs would be emptied after one use).
_kz_complete() { zle complete-word; print -r -- "@@DONE" }
zle -N _kz_complete
bindkey '^I' _kz_complete
zstyle ':completion:*' insert-tab false
zstyle ':completion:*' menu no
unsetopt automenu autolist listambiguous
# Print every candidate that reaches compadd (the matching is compadd's own).
compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
    builtin compadd "$@"; return
  fi
  typeset -a __hits
  builtin compadd -A __hits "$@"
  (( $#__hits )) && print -rl -- "@@HIT "${^__hits}
  builtin compadd "$@"
}
print -r -- "@@READY"
"""


class Zsh(Shell):
    name = "zsh"

    def __init__(self, env, cwd):
        rc = os.path.join(cwd, "setup.zsh")
        with open(rc, "w") as f:
            f.write(ZSH_SETUP % {"dir": ZSH_DIR})
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(cwd)
            os.execvpe("zsh", ["zsh", "-f", "-i"], dict(env, TERM="dumb", COLUMNS="500", LINES="100"))
        self.buf = b""
        self.write(f"source {rc}\n")
        self.read_until(b"@@READY\r\n")

    def write(self, s):
        os.write(self.fd, s.encode())

    def read_until(self, marker, timeout=15):
        deadline = time.monotonic() + timeout
        while marker not in self.buf:
            r, _, _ = select.select([self.fd], [], [], max(0, deadline - time.monotonic()))
            if not r:
                raise AssertionError(f"zsh: no {marker!r} in {self.buf[-2000:]!r}")
            self.buf += os.read(self.fd, 65536)
        out, self.buf = self.buf.split(marker, 1)
        return out.decode(errors="replace")

    def complete(self, line):
        self.write(line + "\t")
        out = self.read_until(b"@@DONE")
        self.write("\x15")  # kill-whole-line: the next query starts on an empty line
        hits = set()
        for w in re.findall(r"@@HIT (.*?)\r?\n", out):
            hits.add(w.rstrip("="))
        return hits

    def close(self):
        os.close(self.fd)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


class CompletionTest:
    """Mixed into one TestCase per shell."""

    shell_class = None
    program = None

    @classmethod
    def setUpClass(cls):
        if not shutil.which(cls.program):
            raise unittest.SkipTest(f"{cls.program} is not installed")
        cls.tmp = tempfile.TemporaryDirectory()
        home = cls.tmp.name
        rdir = os.path.join(home, ".config", "kizuki", "recipients.d")
        os.makedirs(rdir)
        for r in RECIPIENTS:
            open(os.path.join(rdir, r + ".conf"), "w").close()
        env = {"HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
        cls.shell = cls.shell_class(env, home)
        cls.commands = help_commands()

    @classmethod
    def tearDownClass(cls):
        cls.shell.close()
        cls.tmp.cleanup()

    def offers(self, line, expected):
        got = self.shell.complete(line)
        missing = set(expected) - got
        self.assertFalse(missing, f"{self.shell.name}: {line!r} does not offer {sorted(missing)} "
                                  f"(offers {sorted(got)})")
        return got

    def test_commands(self):
        self.assertGreater(len(self.commands), 20)
        self.offers("kizuki ", self.commands)
        self.offers("kizuki help ", self.commands)

    def test_global_options(self):
        self.offers("kizuki -", {"--socket", "--color", "--no-pager", "--ascii", "--help", "--version"})
        self.offers("kizuki week --no", {"--no-pager"})
        self.offers("kizuki week --as", {"--ascii"})
        self.offers("kizuki --socket /tmp/x ", self.commands)

    def test_command_options(self):
        for cmd in self.commands:
            with self.subTest(cmd=cmd):
                opts, subs = help_options(cmd)
                if subs:
                    self.offers(f"kizuki {cmd} ", subs)
                got = set()
                for prefix in [f"kizuki {cmd} "] + [f"kizuki {cmd} {s} " for s in sorted(subs)]:
                    got |= self.shell.complete(prefix + "--")
                missing = opts - got
                self.assertFalse(missing, f"{self.shell.name}: kizuki {cmd}: options of "
                                          f"'kizuki {cmd} --help' not offered: {sorted(missing)}")

    def test_values(self):
        for line, values in VALUES.items():
            with self.subTest(line=line):
                self.offers(line, values)


class BashTest(CompletionTest, unittest.TestCase):
    shell_class = Bash
    program = "bash"

    def test_registered(self):
        p = subprocess.run(["bash", "--norc", "-c", f"source {BASH}; complete -p kizuki"],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(p.stdout.strip(), "complete -F _kizuki kizuki")


class FishTest(CompletionTest, unittest.TestCase):
    shell_class = Fish
    program = "fish"


class ZshTest(CompletionTest, unittest.TestCase):
    shell_class = Zsh
    program = "zsh"


if __name__ == "__main__":
    unittest.main(verbosity=2)
