# shellcheck shell=sh
# test_91_backend.sh - pmdstat --backend bpf: the reader runs pmdstat-bpf
# itself.  The same workload twice, once under "pmdstat --backend bpf -j --
# CMD", once under "pmdstat-bpf -o F -- CMD" rendered by "pmdstat -f F -j":
# the per-site hits must be equal (N processes and R rounds on one PMD table
# make the same calls every time, and nothing else in the guest uses
# hugetlb).  A failing command's status is passed on after the report; a
# failing pmdstat-bpf's status is passed on with nothing printed; usage
# errors exit 2 and leave the module alone.  The JSON and Prometheus
# output are printed for scripts/host-checks to parse strictly.
BE_WL="pmdstat-workload -q -n 2 -r 2 -t munmap"

# be_jcount FILE HIST: the count of histogram HIST in pmdstat -j output
be_jcount() {
	tr '}' '\n' < "$1" | grep "\"$2\":{" | head -n 1 | grep -o '"count":[0-9]*' | head -n 1 | sed 's/.*://'
}
# be_sites FILE: the share and unshare sites of pmdstat -j output
be_sites() {
	grep -oE '"symbol":"[^"]*","role":"(share|unshare)"' "$1" | sed 's/^"symbol":"\([^"]*\)".*/\1/'
}
# be_hits FILE SYMBOL: the hits of the probe SYMBOL in pmdstat -j output
be_hits() {
	tr '{' '\n' < "$1" | grep "^\"symbol\":\"$2\"," | head -n 1 | grep -o '"hits":[0-9]*' | sed 's/.*://'
}
# be_unshare_hits FILE: the calls of the unshare sites in pmdstat -j output
be_unshare_hits() {
	grep -oE '"role":"unshare","hits":[0-9]+' "$1" | sed 's/.*://' | awk '{ s += $1 } END { print s + 0 }'
}
# be_temp_left: pmdstat's temporary files for pmdstat-bpf left in /tmp
be_temp_left() {
	be_t=0
	for be_f in /tmp/pmdstat-bpf.*; do [ -e "$be_f" ] && be_t=$((be_t + 1)); done
	echo $be_t
}

check "backend: no earlier workload is still running" wait_gone pmdstat-workload
# shellcheck disable=SC2086
pmdstat --backend bpf -j -- $BE_WL > /tmp/be1.json 2> /tmp/be1.err
st=$?
check_eq "backend: pmdstat --backend bpf -j -- workload exits 0" "$st" 0
[ "$st" -eq 0 ] || cat /tmp/be1.err
check_eq "backend: the report is one JSON line" "$(wc -l < /tmp/be1.json | tr -d ' ')" 1
check "backend: the JSON line is an object" grep -q '^{.*}$' /tmp/be1.json
check "backend: with -j, the command's stdout (its result line) went to stderr" grep -q '^result ' /tmp/be1.err
check_gt "backend: share_ns is not empty" "$(be_jcount /tmp/be1.json share_ns)" 0
# pmdstat-bpf decides an unshare's outcome at its entry unless -u times
# the calls: unshare_ns is empty by default, the calls are counted
check_gt "backend: unshare calls are counted" "$(be_unshare_hits /tmp/be1.json)" 0
check "backend: made by pmdstat-bpf (module bpf-*)" grep -q '"module":"bpf-' /tmp/be1.json
check_eq "backend: its temporary file is removed" "$(be_temp_left)" 0

# the same workload through pmdstat-bpf -o and pmdstat -f
check "backend: the first workload left no process" wait_gone pmdstat-workload
# shellcheck disable=SC2086
pmdstat-bpf -o /tmp/be2.stats -- $BE_WL > /dev/null 2>&1
check_eq "backend: pmdstat-bpf -o F -- workload exits 0" "$?" 0
pmdstat -f /tmp/be2.stats -j > /tmp/be2.json
be_n=0
for s in $(be_sites /tmp/be2.json); do
	be_n=$((be_n + 1))
	check_eq "backend: $s hits equal pmdstat-bpf -o + pmdstat -f's" \
		"$(be_hits /tmp/be1.json "$s")" "$(be_hits /tmp/be2.json "$s")"
