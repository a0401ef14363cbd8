#!/usr/bin/env bats
# The Ansible collection (contrib/ansible): built and installed with
# ansible-galaxy into a collections path of this file, its modules'
# documentation rendered by ansible-doc, and its modules run by
# ansible-playbook -c local on the devices of a scratch namespace (the
# modules' netns option, or ansible-playbook under ip netns exec), the
# results read back with ip. ansible-playbook takes seconds to start, so
# there are few runs and each playbook does several steps with its own
# assertions: the tests build on each other, in order, on one namespace
# that setup_file makes (the last, of the modules' pure code, stands alone).
bats_require_minimum_version 1.5.0
load helpers

COLL=$BATS_TEST_DIRNAME/../contrib/ansible

setup_file() {
	command -v ansible-playbook >/dev/null || return 0
	A=$BATS_FILE_TMPDIR
	mkdir -p "$A/home" "$A/tmp" "$A/build"
	: >"$A/ansible.cfg"
	# The Python that ansible-playbook runs on (Debian's, which has the
	# ansible package) also runs the modules and the documentation check.
	APY=$(sed -n '1s/^#! *//p' "$(command -v ansible-playbook)")
	# Nothing read from or written to the machine's Ansible setup.
	export ANSIBLE_CONFIG=$A/ansible.cfg ANSIBLE_HOME=$A/home ANSIBLE_LOCAL_TEMP=$A/tmp \
		ANSIBLE_REMOTE_TEMP=$A/tmp ANSIBLE_COLLECTIONS_PATH=$A/c ANSIBLE_NOCOLOR=1 \
		ANSIBLE_PYTHON_INTERPRETER=$APY ANSIBLE_LOCALHOST_WARNING=0 \
		ANSIBLE_INVENTORY_UNPARSED_WARNING=0 ANSIBLE_RETRY_FILES_ENABLED=0
	export A APY
	ansible-galaxy collection build "$COLL" --output-path "$A/build" >/dev/null
	ansible-galaxy collection install "$A"/build/tunctl-tunctl-*.tar.gz -p "$A/c" >/dev/null
	[ "$(id -u)" = 0 ] || return 0
	NS="tunctl-ansible-$$"
	ip netns add "$NS"
	export NS
	write_playbooks
}

teardown_file() {
	[ -n "${NS:-}" ] && ip netns del "$NS" 2>/dev/null || true
}

teardown() {
	[ -n "${HOLDER:-}" ] && kill "$HOLDER" 2>/dev/null && wait "$HOLDER" 2>/dev/null
	[ -n "${PLAN_NS:-}" ] && ip netns del "$PLAN_NS" 2>/dev/null || true
}

setup() {
	command -v ansible-playbook >/dev/null || skip "needs ansible-playbook and ansible-doc (Debian: ansible-core)"
}

# ansible-playbook on localhost, with tunctl of this build. Every playbook
# first checks that it works on the test's namespace: through the modules'
# netns option (-e ns=NS), or run under "ip netns exec NS" (no ns).
play() {
	ansible-playbook -c local -i localhost, -e "tunctl=$TUNCTL expect_ns=$NS" "$@"
}

# Everything the modules manage, as ip reads it, without what changes by
# itself (indexes, counters, carrier, operstate, lifetimes).
state() {
	link_json | jq -S 'map({ifname, mtu, txqlen, address, up: (.flags | index("UP") != null),
		tun: .linkinfo.info_data}) | sort_by(.ifname)'
	addr_json | jq -S 'map({ifname, a: (.addr_info | map({family, local, prefixlen, address})
		| sort_by(.local))}) | sort_by(.ifname)'
	for fam in -4 -6; do
		ip -n "$NS" "$fam" -j route show table all | jq -S 'map(select(.type != "local"
			and .type != "multicast" and (.dst | startswith("fe80") | not)) | del(.flags))
			| sort_by(.dst, .dev, .table)'
	done
}

recap_changed() {
	grep -E '^localhost +: ' <<<"$output" | grep -oE 'changed=[0-9]+'
}

