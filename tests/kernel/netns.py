"""Network-namespace plumbing shared by gen.py and observe.py.

Every namespace this process creates is named ``wr-<pid>-<suffix>`` and is
recorded, so it is deleted on normal exit, on exceptions (callers use
try/finally) and via atexit.  ``cleanup_stale`` removes ``wr-*`` namespaces
left behind by processes that no longer exist (e.g. after a SIGKILL).
"""

import atexit
import os
import platform
import re
import subprocess

PREFIX = f"wr-{os.getpid()}-"
# The `ip` that configures and reads the namespaces: WHYROUTE_IP=/path/to/ip records a corpus
# with a newer iproute2 than the system's (rule selectors that the system's cannot add).
IP = os.environ.get("WHYROUTE_IP", "ip")
_created = []


def run(argv, stdin=None):
    """Run a command, return (rc, stdout, stderr) as text; never raises on rc."""
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def check(argv, stdin=None):
    rc, out, err = run(argv, stdin)
    if rc != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({rc}): {err.strip()}")
    return out


def ip(ns, *args, stdin=None):
    return run([IP, "-n", ns, *args], stdin)


def sysctl(ns, *args):
    """`sysctl ARGS` inside the namespace: (rc, stdout, stderr)."""
    return run(["ip", "netns", "exec", ns, "sysctl", *args])


def _version(text):
    m = re.search(r"(\d+)\.(\d+)", text)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def new_rule_selectors():
    """Whether both the kernel and IP can make the 6.15 rule selectors: `dscp VALUE[/MASK]`
    (6.13) and masked ports `sport VALUE/MASK` (6.15).  Checked, not assumed, so that a corpus
    generated with the system's iproute2 draws exactly the random numbers it always did."""
    _, out, _ = run([IP, "-V"])
    iproute2 = re.search(r"iproute2-(?:ss)?([\d.]+)", out)
    return (iproute2 is not None and _version(iproute2.group(1)) >= (6, 15)
            and _version(platform.release()) >= (6, 15))


def netns_available():
    """True if we are root and can actually create and delete a namespace."""
    if os.geteuid() != 0:
        return False, "must run as root (network namespaces need CAP_SYS_ADMIN)"
    name = PREFIX + "probe"
    rc, _, err = run(["ip", "netns", "add", name])
    if rc != 0:
        return False, f"'ip netns add' failed: {err.strip()}"
    run(["ip", "netns", "del", name])
    return True, ""


def add(suffix):
    """Create namespace PREFIX+suffix with lo up and IPv6 DAD off.

    DAD is disabled so `ip addr show` never shows transient `tentative`
    flags: the captured transcript must not depend on timing.  The multipath
    hash seed is pinned (default 0 = random per boot) so which nexthop of a
    multipath route the kernel picks is reproducible between runs.
    """
    name = PREFIX + suffix
    check(["ip", "netns", "add", name])
    _created.append(name)
    for key in ("all", "default"):
        run(["ip", "netns", "exec", name, "sysctl", "-qw",
             f"net.ipv6.conf.{key}.accept_dad=0"])
    set_mp_seed(name, MP_SEED)
    check(["ip", "-n", name, "link", "set", "lo", "up"])
    return name


MP_SEED = 1


def set_mp_seed(ns, seed):
    run(["ip", "netns", "exec", ns, "sysctl", "-qw",
         f"net.ipv4.fib_multipath_hash_seed={seed}"])


def delete(name):
    run(["ip", "netns", "del", name])
    if name in _created:
        _created.remove(name)


def cleanup():
    for name in list(_created):
        delete(name)


atexit.register(cleanup)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cleanup_stale(include_live=False):
    """Delete wr-<pid>-* namespaces whose creating process is gone.

    Namespaces of live processes are kept unless include_live, because other
    harness runs may be going on concurrently on the same machine.
    """
    rc, out, _ = run(["ip", "netns", "list"])
    removed = []
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(r"wr-(\d+)-", name)
        if not m:
            continue
        pid = int(m.group(1))
        if include_live or (pid != os.getpid() and not _alive(pid)):
            run(["ip", "netns", "del", name])
            removed.append(name)
    return removed
