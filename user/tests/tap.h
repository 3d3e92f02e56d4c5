/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP output for the xtcp end-to-end tests: each check prints "ok N - what" or
 * "not ok N - what (why)"; tap_done() prints the plan and returns the exit status.
 * scripts/check counts these lines.
 */
#ifndef XTCP_TAP_H
#define XTCP_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3)))
static int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

/* Check that a call failed with errno @want; @ret and @err are its result and errno. */
#define tap_errno(ret, err, want, what) \
	tap_ok((ret) == -1 && (err) == (want), "%s fails with %s (got %d, %s)", (what), \
	       strerrorname_np(want), (int)(ret), (ret) == -1 ? strerrorname_np(err) : "no error")

static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
