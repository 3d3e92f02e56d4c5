// SPDX-License-Identifier: GPL-2.0
/*
 * wire: scripted-peer tests.  Each script (user/tests/wire/NAME.pkt) says, line by line,
 * what the application does on an xtcp socket, which segments the peer sends and which
 * it expects back, with their fields, as packetdrill does for TCP.  The peer is the
 * other end of a tun device (lib/xpeer.c): nothing but the script answers for it.
 *
 *   wire [-p PROTO] SCRIPT...     one TAP result per script
 *
 * Each script runs in a child process in a network namespace of its own (so its
 * sysctls and counters start fresh): xtcp at 10.77.0.1 on tun device xp0, the peer at
 * 10.77.0.2.  The script's first comment line is its TAP description.
 *
 * Lines ('#' starts a comment; the exchange is printed as it happens):
 *   listen PORT         a listener on 10.77.0.1:PORT; the peer's segments come from port 40001
 *   connect PORT        a non-blocking connect() to the peer's PORT
 *   reconnect PORT      the same socket connect()s again (after disconnect)
 *   disconnect          connect(AF_UNSPEC): the connection dropped, the socket kept
 *   peer IP             the peer is IP from now on (another host behind the tun)
 *   unlisten            close the listener
 *   accept              the connection accepted from the listener (2 s at most)
 *   write N             N bytes written to the socket
 *   read N              N bytes read (2 s at most), checked against what the peer sent
 *   shutdown            shutdown(SHUT_WR)
 *   close               close() (with `linger0` before it: an abort)
 *   linger0             SO_LINGER with a zero timeout
 *   pmtudisc MODE       IP_MTU_DISCOVER on the connection: dont, want or do
 *   maxseg N            getsockopt(TCP_MAXSEG) is N (the MSS data goes in now)
 *   so_error E          getsockopt(SO_ERROR) is E (an errno name, or 0)
 *   state S             /proc/net/xtcp (/proc/net/tcp with -p 6) shows the connection in
 *                       state S within 2 s
 *                       (ESTABLISHED, SYN_SENT, ..., TIME_WAIT; NONE: no row)
 *   stat NAME N         the counter NAME of /proc/net/xtcp_stat moved by N since the start
 *   sysctl NAME VALUE   net.xtcp.NAME = VALUE (in the script's namespace; with -p 6,
 *                       net.ipv4.tcp_NAME)
 *   sh COMMAND          a shell command (ip xfrm ...) that must succeed
 *   none MS             the peer gets nothing within MS milliseconds
 *   icmp CODE seq=N [mtu=M]  an ICMP destination unreachable of CODE (port, host, frag)
 *                       quoting the last segment xtcp sent, its sequence number replaced
 *                       by N; a "frag" one gives the next-hop MTU M
 *   > FLAGS KEY=V...    the peer sends a segment
 *   < FLAGS KEY=V...    the peer expects the next segment xtcp sends (1 s at most)
 *
 * FLAGS are S F R P U, E (ECE), W (CWR) and '.' for ACK (so "S.", ".", "F.", "R", "P.",
 * "SEW"), compared exactly in an expected segment.  Keys: seq, ack, win, len, mss, ws,
 * ecn=N (the IP header's ECN field: 0 Not-ECT, 2 ECT(0), 1 ECT(1), 3 CE; sent so, or
 * compared),
 * sackok, ts=VAL:ECR (ECR "echo": the last TSval xtcp sent), csum=bad (sent), and for
 * an expected one also ts (present), nots (absent), df / nodf (the IP header's
 * don't-fragment bit set / clear), wait=MS; a key not given is not compared.  Sequence numbers are relative, as packetdrill's: a segment's seq to its
 * sender's ISN, its ack to the receiver's (the peer's ISN is fixed, xtcp's is learned
 * from its SYN or SYN-ACK).  The peer's payload byte at relative sequence k is
 * 'a' + (k - 1) % 26, which read checks.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "tap.h"
#include "xpeer.h"
#include "xtcp_test.h"

#define LOCAL_IP	"10.77.0.1"
#define PEER_IP		"10.77.0.2"
#define PEER_PORT	40001		/* the peer's port toward a listener */
#define PEER_ISN	1000000000u
#define SCRIPT_S	60		/* a script's time limit */

