// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz: mutated segments against xtcp in each state, from a peer on a tun device
 * (lib/xpeer.c), in a network namespace of its own.
 *
 *   fuzz [-p PROTO] [-n SEGMENTS] [-r PER_ROUND] [-S SEED]
 *
 * A round brings a connection (or the listener, or a request) into one state with
 * valid segments - LISTEN, SYN_RECV (a request), ESTABLISHED with data in flight both
 * ways, FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT - then sends
 * mutated segments at it (PER_ROUND at most, default 200, a tenth at least): flags, sequence and ACK numbers
 * around the window's edges and across the wrap, windows, payloads, options valid,
 * garbage, truncated and of zero length, SACK blocks, data offsets out of the segment,
 * and some bad checksums.  The states take turns until SEGMENTS (default 100000) went.
 *
 * What must hold (one TAP result each, the rounds of a state together):
 * - every byte the application reads is the byte the peer put at that sequence number
 *   (a payload byte is a function of its sequence number, so data accepted from any
 *   mutated segment can be checked);
 * - after each round the connection is alive - a valid ACK, then data, a write, or a
 *   repeated FIN gets its answer - or it ended by a rule: a RST the round sent, a SYN
 *   to a request, or the ACK of a LAST_ACK's FIN; the listener completes a handshake;
 * - every segment is counted: InSegs moved by the segments sent, InErrs by the
 *   malformed ones and those with a bad checksum, InCsumErrors by the latter.
 * The kernel's own checks (KASAN, lockdep, ...) are the harness's: scripts/vm fails
 * the run on any report.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "tap.h"
#include "xpeer.h"
#include "xtcp_test.h"

#define LOCAL_IP	"10.78.0.1"
#define PEER_IP		"10.78.0.2"
#define LPORT		9000		/* xtcp's listener */
#define PPORT		9100		/* the peer's port for xtcp's connect()s */

enum { ST_ESTABLISHED = 1, ST_SYN_SENT, ST_SYN_RECV, ST_FIN_WAIT1, ST_FIN_WAIT2,
       ST_TIME_WAIT, ST_CLOSE, ST_CLOSE_WAIT, ST_LAST_ACK, ST_LISTEN, ST_CLOSING };

static const char *const st_names[] = {
	"NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
	"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
};

/* the states a round fuzzes, in turn */
static const int round_states[] = {
	ST_LISTEN, ST_SYN_RECV, ST_ESTABLISHED, ST_FIN_WAIT1, ST_FIN_WAIT2, ST_CLOSE_WAIT,
	ST_LAST_ACK, ST_CLOSING, ST_TIME_WAIT,
};
#define NSTATES	(int)(sizeof(round_states) / sizeof(round_states[0]))

static int proto = IPPROTO_XTCP;
static struct xpeer peer;
static int lfd;
static uint64_t seed;
static int verbose;			/* -v: print every segment */

/* what the peer sent, for the counters */
static long sent, sent_malformed, sent_bad_csum;

/* per state: rounds, alive after, ended by a rule, failed; segments fuzzed */
static struct {
	long rounds, alive, ended, failed, segs;
} tally[16];

static long data_checked, data_bad;	/* bytes the application read, wrong ones */

static uint32_t rnd32(void)
{
	return (uint32_t)random() << 16 ^ (uint32_t)random();
}

static int rnd(int n)
{
	return (int)(random() % n);
}

/* 0 .. @n - 1 over 32 bits (0 if @n is 0) */
static uint32_t rndu(uint32_t n)
{
	return n ? rnd32() % n : 0;
}

/* The peer's payload byte at sequence number @seq. */
static uint8_t pat(uint32_t seq)
{
	return (uint8_t)((seq ^ seq >> 8 ^ seq >> 16 ^ seq >> 24) * 31 + 7);
}

/* One connection as the peer sees it. */
struct conn {
	int fd;				/* the application's socket, -1 once closed */
	uint16_t xport, pport;		/* xtcp's port, the peer's */
	uint32_t x_isn, x_nxt;		/* xtcp's ISN, the end of what it sent */
	uint32_t x_ack;			/* xtcp's last ACK: its rcv_nxt */
	uint32_t x_win;			/* its last window, scaled */
	uint32_t x_tsval;		/* its last TSval */
	int x_ws;			/* its window scale */
	uint32_t p_isn, p_nxt;		/* the peer's ISN, its next sequence number */
	uint32_t ts_max;		/* the newest TSval the peer sent */
	uint32_t wl1;			/* the latest sequence number of an acceptable
					 * ACK fuzzed: what xtcp's snd_wl1 may be */
	int ts;				/* timestamps on */
	int x_rst;			/* xtcp sent a RST */
	int x_syns;			/* SYNs and SYN-ACKs xtcp sent */
	uint32_t p_read;		/* the peer's bytes the application read */
};

