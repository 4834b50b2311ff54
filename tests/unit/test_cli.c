// SPDX-License-Identifier: GPL-2.0
/*
 * test_cli.c - the command line (loader/cli.c), above all attach's: no
 * command, a bad -p, a bad -d, what goes together and what does not, the
 * command's own options left alone; and what attach does that needs no
 * privilege (loader/attach.c): telling a running process from a missing
 * one, and starting a command (outside any cgroup) with its exit status,
 * 128 + signal, or 127 when it cannot run.  --backend bpf: which commands
 * and options go with it, and (loader/backend.c) finding pmdstat-bpf, its
 * arguments, and running a stand-in for it (a shell script): the report
 * equal to -f's, a command's status, pmdstat-bpf's own failures passed on
 * with nothing printed.  Nothing here needs root or touches the module, a
 * cgroup or BPF.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "proc.h"
#include "backend.h"
#include "cli.h"
#include "out.h"
#include "run.h"
#include "snapshot.h"
#include "source.h"
#include "tap.h"

#define MAX_ARGS	32

static char *words[MAX_ARGS + 1];
static struct pmdstat_cli cli;

/* Parse "pmdstat " + line, split at spaces. */
static enum pmdstat_cli_result parse(const char *line)
{
	static char buf[1024];
	int argc = 0;
	char *s;

	snprintf(buf, sizeof(buf), "pmdstat %s", line);
	for (s = strtok(buf, " "); s && argc < MAX_ARGS; s = strtok(NULL, " "))
		words[argc++] = s;
	words[argc] = NULL;
	return pmdstat_cli_parse(&cli, argc, words);
}

/* A usage error whose message has want. */
static void check_usage(const char *line, const char *want)
{
	enum pmdstat_cli_result rc = parse(line);

	if (!CHECK(rc == PMDSTAT_CLI_USAGE && strstr(cli.msg, want)))
		printf("# '%s': result %d, message '%s', want '%s'\n", line, rc, cli.msg,
		       want);
}

static void check_run(const char *line)
{
	if (!CHECK(parse(line) == PMDSTAT_CLI_RUN))
		printf("# '%s': %s\n", line, cli.msg);
}

static void test_attach_usage(void)
{
	/* no command */
	check_usage("attach", "needs a command to run (pmdstat attach -- CMD [ARGS...]) or a process (pmdstat attach -p PID)");
	check_usage("attach --", "needs a command to run");
	check_usage("-j attach -i 1", "needs a command to run");
	/* bad -p */
	check_usage("attach -p abc", "invalid pid 'abc': expected a whole number from 1 to 4194304");
	check_usage("attach -p 0", "invalid pid '0'");
	check_usage("attach -p -3", "invalid pid '-3'");
	check_usage("attach -p 12x", "invalid pid '12x'");
	check_usage("attach -p 4194305", "invalid pid '4194305'");
	check_usage("attach -p 99999999999999999999", "invalid pid");
	check_usage("attach -p", "option '-p' needs a value");
	check_usage("attach --pid", "option '--pid' needs a value");
	/* bad -d */
	check_usage("attach -p 1 -d 0", "invalid duration '0': expected a whole number from 1 to");
	check_usage("attach -p 1 -d x", "invalid duration 'x'");
	check_usage("attach -p 1 -d 1.5", "invalid duration '1.5'");
	check_usage("attach -p 1 -d -2", "invalid duration '-2'");
	check_usage("attach -d 5 -- true", "-d/--duration is for attach -p PID");
	/* what does not go together */
	check_usage("attach -p 1 -- true", "a command to run or -p PID, not both");
	check_usage("attach -o run.jsonl -- true", "give -i SECS too");
	check_usage("attach -i 1 -o - -- true", "give -o a file name");
	check_usage("attach -c 3 -i 1 -- true", "-c/--count is gone (in libbpf-tools -c is a cgroup): use the positional count: pmdstat INTERVAL COUNT");
	check_usage("attach -f stats.txt -- true", "does not take -f/--file");
	check_usage("attach -p 1 2", "pmdstat attach takes a command to run or -p PID, not both");
	check_usage("--prom attach -i 1 -- true", "--prom prints one report");
	check_usage("-j --prom attach -- true", "two formats");
}

static void test_attach_args(void)
{
	char *argv1[] = { "pmdstat", "-j", "attach", "-i", "2", "-o", "r.jsonl", "--",
			  "sh", "-c", "exit 3", NULL };
	char *argv2[] = { "pmdstat", "attach", "pmdstat-repro", "-s", "scan", "-p", "8", NULL };
	char *argv3[] = { "pmdstat", "attach", "-T", "-n", "0", "--", "-weird", NULL };

	/* the command after "--", with its own options */
	if (CHECK(pmdstat_cli_parse(&cli, 11, argv1) == PMDSTAT_CLI_RUN)) {
		CHECK(cli.cmd == PMDSTAT_CMD_ATTACH && cli.json);
		CHECK_U64(cli.interval, 2);
		CHECK_STR(cli.output, "r.jsonl");
		CHECK_U64(cli.argc, 3);
		CHECK_STR(cli.argv[0], "sh");
		CHECK_STR(cli.argv[1], "-c");
		CHECK_STR(cli.argv[2], "exit 3");
		CHECK(cli.argv[3] == NULL);
		CHECK_U64(cli.pid, 0);
	}
	/* without "--": the command's -p is its own, not attach's */
	if (CHECK(pmdstat_cli_parse(&cli, 7, argv2) == PMDSTAT_CLI_RUN)) {
		CHECK_U64(cli.argc, 5);
		CHECK_STR(cli.argv[0], "pmdstat-repro");
		CHECK_STR(cli.argv[3], "-p");
		CHECK_U64(cli.pid, 0);
	}
	/* a command that looks like an option, after "--" */
	if (CHECK(pmdstat_cli_parse(&cli, 7, argv3) == PMDSTAT_CLI_RUN)) {
		CHECK_U64(cli.argc, 1);
		CHECK_STR(cli.argv[0], "-weird");
		CHECK(cli.timestamp && cli.top_set && cli.top == 0);
	}
	check_run("attach -p 1234 -d 30");
	CHECK(cli.cmd == PMDSTAT_CMD_ATTACH && cli.pid == 1234 && cli.duration == 30);
	CHECK_U64(cli.argc, 0);
	check_run("attach -p 4194304");
	check_run("--prom attach -p 1");
	CHECK(cli.prom);
	check_run("--reset -D /tmp/x attach -i 1 -p 1");
	CHECK_STR(cli.dir, "/tmp/x");
}

