// SPDX-License-Identifier: GPL-2.0
/*
 * soak: connections churned for a while over a veth pair whose both ends lose, reorder,
 * duplicate and corrupt packets (netem), with every byte checked end to end.
 *
 *   soak [-p PROTO] [-t SECONDS] [-w WORKERS]      (default 600 s, 8 workers)
 *
 * Client workers (namespace xtcp-kc, 10.79.0.1) connect, again and again, to four
 * echo listeners (namespace xtcp-ks, 10.79.0.2, ports 7100-7103) and play one of:
 *   normal       send 1 B .. 256 KiB, half-close, read the echo to its end
 *   linger0      the same, then close with SO_LINGER 0 (a RST instead of a FIN)
 *   client abort abort (SO_LINGER 0) after some of the bytes
 *   early close  close() after part of the echo, unread data left (a RST, as Linux)
 *   server abort the server aborts after echoing part of it
 * Both ends check each byte (a function of its position and the connection's seed).
 * Meanwhile each listener is closed and opened again every 15-30 s (what its queue
 * held is reset), a pair of namespaces with transfers under way is deleted every
 * 20-40 s (its processes killed), and rmmod is tried every 3 s (it must be refused).
 *
 * A connection fails if a byte is wrong, if a normal one ends before its echo's end
 * other than by a listener's close, or if it makes no progress for 120 s.  The last
 * lines are TAP results; scripts/soak runs it in the debug guest, with the fuzzer.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "tap.h"
#include "xtcp_test.h"

#define CLIENT_IP	"10.79.0.1"
#define SERVER_IP	"10.79.0.2"
#define PORT0		7100
#define NPORTS		4
#define MAGIC		0x78746370u	/* "xtcp" */
#define STALL_S		120		/* no progress for this long: a failure */
#define MAXLEN		(256 * 1024)

enum mode { M_NORMAL, M_LINGER0, M_CLIENT_ABORT, M_EARLY_CLOSE, M_SERVER_ABORT, NMODES };
static const char *const mode_names[NMODES] = {
	"normal", "linger0", "client abort", "early close", "server abort",
};

struct hdr {
	uint32_t magic, len, mode, seed, k;	/* k: where an abort or early close comes */
};

static int proto = IPPROTO_XTCP;
static int ns_client, ns_server;
static volatile int stopping;

/* tallies, atomic */
static long done[NMODES], failed[NMODES], reset_by_listener, refused_by_listener;
static long bytes_sent, bytes_echoed, wrong_bytes, server_wrong, stalls;
static long listener_closes, ns_deleted, rmmod_refused, rmmod_succeeded;
static long server_threads;
/*
 * connect()s refused with no listener closed meanwhile: a RST|ACK answered the SYN.
 * A few in a thousand on this path, for Linux TCP (soak -p 6) as for xtcp (see the
 * README); a bound on their share is checked.
 */
static long refused_syn;
/*
 * A closed listener's port refused to the next one (EADDRINUSE) for a while: Linux TCP's
 * is too, in the same soak (soak -p 6); counted, not failed.
 */
static long relisten_failed;
/* bumped at each close and reopen: odd while a listener is closed */
static unsigned int listener_gen[NPORTS];

#define ADD(v, n) __atomic_add_fetch(&(v), (n), __ATOMIC_RELAXED)
#define GET(v) __atomic_load_n(&(v), __ATOMIC_RELAXED)

static uint8_t pat(uint32_t seed, uint32_t i)
{
	return (uint8_t)(((i + seed) * 0x9E3779B1u) >> 24);
}

static void pat_fill(uint8_t *b, uint32_t seed, uint32_t from, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = pat(seed, from + (uint32_t)i);
}

/* Bytes of @b that differ from the pattern at @from. */
static long pat_bad(const uint8_t *b, uint32_t seed, uint32_t from, size_t n)
{
	long bad = 0;
	size_t i;

	for (i = 0; i < n; i++)
		bad += b[i] != pat(seed, from + (uint32_t)i);
	return bad;
}

