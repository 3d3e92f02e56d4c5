// SPDX-License-Identifier: GPL-2.0
/*
 * stream: the data path over loopback through the socket API.  Transfers of fixed sizes in
 * both directions, then of random sizes (log-uniform from 1 byte to 8 MiB), on blocking
 * sockets and on non-blocking ones driven by epoll (edge-triggered), 16 streams at once
 * and one large transfer each way, each verified byte for byte; then the calls and options
 * of a connected socket as Linux TCP answers them: empty reads, SO_RCVTIMEO/SO_SNDTIMEO,
 * MSG_PEEK/WAITALL/TRUNC/OOB, SO_RCVLOWAT, readv/writev, sendfile, FIONREAD/SIOCOUTQ and
 * the queues and timer of /proc/net/xtcp against a zero window, TCP_NODELAY/CORK/QUICKACK/
 * MAXSEG/INFO, the buffer sizes, the options real programs set (inherited from a
 * listener, TCP_INQ, TCP_NOTSENT_LOWAT, sendfile's tail: each compared with TCP), a
 * peer's RST (ECONNRESET, EPIPE, SIGPIPE, poll), wake-ups and EINTR, and the counters.
 *
 * The transfers are stream.h's: a length header, xorshift64 data and the receiver's
 * confirmation, so that teardown is not relied on.
 *
 *   stream [-p PROTO] [-q] [-l SIZE] [-B SIZE] [-n STREAMS] [-P SIZE] [-S SEED] [-t SECONDS]
 *     -p PROTO    IP protocol of the sockets (default 253, xtcp; 6 checks the test on TCP)
 *     -q          quick: no large transfer (same as -B 0)
 *     -l SIZE     the largest of the sized transfers, random ones included (default 16M;
 *                 larger sizes are cut)
 *     -B SIZE     the large transfer, client->server then server->client (default 100M)
 *     -n STREAMS  parallel streams (default 16), -P SIZE bytes each (default 2M)
 *     -S SEED     the seed of the random sizes (default: from the time; printed as "# seed")
 *     -t SECONDS  a step making no progress for this long fails the run (default 120)
 * SIZE takes a K, M or G suffix.  The checks of the counters and of /proc/net/xtcp are
 * made with -p 253, and against Linux's own counters (/proc/net/snmp, /proc/net/tcp) with
 * -p 6.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include "stream.h"

#define PORT		7400
#define MSS_LO		65483		/* the largest segment on loopback */
#define TCPI_ESTABLISHED 1
#define RANDOM_N	6		/* transfers of random sizes */
#define RANDOM_MAX	(8 * MiB)	/* their largest size */
#define RANDOM_LOG2	23.0000002	/* log2(RANDOM_MAX + 1), by a hair over */

static int lfd;
/* the loopback address of the family the run uses (-6: IPv6) and the listener's */
static const char *lo = "127.0.0.1";
static struct sockaddr_storage srv;
static socklen_t srv_len;

/* ---- the watchdog: a step that stops making progress fails the run instead of hanging ---- */

static void watch(const char *what)
{
	watchdog_step(what, timeout);
}

static void diag(void)
{
	proc_dump("the sockets");
	stat_dump("the counters");
}

/* ---- the guard: a call of the main thread blocked too long is interrupted (EINTR) ---- */

#define GUARD_S		15

static volatile sig_atomic_t got_sig;
static timer_t guard_timer;

static void on_sig(int sig)
{
	got_sig = sig;
}

static void on_guard(int sig)
{
	static const char msg[] = "# a call blocked for too long: interrupted\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		return;
}

static void handle(int sig, void (*fn)(int))
{
	struct sigaction sa = { .sa_handler = fn };	/* no SA_RESTART */

	sigaction(sig, &sa, NULL);
}

/* SIGUSR2 for the calling thread, GUARD_S s after guard() and every second after that. */
static void guard_init(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR2 };

	sev._sigev_un._tid = gettid();
	handle(SIGUSR2, on_guard);
	timer_create(CLOCK_MONOTONIC, &sev, &guard_timer);
}

/* watch() a step, and interrupt its calls that block for GUARD_S s; NULL: the step ended. */
static void guard(const char *what)
{
	struct itimerspec it = { .it_value.tv_sec = GUARD_S, .it_interval.tv_sec = 1 };

	if (!what)
		it = (struct itimerspec){ 0 };
	timer_settime(guard_timer, 0, &it, NULL);
	watch(what);
}

/*
 * @len bytes from @from to @to; mode bit 0: the sender is non-blocking, bit 1: the
 * receiver.  @file: sendfile() from it.  Reports one check; the sockets stay open.
 */
static int transfer(int from, int to, uint64_t len, int mode, int file, const char *what)
{
	struct end s, r;
	char why[300], sz[32];
	pthread_t t;
	double t0 = now(), secs;
	uint64_t seed = next_seed();

	end_init(&s, from, mode & 1, len, seed);
	end_init(&r, to, mode >> 1 & 1, len, seed);
	s.file = file;
	watch(what);
	pthread_create(&t, NULL, receiver, &r);
	sender(&s);
	pthread_join(t, NULL);
	watch(NULL);
	secs = now() - t0;
	end_why(&s, &r, why, sizeof(why));
	if (why[0])
		stat_dump("after the failed transfer");
	return tap_ok(!why[0], "%s: %s %s verified (%.2f s, %.1f MB/s)%s%s", what,
		      fmt_size(len, sz), modes[mode & 3], secs, len / 1e6 / (secs ? secs : 1e-9),
		      why[0] ? ": " : "", why);
}

/* ---- sockets ---- */

static int sock(void)
{
	return socket(family, SOCK_STREAM, proto);
}

/* Connect @c to the listener; the accepted socket, or -1. */
static int join(int c)
{
	if (connect(c, (struct sockaddr *)&srv, srv_len))
		return -1;
	return accept(lfd, NULL, NULL);
}

/* A connected pair, client @c and server @s. */
static int pair(int *c, int *s)
{
	*c = sock();
	*s = *c < 0 ? -1 : join(*c);
	if (*s < 0) {
		if (*c >= 0)
			close(*c);
		*c = -1;
	}
	return *s < 0 ? -1 : 0;
}

/* pair() as a check. */
static int pair_ok(int *c, int *s, const char *what)
{
	int ok = pair(c, s) == 0;

	return tap_ok(ok, "%s: connected%s%s", what, ok ? "" : ": ",
		      ok ? "" : strerrorname_np(errno));
}

