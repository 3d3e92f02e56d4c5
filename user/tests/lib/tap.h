/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP output for the xtcp end-to-end tests: each check prints "ok N - what" or
 * "not ok N - what (why)"; tap_done() prints the plan and returns the exit status.
 * scripts/check counts these lines.  Part of the test library (tap.c).
 */
#ifndef XTCP_TAP_H
#define XTCP_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One check: "ok N - " or "not ok N - " and the message; returns @cond. Thread-safe. */
__attribute__((format(printf, 2, 3)))
int tap_ok(int cond, const char *fmt, ...);

/* The plan line; the exit status: 1 if any check failed, else 0. */
int tap_done(void);

/* Check that a call failed with errno @want; @ret and @err are its result and errno. */
#define tap_errno(ret, err, want, what) \
	tap_ok((ret) == -1 && (err) == (want), "%s fails with %s (got %d, %s)", (what), \
	       strerrorname_np(want), (int)(ret), (ret) == -1 ? strerrorname_np(err) : "no error")

#endif