static void test_other_commands(void)
{
	check_run("record 1 -d 60 -o run.jsonl");
	CHECK(cli.cmd == PMDSTAT_CMD_RECORD && cli.interval == 1 && cli.duration == 60);
	CHECK_STR(cli.output, "run.jsonl");
	check_run("record 1 4 -o run.rec");
	CHECK(cli.interval == 1 && cli.count == 4 && cli.duration == 0);
	CHECK_STR(cli.output, "run.rec");
	check_run("record -o - 5 3 -T");
	CHECK(cli.interval == 5 && cli.count == 3 && cli.timestamp);
	/* -i stays as another way to give the interval */
	check_run("record -i 1 -d 60 -o run.jsonl");
	CHECK(cli.interval == 1 && cli.count == 0);
	check_usage("record", "pmdstat record needs INTERVAL: the length of each interval in seconds (pmdstat record 1 -o FILE)");
	check_usage("record 1", "pmdstat record needs -o FILE");
	check_usage("record -i 1 2 -o x", "the interval twice: give INTERVAL or -i SECS, not both");
	check_usage("record 1 -o x -p 3", "does not take -p/--pid (it is for: attach)");
	check_usage("record 1 2 -o x y", "unexpected argument 'y'");
	check_usage("record 1 -o x y", "unexpected argument 'y'");
	check_usage("record 0 -o x", "invalid interval '0': expected a whole number from 1 to");
	check_usage("record 1 0 -o x", "invalid count '0': expected a whole number from 1 to");
	check_usage("record 1 x2 -o x", "unexpected argument 'x2'");
	check_usage("record 1.5 -o x", "invalid interval '1.5'");
	check_usage("record -c 4 1 -o x", "use the positional count: pmdstat INTERVAL COUNT");

	check_run("report run.jsonl");
	CHECK(cli.cmd == PMDSTAT_CMD_REPORT);
	CHECK_STR(cli.input, "run.jsonl");
	check_run("report run.jsonl --prom");
	CHECK(cli.prom);
	check_run("-j report -n 0 -");
	CHECK_STR(cli.input, "-");
	check_usage("report", "pmdstat report needs a FILE");
	check_usage("report a b", "unexpected argument 'b'");
	check_usage("report -i 1 a", "pmdstat report does not take -i/--interval (it is for: stats, live, attach, record)");
	check_usage("--reset report a", "does not take --reset");

	check_run("heatmap run.jsonl --hist share_ns -o share.svg");
	CHECK(cli.cmd == PMDSTAT_CMD_HEATMAP);
	CHECK_STR(cli.input, "run.jsonl");
	CHECK_STR(cli.hist, "share_ns");
	CHECK_STR(cli.output, "share.svg");
	check_run("heatmap --hist=i_mmap_hold_ns.read --output=- run.jsonl");
	check_usage("heatmap run.jsonl -o x.svg", "needs --hist NAME");
	check_usage("heatmap run.jsonl --hist x", "needs -o OUT.svg");
	check_usage("heatmap --hist x -o y", "needs a FILE");
	check_usage("heatmap -j run.jsonl --hist x -o y", "does not take -j/--json");

	check_run("--prom");
	CHECK(cli.prom && cli.cmd == PMDSTAT_CMD_STATS);
	check_run("stats --prom -f stats.txt");
	check_usage("--prom -i 1", "--prom prints one report");
	check_usage("--prom 1", "--prom prints one report, for a scraper to read; it cannot go with an interval");
	check_usage("--prom -j", "two formats");
	check_usage("events --prom", "pmdstat events does not take --prom");
	check_usage("live --prom", "pmdstat live does not take --prom");
}

/* What pmdstat did before, still done and still said the same way. */
static void test_classic(void)
{
	check_run("");
	CHECK(cli.cmd == PMDSTAT_CMD_STATS && !cli.cmd_given && cli.top == 10);
	CHECK_STR(cli.dir, "/sys/kernel/debug/pmdstat");
	check_run("-i 5 -T");
	CHECK(cli.interval == 5 && cli.count == 0 && cli.timestamp);
	check_run("-j -i 1");
	check_run("events -j");
	check_run("-j events");
	check_run("live -i 1");
	check_run("--threshold 1000");
	check_run("--reset -i 10");
	check_run("events -f ev.txt");
	check_run("-n 0");
	check_usage("-c 3", "-c/--count is gone (in libbpf-tools -c is a cgroup): use the positional count: pmdstat INTERVAL COUNT");
	check_usage("-i 5 -c 3", "use the positional count: pmdstat INTERVAL COUNT");
	check_usage("--count 3", "use the positional count");
	check_usage("events -i 1", "-i/--interval is for the stats report and live; pmdstat events prints the log once");
	check_usage("live -n 3", "-n/--top sizes the caller table of the stats report");
	check_usage("-f x --reset", "it cannot reset a saved file (-f)");
	check_usage("-f x -D y", "two sources: give one");
	check_usage("-i 0", "invalid interval '0'");
	check_usage("--threshold 60000001", "invalid threshold");
	check_usage("bogus", "unknown command 'bogus': give stats, events, live, attach, record, report or heatmap");
	check_usage("-x", "unknown option '-x'");
	check_usage("--bogus", "unknown option '--bogus'");
	check_usage("stats extra", "unexpected argument 'extra': give INTERVAL [COUNT]");
	check_usage("stats extra -j", "unexpected argument 'extra'");
	check_usage("stats 1 2 3", "unexpected argument '3'");
	check_usage("-f x 1", "a saved file (-f) does not change: drop the interval");
	check_usage("events 1", "unexpected argument '1': pmdstat events prints the log once, it takes no INTERVAL");
	check_usage("--hist -j", "--hist draws the text report's bars; -j and --prom always have every bucket: drop --hist");
	check_usage("live --hist", "pmdstat live does not take --hist (it is for: stats, attach, report, heatmap)");
	/* "--" before a command word, without --backend bpf, as before */
	check_run("-j -- events");
	CHECK(cli.cmd == PMDSTAT_CMD_EVENTS && cli.json);
	CHECK(parse("-V") == PMDSTAT_CLI_VERSION);
}

