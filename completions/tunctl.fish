# fish completion for tunctl(8)

function __tunctl_devices
    for d in /sys/class/net/*
        test -e $d/tun_flags; and basename $d
    end
end

function __tunctl_netns
    for n in /run/netns/*
        test -e $n; and basename $n
    end
end

set -l cmds add del delete list ls show set addr route attach help
complete -c tunctl -f

# Global options
complete -c tunctl -s j -l json -d 'JSON output'
complete -c tunctl -n "not __fish_seen_subcommand_from $cmds" -s n -l netns -x -a '(__tunctl_netns)' -d 'Run inside a network namespace'
complete -c tunctl -n "not __fish_seen_subcommand_from $cmds" -s b -l batch -r -F -d 'Run the commands in a file'
complete -c tunctl -n "not __fish_seen_subcommand_from $cmds" -l force -d 'With --batch: go on after a failing line'
complete -c tunctl -s h -l help -d 'Show help'
complete -c tunctl -n "not __fish_seen_subcommand_from $cmds" -s V -l version -d 'Show the version'

# Commands
complete -c tunctl -n "not __fish_seen_subcommand_from $cmds" -a add -d 'Create a persistent, configured device'
complete -c tunctl -n "not __fish_seen_subcommand_from $cmds" -a del -d 'Delete devices'
complete -c tunctl -n "not __fish_seen_subcommand_from $cmds" -a list -d 'List TUN/TAP devices'
complete -c tunctl -n "not __fish_seen_subcommand_from $cmds" -a show -d 'Show one device in detail'
complete -c tunctl -n "not __fish_seen_subcommand_from $cmds" -a set -d 'Change a device'
complete -c tunctl -n "not __fish_seen_subcommand_from $cmds" -a addr -d 'Manage addresses'
complete -c tunctl -n "not __fish_seen_subcommand_from $cmds" -a route -d 'Manage routes'
complete -c tunctl -n "not __fish_seen_subcommand_from $cmds" -a attach -d 'Read (and answer) packets on a device'
complete -c tunctl -n "not __fish_seen_subcommand_from $cmds" -a help -d 'Show help'

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
complete -c tunctl -n '__fish_seen_subcommand_from set' -l no-user -d 'Clear the owner'
complete -c tunctl -n '__fish_seen_subcommand_from set' -l no-group -d 'Clear the group'
complete -c tunctl -n '__fish_seen_subcommand_from set' -l up -d 'Link up'
complete -c tunctl -n '__fish_seen_subcommand_from set' -l netns -x -a '(__tunctl_netns)' -d 'Move into a network namespace'

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
