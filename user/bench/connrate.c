// SPDX-License-Identifier: GPL-2.0
/*
 * connrate: connections per second over loopback - connect, accept, an orderly close
 * (FIN both ways, TIME_WAIT left on the server side) - for Linux
 * TCP and for xtcp, with the same code in the same run, and xtcp's rate as a ratio of
 * TCP's.  A benchmark, not a test: it asserts nothing.
 *   connrate [SECONDS]     (default 3 per protocol)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Connections made in @secs seconds on @proto; -1 on error. */
static double rate(int proto, int port, double secs)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int l = socket(AF_INET, SOCK_STREAM, proto), one = 1, c, a;
	double t0, t;
	long n = 0;

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&sin, sizeof(sin)) || listen(l, 128))
		return -1;
	t0 = now();
	do {
		c = socket(AF_INET, SOCK_STREAM, proto);
		if (connect(c, (struct sockaddr *)&sin, sizeof(sin)))
			return -1;
		a = accept(l, NULL, NULL);
		if (a < 0)
			return -1;
		close(a);	/* an orderly close: FIN both ways, the server in TIME_WAIT */
		close(c);
		n++;
		t = now() - t0;
	} while (t < secs);
	close(l);
	return n / t;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3, tcp, xtcp;

	tcp = rate(IPPROTO_TCP, 9101, secs);
	xtcp = rate(IPPROTO_XTCP, 9102, secs);
	printf("connect+accept+close over loopback, %.0f s each:\n", secs);
	printf("  Linux TCP  %8.0f connections/s\n", tcp);
	printf("  xtcp       %8.0f connections/s\n", xtcp);
	if (tcp > 0 && xtcp > 0)
		printf("  xtcp/TCP   %8.2f\n", xtcp / tcp);
	return tcp > 0 && xtcp > 0 ? 0 : 1;
}