static void close_pair(int c, int s)
{
	close(c);
	close(s);
}

static int outq(int fd)
{
	int n;

	return ioctl(fd, SIOCOUTQ, &n) ? -1 : n;
}

/* Wait until @fd has @n bytes queued to read, at most @ms ms; the bytes queued. */
static int wait_inq(int fd, int n, int ms)
{
	double end = now() + ms / 1000.0;

	while (inq(fd) < n && now() < end)
		msleep(5);
	return inq(fd);
}

/* The columns of a row of /proc/net/xtcp (or tcp) that the checks read. */
struct proc_row {
	unsigned int st, tx_queue, rx_queue, tr;
};

/* The row of the socket @lport -> @rport into @r; -1 if there is none. */
static int proc_row(int lport, int rport, struct proc_row *r)
{
	unsigned int lp, rp;
	struct proc_row t;
	char line[512];
	FILE *f = fopen(proc_sockets(), "r");
	int found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %*x:%x %*x:%x %x %x:%x %x:", &lp, &rp, &t.st,
			   &t.tx_queue, &t.rx_queue, &t.tr) == 6 &&
		    (int)lp == lport && (int)rp == rport) {
			*r = t;
			found = 0;
		}
	fclose(f);
	return found;
}

/* rx_queue of the socket @lport -> @rport; -1 if not found. */
static long proc_rx_queue(int lport, int rport)
{
	struct proc_row r;

	return proc_row(lport, rport, &r) ? -1 : (long)r.rx_queue;
}

/* ---- the transfers ---- */

/* A 64-bit value from @z with its bits mixed (splitmix64's finalizer). */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ z >> 27) * 0x94d049bb133111ebULL;
	return z ^ z >> 31;
}

/* 2 to the power @x, 0 <= @x < 63, without libm. */
static double pow2(double x)
{
	int k = (int)x, i;
	double f = (x - k) * M_LN2, t = 1, sum = 1;

	for (i = 1; i < 20; i++) {
		t *= f / i;
		sum += t;
	}
	return sum * (double)(1ULL << k);
}

/* A size from 1 byte to RANDOM_MAX, log-uniform, from the generator @rs. */
static uint64_t random_size(uint64_t *rs)
{
	double u = (xs_next(rs) >> 11) * 0x1p-53;	/* in [0, 1) */
	uint64_t n = pow2(u * RANDOM_LOG2);

	return n < 1 ? 1 : n > RANDOM_MAX ? RANDOM_MAX : n;
}

static void test_transfers(uint64_t largest, uint64_t big, uint64_t seed)
{
	/* bit 0: the sender is non-blocking, bit 1: the receiver; each direction gets 3 */
	static const int random_modes[RANDOM_N] = { 0, 1, 2, 3, 3, 0 };
	static const uint64_t sizes[] = { 1, 1000, 65536 + 7, MiB + 3, 16 * MiB };
	long in0 = 0, out0 = 0, in1, out1;
	char what[64], sz[32];
	int nsizes = ARRAY_SIZE(sizes), i, dir, c, s, mode = 0, counted;
	uint64_t len, rs = mix64(seed) ?: 1;

	for (i = 0; i < nsizes; i++) {
		len = sizes[i] < largest ? sizes[i] : largest;
		for (dir = 0; dir < 2; dir++, mode++) {
			snprintf(what, sizeof(what), "%s %s", fmt_size(len, sz),
				 dir ? "server->client" : "client->server");
			if (!pair_ok(&c, &s, what))
				continue;
			counted = have_counters() && !dir && i == nsizes - 1;
			if (counted) {
				in0 = counter("InSegs");
				out0 = counter("OutSegs");
			}
			if (dir)
				transfer(s, c, len, mode & 3, -1, what);
			else
				transfer(c, s, len, mode & 3, -1, what);
			close_pair(c, s);
			if (!counted)
				continue;
			/* both ends are in this namespace: each segment is counted out and in */
			in1 = counter("InSegs");
			out1 = counter("OutSegs");
			tap_ok(in0 >= 0 && out0 >= 0 && in1 - in0 >= (long)(len / MSS_LO) &&
			       out1 - out0 >= (long)(len / MSS_LO),
			       "%s +%ld and %s +%ld during it, at least %llu each (%s)",
			       counter_name("InSegs"), in1 - in0, counter_name("OutSegs"),
			       out1 - out0, (unsigned long long)(len / MSS_LO),
			       proto == IPPROTO_XTCP ? "/proc/net/xtcp_stat" : "/proc/net/snmp");
		}
	}

	/* random sizes: the directions alternate, and each gets 3 of the 4 modes */
	for (i = 0; i < RANDOM_N; i++) {
		len = random_size(&rs);
		len = len < largest ? len : largest;
		dir = i & 1;
		snprintf(what, sizeof(what), "random size %d %s", i + 1,
			 dir ? "server->client" : "client->server");
		if (!pair_ok(&c, &s, what))
			continue;
		if (dir)
			transfer(s, c, len, random_modes[i], -1, what);
		else
			transfer(c, s, len, random_modes[i], -1, what);
		close_pair(c, s);
	}

	/* the large transfer one way, then the other way on the same connection */
	if (!big || !pair_ok(&c, &s, "large transfer"))
		return;
	snprintf(what, sizeof(what), "large transfer of %s client->server", fmt_size(big, sz));
	if (transfer(c, s, big, 3, -1, what)) {
		snprintf(what, sizeof(what), "large transfer of %s server->client",
			 fmt_size(big, sz));
		transfer(s, c, big, 0, -1, what);
	}
	close_pair(c, s);
}

static void test_parallel(int n, uint64_t len)
{
	struct end *s = calloc(n, sizeof(*s)), *r = calloc(n, sizeof(*r));
	int *c = calloc(n, sizeof(int)), i, ok = 0, made = 0;
	char why[320], sz[32];
	double t0;

	for (i = 0; i < n; i++) {
		c[i] = sock();
		if (c[i] < 0 || connect(c[i], (struct sockaddr *)&srv, srv_len))
			break;
	}
	made = i;
	for (i = 0; i < made; i++) {
		uint64_t seed = next_seed();

		end_init(&s[i], c[i], i & 1, len, seed);
		end_init(&r[i], accept(lfd, NULL, NULL), i >> 1 & 1, len, seed);
		if (r[i].fd < 0)
			break;
	}
	ok = made == n && i == n;
	if (!tap_ok(ok, "%d parallel connections%s%s", n, ok ? "" : ": ",
		    ok ? "" : strerrorname_np(errno))) {
		for (i = 0; i < made; i++)
			close(c[i]);
		goto out;
	}
	watch("parallel streams");
	t0 = now();
	ok = run_ends(s, r, n, why, sizeof(why));
	watch(NULL);
	if (ok != n)
		stat_dump("after the failed streams");
	tap_ok(ok == n, "%d parallel streams of %s, half of the ends epoll: %d verified "
	       "(%.2f s)%s%s", n, fmt_size(len, sz), ok, now() - t0, why[0] ? ": " : "", why);
	for (i = 0; i < n; i++)
		end_close(&s[i], &r[i]);
out:
	free(s);
	free(r);
	free(c);
}

