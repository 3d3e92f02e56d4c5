// SPDX-License-Identifier: GPL-2.0
/*
 * ipv6: xtcp over IPv6, socket(AF_INET6, SOCK_STREAM, 253), beside Linux TCP.  Over
 * ::1: a transfer each way byte for byte, the addresses getsockname() and
 * getpeername() give, the rows of /proc/net/xtcp6 (and none in /proc/net/xtcp); a
 * dual-stack listener on :: serving an IPv4 and an IPv6 client at once (the IPv4 one
 * seen as ::ffff:127.0.0.1); an IPV6_V6ONLY listener beside an IPv4 one on the same
 * port; the errors of connect() and bind() across the families, each compared with
 * what Linux TCP answers; a RST and a TIME_WAIT; then two namespaces over a veth
 * pair with IPv6 addresses and netem loss, 4 MiB each way; and what the IPv6 headers
 * carry (a packet socket on loopback reads them), each compared with Linux TCP: the
 * traffic class (IPV6_TCLASS) and a leased flow label (IPV6_FLOWINFO_SEND) on every
 * segment of the client, its TIME_WAIT's ACK included; the listener's traffic class
 * and the client's label reflected (IPV6_FL_F_REFLECT) on the server's; a RST carrying
 * the SYN's traffic class and, with net.ipv6.flowlabel_reflect 2, its label; connect()
 * with a label the socket does not hold, EINVAL; SO_REUSEPORT listeners of both
 * families on a port, the IPv4 one taking IPv4 clients.  The stream test runs over
 * IPv6 too (stream -6), and pmtu over an IPv6 router (pmtu -6).
 * Runs as root with xtcp.ko loaded; needs ip and tc (iproute2).
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <linux/in6.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/tcp.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <sched.h>
#include "tap.h"
#include "xtcp_test.h"

#define NS_A	"xtcp-v6-a"
#define NS_B	"xtcp-v6-b"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* A connection accepted from @lfd within @ms; -1 if none came. */
static int accept_within(int lfd, int ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 ? accept(lfd, NULL, NULL) : -1;
}

/* A socket of @family and protocol @proto, IPV6_V6ONLY as @v6only (IPv6 only). */
static int sock(int family, int proto, int v6only)
{
	int fd = socket(family, SOCK_STREAM, proto), one = 1;

	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	}
	return fd;
}

/* The family of address @ip: IPv6 if it has a colon. */
static int family_of(const char *ip)
{
	return strchr(ip, ':') ? AF_INET6 : AF_INET;
}

/* bind() @fd to @ip and @port: 0, or the errno. */
static int do_bind(int fd, const char *ip, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = sa_of(family_of(ip), ip, port, &ss);

	return bind(fd, (struct sockaddr *)&ss, len) ? errno : 0;
}

/* connect() @fd to @ip and @port: 0, or the errno. */
static int do_connect(int fd, const char *ip, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = sa_of(family_of(ip), ip, port, &ss);

	return connect(fd, (struct sockaddr *)&ss, len) ? errno : 0;
}

/* A listener of @proto on @ip and @port (V6ONLY as @v6only); -1 if it fails. */
static int listener(int proto, const char *ip, int port, int v6only)
{
	int fd = sock(family_of(ip), proto, v6only);

	if (fd >= 0 && (do_bind(fd, ip, port) || listen(fd, 8))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The address and port of @sa as text ("[::1]:7601", "127.0.0.1:7601"). */
static const char *sa_str(const struct sockaddr_storage *sa, char *buf, size_t n)
{
	const struct sockaddr_in6 *s6 = (const void *)sa;
	const struct sockaddr_in *s4 = (const void *)sa;
	char a[INET6_ADDRSTRLEN];

	if (sa->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, n, "[%s]:%d", a, ntohs(s6->sin6_port));
	} else {
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, n, "%s:%d", a, ntohs(s4->sin_port));
	}
	return buf;
}

/* The peer's address of @fd as text (sa_str()); "-" if there is none. */
static const char *peer_str(int fd, char *buf, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len)) {
		snprintf(buf, n, "-");
		return buf;
	}
	return sa_str(&ss, buf, n);
}

static int local_port(int fd)
{
	struct sockaddr_in6 a;	/* the port lies where struct sockaddr_in has it */
	socklen_t len = sizeof(a);

	return getsockname(fd, (struct sockaddr *)&a, &len) ? -1 : ntohs(a.sin6_port);
}

/* Rows of /proc/net/xtcp6 in @state (0: any) with local port @port and address @addr. */
static int proc6_rows(int state, int port, const char *addr)
{
	char line[512], a[40];
	unsigned int lp, st;
	FILE *f = fopen("/proc/thread-self/net/" XTCP_PROC_SOCKETS6, "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %32[0-9A-F]:%x %*32[0-9A-F]:%*x %x", a, &lp, &st) == 3 &&
		    (!state || (int)st == state) && (int)lp == port && (!addr || !strcmp(a, addr)))
			n++;
	fclose(f);
	return n;
}

/* Lines of the trace buffer that contain @what. */
static int trace_count(const char *what)
{
	FILE *f = fopen("/sys/kernel/tracing/trace", "r");
	char line[1024];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !!strstr(line, what);
	fclose(f);
	return n;
}