static int poll1(int fd, short ev, int ms)
{
	struct pollfd p = { .fd = fd, .events = ev };

	return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

/* ---- the server ---- */

static void *serve(void *arg)
{
	int fd = (int)(long)arg;
	static __thread uint8_t buf[65536];
	struct hdr h;
	size_t got = 0, have = 0, off = 0;
	uint32_t pos = 0;	/* bytes of data read */
	uint32_t echoed = 0;
	double last = now();
	ssize_t n;
	int eof = 0, ev;

	while (got < sizeof(h)) {
		if (!(poll1(fd, POLLIN, 1000) & (POLLIN | POLLHUP | POLLERR))) {
			if (now() - last > STALL_S || GET(stopping) > 1)
				goto out;
			continue;
		}
		n = recv(fd, (char *)&h + got, sizeof(h) - got, MSG_DONTWAIT);
		if (n <= 0)
			goto out;
		got += n;
		last = now();
	}
	if (h.magic != MAGIC) {
		ADD(server_wrong, 1);
		goto out;
	}
	while (!eof || off < have) {
		ev = poll1(fd, POLLIN | (off < have ? POLLOUT : 0), 1000);
		if (!ev) {
			if (now() - last > STALL_S || GET(stopping) > 1)
				break;
			continue;
		}
		if (ev & POLLOUT && off < have) {
			n = send(fd, buf + off, have - off, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN)
				break;
			if (n > 0) {
				off += n;
				echoed += n;
				last = now();
				if (h.mode == M_SERVER_ABORT && echoed >= h.k) {
					abort_fd(fd);
					fd = -1;
					break;
				}
			}
		}
		if (off == have)
			off = have = 0;
		if (ev & (POLLIN | POLLHUP | POLLERR) && !eof && have < sizeof(buf)) {
			n = recv(fd, buf + have, sizeof(buf) - have, MSG_DONTWAIT);
			if (n == 0)
				eof = 1;
			else if (n < 0 && errno != EAGAIN)
				break;
			if (n > 0) {
				if (pat_bad(buf + have, h.seed, pos, n))
					ADD(server_wrong, 1);
				pos += n;
				have += n;
				last = now();
			}
		}
	}
out:
	if (fd >= 0)
		close(fd);
	ADD(server_threads, -1);
	return NULL;
}

static int listen_port(int port)
{
	struct sockaddr_in a = sin_of(SERVER_IP, port);
	int fd = socket(AF_INET, SOCK_STREAM, proto), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 128)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* One listener's thread: accept, a thread per connection; closed and opened again. */
static void *acceptor(void *arg)
{
	int i = (int)(long)arg, lfd, fd;
	double reopen;
	pthread_t t;

	netns_enter(ns_server);
	lfd = listen_port(PORT0 + i);
	reopen = now() + 15 + random() % 16;
	while (!GET(stopping)) {
		if (now() > reopen) {
			ADD(listener_gen[i], 1);
			close(lfd);		/* its queue is reset */
			ADD(listener_closes, 1);
			usleep(300000);
			lfd = listen_port(PORT0 + i);
			if (lfd < 0) {
				printf("# the listener on port %d: %s\n", PORT0 + i,
				       strerror(errno));
				ADD(relisten_failed, 1);
			} else {
				ADD(listener_gen[i], 1);
			}
			reopen = now() + 15 + random() % 16;
		}
		if (lfd < 0) {		/* try again */
			usleep(500000);
			lfd = listen_port(PORT0 + i);
			if (lfd >= 0)
				ADD(listener_gen[i], 1);
			continue;
		}
		if (!(poll1(lfd, POLLIN, 200) & POLLIN))
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
		if (fd < 0)
			continue;
		ADD(server_threads, 1);
		if (pthread_create(&t, NULL, serve, (void *)(long)fd)) {
			ADD(server_threads, -1);
			close(fd);
			continue;
		}
		pthread_detach(t);
	}
	if (lfd >= 0)
		close(lfd);
	return NULL;
}

/* ---- the clients ---- */

/* A stalled connection: what each end's row of /proc/net/xtcp says. */
static void stall_dump(int fd, const struct hdr *h, uint32_t sent, uint32_t rcvd)
{
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	char line[512], port[16];
	FILE *f;
	int pass;

	getsockname(fd, (struct sockaddr *)&me, &ml);
	snprintf(port, sizeof(port), ":%04X ", ntohs(me.sin_port));
	printf("# stalled: %s connection from port %u, %u of %u bytes sent, %u echoed\n",
	       mode_names[h->mode], ntohs(me.sin_port), sent, h->len, rcvd);
	for (pass = 0; pass < 2; pass++) {
		netns_enter(pass ? ns_server : ns_client);
		f = fopen("/proc/thread-self/net/" XTCP_PROC_SOCKETS, "r");
		while (f && fgets(line, sizeof(line), f))
			if (strstr(line, port))
				printf("#   %s: %s", pass ? "server" : "client", line);
		if (f)
			fclose(f);
	}
	netns_enter(ns_client);
}

/*
 * One connection from local port @lport: 1 if it went as its mode says, 0 if a
 * listener's close ended it, -1 if neither; -2 if @lport is taken (a TIME_WAIT).
 */
static int one_conn(unsigned int *rs, int lport)
{
	static __thread uint8_t out[16384], in[16384];
	int port = rand_r(rs) % NPORTS, fd, ev, eof = 0, shut = 0, one = 1;
	unsigned int gen = GET(listener_gen[port]);
	struct sockaddr_in a = sin_of(SERVER_IP, PORT0 + port);
	struct sockaddr_in me = sin_of(CLIENT_IP, lport);
	int idle = 5, intvl = 2, cnt = 5;
	struct hdr h = { .magic = MAGIC };
	uint32_t sent = 0, rcvd = 0, hsent = 0, n;
	double last = now();
	ssize_t r;
	int err = 0, res;

	h.len = 1 + (uint32_t)(rand_r(rs) % (rand_r(rs) % 4 ? 16384 : MAXLEN));
	h.mode = rand_r(rs) % 10 < 5 ? M_NORMAL : 1 + rand_r(rs) % (NMODES - 1);
	h.seed = rand_r(rs);
	h.k = rand_r(rs) % h.len;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, proto);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&me, sizeof(me))) {
		close(fd);
		return -2;
	}
	setsockopt(fd, proto, TCP_NODELAY, &one, sizeof(one));
	/* a peer's RST lost while this end has nothing to send: keepalive finds out */
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, proto, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, proto, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, proto, TCP_KEEPCNT, &cnt, sizeof(cnt));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	for (;;) {
		ev = poll1(fd, POLLIN | (sent < h.len ? POLLOUT : 0), 1000);
		if (!ev) {
			if (now() - last > STALL_S) {
				ADD(stalls, 1);
				err = ETIME;
				stall_dump(fd, &h, sent, rcvd);
				break;
			}
			continue;
		}
		if (ev & POLLERR) {
			socklen_t l = sizeof(err);

			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
			if (err)
				break;
		}
		if (ev & POLLOUT && sent < h.len) {
			if (hsent < sizeof(h)) {
				r = send(fd, (char *)&h + hsent, sizeof(h) - hsent,
					 MSG_DONTWAIT | MSG_NOSIGNAL);
				if (r > 0)
					hsent += r;
			} else {
				n = h.len - sent < sizeof(out) ? h.len - sent : sizeof(out);
				if (h.mode == M_CLIENT_ABORT && sent + n > h.k)
					n = h.k - sent;
				pat_fill(out, h.seed, sent, n);
				r = n ? send(fd, out, n, MSG_DONTWAIT | MSG_NOSIGNAL) : 0;
				if (r > 0) {
					sent += r;
					ADD(bytes_sent, r);
					last = now();
				}
				if (h.mode == M_CLIENT_ABORT && sent >= h.k) {
					abort_fd(fd);
					ADD(done[h.mode], 1);
					return 1;
				}
			}
			if (r < 0 && errno != EAGAIN) {
				err = errno;
				break;
			}
		}
		if (sent == h.len && !shut) {
			shutdown(fd, SHUT_WR);		/* half-close: the echo goes on */
			shut = 1;
		}
		if (ev & (POLLIN | POLLHUP | POLLERR)) {
			r = recv(fd, in, sizeof(in), MSG_DONTWAIT);
			if (r == 0) {
				eof = 1;
				break;
			}
			if (r < 0 && errno != EAGAIN) {
				err = errno;
				break;
			}
			if (r > 0) {
				if (pat_bad(in, h.seed, rcvd, r))
					ADD(wrong_bytes, pat_bad(in, h.seed, rcvd, r));
				rcvd += r;
				ADD(bytes_echoed, r);
				last = now();
				if (h.mode == M_EARLY_CLOSE && rcvd >= h.k && rcvd < h.len) {
					close(fd);	/* unread data: a RST */
					ADD(done[h.mode], 1);
					return 1;
				}
			}
		}
	}
	if (h.mode == M_LINGER0 && eof)
		abort_fd(fd);
	else
		close(fd);
	if (eof && rcvd == h.len)
		res = h.mode != M_SERVER_ABORT || h.k >= h.len ? 1 : -1;
	else if (h.mode == M_SERVER_ABORT && (err == ECONNRESET || err == EPIPE))
		res = 1;
	else if ((err == ECONNRESET || err == ECONNREFUSED || err == EPIPE) &&
		 (gen & 1 || GET(listener_gen[port]) != gen))
		res = 0;
	else if (err == ECONNREFUSED && !rcvd)
		res = -3;
	else
		res = -1;
	if (res == 0)
		ADD(*(err == ECONNREFUSED ? &refused_by_listener : &reset_by_listener), 1);
	if (res == -3) {
		/* see refused_syn */
		ADD(refused_syn, 1);
		return res;
	}
	if (res < 0 && GET(failed[h.mode]) < 5)
		printf("# %s connection to port %d: %u of %u bytes echoed, %s\n",
		       mode_names[h.mode], PORT0 + port, rcvd, h.len,
		       eof ? "then the end of the stream" : strerror(err));
	ADD(*(res < 0 ? &failed[h.mode] : &done[h.mode]), 1);
	return res;
}

