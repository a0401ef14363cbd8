#!/usr/bin/env python3
"""Model-based random test of tunctl (issue 27).

Runs random valid and invalid tunctl commands in a network namespace of its
own and keeps a model of what the namespace must hold: after each command,
from its exit status and tunctl's documented semantics (exit 0: what was
asked now holds, with the kernel's own side effects; non-zero: nothing
changed, all or nothing). After every step the real state is read back with
`ip -d -j link`, `ip -j addr`, `ip -j route` and /sys/class/net/X/{tun_flags,
owner,group} (never with tunctl) and compared with the model.

Besides single commands it
  - kills a command with SIGKILL after a random delay, then reruns it (an
    add without --exist-ok is rerun with --exist-ok): the namespace must then
    hold what the command asks for (or, when the rerun fails, be as before
    or as the command asks);
  - runs 2-4 commands at once: the namespace must then equal the result of
    some serial order of those that exited 0.
On a mismatch it prints the seed, the step, expected and actual state, and
two reproductions as shell scripts: a short one that builds the state before
the step with ip(8) alone and runs the failing step, and the whole sequence.

Usage (as root; see tests/README.md):
  tests/random/modeltest.py [--seed N] [--time SECONDS] [--steps N]
                            [--keep-going] [--enable CLASS,...] [--all]
                            [--disable CLASS,...]
Environment: TUNCTL (the binary, default src/tunctl), MODELTEST_SEED,
MODELTEST_TIME, MODELTEST_ENABLE, MODELTEST_DISABLE (as the options).

Only documentation ranges are used (192.0.2.0/24, 198.51.100.0/24,
2001:db8::/32), only inside the namespace it creates and deletes; the two
users it creates (prefix "tmt") are removed at the end.
"""

import argparse
import ipaddress
import itertools
import json
import os
import pwd
import grp
import random
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

# ---------------------------------------------------------------------------
# Command classes that issue 27 showed failing, each behind one switch: True
# here generates it, --enable NAME (MODELTEST_ENABLE=NAME,...) turns it on and
# --disable NAME (MODELTEST_DISABLE) off for one run.
# All on since the fixes of issue 27 were merged (each found no mismatch
# over several seeds, 60 s each, alone and with --all; tests/random/README.md).
# Set one to False to leave its class out again while a regression in it is
# fixed; what each leaves out when off is said beside it.
KNOWN_BROKEN = {
    # 27 "The kernel's own side effects are not undone or not expected", items
    # 1-3 (failed add --exist-ok / set / apply lose IPv6 addresses and routes
    # the kernel dropped on a down or MTU < 1280 the undo went through). Off:
    # a command with more than one change (add --exist-ok of an existing
    # device, a set of several options, apply, batch lines) never changes up
    # or down, nor sets an MTU under 1280, on a device that holds IPv6
    # addresses or routes, nor adds a first IPv4 address to a device with
    # IPv4 routes (found here: the undo's removal of that address makes the
    # kernel flush the device's routes); and an apply line keeps a route
    # whose gateway no address of the device covers any more (found here: a
    # failed apply's undo cannot add it back, the kernel refuses it).
    'sidefx_undo': True,
    # 27 same section, item 4 ("apply exits 0 with the namespace not matching
    # the file"). Off: an apply line with --down lists no IPv6 address and no
    # route, one with an MTU under 1280 no IPv6 address or route, and one that
    # lists IPv4 routes keeps one of the device's IPv4 addresses.
    'apply_sidefx': True,
    # 27 same section, item 5 ("Secondary addresses"). Off: the IPv4
    # addresses generated are each in a subnet of its own, so none is ever
    # secondary.
    'secondaries': True,
    # 27 "exit 0 must mean matches", item 1 (one route on two lines of one
    # apply file), and its kin found here: a line listing a route that a
    # device outside the file has (same prefix, metric, table) exits 0 without
    # it. Off: no two lines of a file list the same route, and no line one
    # that another device has.
    'apply_dup_route': True,
    # 27 "exit 0 must mean matches", item 2 (routes in table local). Off: no
    # route in table local is generated.
    'table_local': True,
    # 27 "kill -9 and concurrency", item 1 (a killed apply --recreate leaves
    # tunctl<ifindex> devices). Off: a killed command is never an apply
    # --recreate.
    'kill_recreate': True,
    # 27 "kill -9 and concurrency", items 2-5 (identical concurrent runs fail,
    # an undo reverts a concurrent command, commands act on a device another
    # tunctl is still creating, set --user re-attaches with stale flags).
    # Off: the commands run at once each touch devices of their own.
    'conc_same_device': True,
}

NAMES = ['rt0', 'rt1', 'rt2']
# what a killed apply --recreate leaves: the old copy set aside, renamed
# tunctl<ifindex> (in link group 0x7e5700ff); del and apply delete it (man
# page, RELIABILITY, "Concurrency and kill -9"); the model never names a
# device so
LEFTOVER = re.compile(r'^tunctl\d+$')
V4_ADDRS = ['192.0.2.1/26', '192.0.2.65/26', '192.0.2.129/26']
V4_SECONDARY = ['192.0.2.5/26', '192.0.2.70/26']   # same subnets as .1, .65
V6_ADDRS = ['2001:db8:0:1::1/64', '2001:db8:0:2::1/64', '2001:db8:0:1::5/64']
# (prefix, gateway, metric, table)
ROUTES = [
    ('198.51.100.0/25', None, None, None),
    ('198.51.100.128/25', '192.0.2.2', None, None),
    ('198.51.100.0/24', '192.0.2.66', 50, None),
    ('198.51.100.64/26', None, None, 100),
    ('2001:db8:ff::/48', None, None, None),
    ('2001:db8:fe::/48', '2001:db8:0:1::2', None, None),
    ('2001:db8:fd::/48', None, 50, 100),
]
LOCAL_ROUTES = [('198.51.100.200/32', None, None, 'local')]
BAD_ROUTE = ('198.51.100.192/26', '198.51.100.250', None, None)   # gateway unreachable
MTUS = [1500, 1400, 9000, 1280, 1279, 1000, 576]
MACS = ['02:00:5e:00:53:01', '02:00:5e:00:53:02']


def fam(cidr):
    return 6 if ':' in cidr else 4


def norm_net(s):
    return str(ipaddress.ip_network(s, strict=False))


class Route:
    """A route as the kernel keys it: prefix, metric, table; plus gateway."""
    __slots__ = ('dst', 'via', 'metric', 'table')

    def __init__(self, dst, via=None, metric=None, table=None):
        self.dst = norm_net(dst)
        self.via = str(ipaddress.ip_address(via)) if via else None
        f = fam(self.dst)
        self.metric = metric if metric is not None else (1024 if f == 6 else 0)
        self.table = str(table) if table not in (None, 'main', 254, '254') else 'main'

    def key(self):
        return (self.dst, self.metric, self.table)

    def fam(self):
        return fam(self.dst)

    def spec(self):
        s = self.dst
        if self.via:
            s += ' via ' + self.via
        if self.metric not in (0, 1024):
            s += ' metric %d' % self.metric
        if self.table != 'main':
            s += ' table ' + self.table
        return s

    def t(self):
        return (self.dst, self.via, self.metric, self.table)

    def __eq__(self, o):
        return self.t() == o.t()

    def __hash__(self):
        return hash(self.t())

    def __repr__(self):
        return self.spec()


