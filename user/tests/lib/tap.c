// SPDX-License-Identifier: GPL-2.0
/* TAP output of the xtcp end-to-end tests: see tap.h. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include "tap.h"

static pthread_mutex_t tap_lock = PTHREAD_MUTEX_INITIALIZER;
static int tap_n, tap_failed;	/* checks made, failed; under tap_lock */

int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&tap_lock);
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		tap_failed++;
	pthread_mutex_unlock(&tap_lock);
	return cond;
}

int tap_done(void)
{
	pthread_mutex_lock(&tap_lock);
	printf("1..%d\n", tap_n);
	fflush(stdout);
	pthread_mutex_unlock(&tap_lock);
	return tap_failed ? 1 : 0;
}
