# test_60_scan.sh - huge_pmd_share's scan: V VMAs of one file that cannot
# share, so every share walks all V of them under i_mmap_rwsem (read).
# The scan length is exact; the hold time must grow with it.
median_lo() {	# lower bound of the bucket holding the median of hist $2 in $1
	awk -v n="name=$2" '$1 == "hist" && $2 == n { f = 1; split($4, c, "="); half = (c[2] + 1) / 2; next }
		f && $1 == "bucket" { s += $4; if (s >= half) { print $2; exit } }
		f && $1 == "end" { exit }' "$1"
}
# 8 VMAs give 8 samples per run: repeat that run so both medians rest on
# hundreds of samples, not on a handful that a TCG hiccup can move.
# Counting the scan costs a kprobe on every interval-tree step of every
# file, so it is off by default, and the stats say so.
echo reset > $D/control
pmdstat-scan -v 8 > /dev/null
snap /tmp/scan_off.stats
check_eq "scan counting is off by default (state count_scan=0)" \
	"$(sed -n 's/^state .*count_scan=\([0-9]*\).*/\1/p' /tmp/scan_off.stats)" 0
check_eq "with it off, scan_vmas stays empty" "$(hist_val /tmp/scan_off.stats scan_vmas count)" 0
rmmod pmdstat
check "the module loads with count_scan=1" insmod /lib/pmdstat.ko count_scan=1
for v in 8 512; do
	reps=$((v == 8 ? 32 : 1))
	echo reset > $D/control
	for r in $(seq $reps); do pmdstat-scan -v $v > /dev/null; done
	snap /tmp/scan$v.stats
	check_eq "scan $v: one share call per VMA ($reps runs)" "$(hist_val /tmp/scan$v.stats scan_vmas count)" $((v * reps))
	check_eq "scan $v: each share considered all $v VMAs" "$(hist_val /tmp/scan$v.stats scan_vmas sum)" $((v * v * reps))
	check_eq "scan $v: no VMA shared" "$(total_val /tmp/scan$v.stats attached)" 0
done
m8=$(median_lo /tmp/scan8.stats share_i_mmap_hold_ns)
m512=$(median_lo /tmp/scan512.stats share_i_mmap_hold_ns)
a8=$(( $(hist_val /tmp/scan8.stats share_i_mmap_hold_ns sum) / (8 * 32) ))
a512=$(( $(hist_val /tmp/scan512.stats share_i_mmap_hold_ns sum) / 512 ))
diag "i_mmap_rwsem hold in huge_pmd_share: median bucket from $m8 ns (8 VMAs) and $m512 ns (512 VMAs): ratio $((m512 / (m8 + 1)))x; averages $a8 ns and $a512 ns"
# On a KASAN/lockdep kernel every hold carries a fixed cost (lockdep's
# acquire and release bookkeeping, KASAN's checks on every access) of the
# order of the 8-VMA scan itself, so the ratio shrinks: there the 512-VMA
# median must lie at least one log2 bucket higher (2x), elsewhere 4x.
f=4
zcat /proc/config.gz 2>/dev/null | grep -qE '^CONFIG_(KASAN|PROVE_LOCKING)=y' && f=2
check_gt "median hold at 512 VMAs is at least ${f}x that at 8" "$m512" $((f * m8 - 1))
diag "longest holds: $(hist_val /tmp/scan8.stats share_i_mmap_hold_ns max) ns (8 VMAs), $(hist_val /tmp/scan512.stats share_i_mmap_hold_ns max) ns (512 VMAs)"
check_gt "no hold in the 8-VMA scans lasted a second (a stale record would)" 1000000000 "$(hist_val /tmp/scan8.stats share_i_mmap_hold_ns max)"
rmmod pmdstat
insmod /lib/pmdstat.ko
