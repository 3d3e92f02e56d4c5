// SPDX-License-Identifier: GPL-2.0
/*
 * streambench: the data path over loopback for Linux TCP and for xtcp, with the same code
 * in the same run: bulk throughput (64 KiB writes), request/response transactions of one
 * byte each way on one connection (TCP_NODELAY), and connect/request/response/close
 * transactions (a new connection each, closed with SO_LINGER 0 so that none lingers in
 * TIME_WAIT), with xtcp's results as a ratio of TCP's.  A benchmark, not a test: it
 * asserts nothing.  Each measurement runs in a child process with socket timeouts and is
 * killed if it hangs, so that a failing xtcp prints its error and the run goes on.  The
 * child and its threads share one CPU: the results are then the protocol's costs rather
 * than cross-CPU wake-up latencies, which vary tenfold in an emulated (TCG) guest.
 *   streambench [-p PROTO] [SECONDS]   (default 3 s per measurement; PROTO: the protocol
 *                                       compared with TCP, default 253, xtcp)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PORT	9201
#define CHUNK	65536
#define IO_TIMEOUT_S 5		/* a call that waits this long has failed */

static double secs = 3;

struct result {
	double value;		/* < 0: failed */
	char err[160];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double fail(struct result *r, const char *what)
{
	snprintf(r->err, sizeof(r->err), "%s: %s", what, strerrorname_np(errno));
	return r->value = -1;
}

static void timeouts(int fd, int s)
{
	struct timeval tv = { .tv_sec = s };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void abort_close(int fd)
{
	struct linger lin = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
	close(fd);
}

static struct sockaddr_in addr(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	return sin;
}

static int listener(int proto, int port)
{
	struct sockaddr_in sin = addr(port);
	int l = socket(AF_INET, SOCK_STREAM, proto), one = 1;

	if (l < 0)
		return -1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	timeouts(l, IO_TIMEOUT_S);
	if (bind(l, (struct sockaddr *)&sin, sizeof(sin)) || listen(l, 128)) {
		close(l);
		return -1;
	}
	return l;
}

static int dial(int proto, int port)
{
	struct sockaddr_in sin = addr(port);
	int c = socket(AF_INET, SOCK_STREAM, proto);

	if (c < 0)
		return -1;
	timeouts(c, IO_TIMEOUT_S);
	if (connect(c, (struct sockaddr *)&sin, sizeof(sin))) {
		close(c);
		return -1;
	}
	return c;
}

/* ---- bulk: the main thread sends, a thread counts what arrives ---- */

struct sink {
	int fd, stop, err;
	unsigned long long bytes;
};

static void *drain(void *arg)
{
	struct sink *s = arg;
	char *buf = malloc(CHUNK);
	ssize_t k;

	while (buf && !__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		k = recv(s->fd, buf, CHUNK, 0);
		if (k > 0) {
			__atomic_add_fetch(&s->bytes, k, __ATOMIC_RELAXED);
		} else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
			s->err = k ? errno : ENODATA;
			break;
		}
	}
	free(buf);
	return NULL;
}

static double bulk(int proto, int port, struct result *r)
{
	int l = listener(proto, port), c, a;
	char *buf = calloc(1, CHUNK);
	struct sink s = { 0 };
	pthread_t th;
	double t0, t = 0;
	ssize_t k;

	if (l < 0)
		return fail(r, "listen");
	c = dial(proto, port);
	if (c < 0)
		return fail(r, "connect");
	a = accept(l, NULL, NULL);
	if (a < 0)
		return fail(r, "accept");
	timeouts(a, 1);		/* the sink checks for the end every second */
	s.fd = a;
	pthread_create(&th, NULL, drain, &s);
	t0 = now();
	do {
		k = send(c, buf, CHUNK, MSG_NOSIGNAL);
		if (k < 0 && errno != EINTR)
			break;
		t = now() - t0;
	} while (t < secs);
	t = now() - t0;
	r->value = __atomic_load_n(&s.bytes, __ATOMIC_RELAXED) / t / 1e6;
	if (k < 0)
		fail(r, "send");
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	if (s.err && r->value >= 0) {
		errno = s.err;
		fail(r, "recv");
	}
	abort_close(c);
	abort_close(a);
	close(l);
	free(buf);
	return r->value;
}

/* ---- request/response: 1 byte each way; a byte 'q' ends the server ---- */

static void *echo(void *arg)
{
	int fd = *(int *)arg;
	char b;

	while (recv(fd, &b, 1, 0) == 1 && b != 'q')
		if (send(fd, &b, 1, MSG_NOSIGNAL) != 1)
			break;
	return NULL;
}

static double rr(int proto, int port, struct result *r)
{
	int l = listener(proto, port), c, a, one = 1;
	double t0, t = 0;
	pthread_t th;
	long n = 0;
	char b = 'x';

	if (l < 0)
		return fail(r, "listen");
	c = dial(proto, port);
	if (c < 0)
		return fail(r, "connect");
	a = accept(l, NULL, NULL);
	if (a < 0)
		return fail(r, "accept");
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pthread_create(&th, NULL, echo, &a);
	t0 = now();
	do {
		if (send(c, &b, 1, MSG_NOSIGNAL) != 1) {
			fail(r, "send");
			break;
		}
		if (recv(c, &b, 1, 0) != 1) {
			fail(r, "recv");
			break;
		}
		n++;
		t = now() - t0;
	} while (t < secs);
	if (!r->err[0])
		r->value = n / t;
	send(c, "q", 1, MSG_NOSIGNAL);
	pthread_join(th, NULL);
	abort_close(c);
	abort_close(a);
	close(l);
	return r->value;
}

/* ---- connect/request/response/close: a new connection per transaction ---- */

static void *serve(void *arg)
{
	int l = *(int *)arg, a, one = 1;
	char b;

	for (;;) {
		a = accept(l, NULL, NULL);
		if (a < 0)
			return NULL;
		timeouts(a, IO_TIMEOUT_S);
		setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (recv(a, &b, 1, 0) != 1 || b == 'q' || send(a, &b, 1, MSG_NOSIGNAL) != 1) {
			abort_close(a);
			return NULL;
		}
		abort_close(a);
	}
}

static double crr(int proto, int port, struct result *r)
{
	int l = listener(proto, port), c, one = 1;
	double t0, t = 0;
	pthread_t th;
	long n = 0;
	char b = 'x';

	if (l < 0)
		return fail(r, "listen");
	pthread_create(&th, NULL, serve, &l);
	t0 = now();
	do {
		c = dial(proto, port);
		if (c < 0) {
			fail(r, "connect");
			break;
		}
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (send(c, &b, 1, MSG_NOSIGNAL) != 1) {
			fail(r, "send");
			abort_close(c);
			break;
		}
		if (recv(c, &b, 1, 0) != 1) {
			fail(r, "recv");
			abort_close(c);
			break;
		}
		abort_close(c);
		n++;
		t = now() - t0;
	} while (t < secs);
	if (!r->err[0])
		r->value = n / t;
	c = dial(proto, port);
	if (c >= 0) {
		send(c, "q", 1, MSG_NOSIGNAL);
		abort_close(c);
	}
	pthread_join(th, NULL);
	close(l);
	return r->value;
}

/* ---- one measurement in a child process ---- */

/* The calling process on the first of the CPUs it may use. */
static void one_cpu(void)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &set); cpu++)
		;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void measure(double (*fn)(int proto, int port, struct result *r), int proto, int port,
		    struct result *r)
{
	struct pollfd pfd = { .events = POLLIN };
	int p[2], st;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->value = -1;
	if (pipe(p)) {
		fail(r, "pipe");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		one_cpu();
		r->value = 0;
		fn(proto, port, r);
		_exit(write(p[1], r, sizeof(*r)) == sizeof(*r) ? 0 : 1);
	}
	close(p[1]);
	pfd.fd = p[0];
	if (pid < 0) {
		fail(r, "fork");
	} else if (poll(&pfd, 1, (secs + 4 * IO_TIMEOUT_S) * 1000) != 1) {
		kill(pid, SIGKILL);
		snprintf(r->err, sizeof(r->err), "no result after %.0f s: killed",
			 secs + 4 * IO_TIMEOUT_S);
	} else if (read(p[0], r, sizeof(*r)) != sizeof(*r)) {
		r->value = -1;
		snprintf(r->err, sizeof(r->err), "the measuring process died");
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	close(p[0]);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		double (*fn)(int proto, int port, struct result *r);
	} metrics[] = {
		{ "bulk throughput, 64 KiB writes (MB/s)", bulk },
		{ "request/response, 1 byte (trans/s)", rr },
		{ "connect/request/response/close (trans/s)", crr },
	};
	struct result res[3][2];
	int protos[2] = { IPPROTO_TCP, IPPROTO_XTCP }, opt, i, k, failed = 0;
	char name[2][16];