/* A connected pair of @proto: client @c to the listener @lfd at @ip:@port, server @s. */
static int pair(int proto, int lfd, const char *ip, int port, int *c, int *s)
{
	*c = sock(family_of(ip), proto, 0);
	*s = -1;
	if (*c < 0 || do_connect(*c, ip, port))
		return -1;
	*s = accept(lfd, NULL, NULL);
	return *s < 0 ? -1 : 0;
}

/* @bytes from @w to @r, verified; a check named by @what. */
static void transfer_ok(int w, int r, long bytes, const char *what)
{
	long bad = 0, got;

	watchdog_step(what, 60);
	got = pattern_transfer(w, r, bytes, &bad);
	tap_ok(got == bytes && !bad, "%s: %ld bytes byte-exact (got %ld, %ld wrong)", what,
	       bytes, got, bad);
}

static void test_loopback(void)
{
	int lfd = listener(IPPROTO_XTCP, "::1", 7601, 0), c = -1, s = -1, cport;
	char a[64], b[64];
	int traced;

	tap_ok(lfd >= 0, "a listener on [::1]:7601");
	tap_ok(proc6_rows(0x0A, 7601, "00000000000000000000000001000000") == 1 &&
	       xtcp_proc_rows(0x0A, 7601) == 0,
	       "/proc/net/xtcp6 shows it as 0A on 00000000000000000000000001000000:1DB1, "
	       "/proc/net/xtcp does not");
	traced = !write_file("/sys/kernel/tracing/trace", "\n") &&
		 !write_file("/sys/kernel/tracing/events/xtcp/xtcp_set_state/enable", "1");
	if (!tap_ok(pair(IPPROTO_XTCP, lfd, "::1", 7601, &c, &s) == 0, "connect to [::1]:7601, "
		    "accept"))
		goto out;
	write_file("/sys/kernel/tracing/events/xtcp/xtcp_set_state/enable", "0");
	tap_ok(traced && trace_count("dport=7601 saddr=127.0.0.6 daddr=0.0.0.0 saddrv6=::1 "
				     "daddrv6=::1 oldstate=CLOSE newstate=SYN_SENT") == 1,
	       "tracepoint xtcp:xtcp_set_state carries the IPv6 addresses: CLOSE -> SYN_SENT, "
	       "saddrv6=::1 daddrv6=::1");
	cport = local_port(c);
	snprintf(b, sizeof(b), "[::1]:%d", cport);
	tap_ok(!strcmp(peer_str(s, a, sizeof(a)), b), "the server's peer is %s (%s)", b, a);
	tap_ok(!strcmp(peer_str(c, a, sizeof(a)), "[::1]:7601"), "the client's is [::1]:7601 (%s)",
	       a);
	tap_ok(proc6_rows(0x01, cport, NULL) == 1 && proc6_rows(0x01, 7601, NULL) == 1,
	       "/proc/net/xtcp6 shows both ends 01 ESTABLISHED");
	transfer_ok(c, s, 4 << 20, "client to server over ::1");
	transfer_ok(s, c, 4 << 20, "server to client over ::1");
	close(c);
	close(s);
	/* the client closed first: its end waits in TIME_WAIT, an IPv6 row */
	tap_ok(wait_for(proc6_rows(0x06, cport, NULL) == 1, 5),
	       "the client's end is in TIME_WAIT, a row of /proc/net/xtcp6 (06)");
out:
	close(lfd);
}

/*
 * What the children of a listener of @proto on [::]:7602 (V6ONLY 0) say their peers
 * are, an IPv4 and an IPv6 client connected: into @peers without the ports, sorted.
 */
static void dual_stack_peers(int proto, char peers[2][64])
{
	int lfd = listener(proto, "::", 7602, 0), c4 = sock(AF_INET, proto, 0);
	int c6 = sock(AF_INET6, proto, 0), s, i;
	char t[64];

	peers[0][0] = peers[1][0] = 0;
	if (lfd >= 0 && !do_connect(c4, "127.0.0.1", 7602) && !do_connect(c6, "::1", 7602)) {
		for (i = 0; i < 2; i++) {
			s = accept(lfd, NULL, NULL);
			snprintf(peers[i], 64, "%s", peer_str(s, t, sizeof(t)));
			if (strrchr(peers[i], ':'))
				*strrchr(peers[i], ':') = 0;
			close(s);
		}
		if (strcmp(peers[0], peers[1]) > 0) {
			memcpy(t, peers[0], sizeof(t));
			memcpy(peers[0], peers[1], sizeof(t));
			memcpy(peers[1], t, sizeof(t));
		}
	}
	close(c4);
	close(c6);
	close(lfd);
}