/* ---- the calls on a connected socket ---- */

static void test_empty_reads(void)
{
	struct timeval tv = { .tv_usec = 200000 };
	int c, s, fl, ret, e;
	double t0, secs;
	char b[16];

	if (!pair_ok(&c, &s, "empty reads"))
		return;
	guard("empty reads");
	fl = fcntl(s, F_GETFL);
	fcntl(s, F_SETFL, fl | O_NONBLOCK);
	ret = recv(s, b, sizeof(b), 0);
	e = errno;
	tap_errno(ret, e, EAGAIN, "recv on an empty non-blocking socket");
	fcntl(s, F_SETFL, fl);
	ret = recv(s, b, sizeof(b), MSG_DONTWAIT);
	e = errno;
	tap_errno(ret, e, EAGAIN, "recv(MSG_DONTWAIT) on an empty blocking socket");

	tap_ok(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0,
	       "SO_RCVTIMEO 200 ms is accepted");
	t0 = now();
	ret = recv(s, b, sizeof(b), 0);
	e = errno;
	secs = now() - t0;
	tap_errno(ret, e, EAGAIN, "recv with SO_RCVTIMEO 200 ms");
	tap_ok(secs >= 0.15 && secs < 2, "... after 200 ms (%.0f ms)", secs * 1000);
	guard(NULL);
	close_pair(c, s);
}

static void test_sndtimeo(void)
{
	struct timeval tv = { .tv_usec = 200000 };
	static char buf[CHUNK];
	uint64_t total = 0;
	ssize_t ret = CHUNK;
	double t0 = 0, secs;
	int c, s, e = 0;

	/* the client never reads: small buffers on both sides, the client's before connect */
	c = sock();
	setint(c, SOL_SOCKET, SO_RCVBUF, 4096);
	s = c < 0 ? -1 : join(c);
	if (!tap_ok(s >= 0, "SO_SNDTIMEO: connected"))
		return;
	setint(s, SOL_SOCKET, SO_SNDBUF, 4096);
	tap_ok(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0,
	       "SO_SNDTIMEO 200 ms is accepted");
	guard("SO_SNDTIMEO");
	while (ret == CHUNK && total < 64 * MiB) {
		t0 = now();
		ret = send(s, buf, CHUNK, MSG_NOSIGNAL);
		e = errno;
		total += ret > 0 ? ret : 0;
	}
	secs = now() - t0;
	guard(NULL);
	tap_ok((ret >= 0 && ret < CHUNK) || (ret == -1 && e == EAGAIN),
	       "a blocking send to a peer that does not read returns short or EAGAIN "
	       "(%zd, %s, after %llu bytes)", ret, ret < 0 ? strerrorname_np(e) : "-",
	       (unsigned long long)total);
	tap_ok(secs >= 0.15 && secs < 2, "... after waiting SO_SNDTIMEO (%.0f ms)", secs * 1000);
	close_pair(c, s);
}

struct slow_reader {
	int fd;
	size_t want, got;
	unsigned char *data;
};

/* A slow peer: reads 1000 bytes at a time, 5 ms apart, until it has them all. */
static void *read_slowly(void *arg)
{
	struct slow_reader *r = arg;
	ssize_t n;

	while (r->got < r->want) {
		n = recv(r->fd, r->data + r->got, r->want - r->got < 1000 ? r->want - r->got : 1000,
			 0);
		if (n <= 0)
			break;
		r->got += n;
		msleep(5);
	}
	return NULL;
}

/*
 * A blocking send of more than the send buffer holds, to a peer that reads slowly,
 * returns only when all of it is queued, as tcp_sendmsg() does (it sleeps in
 * sk_stream_wait_memory() as often as it must): a program that writes without a loop
 * loses nothing.
 */
static void test_blocking_send(void)
{
	static unsigned char buf[61000], got[61000];
	struct slow_reader r = { .want = sizeof(buf), .data = got };
	struct gen g;
	pthread_t t;
	ssize_t ret;
	int c, s, e;

	gen_init(&g, 61000);
	gen_fill(&g, buf, sizeof(buf));
	c = sock();
	setint(c, SOL_SOCKET, SO_SNDBUF, 21000);	/* 42000 once doubled */
	s = c < 0 ? -1 : join(c);
	if (!tap_ok(s >= 0, "blocking send into a small send buffer: connected"))
		return;
	setint(s, SOL_SOCKET, SO_RCVBUF, 4096);
	r.fd = s;
	guard("blocking send");
	pthread_create(&t, NULL, read_slowly, &r);
	ret = send(c, buf, sizeof(buf), MSG_NOSIGNAL);
	e = errno;
	pthread_join(t, NULL);
	guard(NULL);
	tap_ok(ret == sizeof(buf), "a blocking send of 61000 bytes with SO_SNDBUF 21000 to a slow "
	       "reader returns 61000 (%zd%s%s)", ret, ret < 0 ? ", " : "",
	       ret < 0 ? strerrorname_np(e) : "");
	tap_ok(r.got == sizeof(buf) && !memcmp(got, buf, sizeof(buf)),
	       "... and the reader gets all 61000 bytes in order (%zu)", r.got);
	close_pair(c, s);
}

struct pieces {
	int fd, n, gap_ms;
	const char *data;
	size_t len[4];
};

static void *send_pieces(void *arg)
{
	struct pieces *p = arg;
	size_t off = 0;
	int i;

	for (i = 0; i < p->n; i++) {
		if (i)
			msleep(p->gap_ms);
		send(p->fd, p->data + off, p->len[i], MSG_NOSIGNAL);
		off += p->len[i];
	}
	return NULL;
}

