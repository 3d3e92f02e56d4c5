// SPDX-License-Identifier: GPL-2.0
/*
 * capture: what tcpdump and tshark see of xtcp on a veth wire (issues 12 and 13), next to
 * Linux TCP doing the same transfer.
 *
 * Three namespaces: a client, a router and a server, joined by veth pairs (MTU 1500),
 * netem delay 5 ms on the router's two egresses (RTT 10 ms).  The client's veth is as
 * shipped (TSO and tx-sctp-segmentation on): both protocols hand it super-segments of
 * several MSS, which a veth passes on whole, and a capture there shows them as single
 * TCP segments larger than the MSS.  The router's link toward the server has them off,
 * so the router cuts each super-segment into MTU-sized packets (tcp_gso_segment() for
 * TCP, xtcp4_gso_segment() for xtcp), as a network card's segmentation would put them
 * on a wire: the capture is taken there, by tcpdump on the server's veth (the
 * receiver's), while the client sends SIZE bytes to the server over xtcp, then over TCP
 * on another port, each side closing in turn (the client's FIN after its data, the
 * server's FIN, the client's last ACK).  A datagram sent after both transfers marks the
 * end: the capture is stopped once it holds it.  That the client did send
 * super-segments, the client's veth's packet count shows (fewer than the segments).
 *
 * Then tshark, decoding protocol 253 as TCP (-d ip.proto==253,tcp), checks for each
 * protocol: the handshake (SYN and SYN-ACK with MSS, SACK-permitted, timestamps and
 * window scale, then the client's ACK), the data (payloads summing to SIZE, none larger
 * than the MSS, no frame larger than the MTU), the FIN of each side, its ACK and the
 * last ACK, no RST; that tshark's expert analysis finds nothing in the xtcp conversation
 * that it does not find in TCP's (the messages compared, not their counts; numbers in
 * them, such as ports, left out), but window updates that a read explains (when the
 * reader lags is the guest's scheduling); and the checksums (see check_checksums()).
 * The server's xtcp and TCP counters are kept for a look (server.xtcp_stat,
 * server.netstat: BacklogDrop, RcvDropped ... say where a lost segment went).  Without
 * -d, tshark must see no TCP in the protocol-253 frames (a check of the tool).
 *
 *   capture [-o DIR] [-s SIZE] [-a]
 *     -o DIR    where the capture (server.pcap), tshark's outputs and the logs go (default /tmp/xtcp-capture); kept for a look with tshark/Wireshark
 *     -s SIZE   bytes of each transfer (default 1M; K and M suffixes)
 *     -a        no traffic: only tshark's checks, on the capture already in DIR (made
 *               with the same SIZE); runs anywhere, as any user, with tshark alone
 * Runs as root with xtcp.ko loaded; needs ip, tc (iproute2), ethtool, tcpdump, tshark.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include "tap.h"
#include "xtcp_test.h"

#define NS_C		"xtcp-cap-c"
#define NS_R		"xtcp-cap-r"
#define NS_S		"xtcp-cap-s"
#define CLIENT_IP	"10.11.1.1"
#define SERVER_IP	"10.11.2.2"
#define MTU		1500
#define TS_OPT		12	/* the timestamps option, padded: every segment carries it */
#define MARK_PORT	9	/* discard: the end marker's datagram */
#define MARK		"xtcp capture test: end of the transfers"
#define NPROTO		2

static const struct proto {
	int num, port;
	const char *name;
} protos[NPROTO] = { { IPPROTO_XTCP, 7701, "xtcp" }, { IPPROTO_TCP, 7702, "TCP" } };

static const char *dir = "/tmp/xtcp-capture";
static long size = 1 << 20;
static int analyse;		/* -a: the captures in dir only, no traffic */
static pid_t dump_pid;		/* tcpdump on the server's veth */
static long client_tx[NPROTO];	/* packets out of the client's veth in each transfer */

static void cleanup(void)
{
	if (analyse)
		return;
	if (dump_pid > 0)
		kill(dump_pid, SIGKILL);
	sh("ip netns del " NS_C " 2>/dev/null; ip netns del " NS_R " 2>/dev/null; "
	   "ip netns del " NS_S " 2>/dev/null; true");
}

