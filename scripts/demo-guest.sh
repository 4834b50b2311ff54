# demo-guest.sh - what `make demo` runs inside the VM (busybox sh).
set -e
echo "### pmdstat demo on $(uname -r): $(nproc) CPUs, $(grep HugePages_Free /proc/meminfo)"
echo "### probe sites resolved at load time:"
dmesg | sed -n 's/.*pmdstat: probing /  /p'
pmdstat --reset
echo
echo "### workload: 4 processes share one PMD table (1 GiB MAP_SHARED hugetlb),"
echo "### then unshare it by munmap, MADV_DONTNEED, mprotect, punch hole, truncate and exit (3 rounds each)"
pmdstat-workload -n 4 -r 3 -t all -q
echo
echo "### pmdstat report"
pmdstat
echo
echo "### the same as JSON (first 600 bytes; pmdstat --json)"
pmdstat --json | head -c 600
echo