write_playbooks() {
	local head='- hosts: all
  gather_facts: false
  module_defaults:
    group/tunctl.tunctl.tunctl:
      executable: "{{ tunctl }}"
      netns: "{{ ns | default(omit) }}"
  tasks:
    - name: the test namespace, never the machine'"'"'s
      ansible.builtin.assert:
        that: ns is defined or lookup("pipe", "ip netns identify") == expect_ns
'
	printf 'add f0 --addr 203.0.113.1/24\n' >"$A/devices"
	{ printf '%s' "$head"; cat <<-'EOF'; } >"$A/create.yml"
	    - tunctl.tunctl.device:
	        name: vm0
	        mode: tap
	        owner: nobody
	        vnet_hdr: true
	        mtu: 1400
	        mac: '02:00:00:00:00:01'
	        addresses: [192.0.2.1/24, 192.0.2.5/32 peer 192.0.2.6]
	        routes: [198.51.100.0/24 via 192.0.2.2 metric 50]
	      register: r1
	    - tunctl.tunctl.apply:
	        devices:
	          - {name: vpn0, group: nogroup, pi: true, up: false, addresses: [198.18.0.1/15]}
	          - {name: q0, mode: tap, multi_queue: true, any_user: true, txqueuelen: 2000,
	             addresses: ['2001:db8::1/64'], routes: ['2001:db8:1::/48']}
	      register: r2
	    - tunctl.tunctl.apply:
	        src: "{{ devfile }}"
	      register: r3
	    - tunctl.tunctl.device:
	        name: nosuch0
	        state: absent
	      register: r4
	    - ansible.builtin.assert:
	        that:
	          - 'r1.plan == ["+ vm0 create", "+ vm0 addr 192.0.2.1/24", "+ vm0 addr 192.0.2.5/32 peer 192.0.2.6", "+ vm0 route 198.51.100.0/24 via 192.0.2.2 metric 50"]'
	          - 'r1.changes[0] == {"device": "vm0", "op": "create"}'
	          - 'r2.plan | select("search", " create$") | sort == ["+ q0 create", "+ vpn0 create"]'
	          - 'r3.plan == ["+ f0 create", "+ f0 addr 203.0.113.1/24"]'
	      when: r1 is changed
	    - ansible.builtin.assert:
	        that:
	          - 'r1.plan == [] and r2.plan == [] and r3.plan == [] and r1.changes == []'
	      when: r1 is not changed
	    - ansible.builtin.assert:
	        that:
	          - 'r4 is not changed and r4.plan == []'
	EOF
	{ printf '%s' "$head"; cat <<-'EOF'; } >"$A/check.yml"
	    - tunctl.tunctl.device:
	        name: vm0
	        mtu: 1300
	        addresses: [192.0.2.1/24]
	      register: r1
	    - tunctl.tunctl.device: {name: new0}
	      register: r2
	    - tunctl.tunctl.device: {name: f0, state: absent}
	      register: r3
	    - tunctl.tunctl.apply:
	        prune: true
	        devices: [{name: f0, addresses: [203.0.113.1/24]}]
	      register: r4
	    - tunctl.tunctl.device: {name: vpn0, mode: tap, recreate: true}
	      register: r5
	    - ansible.builtin.assert:
	        that:
	          - 'r1 is changed and r2 is changed and r3 is changed and r4 is changed and r5 is changed'
	          - 'r5.plan == ["~ vpn0 recreate (mode tun -> tap)", "+ vpn0 addr 198.18.0.1/15"]'
	          - 'r1.plan == ["~ vm0 mtu 1400 -> 1300", "- vm0 addr 192.0.2.5/32 peer 192.0.2.6"]'
	          - 'r1.changes[0] == {"device": "vm0", "op": "set", "setting": "mtu", "from": "1400", "to": "1300"}'
	          - 'r3.changes == [{"device": "f0", "op": "delete"}]'
	          - 'r4.plan | sort == ["- q0 delete", "- vm0 delete", "- vpn0 delete"]'
	EOF
	{ printf '%s' "$head"; cat <<-'EOF'; } >"$A/change.yml"
	    - name: only the MTU given; owner, flags, MAC, addresses and routes kept
	      tunctl.tunctl.device: {name: vm0, mtu: 1300}
	      register: r1
	    - name: f0, held open by a process, is refused without force
	      tunctl.tunctl.device: {name: f0, state: absent}
	      register: held
	      ignore_errors: true
	    - tunctl.tunctl.device: {name: f0, state: absent, force: true}
	      register: r2
	    - tunctl.tunctl.device: {name: f0, state: absent}
	      register: r3
	    - name: bad values, each failing with tunctl's message
	      tunctl.tunctl.device:
	        name: "{{ item.name }}"
	        mode: "{{ item.mode | default(omit) }}"
	        mac: "{{ item.mac | default(omit) }}"
	        mtu: "{{ item.mtu | default(omit) }}"
	        master: "{{ item.master | default(omit) }}"
	        addresses: "{{ item.addresses | default(omit) }}"
	      loop:
	        - {name: bad0, mode: tap, mac: zz}
	        - {name: vm0, mtu: 10}
	        - {name: bad1, mode: tap, master: nosuch0}
	        - {name: bad2, addresses: [192.0.2.9/24 via 192.0.2.1]}
	      register: bad
	      ignore_errors: true
	    - tunctl.tunctl.apply:
	        prune: true
	        devices:
	          - {name: vm0, mode: tap, owner: nobody, vnet_hdr: true, mtu: 1300, mac: '02:00:00:00:00:01',
	             addresses: [192.0.2.1/24, 192.0.2.5/32 peer 192.0.2.6], routes: [198.51.100.0/24 via 192.0.2.2 metric 50]}
	      register: r4
	    - ansible.builtin.assert:
	        that:
	          - 'r1 is changed and r1.plan == ["~ vm0 mtu 1400 -> 1300"]'
	          - 'held is failed and held.msg is search("^tunctl: device f0 is in use by .*\\(pid [0-9]+\\).*--force")'
	          - 'r2 is changed and r2.plan == ["- f0 delete"]'
	          - 'r3 is not changed'
	          - 'bad.results | map(attribute="failed") | list == [true, true, true, true]'
	          - 'bad.results[0].msg == ''tunctl: <stdin>:1: "zz" is not a MAC address (use xx:xx:xx:xx:xx:xx)'''
	          - 'bad.results[0].rc == 2'
	          - 'bad.results[1].msg is search("^tunctl: .*mtu 10")'
	          - 'bad.results[1].rc == 1'
	          - 'bad.results[2].msg is search("^tunctl: .*(--master|nosuch0)")'
	          - 'bad.results[3].msg is search("192.0.2.9/24 via 192.0.2.1.*CIDR peer ADDR")'
	          - 'r4.plan | sort == ["- q0 delete", "- vpn0 delete"]'
	    - name: the last, not caught, fails the play
	      tunctl.tunctl.apply:
	        content: "add bad3 --mtu 10\n"
	EOF
}