static void test_dual_stack(void)
{
	char xp[2][64], tp[2][64];
	int lfd = listener(IPPROTO_XTCP, "::", 7602, 0), c4, c6, s4, s6;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char a[64];

	/* both clients connect before either is accepted, then each gets its own data */
	c4 = sock(AF_INET, IPPROTO_XTCP, 0);
	c6 = sock(AF_INET6, IPPROTO_XTCP, 0);
	tap_ok(lfd >= 0 && !do_connect(c4, "127.0.0.1", 7602) && !do_connect(c6, "::1", 7602),
	       "a listener on [::]:7602 (V6ONLY 0): an IPv4 and an IPv6 client connect");
	s4 = accept(lfd, (struct sockaddr *)&ss, &len);
	s6 = accept(lfd, NULL, NULL);
	if (s4 >= 0 && ((struct sockaddr_in6 *)&ss)->sin6_port != htons(local_port(c4))) {
		int t = s4;	/* accepted in the other order */

		s4 = s6;
		s6 = t;
	}
	snprintf(xp[0], sizeof(xp[0]), "[::ffff:127.0.0.1]:%d", local_port(c4));
	tap_ok(s4 >= 0 && !strcmp(peer_str(s4, a, sizeof(a)), xp[0]),
	       "the IPv4 client is %s to the IPv6 listener's child (%s)", xp[0], a);
	tap_ok(proc6_rows(0x01, 7602, "0000000000000000FFFF00000100007F") == 1 &&
	       proc6_rows(0x01, 7602, "00000000000000000000000001000000") == 1 &&
	       xtcp_proc_rows(0x01, 7602) == 0,
	       "/proc/net/xtcp6 shows the child of the IPv4 client as ::ffff:127.0.0.1 "
	       "(0000000000000000FFFF00000100007F), the other as ::1; /proc/net/xtcp neither");
	if (s4 >= 0 && s6 >= 0) {
		transfer_ok(c4, s4, 2 << 20, "IPv4 client to the dual-stack server");
		transfer_ok(s6, c6, 2 << 20, "dual-stack server to its IPv6 client");
		transfer_ok(s4, c4, 1 << 20, "dual-stack server to its IPv4 client");
	}
	close(c4);
	close(c6);
	close(s4);
	close(s6);
	close(lfd);

	/* the same on Linux TCP and on xtcp: what each child says its peer is */
	dual_stack_peers(IPPROTO_TCP, tp);
	dual_stack_peers(IPPROTO_XTCP, xp);
	tap_ok(!strcmp(xp[0], tp[0]) && !strcmp(xp[1], tp[1]) && tp[0][0],
	       "the children's peers are those of Linux TCP: %s and %s (TCP: %s and %s)",
	       xp[0], xp[1], tp[0], tp[1]);
}

static void test_v6only(void)
{
	int l6 = listener(IPPROTO_XTCP, "::", 7603, 1);
	int l4 = listener(IPPROTO_XTCP, "0.0.0.0", 7603, 0);
	int c4 = sock(AF_INET, IPPROTO_XTCP, 0), c6 = sock(AF_INET6, IPPROTO_XTCP, 0), s4, s6;

	tap_ok(l6 >= 0 && l4 >= 0, "an IPV6_V6ONLY listener on [::]:7603 and an IPv4 one on "
	       "0.0.0.0:7603 at once, as on TCP");
	if (l6 < 0 || l4 < 0)
		goto out;
	do_connect(c4, "127.0.0.1", 7603);
	do_connect(c6, "::1", 7603);
	s4 = accept_within(l4, 5000);
	s6 = accept_within(l6, 5000);
	tap_ok(s4 >= 0 && s6 >= 0, "the IPv4 client reaches the IPv4 listener, the IPv6 one the "
	       "IPv6 listener");
	close(s4);
	close(s6);
out:
	close(c4);
	close(c6);
	close(l4);
	close(l6);
}