static int setup(void)
{
	cleanup();
	return sh("ip netns add " NS_C " && ip netns add " NS_R " && ip netns add " NS_S " && "
		  "ip link add c0 netns " NS_C " type veth peer r0 netns " NS_R " && "
		  "ip link add r1 netns " NS_R " type veth peer s0 netns " NS_S " && "
		  "ip -n " NS_C " addr add " CLIENT_IP "/24 dev c0 && "
		  "ip -n " NS_R " addr add 10.11.1.2/24 dev r0 && "
		  "ip -n " NS_R " addr add 10.11.2.1/24 dev r1 && "
		  "ip -n " NS_S " addr add " SERVER_IP "/24 dev s0 && "
		  "for n in " NS_C " " NS_R " " NS_S "; do ip -n $n link set lo up; done && "
		  "ip -n " NS_C " link set c0 up && ip -n " NS_R " link set r0 up && "
		  "ip -n " NS_R " link set r1 up && ip -n " NS_S " link set s0 up && "
		  "ip -n " NS_C " route add default via 10.11.1.2 && "
		  "ip -n " NS_S " route add default via 10.11.2.1 && "
		  "ip netns exec " NS_R " sysctl -qw net.ipv4.ip_forward=1 && "
		  "ip netns exec " NS_R " ethtool -K r1 tso off tx-sctp-segmentation off && "
		  "tc -n " NS_R " qdisc add dev r0 root netem delay 5ms limit 100000 && "
		  "tc -n " NS_R " qdisc add dev r1 root netem delay 5ms limit 100000 && "
		  /*
		   * Each device takes its packets on CPU 0 (receive packet steering), as a
		   * NIC keeps a flow on one queue: otherwise two CPUs' backlogs can reorder
		   * a flow, which tshark would report, for either protocol.
		   */
		  "for d in " NS_C ":c0 " NS_R ":r0 " NS_R ":r1 " NS_S ":s0; do "
		  "ip netns exec ${d%%:*} sh -c \"echo 1 > /sys/class/net/${d#*:}/queues/rx-0/rps_cpus\" "
		  "|| exit 1; done");
}

static int ns_fd(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return open(path, O_RDONLY);
}

/* ---- files and processes ---- */

/* The whole file @name in @dir, NUL-terminated (free it); NULL if unreadable. */
static char *slurp(const char *name, size_t *lenp)
{
	char path[512], *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap + 1);
		}
		size_t n = fread(buf + len, 1, cap - len, f);

		if (!n)
			break;
		len += n;
	}
	fclose(f);
	buf[len] = 0;
	if (lenp)
		*lenp = len;
	return buf;
}

static int file_has(const char *name, const char *what)
{
	char *s = slurp(name, NULL);
	int found = s && strstr(s, what);

	free(s);
	return found;
}

/* Start the shell command @cmd in the background, output and errors to @log in @dir. */
static pid_t spawn(const char *log, const char *cmd)
{
	char path[512];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", dir, log);
	pid = fork();
	if (pid == 0) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0)
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		if (chdir(dir))
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Wait @secs at most for @pid: its exit status, or -1 (it is killed then). */
static int reap(pid_t pid, int secs)
{
	return child_reap(pid, secs, 0);
}

/* ---- the end marker in a capture file (pcap, Ethernet) ---- */

/*
 * Whether the capture file @name holds the marker's datagram; tcpdump -U writes each
 * packet as it comes, so a record cut short at the end is one being written.
 */
static int pcap_has_mark(const char *name)
{
	size_t len, off = 24, mlen = strlen(MARK);
	unsigned char *p = (unsigned char *)slurp(name, &len);
	int found = 0;

	if (!p || len < 24 || (*(uint32_t *)p != 0xa1b2c3d4 && *(uint32_t *)p != 0xa1b23c4d)) {
		free(p);
		return 0;
	}
	while (!found && off + 16 <= len) {
		uint32_t caplen = *(uint32_t *)(p + off + 8);
		const unsigned char *f = p + off + 16;

		if (off + 16 + caplen > len)
			break;
		/* Ethernet, IPv4 with a 20-byte header, UDP, the marker */
		if (caplen >= 14 + 20 + 8 + mlen && f[12] == 8 && f[13] == 0 && f[14] == 0x45 &&
		    f[23] == IPPROTO_UDP && !memcmp(f + 14 + 20 + 8, MARK, mlen))
			found = 1;
		off += 16 + caplen;
	}
	free(p);
	return found;
}

/* ---- the transfers ---- */

/* Packets sent by the device @dev of the calling thread's namespace; -1 if unknown. */
static long tx_packets(const char *dev)
{
	FILE *f = fopen("/proc/thread-self/net/dev", "r");
	char line[512], name[32];
	long v[10], found = -1;

	while (f && found < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, " %31[^:]: %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld", name, &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) == 11 &&
		    !strcmp(name, dev))
			found = v[9];
	if (f)
		fclose(f);
	return found;
}

/*
 * SIZE bytes from the client to the server over @p, then both close: the client's FIN
 * follows its data (pattern_transfer()), the server reads to the end and closes, the
 * client reads the server's FIN and closes.  Passes when all arrived byte for byte and
 * the server's connection is gone (its last ACK arrived: it went through the capture).
 */
