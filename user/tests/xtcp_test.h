/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the xtcp end-to-end tests: read the counters of /proc/net/xtcp_stat and
 * count the rows of /proc/net/xtcp, in the calling thread's network namespace.
 */
#ifndef XTCP_TEST_H
#define XTCP_TEST_H

#include <linux/xtcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The counter @name of /proc/net/xtcp_stat; -1 if missing. */
static inline long xtcp_stat(const char *name)
{
	char hdr[4096], val[4096], *hs, *vs, *h, *v;
	FILE *f = fopen("/proc/net/" XTCP_PROC_STAT, "r");
	long n = -1;

	if (!f)
		return -1;
	if (fgets(hdr, sizeof(hdr), f) && fgets(val, sizeof(val), f)) {
		h = strtok_r(hdr, " \n", &hs);
		v = strtok_r(val, " \n", &vs);
		while ((h = strtok_r(NULL, " \n", &hs)) && (v = strtok_r(NULL, " \n", &vs)))
			if (!strcmp(h, name))
				n = atol(v);
	}
	fclose(f);
	return n;
}

/* Rows of /proc/net/xtcp in TCP state @state (hex code) with local port @port (0: any). */
static inline int xtcp_proc_rows(int state, int port)
{
	unsigned int lp, st;
	char line[512];
	FILE *f = fopen("/proc/net/" XTCP_PROC_SOCKETS, "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %*x:%x %*x:%*x %x", &lp, &st) == 2 &&
		    (int)st == state && (!port || (int)lp == port))
			n++;
	fclose(f);
	return n;
}

#endif
