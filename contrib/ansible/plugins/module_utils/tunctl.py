# -*- coding: utf-8 -*-
# tunctl.py - what the tunctl.tunctl modules share: running tunctl, building
# an "add" line from module options, reading "save" lines back, and the plan
# of "apply -j" as text.
#
# The modules never change devices themselves: they run "tunctl apply" (or
# "tunctl del") and report what tunctl printed, so the transaction, the undo
# and the error messages are tunctl's.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import shlex

try:
    from shlex import quote
except ImportError:  # Python 2
    from pipes import quote

# The options of "tunctl add" that take a value, and those that do not.
# "--master" is passed through as given (a tunctl without it refuses it
# with its own message).
VALUED = ('--mode', '--user', '--group', '--addr', '--peer', '--route',
          '--mtu', '--mac', '--txqueuelen', '--master')
FLAGS = ('--any-user', '--pi', '--vnet-hdr', '--multi-queue', '--down',
         '--exist-ok')

# The options of one device, shared by the device module and the devices
# of the apply module. Every one defaults to None: "not given".
DEVICE_OPTIONS = dict(
    name=dict(type='str', required=True),
    mode=dict(type='str', choices=['tun', 'tap']),
    owner=dict(type='str'),
    group=dict(type='str'),
    any_user=dict(type='bool'),
    pi=dict(type='bool'),
    vnet_hdr=dict(type='bool'),
    multi_queue=dict(type='bool'),
    addresses=dict(type='list', elements='str'),
    routes=dict(type='list', elements='str'),
    mtu=dict(type='int'),
    mac=dict(type='str'),
    txqueuelen=dict(type='int'),
    up=dict(type='bool'),
    master=dict(type='str'),
)

COMMON_OPTIONS = dict(
    netns=dict(type='str'),
    executable=dict(type='path'),
)


def tunctl_base(module):
    """The command line up to the command: tunctl [-n NETNS]."""
    exe = module.params.get('executable')
    if not exe:
        exe = module.get_bin_path('tunctl', required=True,
                                  opt_dirs=['/usr/local/sbin', '/usr/sbin', '/sbin'])
    cmd = [exe]
    if module.params.get('netns'):
        cmd += ['-n', module.params['netns']]
    return cmd


def run(module, args, data=None):
    """Runs tunctl; on failure, fails the task with tunctl's own message."""
    cmd = tunctl_base(module) + args
    rc, out, err = module.run_command(cmd, data=data, binary_data=data is not None)
    if rc != 0:
        msg = err.strip() or out.strip() or 'tunctl exited with status %d' % rc
        extra = {}
        # With -j, tunctl writes its error as one JSON object on stderr:
        # the message is the text line tunctl prints without -j.
        try:
            doc = json.loads(err.strip().splitlines()[0])
        except (ValueError, IndexError):
            doc = None
        if isinstance(doc, dict) and 'error' in doc:
            where = doc.get('where')
            msg = 'tunctl: %s%s' % (where + ': ' if where else '', doc['error'])
            extra['error'] = doc
        module.fail_json(msg=msg, rc=rc, cmd=cmd, stdout=out, stderr=err, **extra)
    if err.strip():
        for line in err.strip().splitlines():
            module.warn(line)
    return out


def run_json(module, args, data=None):
    out = run(module, args, data)
    try:
        return json.loads(out)
    except ValueError:
        module.fail_json(msg='tunctl printed no JSON: %r' % out[:200],
                         cmd=tunctl_base(module) + args, stdout=out)


def saved_device(module, name):
    """The device as "tunctl save" prints it, parsed; None when the
    namespace has no TUN/TAP device of that name. save prints every device
    (with a name it fails for a missing one, as for any other failure), so
    only lines that can be the device's are parsed."""
    for line in run_json(module, ['-j', 'save']):
        if name in line:
            d = parse_line(line)
            if d is not None and d['name'] == name:
                return d
    return None


def parse_line(line):
    """An "add" line as save prints it, into a dict of the device's options.
    Options this code does not know are kept, in order, under 'other'."""
    tok = shlex.split(line, comments=True)
    if len(tok) < 2 or tok[0] != 'add':
        return None
    d = dict(name=tok[1], addresses=[], routes=[], other=[])
    i = 2
    while i < len(tok):
        t = tok[i]
        v = tok[i + 1] if i + 1 < len(tok) else None
        if t in FLAGS:
            d[t[2:].replace('-', '_')] = True
            i += 1
        elif t in VALUED and v is not None:
            if t == '--addr':
                d['addresses'].append(v)
            elif t == '--peer' and d['addresses']:
                d['addresses'][-1] += ' peer ' + v
            elif t == '--route':
                d['routes'].append(v)
            else:
                d[t[2:]] = v
            i += 2
        elif v is not None and not v.startswith('--'):
            d['other'] += [t, v]
            i += 2
        else:
            d['other'].append(t)
            i += 1
    return d


def address_args(text):
    """"CIDR" or "CIDR peer ADDR" (as apply's plan shows addresses) into
    --addr/--peer; None when it is neither."""
    w = text.split()
    if len(w) == 1:
        return ['--addr', w[0]]
    if len(w) == 3 and w[1] == 'peer':
        return ['--addr', w[0], '--peer', w[2]]
    return None