static void transfer(const struct proto *p, int fc, int fs, long *tx)
{
	struct sockaddr_in a = sin_of(SERVER_IP, p->port), me;
	struct timeval tv = { .tv_sec = 30 };
	socklen_t alen = sizeof(me);
	int l, c, s = -1, one = 1, cport = 0, eof = -1, st = -1;
	long got = -1, bad = 0, tx0;
	char why[128] = "";
	char byte;

	netns_enter(fs);
	l = socket(AF_INET, SOCK_STREAM, p->num);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 4)) {
		snprintf(why, sizeof(why), "listen: %s", strerrorname_np(errno));
		goto out;
	}
	netns_enter(fc);
	tx0 = tx_packets("c0");
	c = socket(AF_INET, SOCK_STREAM, p->num);
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a))) {
		snprintf(why, sizeof(why), "connect: %s", strerrorname_np(errno));
		goto out;
	}
	getsockname(c, (struct sockaddr *)&me, &alen);
	cport = ntohs(me.sin_port);
	s = accept(l, NULL, NULL);
	close(l);
	if (s < 0) {
		snprintf(why, sizeof(why), "accept: %s", strerrorname_np(errno));
		goto out;
	}
	got = pattern_transfer(c, s, size, &bad);
	close(s);				/* the server's FIN */
	eof = recv(c, &byte, 1, 0);		/* 0: the client has it */
	close(c);				/* the client's last ACK went before */
	*tx = tx0 < 0 ? -1 : tx_packets("c0") - tx0;
	netns_enter(fs);
	wait_for((st = proc_conn_state(p->num, p->port, cport)) == 0, 30);
out:
	tap_ok(got == size && !bad && eof == 0 && st == 0,
	       "%s: %ld bytes from the client to the server, byte for byte (got %ld, %ld wrong); "
	       "both closed: the client read the server's FIN (recv %d), the server's connection "
	       "went with the last ACK (state %#x left)%s%s", p->name, size, got, bad, eof, st,
	       *why ? "; " : "", why);
}

/* The datagram that marks the end of the traffic, from the client to the server. */
static int send_mark(int fc)
{
	struct sockaddr_in a = sin_of(SERVER_IP, MARK_PORT);
	int u, ok;

	netns_enter(fc);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	ok = u >= 0 && sendto(u, MARK, strlen(MARK), 0, (struct sockaddr *)&a, sizeof(a)) > 0;
	close(u);
	return ok;
}

/* ---- tshark's output ---- */

struct frame {
	int no, proto, iplen, iphl, sport, dport, len, mss, cstatus;
	unsigned int flags, csum, ccalc;
	long win;			/* the window, scaled */
	long seq, ack;
	char src[16], dst[16], kinds[64], cstat[8];
	char *expmsg, *expsev;		/* '|'-separated expert infos */
};

struct frames {
	struct frame *f;
	int n;
};

#define F_FIN	0x01
#define F_SYN	0x02
#define F_RST	0x04
#define F_ACK	0x10

/* One tab-separated field of @line: moves *@line past it. */
static char *field(char **line)
{
	char *f = strsep(line, "\t");

	return f ? f : "";
}

/*
 * tshark -T fields output in @name, one frame a line, in the order of @cols (names of
 * struct frame's members below); -1 if it cannot be read.
 */
static int read_frames(const char *name, const char *cols, struct frames *out)
{
	char *buf = slurp(name, NULL), *line, *save = NULL;

	out->f = NULL;
	out->n = 0;
	if (!buf)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct frame *f;
		char spec[256], *c, *cs = spec;

		out->f = realloc(out->f, (out->n + 1) * sizeof(*f));
		f = &out->f[out->n++];
		memset(f, 0, sizeof(*f));
		f->mss = -1;
		snprintf(spec, sizeof(spec), "%s", cols);
		while ((c = strsep(&cs, " "))) {
			char *v = field(&line);

			if (!strcmp(c, "no"))
				f->no = atoi(v);
			else if (!strcmp(c, "proto"))
				f->proto = atoi(v);
			else if (!strcmp(c, "src"))
				snprintf(f->src, sizeof(f->src), "%s", v);
			else if (!strcmp(c, "dst"))
				snprintf(f->dst, sizeof(f->dst), "%s", v);
			else if (!strcmp(c, "iplen"))
				f->iplen = atoi(v);
			else if (!strcmp(c, "iphl"))
				f->iphl = atoi(v);
			else if (!strcmp(c, "sport"))
				f->sport = *v ? atoi(v) : -1;
			else if (!strcmp(c, "dport"))
				f->dport = *v ? atoi(v) : -1;
			else if (!strcmp(c, "flags"))
				f->flags = strtoul(v, NULL, 16);
			else if (!strcmp(c, "seq"))
				f->seq = atol(v);
			else if (!strcmp(c, "ack"))
				f->ack = atol(v);
			else if (!strcmp(c, "len"))
				f->len = atoi(v);
			else if (!strcmp(c, "kinds"))
				snprintf(f->kinds, sizeof(f->kinds), "|%s|", v);
			else if (!strcmp(c, "mss"))
				f->mss = *v ? atoi(v) : -1;
			else if (!strcmp(c, "csum"))
				f->csum = strtoul(v, NULL, 16);
			else if (!strcmp(c, "ccalc"))
				f->ccalc = strtoul(v, NULL, 16);
			else if (!strcmp(c, "cstatus"))
				f->cstatus = *v ? atoi(v) : -1;
			else if (!strcmp(c, "expmsg"))
				f->expmsg = strdup(v);
			else if (!strcmp(c, "expsev"))
				f->expsev = strdup(v);
			else if (!strcmp(c, "win"))
				f->win = atol(v);
		}
	}
	free(buf);
	return 0;
}

