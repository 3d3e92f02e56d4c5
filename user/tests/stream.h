/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The transfer engine of the stream tests (stream.c, stream_netns.c): the data, the I/O
 * and the verification of a transfer, and the counters.
 *
 * A transfer sends a 16-byte header (length and seed, big endian), then the xorshift64
 * stream of that seed in chunks of 1 byte to 64 KiB, and the receiver answers the number
 * of bytes it verified (8 bytes) before either side closes: teardown is not relied on.
 * Each end (struct end) runs sender() or receiver() in a thread of its own, on a
 * blocking socket or on a non-blocking one waiting in epoll (edge-triggered); an end
 * that fails closes its socket with RST so that the other fails rather than waits.
 *
 * The counters are xtcp's (/proc/net/xtcp_stat) with -p 253, and Linux's own
 * equivalents (/proc/net/snmp, /proc/net/netstat) with -p 6: see counter().
 *
 * The including program sets proto and timeout (seconds a non-blocking end waits in
 * epoll for an event); each chunk moved is progress for the library's watchdog.
 */
#ifndef XTCP_STREAM_H
#define XTCP_STREAM_H

#include <fcntl.h>
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "tap.h"
#include "xtcp_test.h"

#define CHUNK		65536
#define MiB		(1024 * 1024)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int proto = IPPROTO_XTCP, timeout = 120;
/* the sockets' family (stream -6: IPv6) */
static int family = AF_INET;

static void msleep(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int setint(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

/* The int option @name at @level of @fd; -1 if it cannot be read. */
static inline int getint(int fd, int level, int name)
{
	socklen_t len = sizeof(int);
	int v;

	return getsockopt(fd, level, name, &v, &len) ? -1 : v;
}

/* The bytes queued to read on @fd (FIONREAD, which is SIOCINQ); -1 on error. */
static inline int inq(int fd)
{
	int n;

	return ioctl(fd, FIONREAD, &n) ? -1 : n;
}

/* The local and remote ports of @fd (0 where there is none), as /proc shows them. */
static inline void local_remote(int fd, int *lport, int *rport)
{
	struct sockaddr_in6 a;	/* the port lies where struct sockaddr_in has it */
	socklen_t len = sizeof(a);

	*lport = *rport = 0;
	if (!getsockname(fd, (struct sockaddr *)&a, &len))
		*lport = ntohs(a.sin6_port);
	len = sizeof(a);
	if (!getpeername(fd, (struct sockaddr *)&a, &len))
		*rport = ntohs(a.sin6_port);
}

/* The poll events @ev into @buf as "POLLIN|POLLOUT", or "none". */
static inline const char *events_str(int ev, char *buf)
{
	static const struct { int bit; const char *name; } names[] = {
		{ POLLIN, "IN" }, { POLLPRI, "PRI" }, { POLLOUT, "OUT" }, { POLLERR, "ERR" },
		{ POLLHUP, "HUP" }, { POLLNVAL, "NVAL" }, { POLLRDHUP, "RDHUP" },
	};
	size_t i;

	buf[0] = 0;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (ev & names[i].bit)
			sprintf(buf + strlen(buf), "%sPOLL%s", buf[0] ? "|" : "", names[i].name);
	if (!buf[0])
		sprintf(buf, "none");
	return buf;
}

/* A size with an optional K, M or G suffix. */
static uint64_t parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	switch (*end) {
	case 'G': case 'g':
		v *= 1024;
		/* fall through */
	case 'M': case 'm':
		v *= 1024;
		/* fall through */
	case 'K': case 'k':
		v *= 1024;
	}
	return v;
}

static char *fmt_size(uint64_t n, char *buf)
{
	if (n >= MiB && n % MiB == 0)
		sprintf(buf, "%llu MiB", (unsigned long long)(n / MiB));
	else if (n == 1)
		sprintf(buf, "1 byte");
	else
		sprintf(buf, "%llu bytes", (unsigned long long)n);
	return buf;
}

/* ---- the data: a xorshift64 stream per transfer ---- */

static uint64_t xs_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

struct gen {
	uint64_t state, word;
	unsigned int left;
};

static void gen_init(struct gen *g, uint64_t seed)
{
	g->state = seed | 1;
	g->left = 0;
}

static void gen_fill(struct gen *g, unsigned char *p, size_t n)
{
	uint64_t w;
	int i;

	for (; n && g->left; n--, g->left--, g->word >>= 8)
		*p++ = g->word;
	for (; n >= 8; n -= 8) {
		w = xs_next(&g->state);
		for (i = 0; i < 8; i++, w >>= 8)
			*p++ = w;
	}
	if (n) {
		g->word = xs_next(&g->state);
		for (g->left = 8; n; n--, g->left--, g->word >>= 8)
			*p++ = g->word;
	}
}

static void put_be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = v;
}

