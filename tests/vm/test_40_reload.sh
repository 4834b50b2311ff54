# test_40_reload.sh - unload and reload pmdstat 20 times while the workload
# shares, unshares and takes the tracked locks; no oops or warning may
# appear, and the module works afterwards.
dmesg_bad > /tmp/bad.before
pmdstat-workload -q -n 3 -t all -d 300 > /tmp/bg.out 2>&1 &
bg=$!
sleep 1
n=0
start=$(date +%s)
for i in $(seq 20); do
	rmmod pmdstat || break
	insmod /lib/pmdstat.ko || break
	cat $D/stats > /dev/null || break
	n=$((n + 1))
done
diag "20 reloads took $(( $(date +%s) - start )) s"
check_eq "20 unload/reload cycles" "$n" 20
check "the workload was still running after the last reload" kill -0 $bg
kill $bg 2>/dev/null
wait $bg
st=$?
# 143: stopped by us (SIGTERM); 0: it had finished.  Anything else: it failed.
if [ $st -eq 143 ] || [ $st -eq 0 ]; then ok "background workload ended cleanly ($st)"; else not_ok "background workload status $st"; cat /tmp/bg.out; fi
# the stopped workload's children die by PDEATHSIG: let them finish first
check "the stopped workload left no process" wait_gone pmdstat-workload
echo reset > $D/control
pmdstat-workload -q -n 2 -t munmap > /dev/null 2>&1
snap /tmp/reload.stats
check_eq "the reloaded module counts a new workload's shares" "$(total_val /tmp/reload.stats share_calls)" 2
dmesg_bad > /tmp/bad.after
check "no oops or warning in dmesg" cmp -s /tmp/bad.before /tmp/bad.after
[ -s /tmp/bad.after ] && head -n 40 /tmp/bad.after