def merge(p, cur):
    """The device as the file line should say: the options given (p), and
    for those not given, what the device has now (cur, from save), or
    nothing (tunctl's default) for a new device."""
    cur = cur or {}
    want = dict((k, p.get(k)) for k in DEVICE_OPTIONS)
    want['name'] = want['name'] or cur.get('name')
    same_mode = want['mode'] is None or want['mode'] == cur.get('mode')
    for k in ('mode', 'pi', 'vnet_hdr', 'multi_queue', 'mtu', 'mac',
              'txqueuelen', 'master', 'addresses', 'routes'):
        if want[k] is None and k in cur and (k != 'mac' or same_mode):
            want[k] = cur[k]
    if want['up'] is None and cur:
        want['up'] = not cur.get('down', False)
    # Owner and group go together: tunctl reads a line with neither as
    # "owned by the caller", so what the device has is kept unless the task
    # names one of the three.
    if want['any_user']:
        want['owner'] = want['group'] = None
    elif want['owner'] is None and want['group'] is None:
        want['owner'] = cur.get('user')
        want['group'] = cur.get('group')
        if want['any_user'] is None:
            want['any_user'] = cur.get('any_user')
    else:
        if want['owner'] is None:
            want['owner'] = cur.get('user')
        if want['group'] is None:
            want['group'] = cur.get('group')
    want['other'] = list(cur.get('other', []))
    return want


def device_line(d):
    """One "add" line for apply, from a dict of DEVICE_OPTIONS (None: not
    given). Returns (line, error)."""
    a = ['add', d['name']]
    if d.get('mode'):
        a += ['--mode', d['mode']]
    if d.get('owner') is not None:
        a += ['--user', str(d['owner'])]
    if d.get('group') is not None:
        a += ['--group', str(d['group'])]
    if d.get('any_user'):
        a.append('--any-user')
    for k in ('pi', 'vnet_hdr', 'multi_queue'):
        if d.get(k):
            a.append('--' + k.replace('_', '-'))
    for k in ('mtu', 'mac', 'txqueuelen', 'master'):
        if d.get(k) is not None:
            a += ['--' + k, str(d[k])]
    if d.get('up') is False:
        a.append('--down')
    for text in d.get('addresses') or []:
        args = address_args(text)
        if args is None:
            return None, ('address %r of %s: give "CIDR" or "CIDR peer ADDR"' % (text, d['name']))
        a += args
    for r in d.get('routes') or []:
        a += ['--route', r]
    a += d.get('other') or []
    # A file line ends at a newline, even inside quotes: tunctl would say
    # "unterminated quote"; this says which value.
    for x in a:
        if '\n' in x or '\r' in x or '\0' in x:
            return None, ('%s: %r: a value cannot hold a line break or NUL' % (d['name'], x))
    return ' '.join(quote(x) for x in a), None


def plan_lines(changes):
    """apply's JSON plan as the text apply prints without -j."""
    lines = []
    for c in changes:
        dev, op = c.get('device'), c.get('op')
        if op == 'create':
            lines.append('+ %s create' % dev)
        elif op == 'delete':
            lines.append('- %s delete' % dev)
        elif op == 'recreate':
            lines.append('~ %s recreate (%s %s -> %s)' % (dev, c.get('setting'), c.get('from'), c.get('to')))
        elif op == 'set':
            lines.append('~ %s %s %s -> %s' % (dev, c.get('setting'), c.get('from'), c.get('to')))
        elif op in ('add', 'remove'):
            what = 'addr' if 'addr' in c else 'route'
            lines.append('%s %s %s %s' % ('+' if op == 'add' else '-', dev, what, c.get(what)))
        elif op == 'note':
            lines.append('! %s %s' % (dev, c.get('note')))
        else:
            lines.append('? %s %s' % (dev, json.dumps(c, sort_keys=True)))
    return lines


def apply(module, text, check, prune=False, force=False, recreate=False, src='-', others=False):
    """Runs "tunctl -j apply" on text (or on the file src when text is
    None). Returns the result keys: changed, changes, plan (and the diff
    when asked). Unless others, the notes on present devices the text does
    not name ("kept (--prune deletes it)") are left out: they are no change,
    and the device module names one device of many."""
    args = ['-j', 'apply', src]
    if check:
        args.append('--dry-run')
    if prune:
        args.append('--prune')
    if force:
        args.append('--force')
    if recreate:
        args.append('--recreate')
    data = text.encode('utf-8') if text is not None else None
    doc = run_json(module, args, data)
    if not isinstance(doc, dict) or 'changes' not in doc:
        module.fail_json(msg='tunctl printed no plan: %r' % doc)
    changes = [c for c in doc['changes'] if others or not c.get('not_in_file')]
    res = dict(changed=bool(doc.get('changed')), changes=changes, plan=plan_lines(changes))
    if module._diff and res['plan']:
        res['diff'] = dict(prepared='\n'.join(res['plan']) + '\n')
    return res