class Dev:
    def __init__(self, mode='tun', pi=False, vnet=False, up=True, mtu=1500,
                 mac=None, owner=0, group=-1):
        self.mode, self.pi, self.vnet, self.up = mode, pi, vnet, up
        self.mtu, self.mac, self.owner, self.group = mtu, mac, owner, group
        self.addrs = []      # [(ip, plen)] in the order added (IPv4 primaries first)
        self.routes = set()  # {Route}

    def copy(self):
        d = Dev(self.mode, self.pi, self.vnet, self.up, self.mtu, self.mac,
                self.owner, self.group)
        d.addrs = list(self.addrs)
        d.routes = set(self.routes)
        return d

    # The kernel's side effects -------------------------------------------
    def v4(self):
        return [a for a in self.addrs if ':' not in a[0]]

    def set_down(self):
        if self.up:
            self.up = False
            self.addrs = self.v4()            # IPv6 goes with the link
            self.routes = set()               # and every route through it

    def set_mtu(self, m):
        if m < 1280 and self.mtu >= 1280:
            self.drop_v6()
        self.mtu = m

    def drop_v6(self):
        self.addrs = self.v4()
        self.routes = {r for r in self.routes if r.fam() == 4}

    def secondary(self, a):
        """True if IPv4 address a is secondary: an earlier one of the same
        subnet and prefix length is there."""
        if ':' in a[0]:
            return False
        net = ipaddress.ip_network('%s/%d' % a, strict=False)
        for b in self.v4():
            if b == a:
                return False
            if b[1] == a[1] and ipaddress.ip_address(b[0]) in net:
                return True
        return False

    def del_addr(self, a):
        gone = [a]
        if ':' not in a[0] and not self.secondary(a):
            # promote_secondaries=0: its secondaries go with a primary.
            net = ipaddress.ip_network('%s/%d' % a, strict=False)
            gone += [b for b in self.v4() if b != a and b[1] == a[1]
                     and ipaddress.ip_address(b[0]) in net]
        had_v4 = bool(self.v4())
        self.addrs = [b for b in self.addrs if b not in gone]
        if had_v4 and not self.v4():
            # The last IPv4 address flushes the device's IPv4 routes.
            self.routes = {r for r in self.routes if r.fam() == 6}

    def state(self):
        """Comparable form."""
        return {
            'mode': self.mode, 'pi': self.pi, 'vnet_hdr': self.vnet,
            'up': self.up, 'mtu': self.mtu, 'mac': self.mac,
            'owner': self.owner, 'group': self.group,
            'addrs': sorted('%s/%d%s' % (a[0], a[1], ' secondary' if self.secondary(a) else '')
                            for a in self.addrs),
            'routes': sorted(r.spec() for r in self.routes),
        }


def addr_t(cidr):
    ip, plen = cidr.split('/')
    return (str(ipaddress.ip_address(ip)), int(plen))


def route_anywhere(state, key, but=None):
    return any(r.key() == key for n, d in state.items() if n != but for r in d.routes)


# ---------------------------------------------------------------------------
# Commands: each knows its argv and what it does to the model when it exits 0
# (returns the new state, or None where it cannot exit 0 from this state).

class Cmd:
    kind = '?'
    devs = ()

    def shell(self, tunctl, ns):
        return ' '.join(shlex.quote(a) for a in [tunctl, '-n', ns] + self.argv())

    def __repr__(self):
        return ' '.join(shlex.quote(a) for a in self.argv())


class Add(Cmd):
    kind = 'add'

    def __init__(self, name, mode='tun', pi=False, vnet=False, user=None,
                 group=None, addrs=(), routes=(), mtu=None, mac=None,
                 down=False, exist_ok=False):
        self.name, self.mode, self.pi, self.vnet = name, mode, pi, vnet
        self.user, self.group = user, group
        self.addrs, self.routes = list(addrs), list(routes)
        self.mtu, self.mac, self.down, self.exist_ok = mtu, mac, down, exist_ok
        self.devs = (name,)

    def line(self):
        a = ['add', self.name]
        if self.mode != 'tun':
            a += ['--mode', self.mode]
        if self.pi:
            a.append('--pi')
        if self.vnet:
            a.append('--vnet-hdr')
        if self.user:
            a += ['--user', self.user]
        if self.group:
            a += ['--group', self.group]
        if self.mtu is not None:
            a += ['--mtu', str(self.mtu)]
        if self.mac:
            a += ['--mac', self.mac]
        for x in self.addrs:
            a += ['--addr', x]
        for r in self.routes:
            a += ['--route', r.spec()]
        if self.down:
            a.append('--down')
        if self.exist_ok:
            a.append('--exist-ok')
        return a

    def argv(self):
        return self.line()

    def with_exist_ok(self):
        c = Add(self.name, self.mode, self.pi, self.vnet, self.user, self.group,
                self.addrs, self.routes, self.mtu, self.mac, self.down, True)
        return c

    def model(self, st, ctx):
        st = {n: d.copy() for n, d in st.items()}
        # Secure by default: owned by the caller, unless --user or --group.
        uid = ctx.uid(self.user) if self.user else (-1 if self.group else 0)
        gid = ctx.gid(self.group) if self.group else -1
        d = st.get(self.name)
        if d is None:
            d = Dev(self.mode, self.pi, self.vnet, not self.down,
                    self.mtu or 1500, self.mac, uid, gid)
            st[self.name] = d
        else:
            if not self.exist_ok or d.mode != self.mode:
                return None
            if (uid != -1 and d.owner not in (-1, uid)) or (self.group and d.group not in (-1, gid)):
                return None
            d.pi, d.vnet = self.pi, self.vnet
            if uid != -1:
                d.owner = uid
            if self.group:
                d.group = gid
            if self.mtu is not None:
                d.set_mtu(self.mtu)
            if self.mac:
                d.mac = self.mac
            if self.down:
                d.set_down()
            else:
                d.up = True
        for x in self.addrs:
            t = addr_t(x)
            if t not in d.addrs:
                d.addrs.append(t)
        for r in self.routes:
            if r in d.routes:
                continue
            if route_anywhere(st, r.key()):
                if self.exist_ok:
                    # documented tolerance: a route that is there (through
                    # any device) counts as there
                    continue
                return None
            d.routes.add(r)
        return st


class Del(Cmd):
    kind = 'del'

    def __init__(self, names):
        self.names = list(names)
        self.devs = tuple(names)

    def argv(self):
        return ['del'] + self.names

    def model(self, st, ctx):
        if any(n not in st for n in self.names):
            return None
        return {n: d.copy() for n, d in st.items() if n not in self.names and not LEFTOVER.match(n)}


class Set(Cmd):
    kind = 'set'

    def __init__(self, name, user=None, group=None, up=None, mtu=None, mac=None):
        self.name, self.user, self.group, self.up = name, user, group, up
        self.mtu, self.mac = mtu, mac
        self.devs = (name,)

    def nopts(self):
        return sum(x is not None for x in (self.user, self.group, self.up, self.mtu, self.mac))

    def argv(self):
        a = ['set', self.name]
        if self.user:
            a += ['--user', self.user]
        if self.group:
            a += ['--group', self.group]
        if self.mtu is not None:
            a += ['--mtu', str(self.mtu)]
        if self.mac:
            a += ['--mac', self.mac]
        if self.up is not None:
            a.append('--up' if self.up else '--down')
        return a

    def model(self, st, ctx):
        if self.name not in st:
            return None
        st = {n: d.copy() for n, d in st.items()}
        d = st[self.name]
        if self.mtu is not None:
            d.set_mtu(self.mtu)
        if self.mac:
            if d.mode != 'tap':
                return None
            d.mac = self.mac
        if self.up is True:
            d.up = True
        elif self.up is False:
            d.set_down()
        if self.user:
            d.owner = ctx.uid(self.user)
        if self.group:
            d.group = ctx.gid(self.group)
        return st