/* connect() and bind() across the families: the errno of each, compared with TCP's. */
static void test_errors(void)
{
	static const struct {
		const char *what, *first, *second;
		int v6only;
	} binds[] = {
		{ "bind [::] after 0.0.0.0", "0.0.0.0", "::", 0 },
		{ "bind [::] V6ONLY after 0.0.0.0", "0.0.0.0", "::", 1 },
		{ "bind [::ffff:127.0.0.1] after 127.0.0.1", "127.0.0.1", "::ffff:127.0.0.1", 0 },
		{ "bind 0.0.0.0 after [::1]", "::1", "0.0.0.0", 0 },
		{ "bind [::1] after [::]", "::", "::1", 0 },
		{ "bind [::1] after [::1]", "::1", "::1", 0 },
	};
	static const struct {
		const char *what, *ip;
		int v6only;
	} connects[] = {
		{ "connect to a closed port of ::1", "::1", 0 },
		{ "connect to ::ffff:127.0.0.1 with IPV6_V6ONLY", "::ffff:127.0.0.1", 1 },
		{ "connect to a link-local address without its link", "fe80::1", 0 },
		{ "connect to a multicast address", "ff02::1", 0 },
	};
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7604) };
	int e[2], p, fd, fd2, ok;
	long sent, recvd;
	char buf[6];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(binds); i++) {
		for (p = 0; p < 2; p++) {
			int proto = p ? IPPROTO_XTCP : IPPROTO_TCP, one = 0;

			fd = sock(family_of(binds[i].first), proto, 0);
			fd2 = sock(family_of(binds[i].second), proto, binds[i].v6only);
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			setsockopt(fd2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			/* the first bind must work; then the second's errno, or 0 */
			e[p] = do_bind(fd, binds[i].first, 7605 + i) ? -1 :
			       do_bind(fd2, binds[i].second, 7605 + i);
			close(fd);
			close(fd2);
		}
		tap_ok(e[0] == e[1] && e[0] != -1, "%s: %s, as TCP (%s)", binds[i].what,
		       e[1] > 0 ? strerrorname_np(e[1]) : "allowed",
		       e[0] > 0 ? strerrorname_np(e[0]) : "allowed");
	}
	for (i = 0; i < ARRAY_SIZE(connects); i++) {
		for (p = 0; p < 2; p++) {
			fd = sock(AF_INET6, p ? IPPROTO_XTCP : IPPROTO_TCP, connects[i].v6only);
			e[p] = do_connect(fd, connects[i].ip, 7604);
			close(fd);
		}
		tap_ok(e[0] == e[1] && e[0], "%s fails with %s, as TCP (%s)", connects[i].what,
		       e[1] ? strerrorname_np(e[1]) : "no error",
		       e[0] ? strerrorname_np(e[0]) : "no error");
	}
	for (p = 0; p < 2; p++) {
		fd = sock(AF_INET6, p ? IPPROTO_XTCP : IPPROTO_TCP, 0);
		e[p] = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) ? errno : 0;
		close(fd);
	}
	tap_ok(e[0] == e[1] && e[0], "an IPv6 socket given a struct sockaddr_in fails with %s, "
	       "as TCP (%s)", strerrorname_np(e[1]), strerrorname_np(e[0]));

	/* a RST: the server closes with SO_LINGER 0, the client reads ECONNRESET */
	fd = listener(IPPROTO_XTCP, "::1", 7620, 0);
	ok = pair(IPPROTO_XTCP, fd, "::1", 7620, &fd2, &p) == 0;
	if (ok) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };
		char c;

		setsockopt(p, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(p);
		ok = recv(fd2, &c, 1, 0) == -1 && errno == ECONNRESET;
	}
	tap_ok(ok, "a peer's RST over IPv6: recv() fails with ECONNRESET");
	close(fd2);
	close(fd);

	/* extension headers the MSS would not make room for: refused, not half done */
	fd = sock(AF_INET6, IPPROTO_XTCP, 0);
	ok = setsockopt(fd, IPPROTO_IPV6, IPV6_HOPOPTS, NULL, 0);
	tap_errno(ok, errno, ENOPROTOOPT, "IPV6_HOPOPTS (not done yet)");
	close(fd);

	/*
	 * SYN cookies for every SYN (syncookies 2): the IPv6 SYN-ACK carries one, the ACK
	 * returns it, and the connection is made from it (cookie_v6_check())
	 */
	sent = xtcp_stat("SyncookiesSent");
	recvd = xtcp_stat("SyncookiesRecv");
	ok = !write_file("/proc/sys/net/xtcp/syncookies", "2");
	fd = listener(IPPROTO_XTCP, "::1", 7621, 0);
	ok = ok && pair(IPPROTO_XTCP, fd, "::1", 7621, &fd2, &p) == 0 &&
	     send(fd2, "cookie", 6, 0) == 6 && recv(p, buf, 6, MSG_WAITALL) == 6 &&
	     !memcmp(buf, "cookie", 6);
	write_file("/proc/sys/net/xtcp/syncookies", "1");
	sent = xtcp_stat("SyncookiesSent") - sent;
	recvd = xtcp_stat("SyncookiesRecv") - recvd;
	tap_ok(ok && sent == 1 && recvd == 1, "with net.xtcp.syncookies 2 an IPv6 connection "
	       "opens from a SYN cookie and carries data (SyncookiesSent +%ld, SyncookiesRecv "
	       "+%ld; want +1 each)", sent, recvd);
	close(p);
	close(fd2);
	close(fd);
}

/*
 * 4 MiB each way between two namespaces over veth with IPv6 addresses and loss.  netem
 * drops whole skbs, so both veth ends take one segment per skb (gso_max_segs 1): about
 * 2900 data segments each way at 2% loss surely lose some, and each sender must have sent
 * some again, counted in its own namespace.
 */
static void test_veth_loss(void)
{
	static const char *const ns[2] = { NS_A, NS_B }, *const dev[2] = { "xv6a", "xv6b" };
	static const char *const ip[2] = { "10.66.0.1/24", "10.66.0.2/24" };
	int fd[2], self = open("/proc/self/ns/net", O_RDONLY), lfd = -1, c = -1, s = -1, i;
	long rt0[2] = { 0, 0 }, rt[2];

	watchdog_step("two namespaces", 30);
	if (!tap_ok(!netns_veth(ns, dev, ip, fd) &&
		    !sh("ip -n " NS_A " addr add fd00:66::1/64 dev xv6a nodad && "
			"ip -n " NS_B " addr add fd00:66::2/64 dev xv6b nodad && "
			"ip -n " NS_A " link set dev xv6a gso_max_segs 1 && "
			"ip -n " NS_B " link set dev xv6b gso_max_segs 1 && "
			"tc -n " NS_A " qdisc add dev xv6a root netem loss 2%% && "
			"tc -n " NS_B " qdisc add dev xv6b root netem loss 2%%"),
		    "two namespaces over veth, fd00:66::1 and ::2, one segment per skb "
		    "(gso_max_segs 1), netem loss 2%% on both ends"))
		goto out;
	for (i = 0; i < 2; i++) {
		netns_enter(fd[i]);
		rt0[i] = xtcp_stat("RetransSegs");
	}
	netns_enter(fd[1]);
	lfd = listener(IPPROTO_XTCP, "fd00:66::2", 7630, 0);
	netns_enter(fd[0]);
	tap_ok(lfd >= 0 && pair(IPPROTO_XTCP, lfd, "fd00:66::2", 7630, &c, &s) == 0,
	       "connect from fd00:66::1 to [fd00:66::2]:7630");
	if (s >= 0) {
		transfer_ok(c, s, 4 << 20, "fd00:66::1 to fd00:66::2 under 2% loss");
		transfer_ok(s, c, 4 << 20, "fd00:66::2 to fd00:66::1 under 2% loss");
	}
	for (i = 0; i < 2; i++) {
		netns_enter(fd[i]);
		rt[i] = xtcp_stat("RetransSegs") - rt0[i];
	}
	tap_ok(rt[0] > 0 && rt[1] > 0, "the losses were repaired: RetransSegs +%ld in the "
	       "client's namespace, +%ld in the server's (both want > 0)", rt[0], rt[1]);
out:
	close(c);
	close(s);
	close(lfd);
	netns_enter(self);
	watchdog_step(NULL, 0);
	netns_del(ns);
}

