// SPDX-License-Identifier: GPL-2.0
/*
 * test_cli.c - the command line (loader/cli.c), above all attach's: no
 * command, a bad -p, a bad -d, what goes together and what does not, the
 * command's own options left alone; and what attach does that needs no
 * privilege (loader/attach.c): telling a running process from a missing
 * one, and starting a command (outside any cgroup) with its exit status,
 * 128 + signal, or 127 when it cannot run.  Nothing here needs root or
 * touches the module or a cgroup.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "attach.h"
#include "cli.h"
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
	check_usage("attach -c 3 -i 1 -- true", "pmdstat attach does not take -c/--count (it is for: stats, live, record)");
	check_usage("attach -f stats.txt -- true", "does not take -f/--file");
	check_usage("attach --hist x -- true", "does not take --hist (it is for: heatmap)");
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
	check_run("record -i 1 -d 60 -o run.jsonl");
	CHECK(cli.cmd == PMDSTAT_CMD_RECORD && cli.interval == 1 && cli.duration == 60);
	CHECK_STR(cli.output, "run.jsonl");
	check_run("record -o - -i 5 -c 3 -T");
	check_usage("record", "pmdstat record needs -i SECS");
	check_usage("record -i 1", "pmdstat record needs -o FILE");
	check_usage("record -i 1 -o x -p 3", "does not take -p/--pid (it is for: attach)");
	check_usage("record -i 1 -o x y", "unexpected argument 'y'");

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
	check_run("-i 5 -c 3 -T");
	CHECK(cli.interval == 5 && cli.count == 3 && cli.timestamp);
	check_run("-j -i 1");
	check_run("events -j");
	check_run("-j events");
	check_run("live -i 1");
	check_run("--threshold 1000");
	check_run("--reset -i 10");
	check_run("events -f ev.txt");
	check_run("-n 0");
	check_usage("-c 3", "-c/--count needs -i/--interval");
	check_usage("events -i 1", "-i/--interval is for the stats report and live; pmdstat events prints the log once");
	check_usage("live -n 3", "-n/--top sizes the caller table of the stats report");
	check_usage("-f x --reset", "it cannot reset a saved file (-f)");
	check_usage("-f x -D y", "two sources: give one");
	check_usage("-i 0", "invalid interval '0'");
	check_usage("--threshold 60000001", "invalid threshold");
	check_usage("bogus", "unknown command 'bogus': give stats, events, live, attach, record, report or heatmap");
	check_usage("-x", "unknown option '-x'");
	check_usage("--bogus", "unknown option '--bogus'");
	check_usage("stats extra", "unexpected argument 'extra'");
	CHECK(parse("-h") == PMDSTAT_CLI_HELP);
	CHECK(parse("attach -h") == PMDSTAT_CLI_HELP);
	CHECK(parse("-V") == PMDSTAT_CLI_VERSION);
	/* the help names every command and gives examples of the new ones */
	CHECK(strstr(pmdstat_usage_text, "pmdstat attach -- pmdstat-repro -s scan -p 8") != NULL);
	CHECK(strstr(pmdstat_usage_text, "pmdstat attach -p 1234 -d 30") != NULL);
	CHECK(strstr(pmdstat_usage_text, "pmdstat record -i 1 -d 60 -o run.jsonl") != NULL);
	CHECK(strstr(pmdstat_usage_text, "pmdstat report run.jsonl") != NULL);
	CHECK(strstr(pmdstat_usage_text, "pmdstat heatmap run.jsonl --hist share_ns -o share.svg") != NULL);
	CHECK(strstr(pmdstat_usage_text, "pmdstat --prom > /var/lib/node_exporter/textfile/pmdstat.prom") != NULL);
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

static const struct tap_test tests[] = {
	TAP_TEST(test_attach_usage),
	TAP_TEST(test_attach_args),
	TAP_TEST(test_other_commands),
	TAP_TEST(test_classic),
	TAP_TEST(test_process_check),
	TAP_TEST(test_child),
};

int main(void)
{
	return tap_run(tests, TAP_COUNT(tests));
}