static uint64_t get_be64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* The seed of the next transfer: the same sequence in every run. */
static uint64_t next_seed(void)
{
	static uint64_t s = 0x9e3779b97f4a7c15ULL;

	return xs_next(&s);
}

/* ---- I/O on blocking sockets, or on non-blocking ones waiting in epoll (edge-triggered) ---- */

struct io {
	int fd, ep;
};

static int io_open(struct io *io, int fd, int nb)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET };
	int fl = fcntl(fd, F_GETFL);

	io->fd = fd;
	io->ep = -1;
	if (fl < 0 || fcntl(fd, F_SETFL, nb ? fl | O_NONBLOCK : fl & ~O_NONBLOCK))
		return -1;
	if (!nb)
		return 0;
	io->ep = epoll_create1(0);
	ev.data.fd = fd;
	return io->ep < 0 ? -1 : epoll_ctl(io->ep, EPOLL_CTL_ADD, fd, &ev);
}

static void io_close(struct io *io)
{
	if (io->ep >= 0)
		close(io->ep);
	io->ep = -1;
}

/* After EAGAIN on a non-blocking socket: wait for its next event. */
static int io_wait(struct io *io)
{
	struct epoll_event ev;
	int n;

	if (io->ep < 0) {
		errno = EAGAIN;
		return -1;
	}
	do
		n = epoll_wait(io->ep, &ev, 1, timeout * 1000);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		errno = ETIMEDOUT;
	return n > 0 ? 0 : -1;
}

static int io_send(struct io *io, const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t k;

	while (n) {
		k = send(io->fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && (errno == EINTR || (errno == EAGAIN && !io_wait(io))))
			continue;
		if (k < 0)
			return -1;
		p += k;
		n -= k;
	}
	return 0;
}

/* Some bytes, at most @n; 0 at end of stream. */
static ssize_t io_recv(struct io *io, void *buf, size_t n)
{
	ssize_t k;

	for (;;) {
		k = recv(io->fd, buf, n, 0);
		if (k < 0 && (errno == EINTR || (errno == EAGAIN && !io_wait(io))))
			continue;
		return k;
	}
}

static int io_recv_all(struct io *io, void *buf, size_t n)
{
	char *p = buf;
	ssize_t k;

	while (n) {
		k = io_recv(io, p, n);
		if (k == 0)
			errno = ENODATA;	/* end of stream: never expected here */
		if (k <= 0)
			return -1;
		p += k;
		n -= k;
	}
	return 0;
}

/* ---- a transfer: each end runs in its own thread ---- */

struct end {
	int fd, nb;
	int file;		/* sender: sendfile() the data from this file if >= 0 */
	uint64_t len, seed;	/* the transfer; the receiver checks the header against them */
	uint64_t done;		/* bytes of data sent or received so far */
	/* receiver: bytes verified before the first mismatch; sender: the count confirmed */
	uint64_t good;
	int err;		/* errno of the call that failed, or 0 */
	const char *what;	/* that call */
	/*
	 * receiver: after @pause_after bytes stop reading for @pause_ms (> 1100), and
	 * meanwhile sample the sender's progress @peer_done at +1 s and 0.1 s before the
	 * end into @stall
	 */
	uint64_t pause_after, *peer_done, stall[2];
	int pause_ms;
};

static const char * const modes[] = {
	"blocking->blocking", "epoll->blocking", "blocking->epoll", "epoll->epoll"
};

/* An end of a transfer of @len bytes of the stream @seed; @nb: non-blocking, in epoll. */
static void end_init(struct end *e, int fd, int nb, uint64_t len, uint64_t seed)
{
	memset(e, 0, sizeof(*e));
	e->fd = fd;
	e->nb = nb;
	e->file = -1;
	e->len = len;
	e->seed = seed;
}

