# test_80_attach.sh - attach to a repro while an unrelated hugetlb workload
# runs outside it: only the repro's events are recorded (its cgroup, or its
# process), and they equal what the repro alone produces.  Recording,
# report, heatmap and Prometheus output are produced here and validated on
# the host (scripts/host-checks: XML and exposition-format parsers).
jnum() { grep -o "\"$2\":[0-9]*" "$1" | head -n 1 | sed 's/.*://'; }

# an unrelated sharer, outside any filter, for the whole test
pmdstat-workload -q -n 4 -t munmap -d 60 > /dev/null 2>&1 &
noise=$!
sleep 1

# attach -- CMD: a fresh cgroup, only its events
pmdstat -j attach -- pmdstat-workload -q -n 3 -r 2 -t munmap > /tmp/att.json 2>/tmp/att.err
check_eq "attach -- CMD: exit status of the command" "$?" 0
check_eq "attach -j -- CMD: stdout is the JSON report alone" "$(wc -l < /tmp/att.json | tr -d ' ')" 1
check "attach -j -- CMD: the command's stdout (its result line) went to stderr" grep -q '^result ' /tmp/att.err
check_eq "attach -- CMD: share calls = the repro's alone (3 processes x 2 rounds)" "$(jnum /tmp/att.json share_calls)" 6
check_eq "attach -- CMD: attaches = the repro's alone" "$(jnum /tmp/att.json attached)" 4
check_eq "attach -- CMD: unshares = the repro's alone" "$(jnum /tmp/att.json unshared)" 4
check_gt "attach -- CMD: the unrelated workload was filtered out meanwhile" "$(grep -o '"filtered":[0-9]*' /tmp/att.json | sed 's/.*://' | awk '{ s += $1 } END { print s + 0 }')" 0
check_eq "attach -- CMD: the filter is cleared afterwards" "$(sed -n 's/.*filter_cgroup=\([0-9]*\).*/\1/p' $D/stats)" 0
pmdstat attach -- sh -c 'exit 3' > /dev/null 2>&1
check_eq "attach -- CMD: exits with the command's status" "$?" 3
check "attach -- CMD: no cgroup left behind" sh -c '! ls -d /sys/fs/cgroup/pmdstat-* 2>/dev/null'

# attach -p PID: one process (pmdstat-scan faults in the process itself)
pmdstat-scan -v 8 -w 2 > /tmp/scan.out &
target=$!
sleep 0.5
(sleep 1; pmdstat-scan -v 16 > /dev/null) &
pmdstat -j attach -p $target -d 5 > /tmp/attp.json 2>/tmp/attp.err
wait $target
check_eq "attach -p: share calls = the process's alone" "$(jnum /tmp/attp.json share_calls)" 8
if pmdstat attach -p 999999 -d 1 > /dev/null 2>&1; then st=0; else st=$?; fi
check_eq "attach -p: a nonexistent process is refused" "$st" 2
for bad in "filter_tgid=abc" "filter_tgid=-5" "filter_tgid=999999" "filter_cgroup=x" "filter_cgroup=0" "filter_cgroup=99999999"; do
	if echo "$bad" > $D/control 2>/dev/null; then not_ok "control $bad rejected"; else ok "control $bad rejected"; fi
done

# record, report, heatmap, Prometheus
pmdstat record 1 4 -o /tmp/rec.txt &
rp=$!
pmdstat-workload -q -n 3 -r 3 -t exit > /dev/null 2>&1
wait $rp
check_eq "record: one record line per interval" "$(grep -c '^record t=[0-9]* interval=[0-9]*$' /tmp/rec.txt)" 4
check_eq "record: each followed by a stats block" "$(grep -c '^pmdstat-stats version=1$' /tmp/rec.txt)" 4
pmdstat report /tmp/rec.txt > /tmp/report.txt
check_eq "report: exit status" "$?" 0
pmdstat -j report /tmp/rec.txt > /tmp/report.json
check_gt "report: sums the recorded share calls" "$(jnum /tmp/report.json share_calls)" 0
pmdstat heatmap /tmp/rec.txt --hist share_ns -o /tmp/heat.svg
check_eq "heatmap: exit status" "$?" 0
pmdstat --prom > /tmp/prom.txt
check_eq "prom: exit status" "$?" 0
if pmdstat heatmap /tmp/rec.txt --hist no_such_hist -o /tmp/x.svg 2>/dev/null; then st=0; else st=$?; fi
check_eq "heatmap: an unknown histogram is refused" "$st" 2
for f in rec.txt heat.svg prom.txt; do
	echo "=== BEGIN FILE $f"
	cat /tmp/$f
	echo "=== END FILE $f"
done

# pmdstat-repro rejects each kind of bad parameter with status 2
for args in "-s nosuch" "-p 0" "-p 257" "-p x" "-t 0" "-t 65" "--vmas 0" "--vmas 513" \
	    "--pages 0" "--file-size 3M" "--file-size 1T" "--file-size abc" "-d 0" "-n 0" \
	    "-d 5 -n 5" "--hugetlbfs /nonexistent" "--no-such-option" "extra-operand"; do
	# shellcheck disable=SC2086
	pmdstat-repro $args > /dev/null 2>/tmp/repro.err
	st=$?
	if [ $st -eq 2 ] && [ -s /tmp/repro.err ]; then ok "pmdstat-repro $args: status 2 with a message"
	else not_ok "pmdstat-repro $args: status $st, message '$(head -c 120 /tmp/repro.err)'"; fi
done
kill $noise 2>/dev/null
wait $noise 2>/dev/null
check "the unrelated workload left no process" wait_gone pmdstat-workload
echo filter=none > $D/control
