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
 *   pmtu [-6]   -6: the same over IPv6 (fd00:97::/64 and fd00:98::/64), the router's
 *               link 1280 (IPv6's least): an ICMPv6 "packet too big", MSS 1428 then 1208
 *               (1280 less 60 bytes of headers and 12 of timestamps), IPV6_MTU 1280
 * Runs as root with xtcp.ko loaded; needs ip (iproute2).
 */
#define _GNU_SOURCE
#include <netinet/tcp.h>
#include "tap.h"
#include "xtcp_test.h"

#define NS_C "xtcp-pm-c"
#define NS_R "xtcp-pm-r"
#define NS_S "xtcp-pm-s"
#define BYTES (4 << 20)

static int v6;

static void cleanup(void)
{
	sh("ip netns del " NS_C " 2>/dev/null; ip netns del " NS_R " 2>/dev/null; "
	   "ip netns del " NS_S " 2>/dev/null; true");
}

static int setup6(void)
{
	return sh("ip netns add " NS_C " && ip netns add " NS_R " && ip netns add " NS_S " && "
		  "ip link add v0 netns " NS_C " type veth peer v1 netns " NS_R " && "
		  "ip link add v2 netns " NS_R " type veth peer v3 netns " NS_S " && "
		  "ip -n " NS_C " addr add fd00:97::1/64 dev v0 nodad && "
		  "ip -n " NS_R " addr add fd00:97::2/64 dev v1 nodad && "
		  "ip -n " NS_R " addr add fd00:98::1/64 dev v2 nodad && "
		  "ip -n " NS_S " addr add fd00:98::2/64 dev v3 nodad && "
		  "ip -n " NS_R " link set v2 mtu 1280 && "
		  "for n in " NS_C " " NS_R " " NS_S "; do ip -n $n link set lo up; done && "
		  "ip -n " NS_C " link set v0 up && ip -n " NS_R " link set v1 up && "
		  "ip -n " NS_R " link set v2 up && ip -n " NS_S " link set v3 up && "
		  "ip -n " NS_C " -6 route add default via fd00:97::2 && "
		  "ip -n " NS_S " -6 route add default via fd00:98::1 && "
		  "ip netns exec " NS_R " sysctl -qw net.ipv6.conf.all.forwarding=1");
}

/* An IPv6 counter of /proc/net/snmp6 (a name and a value a line); -1 if not found. */
static long snmp6(const char *name)
{
	FILE *f = fopen("/proc/net/snmp6", "r");
	char line[256], n[128];
	long v, found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %ld", n, &v) == 2 && !strcmp(n, name))
			found = v;
	fclose(f);
	return found;
}

static int setup(void)
{
	cleanup();
	if (v6)
		return setup6();
	return sh("ip netns add " NS_C " && ip netns add " NS_R " && ip netns add " NS_S " && "
		  "ip link add v0 netns " NS_C " type veth peer v1 netns " NS_R " && "
		  "ip link add v2 netns " NS_R " type veth peer v3 netns " NS_S " && "
		  "ip -n " NS_C " addr add 10.9.7.1/24 dev v0 && "
		  "ip -n " NS_R " addr add 10.9.7.2/24 dev v1 && "
		  "ip -n " NS_R " addr add 10.9.8.1/24 dev v2 && "
		  "ip -n " NS_S " addr add 10.9.8.2/24 dev v3 && "
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

int main(int argc, char **argv)
{
	int self = open("/proc/self/ns/net", O_RDONLY), fc, fs, lfd, cfd, afd, one = 1, mtu;
	int family, pmtu, mss_before, mss_after;
	struct tcp_info ti = {};
	socklen_t len = sizeof(ti), alen;
	struct sockaddr_storage a;
	long got, bad = 0, i, icmp0;

	v6 = argc > 1 && !strcmp(argv[1], "-6");
	family = v6 ? AF_INET6 : AF_INET;
	alen = sa_of(family, v6 ? "fd00:98::2" : "10.9.8.2", 7500, &a);
	/* IPv6 links take at least 1280; its headers are 20 bytes longer */
	pmtu = v6 ? 1280 : 1200;
	mss_before = v6 ? 1428 : 1448;
	mss_after = pmtu - (v6 ? 60 : 40) - 12;
	watchdog_start(NULL, cleanup);
	watchdog_step("three namespaces", 30);
	if (!tap_ok(setup() == 0, "client, router and server namespaces (%s); the router's link "
		    "to the server has MTU %d", v6 ? "IPv6" : "IPv4", pmtu)) {
		cleanup();
		return tap_done();
	}
	fc = ns_fd(NS_C);
	fs = ns_fd(NS_S);

	watchdog_step("connect", 30);
	netns_enter(fs);
	lfd = socket(family, SOCK_STREAM, IPPROTO_XTCP);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	tap_ok(!bind(lfd, (struct sockaddr *)&a, alen) && !listen(lfd, 4), "server listens");
	netns_enter(fc);
	icmp0 = v6 ? snmp6("Icmp6InPktTooBigs") :
		     proc_counter("/proc/net/snmp", "Icmp", "InDestUnreachs");
	cfd = socket(family, SOCK_STREAM, IPPROTO_XTCP);
	tap_ok(!connect(cfd, (struct sockaddr *)&a, alen), "client connects through the router");
	afd = accept(lfd, NULL, NULL);
	getsockopt(cfd, IPPROTO_TCP, TCP_INFO, &ti, &len);
	tap_ok(ti.tcpi_pmtu == 1500 && ti.tcpi_snd_mss == (unsigned int)mss_before,
	       "before: path MTU 1500 (%u), MSS %d (%u): the server offered %d",
	       ti.tcpi_pmtu, mss_before, ti.tcpi_snd_mss, mss_before + 12);

	watchdog_step("4 MiB across the smaller MTU", 120);
	got = afd < 0 ? -1 : pattern_transfer(cfd, afd, BYTES, &bad);
	tap_ok(got == BYTES && !bad, "%d bytes arrive byte-exact (got %ld, %ld wrong)", BYTES,
	       got, bad);
	len = sizeof(ti);
	getsockopt(cfd, IPPROTO_TCP, TCP_INFO, &ti, &len);
	tap_ok(ti.tcpi_pmtu == (unsigned int)pmtu && ti.tcpi_snd_mss == (unsigned int)mss_after,
	       "after: path MTU %d (%u), MSS %d (%u)", pmtu, ti.tcpi_pmtu, mss_after,
	       ti.tcpi_snd_mss);
	i = (v6 ? snmp6("Icmp6InPktTooBigs") :
		  proc_counter("/proc/net/snmp", "Icmp", "InDestUnreachs")) - icmp0;
	tap_ok(i >= 1, "the client got the router's \"%s\" (%ld)",
	       v6 ? "packet too big" : "fragmentation needed", i);
	len = sizeof(mtu);
	if (getsockopt(cfd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU : IP_MTU, &mtu, &len))
		mtu = -1;
	tap_ok(mtu == pmtu, "%s reads the path MTU: %d", v6 ? "IPV6_MTU" : "IP_MTU", mtu);
	close(cfd);
	close(afd);
	close(lfd);
	netns_enter(self);
	watchdog_step(NULL, 0);
	cleanup();
	return tap_done();
}