done
check_gt "backend: share and unshare sites compared" "$be_n" 1
check_eq "backend: the same sites" "$(be_sites /tmp/be1.json | sort | tr '\n' ' ')" \
	"$(be_sites /tmp/be2.json | sort | tr '\n' ' ')"

# Prometheus, for host-checks
pmdstat --backend bpf --prom -d 1 > /tmp/be.prom 2> /tmp/be.err
check_eq "backend: --prom -d 1 exits 0" "$?" 0
check "backend: --prom has the share histogram" grep -q '_bucket{' /tmp/be.prom

# a command that fails: the report, then its status
check "backend: the second workload left no process" wait_gone pmdstat-workload
pmdstat --backend bpf -j -- sh -c "$BE_WL; exit 3" > /tmp/be3.json 2> /tmp/be3.err
check_eq "backend: a failing command's status is passed on" "$?" 3
check_gt "backend: ... after the report of what it did" "$(be_jcount /tmp/be3.json share_ns)" 0
pmdstat --backend bpf -- /nonexistent/cmd > /tmp/be4.out 2>&1
check_eq "backend: a command that cannot run: 127" "$?" 127
check_eq "backend: temporary files removed after a failing command" "$(be_temp_left)" 0

# a pmdstat-bpf that fails: its status, no report; next to pmdstat before PATH
mkdir -p /tmp/be.bin
cp "$(command -v pmdstat)" /tmp/be.bin/pmdstat
printf '#!/bin/sh\necho "pmdstat-bpf: stand-in failing" >&2\nexit 3\n' > /tmp/be.bin/pmdstat-bpf
chmod +x /tmp/be.bin/pmdstat-bpf
/tmp/be.bin/pmdstat --backend bpf -d 1 > /tmp/be5.out 2> /tmp/be5.err
check_eq "backend: a failing pmdstat-bpf's status is passed on" "$?" 3
check_eq "backend: ... with no report" "$(wc -c < /tmp/be5.out | tr -d ' ')" 0
check "backend: ... and its own message" grep -q "stand-in failing" /tmp/be5.err
rm /tmp/be.bin/pmdstat-bpf
PATH=/nonexistent /tmp/be.bin/pmdstat --backend bpf -d 1 > /dev/null 2> /tmp/be6.err
check_eq "backend: no pmdstat-bpf next to pmdstat or in PATH: 1" "$?" 1
check "backend: ... saying how to get one" grep -q "make tools" /tmp/be6.err
rm -r /tmp/be.bin

# usage errors: 2, and the module untouched
be_resets=$(sed -n 's/^state .*resets=\([0-9]*\).*/\1/p' "$D/stats")
for args in "--backend foo" "--backend bpf events" "--backend bpf live" "--backend bpf attach -- true" \
	    "--backend bpf record 1 -o /tmp/x" "--backend bpf -f /tmp/be2.stats" "--backend bpf -D $D" \
	    "--backend bpf --reset" "--backend bpf --threshold 5" "--backend bpf -i 1" "--backend bpf 1 2" "--backend bpf -c 2" \
	    "--backend bpf -d 5 -- true" "--backend bpf -d 86401" "--backend bpf --"; do
	# shellcheck disable=SC2086
	pmdstat $args > /tmp/be7.out 2> /tmp/be7.err
	st=$?
	if [ $st -eq 2 ] && [ -s /tmp/be7.err ] && [ ! -s /tmp/be7.out ]; then ok "backend: pmdstat $args: usage error 2"
	else not_ok "backend: pmdstat $args: status $st, message '$(head -c 160 /tmp/be7.err)'"; fi
done
check_eq "backend: the usage errors did not reset the module" \
	"$(sed -n 's/^state .*resets=\([0-9]*\).*/\1/p' "$D/stats")" "$be_resets"
check "backend: the workloads left no process" wait_gone pmdstat-workload

for f in be1.json be.prom; do
	echo "=== BEGIN FILE $f"
	cat /tmp/$f
	echo "=== END FILE $f"
done
