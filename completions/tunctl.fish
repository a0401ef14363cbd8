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

# The command line before the cursor as tunctl reads it: sets __tunctl_cmd
# (the command, aliases resolved; empty before it), __tunctl_args (the words
# after it that are not options) and __tunctl_opts (the options after it,
# without their values); for run, __tunctl_tail (the words after its "--",
# set only when there is one). Returns 1 when the word being completed is the
# value of an option, then named in __tunctl_value_of (fish completes those
# from the option's own -a).
function __tunctl_parse
    set -l toks (commandline -opc)
    set -e toks[1]
    set -g __tunctl_cmd ''
    set -g __tunctl_value_of ''
    set -g __tunctl_args
    set -g __tunctl_opts
    set -g __tunctl_for ''
    set -e __tunctl_tail
    while set -q toks[1]
        switch $toks[1]
            case -n --netns -b --batch
                set __tunctl_value_of $toks[1]
                set -q toks[2]; or return 1
                set -e toks[1]
            case '-*'
            case '*'
                set __tunctl_cmd $toks[1]
                set -e toks[1]
                break
        end
        set -e toks[1]
    end
    switch $__tunctl_cmd
        case delete
            set __tunctl_cmd del
        case ls
            set __tunctl_cmd list
        case address
            set __tunctl_cmd addr
    end
    while set -q toks[1]
        if test "$__tunctl_cmd" = run -a "$toks[1]" = --
            set -g __tunctl_tail $toks[2..-1]
            return 0
        end
        switch $toks[1]
            case --mode --user --group --netns --pcap --addr --peer --route --mtu --mac --txqueuelen --alias --name --master --count --queues --fd --socket --policy --for --timeout --keep-config
                test $toks[1] = --for; and set -q toks[2]; and set __tunctl_for $toks[2]
                set -a __tunctl_opts $toks[1]
                set __tunctl_value_of $toks[1]
                set -q toks[2]; or return 1
                set -e toks[1]
            case '--*=*'
                set -a __tunctl_opts (string replace -r -- '=.*' '' $toks[1])
                string match -q -- '--for=*' $toks[1]; and set __tunctl_for (string replace -- --for= '' $toks[1])
            case '-?*'
                set -a __tunctl_opts $toks[1]
            case '*'
                set -a __tunctl_args $toks[1]
        end
        set -e toks[1]
    end
    return 0
end

# The words of $argv not in $__tunctl_opts.
function __tunctl_unseen
    for o in $argv
        contains -- $o $__tunctl_opts; or echo $o
    end
end

# After __tunctl_parse: the long options of the command that tunctl would
# accept here (not given yet, not in conflict with one given), one a line.
function __tunctl_opts_here
    set -l o $__tunctl_opts
    switch $__tunctl_cmd
        case add
            set -l out (__tunctl_unseen --mode --pi --vnet-hdr --multi-queue --mtu --mac --txqueuelen --alias --master --down --exist-ok) --addr --route
            if not contains -- --any-user $o
                set -a out (__tunctl_unseen --user --group)
            end
            if not contains -- --user $o; and not contains -- --group $o
                set -a out (__tunctl_unseen --any-user)
            end
            # A --peer belongs to the --addr just before it, one each.
            set -l ap (string match -r -- '^--(?:addr|peer)$' $o)
            if test "$ap[-1]" = --addr
                set -a out --peer
            end
            printf '%s\n' $out
        case del
            if contains -- --unused $o
                __tunctl_unseen --mode
            else if contains -- --all $o
                __tunctl_unseen --mode --force
            else if set -q __tunctl_args[1]
                __tunctl_unseen --force
            else if contains -- --mode $o
                __tunctl_unseen --all --unused --force
            else
                __tunctl_unseen --all --unused --mode --force
            end
        case list
            __tunctl_unseen --mode --unused
        case set
            set -l out (__tunctl_unseen --mtu --mac --txqueuelen --alias --netns --name --yes)
            contains -- --nomaster $o; or set -a out (__tunctl_unseen --master)
            contains -- --master $o; or set -a out (__tunctl_unseen --nomaster)
            contains -- --no-user $o; or set -a out (__tunctl_unseen --user)
            contains -- --user $o; or set -a out (__tunctl_unseen --no-user)
            contains -- --no-group $o; or set -a out (__tunctl_unseen --group)
            contains -- --group $o; or set -a out (__tunctl_unseen --no-group)
            contains -- --down $o; or set -a out (__tunctl_unseen --up)
            contains -- --up $o; or set -a out (__tunctl_unseen --down)
            printf '%s\n' $out
        case addr
            # flush takes no --peer; --exist-ok goes with add.
            test "$__tunctl_args[1]" = flush; or __tunctl_unseen --peer
            test "$__tunctl_args[1]" = add; and __tunctl_unseen --exist-ok
        case route
            test "$__tunctl_args[1]" = add; and __tunctl_unseen --exist-ok
        case attach
            __tunctl_unseen --count --hex --pcap --echo
        case monitor
            __tunctl_unseen --mode --initial
        case wait
            __tunctl_unseen --for --timeout
        case check
            __tunctl_unseen --user --mode --queues --vhost --master
            contains -- --pi $__tunctl_opts; or contains -- --no-pi $__tunctl_opts; or printf '%s\n' --pi --no-pi
            contains -- --vnet-hdr $__tunctl_opts; or contains -- --no-vnet-hdr $__tunctl_opts; or printf '%s\n' --vnet-hdr --no-vnet-hdr
        case run
            set -q __tunctl_tail; and return
            __tunctl_unseen --queues --fd
            contains -- --pi $__tunctl_opts; or contains -- --no-pi $__tunctl_opts; or printf '%s\n' --pi --no-pi
            contains -- --vnet-hdr $__tunctl_opts; or contains -- --no-vnet-hdr $__tunctl_opts; or printf '%s\n' --vnet-hdr --no-vnet-hdr
            # The "--" before the command, once the device is named.
            set -q __tunctl_args[1]; and printf '%s\n' --
        case save
            # Repeatable: one device each.
            echo --keep-config
        case apply
            __tunctl_unseen --dry-run --prune --recreate --per-device --yes
            # --force goes with --prune.
            contains -- --prune $__tunctl_opts; and __tunctl_unseen --force
        case broker
            __tunctl_unseen --socket --policy --timeout
    end