/* bcc's positional INTERVAL [COUNT], and options before or after them. */
static void test_positional(void)
{
	check_run("1 5");
	CHECK(cli.cmd == PMDSTAT_CMD_STATS && !cli.cmd_given);
	CHECK(cli.interval == 1 && cli.count == 5);
	check_run("1");
	CHECK(cli.interval == 1 && cli.count == 0);
	check_run("-j 2 3 -T");
	CHECK(cli.json && cli.timestamp && cli.interval == 2 && cli.count == 3);
	check_run("stats 1 5 -n 0 --hist");
	CHECK(cli.cmd_given && cli.interval == 1 && cli.count == 5 && cli.top == 0 && cli.bars);
	check_run("--reset 10");
	CHECK(cli.reset && cli.interval == 10);
	check_run("live 1 10 -j");
	CHECK(cli.cmd == PMDSTAT_CMD_LIVE && cli.interval == 1 && cli.count == 10 && cli.json);
	check_usage("0", "invalid interval '0': expected a whole number from 1 to");
	check_usage("1 -1", "unknown option '-1'");
	check_usage("1 5x", "invalid count '5x'");
	check_usage("-i 1 2", "the interval twice");
	check_usage("1 -i 2", "the interval twice");
	check_usage("--backend bpf 1", "--backend bpf measures once: give -d SECS");
	check_usage("1 --backend bpf", "--backend bpf measures once: give -d SECS");
	check_run("--backend bpf -- 1");
	CHECK(cli.argc == 1);
}

static unsigned int lines(const char *s)
{
	unsigned int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * The examples of a help text: each "  pmdstat ..." line up to a comment,
 * a redirection or a second command, as the command line parses it.
 */
static void check_examples(const char *help)
{
	char copy[4096], ex[256];
	char *l, *save = NULL;

	snprintf(copy, sizeof(copy), "%s", strstr(help, "Examples:\n"));
	for (l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "  pmdstat ", 10))
			continue;
		snprintf(ex, sizeof(ex), "%s", l + 10);
		ex[strcspn(ex, "#>&|")] = '\0';
		check_run(ex);
	}
}

/* pmdstat --help, pmdstat CMD --help, pmdstat help CMD: each fits a screen. */
static void test_help(void)
{
	static const char *const cmds[] = {
		"stats", "events", "live", "attach", "record", "report", "heatmap",
	};
	char line[64];
	const char *h;
	size_t i;

	CHECK(parse("-h") == PMDSTAT_CLI_HELP);
	h = pmdstat_help(&cli);
	CHECK(strncmp(h, "Usage: pmdstat [OPTIONS] [INTERVAL [COUNT]]\n", 44) == 0);
	CHECK(lines(h) <= 40);
	CHECK(strstr(h, "  pmdstat 1 5              # five 1-second intervals\n") != NULL);
	for (i = 0; i < TAP_COUNT(cmds); i++)
		CHECK(strstr(h, cmds[i]) != NULL);
	CHECK(parse("help") == PMDSTAT_CLI_HELP);
	CHECK(pmdstat_help(&cli) == h);
	for (i = 0; i < TAP_COUNT(cmds); i++) {
		const char *c;

		snprintf(line, sizeof(line), "%s --help", cmds[i]);
		CHECK(parse(line) == PMDSTAT_CLI_HELP);
		c = pmdstat_help(&cli);
		snprintf(line, sizeof(line), "Usage: pmdstat %s", cmds[i]);
		if (i == 0)
			snprintf(line, sizeof(line), "Usage: pmdstat [stats]");
		if (!CHECK(strncmp(c, line, strlen(line)) == 0))
			printf("# %s\n", c);
		if (!CHECK(lines(c) <= 40))
			printf("# %s: %u lines\n", cmds[i], lines(c));
		CHECK(strstr(c, "Examples:\n") != NULL);
		snprintf(line, sizeof(line), "help %s", cmds[i]);
		CHECK(parse(line) == PMDSTAT_CLI_HELP);
		CHECK(pmdstat_help(&cli) == c);
	}
	CHECK(parse("attach -h") == PMDSTAT_CLI_HELP);
	CHECK(strstr(pmdstat_help(&cli), "pmdstat attach -p 1234 -d 30") != NULL);
	CHECK(strstr(pmdstat_help(&cli), "pmdstat attach -- pmdstat-repro -s scan -p 8") != NULL);
	CHECK(parse("record -h") == PMDSTAT_CLI_HELP);
	CHECK(strstr(pmdstat_help(&cli), "pmdstat record 1 60 -o run.rec ") != NULL);
	CHECK(parse("report -h") == PMDSTAT_CLI_HELP);
	CHECK(strstr(pmdstat_help(&cli), "pmdstat report run.rec ") != NULL);
	CHECK(parse("heatmap -h") == PMDSTAT_CLI_HELP);
	CHECK(strstr(pmdstat_help(&cli), "pmdstat heatmap run.rec --hist share_ns -o share.svg") != NULL);
	CHECK(parse("stats -h") == PMDSTAT_CLI_HELP);
	h = pmdstat_help(&cli);
	CHECK(strstr(h, "pmdstat --prom > /var/lib/node_exporter/textfile/pmdstat.prom") != NULL);
	CHECK(strstr(h, "pmdstat --backend bpf -d 10") != NULL);
	CHECK(strstr(h, "pmdstat --backend bpf -j -- ./repro") != NULL);
	CHECK(strstr(h, "--backend=NAME") != NULL);
	CHECK(strstr(h, "interpolated linearly within the log2") != NULL);
	/* every example of every help parses */
	CHECK(parse("-h") == PMDSTAT_CLI_HELP);
	check_examples(pmdstat_help(&cli));
	for (i = 0; i < TAP_COUNT(cmds); i++) {
		snprintf(line, sizeof(line), "help %s", cmds[i]);
		CHECK(parse(line) == PMDSTAT_CLI_HELP);
		check_examples(pmdstat_help(&cli));
	}
	check_usage("help bogus", "unknown command 'bogus'");
	check_usage("help stats live", "pmdstat help takes one command: pmdstat help CMD");
}