/* A SO_REUSEPORT listener of @proto on @ip port @port (dual-stack if IPv6); -1 if not. */
static int reuseport_listener(int proto, const char *ip, int port)
{
	int fd = sock(family_of(ip), proto, 0), one = 1;

	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
			do_bind(fd, ip, port) || listen(fd, 8))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Which of a SO_REUSEPORT IPv4 listener on 0.0.0.0 and a dual-stack one on [::] of the
 * same port takes an IPv4 client, the IPv6 one made first (@v6_first) or last: "IPv4",
 * "IPv6", "none" or "no listeners" (not both could listen).
 */
static const char *reuseport_taker(int proto, int port, int v6_first)
{
	struct pollfd p[2] = { { .events = POLLIN }, { .events = POLLIN } };
	int l4, l6, c;
	const char *who = "none";

	if (v6_first) {
		l6 = reuseport_listener(proto, "::", port);
		l4 = reuseport_listener(proto, "0.0.0.0", port);
	} else {
		l4 = reuseport_listener(proto, "0.0.0.0", port);
		l6 = reuseport_listener(proto, "::", port);
	}
	p[0].fd = l4;
	p[1].fd = l6;
	c = sock(AF_INET, proto, 0);
	if (l4 < 0 || l6 < 0)
		who = "no listeners";
	else if (!do_connect(c, "127.0.0.1", port) && poll(p, 2, 2000) > 0)
		who = p[0].revents & POLLIN ? "IPv4" : p[1].revents & POLLIN ? "IPv6" : "none";
	close(c);
	close(l4);
	close(l6);
	return who;
}

/*
 * SO_REUSEPORT listeners of both families on one port: an IPv4 client goes to the IPv4
 * one, whichever was made first (__inet_hash() puts IPv6 ones last, compute_score()
 * prefers an IPv4 listener for IPv4), as on TCP.
 */
static void test_reuseport_families(void)
{
	const char *x[2], *t[2];
	int i;

	for (i = 0; i < 2; i++) {
		t[i] = reuseport_taker(IPPROTO_TCP, 7624 + 2 * i, i);
		x[i] = reuseport_taker(IPPROTO_XTCP, 7625 + 2 * i, i);
		tap_ok(!strcmp(x[i], "IPv4") && !strcmp(t[i], "IPv4"), "SO_REUSEPORT on 0.0.0.0 "
		       "and on [::] (dual stack, made %s): an IPv4 client goes to the %s listener, "
		       "as on TCP (%s)", i ? "first" : "last", x[i], t[i]);
	}
}

/* ---- traffic class and flow labels ---- */

#define FL_LABEL	0x12345		/* the label the client leases (+ 1 for xtcp's) */
#define FL_TCLASS_C	0x28		/* the client's traffic class (DSCP AF11) */
#define FL_TCLASS_L	0x48		/* the listener's (AF21) */

/* What the IPv6 header of one segment on loopback carried. */
struct seg6 {
	int sport, dport, flags;
	unsigned int tclass, label;
};

/* A packet socket reading the IPv6 packets loopback carries in this namespace; -1. */
static int cap_open(void)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IPV6),
				   .sll_ifindex = if_nametoindex("lo") };
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(ETH_P_IPV6));

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The segments of @proto that loopback carried and @cap still holds, appended to @s
 * (@n of them, @max at most).  A socket bound to one protocol sees what loopback
 * receives, every packet sent on it once (the transmit path's copies go to ETH_P_ALL
 * sockets only).
 */
static void cap_read(int cap, int proto, struct seg6 *s, int *n, int max)
{
	unsigned char b[2048];
	struct sockaddr_ll from;
	socklen_t len = sizeof(from);
	ssize_t got;

	while (*n < max && (got = recvfrom(cap, b, sizeof(b), 0, (struct sockaddr *)&from,
					   &len)) > 0) {
		len = sizeof(from);
		if (from.sll_pkttype == PACKET_OUTGOING || got < 40 + 20 || b[6] != proto)
			continue;
		s[*n] = (struct seg6){
			.tclass = ((b[0] & 0x0f) << 4 | b[1] >> 4) & ~3u,	/* ECN bits aside */
			.label = (b[1] & 0x0f) << 16 | b[2] << 8 | b[3],
			.sport = b[40] << 8 | b[41], .dport = b[42] << 8 | b[43],
			.flags = b[40 + 13],
		};
		(*n)++;
	}
}

