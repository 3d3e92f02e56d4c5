// SPDX-License-Identifier: GPL-2.0
/*
 * rrbench: request/response latency and connection rate over any IPv4 path, for any
 * stream protocol (Linux TCP, xtcp), as a client and a server that may run in different
 * network namespaces.  A benchmark, not a test: it reports, it asserts nothing.
 *
 *   rrbench -s [-p PROTO] [-b ADDR] [-P PORT] [-n BYTES]
 *	server: one thread per connection answers each BYTES-byte request with BYTES
 *	bytes, until the client closes; runs until killed
 *   rrbench -c ADDR [-p PROTO] [-P PORT] [-n BYTES] [-t SECONDS] [-m rr|crr]
 *	client, for SECONDS (default 3):
 *	rr:  one connection, one request and its response after the other (TCP_NODELAY);
 *	crr: a new connection for each: connect, request, response, close (the client
 *	     closes first: FIN both ways, TIME_WAIT on the client's side)
 *	and prints one JSON object: the transactions, their rate, the latency of one
 *	transaction (percentiles in microseconds), the SO_PROTOCOL the kernel reports
 *	for the client's socket, and "error" (null, or what failed).  Exit status 1 if
 *	anything failed, 0 otherwise.
 *
 * PROTO is the third argument of socket(): 6 for TCP (default), 253 for xtcp.  Every
 * call that waits gives up after 5 s (SO_RCVTIMEO/SO_SNDTIMEO) and the client ends
 * itself at SECONDS + 30 s, so that a stalled protocol is reported, not waited for.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IO_TIMEOUT_S	5
#define MAX_MSG		65536

static int proto = IPPROTO_TCP, msg = 1;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void io_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	int one = 1;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Exactly @len bytes; 0 on success, -1 (errno set; ENODATA: the peer closed). */
static int recv_all(int fd, char *buf, int len)
{
	ssize_t k;
	int got = 0;

	while (got < len) {
		k = recv(fd, buf + got, len - got, 0);
		if (k == 0) {
			errno = ENODATA;
			return -1;
		}
		if (k < 0 && errno != EINTR)
			return -1;
		if (k > 0)
			got += k;
	}
	return 0;
}

static int send_all(int fd, const char *buf, int len)
{
	ssize_t k;
	int sent = 0;

	while (sent < len) {
		k = send(fd, buf + sent, len - sent, MSG_NOSIGNAL);
		if (k < 0 && errno != EINTR)
			return -1;
		if (k > 0)
			sent += k;
	}
	return 0;
}

/* ---- server ---- */

static void *serve_one(void *arg)
{
	int fd = (int)(long)arg;
	char *buf = malloc(msg);

	io_timeouts(fd);
	while (buf && !recv_all(fd, buf, msg) && !send_all(fd, buf, msg))
		;
	close(fd);
	free(buf);
	return NULL;
}

static int server(struct sockaddr_in *sin)
{
	int l = socket(AF_INET, SOCK_STREAM, proto), one = 1, a;
	pthread_attr_t attr;
	pthread_t th;

	if (l < 0) {
		perror("rrbench: socket");
		return 1;
	}
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)sin, sizeof(*sin)) || listen(l, 1024)) {
		perror("rrbench: bind/listen");
		return 1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (;;) {
		a = accept(l, NULL, NULL);
		if (a < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("rrbench: accept");
			return 1;
		}
		if (pthread_create(&th, &attr, serve_one, (void *)(long)a))
			close(a);
	}
}

/* ---- client ---- */

struct samples {
	double *v;
	long n, cap;
};

static int add_sample(struct samples *s, double x)
{
	double *v;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 65536;
		v = realloc(s->v, s->cap * sizeof(*v));
		if (!v)
			return -1;
		s->v = v;
	}
	s->v[s->n++] = x;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The @q quantile (0..1) of sorted samples, nearest rank, in microseconds. */
static double quantile_us(const struct samples *s, double q)
{
	long i = (long)(q * s->n + 0.999999) - 1;

	if (i < 0)
		i = 0;
	if (i >= s->n)
		i = s->n - 1;
	return s->v[i] * 1e6;
}