static void test_recv_flags(void)
{
	static const char msg[] = "peek at me, then read me";
	unsigned char out[1000], in[1000];
	struct pieces p = { .n = 3, .gap_ms = 50, .len = { 100, 200, 300 } };
	struct pollfd pfd;
	struct gen g;
	char a[64], b[64];
	int c, s, ret, e, i, n;
	pthread_t t;
	double t0, secs;

	if (!pair_ok(&c, &s, "recv flags"))
		return;
	guard("recv flags");

	send(c, msg, sizeof(msg), MSG_NOSIGNAL);
	wait_inq(s, sizeof(msg), 2000);
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	ret = recv(s, a, sizeof(msg), MSG_PEEK);
	n = recv(s, b, sizeof(msg), 0);
	tap_ok(ret == sizeof(msg) && !memcmp(a, msg, sizeof(msg)),
	       "recv(MSG_PEEK) returns the data (%d)", ret);
	tap_ok(n == sizeof(msg) && !memcmp(b, msg, sizeof(msg)),
	       "... and the next recv returns the same bytes (%d)", n);

	gen_init(&g, next_seed());
	gen_fill(&g, out, sizeof(out));
	p.fd = c;
	p.data = (const char *)out;
	pthread_create(&t, NULL, send_pieces, &p);
	t0 = now();
	ret = recv(s, in, 600, MSG_WAITALL);
	secs = now() - t0;
	pthread_join(t, NULL);
	tap_ok(ret == 600 && !memcmp(in, out, 600) && secs >= 0.08,
	       "recv(600, MSG_WAITALL) gets 3 pieces sent 50 ms apart in one call (%d, %.0f ms)",
	       ret, secs * 1000);

	tap_ok(setint(s, SOL_SOCKET, SO_RCVLOWAT, 100) == 0 &&
	       getint(s, SOL_SOCKET, SO_RCVLOWAT) == 100, "SO_RCVLOWAT 100 is set");
	send(c, out, 50, MSG_NOSIGNAL);
	n = wait_inq(s, 50, 2000);
	msleep(20);
	pfd = (struct pollfd){ .fd = s, .events = POLLIN };
	ret = poll(&pfd, 1, 100);
	tap_ok(n == 50 && ret == 0 && !(pfd.revents & POLLIN),
	       "with 50 bytes queued poll does not report POLLIN (%d queued, revents %#x)",
	       n, pfd.revents);
	send(c, out + 50, 100, MSG_NOSIGNAL);
	ret = poll(&pfd, 1, 2000);
	tap_ok(ret == 1 && (pfd.revents & POLLIN), "with 150 it does (revents %#x)",
	       pfd.revents);
	ret = recv(s, in, 150, MSG_DONTWAIT);
	tap_ok(ret == 150 && !memcmp(in, out, 150), "the 150 bytes read back (%d)", ret);
	setint(s, SOL_SOCKET, SO_RCVLOWAT, 1);

	/* MSG_TRUNC: TCP discards the bytes and returns their count */
	send(c, out, 1000, MSG_NOSIGNAL);
	wait_inq(s, 1000, 2000);
	memset(in, 0xa5, sizeof(in));
	ret = recv(s, in, 400, MSG_TRUNC);
	for (i = 0; i < 400 && in[i] == 0xa5; i++)
		;
	tap_ok(ret == 400 && i == 400, "recv(400, MSG_TRUNC) discards 400 bytes (%d, buffer %s)",
	       ret, i == 400 ? "untouched" : "written");
	ret = recv(s, in, 1000, MSG_DONTWAIT);
	tap_ok(ret == 600 && !memcmp(in, out + 400, 600),
	       "... and the next recv returns the 600 after them (%d)", ret);

	if (proto == IPPROTO_XTCP) {
		ret = send(c, "u", 1, MSG_OOB | MSG_NOSIGNAL);
		e = errno;
		tap_errno(ret, e, EOPNOTSUPP, "send(MSG_OOB)");
	}
	ret = recv(s, in, 1, MSG_OOB | MSG_DONTWAIT);
	e = errno;
	tap_errno(ret, e, EINVAL, "recv(MSG_OOB) with no urgent data");
	guard(NULL);
	close_pair(c, s);
}

static void test_vectors(void)
{
	static unsigned char out[25100], in[25100];
	struct iovec wv[3] = { { out, 100 }, { out + 100, 5000 }, { out + 5100, 20000 } };
	struct iovec rv[3] = { { in, 7000 }, { in + 7000, 13 }, { in + 7013, 18087 } };
	char path[] = "/tmp/xtcp-stream.XXXXXX";
	static unsigned char buf[CHUNK];
	uint64_t seed = next_seed(), left;
	int c, s, f, n;
	struct gen g;
	ssize_t ret;

	gen_init(&g, seed);
	gen_fill(&g, out, sizeof(out));
	if (!pair_ok(&c, &s, "readv/writev"))
		return;
	guard("readv/writev");
	ret = writev(c, wv, 3);
	tap_ok(ret == sizeof(out), "writev of 3 iovecs sends %zu bytes (%zd)", sizeof(out), ret);
	n = wait_inq(s, sizeof(out), 2000);
	ret = readv(s, rv, 3);
	tap_ok(ret == sizeof(out) && !memcmp(in, out, sizeof(out)),
	       "readv into 3 iovecs gets them all, in order (%zd, %d were queued)", ret, n);
	guard(NULL);
	close_pair(c, s);

	/* sendfile(): the transfer's data from a file, verified by the usual receiver */
	f = mkstemp(path);
	if (f < 0) {
		tap_ok(0, "a temporary file for sendfile: %s", strerrorname_np(errno));
		return;
	}
	unlink(path);
	seed = next_seed();
	gen_init(&g, seed);
	for (left = MiB; left; left -= n) {
		n = left < sizeof(buf) ? left : sizeof(buf);
		gen_fill(&g, buf, n);
		if (write(f, buf, n) != n)
			break;
	}
	if (!tap_ok(!left, "a 1 MiB temporary file for sendfile")) {
		close(f);
		return;
	}
	if (pair_ok(&c, &s, "sendfile")) {
		struct end se, re;
		char why[200];
		pthread_t t;

		end_init(&se, c, 0, MiB, seed);
		end_init(&re, s, 1, MiB, seed);
		se.file = f;
		watch("sendfile");
		pthread_create(&t, NULL, receiver, &re);
		sender(&se);
		pthread_join(t, NULL);
		watch(NULL);
		end_why(&se, &re, why, sizeof(why));
		tap_ok(!why[0], "sendfile() of a 1 MiB file into the socket: verified%s%s",
		       why[0] ? ": " : "", why);
		end_close(&se, &re);
	}
	close(f);
}

