#!/usr/bin/env bats
# podman (Debian 12's 4.3, network_backend "cni") running containers on a
# network whose configuration uses tunctl-cni with host-local: the tap is in
# the container's namespace with its address, MTU and MAC (podman's
# --mac-address comes as CNI_ARGS MAC=), and "podman rm" removes it and
# gives the address back.
#
# Not in make check (.ci/run runs it as a step of its own): podman takes a
# few seconds per container. Everything podman keeps is under the test's
# directory (--root, --runroot, --tmpdir, its containers.conf through
# CONTAINERS_CONF, the network directory, host-local's leases), and podman
# runs in a private mount namespace with tmpfs over /run/netns, /dev/shm
# (its lock file) and /var/lib/cni (libcni's result cache), so nothing is
# left on the machine; the image is a tarball of busybox-static made here
# and imported (no registry is needed). cgroups are not used (--cgroups
# disabled; the cgroup2 half of a hybrid hierarchy is hidden, which crun
# refuses).
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	export T=$BATS_FILE_TMPDIR
	mkdir -p "$T/bin" "$T/net.d" "$T/rootfs/bin" "$T/ipam"
	ln -s "$TUNCTL" "$T/bin/tunctl-cni"
	cat >"$T/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "none"
[network]
network_backend = "cni"
cni_plugin_dirs = ["$T/bin", "/usr/lib/cni"]
network_config_dir = "$T/net.d"
EOF
	cat >"$T/net.d/tapnet.conflist" <<EOF
{ "cniVersion": "1.0.0", "name": "tapnet", "plugins": [ {
    "type": "tunctl-cni", "mtu": 1400, "owner": 1234,
    "ipam": { "type": "host-local", "subnet": "192.0.2.0/24", "dataDir": "$T/ipam",
              "routes": [ { "dst": "198.51.100.0/24" } ] } } ] }
EOF
	# libcni's cache directory must be there to be covered; made (empty)
	# only if the machine has none, and removed in teardown_file.
	if [ ! -e /var/lib/cni ]; then
		mkdir /var/lib/cni && touch "$T/made-var-lib-cni"
	fi
}

teardown_file() {
	[ -n "${T:-}" ] || return 0
	in_podman_ns sh -c '$P rm -a -f -t 0; $P rmi -a -f' >/dev/null 2>&1 || true
	[ -e "$T/made-var-lib-cni" ] && rmdir /var/lib/cni 2>/dev/null
	true
}

setup() {
	need_root
	command -v podman >/dev/null || skip "podman is not installed"
	[ -x /usr/lib/cni/host-local ] || skip "no host-local (containernetworking-plugins)"
	[ -x /bin/busybox ] && file_static /bin/busybox || skip "no static busybox (busybox-static)"
}

file_static() { ! ldd "$1" >/dev/null 2>&1; }

# Runs "$@" in a private mount namespace laid out as the header says, with
# $P the podman command line.
in_podman_ns() {
	CONTAINERS_CONF=$T/containers.conf \
	P="podman --root $T/root --runroot $T/runroot --tmpdir $T/tmp --storage-driver vfs" \
	unshare -m --propagation private sh -c '
		mkdir -p /run/netns &&
		mount -t tmpfs tmpfs /run/netns && mount -t tmpfs tmpfs /dev/shm && mount -t tmpfs tmpfs /var/lib/cni &&
		{ ! mountpoint -q /sys/fs/cgroup/unified || mount -t tmpfs tmpfs /sys/fs/cgroup/unified; } &&
		exec "$@"' _ "$@"
}