	while ((opt = getopt(argc, argv, "p:")) != -1) {
		if (opt != 'p') {
			fprintf(stderr, "usage: %s [-p PROTO] [SECONDS]\n", argv[0]);
			return 2;
		}
		protos[1] = atoi(optarg);
	}
	if (optind < argc)
		secs = atof(argv[optind]);
	if (secs <= 0)
		secs = 3;
	snprintf(name[0], sizeof(name[0]), "TCP");
	if (protos[1] == IPPROTO_XTCP)
		snprintf(name[1], sizeof(name[1]), "xtcp");
	else
		snprintf(name[1], sizeof(name[1]), "proto %d", protos[1]);

	printf("stream data path over loopback, %.0f s per measurement:\n", secs);
	for (i = 0; i < 3; i++)
		for (k = 0; k < 2; k++) {
			measure(metrics[i].fn, protos[k], PORT + i * 2 + k, &res[i][k]);
			if (res[i][k].value < 0) {
				printf("  %s: %s: %s\n", name[k], metrics[i].name, res[i][k].err);
				failed = 1;
			}
		}
	printf("  %-42s %12s %12s %9s/TCP\n", "metric", name[0], name[1], name[1]);
	for (i = 0; i < 3; i++) {
		printf("  %-42s", metrics[i].name);
		for (k = 0; k < 2; k++) {
			if (res[i][k].value < 0)
				printf(" %12s", "failed");
			else
				printf(" %12.1f", res[i][k].value);
		}
		if (res[i][0].value > 0 && res[i][1].value >= 0)
			printf(" %13.2f\n", res[i][1].value / res[i][0].value);
		else
			printf(" %13s\n", "-");
	}
	return failed;
}