/* ---- --backend ---- */

static void test_backend_args(void)
{
	char *argv1[] = { "pmdstat", "--backend", "bpf", "-j", "--", "sh", "-c", "exit 3", NULL };
	char *argv2[] = { "pmdstat", "--backend=bpf", "stats", "./repro", "-j", "-d", "9", NULL };
	char *argv3[] = { "pmdstat", "stats", "--backend", "bpf", "--prom", "--", "-weird", NULL };

	check_run("");
	CHECK(cli.backend == PMDSTAT_BACKEND_MODULE);
	check_run("--backend bpf");
	CHECK(cli.backend == PMDSTAT_BACKEND_BPF && cli.cmd == PMDSTAT_CMD_STATS);
	CHECK(cli.argc == 0 && cli.duration == 0);
	check_run("--backend bpf -d 10");
	CHECK(cli.backend == PMDSTAT_BACKEND_BPF && cli.duration == 10 && !cli.json);
	check_run("--backend bpf --prom -d 5");
	CHECK(cli.prom && cli.duration == 5);
	check_run("--backend bpf -T -n 0 -d 86400");
	CHECK(cli.timestamp && cli.top == 0 && cli.duration == 86400);
	check_run("--backend bpf stats -d 1");
	CHECK(cli.cmd == PMDSTAT_CMD_STATS && cli.cmd_given && cli.duration == 1);
	check_run("stats -j --backend bpf");
	CHECK(cli.backend == PMDSTAT_BACKEND_BPF && cli.json);
	/* the module, said or not, for every command */
	check_run("--backend module");
	CHECK(cli.backend == PMDSTAT_BACKEND_MODULE);
	check_run("--backend module events -j");
	check_run("live --backend=module -i 1");
	check_run("--backend bpf --backend module -i 1");
	CHECK(cli.backend == PMDSTAT_BACKEND_MODULE);
	/* the command after "--", with its own options */
	if (CHECK(pmdstat_cli_parse(&cli, 8, argv1) == PMDSTAT_CLI_RUN)) {
		CHECK(cli.backend == PMDSTAT_BACKEND_BPF && cli.json && !cli.cmd_given);
		CHECK_U64(cli.argc, 3);
		CHECK_STR(cli.argv[0], "sh");
		CHECK_STR(cli.argv[2], "exit 3");
		CHECK(cli.argv[3] == NULL);
	}
	/* after "stats", without "--": the command's -j and -d are its own */
	if (CHECK(pmdstat_cli_parse(&cli, 7, argv2) == PMDSTAT_CLI_RUN)) {
		CHECK(!cli.json && cli.duration == 0);
		CHECK_U64(cli.argc, 4);
		CHECK_STR(cli.argv[0], "./repro");
		CHECK_STR(cli.argv[1], "-j");
	}
	if (CHECK(pmdstat_cli_parse(&cli, 7, argv3) == PMDSTAT_CLI_RUN)) {
		CHECK(cli.prom);
		CHECK_U64(cli.argc, 1);
		CHECK_STR(cli.argv[0], "-weird");
	}
}