/*
 * Of @n segments, those from port @from to @to (with all of @flags): how many, into
 * *@cnt, and whether all had traffic class @tclass and (if @label >= 0) flow label
 * @label; the first one that had not, into *@bad.
 */
static int segs_all(const struct seg6 *s, int n, int from, int to, int flags,
		    unsigned int tclass, int label, int *cnt, struct seg6 *bad)
{
	int i, ok = 1;

	*cnt = 0;
	for (i = 0; i < n; i++) {
		if (s[i].sport != from || s[i].dport != to || (s[i].flags & flags) != flags)
			continue;
		(*cnt)++;
		if (ok && (s[i].tclass != tclass ||
			   (label >= 0 && s[i].label != (unsigned int)label))) {
			*bad = s[i];
			ok = 0;
		}
	}
	return ok && *cnt > 0;
}

/* A label leased by @fd for ::1 (IPV6_FLOWLABEL_MGR, created, exclusive): 0 or errno. */
static int lease_label(int fd, unsigned int label)
{
	struct in6_flowlabel_req fr = {
		.flr_dst = IN6ADDR_LOOPBACK_INIT, .flr_label = htonl(label),
		.flr_action = IPV6_FL_A_GET, .flr_share = IPV6_FL_S_EXCL,
		.flr_flags = IPV6_FL_F_CREATE,
	};

	return setsockopt(fd, IPPROTO_IPV6, IPV6_FLOWLABEL_MGR, &fr, sizeof(fr)) ? errno : 0;
}

/* Reflect the flow label of what @fd receives (IPV6_FL_F_REFLECT): 0 or errno. */
static int reflect_labels(int fd)
{
	struct in6_flowlabel_req fr = { .flr_action = IPV6_FL_A_GET,
					.flr_flags = IPV6_FL_F_REFLECT };

	return setsockopt(fd, IPPROTO_IPV6, IPV6_FLOWLABEL_MGR, &fr, sizeof(fr)) ? errno : 0;
}

/* connect() @fd to ::1 port @port with sin6_flowinfo @label: 0, or the errno. */
static int connect_label(int fd, int port, unsigned int label)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port),
				  .sin6_addr = IN6ADDR_LOOPBACK_INIT,
				  .sin6_flowinfo = htonl(label) };

	return connect(fd, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
}

/*
 * A bare ACK from ::1 port @sport to port @dport with sequence number @seq, sent on a
 * raw socket of @proto (the kernel sums it over the pseudo-header: IPV6_CHECKSUM).
 */
static int raw_ack(int proto, int sport, int dport, unsigned int seq)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(AF_INET6, SOCK_RAW, proto), off = 16, ret = -1;
	struct tcphdr th = { .source = htons(sport), .dest = htons(dport), .seq = htonl(seq),
			     .doff = 5, .ack = 1, .window = htons(1024) };

	if (fd >= 0 && !setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, &off, sizeof(off)))
		ret = sendto(fd, &th, sizeof(th), 0, (struct sockaddr *)&to, sizeof(to)) ==
		      sizeof(th) ? 0 : -1;
	if (fd >= 0)
		close(fd);
	return ret;
}

/* What one protocol showed in test_flow()'s exchange. */
struct flow_run {
	int setup, excl_err, cl_ok, sv_ok, synack_ok, tw_ok, rst_ok, syn_label;
	const char *why;	/* the step that failed, if the setup did */
	int cl_n, sv_n, synack_n, tw_n, rst_n;
	struct seg6 cl_bad, sv_bad, synack_bad, tw_bad, rst_bad;
};

/* The state of the IPv6 row of @proto from port @lport to @rport (/proc/net/tcp6 or xtcp6). */
static int state6(int proto, int lport, int rport)
{
	unsigned int lp, rp, st;
	char line[512];
	FILE *f = fopen(proto == IPPROTO_TCP ? "/proc/thread-self/net/tcp6" :
			"/proc/thread-self/net/" XTCP_PROC_SOCKETS6, "r");
	int found = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %*x:%x %*x:%x %x", &lp, &rp, &st) == 3 &&
		    (int)lp == lport && (int)rp == rport)
			found = st;
	if (f)
		fclose(f);
	return found;
}

/* Whether a bare ACK from port @from to @to is among @s[@first..]: read more first. */
static int bare_ack_seen(int cap, int proto, struct seg6 *s, int *n, int first, int from, int to)
{
	int i;

	cap_read(cap, proto, s, n, 256);
	for (i = first; i < *n; i++)
		if (s[i].sport == from && s[i].dport == to && s[i].flags == 0x10)
			return 1;
	return 0;
}

/*
 * One protocol's exchange: a listener on [::1]:@port with traffic class FL_TCLASS_L,
 * reflecting labels; a client with FL_TCLASS_C that leased a label and connects with
 * it (IPV6_FLOWINFO_SEND); 4 bytes each way; the client closes first, and a bare ACK
 * sent (from a raw socket) into its TIME_WAIT draws the TIME_WAIT's own ACK.  Then,
 * with net.ipv6.flowlabel_reflect 2 (RSTs), a connect with FL_TCLASS_C from port
 * @port + 2 to the closed @port + 1: the RST's label is the SYN's (automatic) one.
 */