/*
 * The sender @s's row in /proc/net/xtcp (or tcp) while its peer's window is closed: state
 * 01 (ESTABLISHED), tx_queue its SIOCOUTQ, and the zero-window probe timer (tr 4).
 */
static void check_zero_window_row(int s)
{
	struct proc_row r = { 0 };
	int lp, rp, q0, q1, found;

	local_remote(s, &lp, &rp);
	q0 = outq(s);
	found = proc_row(lp, rp, &r) == 0;
	q1 = outq(s);
	if (!tap_ok(found, "%s has a row for the sender (local port %d, remote %d)",
		    proc_sockets(), lp, rp))
		return;
	tap_ok(r.st == 1, "... in state 01, ESTABLISHED (%02X)", r.st);
	tap_ok(r.tx_queue > 0 && (int)r.tx_queue == q0 && q0 == q1,
	       "... with tx_queue > 0 equal to its SIOCOUTQ (%u; SIOCOUTQ %d before, %d after)",
	       r.tx_queue, q0, q1);
	tap_ok(r.tr == 4, "... and the zero-window probe timer pending, tr 4 (%u)", r.tr);
}

static void test_queues(void)
{
	static char buf[CHUNK];
	int c, s, n, lp, rp, q, e;
	long rx;
	uint64_t total = 0;
	ssize_t ret;
	double end;

	if (!pair_ok(&c, &s, "queues"))
		return;
	guard("queues");
	send(c, buf, 3000, MSG_NOSIGNAL);
	wait_inq(s, 3000, 2000);
	n = inq(s);
	tap_ok(n == 3000, "FIONREAD (SIOCINQ) is the 3000 bytes sent (%d)", n);
	recv(s, buf, 1000, 0);
	n = inq(s);
	tap_ok(n == 2000, "... and 2000 after reading 1000 (%d)", n);
	if (have_counters()) {
		local_remote(s, &lp, &rp);
		rx = proc_rx_queue(lp, rp);
		tap_ok(rx == 2000, "%s shows rx_queue %#x for it (%#lx)", proc_sockets(), 2000, rx);
	}
	close_pair(c, s);

	/* SIOCOUTQ: the server sends to a client that does not read (small receive buffer) */
	c = sock();
	setint(c, SOL_SOCKET, SO_RCVBUF, 4096);
	s = c < 0 ? -1 : join(c);
	if (!tap_ok(s >= 0, "SIOCOUTQ: connected")) {
		guard(NULL);
		return;
	}
	q = outq(s);
	tap_ok(q == 0, "SIOCOUTQ of a fresh socket is 0 (%d)", q);
	while ((ret = send(s, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL)) > 0 &&
	       total < 64 * MiB)
		total += ret;
	e = errno;
	q = outq(s);
	tap_ok(q > 0 && ret < 0 && e == EAGAIN,
	       "SIOCOUTQ of a sender whose peer does not read is > 0 (%d of %llu bytes sent, "
	       "then %s)", q, (unsigned long long)total, ret < 0 ? strerrorname_np(e) : "-");
	if (have_counters()) {
		msleep(1450);	/* the window closes, the sender probes it */
		check_zero_window_row(s);
	}
	while (total && (ret = recv(c, buf, sizeof(buf), 0)) > 0)
		total -= ret;
	end = now() + 2;
	while ((q = outq(s)) && now() < end)
		msleep(5);
	tap_ok(!total && q == 0, "... and 0 once the peer has read all (%d)", q);
	guard(NULL);
	close_pair(c, s);
}

static void test_options(void)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int c, s, ret, v, mss, smss, sndbuf, rcvbuf;

	if (!pair_ok(&c, &s, "options"))
		return;
	watch("options");
	ret = setint(c, IPPROTO_TCP, TCP_NODELAY, 1);
	v = getint(c, IPPROTO_TCP, TCP_NODELAY);
	tap_ok(!ret && v == 1, "TCP_NODELAY 1 reads back 1 (%d, %d)", ret, v);
	ret = setint(c, IPPROTO_TCP, TCP_CORK, 1);
	v = getint(c, IPPROTO_TCP, TCP_CORK);
	tap_ok(!ret && v == 1, "TCP_CORK 1 reads back 1 (%d, %d)", ret, v);
	ret = setint(c, IPPROTO_TCP, TCP_CORK, 0);
	v = getint(c, IPPROTO_TCP, TCP_CORK);
	tap_ok(!ret && v == 0, "TCP_CORK 0 reads back 0 (%d, %d)", ret, v);
	ret = setint(c, IPPROTO_TCP, TCP_QUICKACK, 1);
	tap_ok(!ret, "TCP_QUICKACK 1 is accepted%s%s", ret ? ": " : "",
	       ret ? strerrorname_np(errno) : "");

	memset(&ti, 0, sizeof(ti));
	ret = getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len);
	tap_ok(ret == 0 && len >= offsetof(struct tcp_info, tcpi_total_retrans) + 4,
	       "TCP_INFO of an established socket (%d, %u bytes)", ret, len);
	tap_ok(ti.tcpi_state == TCPI_ESTABLISHED && ti.tcpi_rto > 0 && ti.tcpi_snd_mss > 0 &&
	       ti.tcpi_snd_cwnd > 0,
	       "... state %u (ESTABLISHED is 1), rto %u us, snd_mss %u, snd_cwnd %u",
	       ti.tcpi_state, ti.tcpi_rto, ti.tcpi_snd_mss, ti.tcpi_snd_cwnd);
	transfer(c, s, MiB, 0, -1, "before TCP_INFO");
	len = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	ret = getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len);
	tap_ok(ret == 0 && ti.tcpi_rtt > 0,
	       "after 1 MiB, the sender's TCP_INFO has rtt %u us (rttvar %u, total_retrans %u)",
	       ti.tcpi_rtt, ti.tcpi_rttvar, ti.tcpi_total_retrans);
	if (len >= offsetof(struct tcp_info, tcpi_bytes_acked) + sizeof(ti.tcpi_bytes_acked))
		tap_ok(ti.tcpi_bytes_acked >= MiB, "... and bytes_acked %llu >= 1 MiB",
		       (unsigned long long)ti.tcpi_bytes_acked);
	else
		printf("# TCP_INFO is %u bytes: no tcpi_bytes_acked to check\n", len);
	close_pair(c, s);

	c = sock();
	tap_ok(setint(c, IPPROTO_TCP, TCP_MAXSEG, 1000) == 0, "TCP_MAXSEG 1000 before connect");
	s = c < 0 ? -1 : join(c);
	if (tap_ok(s >= 0, "... connects")) {
		mss = getint(c, IPPROTO_TCP, TCP_MAXSEG);
		smss = getint(s, IPPROTO_TCP, TCP_MAXSEG);
		tap_ok(mss > 0 && mss <= 1000 && smss > 0 && smss <= 1000,
		       "... reads back <= 1000 on it (%d) and on the accepted socket (%d)",
		       mss, smss);
		transfer(c, s, 100000 + 1, 1, -1, "MSS <= 1000 client->server");
		transfer(s, c, 100000 + 1, 2, -1, "MSS <= 1000 server->client");
		close_pair(c, s);
	}

	c = sock();
	tap_ok(setint(c, SOL_SOCKET, SO_SNDBUF, 65536) == 0 &&
	       setint(c, SOL_SOCKET, SO_RCVBUF, 65536) == 0, "SO_SNDBUF and SO_RCVBUF 65536");
	sndbuf = getint(c, SOL_SOCKET, SO_SNDBUF);
	rcvbuf = getint(c, SOL_SOCKET, SO_RCVBUF);
	tap_ok(sndbuf == 131072 && rcvbuf == 131072, "... read back 131072 (%d, %d)",
	       sndbuf, rcvbuf);
	close(c);
	watch(NULL);
}