static int dial(const struct sockaddr_in *sin)
{
	int c = socket(AF_INET, SOCK_STREAM, proto), err;

	if (c < 0)
		return -1;
	io_timeouts(c);
	if (connect(c, (const struct sockaddr *)sin, sizeof(*sin))) {
		err = errno;
		close(c);
		errno = err;
		return -1;
	}
	return c;
}

static int client(const struct sockaddr_in *sin, const char *mode, double secs)
{
	int crr = !strcmp(mode, "crr"), c = -1, so_proto = -1, i;
	socklen_t len = sizeof(so_proto);
	char *buf = calloc(1, msg), err[128] = "";
	struct samples s = { 0 };
	double t0, t1, t, elapsed = 0, sum = 0;

	if (!buf || (!crr && strcmp(mode, "rr"))) {
		fprintf(stderr, "rrbench: mode is rr or crr\n");
		return 2;
	}
	alarm(secs + 30);
	t0 = now();
	do {
		t = now();
		if (c < 0) {
			c = dial(sin);
			if (c < 0) {
				snprintf(err, sizeof(err), "connect: %s", strerrorname_np(errno));
				break;
			}
			if (so_proto < 0)
				getsockopt(c, SOL_SOCKET, SO_PROTOCOL, &so_proto, &len);
		}
		if (send_all(c, buf, msg)) {
			snprintf(err, sizeof(err), "send: %s", strerrorname_np(errno));
			break;
		}
		if (recv_all(c, buf, msg)) {
			snprintf(err, sizeof(err), "recv: %s", strerrorname_np(errno));
			break;
		}
		if (crr) {
			close(c);
			c = -1;
		}
		t1 = now();
		if (add_sample(&s, t1 - t)) {
			snprintf(err, sizeof(err), "out of memory");
			break;
		}
		sum += t1 - t;
		elapsed = t1 - t0;
	} while (elapsed < secs);
	if (c >= 0)
		close(c);

	printf("{\"mode\": \"%s\", \"proto\": %d, \"so_protocol\": %d, \"bytes\": %d, ",
	       mode, proto, so_proto, msg);
	printf("\"seconds\": %.3f, \"transactions\": %ld, \"rate\": %.1f, ", elapsed, s.n,
	       elapsed > 0 ? s.n / elapsed : 0.0);
	if (s.n) {
		static const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
		static const char * const names[] = { "p50", "p90", "p99", "p999" };

		qsort(s.v, s.n, sizeof(*s.v), cmp_double);
		printf("\"latency_us\": {");
		for (i = 0; i < 4; i++)
			printf("\"%s\": %.1f, ", names[i], quantile_us(&s, qs[i]));
		printf("\"min\": %.1f, \"max\": %.1f, \"mean\": %.1f}, ", s.v[0] * 1e6,
		       s.v[s.n - 1] * 1e6, sum / s.n * 1e6);
	}
	if (err[0])
		printf("\"error\": \"%s\"}\n", err);
	else
		printf("\"error\": null}\n");
	free(s.v);
	free(buf);
	return err[0] ? 1 : 0;
}

static void usage(const char *argv0)
{
	fprintf(stderr, "%s -s [-p PROTO] [-b ADDR] [-P PORT] [-n BYTES]\n"
		"%s -c ADDR [-p PROTO] [-P PORT] [-n BYTES] [-t SECONDS] [-m rr|crr]\n",
		argv0, argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9301),
				   .sin_addr.s_addr = htonl(INADDR_ANY) };
	const char *mode = "rr", *addr = NULL;
	int opt, is_server = 0;
	double secs = 3;

	while ((opt = getopt(argc, argv, "sc:b:p:P:n:t:m:")) != -1) {
		switch (opt) {
		case 's':
			is_server = 1;
			break;
		case 'c':
		case 'b':
			addr = optarg;
			break;
		case 'p':
			proto = atoi(optarg);
			break;
		case 'P':
			sin.sin_port = htons(atoi(optarg));
			break;
		case 'n':
			msg = atoi(optarg);
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'm':
			mode = optarg;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (msg < 1 || msg > MAX_MSG || secs <= 0 || (!is_server && !addr))
		usage(argv[0]);
	if (addr && inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		usage(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	if (is_server)
		return server(&sin);
	return client(&sin, mode, secs);
}