static void flow_run(int proto, int port, struct flow_run *r)
{
	struct seg6 s[256];
	int cap, l, c = -1, a = -1, x, n = 0, n0, one = 1, tc = FL_TCLASS_C, tl = FL_TCLASS_L;
	int cport = 0;
	char b[4];

	/* each protocol its own: an exclusive lease outlives its socket a while */
	const unsigned int label = FL_LABEL + (proto == IPPROTO_XTCP);

	memset(r, 0, sizeof(*r));
	r->excl_err = -1;
	r->syn_label = -1;
	cap = cap_open();
	l = sock(AF_INET6, proto, 1);
	c = sock(AF_INET6, proto, 1);
	r->why = "a packet socket, the listener and the client";
	if (cap < 0 || l < 0 || c < 0 || do_bind(l, "::1", port))
		goto out;
	r->why = "IPV6_TCLASS on the listener";
	if (setsockopt(l, IPPROTO_IPV6, IPV6_TCLASS, &tl, sizeof(tl)))
		goto out;
	r->why = "IPV6_FLOWLABEL_MGR IPV6_FL_F_REFLECT on the listener";
	if (reflect_labels(l) || listen(l, 8))
		goto out;
	r->why = "IPV6_TCLASS, a leased label and IPV6_FLOWINFO_SEND on the client";
	if (setsockopt(c, IPPROTO_IPV6, IPV6_TCLASS, &tc, sizeof(tc)) ||
	    lease_label(c, label) ||
	    setsockopt(c, IPPROTO_IPV6, IPV6_FLOWINFO_SEND, &one, sizeof(one)))
		goto out;
	r->why = "connect, 4 bytes each way, close";
	/* with an exclusive label in the namespace, one a socket does not hold is refused */
	x = sock(AF_INET6, proto, 1);
	setsockopt(x, IPPROTO_IPV6, IPV6_FLOWINFO_SEND, &one, sizeof(one));
	r->excl_err = connect_label(x, port, 0x54321);
	close(x);
	if (connect_label(c, port, label))
		goto out;
	a = accept_within(l, 2000);
	cport = local_port(c);
	if (a < 0 || send(c, "ping", 4, 0) != 4 || recv(a, b, 4, MSG_WAITALL) != 4 ||
	    send(a, "pong", 4, 0) != 4 || recv(c, b, 4, MSG_WAITALL) != 4)
		goto out;
	close(c);
	c = -1;
	wait_for(recv(a, b, 1, MSG_DONTWAIT) == 0, 2);
	close(a);
	a = -1;
	/* the client's end in TIME_WAIT (06): a segment outside its window draws its ACK */
	r->why = "the client's TIME_WAIT (06) and a bare ACK into it";
	r->setup = wait_for(state6(proto, cport, port) == 6, 2);
	cap_read(cap, proto, s, &n, 256);
	n0 = n;
	r->setup = r->setup && !raw_ack(proto, port, cport, 12345);
	wait_for(bare_ack_seen(cap, proto, s, &n, n0, cport, port), 2);
	r->cl_ok = segs_all(s, n0, cport, port, 0, FL_TCLASS_C, label, &r->cl_n, &r->cl_bad);
	r->sv_ok = segs_all(s, n0, port, cport, 0, FL_TCLASS_L, label, &r->sv_n, &r->sv_bad);
	r->synack_ok = segs_all(s, n0, port, cport, 0x12, FL_TCLASS_L, label, &r->synack_n,
				&r->synack_bad);
	r->tw_ok = segs_all(s + n0, n - n0, cport, port, 0x10, FL_TCLASS_C, label, &r->tw_n,
			    &r->tw_bad);

	/* a SYN to a closed port: the RST has its traffic class and, so told, its label */
	write_file("/proc/sys/net/ipv6/flowlabel_reflect", "2");
	n = 0;
	x = sock(AF_INET6, proto, 1);
	setsockopt(x, IPPROTO_IPV6, IPV6_TCLASS, &tc, sizeof(tc));
	r->rst_ok = !do_bind(x, "::1", port + 2) && do_connect(x, "::1", port + 1) == ECONNREFUSED;
	close(x);
	cap_read(cap, proto, s, &n, 256);
	for (x = 0; x < n && r->syn_label < 0; x++)
		if (s[x].sport == port + 2 && s[x].dport == port + 1 && (s[x].flags & 0x02))
			r->syn_label = s[x].label;
	r->rst_ok = r->rst_ok && r->syn_label > 0 &&
		    segs_all(s, n, port + 1, port + 2, 0x04, FL_TCLASS_C, r->syn_label,
			     &r->rst_n, &r->rst_bad);
	write_file("/proc/sys/net/ipv6/flowlabel_reflect", "0");
out:
	close(a);
	close(c);
	close(l);
	close(cap);
}

/* "N segments, all 0x28 / 0x12345" or "N segments, one 0x00 / 0x6789a" */
static const char *segs_str(int ok, int cnt, const struct seg6 *bad, char *buf, size_t len)
{
	if (ok)
		snprintf(buf, len, "%d segment%s as wanted", cnt, cnt == 1 ? "" : "s");
	else if (!cnt)
		snprintf(buf, len, "none seen");
	else
		snprintf(buf, len, "%d, one with class 0x%02x label 0x%05x (flags 0x%02x)", cnt,
			 bad->tclass, bad->label, bad->flags);
	return buf;
}