/*
 * A worker's connections go from ports of its own, in turn (2000 of them): a port
 * comes back after minutes, when a request or connection the server may still hold
 * for it (its RST lost) has an ISN far from the new one.  A port reused within
 * milliseconds gets an ISN inside that old window, and its SYN is answered with a
 * RST, by Linux TCP as by xtcp (tcp_check_req()).
 */
static void *worker(void *arg)
{
	int w = (int)(long)arg, i = 0;
	unsigned int rs = (unsigned int)w * 7919u ^ (unsigned int)getpid();

	netns_enter(ns_client);
	while (!GET(stopping))
		one_conn(&rs, 20000 + w * 2000 + i++ % 2000);
	return NULL;
}

/* ---- a namespace deleted mid-flight ---- */

/* The child: 4 connections between namespaces @a and @b, pumping until killed. */
static void pump(int a, int b)
{
	struct sockaddr_in srv = sin_of("10.80.0.2", 7200);
	int l, c[4], s[4], i, one = 1;
	static uint8_t buf[16384];

	netns_enter(b);
	l = socket(AF_INET, SOCK_STREAM, proto);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&srv, sizeof(srv)) || listen(l, 8))
		_exit(1);
	netns_enter(a);
	for (i = 0; i < 4; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM, proto);
		if (connect(c[i], (struct sockaddr *)&srv, sizeof(srv)))
			_exit(1);
		s[i] = accept(l, NULL, NULL);
		fcntl(c[i], F_SETFL, O_NONBLOCK);
		fcntl(s[i], F_SETFL, O_NONBLOCK);
	}
	for (;;)
		for (i = 0; i < 4; i++) {
			send(c[i], buf, sizeof(buf), MSG_NOSIGNAL);
			send(s[i], buf, sizeof(buf) / 2, MSG_NOSIGNAL);
			recv(s[i], buf, sizeof(buf), 0);
			recv(c[i], buf, sizeof(buf), 0);
		}
}

