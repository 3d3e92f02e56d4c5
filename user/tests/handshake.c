// SPDX-License-Identifier: GPL-2.0
/*
 * handshake: bind, listen, connect and accept over loopback - the three-way handshake
 * and the errors around it, checked against what Linux TCP does (each errno case is
 * also run on a TCP socket and compared), SO_REUSEPORT groups and TCP_DEFER_ACCEPT,
 * plus /proc/net/xtcp and the counters.
 *   handshake [-6]   (-6: the same over IPv6 - ::1, [::], /proc/net/xtcp6 - and each
 *                    errno compared with TCP's over IPv6)
 * Needs xtcp.ko loaded with the default protocol number; runs as root.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tap.h"
#include "xtcp_test.h"

/*
 * The run's family (-6: IPv6) and its addresses: loopback, the wildcard, and another
 * local address (for IPv6 the v4-mapped 127.0.0.2, which an IPv6 socket may bind).
 */
static int family = AF_INET;
static const char *lo = "127.0.0.1", *any = "0.0.0.0", *lo2 = "127.0.0.2";
static const char *proc_name = XTCP_PROC_SOCKETS;	/* its rows: /proc/net/xtcp(6) */

struct result {
	int ret, err;
};

#define CALL(expr) ({ struct result r_; errno = 0; r_.ret = (expr); r_.err = errno; r_; })

static int sock(int proto, int flags)
{
	return socket(family, SOCK_STREAM | flags, proto);
}

static int do_bind(int fd, const char *a, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = sa_of(family, a, port, &ss);

	return bind(fd, (struct sockaddr *)&ss, len);
}

static int do_connect(int fd, const char *a, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = sa_of(family, a, port, &ss);

	return connect(fd, (struct sockaddr *)&ss, len);
}

/* The port of a socket address of either family. */
static int port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port :
			  ((const struct sockaddr_in *)ss)->sin_port);
}

/* Whether @ss is @ip:@port of the run's family. */
static int addr_is(const struct sockaddr_storage *ss, const char *ip, int port)
{
	struct sockaddr_storage want;
	socklen_t len = sa_of(family, ip, port, &want);

	return len && !memcmp(ss, &want, len);
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	return getsockname(fd, (struct sockaddr *)&ss, &len) ? -1 : port_of(&ss);
}

/* Rows of /proc/net/xtcp (or xtcp6 for IPv6) in @state with local port @port (0: any). */
static int rows(int state, int port)
{
	return family == AF_INET6 ? xtcp_proc6_rows(state, port) : xtcp_proc_rows(state, port);
}

/* The int option @name at @level of @fd; -1 if it cannot be read. */
static int getint(int fd, int level, int name)
{
	socklen_t len = sizeof(int);
	int v;

	return getsockopt(fd, level, name, &v, &len) ? -1 : v;
}

static int so_error(int fd)
{
	int e = -1;
	socklen_t len = sizeof(e);

	getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
	return e;
}

