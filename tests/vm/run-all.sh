# run-all.sh - run every VM test in this directory (in the guest) and print
# the totals.  Each test file is sourced so that the TAP counter is shared.
. ./lib.sh
echo "# kernel $(uname -r), $(nproc) CPUs, $(grep HugePages_Total /proc/meminfo)"
# (the tests are sourced and may set any short name: run_ names are ours)
for run_test in ${TESTS:-$(ls test_*.sh)}; do
	echo "# ---- $run_test"
	run_t0=$(date +%s)
	. ./"$run_test"
	echo "# time $run_test: $(( $(date +%s) - run_t0 )) s"
done
# kmemleak (debug kernels): unload pmdstat, scan twice (an object is
# reported only when two scans found it unreferenced), print what it found
# for scripts/splat-scan on the host, then load pmdstat again.
if [ -e /sys/kernel/debug/kmemleak ]; then
	rmmod pmdstat 2>/dev/null
	echo scan > /sys/kernel/debug/kmemleak; sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	echo "=== BEGIN FILE kmemleak.txt"
	cat /sys/kernel/debug/kmemleak
	echo "=== END FILE kmemleak.txt"
	insmod /lib/pmdstat.ko
fi
echo "1..$TAP_N"
echo "$((TAP_N - TAP_FAIL)) passed, $TAP_FAIL failed"
[ "$TAP_FAIL" -eq 0 ]