static int after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* ---- the peer's segments ---- */

static uint8_t payload[1500];

/* Send @s (ports and data set by the caller); counted for the accounting. */
static void tx(struct xseg *s)
{
	int hlen = s->lie_doff ? s->doff_lie * 4 : 20 + ((s->optlen + 3) & ~3);
	int seglen = 20 + ((s->optlen + 3) & ~3) + s->len;

	if (verbose) {
		char f[16];

		printf("#   > %u>%u %s seq=%u ack=%u%s\n", s->sport, s->dport,
		       xseg_flags_str(s->flags, f), s->seq, s->ack, s->bad_csum || s->lie_doff ?
		       " (malformed)" : "");
	}
	if (xpeer_send(&peer, s)) {
		tap_ok(0, "the tun device takes a segment (%s)", strerror(errno));
		bail_out("sending");
	}
	sent++;
	if (hlen < 20 || hlen > seglen)
		sent_malformed++;
	else if (s->bad_csum)
		sent_bad_csum++;
}

/* Payload for a segment at @seq with @flags: a byte is a function of its number. */
static void fill(struct xseg *s, int flags, int len)
{
	uint32_t first = s->seq + !!(flags & F_SYN);
	int i;

	for (i = 0; i < len; i++)
		payload[i] = pat(first + i);
	s->data = payload;
	s->len = len;
}

/* A valid segment of @c: @flags, @seq, @ack, @len bytes, the timestamps if on. */
static void tx_valid(struct conn *c, int flags, uint32_t seq, uint32_t ack, int len)
{
	struct xseg s = { .sport = c->pport, .dport = c->xport, .seq = seq, .ack = ack,
			  .flags = flags, .win = 65535 };

	if (c->ts)
		xseg_opt_ts(&s, ++c->ts_max, c->x_tsval);
	fill(&s, flags, len);
	tx(&s);
}

/* ---- xtcp's segments ---- */

/* Note xtcp's segment @s in its connection @c (if it is one of @c's). */
static void track(struct conn *c, const struct xseg *s)
{
	const uint8_t *o;
	uint32_t end;
	int l;

	if (verbose) {
		char f[16];

		printf("#   < %u>%u %s seq=%u ack=%u len=%d\n", s->sport, s->dport,
		       xseg_flags_str(s->flags, f), s->seq, s->ack, s->len);
	}
	if (!c || s->sport != c->xport || s->dport != c->pport)
		return;
	if (s->flags & F_RST) {		/* its numbers are the segment's it answers */
		c->x_rst = 1;
		return;
	}
	if (s->flags & F_SYN) {
		c->x_syns++;
		c->x_isn = s->seq;
		o = xseg_opt_find(s, 3, &l);
		c->x_ws = o && l == 1 ? o[0] : 0;
	}
	end = s->seq + s->len + !!(s->flags & F_SYN) + !!(s->flags & F_FIN);
	if (after(end, c->x_nxt) || s->flags & F_SYN)
		c->x_nxt = end;
	if (s->flags & F_ACK) {
		c->x_ack = s->ack;
		c->x_win = (uint32_t)s->win << (s->flags & F_SYN ? 0 : c->x_ws);
	}
	o = xseg_opt_find(s, 8, &l);
	if (o && l == 8)
		c->x_tsval = ntohl(*(const uint32_t *)o);
}

/* Read what xtcp sent, noting @c's, until nothing comes for @ms. */
static void drain(struct conn *c, int ms)
{
	struct xseg s;

	while (!xpeer_recv(&peer, &s, ms))
		track(c, &s);
}

/*
 * Wait up to @ms for @c's segment matching @ok (others are noted on the way): 1 if
 * one came.
 */
static int wait_seg(struct conn *c, int (*ok)(const struct conn *, const struct xseg *),
		    int ms)
{
	double end = now() + ms / 1000.0;
	struct xseg s;
	int left;

	for (;;) {
		left = (int)((end - now()) * 1000);
		if (left <= 0 || xpeer_recv(&peer, &s, left))
			return 0;
		track(c, &s);
		if (s.sport == c->xport && s.dport == c->pport && ok(c, &s))
			return 1;
	}
}