/* ---- options real programs set (issue 13), each checked on TCP too ---- */

/* A connected pair of protocol @pr through a listener on @port set up by @prep. */
static int app_pair(int pr, int port, void (*prep)(int), int *c, int *s)
{
	struct sockaddr_storage a;
	socklen_t alen = sa_of(family, lo, port, &a);
	int l = socket(family, SOCK_STREAM, pr);

	*c = *s = -1;
	setint(l, SOL_SOCKET, SO_REUSEADDR, 1);
	if (prep)
		prep(l);
	if (bind(l, (struct sockaddr *)&a, alen) || listen(l, 4))
		goto out;
	*c = socket(family, SOCK_STREAM, pr);
	if (connect(*c, (struct sockaddr *)&a, alen))
		goto out;
	*s = accept(l, NULL, NULL);
out:
	close(l);
	if (*s < 0 && *c >= 0) {
		close(*c);
		*c = -1;
	}
	return *s < 0 ? -1 : 0;
}

/* memcached, nginx: options set on the listener only */
static void listener_options(int l)
{
	struct linger lin = { .l_onoff = 1, .l_linger = 5 };

	setint(l, SOL_SOCKET, SO_KEEPALIVE, 1);
	setint(l, IPPROTO_TCP, TCP_NODELAY, 1);
	setint(l, IPPROTO_TCP, TCP_KEEPIDLE, 77);
	setint(l, IPPROTO_TCP, TCP_NOTSENT_LOWAT, 12345);
	setsockopt(l, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
}

/* What an accepted socket took over from its listener, as a string to compare. */
static void inherited(int s, char *out, size_t n)
{
	struct linger lin = { 0 };
	socklen_t len = sizeof(lin);

	getsockopt(s, SOL_SOCKET, SO_LINGER, &lin, &len);
	snprintf(out, n, "SO_KEEPALIVE %d, TCP_NODELAY %d, TCP_KEEPIDLE %d, "
		 "TCP_NOTSENT_LOWAT %d, SO_LINGER %d/%d", getint(s, SOL_SOCKET, SO_KEEPALIVE),
		 getint(s, IPPROTO_TCP, TCP_NODELAY), getint(s, IPPROTO_TCP, TCP_KEEPIDLE),
		 getint(s, IPPROTO_TCP, TCP_NOTSENT_LOWAT), lin.l_onoff, lin.l_linger);
}

/* recvmsg() of up to @n bytes into @buf; the TCP_CM_INQ it came with in *@inq (-1: none) */
static ssize_t recv_inq(int fd, char *buf, size_t n, int *inq_hint)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = n };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t r = recvmsg(fd, &m, 0);

	*inq_hint = -1;
	for (cm = CMSG_FIRSTHDR(&m); r >= 0 && cm; cm = CMSG_NXTHDR(&m, cm))
		if (cm->cmsg_level == IPPROTO_TCP && cm->cmsg_type == TCP_CM_INQ)
			memcpy(inq_hint, CMSG_DATA(cm), sizeof(int));
	return r;
}

/*
 * Unsent bytes (SIOCOUTQNSD) when a non-blocking writer of 4 KiB chunks first gets
 * EAGAIN, the peer not reading; and whether poll() then says POLLOUT.
 */
static int fill_unsent(int c, int *pollout)
{
	static char chunk[4096];
	struct pollfd p = { .fd = c, .events = POLLOUT };
	int n, guard_n = 0;

	fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK);
	while (send(c, chunk, sizeof(chunk), MSG_NOSIGNAL) > 0 && guard_n++ < 100000)
		;
	*pollout = poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
	return ioctl(c, SIOCOUTQNSD, &n) ? -1 : n;
}