static void *ns_killer(void *arg)
{
	char na[32], nb[32];
	const char *ns[2] = { na, nb }, *dev[2] = { "kd0", "kd1" };
	const char *ip[2] = { "10.80.0.1/24", "10.80.0.2/24" };
	double next = now() + 20 + random() % 21;
	int fd[2], st, i = 0;
	pid_t pid;

	(void)arg;
	while (!GET(stopping)) {
		usleep(200000);
		if (now() < next)
			continue;
		next = now() + 20 + random() % 21;
		snprintf(na, sizeof(na), "xtcp-kd%da", i);
		snprintf(nb, sizeof(nb), "xtcp-kd%db", i++);
		if (netns_veth(ns, dev, ip, fd) ||
		    sh("tc -n %s qdisc add dev kd0 root netem delay 5ms loss 5%%", na))
			continue;
		pid = fork();
		if (pid == 0)
			pump(fd[0], fd[1]);
		usleep(1000000 + random() % 2000000);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		close(fd[0]);
		close(fd[1]);
		netns_del(ns);		/* its sockets go with it, data still in flight */
		ADD(ns_deleted, 1);
	}
	return NULL;
}

/* ---- rmmod, every 3 s: refused while xtcp is in use ---- */

static void *rmmod_try(void *arg)
{
	(void)arg;
	while (!GET(stopping)) {
		sleep(3);
		if (syscall(SYS_delete_module, XTCP_MODULE_NAME, O_NONBLOCK) == 0)
			ADD(rmmod_succeeded, 1);
		else
			ADD(rmmod_refused, 1);
	}
	return NULL;
}

