// SPDX-License-Identifier: GPL-2.0
/*
 * socket_api: the socket calls on an unconnected xtcp socket answer as they do on a
 * Linux TCP socket (each call is made on both and the results compared), and the
 * TCP-level options at IPPROTO_TCP answer as TCP's do.
 * Needs xtcp.ko loaded with the default protocol number.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include "tap.h"

struct result {
	int ret, err;
};

#define CALL(expr) ({ struct result r_; errno = 0; r_.ret = (expr); r_.err = errno; r_; })

/* The same call on the TCP socket and on the xtcp socket gives the same result. */
#define SAME(tcp_expr, xtcp_expr, what) do {						\
	struct result t_ = CALL(tcp_expr), x_ = CALL(xtcp_expr);			\
	tap_ok(t_.ret == x_.ret && (t_.ret != -1 || t_.err == x_.err),			\
	       "%s: as TCP (tcp %d/%s, xtcp %d/%s)", what, t_.ret,			\
	       t_.ret == -1 ? strerrorname_np(t_.err) : "-", x_.ret,			\
	       x_.ret == -1 ? strerrorname_np(x_.err) : "-");				\
} while (0)

static int getint(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len) < 0)
		return -1;
	return v;
}

static long module_refcnt(void)
{
	FILE *f = fopen("/sys/module/xtcp/refcnt", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

int main(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(5001),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in name;
	socklen_t namelen = sizeof(name);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int one = 1, zero = 0, buf = 65536, tos = 0x10;
	struct pollfd pt, px;
	sigset_t pipe_set, pending;
	char byte = 'x';
	int t, x, fds[1000], i, opened;
	long ref0;
	struct result r;

	t = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	x = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	if (!tap_ok(t >= 0 && x >= 0, "socket(AF_INET, SOCK_STREAM, %d) succeeds", IPPROTO_XTCP))
		return tap_done();

	tap_ok(getint(x, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_XTCP, "SO_PROTOCOL is %d",
	       IPPROTO_XTCP);
	tap_ok(getint(x, SOL_SOCKET, SO_TYPE) == SOCK_STREAM, "SO_TYPE is SOCK_STREAM");
	tap_ok(getint(x, SOL_SOCKET, SO_DOMAIN) == AF_INET, "SO_DOMAIN is AF_INET");
	r = CALL(getsockname(x, (struct sockaddr *)&name, &namelen));
	tap_ok(r.ret == 0 && name.sin_family == AF_INET && name.sin_port == 0 &&
	       name.sin_addr.s_addr == 0, "getsockname gives 0.0.0.0:0 before bind");

	/* xtcp coexists with TCP: protocol 0 still means TCP */
	i = socket(AF_INET, SOCK_STREAM, 0);
	tap_ok(i >= 0 && getint(i, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_TCP,
	       "socket(AF_INET, SOCK_STREAM, 0) is still TCP");
	close(i);
	SAME(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), socket(AF_INET, SOCK_DGRAM, IPPROTO_XTCP),
	     "socket(SOCK_DGRAM)");
	i = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_XTCP);
	tap_ok(i >= 0 && (fcntl(i, F_GETFL) & O_NONBLOCK) && (fcntl(i, F_GETFD) & FD_CLOEXEC),
	       "SOCK_NONBLOCK | SOCK_CLOEXEC are honoured");
	close(i);

	/* generic socket-level and IP-level options work as on TCP */
	SAME(setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)),
	     setsockopt(x, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), "set SO_REUSEADDR");
	SAME(getint(t, SOL_SOCKET, SO_REUSEADDR), getint(x, SOL_SOCKET, SO_REUSEADDR),
	     "get SO_REUSEADDR");
	SAME(setsockopt(t, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf)),
	     setsockopt(x, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf)), "set SO_RCVBUF");
	SAME(getint(t, SOL_SOCKET, SO_RCVBUF), getint(x, SOL_SOCKET, SO_RCVBUF),
	     "get SO_RCVBUF (doubled)");
	SAME(setsockopt(t, SOL_IP, IP_TOS, &tos, sizeof(tos)),
	     setsockopt(x, SOL_IP, IP_TOS, &tos, sizeof(tos)), "set IP_TOS");
	SAME(getint(t, SOL_IP, IP_TOS), getint(x, SOL_IP, IP_TOS), "get IP_TOS");
	SAME(setsockopt(t, SOL_SOCKET, 12345, &one, sizeof(one)),
	     setsockopt(x, SOL_SOCKET, 12345, &one, sizeof(one)), "unknown SOL_SOCKET option");

	/* TCP-level options answer at IPPROTO_TCP as TCP's do */
	SAME(setsockopt(t, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)),
	     setsockopt(x, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)),
	     "setsockopt(IPPROTO_TCP, TCP_NODELAY)");
	SAME(getint(t, IPPROTO_TCP, TCP_NODELAY), getint(x, IPPROTO_TCP, TCP_NODELAY),
	     "getsockopt(IPPROTO_TCP, TCP_NODELAY)");
	SAME(setsockopt(t, IPPROTO_TCP, 12345, &one, sizeof(one)),
	     setsockopt(x, IPPROTO_TCP, 12345, &one, sizeof(one)), "unknown IPPROTO_TCP option");
	SAME(setsockopt(t, IPPROTO_TCP, TCP_NODELAY, &one, 1),
	     setsockopt(x, IPPROTO_TCP, TCP_NODELAY, &one, 1), "TCP_NODELAY with a short length");
	/* our own level is the same option set: clear it there, read it at both */
	r = CALL(setsockopt(x, SOL_XTCP, TCP_NODELAY, &zero, sizeof(zero)));
	tap_ok(r.ret == 0 && getint(x, SOL_XTCP, TCP_NODELAY) == 0 &&
	       getint(x, IPPROTO_TCP, TCP_NODELAY) == 0,
	       "TCP_NODELAY at SOL_XTCP (%d) is the option of IPPROTO_TCP", SOL_XTCP);

	/* calls on an unconnected socket: exactly TCP's answers */
	SAME(connect(t, &unspec, sizeof(unspec)), connect(x, &unspec, sizeof(unspec)),
	     "connect(AF_UNSPEC)");
	SAME(connect(t, (struct sockaddr *)&addr, 1), connect(x, (struct sockaddr *)&addr, 1),
	     "connect with a 1-byte address");
	SAME(send(t, &byte, 1, MSG_NOSIGNAL), send(x, &byte, 1, MSG_NOSIGNAL), "send");
	SAME(recv(t, &byte, 1, MSG_DONTWAIT), recv(x, &byte, 1, MSG_DONTWAIT), "recv");
	SAME(accept(t, NULL, NULL), accept(x, NULL, NULL), "accept on a non-listener");
	pt = (struct pollfd){ .fd = t, .events = POLLIN | POLLOUT | POLLRDHUP };
	px = (struct pollfd){ .fd = x, .events = POLLIN | POLLOUT | POLLRDHUP };
	poll(&pt, 1, 0);
	poll(&px, 1, 0);
	tap_ok(pt.revents == px.revents, "poll revents as TCP before shutdown (tcp %#x, xtcp %#x)",
	       pt.revents, px.revents);
	SAME(shutdown(t, SHUT_RD), shutdown(x, SHUT_RD), "shutdown(SHUT_RD)");
	pt.revents = px.revents = 0;
	poll(&pt, 1, 0);
	poll(&px, 1, 0);
	tap_ok(pt.revents == px.revents, "poll revents as TCP after SHUT_RD (tcp %#x, xtcp %#x)",
	       pt.revents, px.revents);
	SAME(shutdown(t, SHUT_RDWR), shutdown(x, SHUT_RDWR), "shutdown(SHUT_RDWR)");
	SAME(getpeername(t, (struct sockaddr *)&name, &namelen),
	     getpeername(x, (struct sockaddr *)&name, &namelen), "getpeername");
	SAME(shutdown(t, 7), shutdown(x, 7), "shutdown with a bad how");
	pt = (struct pollfd){ .fd = t, .events = POLLIN | POLLOUT | POLLRDHUP };
	px = (struct pollfd){ .fd = x, .events = POLLIN | POLLOUT | POLLRDHUP };
	poll(&pt, 1, 0);
	poll(&px, 1, 0);
	tap_ok(pt.revents == px.revents, "poll revents as TCP after SHUT_RDWR (tcp %#x, xtcp %#x)",
	       pt.revents, px.revents);

	/* send without MSG_NOSIGNAL raises SIGPIPE, as on TCP */
	close(x);
	x = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, NULL);
	r = CALL(send(x, &byte, 1, 0));
	sigpending(&pending);
	tap_ok(r.ret == -1 && r.err == EPIPE && sigismember(&pending, SIGPIPE),
	       "send without MSG_NOSIGNAL: EPIPE and SIGPIPE");
	close(x);
	close(t);

	/*
	 * Every socket holds a module reference, and closing gives it back once the socket
	 * is freed, after an RCU grace period (SOCK_RCU_FREE).  The count settles first:
	 * the connections above leave TIME_WAITs, which hold references for the guest's
	 * tw_timeout (2 s); the wait ends when nothing of ours is left, 5 s at most.
	 */
	for (i = 0; i < 500 && module_refcnt() != 0; i++)
		usleep(10000);
	ref0 = module_refcnt();
	for (opened = 0; opened < 1000; opened++) {
		fds[opened] = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
		if (fds[opened] < 0)
			break;
	}
	tap_ok(opened == 1000, "1000 sockets open at once (%d)", opened);
	tap_ok(module_refcnt() > ref0, "open sockets hold module references (%ld -> %ld)", ref0,
	       module_refcnt());
	for (i = 0; i < opened; i++)
		close(fds[i]);
	for (i = 0; i < 500 && module_refcnt() != ref0; i++)
		usleep(10000);
	tap_ok(module_refcnt() == ref0, "closing them returns every reference (%ld)",
	       module_refcnt());
	return tap_done();
}