static void test_backend_usage(void)
{
	static const char *const others[] = {
		"events", "live", "attach -- true", "attach -p 1", "record 1 -o x",
		"report run.jsonl", "heatmap run.jsonl --hist share_ns -o x.svg",
	};
	char line[128];
	size_t i;

	/* the value */
	check_usage("--backend foo", "invalid backend 'foo': give module (the default: the pmdstat module) or bpf (pmdstat-bpf)");
	check_usage("--backend BPF", "invalid backend 'BPF'");
	check_usage("--backend=", "invalid backend ''");
	check_usage("stats --backend modules", "invalid backend 'modules'");
	check_usage("--backend", "option '--backend' needs a value");
	/* only the stats report */
	for (i = 0; i < TAP_COUNT(others); i++) {
		char want[64];

		snprintf(line, sizeof(line), "--backend bpf %s", others[i]);
		snprintf(want, sizeof(want), "pmdstat %.*s does not take --backend bpf",
			 (int)strcspn(others[i], " "), others[i]);
		check_usage(line, want);
		check_usage(line, "only the stats report does (pmdstat --backend bpf [stats])");
	}
	check_usage("events --backend bpf -j", "pmdstat events does not take --backend bpf");
	/* what reads or changes the module, and what to do instead */
	check_usage("--backend bpf -f stats.txt", "--backend bpf measures now and -f/--file reads a saved file: give one");
	check_usage("--backend bpf -f -", "pmdstat -f FILE renders a file of pmdstat-bpf -o FILE");
	check_usage("--backend bpf -D /tmp/x", "--backend bpf does not read them: drop -D");
	check_usage("--backend bpf --reset", "--backend bpf counts from zero on every run: drop --reset");
	check_usage("--reset stats --backend bpf -d 5", "drop --reset");
	check_usage("--backend bpf --threshold 10", "drop --threshold");
	check_usage("--backend bpf -i 1", "an interval reads the module again and again; --backend bpf measures once: give -d SECS for how long, or -- CMD");
	check_usage("--backend bpf -c 3", "use the positional count");
	check_usage("--backend bpf -i 1 -j", "--backend bpf measures once: give -d SECS");
	/* -d: pmdstat-bpf's range, and not with a command */
	check_usage("--backend bpf -d 0", "invalid duration '0'");
	check_usage("--backend bpf -d x", "invalid duration 'x'");
	check_usage("--backend bpf -d 86401", "invalid duration '86401' with --backend bpf: pmdstat-bpf measures from 1 to 86400 seconds");
	check_usage("--backend bpf -d 5 -- true", "-d/--duration and a command to run both say when to stop: give one");
	check_usage("--backend bpf stats -d 5 true", "both say when to stop");
	/* the command */
	check_usage("--backend bpf --", "nothing after \"--\": give the command to measure");
	check_usage("--backend bpf stats --", "nothing after \"--\"");
	check_usage("--backend bpf ./repro", "unknown command './repro': give stats, or a command to measure after \"--\": pmdstat --backend bpf -- CMD");
	check_usage("--backend bpf -j --prom", "two formats");
	/* the module's stats report has no -d and no command */
	check_usage("-d 5", "-d/--duration with the stats report is for --backend bpf");
	check_usage("stats -d 5", "for SECS seconds of the module, give: pmdstat SECS 1");
	check_usage("--backend module -d 5", "is for --backend bpf");
	check_usage("stats -- ./repro", "unexpected argument './repro': give INTERVAL [COUNT] (to measure a command: pmdstat --backend bpf -- CMD, or pmdstat attach -- CMD)");
	check_usage("live -d 5", "pmdstat live does not take -d/--duration");
}

/* ---- attach without privilege ---- */

/* A pid that no process has now. */
static pid_t free_pid(void)
{
	pid_t pid;

	for (pid = PMDSTAT_PID_MAX - 1; pid > 1; pid--)
		if (kill(pid, 0) && errno == ESRCH)
			return pid;
	return 0;
}

static void test_process_check(void)
{
	pid_t none = free_pid();
	u64 start, again;

	CHECK_U64(pmdstat_proc_start(getpid(), &start), 0);
	CHECK(start > 0 || getpid() == 1);
	CHECK_U64(pmdstat_proc_start(getpid(), &again), 0);
	CHECK_U64(again, start);
	CHECK(pmdstat_proc_alive(getpid(), start));
	/* the same pid, another start: a later process, not ours */
	CHECK(!pmdstat_proc_alive(getpid(), start + 1));
	if (CHECK(none > 0)) {
		CHECK(pmdstat_proc_start(none, &start) == -ENOENT);
		CHECK(!pmdstat_proc_alive(none, 0));
	}
}

static int quiet_fd = -1;

/* stderr to /dev/null (quiet), and back */
static void quiet(bool on)
{
	fflush(stderr);
	if (on) {
		int null = open("/dev/null", O_WRONLY);

		quiet_fd = dup(STDERR_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	} else if (quiet_fd >= 0) {
		dup2(quiet_fd, STDERR_FILENO);
		close(quiet_fd);
		quiet_fd = -1;
	}
}

/* Run argv outside any cgroup: its exit status, or what child_start said. */
static int run(char *const argv[])
{
	int status = -1000;
	pid_t pid;

	quiet(true);
	pid = pmdstat_child_start(NULL, argv);
	quiet(false);
	if (pid < 0)
		return pid;
	if (!CHECK_U64(pmdstat_child_done(pid, true, &status), 1))
		return -1000;
	return status;
}

static void test_child(void)
{
	char *ok[] = { "true", NULL };
	char *three[] = { "sh", "-c", "exit 3", NULL };
	char *term[] = { "sh", "-c", "kill -TERM $$", NULL };
	char *missing[] = { "pmdstat-no-such-command-x7", NULL };
	char *path[] = { "/nonexistent/dir/cmd", NULL };
	char *sleeper[] = { "sleep", "30", NULL };
	int status;
	pid_t pid;

	CHECK_U64(run(ok), 0);
	CHECK_U64(run(three), 3);
	CHECK_U64(run(term), 128 + SIGTERM);
	CHECK(run(missing) == -127);
	CHECK(run(path) == -127);
	/* running: not done until it is; SIGTERM to it ends it with 143 */
	pid = pmdstat_child_start(NULL, sleeper);
	if (CHECK(pid > 0)) {
		CHECK_U64(pmdstat_child_done(pid, false, &status), 0);
		kill(pid, SIGTERM);
		CHECK_U64(pmdstat_child_done(pid, true, &status), 1);
		CHECK_U64(status, 128 + SIGTERM);
	}
}

/* A fresh directory under /tmp, its name in buf. */
static bool temp_dir(char *buf, size_t size)
{
	snprintf(buf, size, "/tmp/pmdstat-test-cli.XXXXXX");
	return mkdtemp(buf) != NULL;
}

/* Write text to dir/name with mode. */
static bool write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[PATH_MAX];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return false;
	ok = fputs(text, f) >= 0;
	ok = !fclose(f) && ok;
	return ok && !chmod(path, mode);
}

static void remove_in(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (unlink(path))
		rmdir(path);
}

