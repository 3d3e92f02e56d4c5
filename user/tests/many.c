// SPDX-License-Identifier: GPL-2.0
/*
 * many: one namespace keeps N connections (default 100000) to 8 peers, from the
 * ephemeral ports of one address.  The peers are hosts behind a tun device
 * (lib/xpeer.c) that answer each SYN with a SYN-ACK, so only xtcp's side of each
 * connection lives in the kernel.
 *
 *   many [-p PROTO] [-n CONNECTIONS]
 *
 * Checks: every connect() succeeds and ends ESTABLISHED; the 4-tuples are unique while
 * ports are shared between peers (N / 8 per peer from net.ipv4.ip_local_port_range);
 * /proc/net/xtcp shows them all; they all close.  Prints the connection rate.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include "tap.h"
#include "xpeer.h"
#include "xtcp_test.h"

#define LOCAL_IP	"10.81.0.1"
#define PEERS		8		/* 10.81.0.2 .. 10.81.0.9 */
#define PPORT		9200

static int proto = IPPROTO_XTCP;
static struct xpeer peer;
static long synacks;

/* Answer every SYN the tun holds, from whichever peer it went to; count the rest. */
static void serve(int ms)
{
	struct xseg s, a;
	uint32_t peer_addr;

	while (!xpeer_recv_any(&peer, &s, ms)) {
		if ((s.flags & (F_SYN | F_ACK)) != F_SYN)
			continue;
		peer_addr = s.daddr;
		memset(&a, 0, sizeof(a));
		a.sport = s.dport;
		a.dport = s.sport;
		a.seq = s.seq * 2654435761u;	/* any ISN */
		a.ack = s.seq + 1;
		a.flags = F_SYN | F_ACK;
		a.win = 65535;
		xseg_opt_mss(&a, 1460);
		a.saddr = peer_addr;
		a.daddr = peer.local;
		if (!xpeer_send_raw(&peer, &a))
			synacks++;
		ms = 0;
	}
}

int main(int argc, char **argv)
{
	long n = 100000, i, ok = 0, est, shared = 0;
	int opt, *fd, low = 0, high = 0, p;
	struct rlimit rl;
	unsigned short *port;
	char ip[32];
	double t0, secs;
	FILE *f;

	while ((opt = getopt(argc, argv, "p:n:")) != -1) {
		switch (opt) {
		case 'p': proto = atoi(optarg); break;
		case 'n': n = atol(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-p PROTO] [-n CONNECTIONS]\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = calloc(n, sizeof(*fd));
	port = calloc(n, sizeof(*port));
	rl.rlim_cur = rl.rlim_max = n + 1000;
	if (!tap_ok(fd && port && setrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    unshare(CLONE_NEWNET) == 0 &&
		    xpeer_open(&peer, "xm0", LOCAL_IP, "10.81.0.2", proto) == 0,
		    "%ld descriptors; a namespace with %d peers behind the tun device xm0", n,
		    PEERS))
		return tap_done();
	f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	if (f && fscanf(f, "%d %d", &low, &high) != 2)
		low = high = 0;
	if (f)
		fclose(f);
	printf("# ephemeral ports %d-%d: %d for %ld connections to each peer\n", low, high,
	       high - low + 1, n / PEERS);

	watchdog_start(NULL, NULL);
	watchdog_step("connecting", 60);
	t0 = now();
	for (i = 0; i < n; i++) {
		struct sockaddr_in a, me;
		socklen_t ml = sizeof(me);

		snprintf(ip, sizeof(ip), "10.81.0.%ld", 2 + i % PEERS);
		a = sin_of(ip, PPORT);
		fd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, proto);
		if (fd[i] < 0 || (connect(fd[i], (struct sockaddr *)&a, sizeof(a)) &&
				  errno != EINPROGRESS)) {
			printf("# connection %ld: %s\n", i, strerror(errno));
			break;
		}
		getsockname(fd[i], (struct sockaddr *)&me, &ml);
		port[i] = ntohs(me.sin_port);
		serve(0);
		if (i % 1000 == 999)
			watchdog_progress();
	}
	serve(200);
	ok = i;
	watchdog_step("established", 60);
	wait_for((serve(0), xtcp_proc_rows(0x01, 0) >= ok), 30);
	secs = now() - t0;
	est = xtcp_proc_rows(0x01, 0);
	tap_ok(ok == n, "%ld connect()s to %d peers from one address (%.0f a second)", ok,
	       PEERS, ok / secs);
	tap_ok(est == n, "/proc/net/xtcp shows %ld ESTABLISHED (%ld SYN-ACKs sent)", est,
	       synacks);
	/* a port serving several peers: count the ports used more than once */
	{
		static unsigned char uses[65536];

		for (i = 0; i < ok; i++)
			uses[port[i]]++;
		for (p = 0; p < 65536; p++)
			shared += uses[p] > 1;
		for (i = 0, p = 1; i < ok; i++)
			p &= port[i] >= low && port[i] <= high;
		tap_ok(shared > 0 && p, "ports shared between peers: %ld used more than once, "
		       "all from the ephemeral range", shared);
	}
	watchdog_step("closing", 120);
	for (i = 0; i < ok; i++) {
		abort_fd(fd[i]);
		if (i % 64 == 0)
			serve(0);
	}
	tap_ok(wait_for((serve(0), xtcp_proc_rows(0x01, 0) == 0), 30),
	       "all closed (%d left)", xtcp_proc_rows(0x01, 0));
	watchdog_step(NULL, 0);
	return tap_done();
}