/* Frames of protocol @p's connection (its server port). */
static int of(const struct frame *f, const struct proto *p)
{
	return f->proto == p->num && (f->sport == p->port || f->dport == p->port);
}

static int from_client(const struct frame *f, const struct proto *p)
{
	return f->dport == p->port;
}

static const char *flag_names(unsigned int fl)
{
	static char s[64];

	snprintf(s, sizeof(s), "%s%s%s%s%s%s", fl & F_SYN ? "SYN " : "", fl & F_FIN ? "FIN " : "",
		 fl & F_RST ? "RST " : "", fl & 0x08 ? "PSH " : "", fl & F_ACK ? "ACK " : "",
		 fl ? "" : "none ");
	s[strlen(s) - 1] = 0;
	return s;
}

/* # lines showing the frame @f as tshark decoded it. */
static void show(const char *why, const struct frame *f)
{
	if (!f) {
		printf("#   %s: none\n", why);
		return;
	}
	printf("#   %s: frame %d, %s:%d > port %d [%s] seq %ld ack %ld len %d options %s\n",
	       why, f->no, f->src, f->sport, f->dport, flag_names(f->flags), f->seq, f->ack,
	       f->len, f->kinds);
}

/* The four options of a SYN or SYN-ACK: MSS (2), SACK-permitted (4), timestamps (8), WS (3) */
static int syn_options(const struct frame *f)
{
	return f && strstr(f->kinds, "|2|") && strstr(f->kinds, "|4|") &&
	       strstr(f->kinds, "|8|") && strstr(f->kinds, "|3|") && f->mss > 0;
}

/*
 * The handshake, the data and the close of @p's connection as tshark decoded it from
 * the receiver's capture (@fr, relative sequence numbers).
 */
static void check_conversation(const struct frames *fr, const struct proto *p)
{
	const struct frame *syn = NULL, *synack = NULL, *ack3 = NULL, *cfin = NULL, *sfin = NULL;
	const struct frame *cfin_acked = NULL, *last_ack = NULL, *rst = NULL, *big = NULL;
	long bytes = 0, end = 0;
	int i, n = 0, data = 0, full = 0, maxlen = 0, maxip = 0, eff = -1, nshort = 0;
	char shorts[160] = "";

	for (i = 0; i < fr->n; i++) {
		const struct frame *f = &fr->f[i];

		if (!of(f, p))
			continue;
		n++;
		if (f->flags & F_RST)
			rst = rst ? rst : f;
		if (from_client(f, p)) {
			if ((f->flags & (F_SYN | F_ACK)) == F_SYN && !syn)
				syn = f;
			else if (synack && !ack3 && (f->flags & (F_SYN | F_ACK)) == F_ACK &&
				 f->seq == 1 && f->ack == 1)
				ack3 = f;
			if (f->len > 0) {
				data++;
				bytes += f->len;
				if (f->seq + f->len > end)
					end = f->seq + f->len;
				if (f->len > maxlen)
					maxlen = f->len;
				if (f->iplen > maxip)
					maxip = f->iplen;
				if (eff > 0 && (f->len > eff || f->iplen > MTU) && !big)
					big = f;
				full += f->len == eff;
				/* below the MSS before the end: not an error, worth seeing */
				if (f->len < eff && f->seq + f->len < size + 1 && nshort++ < 8)
					snprintf(shorts + strlen(shorts), sizeof(shorts) - strlen(shorts),
						 " %d (%d bytes)", f->no, f->len);
			}
			if ((f->flags & F_FIN) && !cfin)
				cfin = f;
			if (sfin && !last_ack && (f->flags & (F_ACK | F_FIN | F_SYN)) == F_ACK &&
			    f->ack == sfin->seq + 1)
				last_ack = f;
		} else {
			if ((f->flags & (F_SYN | F_ACK)) == (F_SYN | F_ACK) && syn && !synack &&
			    f->ack == 1) {
				synack = f;
				/* the data's MSS: the server's, less the timestamps */
				eff = (f->mss < syn->mss ? f->mss : syn->mss) - TS_OPT;
			}
			if ((f->flags & F_FIN) && !sfin)
				sfin = f;
			if (cfin && !cfin_acked && (f->flags & F_ACK) &&
			    f->ack == cfin->seq + cfin->len + 1)
				cfin_acked = f;
		}
	}
	if (!tap_ok(syn_options(syn) && syn_options(synack) && ack3 &&
		    strstr(ack3->kinds, "|8|"),
		    "%s at the receiver: the handshake: SYN and SYN-ACK with MSS, SACK-permitted, "
		    "timestamps and window scale, the client's ACK with timestamps (%d frames)",
		    p->name, n)) {
		show("SYN", syn);
		show("SYN-ACK", synack);
		show("ACK", ack3);
	}
	if (!tap_ok(bytes == size && end == size + 1 && eff > 0 && !big,
		    "%s at the receiver: %d data segments, their payloads %ld bytes (%ld sent) "
		    "ending at %ld, none above the MSS %d (largest %d bytes, %d at MSS) nor the "
		    "MTU %d (largest IP packet %d)", p->name, data, bytes, size, end - 1, eff,
		    maxlen, full, MTU, maxip))
		show("first one too large", big);
	if (nshort)
		printf("#   %s: %d data segments below the MSS before the last one, frames%s%s\n",
		       p->name, nshort, shorts, nshort > 8 ? " ..." : "");
	if (!tap_ok(cfin && cfin->seq + cfin->len == size + 1 && cfin_acked && sfin &&
		    sfin->seq == 1 && last_ack && !rst,
		    "%s at the receiver: the client's FIN after its %ld bytes, the server's ACK of "
		    "it, the server's FIN, the client's last ACK; no RST", p->name, size)) {
		show("client's FIN", cfin);
		show("its ACK", cfin_acked);
		show("server's FIN", sfin);
		show("last ACK", last_ack);
		show("RST", rst);
	}
}

