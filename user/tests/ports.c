// SPDX-License-Identifier: GPL-2.0
/*
 * ports: connect()'s local ports, as Linux's inet_hash_connect() picks them.  A client
 * namespace with 500 ephemeral ports (net.ipv4.ip_local_port_range 40000 40499) opens
 * 500 connections to each of 4 peer addresses over a veth pair: 2000 connections, so
 * every port is shared by connections toward different peers (a port may serve any
 * destination whose 4-tuple it leaves unique), never two toward one.  Then: the 501st
 * toward one peer fails with EADDRNOTAVAIL, bind() cannot take a port connections use
 * (EADDRINUSE), the searches toward different peers start at scattered ports, and a
 * port a TIME_WAIT holds toward a peer is taken over only under net.xtcp.tw_reuse 1
 * (2, the default, is for loopback; 0 never), counted in TWRecycled.
 * Runs as root with xtcp.ko loaded; needs ip (iproute2).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include "tap.h"
#include "xtcp_test.h"

#define PEERS	4
#define LOW	40000
#define PORTS	500		/* LOW .. LOW + PORTS - 1 */
#define CLIENT_IP "10.11.0.100"

static int ns_client, ns_server;
static int cfd[PEERS][PORTS], sfd[PEERS][PORTS];
static unsigned short lport[PEERS][PORTS];

static const char *const ns_names[2] = { "xtcp-pc", "xtcp-ps" };

static int setup(void)
{
	static const char *const dev[2] = { "p0", "p1" };
	static const char *const ip[2] = {
		CLIENT_IP "/24", "10.11.0.1/24 10.11.0.2/24 10.11.0.3/24 10.11.0.4/24"
	};
	int fd[2];

	if (netns_veth(ns_names, dev, ip, fd))
		return -1;
	ns_client = fd[0];
	ns_server = fd[1];
	return 0;
}

static struct sockaddr_in peer_addr(int p)
{
	char ip[32];

	snprintf(ip, sizeof(ip), "10.11.0.%d", p + 1);
	return sin_of(ip, 7000);
}

/* connect() to peer @p from the client namespace; the error, 0 if connected. */
static int try_connect(int p, int *fd)
{
	struct sockaddr_in a = peer_addr(p);
	int e;

	*fd = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	e = connect(*fd, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
	if (e) {
		close(*fd);
		*fd = -1;
	}
	return e;
}

static unsigned short local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	return getsockname(fd, (struct sockaddr *)&a, &len) ? 0 : ntohs(a.sin_port);
}