class Addr(Cmd):
    kind = 'addr'

    def __init__(self, op, name, cidr=None):
        self.op, self.name, self.cidr = op, name, cidr
        self.devs = (name,)

    def argv(self):
        return ['addr', self.op, self.name] + ([self.cidr] if self.cidr else [])

    def model(self, st, ctx):
        if self.name not in st:
            return None
        st = {n: d.copy() for n, d in st.items()}
        d = st[self.name]
        if self.op == 'flush':
            for a in list(d.addrs):
                if a in d.addrs:
                    d.del_addr(a)
            return st
        t = addr_t(self.cidr)
        if self.op == 'add':
            if t in d.addrs:
                return None
            d.addrs.append(t)
        else:
            if t not in d.addrs:
                return None
            d.del_addr(t)
        return st


class RouteCmd(Cmd):
    kind = 'route'

    def __init__(self, op, name, route):
        self.op, self.name, self.route = op, name, route
        self.devs = (name,)

    def argv(self):
        return ['route', self.op, self.name, self.route.spec()]

    def model(self, st, ctx):
        if self.name not in st:
            return None
        st = {n: d.copy() for n, d in st.items()}
        d = st[self.name]
        r = self.route
        if self.op == 'add':
            if route_anywhere(st, r.key()):
                return None
            d.routes.add(r)
        else:
            m = [x for x in d.routes if x.key() == r.key() and (r.via is None or x.via == r.via)]
            if not m:
                return None
            d.routes.discard(m[0])
        return st


class Apply(Cmd):
    kind = 'apply'

    def __init__(self, lines, path, recreate=False):
        self.lines, self.path, self.recreate = lines, path, recreate
        self.devs = tuple(l.name for l in lines)

    def text(self):
        return ''.join(' '.join(shlex.quote(a) for a in l.line()) + '\n' for l in self.lines)

    def prepare(self):
        with open(self.path, 'w') as f:
            f.write(self.text())

    def argv(self):
        return ['apply', self.path] + (['--recreate'] if self.recreate else [])

    def model(self, st, ctx, loose=False):
        """loose: the state the file asks for even where it cannot hold
        (to show what differs)."""
        st = {n: d.copy() for n, d in st.items()}
        for l in self.lines:
            old = st.get(l.name)
            if old is not None and old.mode != l.mode and not self.recreate:
                return None
            uid = ctx.uid(l.user) if l.user else 0
            gid = ctx.gid(l.group) if l.group else -1
            # the owner and group change in place; only one the line lacks
            # (the kernel cannot clear it) or another mode needs --recreate
            recreated = old is not None and (old.mode != l.mode or
                                             (old.owner != -1 and not l.user) or
                                             (old.group != -1 and not l.group))
            if recreated and not self.recreate:
                return None
            d = Dev(l.mode, l.pi, l.vnet, not l.down, l.mtu or 1500, l.mac, uid, gid)
            if old is not None and not recreated:
                d.mtu = l.mtu or old.mtu
                d.mac = l.mac or old.mac
                d.group = gid if l.group else old.group
                keep = [a for a in old.addrs if a in [addr_t(x) for x in l.addrs]]
                d.addrs = keep
            for x in l.addrs:
                t = addr_t(x)
                if t not in d.addrs:
                    d.addrs.append(t)
            d.routes = set(l.routes)
            st[l.name] = d
        for n in [n for n in st if LEFTOVER.match(n)]:
            del st[n]
        # exit 0 means the namespace matches the file: not possible where a
        # route of a line is another device's (the kernel keys a route by
        # prefix, metric and table), or another line's
        for n, d in st.items():
            for r in d.routes:
                if route_anywhere(st, r.key(), but=n) and not loose:
                    return None
        return st


class Batch(Cmd):
    kind = 'batch'

    def __init__(self, cmds, path, bad_line=None):
        self.cmds, self.path, self.bad_line = cmds, path, bad_line
        self.devs = tuple(n for c in cmds for n in c.devs)

    def text(self):
        out = []
        for i, c in enumerate(self.cmds):
            if self.bad_line == i:
                out.append('add rt0 --no-such-option\n')
            out.append(' '.join(shlex.quote(a) for a in c.argv()) + '\n')
        return ''.join(out)

    def prepare(self):
        with open(self.path, 'w') as f:
            f.write(self.text())

    def argv(self):
        return ['-b', self.path]

    def model_upto(self, st, ctx, n):
        for c in self.cmds[:n]:
            st = c.model(st, ctx)
            if st is None:
                return None
        return st

    def model(self, st, ctx):
        if self.bad_line is not None:
            return None
        return self.model_upto(st, ctx, len(self.cmds))


class Invalid(Cmd):
    """A command that must fail (bad usage or input) and change nothing."""
    kind = 'invalid'

    def __init__(self, argv):
        self._argv = argv
        self.devs = tuple(a for a in argv if a in NAMES)

    def argv(self):
        return list(self._argv)

    def model(self, st, ctx):
        return None


# ---------------------------------------------------------------------------

def stale_gateway(d, r):
    """Route r of device d has a gateway that none of d's addresses covers."""
    if not r.via:
        return False
    gw = ipaddress.ip_address(r.via)
    return not any(gw in ipaddress.ip_network('%s/%d' % a, strict=False) for a in d.addrs)


def route_keys(c):
    """The keys of the routes a command adds."""
    if isinstance(c, Add):
        return {r.key() for r in c.routes}
    if isinstance(c, RouteCmd) and c.op == 'add':
        return {c.route.key()}
    if isinstance(c, Apply):
        return {r.key() for l in c.lines for r in l.routes}
    return set()


class Ctx:
    def __init__(self, users):
        self.users = users

    def uid(self, u):
        return 0 if u == 'root' else pwd.getpwnam(u).pw_uid

    def gid(self, g):
        return 0 if g == 'root' else grp.getgrnam(g).gr_gid


def run_json(argv):
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return json.loads(out) if out.strip() else []


def read_state(ns):
    """The namespace's TUN/TAP devices, read with ip(8) and sysfs only."""
    links = run_json(['ip', '-n', ns, '-d', '-j', 'link', 'show'])
    sysfs = subprocess.run(
        ['ip', 'netns', 'exec', ns, 'sh', '-c',
         'for d in /sys/class/net/*; do [ -e "$d/tun_flags" ] && '
         'echo "${d##*/} $(cat $d/tun_flags) $(cat $d/owner) $(cat $d/group)"; done; true'],
        check=True, capture_output=True, text=True).stdout
    addrs = run_json(['ip', '-n', ns, '-j', 'addr', 'show'])
    routes = (run_json(['ip', '-n', ns, '-4', '-j', 'route', 'show', 'table', 'all']) +
              run_json(['ip', '-n', ns, '-6', '-j', 'route', 'show', 'table', 'all']))
    st = {}
    for line in sysfs.split('\n'):
        if not line.strip():
            continue
        name, flags, owner, group = line.split()
        flags = int(flags, 16)
        st[name] = {'mode': 'tap' if flags & 0x2 else 'tun', 'pi': not flags & 0x1000,
                    'vnet_hdr': bool(flags & 0x4000), 'owner': int(owner),
                    'group': int(group), 'persist': bool(flags & 0x800),
                    'multi_queue': bool(flags & 0x100),
                    'addrs': [], 'routes': []}
    for l in links:
        d = st.get(l['ifname'])
        if d is None:
            continue
        d['up'] = 'UP' in l.get('flags', [])
        d['mtu'] = l['mtu']
        d['mac'] = l.get('address') if d['mode'] == 'tap' else None
    for l in addrs:
        d = st.get(l['ifname'])
        if d is None:
            continue
        for a in l.get('addr_info', []):
            if a.get('scope') == 'link' and a['family'] == 'inet6':
                continue
            s = '%s/%d' % (ipaddress.ip_address(a['local']), a['prefixlen'])
            if a.get('address') and a['address'] != a['local']:
                s += ' peer ' + a['address']
            if a.get('secondary'):
                s += ' secondary'
            d['addrs'].append(s)
    for r in routes:
        d = st.get(r.get('dev'))
        if d is None or r.get('protocol') == 'kernel' or r.get('type', 'unicast') != 'unicast':
            continue
        dst = r['dst']
        if dst == 'default':
            dst = '0.0.0.0/0' if r.get('family', 'inet') == 'inet' and ':' not in r.get('gateway', '') else '::/0'
        d['routes'].append(Route(dst, r.get('gateway'), r.get('metric', 0 if ':' not in dst else 1024),
                                 r.get('table')).spec())
    for d in st.values():
        d['addrs'].sort()
        d['routes'].sort()
    return st


