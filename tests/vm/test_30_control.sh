# test_30_control.sh - control-file and module-parameter input checking.
pmdstat-workload -q -n 2 -t munmap > /dev/null 2>&1
grep -v -e '^state ' -e ' role=lock ' $D/stats > /tmp/before
cat $D/stats > /tmp/before.full
if echo bogus > $D/control 2>/dev/null; then not_ok "unknown command rejected"; else ok "unknown command rejected"; fi
if printf 'reset%070d\n' 0 > $D/control 2>/dev/null; then not_ok "overlong command rejected"; else ok "overlong command rejected"; fi
if echo "reset now" > $D/control 2>/dev/null; then not_ok "command with trailing words rejected"; else ok "command with trailing words rejected"; fi
grep -v -e '^state ' -e ' role=lock ' $D/stats > /tmp/after
cat $D/stats > /tmp/after.full
check "rejected writes changed nothing" cmp -s /tmp/before /tmp/after
check_gt "the workload left counts to lose" "$(total_val /tmp/after hits)" 0
check "a rejected write logs what is accepted" sh -c "dmesg | grep -q \"unknown command 'bogus'; accepted: reset\""
resets0=$(sed -n 's/.*resets=\([0-9]*\).*/\1/p' /tmp/after.full)
echo reset > $D/control
snap /tmp/reset.stats
check_eq "reset zeroes hits" "$(total_val /tmp/reset.stats hits)" 0
check_eq "reset is counted" "$(sed -n 's/.*resets=\([0-9]*\).*/\1/p' /tmp/reset.stats)" $((resets0 + 1))
rmmod pmdstat
if insmod /lib/pmdstat.ko maxactive=99999 2>/dev/null; then
	not_ok "maxactive out of range rejected"; rmmod pmdstat
else
	ok "maxactive out of range rejected"
fi
check "the rejection says the range" sh -c "dmesg | grep -q 'maxactive=99999 is out of range'"
check "module loads again" insmod /lib/pmdstat.ko