@test "ansible-doc renders both modules, with every option documented" {
	run ansible-doc tunctl.tunctl.device tunctl.tunctl.apply
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	for w in "tunctl.tunctl.device" "tunctl.tunctl.apply" "OPTIONS" "EXAMPLES" "RETURN VALUES" \
		"master" "vnet_hdr" "multi_queue" "prune" "netns" "--master DEV"; do
		grep -qF -- "$w" <<<"$output" || { echo "ansible-doc lacks $w"; return 1; }
	done
	# What each module accepts is what it documents, with the same types,
	# defaults and choices (ansible-test's validate-modules checks this;
	# ansible-test needs the network here).
	run "$APY" - "$A/c/ansible_collections/tunctl/tunctl/plugins/modules" <<-'EOF'
	import importlib.util, sys, yaml
	sys.path.insert(0, sys.argv[1] + "/../../../../..")
	bad = 0
	def cmp(mod, doc, spec, where):
	    global bad
	    if set(doc) != set(spec):
	        print(mod, where, "documented but not accepted:", set(doc) - set(spec),
	              "accepted but not documented:", set(spec) - set(doc)); bad += 1
	    for k in set(doc) & set(spec):
	        d, s = doc[k], spec[k]
	        for f in ("type", "default", "choices", "elements", "required"):
	            dv, sv = d.get(f), s.get(f)
	            if f == "required": dv, sv = bool(dv), bool(sv)
	            if dv != sv:
	                print(mod, where, k, f, "documented", dv, "accepted", sv); bad += 1
	        if "suboptions" in d or "options" in s:
	            cmp(mod, d.get("suboptions", {}), s.get("options") or {}, where + "." + k)
	for mod in ("device", "apply"):
	    spec = importlib.util.spec_from_file_location(mod, sys.argv[1] + "/" + mod + ".py")
	    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
	    for part in ("DOCUMENTATION", "EXAMPLES", "RETURN"):
	        yaml.safe_load(getattr(m, part))
	    spec = m.argument_spec()
	    cmp(mod, yaml.safe_load(m.DOCUMENTATION)["options"], spec, "options")
	    # Each example uses only options the module takes.
	    for task in yaml.safe_load(m.EXAMPLES):
	        for name, args in task.items():
	            if not name.startswith("tunctl.tunctl."):
	                continue
	            unknown = set(args) - set(spec)
	            for d in args.get("devices") or []:
	                unknown |= set(d) - set(spec["devices"]["options"])
	            if name != "tunctl.tunctl." + mod or unknown:
	                print(mod, "example", task.get("name"), "uses", name, unknown or ""); bad += 1
	sys.exit(bad != 0)
	EOF
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

@test "create: the device and apply modules make the devices, as ip reads them back" {
	need_root
	run play -e "ns=$NS devfile=$A/devices" "$A/create.yml"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(recap_changed)" = changed=3 ] || { echo "$output"; return 1; }
	run tun_devices
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "f0 q0 vm0 vpn0 " ] || { echo "$output"; return 1; }
	link_json vm0 | jq -e '.[0] | .mtu == 1400 and .address == "02:00:00:00:00:01"
		and (.flags | index("UP")) and .linkinfo.info_data.type == "tap"
		and .linkinfo.info_data.vnet_hdr and (.linkinfo.info_data.pi | not)
		and .linkinfo.info_data.user == "nobody"' >/dev/null || { link_json vm0; return 1; }
	addr_json vm0 | jq -e '[.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen) \(.address // "")"]
		| sort == ["192.0.2.1/24 ", "192.0.2.5/32 192.0.2.6"]' >/dev/null || { addr_json vm0; return 1; }
	route_json 198.51.100.0/24 | jq -e '.[0] | .dev == "vm0" and .gateway == "192.0.2.2" and .metric == 50' \
		>/dev/null || { route_json; return 1; }
	link_json vpn0 | jq -e '.[0] | (.flags | index("UP") | not) and .linkinfo.info_data.type == "tun"
		and .linkinfo.info_data.pi and .linkinfo.info_data.group == "nogroup"
		and (.linkinfo.info_data.user == null)' >/dev/null || { link_json vpn0; return 1; }
	addr_json vpn0 | jq -e '.[0].addr_info | map("\(.local)/\(.prefixlen)") == ["198.18.0.1/15"]' >/dev/null || { addr_json vpn0; return 1; }
	addr_json q0 | jq -e 'any(.[0].addr_info[]; .local == "2001:db8::1" and .prefixlen == 64)' >/dev/null
	ip -n "$NS" -6 -j route show 2001:db8:1::/48 | jq -e '.[0].dev == "q0"' >/dev/null
	link_json q0 | jq -e '.[0] | .txqlen == 2000 and .linkinfo.info_data.multi_queue
		and .linkinfo.info_data.user == null and .linkinfo.info_data.group == null' >/dev/null ||
		{ link_json q0; return 1; }
	addr_json f0 | jq -e '.[0].addr_info[0] | .local == "203.0.113.1" and .prefixlen == 24' >/dev/null
}