static int proto = IPPROTO_XTCP;

/* ---- one script, in the child ---- */

static struct xpeer peer;
static int lfd = -1, fd = -1;		/* the listener, the connection */
static int lport, rport;		/* the connection's ports (host order) */
static uint32_t isn_x;			/* xtcp's ISN, once seen */
static uint32_t last_tsval;		/* xtcp's last TSval */
static struct xseg last_rx;		/* xtcp's last segment (for icmp) */
static uint8_t last_rx_hdr[60];
static long stat0[128];
static char stat_names[128][32];
static int nstats;
static int lineno;

__attribute__((format(printf, 1, 2), noreturn))
static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("# line %d: ", lineno);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

/* Every counter of /proc/net/xtcp_stat now, for `stat`. */
static void stat_snapshot(void)
{
	char hdr[4096], *h, *save;
	FILE *f = fopen("/proc/thread-self/net/" XTCP_PROC_STAT, "r");

	if (!f || !fgets(hdr, sizeof(hdr), f))
		fail("cannot read /proc/net/" XTCP_PROC_STAT);
	fclose(f);
	strtok_r(hdr, " \n", &save);
	while ((h = strtok_r(NULL, " \n", &save)) && nstats < 128) {
		snprintf(stat_names[nstats], sizeof(stat_names[0]), "%s", h);
		stat0[nstats++] = xtcp_stat(h);
	}
}

static long stat_start(const char *name)
{
	int i;

	for (i = 0; i < nstats; i++)
		if (!strcmp(stat_names[i], name))
			return stat0[i];
	fail("no counter %s in /proc/net/" XTCP_PROC_STAT, name);
}

static const char *const state_names[] = {
	"NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
	"CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
};

static int state_code(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++)
		if (!strcmp(state_names[i], name))
			return (int)i;
	fail("unknown state %s", name);
}

static int errno_code(const char *name)
{
	int e;

	if (!strcmp(name, "0"))
		return 0;
	for (e = 1; e < 134; e++)
		if (strerrorname_np(e) && !strcmp(strerrorname_np(e), name))
			return e;
	fail("unknown errno name %s", name);
}

/* The connection's state in /proc/net/xtcp (/proc/net/tcp with -p 6), 0 if no row */
static int conn_state(void)
{
	int st = proc_conn_state(proto, lport, rport);

	return st < 0 ? 0 : st;
}

static int parse_flags(const char *s)
{
	int f = 0;

	for (; *s; s++) {
		switch (*s) {
		case 'S': f |= F_SYN; break;
		case 'F': f |= F_FIN; break;
		case 'R': f |= F_RST; break;
		case 'P': f |= F_PSH; break;
		case 'U': f |= F_URG; break;
		case 'E': f |= F_ECE; break;
		case 'W': f |= F_CWR; break;
		case '.': f |= F_ACK; break;
		default: fail("unknown flag '%c'", *s);
		}
	}
	return f;
}

/* The peer's payload byte at relative sequence number @k. */
static uint8_t pattern(uint32_t k)
{
	return 'a' + (k - 1) % 26;
}

/* A segment's fields as a script line gives them; 'have' says which were given. */
struct spec {
	int flags;
	uint32_t seq, ack, tsval, tsecr;
	long win, len, mss, ws, wait, ecn;
	int has_seq, has_ack, sackok, ts, nots, ts_echo, bad_csum, df, nodf;
};