static int is_syn(const struct conn *c, const struct xseg *s)
{
	(void)c;
	return (s->flags & (F_SYN | F_ACK)) == F_SYN;
}

static int is_synack(const struct conn *c, const struct xseg *s)
{
	(void)c;
	return (s->flags & (F_SYN | F_ACK)) == (F_SYN | F_ACK);
}

static int is_fin(const struct conn *c, const struct xseg *s)
{
	(void)c;
	return s->flags & F_FIN;
}

static int has_data(const struct conn *c, const struct xseg *s)
{
	(void)c;
	return s->len > 0;
}

static int is_ack(const struct conn *c, const struct xseg *s)
{
	(void)c;
	return s->flags & F_ACK;
}

static int acks_all(const struct conn *c, const struct xseg *s)
{
	return s->flags & F_ACK && !after(c->p_nxt, s->ack);
}

/* ---- the application ---- */

/* Read what the socket holds, checking each byte against the peer's pattern. */
static void app_read(struct conn *c)
{
	uint8_t buf[16384];
	ssize_t n, i;

	if (c->fd < 0)
		return;
	while ((n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		for (i = 0; i < n; i++)
			if (buf[i] != pat(c->p_isn + 1 + c->p_read + (uint32_t)i) &&
			    data_bad++ < 5)
				printf("# byte %u of the stream from port %u is %#x, the peer "
				       "sent %#x\n", c->p_read + (uint32_t)i, c->pport, buf[i],
				       pat(c->p_isn + 1 + c->p_read + (uint32_t)i));
		c->p_read += n;
		data_checked += n;
	}
}

static int app_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, proto), one = 1;

	if (fd >= 0)
		setsockopt(fd, proto, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void app_write(struct conn *c, int n)
{
	static const uint8_t x[4096];

	if (c->fd >= 0 && send(c->fd, x, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
	    errno != EAGAIN)
		printf("# write on port %u: %s\n", c->xport, strerror(errno));
}

static int state_of(const struct conn *c)
{
	return xtcp_proc_state(c->xport, c->pport);
}

/* Print @c's row of /proc/net/xtcp, for a failed round. */
static void row_dump(const struct conn *c)
{
	FILE *f = fopen("/proc/thread-self/net/" XTCP_PROC_SOCKETS, "r");
	char line[512], want[64];

	snprintf(want, sizeof(want), ":%04X ", c->xport);
	while (f && fgets(line, sizeof(line), f)) {
		char rp[16];

		snprintf(rp, sizeof(rp), ":%04X ", c->pport);
		if (strstr(line, want) && strstr(line, rp))
			printf("#   %s", line);
	}
	if (f)
		fclose(f);
}

/* ---- bringing a connection into a state ---- */

static uint16_t next_pport(void)
{
	static uint16_t p = 20000;

	if (++p >= 60000)
		p = 20001;
	return p;
}

static void conn_init(struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->p_isn = rnd32();
	c->p_nxt = c->p_isn;
	c->ts = rnd(2);
	c->ts_max = rnd32() & 0x3fffffff;
}

/* The peer's SYN-ACK or SYN: its options, as a Linux peer sends them. */
static void tx_syn(struct conn *c, int flags)
{
	struct xseg s = { .sport = c->pport, .dport = c->xport, .seq = c->p_isn,
			  .ack = c->x_isn + 1, .flags = flags, .win = 65535 };

	xseg_opt_mss(&s, 1460);
	if (c->ts) {
		xseg_opt_ts(&s, ++c->ts_max, c->x_tsval);
		s.opt[s.optlen - 12] = 4;	/* SACK-permitted in the NOPs */
		s.opt[s.optlen - 11] = 2;
	} else {
		xseg_opt_sackok(&s);
	}
	xseg_opt_wscale(&s, 7);
	tx(&s);
	c->p_nxt = c->p_isn + 1;
}

/* xtcp connects to the peer: ESTABLISHED, or -1. */
static int open_active(struct conn *c)
{
	struct sockaddr_in a = sin_of(PEER_IP, PPORT);
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);

	c->fd = app_socket();
	c->pport = PPORT;
	if (c->fd < 0 || (connect(c->fd, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS))
		return -1;
	getsockname(c->fd, (struct sockaddr *)&me, &ml);
	c->xport = ntohs(me.sin_port);
	if (!wait_seg(c, is_syn, 2000))
		return -1;
	tx_syn(c, F_SYN | F_ACK);
	return wait_for(state_of(c) == ST_ESTABLISHED, 2) ? 0 : -1;
}

/* The peer connects to xtcp's listener: SYN_RECV (a request), or -1. */
static int open_request(struct conn *c)
{
	c->xport = LPORT;
	c->pport = next_pport();
	tx_syn(c, F_SYN);
	return wait_seg(c, is_synack, 2000) ? 0 : -1;
}

/* ... and completes the handshake: ESTABLISHED and accepted, or -1. */
static int open_passive(struct conn *c)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	double end = now() + 2;
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int one = 1, fd;

	if (open_request(c))
		return -1;
	tx_valid(c, F_ACK, c->p_nxt, c->x_nxt, 0);
	/* the queue may hold what fuzzed segments completed before: not this one */
	while (poll(&p, 1, (int)((end - now()) * 1000) + 1) == 1) {
		fd = accept4(lfd, (struct sockaddr *)&a, &al, SOCK_NONBLOCK);
		if (fd >= 0 && ntohs(a.sin_port) == c->pport) {
			c->fd = fd;
			setsockopt(c->fd, proto, TCP_NODELAY, &one, sizeof(one));
			return 0;
		}
		abort_fd(fd);
		al = sizeof(a);
		if (now() > end)
			break;
	}
	return -1;
}

/* Data both ways: xtcp's 3000 bytes unacknowledged, the peer's 2000 received. */
static int exchange(struct conn *c)
{
	app_write(c, 3000);
	drain(c, 20);
	tx_valid(c, F_ACK | F_PSH, c->p_nxt, c->x_isn + 1, 1000);
	c->p_nxt += 1000;
	tx_valid(c, F_ACK | F_PSH, c->p_nxt, c->x_isn + 1, 1000);
	c->p_nxt += 1000;
	drain(c, 0);
	app_read(c);
	return 0;
}

/* Bring @c into @st: 0, or -1 (a failed round). */
static int setup(struct conn *c, int st)
{
	int passive = rnd(2) && (st == ST_ESTABLISHED || st == ST_CLOSE_WAIT);

	conn_init(c);
	if (st == ST_LISTEN)
		return 0;
	if (st == ST_SYN_RECV)
		return open_request(c);
	if ((passive ? open_passive(c) : open_active(c)) || exchange(c))
		return -1;
	switch (st) {
	case ST_ESTABLISHED:
		break;
	case ST_FIN_WAIT1:
		shutdown(c->fd, SHUT_WR);
		wait_seg(c, is_fin, 2000);
		break;
	case ST_FIN_WAIT2:
		shutdown(c->fd, SHUT_WR);
		if (!wait_seg(c, is_fin, 2000))
			return -1;
		tx_valid(c, F_ACK, c->p_nxt, c->x_nxt, 0);
		break;
	case ST_CLOSE_WAIT:
	case ST_LAST_ACK:
		tx_valid(c, F_ACK | F_FIN, c->p_nxt, c->x_isn + 1, 0);
		c->p_nxt++;
		if (!wait_seg(c, acks_all, 2000))
			return -1;
		if (st == ST_LAST_ACK) {
			shutdown(c->fd, SHUT_WR);
			if (!wait_seg(c, is_fin, 2000))
				return -1;
		}
		break;
	case ST_CLOSING:
	case ST_TIME_WAIT:
		shutdown(c->fd, SHUT_WR);
		if (!wait_seg(c, is_fin, 2000))
			return -1;
		/* CLOSING: the peer's FIN does not ACK xtcp's; TIME_WAIT: it does */
		tx_valid(c, F_ACK | F_FIN, c->p_nxt, st == ST_CLOSING ? c->x_isn + 1 : c->x_nxt,
			 0);
		c->p_nxt++;
		if (!wait_seg(c, acks_all, 2000))
			return -1;
		if (st == ST_TIME_WAIT) {
			app_read(c);
			close(c->fd);
			c->fd = -1;
		}
		break;
	}
	return wait_for(state_of(c) == st, 2) ? 0 : -1;
}

/* ---- mutations ---- */

static uint32_t seq_delta(uint32_t win)
{
	static const int32_t fixed[] = { 0, 0, 0, 1, -1, -1000, 1000, INT32_MIN, INT32_MAX };

	switch (rnd(8)) {
	case 0:
		return win - 1;
	case 1:
		return win;
	case 2:
		return win + 1;
	case 3:
		return -win;
	case 4:
		return rnd32();
	case 5:
		return rnd(3000) - 1500;
	default:
		return fixed[rnd(sizeof(fixed) / sizeof(fixed[0]))];
	}
}

/* Options: valid ones, garbage, truncated, zero-length, SACK blocks around the flight. */
static void mutate_options(struct conn *c, struct xseg *s)
{
	uint32_t edges[4], tsval;
	int i, n;

	switch (rnd(10)) {
	case 0: case 1: case 2: case 3:		/* as a peer sends them */
		if (c->ts || rnd(4) == 0) {
			/* newer by a little or a lot, or older (PAWS), echoing or not */
			tsval = c->ts_max + (rnd(4) ? rndu(3) : rndu(1 << 24)) -
				(rnd(8) ? 0 : 0x40000000u);
			if (after(tsval, c->ts_max))
				c->ts_max = tsval;
			xseg_opt_ts(s, tsval, rnd(4) ? c->x_tsval : rnd32());
		}
		if (rnd(3) == 0) {			/* SACK blocks */
			n = 1 + rnd(3);
			s->opt[s->optlen++] = 1;
			s->opt[s->optlen++] = 1;
			s->opt[s->optlen++] = 5;
			s->opt[s->optlen++] = 2 + 8 * n;
			for (i = 0; i < n && s->optlen + 8 <= 40; i++) {
				edges[0] = c->x_isn + 1 + rndu(c->x_nxt - c->x_isn + 2000);
				edges[1] = edges[0] + (rnd(4) ? rndu(3000) : rnd32());
				edges[0] = htonl(edges[0]);
				edges[1] = htonl(edges[1]);
				memcpy(s->opt + s->optlen, edges, 8);
				s->optlen += 8;
			}
		}
		if (rnd(6) == 0)
			xseg_opt_mss(s, rnd(2) ? 0 : rnd(65536));
		if (rnd(6) == 0)
			xseg_opt_wscale(s, rnd(256));
		break;
	case 4: case 5:				/* garbage, never a timestamps kind */
		n = rnd(41);
		for (i = 0; i < n; i++) {
			s->opt[i] = rnd(256);
			if (s->opt[i] == 8)
				s->opt[i] = 9;
		}
		s->optlen = n;
		break;
	case 6: {				/* truncated or zero-length */
		static const uint8_t bad[][4] = {
			{ 2, 4, 5 }, { 2, 0 }, { 3, 1 }, { 5, 10, 0, 0 }, { 5, 255, 1, 1 },
			{ 4, 0 }, { 19, 18, 0, 0 }, { 30, 2, 0 }, { 34, 40, 1, 2 },
		};
		const uint8_t *b = bad[rnd(sizeof(bad) / sizeof(bad[0]))];

		n = rnd(8) * 4;
		memset(s->opt, 1, n);
		memcpy(s->opt + n, b, 4);
		s->optlen = n + 4;
		break;
	}
	default:
		break;
	}
}

/* One mutated segment at @c (its tuple; on a listener, a random peer port). */
static void mutate(struct conn *c, int st, uint32_t *rsts)
{
	static const uint8_t flag_sets[] = {
		F_ACK, F_ACK, F_ACK, F_ACK | F_PSH, F_ACK | F_PSH, F_ACK | F_FIN, F_RST,
		F_RST | F_ACK, F_SYN, F_SYN | F_ACK, F_ACK | F_URG, F_FIN, 0,
	};
	struct xseg s = { .sport = c->pport, .dport = c->xport };
	uint32_t win = c->x_win ? c->x_win : 65535;
	int len = 0;

	if (st == ST_LISTEN)
		s.sport = 30000 + rnd(8);
	s.flags = rnd(6) ? flag_sets[rnd(sizeof(flag_sets))] : rnd(256);
	s.seq = c->p_nxt + seq_delta(win);
	s.ack = c->x_nxt + (rnd(3) ? seq_delta(win) : -rndu(c->x_nxt - c->x_isn + 1));
	s.win = rnd(10) < 7 ? 65535 : rnd(3) ? rnd(65536) : 0;
	s.urg = s.flags & F_URG ? rnd(65536) : 0;
	if (s.flags & F_PSH || rnd(10) == 0)
		len = 1 + rnd(rnd(4) ? 1400 : 100);
	mutate_options(c, &s);
	fill(&s, s.flags, len);
	if (rnd(30) == 0) {			/* data offset out of the segment */
		s.lie_doff = 1;
		s.doff_lie = rnd(2) ? rnd(5) : 6 + (s.optlen + len) / 4 + rnd(10);
		if (s.doff_lie > 15)
			s.doff_lie = 15;
		if (s.doff_lie >= 5 && s.doff_lie * 4 <= 20 + ((s.optlen + 3) & ~3) + len)
			s.lie_doff = 0;		/* not out of it after all */
	}
	s.bad_csum = rnd(30) == 0;
	if (s.flags & (F_RST | F_SYN) && !s.bad_csum && !s.lie_doff)
		(*rsts)++;
	if ((s.flags & (F_ACK | F_RST | F_SYN)) == F_ACK && !s.bad_csum && !s.lie_doff &&
	    after(s.seq, c->wl1) && !after(s.seq, c->x_ack + win))
		c->wl1 = s.seq;
	tx(&s);
}

/* ---- after a round: alive, or ended by a rule ---- */

static int acks_ping(const struct conn *c, const struct xseg *s)
{
	return s->flags & F_ACK && !after(c->p_nxt, s->ack);
}

static int answers_fin(const struct conn *c, const struct xseg *s)
{
	return (s->flags & (F_ACK | F_RST)) == F_ACK && s->ack == c->x_ack;
}

/*
 * Is @c alive: 1, 0 if it ended by a rule (@resets: RSTs or SYNs the round sent), -1
 * if neither.  @why says what was seen.
 */
static int verdict(struct conn *c, int st0, int syns0, uint32_t resets, char *why,
		   size_t size)
{
	int st;

	drain(c, 10);
	app_read(c);
	if (c->x_syns != syns0) {
		/* a listener's: it ended, and fuzzed segments made a new handshake */
		snprintf(why, size, "ended, and a SYN-ACK answered a fuzzed SYN");
		return resets ? 0 : -1;
	}
	st = state_of(c);
	if (!st || st == ST_SYN_RECV) {
		snprintf(why, size, "ended (xtcp %s a RST)%s", c->x_rst ? "sent" : "did not send",
			 st ? ", then a SYN made a request" : "");
		return resets || st0 == ST_LAST_ACK ? 0 : -1;
	}
	/* an ACK far below the window draws xtcp's ACK at once: its rcv_nxt now */
	tx_valid(c, F_ACK, c->x_ack - 0x10000000, c->x_nxt, 0);
	wait_seg(c, is_ack, 1000);
	/*
	 * A valid ACK of everything xtcp sent opens the window: at its rcv_nxt, or at
	 * the latest sequence number a fuzzed ACK may have updated the window with
	 * (snd_wl1: a window from an earlier one would be refused, RFC 9293 3.10.7.4)
	 */
	c->p_nxt = c->x_ack;
	tx_valid(c, F_ACK, after(c->wl1, c->x_ack) ? c->wl1 : c->x_ack, c->x_nxt, 0);
	drain(c, 0);
	app_read(c);
	st = state_of(c);
	switch (st) {
	case 0:
		snprintf(why, size, "closed by the ACK of its FIN");
		return st0 == ST_LAST_ACK || resets ? 0 : -1;
	case ST_ESTABLISHED:
	case ST_FIN_WAIT1:
	case ST_FIN_WAIT2:
		tx_valid(c, F_ACK | F_PSH, c->p_nxt, c->x_nxt, 100);
		c->p_nxt += 100;
		snprintf(why, size, "%s: 100 bytes of data acknowledged", st_names[st]);
		if (!wait_seg(c, acks_ping, 2000))
			return -1;
		app_read(c);
		return 1;
	case ST_CLOSE_WAIT:
		snprintf(why, size, "CLOSE_WAIT: a write goes out");
		app_write(c, 10);
		return wait_seg(c, has_data, 2000) ? 1 : -1;
	case ST_SYN_RECV:
		/* it ended, and a fuzzed SYN made a request of the tuple (a listener's) */
		snprintf(why, size, "ended, then a SYN made a request");
		return resets ? 0 : -1;
	case ST_TIME_WAIT:
	case ST_CLOSING:
	case ST_LAST_ACK:
		/* the peer's FIN again: answered with the ACK of it (TIME_WAIT) */
		snprintf(why, size, "%s: the repeated FIN answered", st_names[st]);
		tx_valid(c, F_ACK | F_FIN, c->x_ack - 1, c->x_nxt, 0);
		if (!wait_seg(c, answers_fin, 2000))
			return -1;
		return 1;
	default:
		snprintf(why, size, "in state %s", st_names[st % 12]);
		return -1;
	}
}

/* The listener completes a handshake and takes data: 1, or -1. */
static int listener_alive(char *why, size_t size)
{
	struct conn c;
	int ok;

	conn_init(&c);
	snprintf(why, size, "a new connection accepted, its data read");
	if (open_passive(&c))
		return -1;
	tx_valid(&c, F_ACK | F_PSH, c.p_nxt, c.x_nxt, 100);
	c.p_nxt += 100;
	ok = wait_for((app_read(&c), c.p_read == 100), 2);
	abort_fd(c.fd);
	drain(NULL, 0);
	return ok ? 1 : -1;
}

/* Accept what the fuzzing completed (checking the data of @c's), and abort it. */
static void accept_all(struct conn *c)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd;

	while ((fd = accept4(lfd, (struct sockaddr *)&a, &al, SOCK_NONBLOCK)) >= 0) {
		if (c && ntohs(a.sin_port) == c->pport) {
			c->fd = fd;
			app_read(c);
			c->fd = -1;
		}
		abort_fd(fd);
		al = sizeof(a);
	}
}