static const char *const counted[] = {
	"ActiveOpens", "PassiveOpens", "AttemptFails", "EstabResets", "OutRsts",
	"InCsumErrors", "RetransSegs", "FastRetrans", "Timeouts", "LossProbes", "DupData",
	"OFOQueue", "SackRecv", "AbortOnData", "AbortOnClose", "AbortOnLinger", "TW",
};
#define NCOUNTED (int)(sizeof(counted) / sizeof(counted[0]))

static void counters(const char *who, int ns)
{
	int i;

	netns_enter(ns);
	printf("# %s's counters:", who);
	for (i = 0; i < NCOUNTED; i++)
		printf("%s %s %ld", i % 6 ? "," : "\n#  ", counted[i], xtcp_stat(counted[i]));
	printf("\n");
}

int main(int argc, char **argv)
{
	static const char *const ns[2] = { "xtcp-kc", "xtcp-ks" }, *dev[2] = { "kc0", "ks0" };
	static const char *const ip[2] = { CLIENT_IP "/24", SERVER_IP "/24" };
	int secs = 600, workers = 8, opt, fd[2], i, self;
	pthread_t acc[NPORTS], wk[64], nk, rm;
	long total = 0, bad = 0;
	double t0;

	while ((opt = getopt(argc, argv, "p:t:w:")) != -1) {
		switch (opt) {
		case 'p': proto = atoi(optarg); break;
		case 't': secs = atoi(optarg); break;
		case 'w': workers = atoi(optarg) > 64 ? 64 : atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-p PROTO] [-t SECONDS] [-w WORKERS]\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	srandom(getpid());
	self = open("/proc/self/ns/net", O_RDONLY);
	if (!tap_ok(netns_veth(ns, dev, ip, fd) == 0 &&
		    sh("tc -n xtcp-kc qdisc add dev kc0 root netem delay 2ms 1ms loss 10%% "
		       "duplicate 5%% corrupt 2%% reorder 25%% 50%%") == 0 &&
		    sh("tc -n xtcp-ks qdisc add dev ks0 root netem delay 2ms 1ms loss 10%% "
		       "duplicate 5%% corrupt 2%% reorder 25%% 50%%") == 0,
		    "two namespaces over veth; netem on both ends: 10%% loss, 5%% duplicated, "
		    "2%% corrupted, 25%% reordered"))
		return tap_done();
	ns_client = fd[0];
	ns_server = fd[1];
	watchdog_start(NULL, NULL);
	watchdog_step("the soak", secs + 3 * STALL_S);

	t0 = now();
	for (i = 0; i < NPORTS; i++)
		pthread_create(&acc[i], NULL, acceptor, (void *)(long)i);
	usleep(200000);
	for (i = 0; i < workers; i++)
		pthread_create(&wk[i], NULL, worker, (void *)(long)i);
	pthread_create(&nk, NULL, ns_killer, NULL);
	pthread_create(&rm, NULL, rmmod_try, NULL);
	while (now() - t0 < secs) {
		sleep(30);
		for (total = 0, bad = 0, i = 0; i < NMODES; i++) {
			total += GET(done[i]);
			bad += GET(failed[i]);
		}
		printf("# %.0f s: %ld connections, %ld failed; %ld MB sent, %ld MB echoed; "
		       "%ld listener closes, %ld namespaces deleted, rmmod refused %ld times\n",
		       now() - t0, total, bad, GET(bytes_sent) >> 20, GET(bytes_echoed) >> 20,
		       GET(listener_closes), GET(ns_deleted), GET(rmmod_refused));
	}
	ADD(stopping, 1);
	for (i = 0; i < workers; i++)
		pthread_join(wk[i], NULL);
	pthread_join(nk, NULL);
	pthread_join(rm, NULL);
	for (i = 0; i < NPORTS; i++)
		pthread_join(acc[i], NULL);
	ADD(stopping, 1);
	wait_for(GET(server_threads) == 0, 10);
	watchdog_step(NULL, 0);

	for (total = 0, bad = 0, i = 0; i < NMODES; i++) {
		total += done[i];
		bad += failed[i];
		printf("# %s: %ld went as they should, %ld failed\n", mode_names[i], done[i],
		       failed[i]);
	}
	tap_ok(total > 100 && !bad, "%ld connections in %.0f s by %d workers, each as its mode "
	       "says (or ended by a listener's close: %ld reset, %ld refused); %ld failed",
	       total, now() - t0, workers, reset_by_listener, refused_by_listener, bad);
	tap_ok(!wrong_bytes && !server_wrong && bytes_echoed > 0,
	       "every byte checked at both ends: %ld MB sent, %ld MB echoed, %ld wrong at the "
	       "client, %ld connections with wrong bytes at the server", bytes_sent >> 20,
	       bytes_echoed >> 20, wrong_bytes, server_wrong);
	tap_ok(refused_syn * 100 <= total * 3,
	       "connect()s refused without a listener's close: %ld (%.1f %%, at most 3 %%)",
	       refused_syn, total ? 100.0 * refused_syn / total : 0);
	tap_ok(!stalls, "no connection stalled for %d s (%ld did)", STALL_S, stalls);
	tap_ok(done[M_LINGER0] && done[M_CLIENT_ABORT] && done[M_EARLY_CLOSE] &&
	       done[M_SERVER_ABORT] && listener_closes,
	       "aborts, linger 0, early closes with unread data and %ld listener closes "
	       "all happened (%ld reopenings found the port in use at first, as Linux "
	       "TCP's do here)", listener_closes, relisten_failed);
	tap_ok(ns_deleted > 0 || secs < 60, "%ld namespaces deleted with transfers under way",
	       ns_deleted);
	tap_ok(rmmod_refused > 0 && !rmmod_succeeded,
	       "rmmod refused while xtcp is in use (%ld tries, %ld succeeded)",
	       rmmod_refused + rmmod_succeeded, rmmod_succeeded);
	counters("the client", ns_client);
	counters("the server", ns_server);
	netns_enter(self);
	netns_del(ns);
	return tap_done();
}