/* ---- expert infos ---- */

#define MAX_EXPERT 64

struct expert {
	char what[256];		/* "severity: message", digits as N */
	int first;		/* the first frame that had it */
};

static const char *severity(long v)
{
	switch (v) {
	case 0x00100000: return "comment";
	case 0x00200000: return "chat";
	case 0x00400000: return "note";
	case 0x00600000: return "warning";
	case 0x00800000: return "error";
	}
	return "?";
}

/* The distinct expert infos of @p's frames into @e: how many. */
static int experts(const struct frames *fr, const struct proto *p, struct expert *e)
{
	int i, j, n = 0;

	for (i = 0; i < fr->n; i++) {
		const struct frame *f = &fr->f[i];
		char *msgs, *sevs, *ms, *ss, *m, *s;

		if (!of(f, p) || !f->expmsg || !*f->expmsg)
			continue;
		msgs = ms = strdup(f->expmsg);
		sevs = ss = strdup(f->expsev ? f->expsev : "");
		while ((m = strsep(&ms, "|"))) {
			char what[256], *w;

			s = strsep(&ss, "|");
			snprintf(what, sizeof(what), "%s: %s", severity(s ? atol(s) : 0), m);
			for (w = what; *w; w++)		/* ports, counts: the message's kind */
				if (isdigit((unsigned char)*w))
					*w = 'N';
			for (j = 0; j < n && strcmp(e[j].what, what); j++)
				;
			if (j == n && n < MAX_EXPERT) {
				snprintf(e[n].what, sizeof(e[n].what), "%s", what);
				e[n++].first = f->no;
			}
		}
		free(msgs);
		free(sevs);
	}
	return n;
}

static int has_expert(const struct expert *e, int n, const char *what)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(e[i].what, what))
			return 1;
	return 0;
}

#define WINDOW_UPDATE	"chat: TCP window update"

/*
 * Whether each window update tshark finds in protocol @p's conversation is one a
 * receiver sends when a read doubles the window it offers (tcp_cleanup_rbuf(),
 * xtcp_cleanup_rbuf()): at least twice the window of the same side's ACK before it.
 * When a reader lags a burst enough for that depends on the guest's scheduling, not
 * on the protocol: TCP's reader in the same test may or may not.  -1 if there is
 * none; else the number of the first frame that is not such a one, 0 if all are.
 */
static int window_updates_after_reads(const struct frames *fr, const struct proto *p)
{
	int i, j, seen = 0;

	for (i = 0; i < fr->n; i++) {
		const struct frame *f = &fr->f[i];

		if (!of(f, p) || !f->expmsg || !strstr(f->expmsg, "TCP window update"))
			continue;
		seen = 1;
		for (j = i - 1; j >= 0 && !(of(&fr->f[j], p) && fr->f[j].sport == f->sport); j--)
			;
		if (j < 0 || f->win < 2 * fr->f[j].win) {
			printf("#   a window update that no read explains: frame %d offers %ld, "
			       "frame %d before it %ld\n", f->no, f->win, j < 0 ? 0 : fr->f[j].no,
			       j < 0 ? 0 : fr->f[j].win);
			return f->no;
		}
	}
	return seen ? 0 : -1;
}

