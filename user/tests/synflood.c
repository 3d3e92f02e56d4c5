// SPDX-License-Identifier: GPL-2.0
/*
 * synflood: thousands of SYNs from spoofed addresses and ports against a listener with a
 * small backlog, from another namespace over veth (the spoofed sources never answer,
 * as in a real flood).  The half-open queue fills, the rest get SYN cookies, and a real
 * client still connects, through a cookie.
 * Runs as root with xtcp.ko loaded; needs ip (iproute2).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "tap.h"
#include "xpeer.h"
#include "xtcp_test.h"

#define FLOOD 3000
#define BACKLOG 16

static int setup(int *ns_c, int *ns_s)
{
	static const char *const ns[2] = { "xtcp-fc", "xtcp-fs" };
	static const char *const dev[2] = { "f0", "f1" };
	static const char *const ip[2] = { "10.8.0.1/24", "10.8.0.2/24" };
	int fd[2];

	/* the server's answers to the spoofed sources go to the flooder's side */
	if (netns_veth(ns, dev, ip, fd) || sh("ip -n xtcp-fs route add default via 10.8.0.1"))
		return -1;
	*ns_c = fd[0];
	*ns_s = fd[1];
	return 0;
}

/* One SYN from @src:@sport to 10.8.0.2:8100, IP header included. */
static int send_syn(int fd, in_addr_t src, unsigned short sport)
{
	struct xseg s = {
		.saddr = src, .daddr = inet_addr("10.8.0.2"), .sport = sport, .dport = 8100,
		.seq = rand(), .flags = F_SYN, .win = 65535,
	};

	return xseg_raw_send(fd, &s, IPPROTO_XTCP);
}

int main(void)
{
	struct sockaddr_in srv = { .sin_family = AF_INET, .sin_port = htons(8100) };
	int self = open("/proc/self/ns/net", O_RDONLY), ns_c = -1, ns_s = -1, l, raw, c, a, i;
	int sent = 0;
	struct timeval tv = { .tv_sec = 10 };
	long cookies;

	srand(getpid());
	srv.sin_addr.s_addr = inet_addr("10.8.0.2");
	if (!tap_ok(setup(&ns_c, &ns_s) == 0, "flooder/client and server namespaces over veth"))
		return tap_done();

	setns(ns_s, CLONE_NEWNET);
	l = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	tap_ok(bind(l, (struct sockaddr *)&srv, sizeof(srv)) == 0 && listen(l, BACKLOG) == 0,
	       "server listens on 10.8.0.2:8100, backlog %d", BACKLOG);
	cookies = xtcp_stat("SyncookiesSent");

	setns(ns_c, CLONE_NEWNET);
	raw = xseg_raw_socket();
	for (i = 0; i < FLOOD; i++)
		sent += send_syn(raw, htonl(0xc6120000 | (rand() & 0x1ffff)),
				 1024 + rand() % 60000) == 0;
	close(raw);
	tap_ok(sent == FLOOD, "%d SYNs sent from spoofed 198.18.0.0/15 addresses", sent);

	setns(ns_s, CLONE_NEWNET);
	wait_for(xtcp_proc_rows(0x03, 8100) == BACKLOG &&
		 xtcp_stat("SyncookiesSent") - cookies >= FLOOD - BACKLOG - 50, 10);
	tap_ok(xtcp_proc_rows(0x03, 8100) == BACKLOG,
	       "the half-open queue is full: %d requests (03) in /proc/net/xtcp",
	       xtcp_proc_rows(0x03, 8100));
	tap_ok(xtcp_stat("SyncookiesSent") - cookies >= FLOOD - BACKLOG - 50,
	       "the rest got SYN cookies (SyncookiesSent +%ld)",
	       xtcp_stat("SyncookiesSent") - cookies);
	cookies = xtcp_stat("SyncookiesRecv");

	setns(ns_c, CLONE_NEWNET);
	c = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	tap_ok(connect(c, (struct sockaddr *)&srv, sizeof(srv)) == 0,
	       "a real client connects during the flood");
	setns(ns_s, CLONE_NEWNET);
	setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	a = accept(l, NULL, NULL);
	tap_ok(a >= 0, "and the server accepts it");
	tap_ok(xtcp_stat("SyncookiesRecv") - cookies == 1,
	       "through a cookie (SyncookiesRecv +%ld)", xtcp_stat("SyncookiesRecv") - cookies);
	close(a);
	close(c);
	close(l);

	setns(self, CLONE_NEWNET);
	tap_ok(system("ip netns del xtcp-fc && ip netns del xtcp-fs") == 0,
	       "namespaces deleted");
	return tap_done();
}