static void parse_spec(char *args, struct spec *sp)
{
	char *tok, *save, *v;

	memset(sp, 0, sizeof(*sp));
	sp->win = sp->len = sp->mss = sp->ws = sp->ecn = -1;
	sp->wait = 1000;
	tok = strtok_r(args, " \t", &save);
	if (!tok)
		fail("a segment needs its flags");
	sp->flags = parse_flags(tok);
	while ((tok = strtok_r(NULL, " \t", &save))) {
		v = strchr(tok, '=');
		if (v)
			*v++ = 0;
		if (!strcmp(tok, "seq") && v) {
			sp->seq = strtoul(v, NULL, 0);
			sp->has_seq = 1;
		} else if (!strcmp(tok, "ack") && v) {
			sp->ack = strtoul(v, NULL, 0);
			sp->has_ack = 1;
		} else if (!strcmp(tok, "win") && v) {
			sp->win = strtol(v, NULL, 0);
		} else if (!strcmp(tok, "len") && v) {
			sp->len = strtol(v, NULL, 0);
		} else if (!strcmp(tok, "mss") && v) {
			sp->mss = strtol(v, NULL, 0);
		} else if (!strcmp(tok, "ws") && v) {
			sp->ws = strtol(v, NULL, 0);
		} else if (!strcmp(tok, "wait") && v) {
			sp->wait = strtol(v, NULL, 0);
		} else if (!strcmp(tok, "ecn") && v) {
			sp->ecn = strtol(v, NULL, 0) & 3;
		} else if (!strcmp(tok, "sackok") && !v) {
			sp->sackok = 1;
		} else if (!strcmp(tok, "nots") && !v) {
			sp->nots = 1;
		} else if (!strcmp(tok, "df") && !v) {
			sp->df = 1;
		} else if (!strcmp(tok, "nodf") && !v) {
			sp->nodf = 1;
		} else if (!strcmp(tok, "ts")) {
			sp->ts = 1;
			if (v) {
				sp->tsval = strtoul(v, &v, 0);
				if (*v++ != ':')
					fail("ts=VAL:ECR");
				if (!strcmp(v, "echo"))
					sp->ts_echo = 1;
				else
					sp->tsecr = strtoul(v, NULL, 0);
			}
		} else if (!strcmp(tok, "csum") && v && !strcmp(v, "bad")) {
			sp->bad_csum = 1;
		} else {
			fail("unknown key %s", tok);
		}
	}
}

static void peer_send(char *args)
{
	static uint8_t payload[65536];
	struct spec sp;
	struct xseg s = { 0 };
	char buf[256];
	long i;

	parse_spec(args, &sp);
	if (!rport && !lport)
		fail("no socket yet: listen or connect first");
	s.sport = rport;
	s.dport = lport;
	s.flags = sp.flags;
	s.seq = PEER_ISN + sp.seq;
	s.ack = isn_x + sp.ack;
	s.win = sp.win < 0 ? 65535 : sp.win;
	s.len = sp.len < 0 ? 0 : sp.len;
	if (s.len > (long)sizeof(payload))
		fail("len %d is too long", s.len);
	for (i = 0; i < s.len; i++)
		payload[i] = pattern(sp.seq + i);
	s.data = payload;
	if (sp.mss >= 0)
		xseg_opt_mss(&s, sp.mss);
	if (sp.ts)
		xseg_opt_ts(&s, sp.tsval, sp.ts_echo ? last_tsval : sp.tsecr);
	if (sp.sackok && sp.ts) {
		/* SACK-permitted in the timestamps' two NOPs, as Linux packs them */
		s.opt[s.optlen - 12] = 4;
		s.opt[s.optlen - 11] = 2;
	} else if (sp.sackok) {
		xseg_opt_sackok(&s);
	}
	if (sp.ws >= 0)
		xseg_opt_wscale(&s, sp.ws);
	s.bad_csum = sp.bad_csum;
	s.tos = sp.ecn < 0 ? 0 : sp.ecn;
	printf("#   > %s\n", xseg_str(&s, PEER_ISN, isn_x, buf, sizeof(buf)));
	if (xpeer_send(&peer, &s))
		fail("the tun device refused the segment: %s", strerror(errno));
}