/* Give up an end: close it with RST so that the other end fails rather than waits. */
static void *end_fail(struct end *e, const char *what)
{
	struct linger lin = { .l_onoff = 1, .l_linger = 0 };

	e->err = errno ? errno : EIO;
	e->what = what;
	setsockopt(e->fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
	close(e->fd);
	e->fd = -1;
	return NULL;
}

static int send_file(struct io *io, struct end *e)
{
	off_t off = 0;
	ssize_t k;

	while (e->done < e->len) {
		k = sendfile(io->fd, e->file, &off, e->len - e->done < CHUNK ?
			     e->len - e->done : CHUNK);
		if (k < 0 && (errno == EINTR || (errno == EAGAIN && !io_wait(io))))
			continue;
		if (k <= 0)
			return -1;
		__atomic_store_n(&e->done, e->done + k, __ATOMIC_RELAXED);
		watchdog_progress();
	}
	return 0;
}

static void *sender(void *arg)
{
	struct end *e = arg;
	unsigned char hdr[16], *buf = malloc(CHUNK);
	uint64_t sizes = e->seed ^ 0x2545f4914f6cdd1dULL, n;
	struct gen data;
	struct io io;

	errno = 0;
	if (!buf || io_open(&io, e->fd, e->nb)) {
		free(buf);
		return end_fail(e, "fcntl/epoll");
	}
	put_be64(hdr, e->len);
	put_be64(hdr + 8, e->seed);
	if (io_send(&io, hdr, 16)) {
		end_fail(e, "send of the header");
		goto out;
	}
	gen_init(&data, e->seed);
	if (e->file >= 0 && send_file(&io, e)) {
		end_fail(e, "sendfile");
		goto out;
	}
	while (e->done < e->len) {
		n = 1 + xs_next(&sizes) % CHUNK;
		if (n > e->len - e->done)
			n = e->len - e->done;
		gen_fill(&data, buf, n);
		if (io_send(&io, buf, n)) {
			end_fail(e, "send");
			goto out;
		}
		__atomic_store_n(&e->done, e->done + n, __ATOMIC_RELAXED);
		watchdog_progress();
	}
	if (io_recv_all(&io, hdr, 8)) {
		end_fail(e, "recv of the confirmation");
		goto out;
	}
	e->good = get_be64(hdr);
out:
	io_close(&io);
	free(buf);
	return NULL;
}

static void *receiver(void *arg)
{
	struct end *e = arg;
	unsigned char hdr[16], *buf = malloc(CHUNK), *exp = malloc(CHUNK);
	uint64_t sizes = e->seed ^ 0x853c49e6748fea9bULL, n;
	int mismatch = 0, paused = 0;
	struct gen data;
	struct io io;
	ssize_t k, i;

	errno = 0;
	if (!buf || !exp || io_open(&io, e->fd, e->nb)) {
		free(buf);
		free(exp);
		return end_fail(e, "fcntl/epoll");
	}
	if (io_recv_all(&io, hdr, 16)) {
		end_fail(e, "recv of the header");
		goto out;
	}
	if (get_be64(hdr) != e->len) {
		errno = EBADMSG;
		end_fail(e, "the header's length");
		goto out;
	}
	gen_init(&data, get_be64(hdr + 8));
	while (e->done < e->len) {
		if (e->pause_ms && !paused && e->done >= e->pause_after) {
			paused = 1;
			msleep(1000);
			e->stall[0] = __atomic_load_n(e->peer_done, __ATOMIC_RELAXED);
			msleep(e->pause_ms - 1100);
			e->stall[1] = __atomic_load_n(e->peer_done, __ATOMIC_RELAXED);
			msleep(100);
		}
		n = 1 + xs_next(&sizes) % CHUNK;
		if (n > e->len - e->done)
			n = e->len - e->done;
		k = io_recv(&io, buf, n);
		if (k <= 0) {
			if (!k)
				errno = ENODATA;
			end_fail(e, k ? "recv" : "recv: end of stream");
			goto out;
		}
		gen_fill(&data, exp, k);
		if (!mismatch && memcmp(buf, exp, k)) {
			for (i = 0; buf[i] == exp[i]; i++)
				;
			e->good += i;
			mismatch = 1;
		} else if (!mismatch) {
			e->good += k;
		}
		__atomic_store_n(&e->done, e->done + k, __ATOMIC_RELAXED);
		watchdog_progress();
	}
	put_be64(hdr, e->good);
	if (io_send(&io, hdr, 8))
		end_fail(e, "send of the confirmation");
out:
	io_close(&io);
	free(buf);
	free(exp);
	return NULL;
}

/* Whether the transfer of @s to @r was verified and confirmed in full. */
static int end_ok(const struct end *s, const struct end *r)
{
	return !r->err && r->good == r->len && !s->err && s->good == s->len;
}

/* Why a transfer failed, into @buf: what each end saw; "" if it did not. */
static const char *end_why(const struct end *s, const struct end *r, char *buf, size_t size)
{
	int n = 0;

	buf[0] = 0;
	if (r->err)
		n = snprintf(buf, size, "receiver: %s: %s after %llu bytes", r->what,
			     strerrorname_np(r->err), (unsigned long long)r->done);
	else if (r->good != r->len)
		n = snprintf(buf, size, "first mismatch at byte %llu",
			     (unsigned long long)r->good);
	if (n < 0 || (size_t)n >= size)
		return buf;
	if (s->err)
		snprintf(buf + n, size - n, "%ssender: %s: %s after %llu bytes", n ? "; " : "",
			 s->what, strerrorname_np(s->err), (unsigned long long)s->done);
	else if (!n && s->good != s->len)
		snprintf(buf, size, "receiver confirmed %llu bytes", (unsigned long long)s->good);
	return buf;
}

/* Close both ends of a finished transfer. */
static void end_close(struct end *s, struct end *r)
{
	if (s->fd >= 0)
		close(s->fd);
	if (r->fd >= 0)
		close(r->fd);
}

/*
 * Run @n transfers at once, s[i] to r[i], each end in a thread; the ends are set up
 * (end_init()) and stay open.  Returns how many were verified; the first failure's
 * reason goes to @why ("" if none).
 */
static int run_ends(struct end *s, struct end *r, int n, char *why, size_t size)
{
	pthread_t *ts = calloc(n, sizeof(*ts)), *tr = calloc(n, sizeof(*tr));
	char w[300];
	int i, ok = 0;

	why[0] = 0;
	if (!ts || !tr) {
		free(ts);
		free(tr);
		snprintf(why, size, "out of memory");
		return 0;
	}
	for (i = 0; i < n; i++) {
		pthread_create(&tr[i], NULL, receiver, &r[i]);
		pthread_create(&ts[i], NULL, sender, &s[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(ts[i], NULL);
		pthread_join(tr[i], NULL);
		/* the accepted sockets pair with the clients in any order: compare the sums */
		end_why(&s[i], &r[i], w, sizeof(w));
		if (end_ok(&s[i], &r[i]))
			ok++;
		else if (!why[0])
			snprintf(why, size, "%s%s", n > 1 ? "a stream: " : "", w);
	}
	free(ts);
	free(tr);
	return ok;
}

/* ---- counters: xtcp's, or Linux TCP's for -p 6, of the calling thread's namespace ---- */

/* Whether the counter checks are made: on xtcp, and on Linux TCP against its own. */
static int have_counters(void)
{
	return proto == IPPROTO_XTCP || proto == IPPROTO_TCP;
}

/*
 * xtcp's counters that Linux TCP has under another name in /proc/net/netstat (TcpExt);
 * the others are in /proc/net/snmp (Tcp) under the same name.  Linux counts no SACK
 * blocks or duplicate ACKs: for those it is the recoveries they started.
 */
static const struct {
	const char *xtcp, *tcp;
} tcp_ext[] = {
	{ "WinProbe", "TCPWinProbe" },		/* zero-window probes sent */
	{ "FastRetrans", "TCPFastRetrans" },	/* segments retransmitted in recovery */
	{ "Timeouts", "TCPTimeouts" },		/* retransmission timeouts */
	{ "BacklogDrop", "TCPBacklogDrop" },	/* dropped: the socket's backlog was full */
	{ "LossProbes", "TCPLossProbes" },	/* tail-loss probes sent */
	{ "LossProbeRecovery", "TCPLossProbeRecovery" },	/* tails a probe recovered */
	{ "OutOfWindowIcmps", "OutOfWindowIcmps" },	/* ICMP errors for no segment in flight */
	{ "AckSkippedSeq", "TCPACKSkippedSeq" },	/* out-of-window answers skipped */
	{ "AckSkippedPAWS", "TCPACKSkippedPAWS" },
	{ "AckSkippedChallenge", "TCPACKSkippedChallenge" },
	{ "AckSkippedTimeWait", "TCPACKSkippedTimeWait" },
	{ "AckSkippedSynRecv", "TCPACKSkippedSynRecv" },
	{ "RcvDropped", "TCPRcvQDrop" },	/* dropped: no receive memory */
	{ "OFOQueue", "TCPOFOQueue" },		/* segments queued out of order */
	{ "SackRecv", "TCPSackRecovery" },	/* recoveries started by SACK blocks */
	{ "DupAcks", "TCPRenoRecovery" },	/* recoveries started by duplicate ACKs */
	{ "DupData", "TCPDSACKOldSent" },	/* D-SACKs sent for data received twice */
	{ "DSACKUndo", "TCPDSACKUndo" },	/* recoveries undone by D-SACKs */
	{ "FullUndo", "TCPFullUndo" },		/* ... at their end */
	/* teardown (teardown.c, teardown_netns.c) */
	{ "TW", "TW" },				/* TIME_WAITs: expired (Linux: begun) */
	{ "TWRecycled", "TWRecycled" },		/* TIME_WAIT 4-tuples taken by a connect */
	{ "TWKilled", "TWKilled" },		/* ended by a RST (Linux: begun, <= 4 s) */
	{ "TWOverflow", "TCPTimeWaitOverflow" },	/* closes that skipped TIME_WAIT */
	{ "AbortOnData", "TCPAbortOnData" },	/* RSTs for data after close() */
	{ "AbortOnClose", "TCPAbortOnClose" },	/* close() with unread data */
	{ "AbortOnLinger", "TCPAbortOnData" },	/* close() with SO_LINGER 0: Linux counts it so */
	{ "AbortOnTimeout", "TCPAbortOnTimeout" },	/* given up after timeouts */
	{ "AbortOnMemory", "TCPAbortOnMemory" },	/* closes reset for too many orphans */
	{ "ChallengeACK", "TCPChallengeACK" },	/* RFC 5961 challenge ACKs sent */
	{ "KeepAliveProbes", "TCPKeepAlive" },	/* keepalive probes sent */
};

/* The name counter(@name) reads: xtcp's, or Linux TCP's equivalent. */
static const char *counter_name(const char *name)
{
	size_t i;

	for (i = 0; proto == IPPROTO_TCP && i < ARRAY_SIZE(tcp_ext); i++)
		if (!strcmp(name, tcp_ext[i].xtcp))
			return tcp_ext[i].tcp;
	return name;
}

/*
 * The sockets' table of the protocol and family: /proc/net/xtcp, or /proc/net/tcp for
 * -p 6; xtcp6 and tcp6 for IPv6.
 */
static const char *proc_sockets(void)
{
	if (family == AF_INET6)
		return proto == IPPROTO_XTCP ? "/proc/net/" XTCP_PROC_SOCKETS6 : "/proc/net/tcp6";
	return proto == IPPROTO_XTCP ? "/proc/net/" XTCP_PROC_SOCKETS : "/proc/net/tcp";
}

/* The lines of @file as TAP comments, after a title line made of @fmt; none if unreadable. */
__attribute__((format(printf, 2, 3)))
static inline void dump_file(const char *file, const char *fmt, ...)
{
	char line[512];
	FILE *f = fopen(file, "r");
	va_list ap;
	size_t n;

	if (!f)
		return;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	while (fgets(line, sizeof(line), f)) {
		n = strlen(line);
		while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
			line[--n] = 0;	/* the rows are padded */
		printf("#   %s\n", line);
	}
	fclose(f);
	fflush(stdout);
}

/* Print the sockets' table (of the calling thread's namespace) as TAP comments. */
static void proc_dump(const char *what)
{
	dump_file(proc_sockets(), "%s: %s", what, proc_sockets());
}

/* Print the counters (of the calling thread's namespace) as TAP comments. */
static void stat_dump(const char *what)
{
	const char *file = proto == IPPROTO_XTCP ? "/proc/net/" XTCP_PROC_STAT : "/proc/net/snmp";
	char line[2048];
	FILE *f = fopen(file, "r");

	if (!f)
		return;
	printf("# %s: %s\n", what, file);
	while (fgets(line, sizeof(line), f))
		if (proto == IPPROTO_XTCP || !strncmp(line, "Tcp:", 4))
			printf("#   %s", line);
	fclose(f);
	fflush(stdout);
}

/* xtcp's counter @name, or for -p 6 Linux TCP's equivalent; -1 if missing. */
static long counter(const char *name)
{
	size_t i;

	if (proto == IPPROTO_XTCP)
		return xtcp_stat(name);
	for (i = 0; i < ARRAY_SIZE(tcp_ext); i++)
		if (!strcmp(name, tcp_ext[i].xtcp))
			return proc_counter("/proc/net/netstat", "TcpExt", tcp_ext[i].tcp);
	return proc_counter("/proc/net/snmp", "Tcp", name);
}

#endif