# The whole life of two containers in one mount namespace (their network
# namespaces are mounted there): what the tests look at is left in $T.
scenario() {
	cp /bin/busybox "$T/rootfs/bin/"
	for c in sh ip sleep; do ln -sf busybox "$T/rootfs/bin/$c"; done
	tar -C "$T/rootfs" -cf "$T/bb.tar" .
	in_podman_ns sh -c '
		set -e
		run() { $P run -d --name "$1" --cgroups=disabled --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
			--network tapnet $2 localhost/tunctl-bb:test /bin/sleep 600; }
		$P import -q "$T/bb.tar" localhost/tunctl-bb:test >/dev/null
		run c1 "" >/dev/null
		run c2 "--mac-address 02:00:00:00:00:55" >/dev/null
		for c in c1 c2; do
			sb=$($P inspect -f "{{.NetworkSettings.SandboxKey}}" $c)
			echo "$sb" >"$T/$c.sandbox"
			nsenter --net="$sb" ip -d -j link show eth0 >"$T/$c.link"
			nsenter --net="$sb" ip -j addr show eth0 >"$T/$c.addr"
			nsenter --net="$sb" ip -j route show >"$T/$c.route"
			$P inspect -f "{{.NetworkSettings.Networks.tapnet.IPAddress}} {{.NetworkSettings.Networks.tapnet.MacAddress}}" $c >"$T/$c.inspect"
			$P exec $c /bin/ip addr show eth0 >"$T/$c.busybox"
		done
		ls "$T/ipam/tapnet" >"$T/leases.before"
		$P rm -f -t 0 c1 >/dev/null
		sb=$(cat "$T/c1.sandbox")
		if nsenter --net="$sb" true 2>/dev/null; then echo present; else echo gone; fi >"$T/c1.netns.after"
		ls "$T/ipam/tapnet" >"$T/leases.after"
		$P rm -f -t 0 c2 >/dev/null
		ls "$T/ipam/tapnet" >"$T/leases.end"
		echo done >"$T/scenario.done"
	' >"$T/scenario.log" 2>&1
}

scenario_once() {
	[ -e "$T/scenario.done" ] || [ -e "$T/scenario.ran" ] || { touch "$T/scenario.ran"; scenario; }
	[ -e "$T/scenario.done" ] || { echo "podman scenario failed:"; cat "$T/scenario.log"; return 1; }
}

@test "podman run: the tap is in the container's namespace, with host-local's address, its MTU and owner" {
	scenario_once
	jq -e '.[0] | .linkinfo.info_kind == "tun" and .linkinfo.info_data.type == "tap" and .mtu == 1400
		and .linkinfo.info_data.persist and (.linkinfo.info_data.user | tostring) == "1234" and (.flags | index("UP"))' "$T/c1.link"
	jq -e '[.[0].addr_info[] | select(.family == "inet") | .local] | length == 1 and (.[0] | startswith("192.0.2."))' "$T/c1.addr"
	jq -e '[.[] | select(.dst == "198.51.100.0/24" and .dev == "eth0")] | length == 1' "$T/c1.route"
	# What podman was told is what the device has.
	addr=$(jq -r '.[0].addr_info[] | select(.family == "inet") | .local' "$T/c1.addr")
	mac=$(jq -r '.[0].address' "$T/c1.link")
	[ "$(cat "$T/c1.inspect")" = "$addr $mac" ] || { echo "inspect: $(cat "$T/c1.inspect"), device: $addr $mac"; return 1; }
	# And the container itself sees it (busybox's ip, inside).
	grep -q "inet $addr/24" "$T/c1.busybox"
}

@test "podman run --mac-address: the MAC comes through CNI_ARGS" {
	scenario_once
	jq -e '.[0].address == "02:00:00:00:00:55"' "$T/c2.link"
	grep -q '02:00:00:00:00:55' "$T/c2.busybox"
}

@test "podman rm: the namespace and its tap are gone, and the address is given back" {
	scenario_once
	[ "$(cat "$T/c1.netns.after")" = gone ]
	c1=$(jq -r '.[0].addr_info[] | select(.family == "inet") | .local' "$T/c1.addr")
	c2=$(jq -r '.[0].addr_info[] | select(.family == "inet") | .local' "$T/c2.addr")
	grep -qx "$c1" "$T/leases.before" && grep -qx "$c2" "$T/leases.before"
	run ! grep -qx "$c1" "$T/leases.after"
	grep -qx "$c2" "$T/leases.after"
	[ -z "$(grep -E '^[0-9]+\.' "$T/leases.end")" ]
}