static int listener(int proto, const char *a, int port, int backlog)
{
	int one = 1, fd = sock(proto, 0);

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (do_bind(fd, a, port) || listen(fd, backlog)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int proc_total(void)
{
	int st, n = 0;

	for (st = 1; st <= 12; st++)
		n += rows(st, 0);
	return n;
}

/* Rows of sockets still open: established, connecting, half-open, CLOSE_WAIT, listening. */
static int open_rows(void)
{
	static const int open[] = { 0x01, 0x02, 0x03, 0x08, 0x0A };
	unsigned int i;
	int n = 0;

	for (i = 0; i < sizeof(open) / sizeof(open[0]); i++)
		n += rows(open[i], 0);
	return n;
}

/* Run the same failing call on TCP and xtcp and compare errnos. */
static void same_errno(struct result t, struct result x, const char *what)
{
	tap_ok(t.ret == -1 && x.ret == -1 && t.err == x.err,
	       "%s: %s, as TCP (tcp %s)", what, x.ret == -1 ? strerrorname_np(x.err) : "succeeded",
	       t.ret == -1 ? strerrorname_np(t.err) : "succeeded");
}

static void test_bind(void)
{
	int proto[2] = { IPPROTO_TCP, IPPROTO_XTCP }, a[2], b[2], c[2], i, low, high, p;
	struct result r[2];
	FILE *f;

	for (i = 0; i < 2; i++) {
		a[i] = sock(proto[i], 0);
		do_bind(a[i], lo, 6001 + i);
		b[i] = sock(proto[i], 0);
		r[i] = CALL(do_bind(b[i], lo, 6001 + i));
	}
	same_errno(r[0], r[1], "bind to a bound port");
	for (i = 0; i < 2; i++)
		r[i] = CALL(do_bind(b[i], any, 6001 + i));
	same_errno(r[0], r[1], "bind the wildcard address to a bound port");
	for (i = 0; i < 2; i++)
		r[i] = CALL(do_bind(a[i], lo, 6101 + i));
	same_errno(r[0], r[1], "bind a bound socket again");
	for (i = 0; i < 2; i++) {
		r[i] = CALL(do_bind(b[i], lo2, 6001 + i));
		close(a[i]);
		close(b[i]);
	}
	tap_ok(r[1].ret == 0, "same port on another address is free (%s)",
	       r[1].ret ? strerrorname_np(r[1].err) : "ok");

	/* SO_REUSEADDR: two bound sockets may share; a listener may not be shared */
	for (i = 0; i < 2; i++) {
		int one = 1;

		a[i] = sock(proto[i], 0);
		b[i] = sock(proto[i], 0);
		c[i] = sock(proto[i], 0);
		setsockopt(a[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(b[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(c[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		do_bind(a[i], lo, 6201 + i);
		r[i] = CALL(do_bind(b[i], lo, 6201 + i));
	}
	tap_ok(r[0].ret == 0 && r[1].ret == 0, "SO_REUSEADDR: two sockets bind one port");
	for (i = 0; i < 2; i++) {
		listen(a[i], 1);
		r[i] = CALL(listen(b[i], 1));
	}
	same_errno(r[0], r[1], "listen on a port another socket listens on");
	for (i = 0; i < 2; i++)
		r[i] = CALL(do_bind(c[i], lo, 6201 + i));
	same_errno(r[0], r[1], "SO_REUSEADDR bind to a listening port");
	for (i = 0; i < 2; i++) {
		close(a[i]);
		r[i] = CALL(do_bind(c[i], lo, 6201 + i));
		close(b[i]);
		close(c[i]);
	}
	tap_ok(r[1].ret == 0, "the port is free again once the listener closed");

	/* port 0: an ephemeral port from ip_local_port_range */
	f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	if (!f || fscanf(f, "%d %d", &low, &high) != 2)
		low = high = -1;
	if (f)
		fclose(f);
	a[1] = sock(IPPROTO_XTCP, 0);
	r[1] = CALL(do_bind(a[1], lo, 0));
	p = local_port(a[1]);
	tap_ok(r[1].ret == 0 && p >= low && p <= high, "bind to port 0 picks %d in %d-%d", p, low,
	       high);
	close(a[1]);

	/* a privileged port needs CAP_NET_BIND_SERVICE, even for root after dropping it */
	if (fork() == 0) {
		int fd;

		if (setuid(65534))
			_exit(2);
		fd = sock(IPPROTO_XTCP, 0);
		_exit(do_bind(fd, lo, 80) == -1 && errno == EACCES ? 0 : 1);
	}
	wait(&i);
	tap_ok(WIFEXITED(i) && WEXITSTATUS(i) == 0, "bind to port 80 as nobody fails with EACCES");
}

/* A socket of @proto with SO_REUSEPORT (if @rp) bound to @a:@port; -1 and errno if not. */
static int reuseport_sock(int proto, int rp, const char *a, int port)
{
	int fd = sock(proto, 0), err;

	if (rp)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &rp, sizeof(rp));
	if (do_bind(fd, a, port)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* reuseport_sock() as a result to compare: the socket, if bound, closed at once. */
static struct result reuseport_try(int proto, int rp, const char *a, int port)
{
	struct result r = CALL(reuseport_sock(proto, rp, a, port));

	if (r.ret >= 0) {
		close(r.ret);
		r.ret = 0;
	}
	return r;
}

/* Connections accepted by listener @fd until none is left (made non-blocking); closed. */
static int drain_accept(int fd)
{
	int c, n = 0;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while ((c = accept(fd, NULL, NULL)) >= 0) {
		close(c);
		n++;
	}
	return n;
}

/*
 * SO_REUSEPORT (nginx's "listen ... reuseport"): sockets that all set it before bind(),
 * of one user, share a port and listen on it together; a SYN goes to one of them by a
 * hash of its 4-tuple (reuseport_select_sock()), so connections spread over the
 * listeners; one closing leaves the port to the others.  Each errno as TCP's.
 */
static void test_reuseport(void)
{
	int proto[2] = { IPPROTO_TCP, IPPROTO_XTCP }, a[2], b[2], i, k, st;
	int got[2][2] = { { 0 } }, conns = 64, after = 0, c[64], ok;
	struct result r[2];

	for (i = 0; i < 2; i++) {
		a[i] = reuseport_sock(proto[i], 1, lo, 6301 + i);
		b[i] = reuseport_sock(proto[i], 1, lo, 6301 + i);
		r[i] = CALL(b[i] < 0 ? -1 : 0);
	}
	tap_ok(a[1] >= 0 && b[1] >= 0 && a[0] >= 0 && b[0] >= 0,
	       "SO_REUSEPORT: two sockets bind one port, as on TCP (%s)",
	       r[1].ret ? strerrorname_np(r[1].err) : "ok");
	for (i = 0; i < 2; i++)
		r[i] = CALL(listen(a[i], 128) || listen(b[i], 128) ? -1 : 0);
	tap_ok(r[0].ret == 0 && r[1].ret == 0, "SO_REUSEPORT: both listen on it (tcp %s, xtcp %s)",
	       r[0].ret ? strerrorname_np(r[0].err) : "ok",
	       r[1].ret ? strerrorname_np(r[1].err) : "ok");
	for (i = 0; i < 2; i++)
		r[i] = reuseport_try(proto[i], 0, lo, 6301 + i);
	same_errno(r[0], r[1], "SO_REUSEPORT: a socket without it binds the port");
	for (i = 0; i < 2; i++)
		r[i] = reuseport_try(proto[i], 0, any, 6301 + i);
	same_errno(r[0], r[1], "SO_REUSEPORT: a socket without it binds the wildcard address");
	/* another user's socket may not join the group */
	for (i = 0; i < 2; i++) {
		if (fork() == 0) {
			if (setuid(65534))
				_exit(100);
			_exit(reuseport_sock(proto[i], 1, lo, 6301 + i) < 0 ? errno : 0);
		}
		wait(&st);
		r[i].ret = WIFEXITED(st) && WEXITSTATUS(st) ? -1 : 0;
		r[i].err = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	}
	same_errno(r[0], r[1], "SO_REUSEPORT: another user's socket binds the port");
	/* all must have set it: one bound without it keeps the port to itself */
	for (i = 0; i < 2; i++) {
		k = reuseport_sock(proto[i], 0, lo, 6311 + i);
		r[i] = reuseport_try(proto[i], 1, lo, 6311 + i);
		close(k);
	}
	same_errno(r[0], r[1], "SO_REUSEPORT: binding next to a socket bound without it");

	/* connections spread over both listeners: each gets some of 64 */
	for (i = 0; i < 2; i++) {
		for (k = 0; k < conns; k++) {
			c[k] = sock(proto[i], 0);
			do_connect(c[k], lo, 6301 + i);
		}
		ok = wait_for((got[i][0] += drain_accept(a[i]),
			       got[i][1] += drain_accept(b[i]),
			       got[i][0] + got[i][1] == conns), 10);
		for (k = 0; k < conns; k++)
			close(c[k]);
		if (i == 0)
			continue;
		tap_ok(ok && got[1][0] > 0 && got[1][1] > 0,
		       "SO_REUSEPORT: %d connections spread over the two listeners: %d and %d "
		       "(TCP's: %d and %d)", conns, got[1][0], got[1][1], got[0][0], got[0][1]);
	}
	/*
	 * one listener stops (shut down, its descriptor still open: it leaves the group
	 * through xtcp_unhash(), not when freed): the other takes every new connection
	 */
	for (i = 0; i < 2; i++)
		shutdown(a[i], SHUT_RD);
	for (k = 0; k < 16; k++) {
		c[k] = sock(IPPROTO_XTCP, 0);
		r[1] = CALL(do_connect(c[k], lo, 6302));
		if (r[1].ret)
			break;
	}
	ok = wait_for((after += drain_accept(b[1]), after == k), 10);
	tap_ok(k == 16 && ok, "SO_REUSEPORT: after one listener was shut down, the other "
	       "accepts all of 16 new connections (%d connected%s%s, %d accepted)", k,
	       r[1].ret ? ": " : "", r[1].ret ? strerrorname_np(r[1].err) : "", after);
	while (k-- > 0)
		close(c[k]);
	for (i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
	}

	/* a classic BPF program of the group picks the listener: "return 0", the first */
	for (i = 0; i < 2; i++) {
		struct sock_filter code[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
		struct sock_fprog prog = { .len = 1, .filter = code };

		got[i][0] = got[i][1] = 0;
		a[i] = reuseport_sock(proto[i], 1, lo, 6305 + i);
		b[i] = reuseport_sock(proto[i], 1, lo, 6305 + i);
		if (a[i] < 0 || b[i] < 0 || listen(a[i], 64) || listen(b[i], 64) ||
		    setsockopt(b[i], SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog)))
			got[i][0] = -1;
		for (k = 0; k < 16 && got[i][0] >= 0; k++) {
			c[k] = sock(proto[i], 0);
			do_connect(c[k], lo, 6305 + i);
		}
		if (got[i][0] >= 0)
			wait_for((got[i][0] += drain_accept(a[i]), got[i][1] += drain_accept(b[i]),
				  got[i][0] + got[i][1] == 16), 10);
		while (got[i][0] >= 0 && k-- > 0)
			close(c[k]);
		close(a[i]);
		close(b[i]);
	}
	tap_ok(got[1][0] == 16 && got[1][1] == 0 && got[0][0] == 16 && got[0][1] == 0,
	       "SO_ATTACH_REUSEPORT_CBPF \"return 0\": all of 16 connections go to the group's "
	       "first listener: %d and %d (TCP: %d and %d)", got[1][0], got[1][1], got[0][0],
	       got[0][1]);
}

/*
 * TCP_DEFER_ACCEPT (nginx "deferred"): seconds read back as the SYN-ACK timeouts they
 * round up to; the handshake's ACK without data is dropped, so accept() waits until
 * the client sends (the child then comes with the data), or until the time is up (a
 * last SYN-ACK draws the ACK that makes it).  Each step as on TCP.
 */
static void test_defer_accept(void)
{
	static const int secs[] = { 1, 5, 30, 0, -1 };
	int proto[2] = { IPPROTO_TCP, IPPROTO_XTCP }, l, c, a, i, k, n;
	int readback[2][5], early[2], data[2], late[2], child_opt[2];
	long drops = xtcp_stat("DeferAcceptDrop"), synack;
	struct pollfd p;
	char byte = 'd';
	double t0, waited[2];

	for (i = 0; i < 2; i++) {
		l = sock(proto[i], 0);
		for (k = 0; k < 5; k++) {
			setsockopt(l, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs[k], sizeof(int));
			readback[i][k] = getint(l, IPPROTO_TCP, TCP_DEFER_ACCEPT);
		}
		close(l);
	}
	tap_ok(!memcmp(readback[0], readback[1], sizeof(readback[0])) &&
	       readback[1][1] == 7,
	       "TCP_DEFER_ACCEPT 1, 5, 30, 0, -1 s read back %d, %d, %d, %d, %d, as on TCP "
	       "(%d, %d, %d, %d, %d)", readback[1][0], readback[1][1], readback[1][2],
	       readback[1][3], readback[1][4], readback[0][0], readback[0][1], readback[0][2],
	       readback[0][3], readback[0][4]);

	/* the client's data makes the connection acceptable, with it */
	for (i = 0; i < 2; i++) {
		early[i] = data[i] = child_opt[i] = -1;
		l = listener(proto[i], lo, 6401 + i, 8);
		n = 5;
		setsockopt(l, IPPROTO_TCP, TCP_DEFER_ACCEPT, &n, sizeof(n));
		c = sock(proto[i], 0);
		if (l < 0 || do_connect(c, lo, 6401 + i)) {
			close(c);
			close(l);
			continue;
		}
		p = (struct pollfd){ .fd = l, .events = POLLIN };
		early[i] = poll(&p, 1, 300);	/* nothing to accept for these 300 ms */
		send(c, &byte, 1, 0);
		p.revents = 0;
		if (poll(&p, 1, 2000) == 1) {
			a = accept(l, NULL, NULL);
			data[i] = a < 0 ? -1 : recv(a, &byte, 1, MSG_DONTWAIT);
			child_opt[i] = getint(a, IPPROTO_TCP, TCP_DEFER_ACCEPT);
			close(a);
		}
		close(c);
		close(l);
	}
	tap_ok(early[1] == 0 && data[1] == 1 && early[0] == 0 && data[0] == 1,
	       "TCP_DEFER_ACCEPT 5: no connection to accept after the handshake (%d, TCP %d); "
	       "once the client sends, one with its byte readable at once (%d, TCP %d)",
	       early[1], early[0], data[1], data[0]);
	tap_ok(child_opt[1] == child_opt[0] && child_opt[1] == 0,
	       "... the accepted socket's own TCP_DEFER_ACCEPT is %d, as on TCP (%d)",
	       child_opt[1], child_opt[0]);
	tap_ok(xtcp_stat("DeferAcceptDrop") > drops, "... the handshake's ACK was dropped: "
	       "DeferAcceptDrop +%ld", xtcp_stat("DeferAcceptDrop") - drops);

	/*
	 * a client that never sends, TCP_DEFER_ACCEPT 2 (two timeouts: 1 + 2 s): nothing is
	 * re-sent at the first, the last SYN-ACK at the second draws the ACK that makes the
	 * connection, acceptable then
	 */
	synack = xtcp_stat("SynAckRetrans");
	for (i = 0; i < 2; i++) {
		late[i] = -1;
		waited[i] = -1;
		l = listener(proto[i], lo, 6403 + i, 8);
		n = 2;
		setsockopt(l, IPPROTO_TCP, TCP_DEFER_ACCEPT, &n, sizeof(n));
		c = sock(proto[i], 0);
		t0 = now();
		if (l >= 0 && !do_connect(c, lo, 6403 + i)) {
			p = (struct pollfd){ .fd = l, .events = POLLIN };
			if (poll(&p, 1, 10000) == 1) {
				waited[i] = now() - t0;
				a = accept(l, NULL, NULL);
				late[i] = a >= 0 && recv(a, &byte, 1, MSG_DONTWAIT) == -1 &&
					  errno == EAGAIN;
				close(a);
			}
		}
		close(c);
		close(l);
	}
	tap_ok(late[1] == 1 && late[0] == 1 && waited[1] >= 2.9 && waited[0] >= 2.9,
	       "TCP_DEFER_ACCEPT 2 and a silent client: the connection comes to accept() "
	       "without data after %.1f s (TCP %.1f s)", waited[1], waited[0]);
	tap_ok(xtcp_stat("SynAckRetrans") - synack == 1, "... one SYN-ACK re-sent meanwhile, "
	       "at the last timeout (SynAckRetrans +%ld)", xtcp_stat("SynAckRetrans") - synack);
}

static void test_connect_accept(void)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	int l, c, a, cport;
	long act = xtcp_stat("ActiveOpens"), pas = xtcp_stat("PassiveOpens");
	struct result r;

	l = listener(IPPROTO_XTCP, any, 7001, 16);
	tap_ok(l >= 0, "listen on %s port 7001", any);
	tap_ok(rows(0x0A, 7001) == 1, "/proc/net/%s shows the listener as 0A", proc_name);
	c = sock(IPPROTO_XTCP, 0);
	r = CALL(do_connect(c, lo, 7001));
	tap_ok(r.ret == 0, "blocking connect to %s port 7001 (%s)", lo,
	       r.ret ? strerrorname_np(r.err) : "ok");
	cport = local_port(c);
	a = accept(l, (struct sockaddr *)&peer, &len);
	tap_ok(a >= 0 && addr_is(&peer, lo, cport), "accept returns the peer address %s port %d",
	       lo, cport);
	tap_ok(rows(0x01, 7001) == 1 && rows(0x01, cport) == 1,
	       "/proc/net/%s shows both ends as 01 (ESTABLISHED)", proc_name);
	len = sizeof(peer);
	tap_ok(getpeername(c, (struct sockaddr *)&peer, &len) == 0 && addr_is(&peer, lo, 7001),
	       "getpeername of the client gives %s port 7001", lo);
	tap_ok(xtcp_stat("ActiveOpens") == act + 1 && xtcp_stat("PassiveOpens") == pas + 1,
	       "ActiveOpens and PassiveOpens each moved by 1");
	r = CALL(do_connect(c, lo, 7001));
	tap_errno(r.ret, r.err, EISCONN, "connect on a connected socket");
	r = CALL(listen(c, 1));
	tap_errno(r.ret, r.err, EINVAL, "listen on a connected socket");

	/* the server aborts (SO_LINGER 0: close sends a RST): the client sees it */
	setsockopt(a, SOL_SOCKET, SO_LINGER, &(struct linger){ .l_onoff = 1 }, sizeof(struct linger));
	close(a);
	wait_for((r = CALL(recv(c, &len, 1, MSG_DONTWAIT))).ret != -1 || r.err != EAGAIN, 5);
	tap_errno(r.ret, r.err, ECONNRESET, "recv after the peer's RST");
	close(c);
	close(l);
	tap_ok(wait_for(proc_total() == 0, 5), "no socket left in /proc/net/%s", proc_name);
}

static void test_refused(void)
{
	int c[2], proto[2] = { IPPROTO_TCP, IPPROTO_XTCP }, i;
	long fails = xtcp_stat("AttemptFails"), rsts = xtcp_stat("OutRsts");
	struct pollfd pfd;
	struct result r[2];

	for (i = 0; i < 2; i++) {
		c[i] = sock(proto[i], 0);
		r[i] = CALL(do_connect(c[i], lo, 7999));
		close(c[i]);
	}
	same_errno(r[0], r[1], "connect to a port nobody listens on");
	tap_ok(xtcp_stat("OutRsts") == rsts + 1 && xtcp_stat("AttemptFails") == fails + 1,
	       "a RST was sent and the attempt counted as failed");

	c[1] = sock(IPPROTO_XTCP, SOCK_NONBLOCK);
	r[1] = CALL(do_connect(c[1], lo, 7999));
	tap_errno(r[1].ret, r[1].err, EINPROGRESS, "non-blocking connect");
	pfd = (struct pollfd){ .fd = c[1], .events = POLLOUT };
	poll(&pfd, 1, 2000);
	tap_ok((pfd.revents & (POLLOUT | POLLERR)) && so_error(c[1]) == ECONNREFUSED,
	       "then poll reports it done and SO_ERROR is ECONNREFUSED");
	close(c[1]);
}

static void test_nonblocking(void)
{
	int l = listener(IPPROTO_XTCP, lo, 7002, 16), c, a, ep;
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct pollfd pfd;
	struct timeval tv = { .tv_sec = 0, .tv_usec = 300000 };
	struct timeval t0, t1;
	struct result r;

	fcntl(l, F_SETFL, O_NONBLOCK);
	r = CALL(accept(l, NULL, NULL));
	tap_errno(r.ret, r.err, EAGAIN, "non-blocking accept with nothing queued");
	ep = epoll_create1(0);
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	tap_ok(epoll_wait(ep, &out, 1, 0) == 0, "epoll: an idle listener is not readable");

	c = sock(IPPROTO_XTCP, SOCK_NONBLOCK);
	r = CALL(do_connect(c, lo, 7002));
	tap_ok(r.ret == 0 || r.err == EINPROGRESS, "non-blocking connect starts (%s)",
	       r.ret ? strerrorname_np(r.err) : "done at once");
	r = CALL(do_connect(c, lo, 7002));
	tap_ok(r.ret == 0 || r.err == EALREADY || r.err == EISCONN,
	       "a second connect: done (0), EALREADY or EISCONN as on TCP (%s)",
	       r.ret ? strerrorname_np(r.err) : "0");
	pfd = (struct pollfd){ .fd = c, .events = POLLOUT };
	tap_ok(poll(&pfd, 1, 2000) == 1 && (pfd.revents & POLLOUT) && so_error(c) == 0,
	       "poll(POLLOUT) says connected, SO_ERROR 0");
	tap_ok(epoll_wait(ep, &out, 1, 2000) == 1 && (out.events & EPOLLIN),
	       "epoll: the listener becomes readable");
	a = accept(l, NULL, NULL);
	tap_ok(a >= 0, "and accept takes the connection");
	close(a);
	close(c);
	close(ep);

	/* SO_RCVTIMEO bounds a blocking accept */
	fcntl(l, F_SETFL, 0);
	setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	gettimeofday(&t0, NULL);
	r = CALL(accept(l, NULL, NULL));
	gettimeofday(&t1, NULL);
	tap_ok(r.ret == -1 && r.err == EAGAIN &&
	       (t1.tv_sec - t0.tv_sec) * 1000000 + t1.tv_usec - t0.tv_usec >= 250000,
	       "accept with SO_RCVTIMEO 300 ms: EAGAIN after the timeout");
	close(l);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void *shut_later(void *arg)
{
	usleep(300000);
	shutdown(*(int *)arg, SHUT_RDWR);
	return NULL;
}

static void test_accept_interrupted(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int l = listener(IPPROTO_XTCP, lo, 7003, 4);
	struct result r;
	pthread_t th;

	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART */
	ualarm(200000, 0);
	r = CALL(accept(l, NULL, NULL));
	tap_errno(r.ret, r.err, EINTR, "a signal interrupts a blocking accept");

	pthread_create(&th, NULL, shut_later, &l);
	r = CALL(accept(l, NULL, NULL));
	pthread_join(th, NULL);
	tap_errno(r.ret, r.err, EINVAL, "accept while the listener is shut down");
	close(l);
}

static void test_many(int n)
{
	int l = listener(IPPROTO_XTCP, lo, 7004, 1024), *c = calloc(n, sizeof(int));
	int i, connected = 0, accepted = 0, a;
	struct pollfd pfd;

	fcntl(l, F_SETFL, O_NONBLOCK);
	for (i = 0; i < n; i++) {
		c[i] = sock(IPPROTO_XTCP, SOCK_NONBLOCK);
		do_connect(c[i], lo, 7004);
	}
	for (i = 0; i < n; i++) {
		pfd = (struct pollfd){ .fd = c[i], .events = POLLOUT };
		if (poll(&pfd, 1, 5000) == 1 && so_error(c[i]) == 0)
			connected++;
	}
	while ((a = accept(l, NULL, NULL)) >= 0) {
		accepted++;
		close(a);
	}
	tap_ok(connected == n && accepted == n, "%d clients at once: %d connected, %d accepted",
	       n, connected, accepted);
	for (i = 0; i < n; i++)
		close(c[i]);
	close(l);
	free(c);
}

static void test_backlog_overflow(void)
{
	int l = listener(IPPROTO_XTCP, lo, 7005, 1), c[4], i, a, accepted = 0;
	long over = xtcp_stat("ListenOverflows"), drops = xtcp_stat("ListenDrops");

	for (i = 0; i < 4; i++) {
		c[i] = sock(IPPROTO_XTCP, SOCK_NONBLOCK);
		do_connect(c[i], lo, 7005);
	}
	wait_for(xtcp_stat("ListenOverflows") > over && xtcp_stat("ListenDrops") > drops, 5);
	tap_ok(xtcp_stat("ListenOverflows") > over && xtcp_stat("ListenDrops") > drops,
	       "backlog 1, 4 clients: overflows counted (ListenOverflows +%ld, ListenDrops +%ld)",
	       xtcp_stat("ListenOverflows") - over, xtcp_stat("ListenDrops") - drops);
	fcntl(l, F_SETFL, O_NONBLOCK);
	while ((a = accept(l, NULL, NULL)) >= 0) {
		accepted++;
		close(a);
	}
	tap_ok(accepted >= 1 && accepted <= 2, "the queue held what the backlog allows (%d)",
	       accepted);
	for (i = 0; i < 4; i++)
		close(c[i]);
	close(l);
}

/* A listener that closes resets the connections nobody accepted yet. */
static void test_listener_close(void)
{
	int l = listener(IPPROTO_XTCP, lo, 7006, 8), c[2], i, reset = 0;
	long rsts = xtcp_stat("OutRsts");
	char byte;

	for (i = 0; i < 2; i++) {
		c[i] = sock(IPPROTO_XTCP, 0);
		do_connect(c[i], lo, 7006);
	}
	tap_ok(rows(0x01, 7006) == 2, "two connections wait in the accept queue");
	close(l);
	usleep(100000);
	for (i = 0; i < 2; i++) {
		reset += recv(c[i], &byte, 1, MSG_DONTWAIT) == -1 && errno == ECONNRESET;
		close(c[i]);
	}
	tap_ok(reset == 2 && xtcp_stat("OutRsts") - rsts == 2,
	       "closing the listener resets both (ECONNRESET %d, OutRsts +%ld)", reset,
	       xtcp_stat("OutRsts") - rsts);
}

/*
 * Simultaneous open (RFC 9293 3.5, figure 8): the SYNs must cross, so the test runs in
 * a namespace of its own whose loopback delays every packet by 50 ms.
 */
static int simultaneous_open_child(void)
{
	int a, b;
	struct pollfd pfd[2];

	if (unshare(CLONE_NEWNET) ||
	    system("ip link set lo up && tc qdisc add dev lo root netem delay 50ms"))
		return 10;
	a = sock(IPPROTO_XTCP, SOCK_NONBLOCK);
	b = sock(IPPROTO_XTCP, SOCK_NONBLOCK);
	do_bind(a, lo, 7101);
	do_bind(b, lo, 7102);
	do_connect(a, lo, 7102);
	do_connect(b, lo, 7101);
	pfd[0] = (struct pollfd){ .fd = a, .events = POLLOUT };
	pfd[1] = (struct pollfd){ .fd = b, .events = POLLOUT };
	poll(&pfd[0], 1, 5000);
	poll(&pfd[1], 1, 5000);
	if (so_error(a) || so_error(b))
		return 11;
	if (rows(0x01, 7101) != 1 || rows(0x01, 7102) != 1)
		return 12;
	if (xtcp_stat("PassiveOpens") != 0 || xtcp_stat("ActiveOpens") != 2)
		return 13;
	close(a);
	close(b);
	return 0;
}

static void test_simultaneous_open(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0)
		_exit(simultaneous_open_child());
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "simultaneous open: both ends ESTABLISHED, no listener (child status %d)",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(int argc, char **argv)
{
	int probe;

	if (argc == 2 && !strcmp(argv[1], "-6")) {
		family = AF_INET6;
		lo = "::1";
		any = "::";
		lo2 = "::ffff:127.0.0.2";
		proc_name = XTCP_PROC_SOCKETS6;
	} else if (argc != 1) {
		fprintf(stderr, "usage: handshake [-6]\n");
		return 2;
	}
	probe = sock(IPPROTO_XTCP, 0);

	if (!tap_ok(probe >= 0, "xtcp is available"))
		return tap_done();
	close(probe);
	test_bind();
	test_reuseport();
	test_defer_accept();
	test_connect_accept();
	test_refused();
	test_nonblocking();
	test_accept_interrupted();
	test_many(300);
	test_backlog_overflow();
	test_listener_close();
	test_simultaneous_open();
	/*
	 * Every socket is closed: nothing may be left open (01 ESTABLISHED, 02 SYN_SENT,
	 * 03 SYN_RECV, 08 CLOSE_WAIT, 0A LISTEN).  Closed connections may still be finishing
	 * as orphans (FIN_WAIT1/2, CLOSING, LAST_ACK) or in TIME_WAIT.
	 */
	for (int i = 0; i < 50 && open_rows(); i++)
		usleep(100000);
	if (!tap_ok(open_rows() == 0, "everything closed: no row of /proc/net/%s in 01, 02, "
		    "03, 08 or 0A (%d)", proc_name, open_rows()))
		sh("sed 's/^/# /' /proc/net/%s", proc_name);
	return tap_done();
}