@test "a second run changes nothing: changed=0" {
	need_root
	before=$(state)
	run play -e "ns=$NS devfile=$A/devices" "$A/create.yml"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(recap_changed)" = changed=0 ] || { echo "$output"; return 1; }
	[ "$(state)" = "$before" ]
}

@test "check mode under ip netns exec: --diff shows the plan, nothing changes" {
	need_root
	before=$(state)
	run in_ns ansible-playbook -c local -i localhost, -e "tunctl=$TUNCTL expect_ns=$NS" \
		--check --diff "$A/check.yml"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(recap_changed)" = changed=5 ] || { echo "$output"; return 1; }
	for l in "~ vm0 mtu 1400 -> 1300" "- vm0 addr 192.0.2.5/32 peer 192.0.2.6" "+ new0 create" \
		"- f0 delete" "- q0 delete" "- vpn0 delete" "~ vpn0 recreate (mode tun -> tap)"; do
		grep -qxF -- "$l" <<<"$output" || { echo "--diff output lacks '$l':"; echo "$output"; return 1; }
	done
	diff -u <(echo "$before") <(state)
}

@test "changes keep what is not given; absent and prune delete; bad values fail with tunctl's message" {
	need_root
	hold_device f0
	run play -e "ns=$NS" "$A/change.yml"
	[ "$status" -eq 2 ] || { echo "status $status, want 2"; echo "$output"; return 1; }
	# Everything before the last task went through; the last failed the play.
	grep -qE '^localhost +: ok=[0-9]+ +changed=3 .*failed=1 .*ignored=2' <<<"$output" ||
		{ echo "$output"; return 1; }
	grep -qF '"msg": "tunctl: <stdin>:1: bad3: mtu 10' <<<"$output" || { echo "$output"; return 1; }
	run tun_devices
	[ "$output" = vm0 ] || { echo "devices: $output"; return 1; }
	link_json vm0 | jq -e '.[0] | .mtu == 1300 and .address == "02:00:00:00:00:01"
		and .linkinfo.info_data.vnet_hdr and .linkinfo.info_data.user == "nobody"' >/dev/null ||
		{ link_json vm0; return 1; }
	addr_json vm0 | jq -e '[.[0].addr_info[] | select(.family == "inet") | .local] | sort
		== ["192.0.2.1", "192.0.2.5"]' >/dev/null || { addr_json vm0; return 1; }
	route_json 198.51.100.0/24 | jq -e '.[0].dev == "vm0"' >/dev/null
}

