// SPDX-License-Identifier: GPL-2.0
/*
 * connmem: the kernel memory that idle established connections hold.  It opens N
 * connections over loopback (client and accepted socket both in this process, spread
 * over several listening ports), and copies the kernel's memory accounts before the first
 * and after the last (plus a pause for deferred frees) to PREFIX-before.* and
 * PREFIX-after.*: /proc/meminfo, /proc/slabinfo, /proc/net/sockstat and
 * /proc/net/xtcp_sockstat.  Comparing them (scripts/bench-report) gives the slab and
 * socket memory per connection.  Then it closes them all with a RST (SO_LINGER 0),
 * leaving no TIME_WAIT behind.  A benchmark, not a test: it asserts nothing.
 *
 *   connmem -o PREFIX [-p PROTO] [-n CONNECTIONS] [-l LISTENERS] [-P BASEPORT]
 *
 * Prints one JSON object: the protocol asked for, the SO_PROTOCOL of a client and of an
 * accepted socket, the connections made, how long that took, and "error" (null, or what
 * failed).  RLIMIT_NOFILE is raised to what the connections need (root may raise it).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Copy @src to @prefix-@tag.@name; a file that does not exist is skipped. */
static void copy_file(const char *src, const char *prefix, const char *tag, const char *name)
{
	char path[4096], buf[65536];
	int in, out;
	ssize_t k;

	in = open(src, O_RDONLY);
	if (in < 0)
		return;
	snprintf(path, sizeof(path), "%s-%s.%s", prefix, tag, name);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out >= 0) {
		while ((k = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, k) != k)
				break;
		close(out);
	}
	close(in);
}

static void snapshot(const char *prefix, const char *tag)
{
	copy_file("/proc/meminfo", prefix, tag, "meminfo");
	copy_file("/proc/slabinfo", prefix, tag, "slabinfo");
	copy_file("/proc/net/sockstat", prefix, tag, "sockstat");
	copy_file("/proc/net/xtcp_sockstat", prefix, tag, "xtcp_sockstat");
}

static void abort_close(int fd)
{
	struct linger lin = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
	close(fd);
}

int main(int argc, char **argv)
{
	int proto = IPPROTO_TCP, n = 10000, nl = 16, base = 9400, opt, i, made = 0;
	int *fds, *ls, one = 1, cproto = -1, aproto = -1;
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(int);
	const char *prefix = NULL;
	char err[128] = "";
	struct rlimit rl;
	struct timeval tv = { .tv_sec = 5 };
	double t0, t;

	while ((opt = getopt(argc, argv, "o:p:n:l:P:")) != -1) {
		switch (opt) {
		case 'o':
			prefix = optarg;
			break;
		case 'p':
			proto = atoi(optarg);
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'l':
			nl = atoi(optarg);
			break;
		case 'P':
			base = atoi(optarg);
			break;
		default:
			prefix = NULL;
			n = 0;
			break;
		}
	}
	if (!prefix || n < 1 || nl < 1) {
		fprintf(stderr, "%s -o PREFIX [-p PROTO] [-n N] [-l LISTENERS] [-P BASEPORT]\n",
			argv[0]);
		return 2;
	}
	rl.rlim_max = 2 * (rlim_t)n + nl + 64;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		perror("connmem: setrlimit(RLIMIT_NOFILE)");
		return 1;
	}
	fds = calloc(2 * n, sizeof(int));
	ls = calloc(nl, sizeof(int));
	if (!fds || !ls)
		return 1;
	for (i = 0; i < nl; i++) {
		ls[i] = socket(AF_INET, SOCK_STREAM, proto);
		sin.sin_port = htons(base + i);
		setsockopt(ls[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(ls[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (ls[i] < 0 || bind(ls[i], (struct sockaddr *)&sin, sizeof(sin)) ||
		    listen(ls[i], 128)) {
			perror("connmem: listener");
			return 1;
		}
	}

	snapshot(prefix, "before");
	t0 = now();
	for (i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM, proto), a;

		sin.sin_port = htons(base + i % nl);
		if (c < 0) {
			snprintf(err, sizeof(err), "socket: %s", strerrorname_np(errno));
			break;
		}
		setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(c, (struct sockaddr *)&sin, sizeof(sin))) {
			snprintf(err, sizeof(err), "connect #%d: %s", i, strerrorname_np(errno));
			close(c);
			break;
		}
		a = accept(ls[i % nl], NULL, NULL);
		if (a < 0) {
			snprintf(err, sizeof(err), "accept #%d: %s", i, strerrorname_np(errno));
			close(c);
			break;
		}
		fds[2 * i] = c;
		fds[2 * i + 1] = a;
		made++;
	}
	t = now() - t0;
	if (made) {
		getsockopt(fds[0], SOL_SOCKET, SO_PROTOCOL, &cproto, &len);
		len = sizeof(int);
		getsockopt(fds[1], SOL_SOCKET, SO_PROTOCOL, &aproto, &len);
	}
	/* RCU-deferred frees and per-CPU slab caches settle */
	sleep(2);
	snapshot(prefix, "after");

	printf("{\"proto\": %d, \"so_protocol_client\": %d, \"so_protocol_accepted\": %d, ",
	       proto, cproto, aproto);
	printf("\"connections\": %d, \"seconds_to_open\": %.2f, ", made, t);
	if (err[0])
		printf("\"error\": \"%s\"}\n", err);
	else
		printf("\"error\": null}\n");
	fflush(stdout);
	for (i = 0; i < 2 * made; i++)
		abort_close(fds[i]);
	for (i = 0; i < nl; i++)
		close(ls[i]);
	return err[0] ? 1 : 0;
}