static void one_round(int st, int per_round)
{
	char why[160] = "";
	struct conn c;
	uint32_t resets = 0;
	int i, v, syns0, n = per_round / 10 + rnd(per_round - per_round / 10 + 1);

	tally[st].rounds++;
	if (setup(&c, st)) {
		tally[st].failed++;
		printf("# %s round %ld: could not bring a connection into the state "
		       "(reached %s)\n", st_names[st], tally[st].rounds,
		       st_names[state_of(&c) % 12]);
		abort_fd(c.fd);
		return;
	}
	syns0 = c.x_syns;
	c.wl1 = c.p_nxt;
	for (i = 0; i < n; i++) {
		mutate(&c, st, &resets);
		if (i % 16 == 15) {
			drain(&c, 0);
			app_read(&c);
		}
	}
	tally[st].segs += n;
	if (st == ST_LISTEN) {
		accept_all(NULL);
		v = listener_alive(why, sizeof(why));
	} else if (st == ST_SYN_RECV) {
		drain(&c, 10);
		if (state_of(&c) == ST_SYN_RECV) {
			/*
			 * The valid ACK completes it: of the SYN its SYN-ACK answers,
			 * which may be a fuzzed one after a RST or SYN ended the first
			 */
			c.p_nxt = c.x_ack;
			tx_valid(&c, F_ACK, c.p_nxt, c.x_isn + 1, 0);
		}
		wait_for(state_of(&c) != ST_SYN_RECV, 2);
		v = state_of(&c);
		snprintf(why, sizeof(why), "the request %s", v == ST_SYN_RECV ?
			 "stays a request after the valid ACK" : v ? "became a connection" :
			 "ended");
		/* a connection (a fuzzed FIN may have closed its side), or ended by a rule */
		v = v && v != ST_SYN_RECV ? 1 : resets ? 0 : -1;
		/* a SYN may have made another request on the tuple: its data is not c's */
		accept_all(resets ? NULL : &c);
		if (v >= 0 && listener_alive(why, sizeof(why)) < 0)
			v = -1;
	} else {
		v = verdict(&c, st, syns0, resets, why, sizeof(why));
	}
	if (v > 0)
		tally[st].alive++;
	else if (!v)
		tally[st].ended++;
	else
		tally[st].failed++;
	if (v < 0) {
		printf("# %s round %ld (seed %llu): %s - failed (now %s)\n", st_names[st],
		       tally[st].rounds, (unsigned long long)seed, why,
		       st_names[state_of(&c) % 12]);
		printf("#   the peer saw: xtcp snd_nxt %u, its ACK %u, window %u, TSval %u; "
		       "the peer's next %u, TSval %u\n", c.x_nxt - c.x_isn, c.x_ack - c.p_isn,
		       c.x_win, c.x_tsval, c.p_nxt - c.p_isn, c.ts_max);
		row_dump(&c);
	}
	abort_fd(c.fd);
	drain(NULL, 0);
}

