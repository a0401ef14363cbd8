#!/usr/bin/python
# -*- coding: utf-8 -*-
# device.py - one TUN/TAP device, present or absent, through "tunctl apply".

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: device
short_description: Manage one persistent TUN/TAP device with tunctl
description:
  - Creates, converges in place or deletes one persistent Linux TUN/TAP
    device, with its owner, flags, link settings, addresses and routes.
  - The module writes the device as one C(add) line and runs
    C(tunctl -j apply) on it, so the change is tunctl's transaction, all or
    nothing, and C(changed) is what tunctl's plan says. Other devices are
    never touched. I(state=absent) runs C(tunctl del).
  - Options left out keep what the device has (read with C(tunctl save));
    a new device gets tunctl's defaults for them. I(addresses) and
    I(routes), when given, are the complete lists, as in a file for
    C(tunctl apply) - the device's others are removed (never the kernel's
    own, such as IPv6 link-local addresses and connected routes).
  - Check mode runs C(tunctl apply --dry-run); with C(--diff) the task shows
    tunctl's plan, one change a line (C(+) adds, C(-) removes, C(~)
    changes, C(!) is a note that is no change).
  - A failure fails the task with tunctl's one-line message, and tunctl
    has then left the device as it was.
version_added: "0.1.0"
author:
  - tunctl developers
requirements:
  - tunctl (C(tunctl apply) with C(-j)) on the managed host
  - root, or CAP_NET_ADMIN, on the managed host
