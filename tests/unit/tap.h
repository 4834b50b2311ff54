/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - a tiny TAP harness for the unit tests, after the kernel's
 * kselftest.h: "TAP version 13", the plan "1..N", one "ok N - name" or
 * "not ok N - name" per test (each failed check adds a "# " line saying
 * where and what), then a plain "P passed, F failed" line.  tap_run()
 * returns the exit status: 0 if every test passed, 1 otherwise.
 *
 *	static void test_x(void) { CHECK_U64(f(1), 2); }
 *	static const struct tap_test tests[] = { TAP_TEST(test_x) };
 *	int main(void) { return tap_run(tests, TAP_COUNT(tests)); }
 */
#ifndef PMDSTAT_TAP_H
#define PMDSTAT_TAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct tap_test {
	const char *name;
	void (*fn)(void);
};

#define TAP_TEST(fn)	{ #fn, fn }
#define TAP_COUNT(a)	(sizeof(a) / sizeof((a)[0]))

/* Failed checks in the running test (a test program is one .c file). */
static unsigned int tap_failed_checks;

__attribute__((unused))
static bool tap_check(bool ok, const char *file, int line, const char *what)
{
	if (!ok) {
		printf("# %s:%d: check failed: %s\n", file, line, what);
		tap_failed_checks++;
	}
	return ok;
}

__attribute__((unused))
static bool tap_check_u64(unsigned long long got, unsigned long long want,
			  const char *file, int line, const char *what)
{
	if (got != want) {
		printf("# %s:%d: %s is %llu, expected %llu\n", file, line, what,
		       got, want);
		tap_failed_checks++;
	}
	return got == want;
}

__attribute__((unused))
static bool tap_check_str(const char *got, const char *want, const char *file,
			  int line, const char *what)
{
	bool ok = got && want && !strcmp(got, want);

	if (!ok) {
		printf("# %s:%d: %s is \"%s\", expected \"%s\"\n", file, line,
		       what, got ? got : "(null)", want ? want : "(null)");
		tap_failed_checks++;
	}
	return ok;
}

#define CHECK(cond)		tap_check(!!(cond), __FILE__, __LINE__, #cond)
#define CHECK_U64(got, want)	tap_check_u64((unsigned long long)(got), \
					      (unsigned long long)(want), \
					      __FILE__, __LINE__, #got)
#define CHECK_STR(got, want)	tap_check_str((got), (want), __FILE__, __LINE__, #got)

__attribute__((unused))
static int tap_run(const struct tap_test *tests, size_t n)
{
	unsigned int passed = 0, failed = 0;
	size_t i;

	printf("TAP version 13\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		tap_failed_checks = 0;
		tests[i].fn();
		fflush(stdout);
		if (tap_failed_checks) {
			printf("not ok %zu - %s\n", i + 1, tests[i].name);
			failed++;
		} else {
			printf("ok %zu - %s\n", i + 1, tests[i].name);
			passed++;
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif /* PMDSTAT_TAP_H */
