# test_10_sites.sh - the module probes exactly the functions that kallsyms
# says implement share/unshare (base name + compiler clones, no .cold parts).
snap /tmp/sites.stats
want=$(awk '$2 ~ /^[tT]$/ { n = $3; b = n; sub(/\..*/, "", b)
	if ((b == "huge_pmd_share" || b == "huge_pmd_unshare" || b == "__huge_pmd_unshare") &&
	    n !~ /\.cold/) print n }' /proc/kallsyms | sort -u | tr '\n' ' ')
got=$(sites /tmp/sites.stats | sort -u | tr '\n' ' ')
check_eq "probe sites equal kallsyms' share/unshare functions and clones" "$got" "$want"
for s in $(sites /tmp/sites.stats); do
	diag "site $s: role=$(role_of /tmp/sites.stats "$s") reads=$(probe_val /tmp/sites.stats "$s" reads)"
done
# huge_pmd_unshare is a trampoline into __huge_pmd_unshare or its clone on
# every kernel tested: that site's registers must be named from it
check_gt "the site huge_pmd_unshare jumps to has a decoded layout" \
	"$(grep -c '^probe symbol=__huge_pmd_unshare[^ ]* role=unshare .*layout:from-huge_pmd_unshare' /tmp/sites.stats)" 0
check_eq "format version" "$(sed -n '1s/^pmdstat-stats version=//p' /tmp/sites.stats)" 1
check_eq "kernel release in header" "$(sed -n 's/^kernel release=\([^ ]*\).*/\1/p' /tmp/sites.stats)" "$(uname -r)"
check_eq "stats is root-only read" "$(stat -c %a $D/stats)" 400
check_eq "control is root-only write" "$(stat -c %a $D/control)" 200
if grep -Eq '(0x)?ffff[0-9a-f]{12}' /tmp/sites.stats; then
	not_ok "no kernel pointer in the stats file"
else
	ok "no kernel pointer in the stats file"
fi
