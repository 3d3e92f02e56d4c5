// SPDX-License-Identifier: GPL-2.0
/*
 * pmtu: path MTU discovery across a router.  Three namespaces: a client, a router and
 * a server; the client's link has an MTU of 1500, the router's link toward the server
 * 1200 (on the router's side only, so that the server offers an MSS of 1460 and only
 * the path can tell).  The client sends 4 MiB: its first full-sized segments leave
 * with DF set, the router drops them with an ICMP "fragmentation needed", and the
 * client lowers its MSS and sends the rest, byte-exact, in segments that fit; TCP_INFO
 * shows the path MTU (tcpi_pmtu 1200) and the MSS (1148: 1200 less 40 bytes of
 * headers and 12 of timestamps).
 * Runs as root with xtcp.ko loaded; needs ip (iproute2).
 */
#define _GNU_SOURCE
#include <netinet/tcp.h>
#include "tap.h"
#include "xtcp_test.h"

#define NS_C "xtcp-pm-c"
#define NS_R "xtcp-pm-r"
#define NS_S "xtcp-pm-s"
#define SERVER_IP "10.9.8.2"
#define BYTES (4 << 20)

static void cleanup(void)
{
	sh("ip netns del " NS_C " 2>/dev/null; ip netns del " NS_R " 2>/dev/null; "
	   "ip netns del " NS_S " 2>/dev/null; true");
}

static int setup(void)
{
	cleanup();
	return sh("ip netns add " NS_C " && ip netns add " NS_R " && ip netns add " NS_S " && "
		  "ip link add v0 netns " NS_C " type veth peer v1 netns " NS_R " && "
		  "ip link add v2 netns " NS_R " type veth peer v3 netns " NS_S " && "
		  "ip -n " NS_C " addr add 10.9.7.1/24 dev v0 && "
		  "ip -n " NS_R " addr add 10.9.7.2/24 dev v1 && "
		  "ip -n " NS_R " addr add 10.9.8.1/24 dev v2 && "
		  "ip -n " NS_S " addr add " SERVER_IP "/24 dev v3 && "
		  "ip -n " NS_R " link set v2 mtu 1200 && "
		  "for n in " NS_C " " NS_R " " NS_S "; do ip -n $n link set lo up; done && "
		  "ip -n " NS_C " link set v0 up && ip -n " NS_R " link set v1 up && "
		  "ip -n " NS_R " link set v2 up && ip -n " NS_S " link set v3 up && "
		  "ip -n " NS_C " route add default via 10.9.7.2 && "
		  "ip -n " NS_S " route add default via 10.9.8.1 && "
		  "ip netns exec " NS_R " sysctl -qw net.ipv4.ip_forward=1");
}

static int ns_fd(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return open(path, O_RDONLY);
}

int main(void)
{
	int self = open("/proc/self/ns/net", O_RDONLY), fc, fs, lfd, cfd, afd, one = 1, mtu;
	struct sockaddr_in a = sin_of(SERVER_IP, 7500);
	struct tcp_info ti = {};
	socklen_t len = sizeof(ti);
	long got, bad = 0, i, icmp0;

	watchdog_start(NULL, cleanup);
	watchdog_step("three namespaces", 30);
	if (!tap_ok(setup() == 0, "client, router and server namespaces; the router's link to the server has MTU 1200")) {
		cleanup();
		return tap_done();
	}
	fc = ns_fd(NS_C);
	fs = ns_fd(NS_S);

	watchdog_step("connect", 30);
	netns_enter(fs);
	lfd = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	tap_ok(!bind(lfd, (struct sockaddr *)&a, sizeof(a)) && !listen(lfd, 4), "server listens");
	netns_enter(fc);
	icmp0 = proc_counter("/proc/net/snmp", "Icmp", "InDestUnreachs");
	cfd = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	tap_ok(!connect(cfd, (struct sockaddr *)&a, sizeof(a)), "client connects through the router");
	afd = accept(lfd, NULL, NULL);
	getsockopt(cfd, IPPROTO_TCP, TCP_INFO, &ti, &len);
	tap_ok(ti.tcpi_pmtu == 1500 && ti.tcpi_snd_mss == 1448,
	       "before: path MTU 1500 (%u), MSS 1448 (%u): the server offered 1460",
	       ti.tcpi_pmtu, ti.tcpi_snd_mss);

	watchdog_step("4 MiB across the smaller MTU", 120);
	got = afd < 0 ? -1 : pattern_transfer(cfd, afd, BYTES, &bad);
	tap_ok(got == BYTES && !bad, "%d bytes arrive byte-exact (got %ld, %ld wrong)", BYTES,
	       got, bad);
	len = sizeof(ti);
	getsockopt(cfd, IPPROTO_TCP, TCP_INFO, &ti, &len);
	tap_ok(ti.tcpi_pmtu == 1200 && ti.tcpi_snd_mss == 1148,
	       "after: path MTU 1200 (%u), MSS 1148 (%u)", ti.tcpi_pmtu, ti.tcpi_snd_mss);
	i = proc_counter("/proc/net/snmp", "Icmp", "InDestUnreachs") - icmp0;
	tap_ok(i >= 1, "the client got the router's \"fragmentation needed\" (%ld)", i);
	len = sizeof(mtu);
	if (getsockopt(cfd, IPPROTO_IP, IP_MTU, &mtu, &len))
		mtu = -1;
	tap_ok(mtu == 1200, "IP_MTU reads the path MTU: %d", mtu);
	close(cfd);
	close(afd);
	close(lfd);
	netns_enter(self);
	watchdog_step(NULL, 0);
	cleanup();
	return tap_done();
}