def expected_view(st):
    out = {}
    for n, d in st.items():
        s = d.state()
        s['persist'] = True
        s['multi_queue'] = False
        out[n] = s
    return out


def diff(exp, act):
    """Differences between two views, as lines; [] when equal. A model MAC of
    None (a tap device's random MAC) matches any."""
    lines = []
    for n in sorted(set(exp) | set(act)):
        if n not in act:
            lines.append('%s: expected, missing' % n)
            continue
        if n not in exp:
            lines.append('%s: present, not expected (%s)' % (n, act[n]))
            continue
        e, a = exp[n], act[n]
        for k in sorted(set(e) | set(a)):
            if k == 'mac' and e.get(k) is None:
                continue
            if e.get(k) != a.get(k):
                lines.append('%s %s: expected %s, found %s' % (n, k, e.get(k), a.get(k)))
    return lines


def adopt_macs(st, act):
    for n, d in st.items():
        if d.mac is None and n in act and act[n].get('mac'):
            d.mac = act[n]['mac']


def model_from_actual(act):
    """A model equal to what was read (to go on after a mismatch)."""
    st = {}
    for n, a in act.items():
        d = Dev(a['mode'], a['pi'], a['vnet_hdr'], a.get('up', False), a.get('mtu', 1500),
                a.get('mac'), a['owner'], a['group'])
        for s in a['addrs']:
            w = s.split()
            d.addrs.append(addr_t(w[0]))
        for s in a['routes']:
            w = s.split()
            via = w[w.index('via') + 1] if 'via' in w else None
            metric = int(w[w.index('metric') + 1]) if 'metric' in w else None
            table = w[w.index('table') + 1] if 'table' in w else None
            d.routes.add(Route(w[0], via, metric, table))
        # primaries first, so that secondary() holds for what the kernel says
        d.addrs.sort(key=lambda t: any(s.startswith('%s/%d ' % t) and 'secondary' in s
                                       for s in a['addrs']))
        st[n] = d
    return st


# ---------------------------------------------------------------------------