/*
 * Each kind of expert info tshark gives the xtcp conversation, TCP's has too, but
 * window updates that reads explain (window_updates_after_reads()).  What differs is
 * listed (on failure, in the message; either way as # lines).
 */
static void check_experts(const struct frames *fr)
{
	struct expert ex[MAX_EXPERT], et[MAX_EXPERT];
	int nx = experts(fr, &protos[0], ex), nt = experts(fr, &protos[1], et), i;
	int updates = window_updates_after_reads(fr, &protos[0]);
	char *extra = NULL;
	size_t elen = 0;
	FILE *m = open_memstream(&extra, &elen);

	for (i = 0; i < nx && m; i++)
		if (!has_expert(et, nt, ex[i].what) &&
		    (strcmp(ex[i].what, WINDOW_UPDATE) || updates != 0))
			fprintf(m, "%s\"%s\" (frame %d)", ftell(m) ? ", " : "", ex[i].what,
				ex[i].first);
	if (m)
		fclose(m);
	tap_ok(m && nx > 0 && nt > 0 && !elen,
	       "tshark's expert infos on xtcp (%d kinds) are all among TCP's (%d kinds) for the "
	       "same transfer, or window updates a read explains (%s)%s%s", nx, nt,
	       updates < 0 ? "none" : updates ? "not all" : "all", elen ? "; xtcp only: " : "",
	       elen ? extra : "");
	free(extra);
	for (i = 0; i < nx; i++)
		printf("#   xtcp: %s (first in frame %d)%s\n", ex[i].what, ex[i].first,
		       has_expert(et, nt, ex[i].what) ? "" : "  <- TCP has none");
	for (i = 0; i < nt; i++)
		printf("#   TCP:  %s (first in frame %d)%s\n", et[i].what, et[i].first,
		       has_expert(ex, nx, et[i].what) ? "" : "  <- xtcp has none");
}

/* ---- checksums ---- */

static unsigned int fold(unsigned int s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static unsigned int addr_sum(const char *ip)
{
	struct in_addr a;
	unsigned int v;

	inet_pton(AF_INET, ip, &a);
	v = ntohl(a.s_addr);
	return (v >> 16) + (v & 0xffff);
}

/*
 * On a veth, neither protocol's checksum need be complete: a segment sent with
 * CHECKSUM_PARTIAL carries only its pseudo-header's sum, for a device to finish, and a
 * veth hands it on as it is (the receiver trusts it, the capture shows it).  tshark's
 * own check (tcp.check_checksum) calls those bad, for both protocols, and it puts
 * protocol 6 in the pseudo-header, so that it calls a complete xtcp checksum bad too.
 * The fair check, frame by frame, for both protocols: the checksum is either the
 * pseudo-header's sum with the frame's own protocol number (partial), or complete and
 * right with its own protocol number in the pseudo-header: tshark's computed checksum
 * (tcp.checksum_calculated, for 6) moved to 253 by one's-complement arithmetic.
 * Nothing else: a checksum made with 6 for an xtcp frame, or wrong, fails.
 */
static void check_checksums(const struct frames *fr)
{
	int i, k, n[NPROTO][3] = {}, shown = 0;
	const char *kind[3] = { "complete", "partial", "wrong" };

	for (i = 0; i < fr->n; i++) {
		const struct frame *f = &fr->f[i];
		unsigned int tcplen = f->iplen - f->iphl, pseudo, right;

		for (k = 0; k < NPROTO && !of(f, &protos[k]); k++)
			;
		if (k == NPROTO)
			continue;
		pseudo = fold(addr_sum(f->src) + addr_sum(f->dst) + f->proto + tcplen);
		if (f->cstatus == 1)		/* tshark: right with 6 */
			right = f->csum;
		else				/* what it should be with 6 */
			right = f->ccalc;
		if (f->proto != IPPROTO_TCP)	/* ... with our number instead */
			right = ~fold((~right & 0xffff) + f->proto - IPPROTO_TCP) & 0xffff;
		if (f->csum == pseudo)
			n[k][1]++;
		else if (f->csum == right && (f->cstatus != 1 || f->proto == IPPROTO_TCP))
			n[k][0]++;
		else {
			n[k][2]++;
			if (shown++ < 5)
				printf("#   wrong checksum: frame %d, protocol %d, %#06x (partial "
				       "would be %#06x, complete %#06x)\n", f->no, f->proto,
				       f->csum, pseudo, right);
		}
	}
	for (k = 0; k < NPROTO; k++)
		tap_ok(n[k][0] + n[k][1] > 0 && !n[k][2],
		       "%s at the receiver: every checksum right for protocol %d: %d %s (tshark "
		       "verifies with protocol 6 in the pseudo-header%s), %d %s (only the pseudo-"
		       "header's sum: CHECKSUM_PARTIAL, which the veth does not finish), %d %s",
		       protos[k].name, protos[k].num, n[k][0], kind[0],
		       protos[k].num == IPPROTO_TCP ? "" : ", moved to 253", n[k][1], kind[1],
		       n[k][2], kind[2]);
}

/* ---- main ---- */

static long parse_size(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end == 'K' || *end == 'k')
		v <<= 10;
	else if (*end == 'M' || *end == 'm')
		v <<= 20;
	return v;
}

