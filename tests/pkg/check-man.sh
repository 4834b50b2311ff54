#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-man.sh - check the man pages in man/*.8:
#   * "man --warnings" prints no warning for the page (MANWIDTH=80);
#   * lexgrog finds its whatis line ("NAME - description");
#   * it has the sections SYNOPSIS ... SEE ALSO, and pmdstat(8)'s FILES
#     names every debugfs file that module/*.c creates;
#   * every long option that the tool's help prints (--[a-z][a-z-]*)
#     appears in the page, and, for a help that lists "Commands:", every
#     long option of each command's help (TOOL CMD --help).  The tool is the executable of the page's name
#     in the build/host directory (make tools), run with --help, or with -h
#     if --help fails (pmdstat-bpf takes no long options).
#
# Usage: tests/pkg/check-man.sh [HOSTDIR]
#   HOSTDIR: where make tools put the tools (default: build/host under the
#   repository's top directory).
# Prints TAP lines ("ok N - ...", "not ok N - ...") and the plan at the end;
# exits 1 if any check failed, 2 on a usage error.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ $# -gt 1 ]; then
	echo "usage: $0 [HOSTDIR]" >&2
	exit 2
fi
hostdir=${1:-$top/build/host}

n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	local line
	for line in "$@"; do
		printf '#   %s\n' "$line"
	done
}

# The page's text with the roff escapes that can sit inside an option
# undone: \- (minus), \& and \c (zero width), font changes.
page_text() {
	sed -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\c//g' \
	    -e 's/\\f\[[^]]*\]//g' -e 's/\\f([A-Za-z][A-Za-z]//g' -e 's/\\f[A-Za-z0-9]//g' \
	    "$1"
}

missing_cmds=()
for c in man lexgrog; do
	command -v "$c" >/dev/null 2>&1 || missing_cmds+=("$c")
done
if [ ${#missing_cmds[@]} -ne 0 ]; then
	not_ok "${missing_cmds[*]} installed" \
		"install them: apt-get install -y --no-install-recommends man-db groff-base"
	echo "1..$n"
	exit 1
fi

shopt -s nullglob
pages=("$top"/man/*.8)
if [ ${#pages[@]} -eq 0 ]; then
	not_ok "man pages in $top/man" "no man/*.8 found"
	echo "1..$n"
	exit 1
fi

for page in "${pages[@]}"; do
	rel=${page#"$top"/}
	name=$(basename "$page" .8)

	# 1. groff's warnings, as man shows them
	warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -z "$warnings" ]; then
		ok "$rel: man --warnings prints nothing"
	else
		mapfile -t lines <<<"$warnings"
		not_ok "$rel: man --warnings prints nothing" "${lines[@]}"
	fi

	# 2. the whatis line
	whatis=$(lexgrog "$page" 2>&1)
	if [[ $whatis == "$page: \"$name - "?*'"' ]]; then
		ok "$rel: lexgrog: ${whatis#"$page: "}"
	else
		not_ok "$rel: lexgrog finds \"$name - ...\"" "lexgrog said: $whatis"
	fi

	# 3. the sections a reader of section 8 looks for
	for sec in SYNOPSIS DESCRIPTION OPTIONS FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		if grep -qx "\.SH \"\{0,1\}$sec\"\{0,1\}" "$page"; then
			ok "$rel: has section $sec"
		else
			not_ok "$rel: has section $sec" "no '.SH $sec' line"
		fi
	done

	# 4. pmdstat(8) names every debugfs file the module creates
	if [ "$name" = pmdstat ]; then
		text=$(page_text "$page")
		for f in $(sed -n 's/.*debugfs_create_file("\([a-z_]*\)".*/\1/p' "$top"/module/*.c); do
			if grep -qE -- "(^|[^a-z_])$f([^a-z_]|\$)" <<<"$(sed -n '/^\.SH FILES/,/^\.SH /p' <<<"$text")"; then
				ok "$rel: FILES names debugfs file $f"
			else
				not_ok "$rel: FILES names debugfs file $f" "module/*.c creates it; the FILES section does not name it"
			fi
		done
	fi

	# 5. every long option of the tool's help is in the page
	tool=$hostdir/$name
	if [ ! -x "$tool" ]; then
		not_ok "$rel: $tool exists" "build it first: make tools (or give the build/host directory as argument 1)"
		continue
	fi
	# --help, or -h if --help fails (pmdstat-bpf has no long options)
	if help=$("$tool" --help 2>/dev/null); then
		:
	elif help=$("$tool" -h 2>/dev/null); then
		echo "# $name --help failed; its help is from $name -h"
	else
		not_ok "$rel: $name --help (or -h) succeeds" "both exited non-zero"
		continue
	fi
	# a help with a "Commands:" list: each command's help too
	for cmd in $(sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' <<<"$help"); do
		[ "$cmd" = help ] && continue
		if cmd_help=$("$tool" "$cmd" --help 2>/dev/null); then
			help+=$'\n'$cmd_help
		else
			not_ok "$rel: $name $cmd --help succeeds" "it exited non-zero"
		fi
	done
	mapfile -t opts < <(grep -oE -- '--[a-z][a-z-]*' <<<"$help" | sort -u)
	if [ ${#opts[@]} -eq 0 ]; then
		ok "$rel: $name's help lists no long option"
		continue
	fi
	text=$(page_text "$page")
	for opt in "${opts[@]}"; do
		if grep -qE -- "(^|[^a-z-])${opt}([^a-z-]|\$)" <<<"$text"; then
			ok "$rel: documents $opt"
		else
			not_ok "$rel: documents $opt" "$name's help prints $opt; $rel does not mention it"
		fi
	done
done

echo "1..$n"
if [ "$failed" -ne 0 ]; then
	echo "# $failed of $n checks failed"
	exit 1
fi
exit 0