class Gen:
    def __init__(self, rnd, ctx, enabled, tmpdir):
        self.r, self.ctx, self.en, self.tmp = rnd, ctx, enabled, tmpdir
        self.nfile = 0

    def path(self, what):
        self.nfile += 1
        return os.path.join(self.tmp, '%s%d' % (what, self.nfile))

    def v4pool(self):
        return V4_ADDRS + (V4_SECONDARY if self.en['secondaries'] else [])

    def addr(self):
        return self.r.choice(self.v4pool() + V6_ADDRS)

    def route(self):
        pool = ROUTES + (LOCAL_ROUTES if self.en['table_local'] else [])
        if self.r.random() < 0.05:
            return Route(*BAD_ROUTE)
        return Route(*self.r.choice(pool))

    def user(self):
        return self.r.choice(['root'] + self.ctx.users)

    def group(self):
        return self.r.choice(self.ctx.users)

    def touchy(self, st, name):
        """A device where an up/down change or an MTU under 1280 makes the
        kernel drop something (IPv6 addresses or routes)."""
        d = st.get(name)
        return d is not None and (any(':' in a[0] for a in d.addrs) or bool(d.routes))

    def first_v4_risky(self, st, name):
        """Without sidefx_undo: a device with IPv4 routes and no IPv4
        address, where an undo that removes a first IPv4 address the command
        added takes the routes with it (found by this test, seed 27)."""
        d = st.get(name)
        return (not self.en['sidefx_undo'] and d is not None and not d.v4()
                and any(r.fam() == 4 for r in d.routes))

    def restrict(self, st, name, mtu, down):
        """Without sidefx_undo: a compound command keeps a touchy device's
        up state and MTU >= 1280. Returns (mtu, down)."""
        if self.en['sidefx_undo'] or not self.touchy(st, name):
            return mtu, down
        d = st[name]
        if mtu is not None and mtu < 1280 and d.mtu >= 1280:
            mtu = 1400
        return mtu, not d.up

    def add(self, st, name=None, exist_ok=None, compound_ok=False):
        r = self.r
        name = name or r.choice(NAMES)
        d = st.get(name)
        mode = d.mode if d is not None and r.random() < 0.85 else r.choice(['tun', 'tun', 'tap'])
        c = Add(name, mode, pi=r.random() < 0.2, vnet=r.random() < 0.15)
        if r.random() < 0.3:
            c.user = self.user()
        elif d is not None and d.owner > 0:
            c.user = next((u for u in self.ctx.users if self.ctx.uid(u) == d.owner), None)
        if r.random() < 0.2:
            c.group = self.group()
        if r.random() < 0.3:
            c.mtu = r.choice(MTUS)
        if mode == 'tap' and r.random() < 0.2:
            c.mac = r.choice(MACS)
        c.addrs = r.sample(self.v4pool() + V6_ADDRS, r.choice([0, 0, 1, 1, 2, 3]))
        c.routes = [self.route() for _ in range(r.choice([0, 0, 1, 2]))]
        c.down = r.random() < 0.15
        c.exist_ok = exist_ok if exist_ok is not None else r.random() < 0.6
        if d is not None:
            # (a plain add of an existing device may be rerun with
            # --exist-ok after a kill: limited the same way)
            c.mtu, c.down = self.restrict(st, name, c.mtu, c.down)
            if self.first_v4_risky(st, name):
                c.addrs = [a for a in c.addrs if ':' in a]
        return c

    def set(self, st, name=None):
        r = self.r
        name = name or r.choice(NAMES)
        c = Set(name)
        opts = r.sample(['user', 'group', 'up', 'mtu', 'mac'], r.choice([1, 1, 1, 2, 3]))
        for o in opts:
            if o == 'user':
                c.user = self.user()
            elif o == 'group':
                c.group = self.group()
            elif o == 'up':
                c.up = r.random() < 0.5
            elif o == 'mtu':
                c.mtu = r.choice(MTUS)
            elif o == 'mac':
                c.mac = r.choice(MACS)
        if c.nopts() > 1:
            mtu, down = self.restrict(st, name, c.mtu, c.up is False)
            if (mtu, down) != (c.mtu, c.up is False) or (
                    not self.en['sidefx_undo'] and self.touchy(st, name) and c.up is not None):
                c.mtu = mtu
                if c.up is not None:
                    c.up = not down
        return c

    def existing(self, st):
        if st and self.r.random() < 0.85:
            return self.r.choice(sorted(st))
        return self.r.choice(NAMES)

    def addrcmd(self, st):
        r = self.r
        name = self.existing(st)
        d = st.get(name)
        x = r.random()
        if x < 0.08:
            return Addr('flush', name)
        if x < 0.45 and d is not None and d.addrs:
            a = r.choice(d.addrs)
            return Addr('del', name, '%s/%d' % a)
        return Addr(r.choice(['add', 'add', 'del']), name, self.addr())

    def routecmd(self, st):
        r = self.r
        name = self.existing(st)
        d = st.get(name)
        if r.random() < 0.35 and d is not None and d.routes:
            return RouteCmd('del', name, r.choice(sorted(d.routes, key=Route.spec)))
        return RouteCmd(r.choice(['add', 'add', 'add', 'del']), name, self.route())

    def delcmd(self, st):
        names = self.r.sample(NAMES, self.r.choice([1, 1, 2]))
        if st and self.r.random() < 0.7:
            names = self.r.sample(sorted(st), min(len(st), self.r.choice([1, 1, 2])))
        return Del(names)

    def apply(self, st, recreate_ok=True, tweak=None):
        r = self.r
        names = r.sample(NAMES, r.choice([1, 1, 2, 3]))
        lines = []
        used_routes = set()
        for n in names:
            d = st.get(n)
            l = self.add(st, n, exist_ok=False)
            l.user = self.user() if r.random() < 0.3 or d is None else \
                ('root' if d.owner in (-1, 0) else next(
                    (u for u in self.ctx.users if self.ctx.uid(u) == d.owner), 'root'))
            if d is not None and d.group != -1 and r.random() < 0.8:
                l.group = next((g for g in self.ctx.users if self.ctx.gid(g) == d.group), None)
            if d is not None and r.random() < 0.5:
                # often close to what is there: converge, not replace
                l.addrs = ['%s/%d' % a for a in d.addrs if r.random() < 0.8] + l.addrs[:1]
                l.addrs = list(dict.fromkeys(l.addrs))
                l.routes = [x for x in d.routes if r.random() < 0.8] + l.routes[:1]
            if d is not None:
                l.mtu, l.down = self.restrict(st, n, l.mtu, l.down)
                if tweak:
                    # a focus on one class, within the others' limits
                    tweak(l, d)
            if not self.en['apply_sidefx']:
                if l.down:
                    l.addrs = [a for a in l.addrs if ':' not in a]
                    l.routes = []
                if l.mtu is not None and l.mtu < 1280:
                    l.addrs = [a for a in l.addrs if ':' not in a]
                    l.routes = [x for x in l.routes if x.fam() == 4]
                if d is not None and d.v4() and any(x.fam() == 4 for x in l.routes) and \
                        not any(addr_t(a) in d.v4() for a in l.addrs):
                    l.addrs.append('%s/%d' % d.v4()[0])
            if self.first_v4_risky(st, n):
                l.addrs = [a for a in l.addrs if ':' in a]
            if d is not None and not self.en['sidefx_undo']:
                # a route whose gateway no address of the device covers any
                # more (the address went after the route was made) cannot be
                # added back by an undo: the kernel refuses it (seed 108)
                l.routes = list(dict.fromkeys(l.routes + [
                    x for x in sorted(d.routes, key=Route.spec) if stale_gateway(d, x)]))
            if not self.en['apply_dup_route']:
                l.routes = [x for x in l.routes if x.key() not in used_routes
                            and not route_anywhere(st, x.key(), but=n)]
                used_routes |= {x.key() for x in l.routes}
            l.routes = list(dict.fromkeys(l.routes))
            if not self.en['secondaries']:
                # an address line of a device made elsewhere may hold one
                pass
            lines.append(l)
        return Apply(lines, self.path('apply'), recreate=recreate_ok and r.random() < 0.2)

    def batch(self, st):
        r = self.r
        cmds = []
        sim = st
        for _ in range(r.choice([2, 3, 4])):
            c = self.single(sim, allow_files=False)
            cmds.append(c)
            nxt = c.model(sim, self.ctx)
            if nxt is not None:
                sim = nxt
        bad = r.randrange(len(cmds)) if r.random() < 0.1 else None
        return Batch(cmds, self.path('batch'), bad)

    def invalid(self, st):
        r = self.r
        n = self.existing(st)
        if not self.en['sidefx_undo'] and self.touchy(st, n):
            # these change up or down before they fail: 27's undo items
            return Invalid(r.choice([['add', n, '--no-such-option'], ['del', n, 'rtnosuch'],
                                     ['set', n, '--mtu', '70000']]))
        return Invalid(r.choice([
            ['add', n, '--no-such-option'],
            ['add', n, '--addr', '192.0.2.300/24', '--exist-ok'],
            ['add', n, '--mtu', 'abc', '--exist-ok'],
            ['add', n, '--mtu', '40', '--addr', '192.0.2.1/26', '--exist-ok'],
            ['add', n, '--user', 'tmtnosuchuser', '--exist-ok'],
            ['add', 'rt0123456789abcdef'],
            ['add', n, '--route', '198.51.100.0/24 via 2001:db8::1', '--exist-ok'],
            ['add', n, '--mode', 'tun', '--mac', MACS[0]],
            ['set', n, '--mtu', '70000'],
            ['set', n, '--mtu', '40', '--down'],
            ['set', n, 'up'],
            ['addr', 'add', n, '2001:db8::/129'],
            ['route', 'add', n, '198.51.100.0/24', 'via'],
            ['route', 'add', n, '198.51.100.0/24', 'metric', 'x'],
            ['del', n, 'rtnosuch'],
        ]))

    def focus(self, st):
        """A command aimed at an enabled KNOWN_BROKEN class, or None."""
        r = self.r
        on = [k for k in ('sidefx_undo', 'apply_sidefx', 'secondaries', 'apply_dup_route',
                          'table_local') if self.en[k]]
        if not on:
            return None
        k = r.choice(on)
        touchy = [n for n in sorted(st) if self.touchy(st, n)]
        if k == 'sidefx_undo':
            if not touchy:
                return None
            n = r.choice(touchy)
            d = st[n]
            x = r.random()
            if x < 0.35:
                # a link change, then a step the kernel refuses
                return Set(n, up=not d.up, mac=MACS[0] if d.mode == 'tun' else None,
                           mtu=None if d.mode == 'tun' else 40)
            if x < 0.55:
                # MTU under 1280 (drops IPv6), then a refused MAC (tun) or MTU
                return Set(n, mtu=1000, mac=MACS[1]) if d.mode == 'tun' else \
                    Set(n, up=not d.up, mtu=40)
            c = self.add(st, n, exist_ok=True)
            c.mode = d.mode
            c.down = d.up if r.random() < 0.7 else c.down
            c.routes.append(Route(*BAD_ROUTE))
            return c
        if k == 'apply_sidefx' or k == 'secondaries':
            if k == 'secondaries' and r.random() < 0.5:
                n = self.existing(st)
                return Addr(r.choice(['add', 'add', 'del']), n, r.choice(V4_SECONDARY + V4_ADDRS[:2]))
            def tweak(l, d):
                if k == 'secondaries':
                    # keep all but one IPv4 address: a primary, or a secondary
                    l.addrs = [x for x in l.addrs if ':' in x] + \
                        r.sample(['%s/%d' % t for t in d.v4()], max(0, len(d.v4()) - 1))
                    return
                y = r.random()
                if y < 0.4:
                    l.down = True
                    l.addrs = list(dict.fromkeys(l.addrs + ['%s/%d' % t for t in d.addrs]))
                elif y < 0.7:
                    l.mtu = 1000
                    l.addrs = list(dict.fromkeys(l.addrs + ['%s/%d' % t for t in d.addrs]))
                else:
                    l.addrs = [x for x in l.addrs if ':' in x]
                    l.routes = list(dict.fromkeys(l.routes + sorted(d.routes, key=Route.spec)))
            return self.apply(st, tweak=tweak)
        if k == 'apply_dup_route':
            a = self.apply(st)
            if r.random() < 0.5 and len(a.lines) > 1:
                rt = self.route()
                for l in a.lines:
                    l.routes = list(dict.fromkeys(l.routes + [rt]))
            else:
                # a route another device has
                other = [x for n, d in st.items() if n not in a.devs for x in d.routes]
                if other:
                    a.lines[0].routes.append(r.choice(sorted(other, key=Route.spec)))
            return a
        if k == 'table_local':
            n = self.existing(st)
            if r.random() < 0.5:
                return RouteCmd('add', n, Route(*LOCAL_ROUTES[0]))
            return self.apply(st)
        return None

    def single(self, st, allow_files=True):
        if allow_files and self.r.random() < 0.25:
            c = self.focus(st)
            if c is not None:
                return c
        x = self.r.random()
        if x < 0.27:
            return self.add(st)
        if x < 0.35:
            return self.delcmd(st)
        if x < 0.55:
            return self.set(st)
        if x < 0.72:
            return self.addrcmd(st)
        if x < 0.88:
            return self.routecmd(st)
        if x < 0.95 and allow_files:
            return self.apply(st) if self.r.random() < 0.6 else self.batch(st)
        return self.invalid(st)