static void start_capture(void)
{
	/* -U --immediate-mode: each packet in the file as it comes (see pcap_has_mark) */
	dump_pid = spawn("server.tcpdump.log", "exec ip netns exec " NS_S " tcpdump -i s0 -n "
			 "-s 0 -B 32768 -U --immediate-mode -Z root -w server.pcap");
	tap_ok(dump_pid > 0 && wait_for(file_has("server.tcpdump.log", "listening on"), 60),
	       "tcpdump captures on the server's veth (s0): it says \"listening on\"");
}

/* Stop the capture once it holds the marker; tcpdump must have dropped nothing. */
static void stop_capture(int fc)
{
	long dropped = -1, captured = -1;
	int marked = 0, rc;
	char *s;

	if (send_mark(fc))
		marked = wait_for(pcap_has_mark("server.pcap"), 60);
	kill(dump_pid, SIGINT);
	rc = reap(dump_pid, 30);
	dump_pid = 0;
	s = slurp("server.tcpdump.log", NULL);
	if (s) {
		char *d = strstr(s, " packets dropped by kernel");
		char *c = strstr(s, " packets captured");

		while (d && d > s && isdigit((unsigned char)d[-1]))
			d--;
		while (c && c > s && isdigit((unsigned char)c[-1]))
			c--;
		if (d)
			dropped = atol(d);
		if (c)
			captured = atol(c);
	}
	free(s);
	tap_ok(marked && rc == 0 && captured > 0 && dropped == 0,
	       "the capture is whole: it holds the end marker (%s), tcpdump stopped (status %d), "
	       "%ld packets captured, %ld dropped by the kernel", marked ? "yes" : "no", rc,
	       captured, dropped);
}

/* tshark's runs on the capture, at once (each takes seconds to start under TCG). */
static void run_tshark(void)
{
	static const char *const runs[][2] = {
		/* the receiver's capture, decoded as TCP: the frames, their expert infos */
		{ "server.fields", "-r server.pcap -d ip.proto==253,tcp -Y tcp -T fields "
		  "-E occurrence=a -E aggregator='|' -e frame.number -e ip.proto -e ip.src "
		  "-e ip.len -e tcp.srcport -e tcp.dstport -e tcp.flags -e tcp.seq -e tcp.ack "
		  "-e tcp.len -e tcp.option_kind -e tcp.options.mss_val -e _ws.expert.message "
		  "-e _ws.expert.severity -e tcp.window_size" },
		/* ... its checksums, tshark checking them */
		{ "server.csum", "-r server.pcap -d ip.proto==253,tcp -o tcp.check_checksum:TRUE "
		  "-Y tcp -T fields -e frame.number -e ip.proto -e ip.src -e ip.dst -e ip.len "
		  "-e ip.hdr_len -e tcp.srcport -e tcp.dstport -e tcp.checksum "
		  "-e tcp.checksum_calculated -e tcp.checksum.status" },
		/* ... not decoded as TCP: the tool's sanity */
		{ "server.nodecode", "-r server.pcap -Y ip -T fields -e frame.number -e ip.proto "
		  "-e tcp.srcport" },
	};
	const int nruns = sizeof(runs) / sizeof(runs[0]);
	pid_t pid[sizeof(runs) / sizeof(runs[0])];
	char cmd[1024], log[512];
	int i, rc, failed = 0;
	double t0 = now();
	FILE *f;

	/* an empty configuration: no preference or Decode As of the user's */
	sh("mkdir -p %s/wireshark-config", dir);
	for (i = 0; i < nruns; i++) {
		snprintf(cmd, sizeof(cmd), "WIRESHARK_CONFIG_DIR=%s/wireshark-config exec "
			 "tshark -n -o tcp.relative_sequence_numbers:TRUE -o tcp.analyze_sequence_numbers:TRUE "
			 "%s > %s", dir, runs[i][1], runs[i][0]);
		/* the command, kept beside its output */
		snprintf(log, sizeof(log), "%s/%s.cmd", dir, runs[i][0]);
		f = fopen(log, "w");
		if (f) {
			fprintf(f, "tshark -n %s\n", runs[i][1]);
			fclose(f);
		}
		snprintf(log, sizeof(log), "%s.err", runs[i][0]);
		pid[i] = spawn(log, cmd);
	}
	for (i = 0; i < nruns; i++) {
		rc = reap(pid[i], 300);
		if (rc) {
			printf("# tshark for %s: status %d; see %s/%s.err\n", runs[i][0], rc, dir,
			       runs[i][0]);
			failed++;
		}
	}
	tap_ok(!failed, "tshark read the capture (%d runs, %d failed, %.1f s)", nruns, failed,
	       now() - t0);
}