end

# True if the command is $argv[1] and tunctl accepts the option $argv[2] here,
# or its value is being completed.
function __tunctl_offer
    __tunctl_classic; and return 1
    if not __tunctl_parse
        test "$__tunctl_cmd" = $argv[1] -a "$__tunctl_value_of" = $argv[2]
        return
    end
    test "$__tunctl_cmd" = $argv[1]; or return 1
    contains -- $argv[2] (__tunctl_opts_here)
end

# The same for the global options before the command ($argv: its spellings).
function __tunctl_global
    __tunctl_classic; and return 1
    if not __tunctl_parse
        test -z "$__tunctl_cmd"; and contains -- "$__tunctl_value_of" $argv
        return
    end
    test -z "$__tunctl_cmd"
end

# What the word being completed is, if no option: command, device, newname,
# addr-action, route-action, prefix, keyword, table, topic, file, subcommand
# (run's COMMAND and its arguments), value (one nothing can be offered for)
# or none (only options can come).
function __tunctl_word_kind
    __tunctl_parse; or return 1
    set -l n (count $__tunctl_args)
    switch $__tunctl_cmd
        case ''
            echo command
        case add
            test $n -eq 0; and echo newname; or echo none
        case del
            if contains -- --all $__tunctl_opts; or begin
                    test $n -eq 0; and contains -- --mode $__tunctl_opts
                end
                echo none
            else
                echo device
            end
        case show set attach check
            test $n -eq 0; and echo device; or echo none
        case run
            if set -q __tunctl_tail
                echo subcommand
            else
                test $n -eq 0; and echo device; or echo none
            end
        case save monitor
            echo device
        case wait
            # addr and master take the word after the condition.
            if test $n -eq 0
                echo device
            else if test $n -eq 1 -a "$__tunctl_for" = master
                echo link
            else if test $n -eq 1 -a "$__tunctl_for" = addr
                echo value
            else
                echo none
            end
        case apply
            test $n -eq 0; and echo file; or echo none
        case addr
            switch $n
                case 0
                    echo addr-action
                case 1
                    echo device
                case 2
                    test "$__tunctl_args[1]" = flush; and echo none; or echo value
                case '*'
                    echo none
            end
        case route
            switch $n
                case 0
                    echo route-action
                case 1
                    echo device
                case 2
                    echo prefix
                case '*'
                    # PREFIX then KEYWORD VALUE pairs; a quoted "PREFIX via
                    # GW ..." is the whole route.
                    if string match -qr -- '\s' $__tunctl_args[3]
                        echo value
                    else if test (math "($n - 3) % 2") -eq 0
                        echo keyword
                    else if test "$__tunctl_args[$n]" = table
                        echo table
                    else
                        echo value
                    end
            end
        case help
            test $n -eq 0; and echo topic; or echo value
        case '*'
            echo value
    end