options:
  name:
    description:
      - The device's name. A template such as C(tap%d) is refused (by
        tunctl), as the module needs to know the name.
    type: str
    required: true
  state:
    description:
      - C(present) creates the device or converges it to the options given;
        C(absent) deletes it (nothing to do when there is no TUN/TAP device
        of that name).
    type: str
    choices: [present, absent]
    default: present
  mode:
    description:
      - C(tun) (layer 3) or C(tap) (layer 2, Ethernet). Default for a new
        device C(tun). A device of the other mode is an error unless
        I(recreate).
    type: str
    choices: [tun, tap]
  owner:
    description:
      - The user who may attach to the device (name or uid), C(tunctl add
        --user). With none of I(owner), I(group) and I(any_user), a new
        device is owned by the user the module runs as (root), and an
        existing device keeps its owner and group.
      - The kernel cannot unset an owner or group, so removing one needs
        I(recreate).
    type: str
  group:
    description:
      - The group whose members may attach (name or gid), C(tunctl add
        --group).
    type: str
  any_user:
    description:
      - No owner and no group, C(tunctl add --any-user) - any local user who
        can open /dev/net/tun may attach to the device, read its traffic and
        inject packets.
    type: bool
  pi:
    description:
      - The packet information header (C(IFF_NO_PI) off). Left out - kept, or
        off for a new device. While a process holds the device, tunctl
        leaves C(pi) and C(vnet_hdr) as that process set them and says so in
        the plan (a note, no change).
    type: bool
  vnet_hdr:
    description:
      - The virtio-net header (C(IFF_VNET_HDR)).
    type: bool
  multi_queue:
    description:
      - Several queues (C(IFF_MULTI_QUEUE)). Changing it needs I(recreate).
    type: bool
  addresses:
    description:
      - The device's addresses, IPv4 or IPv6, each C(CIDR) or C(CIDR peer
        ADDR) for a point-to-point peer (as tunctl's plan shows them).
      - When given, the complete list - an empty list removes them all.
    type: list
    elements: str
  routes:
    description:
      - The device's routes, each C(PREFIX [via GW] [metric N] [table ID]),
        as C(tunctl add --route) takes them.
      - When given, the complete list.
    type: list
    elements: str
  mtu:
    description:
      - The MTU.
    type: int
  mac:
    description:
      - The MAC address (tap only), C(xx:xx:xx:xx:xx:xx).
    type: str
  txqueuelen:
    description:
      - The transmit queue length.
    type: int
  up:
    description:
      - Whether the link is up. Left out - kept, or up for a new device.
    type: bool
  master:
    description:
      - The bridge (or other master device) to enslave the device to,
        passed through as C(--master DEV) on the device's line.
      - Needs a tunctl that has C(--master); an older one refuses the line
        and the task fails with tunctl's message (C(unknown option
        "--master")).
    type: str
  netns:
    description:
      - The network namespace to work in, a name under /run/netns, as with
        C(ip -n) (tunctl's global C(-n NETNS)). Default - the namespace the
        module runs in.
    type: str
  recreate:
    description:
      - Delete and re-create the device when its mode or multi-queue flag
        differs, or it has an owner or group the task does not give
        (C(tunctl apply --recreate)). Refused while a process holds it.
    type: bool
    default: false
  force:
    description:
      - With I(state=absent) - delete the device even while a process holds
        it open (C(tunctl del --force)). Without it, a held device is
        refused, naming the process.
    type: bool
    default: false
  executable:
    description:
      - The tunctl program. Default - C(tunctl) on the PATH, or in
        /usr/local/sbin, /usr/sbin or /sbin.
    type: path
attributes:
  check_mode:
    support: full
    description: Runs C(tunctl apply --dry-run).
  diff_mode:
    support: full
    description: Shows tunctl's plan.
notes:
  - One device per task. For all of a namespace's devices at once, and to
    delete those not named, use M(tunctl.tunctl.apply) with I(prune).
  - C(man 8 tunctl) describes C(add), C(apply) and C(del), which the module
    runs, and the JSON of the plan.
  - Between reading the device (C(tunctl save)) and C(tunctl apply), another
    program may change it; apply then converges to the task's line, and
    options left out take what was read.
seealso:
  - module: tunctl.tunctl.apply
'''

EXAMPLES = r'''
- name: A VPN tun device with an address, a peer and a route
  tunctl.tunctl.device:
    name: vpn0
    addresses:
      - 192.0.2.1/32 peer 192.0.2.2
    routes:
      - 198.51.100.0/24 via 192.0.2.2 metric 50
    mtu: 1400

- name: A tap device for a VM, owned by alice, with vnet headers and a MAC
  tunctl.tunctl.device:
    name: vm1
    mode: tap
    owner: alice
    vnet_hdr: true
    multi_queue: true
    mac: 02:00:00:00:00:01

- name: A tap device on a bridge (needs a tunctl with --master)
  tunctl.tunctl.device:
    name: vm2
    mode: tap
    master: br0

- name: Inside the network namespace "blue"
  tunctl.tunctl.device:
    name: tun0
    netns: blue
    addresses: [2001:db8::1/64]

- name: Gone, even if a process still holds it
  tunctl.tunctl.device:
    name: vm1
    state: absent
    force: true
'''

RETURN = r'''
changed:
  description: Whether anything was (in check mode - would be) changed; notes are no change.
  returned: always
  type: bool
plan:
  description: tunctl's plan, one change a line, as C(tunctl apply) prints it.
  returned: always
  type: list
  elements: str
  sample: ["+ vpn0 create", "+ vpn0 addr 192.0.2.1/32 peer 192.0.2.2", "~ vm0 mtu 1500 -> 1400"]
changes:
  description: The plan as C(tunctl -j apply) prints it, one object per change
    (keys C(device), C(op), and C(setting), C(from), C(to), C(addr),
    C(route) or C(note) by op; see tunctl(8), JSON OUTPUT).
  returned: always
  type: list
  elements: dict
  sample: [{"device": "vm0", "op": "set", "setting": "mtu", "from": "1500", "to": "1400"}]
line:
  description: The device's line given to C(tunctl apply) (not with I(state=absent)).
  returned: when state is present
  type: str
  sample: add vpn0 --mode tun --user root --mtu 1400 --addr 192.0.2.1/32 --peer 192.0.2.2
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.tunctl.tunctl.plugins.module_utils.tunctl import (
    COMMON_OPTIONS, DEVICE_OPTIONS, apply, device_line, merge, run, saved_device)


def argument_spec():
    spec = dict(DEVICE_OPTIONS)
    spec.update(COMMON_OPTIONS)
    spec.update(
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        recreate=dict(type='bool', default=False),
        force=dict(type='bool', default=False),
    )
    return spec


def absent(module, name, cur):
    res = dict(changed=False, changes=[], plan=[])
    if cur is None:
        return res
    res.update(changed=True, changes=[dict(device=name, op='delete')], plan=['- %s delete' % name])
    if module._diff:
        res['diff'] = dict(prepared=res['plan'][0] + '\n')
    if not module.check_mode:
        run(module, ['del', name] + (['--force'] if module.params['force'] else []))
    return res


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        supports_check_mode=True,
    )
    p = module.params
    if p['any_user'] and (p['owner'] is not None or p['group'] is not None):
        module.fail_json(msg='any_user: true means no owner and no group: leave owner and group out')
    cur = saved_device(module, p['name'])
    if p['state'] == 'absent':
        module.exit_json(**absent(module, p['name'], cur))
    line, err = device_line(merge(p, cur))
    if err:
        module.fail_json(msg=err)
    res = apply(module, line + '\n', module.check_mode, recreate=p['recreate'])
    res['line'] = line
    module.exit_json(**res)


if __name__ == '__main__':
    main()