static void peer_expect(char *args)
{
	struct spec sp;
	struct xseg s;
	char buf[256];
	const uint8_t *o;
	int l;

	parse_spec(args, &sp);
	if (xpeer_recv(&peer, &s, sp.wait))
		fail("expected a segment within %ld ms, none came", sp.wait);
	if (s.flags & F_SYN && !(s.flags & F_ACK) && !rport)
		fail("the SYN came before a connect");
	if (s.flags & F_SYN)
		isn_x = s.seq;
	if (!lport)
		lport = s.sport;
	memcpy(&last_rx, &s, sizeof(s));
	memcpy(last_rx_hdr, peer.buf, sizeof(last_rx_hdr));
	o = xseg_opt_find(&s, 8, &l);
	if (o && l == 8)
		last_tsval = ntohl(*(const uint32_t *)o);
	printf("#   < %s\n", xseg_str(&s, isn_x, PEER_ISN, buf, sizeof(buf)));

	if (s.sport != lport || s.dport != rport)
		fail("ports %u > %u, wanted %d > %d", s.sport, s.dport, lport, rport);
	if (s.flags != sp.flags)
		fail("flags %s, wanted %s", xseg_flags_str(s.flags, buf),
		     xseg_flags_str(sp.flags, buf + 16));
	if (sp.has_seq && s.seq - isn_x != sp.seq)
		fail("seq %u, wanted %u", s.seq - isn_x, sp.seq);
	if (sp.has_ack && s.ack - PEER_ISN != sp.ack)
		fail("ack %u, wanted %u", s.ack - PEER_ISN, sp.ack);
	if (sp.win >= 0 && s.win != sp.win)
		fail("win %u, wanted %ld", s.win, sp.win);
	if (sp.len >= 0 && s.len != sp.len)
		fail("len %d, wanted %ld", s.len, sp.len);
	o = xseg_opt_find(&s, 2, &l);
	if (sp.mss >= 0 && (!o || l != 2 || ((o[0] << 8) | o[1]) != sp.mss))
		fail("no MSS option of %ld", sp.mss);
	o = xseg_opt_find(&s, 3, &l);
	if (sp.ws >= 0 && (!o || l != 1 || o[0] != sp.ws))
		fail("no window scale option of %ld", sp.ws);
	if (sp.sackok && !xseg_opt_find(&s, 4, &l))
		fail("no SACK-permitted option");
	o = xseg_opt_find(&s, 8, &l);
	if (sp.ts && (!o || l != 8))
		fail("no timestamps option");
	if (sp.nots && o)
		fail("a timestamps option, wanted none");
	if (sp.df && !(peer.buf[6] & 0x40))
		fail("DF clear, wanted set");
	if (sp.nodf && (peer.buf[6] & 0x40))
		fail("DF set, wanted clear");
	if (sp.ecn >= 0 && (peer.buf[1] & 3) != sp.ecn)
		fail("ECN field %d, wanted %ld", peer.buf[1] & 3, sp.ecn);
}

static void wait_readable(int sfd, int ms)
{
	struct pollfd p = { .fd = sfd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		fail("the socket is not readable within %d ms", ms);
}

static void app_read(long n)
{
	static uint32_t consumed;	/* the peer's bytes read so far */
	uint8_t buf[65536];
	long got = 0, i;
	ssize_t r;

	if (n > (long)sizeof(buf))
		fail("read %ld is too long", n);
	while (got < n) {
		wait_readable(fd, 2000);
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			fail("read: %ld after %ld bytes (%s)", (long)r, got,
			     r ? strerror(errno) : "end of stream");
		got += r;
	}
	for (i = 0; i < n; i++)
		if (buf[i] != pattern(consumed + 1 + i))
			fail("byte %ld read is %#x, the peer sent %#x", consumed + i, buf[i],
			     pattern(consumed + 1 + i));
	consumed += n;
	printf("#   read %ld bytes, as sent\n", n);
}

/* The peer's address (the `peer` command may have changed it) and @port. */
static struct sockaddr_in peer_addr(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = peer.peer };

	return a;
}