end

function __tunctl_word
    __tunctl_classic; and return 1
    set -l kind (__tunctl_word_kind); or return 1
    test "$kind" = $argv[1]
end

# True after run's "--": there only the command's own completion applies.
function __tunctl_in_tail
    __tunctl_classic; and return 1
    __tunctl_parse; and set -q __tunctl_tail
end

# run's COMMAND [ARGS...] completed as that command's own line.
function __tunctl_subcommand
    __tunctl_parse
    __fish_complete_subcommand --commandline (string escape -- $__tunctl_tail) (commandline -ct)
end

# The devices not named on the line already (del takes each once).
function __tunctl_other_devices
    __tunctl_parse
    for d in (__tunctl_devices)
        contains -- $d $__tunctl_args; or echo $d
    end
end

# The route keywords not given yet.
function __tunctl_route_keywords
    __tunctl_parse
    set -l used $__tunctl_args[4..-1]
    for k in via metric table
        set -l seen 0
        for j in (seq 1 2 (count $used))
            test "$used[$j]" = $k; and set seen 1
        end
        test $seen = 0; and echo $k
    end
end

set -l tunctl_cmd '__tunctl_word command'
complete -c tunctl -f

# Global options (-j and -h go after the command too)
complete -c tunctl -n 'not __tunctl_classic; and not __tunctl_in_tail' -s j -l json -d 'JSON output'
complete -c tunctl -n '__tunctl_global -n --netns' -s n -l netns -x -a '(__tunctl_netns)' -d 'Run inside a network namespace'
complete -c tunctl -n '__tunctl_global -b --batch' -s b -l batch -r -F -d 'Run the commands in a file'
complete -c tunctl -n $tunctl_cmd -l force -d 'With --batch: go on after a failing line'
complete -c tunctl -n 'not __tunctl_classic; and not __tunctl_in_tail' -s h -l help -d 'Show help'
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
complete -c tunctl -n $tunctl_cmd -a run -d "Run a program holding the device's queues as descriptors"
complete -c tunctl -n $tunctl_cmd -a save -d 'Print the devices as a file that apply takes'
complete -c tunctl -n $tunctl_cmd -a apply -d 'Make the devices match a file'
complete -c tunctl -n $tunctl_cmd -a broker -d 'Serve add, del, set and run to users without root, as a policy allows'
complete -c tunctl -n $tunctl_cmd -a monitor -d "Print TUN/TAP devices' events as they happen"
complete -c tunctl -n $tunctl_cmd -a wait -d 'Wait until a device is in a state'
complete -c tunctl -n $tunctl_cmd -a check -d 'Say whether a device is ready for its consumer'
complete -c tunctl -n $tunctl_cmd -a help -d 'Show help'

# The words in place of options, by position (__tunctl_word_kind)
complete -c tunctl -n '__tunctl_word device' -a '(__tunctl_other_devices)'
complete -c tunctl -n '__tunctl_word addr-action' -a 'add replace del flush'
complete -c tunctl -n '__tunctl_word route-action' -a 'add replace del'
complete -c tunctl -n '__tunctl_word prefix' -a default -d 'The default route'
complete -c tunctl -n '__tunctl_word keyword' -a '(__tunctl_route_keywords)'
complete -c tunctl -n '__tunctl_word table' -a 'main default'
complete -c tunctl -n '__tunctl_word topic' -a 'add del list show set addr route attach run save apply broker monitor wait check'
complete -c tunctl -n '__tunctl_word link' -a '(__fish_print_interfaces)'
complete -c tunctl -n '__tunctl_word file' -F -a - -d 'A file, or - for standard input'
complete -c tunctl -n '__tunctl_word subcommand' -x -a '(__tunctl_subcommand)'
# Where only options can come, an empty word gets them too.
complete -c tunctl -n '__tunctl_word none; and not string length -q -- (commandline -ct)' -a '(__tunctl_opts_here)'