# ---------------------------------------------------------------------------

class Runner:
    def __init__(self, args):
        self.a = args
        self.tunctl = args.tunctl
        self.seed = args.seed
        self.r = random.Random(args.seed)
        self.en = dict(KNOWN_BROKEN)
        for e in args.enable:
            self.en[e] = True
        for e in args.disable:
            self.en[e] = False
        self.ns = 'tunctl-random-%d' % os.getpid()
        pfx = 'tmt%d' % (os.getpid() % 100000)
        self.users = [pfx + 'a', pfx + 'b']
        self.tmp = tempfile.mkdtemp(prefix='tmt-')
        self.ctx = Ctx(self.users)
        self.gen = Gen(self.r, self.ctx, self.en, self.tmp)
        self.history = []     # shell lines
        self.mismatches = []
        self.steps = 0
        self.counts = {}

    # setup / teardown -----------------------------------------------------
    def setup(self):
        for u in self.users:
            subprocess.run(['useradd', '--system', '--no-create-home', '-U',
                            '-s', '/usr/sbin/nologin', u], check=True)
        subprocess.run(['ip', 'netns', 'add', self.ns], check=True)
        for k in ('all', 'default'):
            subprocess.run(['ip', 'netns', 'exec', self.ns, 'sysctl', '-qw',
                            'net.ipv4.conf.%s.promote_secondaries=0' % k], check=True)

    def teardown(self):
        subprocess.run(['ip', 'netns', 'del', self.ns], stderr=subprocess.DEVNULL)
        for u in self.users:
            subprocess.run(['userdel', u], stderr=subprocess.DEVNULL)
            subprocess.run(['groupdel', u], stderr=subprocess.DEVNULL)
        for f in os.listdir(self.tmp):
            os.unlink(os.path.join(self.tmp, f))
        os.rmdir(self.tmp)

    # running ----------------------------------------------------------------
    def argv(self, c):
        return [self.tunctl, '-n', self.ns] + c.argv()

    def shell_of(self, c):
        """c as shell lines (files as here-documents)."""
        lines = []
        if isinstance(c, (Apply, Batch)):
            lines.append("cat >%s <<'EOF'\n%sEOF" % (c.path, c.text()))
        lines.append(' '.join(shlex.quote(a) for a in ['"$TUNCTL"', '-n', '"$NS"'] + c.argv())
                     .replace("'\"$TUNCTL\"'", '"$TUNCTL"').replace("'\"$NS\"'", '"$NS"'))
        # the files in a directory of the script's own
        return [x.replace(self.tmp, '$D') for x in lines]

    def start(self, c, env=None):
        if isinstance(c, (Apply, Batch)):
            c.prepare()
        return subprocess.Popen(self.argv(c), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env)

    def run(self, c):
        p = self.start(c)
        out, err = p.communicate(timeout=60)
        return p.returncode, out, err

    def check_failure_shape(self, c, rc, out, err):
        """A failed command prints nothing on stdout and says why on stderr."""
        probs = []
        if rc != 0 and out.strip() and not isinstance(c, Batch):
            # (a batch prints what its lines before the failing one made)
            probs.append('exit %d with output on stdout: %r' % (rc, out[:200]))
        if rc != 0 and not err.strip():
            probs.append('exit %d with nothing on stderr' % rc)
        if rc not in (0, 1, 2):
            probs.append('exit status %d (crash or signal?)' % rc)
        return probs

    def compare(self, step, what, cands, extra=(), before=None):
        """cands: list of (label, state) that are acceptable. Returns True if
        the namespace matches one."""
        act = read_state(self.ns)
        best = None
        for label, st in cands:
            adopt_macs(st, act)
            d = diff(expected_view(st), act)
            if not d and not extra:
                self.model = st
                return True
            if best is None or len(d) < len(best[1]):
                best = (label, d)
        self.report(step, what, best, list(extra), act, before)
        self.model = model_from_actual(act)
        return False

    def report(self, step, what, best, extra, act, before):
        label, d = best if best else ('', [])
        key = (what.split('\n')[0].split()[0] if what else '?',
               tuple(sorted(set(re.sub(r'rt\d|tunctl\d+', 'DEV', x.split(':')[0]) for x in d + extra))))
        first = key not in {m[0] for m in self.mismatches}
        self.mismatches.append((key, step))
        w = sys.stdout.write
        w('\n=== MISMATCH at step %d (seed %d) ===\n' % (step, self.seed))
        w('step: %s\n' % what)
        for x in extra:
            w('  %s\n' % x)
        if d:
            w('model (%s) vs namespace:\n' % label)
            for x in d:
                w('  %s\n' % x)
        if not first and self.a.keep_going:
            w('(same kind as an earlier mismatch; reproduction left out)\n')
            return
        w('--- reproduction: the state before the step, made with ip, then the step ---\n')
        w(self.repro(before, what))
        path = os.path.join(os.environ.get('MODELTEST_OUT', '/tmp'),
                            'tunctl-modeltest-seed%d-step%d.sh' % (self.seed, step))
        try:
            with open(path, 'w') as f:
                f.write(self.preamble() + self.users_sub('\n'.join(self.history)) + '\n' +
                        self.postamble())
            w('--- the whole sequence (%d steps): %s ---\n' % (step, path))
        except OSError:
            pass
        sys.stdout.flush()

    def preamble(self):
        return ('#!/bin/bash\n# tunctl model test, seed %d\n'
                'TUNCTL=${TUNCTL:-tunctl}; NS=${NS:-tmt-repro}\n'
                'U1=tmtrepa U2=tmtrepb; D=$(mktemp -d)\n'
                'ip netns add "$NS" || exit 1\n'
                'useradd --system --no-create-home -U -s /usr/sbin/nologin $U1\n'
                'useradd --system --no-create-home -U -s /usr/sbin/nologin $U2\n' % self.seed)

    def postamble(self):
        return ('# read back:\nip -n "$NS" -d -j link show type tun | jq -c \'.[]|{ifname,mtu,flags}\'\n'
                'ip -n "$NS" addr show; ip -n "$NS" route show table all | grep -v "proto kernel"\n'
                'ip -n "$NS" -6 route show table all | grep -v "proto kernel"\n'
                '# clean up: ip netns del "$NS"; userdel $U1; userdel $U2\n')

    def id_sub(self, n, kind):
        for i, u in enumerate(self.users):
            if n == (self.ctx.uid(u) if kind == 'u' else self.ctx.gid(u)):
                return '$(id -%s $U%d)' % (kind, i + 1)
        return str(n)

    def users_sub(self, s):
        return s.replace(self.users[0], '$U1').replace(self.users[1], '$U2')

    def repro(self, before, what):
        L = [self.preamble().rstrip('\n')]
        for n, d in sorted((before or {}).items()):
            a = ['ip', '-n', '"$NS"', 'tuntap', 'add', n, 'mode', d.mode]
            if d.pi:
                a.append('pi')
            if d.vnet:
                a.append('vnet_hdr')
            if d.owner != -1:
                a += ['user', self.id_sub(d.owner, 'u')]
            if d.group != -1:
                a += ['group', self.id_sub(d.group, 'g')]
            L.append(' '.join(a))
            if d.mtu != 1500:
                L.append('ip -n "$NS" link set %s mtu %d' % (n, d.mtu))
            if d.mac and d.mode == 'tap':
                L.append('ip -n "$NS" link set %s address %s' % (n, d.mac))
            if d.up:
                L.append('ip -n "$NS" link set %s up' % n)
            for a in d.addrs:
                L.append('ip -n "$NS" addr add %s/%d dev %s' % (a[0], a[1], n))
            for r in sorted(d.routes, key=Route.spec):
                L.append('ip -n "$NS" route add %s dev %s' % (r.spec(), n))
        L.append(what)
        return self.users_sub('\n'.join(L)) + '\n' + self.postamble()

    # steps --------------------------------------------------------------------
    def step_single(self, step):
        c = self.gen.single(self.model)
        before = self.model
        lines = self.shell_of(c)
        self.history += lines
        what = '\n'.join(lines)
        rc, out, err = self.run(c)
        self.count(c.kind, rc)
        extra = self.check_failure_shape(c, rc, out, err)
        if rc == 0:
            after = c.model(before, self.ctx)
            if after is None:
                extra.append('exit 0, but the model says it cannot succeed from this state')
                after = c.model(before, self.ctx, loose=True) if isinstance(c, Apply) else None
                after = after or before
            cands = [('exit 0: as asked', after)]
        elif isinstance(c, Batch) and rc == 1:
            m = re.search(re.escape(c.path) + r':(\d+):', err)
            n = int(m.group(1)) - 1 if m else None
            if n is None:
                extra.append('a failed batch that names no FILE:LINE: %r' % err[:200])
                cands = [('unchanged', before)]
            else:
                upto = c.model_upto(before, self.ctx, n)
                cands = [('lines before %d as asked' % (n + 1), upto if upto is not None else before)]
        else:
            cands = [('exit %d: unchanged' % rc, before)]
        if rc != 0:
            what += '    # exit %d: %s' % (rc, err.strip().split('\n')[-1][:300])
        if self.a.verbose > 1:
            print('%d: %s%s' % (step, what, '' if rc else '    # exit 0'))
        self.compare(step, what, cands, extra, before)

    def step_kill(self, step):
        recreate_ok = self.en['kill_recreate']
        c = None
        while c is None or isinstance(c, (Batch, Invalid)):
            c = self.gen.single(self.model)
        if isinstance(c, Apply) and c.recreate and not recreate_ok:
            c.recreate = False
        if recreate_ok and self.model and self.r.random() < 0.5:
            # 27: a killed apply --recreate of a device of another mode
            n = self.r.choice(sorted(self.model))
            l = self.gen.add(self.model, n, exist_ok=False)
            l.user = 'root'
            l.mode = 'tap' if self.model[n].mode == 'tun' else 'tun'
            l.mac = None
            c = Apply([l], self.gen.path('apply'), recreate=True)
        before = self.model
        delay = self.r.choice([0, 0.001, 0.002, 0.003, 0.005, 0.008, 0.012, 0.02])
        if isinstance(c, Apply):
            delay = self.r.uniform(0.002, 0.04)
        # On a sanitizer build, a SIGKILL that lands in LeakSanitizer's check
        # at exit makes it report "Unable to get registers from thread N"
        # (its tracer finds the thread gone): no leak check for a command
        # that is to be killed. The other options (log_path) stay.
        env = dict(os.environ)
        asan = env.get('ASAN_OPTIONS')
        env['ASAN_OPTIONS'] = (asan + ':' if asan else '') + 'detect_leaks=0'
        p = self.start(c, env)
        time.sleep(delay)
        killed = p.poll() is None
        if killed:
            p.send_signal(signal.SIGKILL)
        out, err = p.communicate()
        rerun = c.with_exist_ok() if isinstance(c, Add) else c
        lines = self.shell_of(c)
        lines[-1] = 'timeout -s KILL %.3f %s  # %s' % (
            delay, lines[-1], 'killed' if killed else 'not killed: it ended first, exit %d %s' % (
                p.returncode, err.strip().split('\n')[-1][:300] if p.returncode else ''))
        self.history += lines + self.shell_of(rerun)[-1:]
        rc2, out2, err2 = self.run(rerun)
        self.count('kill+' + c.kind, rc2)
        self.count('killed' if killed else 'not killed (done first)', 0)
        what = '\n'.join(lines + ['%s    # rerun: exit %d %s' % (
            self.shell_of(rerun)[-1], rc2, err2.strip().split('\n')[-1][:300] if rc2 else '')])
        if not killed:
            # it finished on its own: its own status, then the rerun's
            mid = c.model(before, self.ctx) if p.returncode == 0 else before
            mid = mid if mid is not None else before
            fin = rerun.model(mid, self.ctx) if rc2 == 0 else mid
            cands = [('ran to the end, then the rerun', fin if fin is not None else mid)]
            if rc2 == 0 and fin is None:
                cands = [('as asked', rerun.model(before, self.ctx) or mid)]
        elif rc2 == 0:
            after = rerun.model(before, self.ctx)
            cands = [('rerun exit 0: as asked', after)] if after is not None else []
            if after is None:
                # the killed run may have done it all: then the rerun (an
                # exist-ok add, an apply) adds nothing
                mid = c.model(before, self.ctx)
                cands = [('the killed run did it all', mid)] if mid is not None else \
                    [('unchanged', before)]
        else:
            cands = [('rerun failed: unchanged', before)]
            mid = c.model(before, self.ctx)
            if mid is not None:
                cands.append(('rerun failed: as asked by the killed run', mid))
            if isinstance(c, Apply):
                cands += self.killed_apply_mixes(c, before)
            if isinstance(c, Set):
                # a killed set may have made some of its changes (man page,
                # RELIABILITY): the rerun that fails leaves them
                opts = [k for k in ('user', 'group', 'up', 'mtu', 'mac') if getattr(c, k) is not None]
                for n in range(1, len(opts)):
                    for sub in itertools.combinations(opts, n):
                        part = Set(c.name, **{k: getattr(c, k) for k in sub}).model(before, self.ctx)
                        if part is not None:
                            cands.append(('rerun failed: some of the killed set\'s changes', part))
        self.compare(step, what, cands, self.check_failure_shape(rerun, rc2, out2, err2), before)

    def killed_apply_mixes(self, c, before):
        """A killed apply whose rerun fails (for a reason of its own) leaves
        what the killed run did, as a killed set does: each device of the
        file as before or as its line asks; with --recreate, one it was
        re-creating may also be gone, its old copy set aside as a leftover
        (read back: any tunctl<N> the namespace has that the model lacks)."""
        asked = c.model(before, self.ctx, loose=True) or before
        act_left = {n: d for n, d in model_from_actual(read_state(self.ns)).items()
                    if LEFTOVER.match(n) and n not in before}
        opts = []
        for n in c.devs:
            o = [before.get(n), asked.get(n)]
            if c.recreate:
                o.append(None)
            opts.append(o)
        out = []
        for combo in itertools.product(*opts):
            st = {k: d.copy() for k, d in before.items()}
            for n, d in zip(c.devs, combo):
                if d is None:
                    st.pop(n, None)
                else:
                    st[n] = d.copy()
            if c.recreate:
                st.update({k: d.copy() for k, d in act_left.items()})
            out.append(('rerun failed: what the killed run did, device by device', st))
        return out

    def step_concurrent(self, step):
        k = self.r.choice([2, 2, 3, 4])
        cmds, used, used_keys = [], set(), set()
        tries = 0
        while len(cmds) < k and tries < 40:
            tries += 1
            c = self.gen.single(self.model, allow_files=True)
            if isinstance(c, Batch) or (isinstance(c, Apply) and c.recreate):
                continue
            if not self.en['conc_same_device']:
                if set(c.devs) & used or (isinstance(c, Invalid) and not c.devs):
                    continue
            keys = route_keys(c)
            if not self.en['apply_dup_route'] and keys & used_keys and (
                    isinstance(c, Apply) or any(isinstance(x, Apply) and route_keys(x) & keys
                                                for x in cmds)):
                continue
            used_keys |= keys
            used |= set(c.devs)
            cmds.append(c)
        identical = False
        if self.en['conc_same_device'] and self.r.random() < 0.4:
            identical = True
            # 27: identical --exist-ok lines (or applies) at once
            c = self.gen.add(self.model, exist_ok=True)
            if self.r.random() < 0.3:
                c.user = 'root'
                if not self.en['apply_dup_route']:
                    c.routes = [x for x in c.routes if not route_anywhere(self.model, x.key(), but=c.name)]
                cmds = [Apply([c], self.gen.path('apply')) for _ in range(k)]
                for x in cmds:
                    x.lines[0].exist_ok = False
            else:
                cmds = [c] * k
        before = self.model
        procs = [self.start(c) for c in cmds]
        res = [p.communicate(timeout=60) for p in procs]
        rcs = [p.returncode for p in procs]
        lines = []
        for c in cmds:
            sl = self.shell_of(c)
            lines += sl[:-1] + [sl[-1] + ' &']
        lines.append('wait')
        self.history += lines
        extra = []
        for c, rc, (out, err) in zip(cmds, rcs, res):
            self.count('conc+' + c.kind, rc)
            extra += self.check_failure_shape(c, rc, out, err)
        if identical and 0 in rcs and any(rcs):
            # the man page: any number of processes may run the same
            # --exist-ok line at once, each exiting 0; applies take turns
            extra.append('identical runs at once did not all exit 0: %s' % rcs)
        ok = [c for c, rc in zip(cmds, rcs) if rc == 0]
        cands = []
        for perm in itertools.permutations(ok):
            st = before
            for c in perm:
                st = c.model(st, self.ctx)
                if st is None:
                    break
            if st is not None:
                cands.append(('serial order %s' % ' ; '.join(map(repr, perm)), st))
        if not cands:
            extra.append('no serial order of the commands that exited 0 can succeed')
            cands = [('unchanged', before)]
        what = '\n'.join(lines) + '\n# exit statuses: %s' % rcs
        for c, rc, (out, err) in zip(cmds, rcs, res):
            if rc:
                what += '\n#   %s: %s' % (c, err.strip().split('\n')[-1][:200])
        self.compare(step, what, cands, extra, before)

    def count(self, kind, rc):
        k = '%s rc=%d' % (kind, rc)
        self.counts[k] = self.counts.get(k, 0) + 1

    def main(self):
        self.model = {}
        self.setup()
        try:
            t_end = time.monotonic() + self.a.time
            step = 0
            while time.monotonic() < t_end and (not self.a.steps or step < self.a.steps):
                step += 1
                x = self.r.random()
                if x < self.a.kill_rate:
                    self.step_kill(step)
                elif x < self.a.kill_rate + self.a.conc_rate:
                    self.step_concurrent(step)
                else:
                    self.step_single(step)
                if self.mismatches and not self.a.keep_going:
                    break
                # now and then start over from an empty namespace
                if self.r.random() < 0.02 and self.model:
                    c = Del(sorted(self.model))
                    self.history += self.shell_of(c)
                    self.run(c)
                    self.compare(step, 'cleanup: ' + repr(c), [('empty', {})], (), self.model)
            self.steps = step
        finally:
            self.teardown()
        print('seed %d: %d steps, %d mismatches (%d kinds)' % (
            self.seed, self.steps, len(self.mismatches), len({m[0] for m in self.mismatches})))
        print('enabled classes: %s' % (', '.join(k for k, v in self.en.items() if v) or 'none'))
        if self.a.verbose:
            for k in sorted(self.counts):
                print('  %-22s %d' % (k, self.counts[k]))
        return 1 if self.mismatches else 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__ + '\nMore in tests/random/README.md.',
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--seed', type=int, default=int(os.environ.get('MODELTEST_SEED', 0)) or None,
                    help='random seed (default: MODELTEST_SEED, else random; printed)')
    ap.add_argument('--time', type=float, default=float(os.environ.get('MODELTEST_TIME', 30)),
                    help='seconds to run (default: MODELTEST_TIME, else 30)')
    ap.add_argument('--steps', type=int, default=0, help='stop after N steps (0: no limit)')
    ap.add_argument('--keep-going', action='store_true',
                    help='go on after a mismatch (from the state read back), to find more')
    ap.add_argument('--enable', default=os.environ.get('MODELTEST_ENABLE', ''),
                    help='comma-separated classes of KNOWN_BROKEN to generate: %s' %
                    ', '.join(KNOWN_BROKEN))
    ap.add_argument('--all', action='store_true', help='enable every class')
    ap.add_argument('--disable', default=os.environ.get('MODELTEST_DISABLE', ''),
                    help='comma-separated classes of KNOWN_BROKEN to leave out (all are on by default)')
    ap.add_argument('--kill-rate', type=float, default=0.1, help='share of kill -9 steps')
    ap.add_argument('--conc-rate', type=float, default=0.1, help='share of concurrent steps')
    ap.add_argument('--tunctl', help='the binary (default: TUNCTL, else src/tunctl)', default=os.environ.get('TUNCTL', os.path.join(here, '..', '..', 'src', 'tunctl')))
    ap.add_argument('-v', '--verbose', action='count', default=0,
                    help='print counts per command and exit status; twice: each single step')
    a = ap.parse_args()
    a.enable = [e for e in a.enable.split(',') if e]
    if a.all:
        a.enable = list(KNOWN_BROKEN)
    a.disable = [e for e in a.disable.split(',') if e]
    for e in a.enable + a.disable:
        if e not in KNOWN_BROKEN:
            ap.error('unknown class %s (known: %s)' % (e, ', '.join(KNOWN_BROKEN)))
    if a.seed is None:
        a.seed = random.SystemRandom().randrange(1, 1 << 31)
    a.tunctl = os.path.abspath(a.tunctl)
    if os.geteuid() != 0:
        print('needs root: creates a network namespace, devices and two users', file=sys.stderr)
        return 77
    # SIGTERM (a timeout, a test runner) still deletes the namespace and users
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print('tunctl model test: seed %d, %g s, %s' % (a.seed, a.time, a.tunctl))
    sys.stdout.flush()
    return Runner(a).main()


if __name__ == '__main__':
    sys.exit(main())