static const char *const counted[] = {
	"InSegs", "InErrs", "InCsumErrors", "OutSegs", "OutRsts", "NoSocket", "EstabResets",
	"AttemptFails", "PassiveOpens", "ActiveOpens", "SyncookiesSent", "SyncookiesRecv",
	"SyncookiesFailed", "ListenOverflows", "ListenDrops", "ChallengeACK", "PAWSEstab",
	"AckSkippedSeq", "AckSkippedPAWS", "AckSkippedChallenge", "AckSkippedTimeWait",
	"AckSkippedSynRecv", "DupData", "OFOQueue", "SackRecv", "DupAcks", "BeyondWindow",
	"AbortOnData", "TW", "TWRecycled", "FastRetrans", "RetransSegs", "LossProbes",
};
#define NCOUNTED (int)(sizeof(counted) / sizeof(counted[0]))

int main(int argc, char **argv)
{
	long target = 100000, before[NCOUNTED], d;
	int per_round = 200, opt, i, st;
	struct sockaddr_in a = sin_of(LOCAL_IP, LPORT);
	double t0;

	seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 20;
	while ((opt = getopt(argc, argv, "p:n:r:S:v")) != -1) {
		switch (opt) {
		case 'p': proto = atoi(optarg); break;
		case 'n': target = atol(optarg); break;
		case 'r': per_round = atoi(optarg); break;
		case 'S': seed = strtoull(optarg, NULL, 0); break;
		case 'v': verbose = 1; break;
		default:
			fprintf(stderr, "usage: %s [-p PROTO] [-n SEGMENTS] [-r PER_ROUND] "
				"[-S SEED] [-v]\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	srandom((unsigned int)seed);
	printf("# seed %llu: %ld segments, %d a round\n", (unsigned long long)seed, target,
	       per_round);
	if (!tap_ok(unshare(CLONE_NEWNET) == 0 &&
		    xpeer_open(&peer, "xf0", LOCAL_IP, PEER_IP, proto) == 0,
		    "a namespace of its own, the peer on the tun device xf0"))
		return tap_done();
	/* answers to what lies outside the window, unlimited: each round's checks get theirs */
	write_file("/proc/sys/net/xtcp/invalid_ratelimit", "0");
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, proto);
	if (!tap_ok(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		    listen(lfd, 64) == 0, "listener on " LOCAL_IP ":%d", LPORT))
		return tap_done();
	watchdog_start(NULL, NULL);
	for (i = 0; i < NCOUNTED; i++)
		before[i] = xtcp_stat(counted[i]);

	t0 = now();
	for (i = 0; sent < target; i++) {
		st = round_states[i % NSTATES];
		watchdog_step(st_names[st], 60);
		one_round(st, per_round);
	}
	watchdog_step(NULL, 0);
	accept_all(NULL);
	printf("# %ld segments sent in %.1f s (%.0f a second)\n", sent, now() - t0,
	       sent / (now() - t0));

	for (i = 0; i < NSTATES; i++) {
		st = round_states[i];
		tap_ok(tally[st].rounds && !tally[st].failed,
		       "%s: %ld rounds, %ld segments fuzzed; after them %ld alive, %ld ended "
		       "by a rule, %ld neither", st_names[st], tally[st].rounds,
		       tally[st].segs, tally[st].alive, tally[st].ended, tally[st].failed);
	}
	tap_ok(!data_bad && data_checked, "every byte read is the peer's at its sequence "
	       "number (%ld read, %ld wrong)", data_checked, data_bad);

	/* the sockets go before the counters are read: nothing more is sent */
	close(lfd);
	wait_for(xtcp_stat("InSegs") - before[0] >= sent, 2);
	d = xtcp_stat("InSegs") - before[0];
	tap_ok(d == sent, "InSegs moved by the %ld segments sent (%ld)", sent, d);
	d = xtcp_stat("InErrs") - before[1];
	tap_ok(d == sent_malformed + sent_bad_csum,
	       "InErrs moved by the %ld malformed and %ld badly checksummed (%ld)",
	       sent_malformed, sent_bad_csum, d);
	d = xtcp_stat("InCsumErrors") - before[2];
	tap_ok(d == sent_bad_csum, "InCsumErrors moved by the %ld badly checksummed (%ld)",
	       sent_bad_csum, d);
	printf("# what the counters say:");
	for (i = 0; i < NCOUNTED; i++)
		printf("%s %s +%ld", i % 6 ? "," : "\n#  ", counted[i],
		       xtcp_stat(counted[i]) - before[i]);
	printf("\n");
	return tap_done();
}
