# test_40_reload.sh - unload and reload pmdstat 20 times while the workload
# shares and unshares; no oops or warning may appear.
dmesg_bad > /tmp/bad.before
pmdstat-workload -q -n 3 -t all -d "${RELOAD_SECS:-30}" > /tmp/bg.out 2>&1 &
bg=$!
sleep 1
n=0
for i in $(seq 20); do
	rmmod pmdstat || break
	insmod /lib/pmdstat.ko || break
	cat $D/stats > /dev/null || break
	n=$((n + 1))
done
check_eq "20 unload/reload cycles" "$n" 20
check "the workload was still running after the last reload" kill -0 $bg
sleep 1
snap /tmp/reload.stats
check_gt "probes fire after the reloads" "$(total_val /tmp/reload.stats hits)" 0
wait $bg
check_eq "background workload exit status" "$?" 0
dmesg_bad > /tmp/bad.after
check "no oops or warning in dmesg" cmp -s /tmp/bad.before /tmp/bad.after
[ -s /tmp/bad.after ] && head -n 40 /tmp/bad.after