/*
 * IPV6_TCLASS, IPV6_FLOWINFO_SEND and IPV6_FL_F_REFLECT on the wire, and
 * net.ipv6.flowlabel_reflect: flow_run() for Linux TCP then xtcp, in a namespace of
 * this test's own (its exclusive label and sysctl go with it).
 */
static void test_flow(void)
{
	int self = open("/proc/self/ns/net", O_RDONLY), i;
	struct flow_run r[2];
	char x[128], t[128];

	watchdog_step("traffic class and flow labels", 60);
	/* IPV6_FL_F_REFLECT needs net.ipv6.flowlabel_consistency 0 (default 1) */
	if (!tap_ok(!unshare(CLONE_NEWNET) && !lo_up() &&
		    !write_file("/proc/sys/net/ipv6/flowlabel_consistency", "0"),
		    "a private namespace for the traffic class and flow label cases, with "
		    "net.ipv6.flowlabel_consistency 0"))
		goto out;
	for (i = 0; i < 2; i++)
		flow_run(i ? IPPROTO_XTCP : IPPROTO_TCP, 7640 + 10 * i, &r[i]);
	tap_ok(r[1].setup && r[0].setup, "traffic class 0x%02x and a leased label on the "
	       "client, class 0x%02x and IPV6_FL_F_REFLECT on the listener: connected, 4 bytes "
	       "each way, the client's end in TIME_WAIT given a bare ACK (%s; TCP: %s)",
	       FL_TCLASS_C, FL_TCLASS_L, r[1].setup ? "done" : r[1].why,
	       r[0].setup ? "done" : r[0].why);
	tap_ok(r[1].excl_err == EINVAL && r[0].excl_err == EINVAL,
	       "IPV6_FLOWINFO_SEND with a label the socket does not hold (an exclusive one is "
	       "leased in the namespace): connect() fails with %s, as TCP (%s)",
	       r[1].excl_err >= 0 ? strerrorname_np(r[1].excl_err) : "-",
	       r[0].excl_err >= 0 ? strerrorname_np(r[0].excl_err) : "-");
	tap_ok(r[1].cl_ok && r[0].cl_ok, "every segment of the client (SYN, data, FIN, ACKs) "
	       "carries class 0x%02x and its label 0x%05x: %s (TCP: %s)", FL_TCLASS_C, FL_LABEL + 1,
	       segs_str(r[1].cl_ok, r[1].cl_n, &r[1].cl_bad, x, sizeof(x)),
	       segs_str(r[0].cl_ok, r[0].cl_n, &r[0].cl_bad, t, sizeof(t)));
	/*
	 * Linux 7.x's TCP sends a child's segments with the flow inet6_csk_xmit() cached
	 * in inet_sock.cork.fl before the child took the label: there only its SYN-ACK
	 * reflects.  xtcp reflects on every segment, as 6.1's and 6.12's TCP do.
	 */
	tap_ok(r[1].sv_ok && r[0].synack_ok, "every segment of the server (the SYN-ACK, the "
	       "child's) carries the listener's class 0x%02x and the client's label reflected: "
	       "%s (TCP: its SYN-ACK %s; all its segments: %s)", FL_TCLASS_L,
	       segs_str(r[1].sv_ok, r[1].sv_n, &r[1].sv_bad, x, sizeof(x)),
	       r[0].synack_ok ? "does" : "does not",
	       segs_str(r[0].sv_ok, r[0].sv_n, &r[0].sv_bad, t, sizeof(t)));
	tap_ok(r[1].tw_ok && r[0].tw_ok, "the TIME_WAIT's ACK carries its socket's class and "
	       "label: %s (TCP: %s)", segs_str(r[1].tw_ok, r[1].tw_n, &r[1].tw_bad, x, sizeof(x)),
	       segs_str(r[0].tw_ok, r[0].tw_n, &r[0].tw_bad, t, sizeof(t)));
	tap_ok(r[1].rst_ok && r[0].rst_ok, "with net.ipv6.flowlabel_reflect 2, the RST to a SYN "
	       "for a closed port carries the SYN's class 0x%02x and label 0x%05x: %s (TCP: "
	       "label 0x%05x, %s)", FL_TCLASS_C, r[1].syn_label,
	       segs_str(r[1].rst_ok, r[1].rst_n, &r[1].rst_bad, x, sizeof(x)), r[0].syn_label,
	       segs_str(r[0].rst_ok, r[0].rst_n, &r[0].rst_bad, t, sizeof(t)));
out:
	netns_enter(self);
	close(self);
	watchdog_step(NULL, 0);
}

int main(void)
{
	int probe = socket(AF_INET6, SOCK_STREAM, IPPROTO_XTCP);

	if (!tap_ok(probe >= 0, "socket(AF_INET6, SOCK_STREAM, %d)", IPPROTO_XTCP))
		return tap_done();
	close(probe);
	watchdog_start(NULL, NULL);
	test_loopback();
	test_dual_stack();
	test_v6only();
	test_errors();
	test_reuseport_families();
	test_flow();
	test_veth_loss();
	return tap_done();
}