static void test_backend_find(void)
{
	char a[64], b[64], self[PATH_MAX], path[PATH_MAX], got[PATH_MAX], want[PATH_MAX];
	int cwd;

	if (!CHECK(temp_dir(a, sizeof(a)) && temp_dir(b, sizeof(b))))
		return;
	snprintf(self, sizeof(self), "%s/pmdstat", a);
	snprintf(path, sizeof(path), "/nonexistent::%s:", b);
	/* nowhere */
	CHECK(pmdstat_bpf_find(self, path, got, sizeof(got)) == -ENOENT);
	CHECK(pmdstat_bpf_find(NULL, NULL, got, sizeof(got)) == -ENOENT);
	/* in PATH; not a file that cannot run, nor a directory */
	CHECK(write_file(b, "pmdstat-bpf", "#!/bin/sh\n", 0755));
	CHECK(write_file(a, "pmdstat-bpf", "#!/bin/sh\n", 0644));
	snprintf(want, sizeof(want), "%s/pmdstat-bpf", b);
	if (CHECK_U64(pmdstat_bpf_find(self, path, got, sizeof(got)), 0))
		CHECK_STR(got, want);
	if (CHECK_U64(pmdstat_bpf_find("pmdstat", path, got, sizeof(got)), 0))
		CHECK_STR(got, want);
	remove_in(b, "pmdstat-bpf");
	CHECK(!mkdir(want, 0755));
	CHECK(pmdstat_bpf_find(self, path, got, sizeof(got)) == -ENOENT);
	remove_in(b, "pmdstat-bpf");
	remove_in(a, "pmdstat-bpf");
	/* next to the reader first, PATH or not */
	CHECK(write_file(a, "pmdstat-bpf", "#!/bin/sh\n", 0755));
	CHECK(write_file(b, "pmdstat-bpf", "#!/bin/sh\n", 0755));
	snprintf(want, sizeof(want), "%s/pmdstat-bpf", a);
	if (CHECK_U64(pmdstat_bpf_find(self, path, got, sizeof(got)), 0))
		CHECK_STR(got, want);
	if (CHECK_U64(pmdstat_bpf_find(self, NULL, got, sizeof(got)), 0))
		CHECK_STR(got, want);
	/* an empty PATH entry is not the current directory */
	cwd = open(".", O_RDONLY | O_DIRECTORY);
	if (CHECK(cwd >= 0 && !chdir(b))) {
		CHECK(pmdstat_bpf_find(NULL, ":", got, sizeof(got)) == -ENOENT);
		CHECK(pmdstat_bpf_find(NULL, "", got, sizeof(got)) == -ENOENT);
		CHECK(!fchdir(cwd));
	}
	if (cwd >= 0)
		close(cwd);
	/* a name too long for buf */
	CHECK(pmdstat_bpf_find(self, NULL, got, 8) == -ENOENT);
	remove_in(a, "pmdstat-bpf");
	remove_in(b, "pmdstat-bpf");
	CHECK(!rmdir(a) && !rmdir(b));
}

/* argv joined with spaces */
static void join(char *const argv[], char *buf, size_t size)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; argv[i] && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? " " : "", argv[i]);
}

static void check_argv(const char *line, const char *want)
{
	char secs[24], got[256];
	char **argv;

	if (!CHECK(parse(line) == PMDSTAT_CLI_RUN))
		return;
	argv = pmdstat_bpf_argv("/x/pmdstat-bpf", &cli, "/tmp/out", secs, sizeof(secs));
	if (!CHECK(argv != NULL))
		return;
	join(argv, got, sizeof(got));
	if (!CHECK(!strcmp(got, want)))
		printf("# '%s': '%s', want '%s'\n", line, got, want);
	free(argv);
}

static void test_backend_argv(void)
{
	check_argv("--backend bpf", "/x/pmdstat-bpf -o /tmp/out");
	check_argv("--backend bpf -j -d 10", "/x/pmdstat-bpf -d 10 -o /tmp/out");
	check_argv("--backend bpf --prom -- ./repro -x --big",
		   "/x/pmdstat-bpf -o /tmp/out -- ./repro -x --big");
	check_argv("--backend bpf stats -d 3", "/x/pmdstat-bpf -d 3 -o /tmp/out");
	check_argv("--backend bpf stats ./x -o", "/x/pmdstat-bpf -o /tmp/out -- ./x -o");
}

/* ---- a stand-in for pmdstat-bpf, run ---- */

static char fake_dir[64];

/*
 * dir/pmdstat-bpf: logs its arguments to dir/args, takes -o FILE, -d SECS
 * and "-- CMD..." as pmdstat-bpf does, runs CMD (its status in $st), then
 * does body.
 */
static bool fake_bpf(const char *body)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "#!/bin/sh\n"
		 "dir=%s\n"
		 "echo \"$@\" > \"$dir/args\"\n"
		 "while [ $# -gt 0 ]; do\n"
		 "\tcase $1 in\n"
		 "\t-o) out=$2; shift 2 ;;\n"
		 "\t-d) shift 2 ;;\n"
		 "\t--) shift; break ;;\n"
		 "\t*) break ;;\n"
		 "\tesac\n"
		 "done\n"
		 "st=0\n"
		 "if [ $# -gt 0 ]; then \"$@\"; st=$?; fi\n"
		 "%s\n", fake_dir, body);
	return write_file(fake_dir, "pmdstat-bpf", text, 0755);
}