static void app(const char *cmd, char *arg)
{
	struct linger lin = { .l_onoff = 1 };
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int v, one = 1;
	long n;
	char *val;
	uint8_t buf[65536];

	if (!strcmp(cmd, "listen")) {
		lport = atoi(arg);
		rport = PEER_PORT;
		a = sin_of(LOCAL_IP, lport);
		lfd = socket(AF_INET, SOCK_STREAM, proto);
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 16))
			fail("listen: %s", strerror(errno));
	} else if (!strcmp(cmd, "connect")) {
		rport = atoi(arg);
		a = peer_addr(rport);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, proto);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != -1 ||
		    errno != EINPROGRESS)
			fail("connect: not in progress (%s)", strerror(errno));
	} else if (!strcmp(cmd, "reconnect")) {
		rport = atoi(arg);
		lport = 0;		/* learnt again from the SYN */
		a = peer_addr(rport);
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != -1 || errno != EINPROGRESS)
			fail("connect again: not in progress (%s)", strerror(errno));
	} else if (!strcmp(cmd, "disconnect")) {
		struct sockaddr un = { .sa_family = AF_UNSPEC };

		if (connect(fd, &un, sizeof(un)))
			fail("connect(AF_UNSPEC): %s", strerror(errno));
	} else if (!strcmp(cmd, "peer")) {
		if (inet_pton(AF_INET, arg, &peer.peer) != 1)
			fail("peer IP, not %s", arg);
	} else if (!strcmp(cmd, "unlisten")) {
		close(lfd);
		lfd = -1;
	} else if (!strcmp(cmd, "accept")) {
		wait_readable(lfd, 2000);
		fd = accept4(lfd, (struct sockaddr *)&a, &alen, SOCK_NONBLOCK);
		if (fd < 0)
			fail("accept: %s", strerror(errno));
	} else if (!strcmp(cmd, "write")) {
		n = atol(arg);
		memset(buf, 'x', sizeof(buf));
		if (n > (long)sizeof(buf) || write(fd, buf, n) != n)
			fail("write %ld: %s", n, strerror(errno));
	} else if (!strcmp(cmd, "read")) {
		app_read(atol(arg));
	} else if (!strcmp(cmd, "shutdown")) {
		if (shutdown(fd, SHUT_WR))
			fail("shutdown: %s", strerror(errno));
	} else if (!strcmp(cmd, "pmtudisc")) {
		v = !strcmp(arg, "dont") ? IP_PMTUDISC_DONT : !strcmp(arg, "want") ?
		    IP_PMTUDISC_WANT : !strcmp(arg, "do") ? IP_PMTUDISC_DO : -1;
		if (v < 0 || setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof(v)))
			fail("pmtudisc dont|want|do: %s", strerror(errno));
	} else if (!strcmp(cmd, "maxseg")) {
		socklen_t l = sizeof(v);

		if (getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &v, &l) || v != atoi(arg))
			fail("TCP_MAXSEG is %d, wanted %s", v, arg);
	} else if (!strcmp(cmd, "linger0")) {
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
	} else if (!strcmp(cmd, "close")) {
		close(fd);
		fd = -1;
	} else if (!strcmp(cmd, "so_error")) {
		socklen_t l = sizeof(v);

		getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &l);
		if (v != errno_code(arg))
			fail("SO_ERROR is %s, wanted %s", v ? strerrorname_np(v) : "0", arg);
	} else if (!strcmp(cmd, "state")) {
		v = state_code(arg);
		if (!wait_for(conn_state() == v, 2))
			fail("state %s, wanted %s", state_names[conn_state() % 12], arg);
	} else if (!strcmp(cmd, "stat")) {
		val = strchr(arg, ' ');
		if (!val)
			fail("stat NAME N");
		*val++ = 0;
		n = xtcp_stat(arg) - stat_start(arg);
		if (n != atol(val))
			fail("%s moved by %ld, wanted %ld", arg, n, atol(val));
	} else if (!strcmp(cmd, "sysctl")) {
		char path[160];

		val = strchr(arg, ' ');
		if (!val)
			fail("sysctl NAME VALUE");
		*val++ = 0;
		/* with -p 6, Linux TCP's of the same name: net.ipv4.tcp_NAME */
		snprintf(path, sizeof(path), proto == IPPROTO_TCP ? "/proc/sys/net/ipv4/tcp_%s" :
			 "/proc/sys/net/xtcp/%s", arg);
		if (write_file(path, val))
			fail("%s: %s", path, strerror(errno));
	} else if (!strcmp(cmd, "sh")) {
		if (sh("%s", arg))
			fail("'%s' failed", arg);
	} else if (!strcmp(cmd, "none")) {
		struct xseg s;
		char d[256];

		if (!xpeer_recv(&peer, &s, atoi(arg)))
			fail("nothing expected within %s ms, got %s", arg,
			     xseg_str(&s, isn_x, PEER_ISN, d, sizeof(d)));
	} else if (!strcmp(cmd, "icmp")) {
		struct xseg q = last_rx;
		char *s = strstr(arg, "seq="), *m = strstr(arg, "mtu=");
		int code = !strncmp(arg, "port", 4) ? 3 : !strncmp(arg, "host", 4) ? 1 :
			   !strncmp(arg, "frag", 4) ? 4 : -1;

		if (code < 0 || !s)
			fail("icmp port|host|frag seq=N");
		q.seq = isn_x + strtoul(s + 4, NULL, 0);
		printf("#   > ICMP unreachable (%d) quoting seq=%u\n", code, q.seq - isn_x);
		if (xpeer_send_icmp_unreach(&peer, &q, code, m ? atoi(m + 4) : 0))
			fail("the tun device refused the ICMP message");
	} else {
		fail("unknown command %s", cmd);
	}
}