int main(void)
{
	int self = open("/proc/self/ns/net", O_RDONLY), l, one = 1, p, i, e, fd, n = 0;
	struct rlimit rl = { .rlim_cur = 8 * PEERS * PORTS, .rlim_max = 8 * PEERS * PORTS };
	struct sockaddr_in any = sin_of("0.0.0.0", 7000), b = sin_of("0.0.0.0", LOW);
	static int uses[PORTS], toward[PEERS][PORTS];
	int bad_port = 0, dup = 0, shared = 0, first_differ = 0, ok;
	long recycled;
	double t0;

	memset(cfd, -1, sizeof(cfd));
	memset(sfd, -1, sizeof(sfd));
	if (!tap_ok(setup() == 0 && setrlimit(RLIMIT_NOFILE, &rl) == 0,
		    "two namespaces joined by a veth pair, peers 10.11.0.1-4, %d files",
		    8 * PEERS * PORTS))
		return tap_done();
	netns_enter(ns_server);
	l = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	tap_ok(bind(l, (struct sockaddr *)&any, sizeof(any)) == 0 && listen(l, 4096) == 0,
	       "the peers listen on port 7000");
	netns_enter(ns_client);
	tap_ok(write_file("/proc/sys/net/ipv4/ip_local_port_range", "40000 40499\n") == 0,
	       "client: net.ipv4.ip_local_port_range = 40000 40499 (%d ports)", PORTS);

	/* 500 connections to each peer, accepted one by one */
	t0 = now();
	for (i = 0; i < PORTS; i++) {
		for (p = 0; p < PEERS; p++) {
			netns_enter(ns_client);
			e = try_connect(p, &cfd[p][i]);
			if (e)
				break;
			lport[p][i] = local_port(cfd[p][i]);
			netns_enter(ns_server);
			sfd[p][i] = accept(l, NULL, NULL);
			if (sfd[p][i] < 0)
				break;
			n++;
		}
		if (p < PEERS)
			break;
	}
	tap_ok(n == PEERS * PORTS, "%d connections to %d peers from %d ports (%d made, %.1f s)%s%s",
	       PEERS * PORTS, PEERS, PORTS, n, now() - t0, e ? ": " : "",
	       e ? strerrorname_np(e) : "");
	for (p = 0; p < PEERS; p++) {
		for (i = 0; i < PORTS && cfd[p][i] >= 0; i++) {
			int k = lport[p][i] - LOW;

			if (k < 0 || k >= PORTS) {
				bad_port++;
				continue;
			}
			dup += toward[p][k]++ > 0;
			uses[k]++;
		}
	}
	for (i = 0; i < PORTS; i++)
		shared += uses[i] == PEERS;
	/* not the next port (or the next even one) after the previous connection's */
	for (p = 1; p < PEERS; p++)
		first_differ += lport[p][0] != lport[p - 1][0] + 1 &&
				lport[p][0] != lport[p - 1][0] + 2;
	tap_ok(!bad_port && !dup, "every local port in the range (%d outside), none twice toward "
	       "one peer (%d)", bad_port, dup);
	tap_ok(shared == PORTS, "every port serves all %d peers at once (%d of %d)", PEERS,
	       shared, PORTS);
	tap_ok(first_differ > 0, "the first connections toward the peers got scattered ports, "
	       "not a sequence (%u %u %u %u)", lport[0][0], lport[1][0], lport[2][0],
	       lport[3][0]);

	netns_enter(ns_client);
	e = try_connect(0, &fd);
	tap_ok(e == EADDRNOTAVAIL, "a %dth connection to 10.11.0.1 fails with EADDRNOTAVAIL (%s)",
	       PORTS + 1, e ? strerrorname_np(e) : "connected");
	abort_fd(fd);
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	e = bind(fd, (struct sockaddr *)&b, sizeof(b)) ? errno : 0;
	tap_ok(e == EADDRINUSE, "bind() to 0.0.0.0:%d, which connections use, fails with "
	       "EADDRINUSE (%s)", LOW, e ? strerrorname_np(e) : "bound");
	close(fd);

	/* 10 connections to 10.11.0.1 closed by the client: TIME_WAITs on the client */
	for (i = 0; i < 10 && n == PEERS * PORTS; i++) {
		netns_enter(ns_client);
		close(cfd[0][i]);
		netns_enter(ns_server);
		close(sfd[0][i]);
		cfd[0][i] = sfd[0][i] = -1;
	}
	netns_enter(ns_client);
	t0 = now();
	while (xtcp_proc_rows(0x06, 0) < 10 && now() - t0 < 10)
		usleep(20000);
	tap_ok(xtcp_proc_rows(0x06, 0) == 10, "10 TIME_WAITs in the client's /proc/net/xtcp (%d)",
	       xtcp_proc_rows(0x06, 0));
	ok = write_file("/proc/sys/net/xtcp/tw_reuse", "0\n") == 0;
	e = try_connect(0, &fd);
	tap_ok(ok && e == EADDRNOTAVAIL, "tw_reuse 0: a connection to 10.11.0.1 still fails (%s)",
	       e ? strerrorname_np(e) : "connected");
	abort_fd(fd);
	ok = write_file("/proc/sys/net/xtcp/tw_reuse", "2\n") == 0;
	e = try_connect(0, &fd);
	tap_ok(ok && e == EADDRNOTAVAIL, "tw_reuse 2 (loopback only): so does one over the veth "
	       "(%s)", e ? strerrorname_np(e) : "connected");
	abort_fd(fd);
	/* 1: a TIME_WAIT is taken over once its last timestamp is over a second old */
	ok = write_file("/proc/sys/net/xtcp/tw_reuse", "1\n") == 0;
	recycled = xtcp_stat("TWRecycled");
	t0 = now();
	do {
		e = try_connect(0, &fd);
		if (e)
			usleep(100000);
	} while (e == EADDRNOTAVAIL && now() - t0 < 5);
	tap_ok(ok && !e && xtcp_stat("TWRecycled") == recycled + 1 &&
	       xtcp_proc_rows(0x06, 0) == 9,
	       "tw_reuse 1: it takes a TIME_WAIT's port over (%s after %.1f s, TWRecycled +%ld, "
	       "%d TIME_WAITs left)", e ? strerrorname_np(e) : "connected", now() - t0,
	       xtcp_stat("TWRecycled") - recycled, xtcp_proc_rows(0x06, 0));
	abort_fd(fd);

	for (p = 0; p < PEERS; p++) {
		for (i = 0; i < PORTS; i++) {
			netns_enter(ns_client);
			abort_fd(cfd[p][i]);
			netns_enter(ns_server);
			abort_fd(sfd[p][i]);
		}
	}
	close(l);
	netns_enter(self);
	tap_ok(system("ip netns del xtcp-pc && ip netns del xtcp-ps") == 0,
	       "namespaces deleted");
	return tap_done();
}