/* dir/stats: a snapshot of pmdstat-bpf's kind, in the module's format. */
static bool write_stats(void)
{
	struct pmdstat_snapshot *s = calloc(1, sizeof(*s));
	pmdstat_out_t out;
	bool ok;

	if (!s)
		return false;
	snprintf(s->release, sizeof(s->release), "6.1.0-test");
	snprintf(s->module_version, sizeof(s->module_version), "bpf-0.1");
	s->elapsed_ns = 5000000000ULL;
	s->nr_sites = 2;
	snprintf(s->site[0].symbol, sizeof(s->site[0].symbol), "huge_pmd_share");
	snprintf(s->site[0].reads, sizeof(s->site[0].reads), "ret:table;backend:bpf");
	s->site[0].role = PMDSTAT_ROLE_SHARE;
	s->site[0].st.hits = 4;
	s->site[0].st.out[1] = 4;
	snprintf(s->site[1].symbol, sizeof(s->site[1].symbol), "huge_pmd_unshare");
	snprintf(s->site[1].reads, sizeof(s->site[1].reads), "ret:int;backend:bpf");
	s->site[1].role = PMDSTAT_ROLE_UNSHARE;
	s->site[1].st.hits = 7;
	s->site[1].st.out[0] = 3;
	s->site[1].st.out[1] = 4;
	pmdstat_out_init(&out);
	pmdstat_format(&out, s);
	ok = !pmdstat_out_failed(&out) &&
	     write_file(fake_dir, "stats", pmdstat_out_str(&out), 0644);
	pmdstat_out_free(&out);
	free(s);
	return ok;
}

static int saved_fd[3] = { -1, -1, -1 };

/* fd (stdout, stderr) to dir/name, or back */
static void redirect(int fd, const char *name, bool on)
{
	char path[PATH_MAX];
	int to;

	if (on) {
		snprintf(path, sizeof(path), "%s/%s", fake_dir, name);
		to = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		saved_fd[fd] = dup(fd);
		dup2(to, fd);
		close(to);
	} else if (saved_fd[fd] >= 0) {
		dup2(saved_fd[fd], fd);
		close(saved_fd[fd]);
		saved_fd[fd] = -1;
	}
}

/* stdout to dir/stdout and stderr to dir/stderr, and back */
static void capture(bool on)
{
	fflush(stdout);
	fflush(stderr);
	redirect(STDOUT_FILENO, "stdout", on);
	redirect(STDERR_FILENO, "stderr", on);
}

/* What the last capture printed on name (stdout, stderr), into out. */
static void captured(const char *name, pmdstat_out_t *out)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", fake_dir, name);
	if (pmdstat_read_file(path, out))
		pmdstat_out_clear(out);
}

