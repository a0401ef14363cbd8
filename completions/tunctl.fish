# fish completion for tunctl(8)

# The network namespace of -n NETNS / --netns NETNS before the command, if any.
function __tunctl_netns_arg
    set -l toks (commandline -opc)
    set -e toks[1]
    while set -q toks[1]
        switch $toks[1]
            case -n --netns
                set -q toks[2]; and echo $toks[2]
                return
            case '--netns=*'
                string replace -- --netns= '' $toks[1]
                return
            case '-n*'
                string sub -s 3 -- $toks[1]
                return
            case -b --batch
                set -e toks[1]
            case '-*'
            case '*'
                return
        end
        set -e toks[1]
    end
end

# The TUN/TAP devices, from sysfs; of the namespace in -n NETNS when given,
# which only root can look into: then ip netns exec.
function __tunctl_devices
    set -l ns (__tunctl_netns_arg)
    if test -n "$ns"
        ip netns exec $ns sh -c 'for d in /sys/class/net/*; do [ -e "$d/tun_flags" ] && echo "${d##*/}"; done' 2>/dev/null
        return
    end
    for d in /sys/class/net/*
        test -e $d/tun_flags; and basename $d
    end
end

function __tunctl_netns
    for n in /run/netns/*
        test -e $n; and basename $n
    end
end

# Classic use: a first word -t, -d, -u, -g, -p or -f, or a bundle of -b, -n,
# -p ending in one of those (-n and -b alone are tunctl's own too), or -t or
# -d before any command.
function __tunctl_classic
    set -l toks (commandline -opc)
    set -e toks[1]
    set -q toks[1]; or return 1
    string match -qr -- '^-[tdugpf]|^-[bnp]+[tdugf]$' $toks[1]; and return 0
    for t in $toks
        switch $t
            case -t -d
                return 0
            case '-*'
            case '*'
                return 1
        end
    end
    return 1
end

# Where the classic options are offered: on the first word, or classic use.
function __tunctl_classic_here
    __fish_is_first_arg; or __tunctl_classic
end

set -l cmds add del delete list ls show set addr address route attach help
set -l tunctl_cmd "not __tunctl_classic; and not __fish_seen_subcommand_from $cmds"
complete -c tunctl -f

# Global options
complete -c tunctl -n 'not __tunctl_classic' -s j -l json -d 'JSON output'
complete -c tunctl -n $tunctl_cmd -s n -l netns -x -a '(__tunctl_netns)' -d 'Run inside a network namespace'
complete -c tunctl -n $tunctl_cmd -s b -l batch -r -F -d 'Run the commands in a file'
complete -c tunctl -n $tunctl_cmd -l force -d 'With --batch: go on after a failing line'
complete -c tunctl -n 'not __tunctl_classic' -s h -l help -d 'Show help'
complete -c tunctl -n $tunctl_cmd -s V -l version -d 'Show the version'

# Classic tunctl: tunctl [-b] [-u USER] [-g GROUP] [-t NAME] [-p|-n] [-f PATH], tunctl -d NAME
complete -c tunctl -n __tunctl_classic_here -s t -x -d 'Classic: create device NAME'
complete -c tunctl -n __tunctl_classic_here -s d -x -a '(__tunctl_devices)' -d 'Classic: delete device NAME'
complete -c tunctl -n __tunctl_classic_here -s u -x -a '(__fish_complete_users)' -d 'Classic: owner'
complete -c tunctl -n __tunctl_classic_here -s g -x -a '(__fish_complete_groups)' -d 'Classic: group'
complete -c tunctl -n __tunctl_classic_here -s p -d 'Classic: make a tap device'
complete -c tunctl -n __tunctl_classic_here -s f -r -F -d 'Classic: tun clone device'
complete -c tunctl -n __tunctl_classic -s n -d 'Classic: make a tun device'
complete -c tunctl -n __tunctl_classic -s b -d 'Classic: brief output, only the name'

# Commands
complete -c tunctl -n $tunctl_cmd -a add -d 'Create a persistent, configured device'
complete -c tunctl -n $tunctl_cmd -a del -d 'Delete devices'
complete -c tunctl -n $tunctl_cmd -a delete -d 'Delete devices (alias of del)'
complete -c tunctl -n $tunctl_cmd -a list -d 'List TUN/TAP devices'
complete -c tunctl -n $tunctl_cmd -a ls -d 'List TUN/TAP devices (alias of list)'
complete -c tunctl -n $tunctl_cmd -a show -d 'Show one device in detail'
complete -c tunctl -n $tunctl_cmd -a set -d 'Change a device'
complete -c tunctl -n $tunctl_cmd -a addr -d 'Manage addresses'
complete -c tunctl -n $tunctl_cmd -a address -d 'Manage addresses (alias of addr)'
complete -c tunctl -n $tunctl_cmd -a route -d 'Manage routes'
complete -c tunctl -n $tunctl_cmd -a attach -d 'Read (and answer) packets on a device'
complete -c tunctl -n $tunctl_cmd -a help -d 'Show help'

# add
complete -c tunctl -n '__fish_seen_subcommand_from add list ls' -l mode -x -a 'tun tap' -d 'Device mode'
complete -c tunctl -n '__fish_seen_subcommand_from add set' -l user -x -a '(__fish_complete_users)' -d 'Owner'
complete -c tunctl -n '__fish_seen_subcommand_from add set' -l group -x -a '(__fish_complete_groups)' -d 'Group'
complete -c tunctl -n '__fish_seen_subcommand_from add' -l any-user -d 'No owner or group: any user may attach'
complete -c tunctl -n '__fish_seen_subcommand_from add' -l pi -d 'Keep the packet information header'
complete -c tunctl -n '__fish_seen_subcommand_from add' -l vnet-hdr -d 'Virtio-net header'
complete -c tunctl -n '__fish_seen_subcommand_from add' -l multi-queue -d 'Several queues'
complete -c tunctl -n '__fish_seen_subcommand_from add' -l addr -x -d 'Address (CIDR)'
complete -c tunctl -n '__fish_seen_subcommand_from add addr address' -l peer -x -d 'Point-to-point peer'
complete -c tunctl -n '__fish_seen_subcommand_from add' -l route -x -d 'PREFIX [via GW] [metric N] [table ID]'
complete -c tunctl -n '__fish_seen_subcommand_from add set' -l mtu -x -d 'MTU'
complete -c tunctl -n '__fish_seen_subcommand_from add set' -l mac -x -d 'MAC address (tap)'
complete -c tunctl -n '__fish_seen_subcommand_from add set' -l txqueuelen -x -d 'Transmit queue length'
complete -c tunctl -n '__fish_seen_subcommand_from add set' -l down -d 'Link down'
complete -c tunctl -n '__fish_seen_subcommand_from add' -l exist-ok -d 'Succeed if it exists alike'

# del
complete -c tunctl -n '__fish_seen_subcommand_from del delete' -l all -d 'Every TUN/TAP device'
complete -c tunctl -n '__fish_seen_subcommand_from del delete' -l mode -x -a 'tun tap' -d 'With --all: only this mode'
complete -c tunctl -n '__fish_seen_subcommand_from del delete' -l force -d 'Delete even devices held open'
complete -c tunctl -n '__fish_seen_subcommand_from del delete show set attach' -a '(__tunctl_devices)'

# set
complete -c tunctl -n '__fish_seen_subcommand_from set' -l no-user -d 'Require that no owner is set (the kernel cannot clear one)'
complete -c tunctl -n '__fish_seen_subcommand_from set' -l no-group -d 'Require that no group is set (the kernel cannot clear one)'
complete -c tunctl -n '__fish_seen_subcommand_from set' -l up -d 'Link up'
complete -c tunctl -n '__fish_seen_subcommand_from set' -l netns -x -a '(__tunctl_netns)' -d 'Move into a network namespace'
complete -c tunctl -n '__fish_seen_subcommand_from set' -l yes -d 'Set a --group that locks the caller out'

# addr, route
complete -c tunctl -n '__fish_seen_subcommand_from addr address; and not __fish_seen_subcommand_from add del flush' -a 'add del flush'
complete -c tunctl -n '__fish_seen_subcommand_from route; and not __fish_seen_subcommand_from add del' -a 'add del'
complete -c tunctl -n '__fish_seen_subcommand_from addr address route; and __fish_seen_subcommand_from add del flush' -a '(__tunctl_devices)'

# attach
complete -c tunctl -n '__fish_seen_subcommand_from attach' -l count -x -d 'Stop after N packets'
complete -c tunctl -n '__fish_seen_subcommand_from attach' -l hex -d 'Hex dump'
complete -c tunctl -n '__fish_seen_subcommand_from attach' -l pcap -r -F -d 'Write a pcap file'
complete -c tunctl -n '__fish_seen_subcommand_from attach' -l echo -d 'Answer pings, ARP and neighbour solicitations'

# help
complete -c tunctl -n '__fish_seen_subcommand_from help' -a 'add del list show set addr route attach'