static void test_app_options(void)
{
	static const int prs[2] = { IPPROTO_TCP, IPPROTO_XTCP };
	char got[2][160], buf[4096], path[] = "/tmp/xtcp-stream-XXXXXX";
	int i, c, s, f, r, ep, hint[2][3], unsent[2], pollout[2], woke[2], eof_got[2];
	double t0, eof_ms[2];
	struct epoll_event ev;
	struct pollfd p;

	watch("options real programs set");
	/* a listener's SO_KEEPALIVE, TCP_NODELAY, SO_LINGER ... go to what it accepts */
	for (i = 0; i < 2; i++) {
		strcpy(got[i], "not connected");
		if (app_pair(prs[i], PORT + 1 + i, listener_options, &c, &s))
			continue;
		inherited(s, got[i], sizeof(got[i]));
		close_pair(c, s);
	}
	tap_ok(!strcmp(got[0], got[1]) && strstr(got[1], "SO_KEEPALIVE 1, TCP_NODELAY 1, "
						  "TCP_KEEPIDLE 77, TCP_NOTSENT_LOWAT 12345"),
	       "an accepted socket inherits its listener's options: %s (TCP: %s)", got[1],
	       got[0]);

	/* TCP_INQ: each read tells what is left; after the FIN, 1 (go on reading) */
	for (i = 0; i < 2; i++) {
		hint[i][0] = hint[i][1] = hint[i][2] = -2;
		if (app_pair(prs[i], PORT + 3 + i, NULL, &c, &s))
			continue;
		setint(s, IPPROTO_TCP, TCP_INQ, 1);
		memset(buf, 'i', 1000);
		if (send(c, buf, 1000, 0) == 1000 && wait_inq(s, 1000, 2000) == 1000) {
			recv_inq(s, buf, 300, &hint[i][0]);
			recv_inq(s, buf, 700, &hint[i][1]);
			shutdown(c, SHUT_WR);
			p = (struct pollfd){ .fd = s, .events = POLLRDHUP };
			poll(&p, 1, 2000);
			r = recv_inq(s, buf, 10, &hint[i][2]);
			if (r != 0)
				hint[i][2] = -3;
		}
		close_pair(c, s);
	}
	tap_ok(!memcmp(hint[0], hint[1], sizeof(hint[0])) && hint[1][0] == 700 &&
	       hint[1][1] == 0 && hint[1][2] == 1,
	       "TCP_INQ: reading 300 then 700 of 1000 bytes leaves %d then %d, the FIN %d, as "
	       "TCP (%d, %d, %d)", hint[1][0], hint[1][1], hint[1][2], hint[0][0], hint[0][1],
	       hint[0][2]);
	c = socket(family, SOCK_STREAM, IPPROTO_XTCP);
	r = setint(c, IPPROTO_TCP, TCP_INQ, 2);
	tap_ok(r == -1 && errno == EINVAL && getint(c, IPPROTO_TCP, TCP_INQ) == 0,
	       "TCP_INQ 2 fails with EINVAL, as on TCP (%s), and it reads 0",
	       r ? strerrorname_np(errno) : "accepted");
	close(c);

	/*
	 * TCP_NOTSENT_LOWAT 16 KiB: a writer the peer does not read from stops with about
	 * that much unsent (the window full), not with the send buffer full; poll() says
	 * POLLOUT only below half of it, and the peer reading wakes it.
	 */
	for (i = 0; i < 2; i++) {
		unsent[i] = pollout[i] = woke[i] = -1;
		if (app_pair(prs[i], PORT + 5 + i, NULL, &c, &s))
			continue;
		setint(c, IPPROTO_TCP, TCP_NOTSENT_LOWAT, 16384);
		unsent[i] = fill_unsent(c, &pollout[i]);
		/*
		 * edge-triggered: registered while not writable, it reports POLLOUT only if
		 * a wake-up comes (xtcp_write_space()), not by looking again
		 */
		ep = epoll_create1(0);
		ev = (struct epoll_event){ .events = EPOLLOUT | EPOLLET };
		epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
		fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
		t0 = now();
		woke[i] = 0;
		while (!woke[i] && now() < t0 + 5) {
			while (read(s, buf, sizeof(buf)) > 0)
				;
			woke[i] = epoll_wait(ep, &ev, 1, 50) == 1;
		}
		close(ep);
		close_pair(c, s);
	}
	tap_ok(unsent[1] >= 16384 && unsent[1] < 16384 + 65536 && !pollout[1] && woke[1] == 1 &&
	       unsent[0] >= 16384 && unsent[0] < 16384 + 65536 && !pollout[0] && woke[0] == 1,
	       "TCP_NOTSENT_LOWAT 16384: the writer stops with %d bytes unsent (TCP %d), poll "
	       "without POLLOUT (%d, TCP %d), epoll (edge-triggered) woken once the peer reads "
	       "(%d, TCP %d)",
	       unsent[1], unsent[0], pollout[1], pollout[0], woke[1], woke[0]);
	if (!app_pair(IPPROTO_XTCP, PORT + 7, NULL, &c, &s)) {
		int po;

		r = fill_unsent(c, &po);
		tap_ok(r > 65536 + 16384, "... without it, %d bytes unsent (the send buffer full)",
		       r);
		close_pair(c, s);
	}

	/*
	 * sendfile() asked for more than the file holds sends its last piece with MSG_MORE,
	 * then finds the end of the file: .splice_eof must send that piece at once - held
	 * back, it would go only with the window probe, 200 ms later at the earliest
	 */
	f = mkstemp(path);
	unlink(path);
	memset(buf, 'e', 100);
	if (!tap_ok(f >= 0 && write(f, buf, 100) == 100, "a 100-byte file"))
		return;
	for (i = 0; i < 2; i++) {
		off_t off = 0;

		eof_got[i] = -1;
		eof_ms[i] = -1;
		if (app_pair(prs[i], PORT + 8 + i, NULL, &c, &s))
			continue;
		t0 = now();
		r = sendfile(c, f, &off, 4096);
		eof_got[i] = r == 100 ? wait_inq(s, 100, 2000) : -2;
		eof_ms[i] = (now() - t0) * 1000;
		close_pair(c, s);
	}
	close(f);
	tap_ok(eof_got[1] == 100 && eof_got[0] == 100 && eof_ms[1] < 150 && eof_ms[0] < 150,
	       "sendfile() of a 100-byte file asked for 4096 sends all 100 at once: %d arrive "
	       "in %.0f ms (TCP %d in %.0f ms), less than the 200 ms before a probe",
	       eof_got[1], eof_ms[1], eof_got[0], eof_ms[0]);
	watch(NULL);
}