static int run_script(const char *path)
{
	char line[1024], *p, *arg;
	FILE *f = fopen(path, "r");
	size_t l;

	if (!f)
		fail("cannot open %s", path);
	if (unshare(CLONE_NEWNET) ||
	    xpeer_open(&peer, "xp0", LOCAL_IP, PEER_IP, proto))
		fail("a namespace with the tun peer: %s", strerror(errno));
	stat_snapshot();
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		p = strchr(line, '#');
		if (p)
			*p = 0;
		l = strlen(line);
		while (l && isspace((unsigned char)line[l - 1]))
			line[--l] = 0;
		for (p = line; isspace((unsigned char)*p); p++)
			;
		if (!*p)
			continue;
		if (*p == '>' || *p == '<') {
			if (*p == '>')
				peer_send(p + 1);
			else
				peer_expect(p + 1);
			continue;
		}
		arg = strchr(p, ' ');
		if (arg)
			*arg++ = 0;
		else
			arg = p + strlen(p);
		printf("#   %s %s\n", p, arg);
		app(p, arg);
	}
	fclose(f);
	/* what the script left open goes with a RST: no orphan retransmits into a tun gone */
	abort_fd(fd);
	abort_fd(lfd);
	return 0;
}

/* ---- the runner ---- */

/* The script's first comment line, its description. */
static void describe(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	char line[512];

	snprintf(buf, size, "%s", path);
	while (f && fgets(line, sizeof(line), f)) {
		if (line[0] == '#') {
			line[strcspn(line, "\n")] = 0;
			snprintf(buf, size, "%s", line + 1 + (line[1] == ' '));
			break;
		}
	}
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	const char *name;
	char what[512];
	int i = 1, st;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[1], "-p")) {
		proto = atoi(argv[2]);
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: wire [-p PROTO] SCRIPT...\n");
		return 2;
	}
	for (; i < argc; i++) {
		name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
		describe(argv[i], what, sizeof(what));
		printf("# --- %s\n", name);
		pid = fork();
		if (pid == 0) {
			alarm(SCRIPT_S);
			exit(run_script(argv[i]));
		}
		waitpid(pid, &st, 0);
		tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: %s%s", name, what,
		       WIFSIGNALED(st) ? " (killed: over its time limit?)" : "");
	}
	return tap_done();
}
