# run-all.sh - run every VM test in this directory (in the guest) and print
# the totals.  Each test file is sourced so that the TAP counter is shared.
. ./lib.sh
echo "# kernel $(uname -r), $(nproc) CPUs, $(grep HugePages_Total /proc/meminfo)"
for t in ${TESTS:-$(ls test_*.sh)}; do
	echo "# ---- $t"
	. ./"$t"
done
echo "1..$TAP_N"
echo "$((TAP_N - TAP_FAIL)) passed, $TAP_FAIL failed"
[ "$TAP_FAIL" -eq 0 ]