static void test_poll_and_reset(void)
{
	struct linger lin = { .l_onoff = 1, .l_linger = 0 };
	struct pollfd pfd;
	char ev[80], b;
	int c, s, ret, e;

	if (!pair_ok(&c, &s, "poll"))
		return;
	guard("poll and RST");
	pfd = (struct pollfd){ .fd = c, .events = POLLIN | POLLOUT | POLLRDHUP };
	ret = poll(&pfd, 1, 0);
	tap_ok(ret == 1 && pfd.revents == POLLOUT,
	       "poll of a fresh connected socket: POLLOUT alone (%s)", events_str(pfd.revents, ev));
	pfd.events = POLLIN;
	ret = poll(&pfd, 1, 50);
	tap_ok(ret == 0, "no POLLIN before data arrives (%s)", events_str(pfd.revents, ev));
	send(s, "x", 1, MSG_NOSIGNAL);
	ret = poll(&pfd, 1, 2000);
	tap_ok(ret == 1 && pfd.revents == POLLIN, "POLLIN once 1 byte arrives (%s)",
	       events_str(pfd.revents, ev));
	recv(c, &b, 1, 0);

	/* the server resets the connection */
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
	close(s);
	pfd.events = POLLIN;
	poll(&pfd, 1, 2000);
	pfd.events = POLLIN | POLLOUT | POLLRDHUP;
	ret = poll(&pfd, 1, 0);
	/* what Linux TCP reports after an RST: every event */
	tap_ok(ret == 1 && pfd.revents == (POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDHUP),
	       "after the peer's RST poll reports POLLIN|POLLOUT|POLLERR|POLLHUP|POLLRDHUP (%s)",
	       events_str(pfd.revents, ev));
	ret = recv(c, &b, 1, 0);
	e = errno;
	tap_errno(ret, e, ECONNRESET, "recv after the peer's RST");
	pfd.events = POLLIN | POLLOUT | POLLRDHUP;
	ret = poll(&pfd, 1, 0);
	tap_ok(ret == 1 && pfd.revents == (POLLIN | POLLOUT | POLLHUP | POLLRDHUP),
	       "then poll reports POLLIN|POLLOUT|POLLHUP|POLLRDHUP, the error read (%s)",
	       events_str(pfd.revents, ev));
	ret = recv(c, &b, 1, 0);
	e = errno;
	tap_ok(ret == 0, "then recv returns 0, end of stream (%d, %s)", ret,
	       ret < 0 ? strerrorname_np(e) : "-");
	ret = send(c, "x", 1, MSG_NOSIGNAL);
	e = errno;
	tap_errno(ret, e, EPIPE, "send(MSG_NOSIGNAL) after the RST");
	got_sig = 0;
	handle(SIGPIPE, on_sig);
	ret = send(c, "x", 1, 0);
	e = errno;
	handle(SIGPIPE, SIG_IGN);
	tap_ok(ret == -1 && e == EPIPE && got_sig == SIGPIPE,
	       "send without MSG_NOSIGNAL fails with EPIPE and raises SIGPIPE (%d, %s, %s)",
	       ret, ret < 0 ? strerrorname_np(e) : "-", got_sig ? "raised" : "not raised");
	guard(NULL);
	close(c);
}

struct blocked {
	int fd, ret, err;
	double t;	/* when recv returned */
};

static void *block_in_recv(void *arg)
{
	struct blocked *b = arg;
	char c;

	b->ret = recv(b->fd, &c, 1, 0);
	b->err = errno;
	b->t = now();
	return NULL;
}

/* Join @t within @secs; if it stays blocked, interrupt it and join for good. */
static int join_within(pthread_t t, double secs)
{
	struct timespec ts;
	int ret;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)secs;
	ts.tv_nsec += (long)((secs - (time_t)secs) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	ret = pthread_timedjoin_np(t, NULL, &ts);
	if (ret) {
		pthread_kill(t, SIGUSR1);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 2;
		if (pthread_timedjoin_np(t, NULL, &ts))
			pthread_detach(t);
	}
	return ret ? -1 : 0;
}

static void test_wakeups(void)
{
	struct blocked b = { 0 };
	pthread_t t;
	double t0, t1;
	int c, s, joined;

	handle(SIGUSR1, on_sig);
	if (!pair_ok(&c, &s, "wake-ups"))
		return;
	watch("wake-ups");
	b.fd = s;
	t0 = now();
	pthread_create(&t, NULL, block_in_recv, &b);
	msleep(200);
	t1 = now();
	send(c, "w", 1, MSG_NOSIGNAL);
	joined = join_within(t, 2) == 0;
	tap_ok(joined && b.ret == 1 && b.t - t0 >= 0.15 && b.t - t1 < 2,
	       "a reader blocked in recv wakes when 1 byte arrives 200 ms later "
	       "(%s, %d, after %.0f ms)", joined ? "woken" : "still blocked after 2 s", b.ret,
	       (b.t - t0) * 1000);

	b = (struct blocked){ .fd = s };
	got_sig = 0;
	pthread_create(&t, NULL, block_in_recv, &b);
	msleep(200);
	pthread_kill(t, SIGUSR1);
	joined = join_within(t, 2) == 0;
	tap_ok(joined && b.ret == -1 && b.err == EINTR && got_sig == SIGUSR1,
	       "a signal (no SA_RESTART) interrupts a blocked recv with EINTR (%s, %d, %s)",
	       joined ? "returned" : "still blocked after 2 s", b.ret,
	       b.ret < 0 ? strerrorname_np(b.err) : "-");
	watch(NULL);
	close_pair(c, s);
}

int main(int argc, char **argv)
{
	uint64_t largest = 16 * MiB, big = 100 * MiB, plen = 2 * MiB, seed;
	int opt, streams = 16, one = 1;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	seed = (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	while ((opt = getopt(argc, argv, "6p:ql:B:n:P:S:t:")) != -1) {
		switch (opt) {
		case '6':
			family = AF_INET6;
			lo = "::1";
			break;
		case 'p':
			proto = atoi(optarg);
			break;
		case 'q':
			big = 0;
			break;
		case 'l':
			largest = parse_size(optarg);
			break;
		case 'B':
			big = parse_size(optarg);
			break;
		case 'n':
			streams = atoi(optarg);
			break;
		case 'P':
			plen = parse_size(optarg);
			break;
		case 'S':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-6] [-p PROTO] [-q] [-l SIZE] [-B SIZE] "
				"[-n STREAMS] [-P SIZE] [-S SEED] [-t SECONDS]\n", argv[0]);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	srv_len = sa_of(family, lo, PORT, &srv);
	watchdog_start(diag, NULL);
	guard_init();
	printf("# protocol %d\n", proto);
	printf("# seed %llu\n", (unsigned long long)seed);

	lfd = sock();
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&srv, srv_len) || listen(lfd, 64)) {
		tap_ok(0, "a listener on %s port %d, protocol %d: %s", lo, PORT, proto,
		       strerrorname_np(errno));
		return tap_done();
	}
	tap_ok(1, "a listener on %s port %d, protocol %d", lo, PORT, proto);

	test_transfers(largest, big, seed);
	test_parallel(streams, plen);
	test_empty_reads();
	test_sndtimeo();
	test_blocking_send();
	test_recv_flags();
	test_vectors();
	test_queues();
	test_options();
	test_app_options();
	test_poll_and_reset();
	test_wakeups();
	close(lfd);
	return tap_done();
}