/* Without -d, tshark sees no TCP in protocol 253; with it, every such frame is TCP. */
static void check_decode_as(const struct frames *nodecode, const struct frames *decoded)
{
	int i, n253 = 0, tcp253 = 0, as_tcp = 0;

	for (i = 0; i < nodecode->n; i++)
		if (nodecode->f[i].proto == IPPROTO_XTCP) {
			n253++;
			tcp253 += nodecode->f[i].sport >= 0;
		}
	for (i = 0; i < decoded->n; i++)
		as_tcp += decoded->f[i].proto == IPPROTO_XTCP && decoded->f[i].sport > 0;
	tap_ok(n253 > 0 && !tcp253 && as_tcp == n253,
	       "tshark alone decodes none of the %d protocol-253 frames as TCP (%d), and all of "
	       "them with -d ip.proto==253,tcp (%d)", n253, tcp253, as_tcp);
}

/*
 * The client's super-segments: fewer packets left its veth than data segments reached
 * the server (cut by the router), for xtcp; TCP's counts for comparison.
 */
static void check_super(const struct frames *fr)
{
	int i, k, data[NPROTO] = {};

	for (k = 0; k < NPROTO; k++)
		for (i = 0; i < fr->n; i++)
			data[k] += of(&fr->f[i], &protos[k]) && from_client(&fr->f[i], &protos[k]) &&
				   fr->f[i].len > 0;
	tap_ok(client_tx[0] > 0 && client_tx[0] < data[0],
	       "xtcp's sender used super-segments: %ld packets left the client's veth, %d data "
	       "segments reached the server (TCP: %ld and %d)", client_tx[0], data[0],
	       client_tx[1], data[1]);
}

int main(int argc, char **argv)
{
	struct frames fields, csum, nodecode;
	int self = open("/proc/self/ns/net", O_RDONLY), fc, fs, opt, k;

	while ((opt = getopt(argc, argv, "o:s:a")) != -1) {
		switch (opt) {
		case 'o':
			dir = optarg;
			break;
		case 's':
			size = parse_size(optarg);
			break;
		case 'a':
			analyse = 1;
			break;
		default:
			fprintf(stderr, "usage: capture [-o DIR] [-s SIZE] [-a]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(NULL, cleanup);
	if (analyse)
		goto tshark;
	if (sh("mkdir -p %s && cd %s && rm -f -- *.pcap *.log *.err *.cmd *.fields *.csum "
	       "*.nodecode", dir, dir)) {
		tap_ok(0, "output directory %s", dir);
		return tap_done();
	}
	watchdog_step("three namespaces", 60);
	if (!tap_ok(setup() == 0, "client - router - server over veth (MTU %d), netem delay "
		    "5 ms on the router's egresses, its link to the server segmenting in software",
		    MTU)) {
		cleanup();
		return tap_done();
	}
	tap_ok(!sh("ip netns exec " NS_C " ethtool -k c0 | grep -q '^tcp-segmentation-offload: on' "
		   "&& ip netns exec " NS_C " ethtool -k c0 | grep -q '^tx-sctp-segmentation: on'"),
	       "the sender's veth as shipped: TSO and tx-sctp-segmentation (xtcp's GSO type) on");
	fc = ns_fd(NS_C);
	fs = ns_fd(NS_S);

	watchdog_step("starting tcpdump", 90);
	start_capture();
	for (k = 0; k < NPROTO; k++) {
		watchdog_step(protos[k].name, 120);
		transfer(&protos[k], fc, fs, &client_tx[k]);
	}
	watchdog_step("stopping tcpdump", 120);
	stop_capture(fc);
	sh("ip netns exec " NS_S " cat /proc/net/" XTCP_PROC_STAT " > %s/server.xtcp_stat; "
	   "ip netns exec " NS_S " cat /proc/net/netstat /proc/net/snmp > %s/server.netstat",
	   dir, dir);
	netns_enter(self);

tshark:
	watchdog_step("tshark", 360);
	run_tshark();
	watchdog_step(NULL, 0);
	if (!tap_ok(!read_frames("server.fields", "no proto src iplen sport dport flags seq ack "
				 "len kinds mss expmsg expsev win", &fields) &&
		    !read_frames("server.csum", "no proto src dst iplen iphl sport dport csum "
				 "ccalc cstatus", &csum) &&
		    !read_frames("server.nodecode", "no proto sport", &nodecode),
		    "tshark's outputs read (in %s)", dir)) {
		cleanup();
		return tap_done();
	}
	check_decode_as(&nodecode, &fields);
	for (k = 0; k < NPROTO; k++)
		check_conversation(&fields, &protos[k]);
	check_experts(&fields);
	check_checksums(&csum);
	if (!analyse)
		check_super(&fields);
	cleanup();
	return tap_done();
}