# The modules' pure code, against tunctl itself and without ansible-playbook:
# save's lines read back and written again make no change, and the plan
# rendered from apply's JSON is apply's text, for every kind of change.
@test "module_utils: save's lines written back change nothing; the plan's text is apply's" {
	need_root
	# Its own namespace, which teardown deletes.
	PLAN_NS=$NS-plan
	NS=$PLAN_NS
	ip netns add "$NS"
	t add a0 --mtu 1400 --addr 192.0.2.1/24 --addr 192.0.2.9 --peer 192.0.2.10 \
		--route "198.51.100.0/24 via 192.0.2.2 metric 50 table 100" >/dev/null
	t add b0 --mode tap --vnet-hdr --multi-queue --any-user --txqueuelen 2000 \
		--addr 2001:db8::1/64 --route 2001:db8:1::/48 >/dev/null
	t add c0 --group nogroup --pi --down --addr 198.18.0.1/15 >/dev/null
	t add r0 >/dev/null
	t add h0 --user nobody >/dev/null
	hold_device h0
	lib() {
		in_ns "$APY" -c 'import json, sys
sys.path.insert(0, sys.argv[1])
from ansible_collections.tunctl.tunctl.plugins.module_utils.tunctl import *
'"$1" "$A/c" "${@:2}"
	}
	run lib 'for l in json.load(sys.stdin):
    print(device_line(merge({}, parse_line(l)))[0])' < <(t -j save)
	[ "$status" -eq 0 ] && [ "${#lines[@]}" -eq 5 ] || { echo "$output"; return 1; }
	echo "$output" >"$BATS_TEST_TMPDIR/again"
	run t apply --dry-run "$BATS_TEST_TMPDIR/again"
	[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "plan: $output"; cat "$BATS_TEST_TMPDIR/again"; return 1; }
	# Given options win, the others are kept; a MAC is not kept across a
	# change of mode; unknown options (a later tunctl's) are kept.
	run lib 'd = parse_line("add b0 --mode tap --mac 02:00:00:00:00:02 --alias x --user 7 --addr 192.0.2.1/24")
print(device_line(merge(dict(name="b0", mode="tun", up=False, addresses=["192.0.2.3/32 peer 192.0.2.4"]), d))[0])
print(device_line(merge(dict(name="b0", group="g", routes=[]), d))[0])
print(device_line(merge(dict(name="b0", any_user=True), d))[0])
print(device_line(dict(name="x0", owner="a\nadd y0")))'
	[ "${lines[0]}" = "add b0 --mode tun --user 7 --down --addr 192.0.2.3/32 --peer 192.0.2.4 --alias x" ] &&
	[ "${lines[1]}" = "add b0 --mode tap --user 7 --group g --mac 02:00:00:00:00:02 --addr 192.0.2.1/24 --alias x" ] &&
	[ "${lines[2]}" = "add b0 --mode tap --any-user --mac 02:00:00:00:00:02 --addr 192.0.2.1/24 --alias x" ] &&
	[ "${lines[3]}" = "(None, \"x0: 'a\\\\nadd y0': a value cannot hold a line break or NUL\")" ] ||
		{ echo "$output"; return 1; }
	cat >"$BATS_TEST_TMPDIR/file" <<-'EOF'
	add a0 --mtu 1300 --addr 192.0.2.2/24 --route "198.51.100.0/24 via 192.0.2.2 metric 50 table 100"
	add n0 --mode tap
	add r0 --mode tap
	add h0 --pi --user nobody
	add c0 --group nogroup --pi --addr 198.18.0.1/15
	EOF
	run t apply --dry-run --prune --recreate "$BATS_TEST_TMPDIR/file"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	text=$output
	for w in "~ a0 mtu" "- a0 addr" "+ a0 addr" "+ n0 create" "~ r0 recreate (mode tun -> tap)" \
		"! h0 pi" "- b0 delete" "~ c0 state down -> up"; do
		grep -qF -- "$w" <<<"$text" || { echo "no '$w' in the plan (the test needs every kind): $text"; return 1; }
	done
	run lib 'print("\n".join(plan_lines(json.load(sys.stdin)["changes"])))' \
		< <(t -j apply --dry-run --prune --recreate "$BATS_TEST_TMPDIR/file")
	[ "$output" = "$text" ] || { diff <(echo "$text") <(echo "$output"); return 1; }
}