/* pmdstat-bpf's temporary files left in dir/tmp */
static int temp_files_left(void)
{
	char path[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/tmp", fake_dir);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * pmdstat with args (split at spaces; "|" stands for one space inside an
 * argument) and the stand-in: its exit status, what it printed in out.
 */
static int run_bpf(const char *args, pmdstat_out_t *out)
{
	char prog[PATH_MAX], line[256], *argv[MAX_ARGS + 1], *p;
	struct pmdstat_run r;
	int argc = 0, rc;

	snprintf(line, sizeof(line), "pmdstat --backend bpf %s", args);
	for (p = strtok(line, " "); p && argc < MAX_ARGS; p = strtok(NULL, " ")) {
		argv[argc++] = p;
		while ((p = strchr(p, '|')))
			*p = ' ';
	}
	argv[argc] = NULL;
	if (!CHECK(pmdstat_cli_parse(&cli, argc, argv) == PMDSTAT_CLI_RUN)) {
		printf("# '%s': %s\n", args, cli.msg);
		return -1000;
	}
	snprintf(prog, sizeof(prog), "%s/pmdstat-bpf", fake_dir);
	pmdstat_run_init(&r, &cli);
	capture(true);
	rc = pmdstat_bpf_run(&r, prog);
	capture(false);
	pmdstat_run_free(&r);
	captured("stdout", out);
	CHECK_U64(temp_files_left(), 0);
	return rc;
}

/* What pmdstat args -f dir/stats prints. */
static void run_file(const char *args, pmdstat_out_t *out)
{
	char line[256];
	struct pmdstat_run r;
	int rc;

	snprintf(line, sizeof(line), "%s -f %s/stats", args, fake_dir);
	if (!CHECK(parse(line) == PMDSTAT_CLI_RUN))
		return;
	pmdstat_run_init(&r, &cli);
	capture(true);
	rc = pmdstat_run_once(&r);
	capture(false);
	CHECK_U64(rc, 0);
	pmdstat_run_free(&r);
	captured("stdout", out);
}

/*
 * dir/args, what the stand-in was given: opts, its temporary file (mkstemp's
 * six characters after "pmdstat-bpf."), then tail.
 */
static void check_args(const char *opts, const char *tail)
{
	char path[PATH_MAX], head[PATH_MAX];
	pmdstat_out_t args;
	const char *a;
	size_t n;

	snprintf(path, sizeof(path), "%s/args", fake_dir);
	n = (size_t)snprintf(head, sizeof(head), "%s%s/tmp/pmdstat-bpf.", opts, fake_dir);
	pmdstat_out_init(&args);
	if (!CHECK(!pmdstat_read_file(path, &args)))
		goto out;
	a = pmdstat_out_str(&args);
	if (!CHECK(args.len == n + 6 + strlen(tail) && !strncmp(a, head, n) &&
		   !strcmp(a + n + 6, tail)))
		printf("# args '%s', want '%sXXXXXX%s'\n", a, head, tail);
out:
	pmdstat_out_free(&args);
}

/* The same report as -f, for each format; its status passed on. */
static void test_backend_report(void)
{
	static const char *const formats[] = { "", "-j", "--prom", "-n 0" };
	pmdstat_out_t got, want;
	char args[64];
	size_t i;

	pmdstat_out_init(&got);
	pmdstat_out_init(&want);
	if (!CHECK(fake_bpf("cat \"$dir/stats\" > \"$out\"; exit $st")))
		goto out;
	for (i = 0; i < TAP_COUNT(formats); i++) {
		snprintf(args, sizeof(args), "%s -d 7", formats[i]);
		CHECK_U64(run_bpf(args, &got), 0);
		check_args("-d 7 -o ", "\n");
		run_file(formats[i], &want);
		CHECK(want.len > 0);
		if (!CHECK(got.len == want.len && !memcmp(got.buf, want.buf, got.len)))
			printf("# %s: the report differs from -f's:\n%s\n", formats[i],
			       pmdstat_out_str(&got));
	}
	CHECK(strstr(pmdstat_out_str(&want), "huge_pmd_unshare") != NULL);
	/* a command: the report, then its status (as pmdstat-bpf gives it) */
	CHECK_U64(run_bpf("-j -- sh -c exit|3", &got), 3);
	check_args("-o ", " -- sh -c exit 3\n");
	run_file("-j", &want);
	CHECK(got.len == want.len && !memcmp(got.buf, want.buf, got.len));
	CHECK_U64(run_bpf("-- sh -c kill|-TERM|$$", &got), 128 + SIGTERM);
	CHECK(got.len > 0);
	CHECK_U64(run_bpf("-- true", &got), 0);
	CHECK(got.len > 0);
out:
	pmdstat_out_free(&got);
	pmdstat_out_free(&want);
}

/* pmdstat-bpf's own failures: its status, and nothing on stdout. */
static void test_backend_failures(void)
{
	/* what pmdstat adds on stderr: nothing but its first line, or a reason */
	static const struct {
		const char *body;
		int status;
		const char *says;
	} cases[] = {
		{ "echo 'pmdstat-bpf: no BTF' >&2; exit 1", 1, NULL },
		{ "exit 2", 2, NULL },
		{ "kill -KILL $$", 128 + SIGKILL, "pmdstat: pmdstat-bpf was killed by signal 9" },
		/* no stats, yet "ok": pmdstat's error */
		{ "exit 0", 1, "pmdstat: pmdstat-bpf exited with status 0 but wrote no stats" },
		{ "echo garbage > \"$out\"; exit 0", 1, "pmdstat: pmdstat-bpf's stats: " },
		/* half-written: it said why, so did the parser */
		{ "echo garbage > \"$out\"; exit 1", 1, "pmdstat: pmdstat-bpf's stats: " },
	};
	char prog[PATH_MAX];
	struct pmdstat_run r;
	pmdstat_out_t got, err;
	const char *extra;
	size_t i, k;
	bool said;

	pmdstat_out_init(&got);
	pmdstat_out_init(&err);
	for (i = 0; i < TAP_COUNT(cases) * 2; i++) {
		k = i / 2;
		if (!CHECK(fake_bpf(cases[k].body)))
			break;
		/* with a command too: pmdstat-bpf's status, not one of CMD's */
		if (!CHECK_U64(run_bpf(i % 2 ? "-- true" : "-d 1", &got), cases[k].status))
			printf("# case %zu: %s\n", k, cases[k].body);
		CHECK_U64(got.len, 0);
		captured("stderr", &err);
		extra = strstr(pmdstat_out_str(&err), "\npmdstat: ");
		if (extra)
			extra++;
		said = extra && cases[k].says && !strncmp(extra, cases[k].says,
							   strlen(cases[k].says));
		if (!CHECK(said || (!cases[k].says && !extra)))
			printf("# case %zu: stderr '%s'\n", k, pmdstat_out_str(&err));
		CHECK(strncmp(pmdstat_out_str(&err), "pmdstat: measuring with ", 24) == 0);
	}
	/* a pmdstat-bpf that cannot run: pmdstat's error */
	CHECK(parse("--backend bpf -d 1") == PMDSTAT_CLI_RUN);
	snprintf(prog, sizeof(prog), "%s/no-such-pmdstat-bpf", fake_dir);
	pmdstat_run_init(&r, &cli);
	capture(true);
	CHECK_U64(pmdstat_bpf_run(&r, prog), 1);
	capture(false);
	pmdstat_run_free(&r);
	captured("stdout", &got);
	CHECK_U64(got.len, 0);
	captured("stderr", &got);
	CHECK(strstr(pmdstat_out_str(&got), "cannot run") != NULL);
	CHECK_U64(temp_files_left(), 0);
	pmdstat_out_free(&got);
	pmdstat_out_free(&err);
}

/* The stand-in's directory, with tmp/ as TMPDIR and the stats. */
static void backend_setup(void)
{
	char tmp[PATH_MAX];

	CHECK(temp_dir(fake_dir, sizeof(fake_dir)));
	snprintf(tmp, sizeof(tmp), "%s/tmp", fake_dir);
	CHECK(!mkdir(tmp, 0700));
	CHECK(!setenv("TMPDIR", tmp, 1));
	CHECK(write_stats());
}

static void backend_cleanup(void)
{
	static const char *const files[] = {
		"pmdstat-bpf", "args", "stats", "stdout", "stderr", "tmp",
	};
	size_t i;

	for (i = 0; i < TAP_COUNT(files); i++)
		remove_in(fake_dir, files[i]);
	CHECK(!rmdir(fake_dir));
	unsetenv("TMPDIR");
}

static void test_backend_run(void)
{
	backend_setup();
	test_backend_report();
	test_backend_failures();
	backend_cleanup();
}

static const struct tap_test tests[] = {
	TAP_TEST(test_attach_usage),
	TAP_TEST(test_attach_args),
	TAP_TEST(test_other_commands),
	TAP_TEST(test_classic),
	TAP_TEST(test_positional),
	TAP_TEST(test_help),
	TAP_TEST(test_backend_args),
	TAP_TEST(test_backend_usage),
	TAP_TEST(test_backend_find),
	TAP_TEST(test_backend_argv),
	TAP_TEST(test_process_check),
	TAP_TEST(test_child),
	TAP_TEST(test_backend_run),
};

int main(void)
{
	return tap_run(tests, TAP_COUNT(tests));
}