# add
complete -c tunctl -n '__tunctl_offer add --mode' -l mode -x -a 'tun tap' -d 'Device mode'
complete -c tunctl -n '__tunctl_offer add --user' -l user -x -a '(__fish_complete_users)' -d 'Owner'
complete -c tunctl -n '__tunctl_offer add --group' -l group -x -a '(__fish_complete_groups)' -d 'Group'
complete -c tunctl -n '__tunctl_offer add --any-user' -l any-user -d 'No owner or group: any user may attach'
complete -c tunctl -n '__tunctl_offer add --pi' -l pi -d 'Keep the packet information header'
complete -c tunctl -n '__tunctl_offer add --vnet-hdr' -l vnet-hdr -d 'Virtio-net header'
complete -c tunctl -n '__tunctl_offer add --multi-queue' -l multi-queue -d 'Several queues'
complete -c tunctl -n '__tunctl_offer add --addr' -l addr -x -d 'Address (CIDR)'
complete -c tunctl -n '__tunctl_offer add --peer' -l peer -x -d 'Point-to-point peer of the --addr before it'
complete -c tunctl -n '__tunctl_offer add --route' -l route -x -d 'PREFIX [via GW] [metric N] [table ID]'
complete -c tunctl -n '__tunctl_offer add --mtu' -l mtu -x -d 'MTU'
complete -c tunctl -n '__tunctl_offer add --mac' -l mac -x -d 'MAC address (tap)'
complete -c tunctl -n '__tunctl_offer add --txqueuelen' -l txqueuelen -x -d 'Transmit queue length'
complete -c tunctl -n '__tunctl_offer add --alias' -l alias -x -d 'A description of the device'
complete -c tunctl -n '__tunctl_offer add --master' -l master -x -a '(__fish_print_interfaces)' -d 'Put it on a bridge, bond or VRF'
complete -c tunctl -n '__tunctl_offer add --down' -l down -d 'Leave the link down'
complete -c tunctl -n '__tunctl_offer add --exist-ok' -l exist-ok -d 'Succeed if it exists alike'

# del
complete -c tunctl -n '__tunctl_offer del --all' -l all -d 'Every TUN/TAP device'
complete -c tunctl -n '__tunctl_offer del --mode' -l mode -x -a 'tun tap' -d 'With --all: only this mode'
complete -c tunctl -n '__tunctl_offer del --force' -l force -d 'Delete even devices held open'
complete -c tunctl -n '__tunctl_offer del --unused' -l unused -d 'Every device no process holds (matching PATTERNs)'

# list
complete -c tunctl -n '__tunctl_offer list --mode' -l mode -x -a 'tun tap' -d 'Only this mode'
complete -c tunctl -n '__tunctl_offer list --unused' -l unused -d 'Only devices no process holds'

# set
complete -c tunctl -n '__tunctl_offer set --user' -l user -x -a '(__fish_complete_users)' -d 'Set the owner'
complete -c tunctl -n '__tunctl_offer set --no-user' -l no-user -d 'Require that no owner is set (the kernel cannot clear one)'
complete -c tunctl -n '__tunctl_offer set --group' -l group -x -a '(__fish_complete_groups)' -d 'Set the group'
complete -c tunctl -n '__tunctl_offer set --no-group' -l no-group -d 'Require that no group is set (the kernel cannot clear one)'
complete -c tunctl -n '__tunctl_offer set --up' -l up -d 'Link up'
complete -c tunctl -n '__tunctl_offer set --down' -l down -d 'Link down'
complete -c tunctl -n '__tunctl_offer set --mtu' -l mtu -x -d 'MTU'
complete -c tunctl -n '__tunctl_offer set --mac' -l mac -x -d 'MAC address'
complete -c tunctl -n '__tunctl_offer set --txqueuelen' -l txqueuelen -x -d 'Transmit queue length'
complete -c tunctl -n '__tunctl_offer set --alias' -l alias -x -d 'A description of the device'
complete -c tunctl -n '__tunctl_offer set --master' -l master -x -a '(__fish_print_interfaces)' -d 'Put it on a bridge, bond or VRF'
complete -c tunctl -n '__tunctl_offer set --nomaster' -l nomaster -d 'Take it off its master'
complete -c tunctl -n '__tunctl_offer set --netns' -l netns -x -a '(__tunctl_netns)' -d 'Move into a network namespace'
complete -c tunctl -n '__tunctl_offer set --name' -l name -x -d 'Rename it'
complete -c tunctl -n '__tunctl_offer set --yes' -l yes -d 'Set a --group that locks the caller out'

# addr
complete -c tunctl -n '__tunctl_offer addr --peer' -l peer -x -d 'Point-to-point peer'
complete -c tunctl -n '__tunctl_offer addr --exist-ok' -l exist-ok -d 'Succeed if the same address is there'
complete -c tunctl -n '__tunctl_offer route --exist-ok' -l exist-ok -d 'Succeed if the same route is there'

