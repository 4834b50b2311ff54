# demo-guest.sh - what `make demo` runs inside the VM (busybox sh): the
# 2019 story told with pmdstat.
D=/sys/kernel/debug/pmdstat
hold_line() {	# VMAS: share calls, median and max i_mmap_rwsem hold in huge_pmd_share, scan length
	awk -v v="$1" '
		$1 == "hist" { f = ($2 == "name=share_i_mmap_hold_ns"); g = ($2 == "name=scan_vmas")
			for (i = 3; i <= NF; i++) { split($i, a, "="); if (f) h[a[1]] = a[2]; if (g) s[a[1]] = a[2] }
			seen = 0; next }
		f && $1 == "bucket" { seen += $4; if (!mlo && seen >= (h["count"] + 1) / 2) { mlo = $2; mhi = $3 } }
		$1 == "end" { f = 0; g = 0 }
		END { printf "  %6d VMAs: %5d share calls, i_mmap_rwsem held: median %7.1f-%7.1f us, max %8.1f us; %6.1f VMAs scanned per share\n",
			v, h["count"], mlo / 1000, (mhi + 1) / 1000, h["max"] / 1000,
			s["count"] ? s["sum"] / s["count"] : 0 }' $D/stats
}
echo "### pmdstat demo on $(uname -r): $(nproc) CPUs, $(grep HugePages_Free /proc/meminfo)"
echo "### probe sites resolved at load time:"
dmesg | sed -n 's/.*pmdstat: probing /  /p'
echo
echo "### 1. sharing works: 4 processes map one 1 GiB hugetlb file; 3 attach to the first one's PMD table"
pmdstat --reset
pmdstat-repro -s share -p 4 --pages 4 -q
grep '^Totals' $D/stats | sed 's/^/  /'
echo
echo "### 2. the 2019 stall: huge_pmd_share() scans every VMA of the file under i_mmap_rwsem."
echo "###    VMAs that cannot share (different offsets in the PUD): the hold grows with the VMA count"
for v in 8 64 512; do
	pmdstat --reset
	pmdstat-repro -s scan -p 1 --vmas $v --pages 1 -q > /dev/null
	hold_line $v
done
echo
echo "### 3. contention: sharers, unsharers and a process doing mmap/mprotect/munmap on one file,"
echo "###    recorded every second (pmdstat record) and attached to the repro's cgroup (pmdstat attach)"
pmdstat record 1 -d 6 -o /tmp/demo.rec &
rec=$!
pmdstat attach -- pmdstat-repro -s mixed -p 6 -d 5 -q
wait $rec
echo "###    for the ticket (pmdstat's blocked-by table, summed over the recording):"
pmdstat report /tmp/demo.rec | grep '^Waits for'
echo
echo "### 4. the recording, summed (pmdstat report), and its share_ns heatmap"
pmdstat report /tmp/demo.rec | head -n 30
pmdstat heatmap /tmp/demo.rec --hist share_ns -o /tmp/share_ns.svg && {
	echo "=== BEGIN FILE share_ns.svg"
	cat /tmp/share_ns.svg
	echo
	echo "=== END FILE share_ns.svg"
}
echo
echo "### 5. the same numbers for monitoring: pmdstat --prom (first lines)"
pmdstat --prom | head -n 12
echo
echo "### 6. without the module (hosts that refuse unsigned modules): the same repro as in 1"
echo "###    under pmdstat --backend bpf (fentry/fexit where BTF has the function, kprobes on clones)"
rmmod pmdstat
pmdstat --backend bpf -- pmdstat-repro -s share -p 4 --pages 4 -q 2> /dev/null > /tmp/demo-bpf.txt
# the probe table, and each latency histogram's title and summary line
awk '/^SYMBOL/ { t = 1 } t && /^$/ { t = 0 } t { print }
	/^(share|unshare)_ns:/ { print; w = 1 } w && /^count / { print; w = 0 }' /tmp/demo-bpf.txt |
	sed 's/^/  /'
insmod /lib/pmdstat.ko
