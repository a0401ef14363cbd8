#!/usr/bin/python
# -*- coding: utf-8 -*-
# apply.py - all of a namespace's TUN/TAP devices from one file, through
# "tunctl apply".

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: apply
short_description: Make a namespace's TUN/TAP devices match a tunctl file
description:
  - Runs C(tunctl -j apply) on a file of C(add) lines (as C(tunctl save)
    prints them), given as a path on the managed host (I(src)), as text
    (I(content)), or as a list of devices (I(devices)). Each device the
    file names is created or converged in place, all or nothing; with
    I(prune), the TUN/TAP devices it does not name are deleted.
  - The file says everything about each device it names - an option left
    out of a line is tunctl's default (owned by the caller, up, no
    addresses, no routes), not "keep", unlike M(tunctl.tunctl.device).
  - C(changed) is what tunctl's plan says. Check mode runs C(tunctl apply
    --dry-run); with C(--diff) the task shows the plan, one change a line.
  - A failure fails the task with tunctl's one-line message (C(FILE:LINE:)
    for a bad line; C(<stdin>:LINE:) for I(content) and I(devices)), and
    tunctl has then put back everything it changed.
version_added: "0.1.0"
author:
  - tunctl developers
requirements:
  - tunctl (C(tunctl apply) with C(-j)) on the managed host
  - root, or CAP_NET_ADMIN, on the managed host
options:
  src:
    description:
      - A file of C(add) lines on the managed host, such as
        /etc/tunctl/devices (the file tunctl.service applies at boot).
      - One of I(src), I(content) and I(devices) is required.
    type: path
  content:
    description:
      - The file's text, given to tunctl on standard input.
    type: str
  devices:
    description:
      - The devices, one line each, from the same options as
        M(tunctl.tunctl.device) (without I(state), I(netns), I(recreate),
        I(force), I(executable)). An option left out is tunctl's default.
    type: list
    elements: dict
    suboptions:
      name:
        description: The device's name.
        type: str
        required: true
      mode:
        description: C(tun) (the default) or C(tap).
        type: str
        choices: [tun, tap]
      owner:
        description: The user who may attach (name or uid). Default - the user the module runs as.
        type: str
      group:
        description: The group whose members may attach (name or gid).
        type: str
      any_user:
        description: No owner and no group - any local user may attach.
        type: bool
      pi:
        description: The packet information header.
        type: bool
      vnet_hdr:
        description: The virtio-net header.
        type: bool
      multi_queue:
        description: Several queues.
        type: bool
      addresses:
        description: The addresses, each C(CIDR) or C(CIDR peer ADDR).
        type: list
        elements: str
      routes:
        description: The routes, each C(PREFIX [via GW] [metric N] [table ID]).
        type: list
        elements: str
      mtu:
        description: The MTU.
        type: int
      mac:
        description: The MAC address (tap only).
        type: str
      txqueuelen:
        description: The transmit queue length.
        type: int
      up:
        description: Whether the link is up (default true).
        type: bool
      master:
        description:
          - The master device, C(--master DEV) on the line; needs a tunctl
            that has C(--master), else the task fails with tunctl's message.
        type: str
  prune:
    description:
      - Also delete every TUN/TAP device of the namespace the file does not
        name (never any other kind of device). One that a process holds is
        refused, naming it, unless I(force).
    type: bool
    default: false
  force:
    description:
      - With I(prune) - delete held devices too.
    type: bool
    default: false
  recreate:
    description:
      - Delete and re-create a device whose mode or multi-queue flag differs,
        or that has an owner or group its line lacks.
    type: bool
    default: false
  netns:
    description:
      - The network namespace to work in, a name under /run/netns, as with
        C(ip -n) (tunctl's global C(-n NETNS)). Default - the namespace the
        module runs in.
    type: str
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
  - C(man 8 tunctl) describes the file, C(apply), the order of its changes
    and the JSON of the plan.
seealso:
  - module: tunctl.tunctl.device
'''

EXAMPLES = r'''
- name: The devices of /etc/tunctl/devices, and no others
  tunctl.tunctl.apply:
    src: /etc/tunctl/devices
    prune: true

- name: Devices from a template
  tunctl.tunctl.apply:
    content: "{{ lookup('template', 'devices.j2') }}"
    netns: blue

- name: Devices as data
  tunctl.tunctl.apply:
    prune: true
    devices:
      - name: vpn0
        addresses: [192.0.2.1/32 peer 192.0.2.2]
        routes: [198.51.100.0/24 via 192.0.2.2]
      - name: vm0
        mode: tap
        owner: alice
        vnet_hdr: true
  register: tunctl_plan

- name: What changed
  ansible.builtin.debug:
    var: tunctl_plan.plan
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
  sample: ["+ vpn0 create", "~ vm0 mtu 1500 -> 1400", "- old0 delete"]
changes:
  description: The plan as C(tunctl -j apply) prints it, one object per change
    (keys C(device), C(op), and C(setting), C(from), C(to), C(addr),
    C(route) or C(note) by op; see tunctl(8), JSON OUTPUT).
  returned: always
  type: list
  elements: dict
  sample: [{"device": "old0", "op": "delete"}]
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.tunctl.tunctl.plugins.module_utils.tunctl import (
    COMMON_OPTIONS, DEVICE_OPTIONS, apply, device_line)


def argument_spec():
    spec = dict(COMMON_OPTIONS)
    spec.update(
        src=dict(type='path'),
        content=dict(type='str'),
        devices=dict(type='list', elements='dict', options=dict(DEVICE_OPTIONS)),
        prune=dict(type='bool', default=False),
        force=dict(type='bool', default=False),
        recreate=dict(type='bool', default=False),
    )
    return spec


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        required_one_of=[('src', 'content', 'devices')],
        mutually_exclusive=[('src', 'content', 'devices')],
        supports_check_mode=True,
    )
    p = module.params
    text, src = p['content'], '-'
    if p['src'] is not None:
        src, text = p['src'], None
    elif p['devices'] is not None:
        lines = []
        for d in p['devices']:
            if d['any_user'] and (d['owner'] is not None or d['group'] is not None):
                module.fail_json(msg='%s: any_user: true means no owner and no group' % d['name'])
            line, err = device_line(d)
            if err:
                module.fail_json(msg=err)
            lines.append(line)
        text = ''.join(x + '\n' for x in lines)
    res = apply(module, text, module.check_mode, prune=p['prune'], force=p['force'],
                recreate=p['recreate'], src=src)
    module.exit_json(**res)


if __name__ == '__main__':
    main()