# attach
complete -c tunctl -n '__tunctl_offer attach --count' -l count -x -d 'Stop after N packets'
complete -c tunctl -n '__tunctl_offer attach --hex' -l hex -d 'Hex dump'
complete -c tunctl -n '__tunctl_offer attach --pcap' -l pcap -r -F -d 'Write a pcap file'
complete -c tunctl -n '__tunctl_offer attach --echo' -l echo -d 'Answer pings, ARP and neighbour solicitations'

# run
complete -c tunctl -n '__tunctl_offer run --queues' -l queues -x -d 'Open N queues (multi-queue devices)'
complete -c tunctl -n '__tunctl_offer run --fd' -l fd -x -d 'Put them at descriptors K, K+1, ...'
complete -c tunctl -n '__tunctl_offer run --pi' -l pi -d 'Attach with the packet information header'
complete -c tunctl -n '__tunctl_offer run --no-pi' -l no-pi -d 'Attach without the packet information header'
complete -c tunctl -n '__tunctl_offer run --vnet-hdr' -l vnet-hdr -d 'Attach with the virtio-net header'
complete -c tunctl -n '__tunctl_offer run --no-vnet-hdr' -l no-vnet-hdr -d 'Attach without the virtio-net header'
complete -c tunctl -n '__tunctl_offer run --; and string match -q -- "-*" (commandline -ct)' -a "(printf '%s\n' --)" -d 'End of options: the command follows'

# save
complete -c tunctl -n '__tunctl_offer save --keep-config' -l keep-config -x -a '(__tunctl_devices)' -d 'Its addresses and routes are its program\'s'

# apply
complete -c tunctl -n '__tunctl_offer apply --dry-run' -l dry-run -d 'Print the plan, change nothing'
complete -c tunctl -n '__tunctl_offer apply --prune' -l prune -d 'Also delete TUN/TAP devices the file does not name'
complete -c tunctl -n '__tunctl_offer apply --recreate' -l recreate -d 'Re-create a device whose mode or multi-queue differs'
complete -c tunctl -n '__tunctl_offer apply --force' -l force -d 'With --prune: delete devices even when held open'
complete -c tunctl -n '__tunctl_offer apply --per-device' -l per-device -d 'Each device all or nothing on its own'
complete -c tunctl -n '__tunctl_offer apply --yes' -l yes -d 'Accept a line whose owner is not in its group'
# broker
complete -c tunctl -n '__tunctl_offer broker --socket' -l socket -r -F -d 'Listen on this socket'
complete -c tunctl -n '__tunctl_offer broker --policy' -l policy -r -F -d 'The policy file'
complete -c tunctl -n '__tunctl_offer broker --timeout' -l timeout -x -d 'Seconds a client has to ask'

# monitor
complete -c tunctl -n '__tunctl_offer monitor --mode' -l mode -x -a 'tun tap' -d 'Only this mode'
complete -c tunctl -n '__tunctl_offer monitor --initial' -l initial -d 'First print the devices that exist'

# wait
complete -c tunctl -n '__tunctl_offer wait --for' -l for -x -a 'exists gone up down attached detached addr master' -d 'The condition'
complete -c tunctl -n '__tunctl_offer wait --timeout' -l timeout -x -d 'Give up after SECONDS'

# check
complete -c tunctl -n '__tunctl_offer check --user' -l user -x -a '(__fish_complete_users)' -d "The consumer's user"
complete -c tunctl -n '__tunctl_offer check --mode' -l mode -x -a 'tun tap' -d 'The mode it needs'
complete -c tunctl -n '__tunctl_offer check --queues' -l queues -x -d 'The queues it opens'
complete -c tunctl -n '__tunctl_offer check --pi' -l pi -d 'It wants the packet information header'
complete -c tunctl -n '__tunctl_offer check --no-pi' -l no-pi -d 'It does not want the packet information header'
complete -c tunctl -n '__tunctl_offer check --vnet-hdr' -l vnet-hdr -d 'It wants the virtio-net header'
complete -c tunctl -n '__tunctl_offer check --no-vnet-hdr' -l no-vnet-hdr -d 'It does not want the virtio-net header'
complete -c tunctl -n '__tunctl_offer check --vhost' -l vhost -d 'It opens /dev/vhost-net too'
complete -c tunctl -n '__tunctl_offer check --master' -l master -x -a '(__fish_print_interfaces)' -d 'The bridge (bond, VRF) it must be on'
