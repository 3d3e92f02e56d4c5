/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp internal definitions: sockets, request minisockets, tables, counters.
 *
 * xtcp is TCP on its own IP protocol number, built as a module.  Its structure mirrors
 * Linux's TCP (net/ipv4/tcp*.c, inet_hashtables.c, inet_connection_sock.c) function by
 * function, with the xtcp_ prefix; docs/handshake.md maps one to the other.
 */
#ifndef _XTCP_H
#define _XTCP_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/list_nulls.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/tcp.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <net/dsfield.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/snmp.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tcp_states.h>
#include <net/transp_v6.h>
#include <uapi/linux/xtcp.h>
#include "xtcp_compat.h"

/* Table sizes, per network namespace (powers of two). */
#define XTCP_EHASH_LOCKS	256	/* established-hash chain locks, shared by chains */
#define XTCP_LHASH_SIZE		64	/* listeners, by port + local address */
#define XTCP_BHASH_SIZE		256	/* bound ports */

#define XTCP_MSS_DEFAULT	536U	/* RFC 9293 3.7.1: MSS when the peer sends none */
/* the same over IPv6, as tcp_v6_connect() and tcp_request_sock_ipv6_ops.mss_clamp */
#define XTCP6_MSS_DEFAULT	1220U	/* IPV6_MIN_MTU (1280) less the IPv6 and TCP headers */
#define XTCP_MIN_MSS		88U	/* the smallest MSS we accept, as TCP_MIN_MSS */
#define XTCP_MAX_WSCALE		14	/* RFC 7323 2.3 */
#define XTCP_TIMEOUT_INIT	HZ	/* RFC 6298 2.1: initial RTO, 1 s */
#define XTCP_RTO_MAX		(120 * HZ)
#define XTCP_RTO_MIN		(HZ / 5)	/* Linux's floor, not RFC 6298's 1 s */
#define XTCP_TIMEOUT_MIN_US	2000U		/* the shortest timer worth arming, 2 ms */
#define XTCP_DELACK_MIN		(HZ / 25)	/* delayed ACK: 40 ms ... */
#define XTCP_DELACK_MAX		(HZ / 5)	/* ... at most 200 ms (RFC 9293 3.8.6.3) */
#define XTCP_INIT_CWND		10U		/* RFC 6928 initial window, segments */
#define XTCP_INFINITE_SSTHRESH	0x7fffffffU
#define XTCP_DUPTHRESH		3U		/* duplicate ACKs that mean a loss */
#define XTCP_QUICKACKS		16U		/* segments ACKed at once in quick-ack mode */
#define XTCP_SYNCOOKIE_VALID	(2 * 60 * HZ)	/* cookies taken this long after one went */
#define XTCP_RETRIES2		15		/* RTOs before a connection is dropped */
/* room for the headers in front of ours, IPv6's too */
#define XTCP_MAX_HEADER		(MAX_HEADER + sizeof(struct ipv6hdr) + 60)
/* a super-segment's RTT allowance halves per 2^9 us of min RTT (tcp_tso_rtt_log) */
#define XTCP_TSO_RTT_LOG	9
#define XTCP_ORPHAN_RETRIES	8		/* net.xtcp.orphan_retries 0 means this */
#define XTCP_MAX_KEEPIDLE	32767		/* seconds, as MAX_TCP_KEEPIDLE */
#define XTCP_MAX_KEEPINTVL	32767		/* as MAX_TCP_KEEPINTVL */
#define XTCP_MAX_KEEPCNT	127		/* as MAX_TCP_KEEPCNT */

/* Sequence number comparisons modulo 2^32 (RFC 9293 3.4), like before()/after(). */
static inline bool xtcp_before(u32 seq1, u32 seq2)
{
	return (s32)(seq1 - seq2) < 0;
}

#define xtcp_after(seq2, seq1)	xtcp_before(seq1, seq2)

/* Is seq1 <= seq2 <= seq3 (modulo 2^32)? */
static inline bool xtcp_between(u32 seq1, u32 seq2, u32 seq3)
{
	return seq3 - seq1 >= seq2 - seq1;
}

#define XTCP_PAWS_WRAP	(INT_MAX / USEC_PER_SEC)	/* s: a ts_recent this old says nothing */
#define XTCP_PAWS_MSL		60	/* a RST's timestamp is not checked after this (s) */
#define XTCP_PAWS_WINDOW	1	/* how far back a timestamp may be (tsval ticks) */

/**
 * xtcp_paws_check - RFC 7323 5 (PAWS): is a timestamp recent enough, like
 * tcp_paws_check()?
 * @ts_recent: the peer's last timestamp we kept
 * @stamp: when it came (ktime_get_seconds())
 * @tsval: the timestamp of the segment
 * @win: how many ticks older than @ts_recent it may be
 *
 * It is if not older than @ts_recent less @win; if @ts_recent is XTCP_PAWS_WRAP old
 * (about 36 minutes, Linux 6.12's TCP_PAWS_WRAP: a microsecond timestamp clock wraps
 * its sign in that time; RFC 7323 5.5's 24 days are for millisecond clocks); or if it
 * is 0 (some stacks send their SYN with tsval 0).
 *
 * Context: any.
 * Return: true if the segment passes.
 */
static inline bool xtcp_paws_check(u32 ts_recent, time64_t stamp, u32 tsval, int win)
{
	if ((s32)(ts_recent - tsval) <= win)
		return true;
	if (unlikely(!time_before32(ktime_get_seconds(), stamp + XTCP_PAWS_WRAP)))
		return true;
	return !ts_recent;
}

/**
 * xtcp_paws_reject - does PAWS reject a segment of a request, a TIME_WAIT or a
 * simultaneous open's SYN, like tcp_paws_reject()?
 * @ts_recent: the peer's last timestamp we kept
 * @stamp: when it came (ktime_get_seconds())
 * @tsval: the timestamp of the segment
 * @rst: the segment is a RST: its timestamp is not held against it after
 *	XTCP_PAWS_MSL seconds of silence (RFC 7323 5.3 leaves RSTs out of PAWS)
 *
 * Context: any.
 * Return: true to drop it.
 */
static inline bool xtcp_paws_reject(u32 ts_recent, time64_t stamp, u32 tsval, bool rst)
{
	if (xtcp_paws_check(ts_recent, stamp, tsval, 0))
		return false;
	return !rst || time_before32(ktime_get_seconds(), stamp + XTCP_PAWS_MSL);
}

/*
 * Per-segment data kept in skb->cb while we process a segment, like struct tcp_skb_cb.
 * It sits after the IP layer's struct inet_skb_parm, which a received segment keeps
 * intact; a sent one waiting in the retransmission queue keeps its RACK link there
 * (xtcp_skb_tsorted()).
 */
struct xtcp_skb_cb {
	u32 seq;	/* first sequence number */
	u32 end_seq;	/* seq + SYN + FIN + data length */
	u32 ack_seq;	/* acknowledgment number */
	u32 tx_time;	/* sent: when last transmitted, microseconds (xtcp_clock_us()) */
	union {
		u32 tw_isn;	/* received: the ISN a SYN that ended a TIME_WAIT must use, or 0 */
		struct {
			u16 pcount;	/* queued: segments it is cut into, 0 until known */
			u16 gso_size;	/* queued: the MSS it is cut at, 0 if one segment */
		};
	};
	u8 flags;	/* the TCP flags byte (TCPHDR_*) */
	u8 sacked;	/* sent: XTCP_SKB_* scoreboard bits */
};

/* The scoreboard of a segment in the retransmission queue, like TCPCB_SACKED_* */
#define XTCP_SKB_SACKED		0x01	/* the peer SACKed it */
#define XTCP_SKB_LOST		0x02	/* taken for lost: to be retransmitted */
#define XTCP_SKB_RETRANS	0x04	/* retransmitted, the copy still in flight */
#define XTCP_SKB_EVER_RETRANS	0x08	/* retransmitted once: no RTT sample (Karn) */

/* what IP or IPv6 keeps at the start of skb->cb, before ours (tcp_skb_cb.header) */
#define XTCP_IP_CB_SIZE	(sizeof(struct inet_skb_parm) > sizeof(struct inet6_skb_parm) ? \
			 sizeof(struct inet_skb_parm) : sizeof(struct inet6_skb_parm))
#define XTCP_SKB_CB(skb) \
	((struct xtcp_skb_cb *)&((skb)->cb[XTCP_IP_CB_SIZE]))

/* Did @skb come over IPv6 (else IPv4)?  A dual-stack listener gets both. */
static inline bool xtcp_skb_v6(const struct sk_buff *skb)
{
	return skb->protocol == htons(ETH_P_IPV6);
}

/* The DS field (DSCP and ECN) of a received segment's IP header. */
static inline u8 xtcp_skb_dsfield(const struct sk_buff *skb)
{
	return xtcp_skb_v6(skb) ? ipv6_get_dsfield(ipv6_hdr(skb)) : ipv4_get_dsfield(ip_hdr(skb));
}

/* Is a connection (request, TIME_WAIT) over loopback addresses? */
static inline bool xtcp_skc_loopback(const struct sock_common *skc);

/*
 * Do a socket, request or TIME_WAIT and its peer talk IPv6?  An IPv6 socket whose peer
 * has a v4-mapped address (::ffff:a.b.c.d) talks IPv4, by its skc_daddr and
 * skc_rcv_saddr, as Linux's do.
 */
static inline bool xtcp_skc_v6(const struct sock_common *skc)
{
#if IS_ENABLED(CONFIG_IPV6)
	return skc->skc_family == AF_INET6 && !ipv6_addr_v4mapped(&skc->skc_v6_daddr);
#else
	return false;
#endif
}

/*
 * The IPv6 addresses of a socket, request or TIME_WAIT into @s6 and @d6 (16 bytes
 * each); an IPv4 one's as v4-mapped addresses, as TP_STORE_ADDRS() gives TCP's
 * tracepoints both forms.
 */
static inline void xtcp_skc_addrs6(const struct sock_common *skc, u8 *s6, u8 *d6)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (skc->skc_family == AF_INET6) {
		memcpy(s6, &skc->skc_v6_rcv_saddr, sizeof(struct in6_addr));
		memcpy(d6, &skc->skc_v6_daddr, sizeof(struct in6_addr));
		return;
	}
#endif
	ipv6_addr_set_v4mapped(skc->skc_rcv_saddr, (struct in6_addr *)s6);
	ipv6_addr_set_v4mapped(skc->skc_daddr, (struct in6_addr *)d6);
}

static inline bool xtcp_skc_loopback(const struct sock_common *skc)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (xtcp_skc_v6(skc))
		return ipv6_addr_loopback(&skc->skc_v6_daddr) ||
		       ipv6_addr_loopback(&skc->skc_v6_rcv_saddr);
#endif
	return ipv4_is_loopback(skc->skc_daddr) || ipv4_is_loopback(skc->skc_rcv_saddr);
}

/*
 * Receive memory, in 1/256 of it: a received segment whose data takes less of its
 * memory than XTCP_PACK_RATIO is packed into pages when the buffer overflows
 * (xtcp_collapse()); a window offers at most XTCP_MAX_WIN_RATIO of the free memory,
 * below that, so what it lets in fits once packed (xtcp_win_from_space()).
 */
#define XTCP_PACK_RATIO		240
#define XTCP_MAX_WIN_RATIO	232

#define XTCP_NUM_SACKS		4	/* SACK blocks an option can hold (RFC 2018 3) */

/* A SACK block: sequence numbers [start, end) the receiver holds. */
struct xtcp_sack_block {
	u32 start;
	u32 end;
};

/* Options seen in a received segment (RFC 9293 3.2, RFC 7323, RFC 2018). */
struct xtcp_options_received {
	u32 rcv_tsval;		/* the peer's timestamp value */
	u32 rcv_tsecr;		/* the timestamp it echoes */
	struct xtcp_sack_block sacks[XTCP_NUM_SACKS];	/* SACK blocks, as received */
	u8 num_sacks;		/* how many (0 if none) */
	/* the MSS it offered, 0 if none; on a connection, the MSS the handshake agreed */
	u16 mss_clamp;
	u8 snd_wscale;		/* its window scale shift */
	u8 saw_tstamp : 1,	/* this segment carries a timestamp */
	   wscale_ok : 1,	/* it offered window scaling */
	   sack_ok : 1;		/* it offered SACK */
};

/* Options we put in a segment; xtcp_options_size() and xtcp_options_write() use it. */
struct xtcp_out_options {
	u16 mss;		/* 0: no MSS option */
	u8 ws;			/* our window scale, if ws_ok */
	u8 ws_ok : 1,
	   sack_ok : 1,
	   ts_ok : 1;
	u8 num_sacks;		/* SACK blocks in @sacks to send */
	u32 tsval, tsecr;
	struct xtcp_sack_block sacks[XTCP_NUM_SACKS];
};

/*
 * struct xtcp_bind_bucket - one bound port, like inet_bind_bucket
 * @node: link in the namespace's bind hash
 * @owners: the sockets bound to the port (through sk->sk_bind_node)
 * @tw_owners: the TIME_WAIT minisockets holding it (xtcp_timewait_sock.bind_node)
 * @port: the port, host order
 * @connect_only: only connect() put sockets here (Linux: fastreuse and fastreuseport
 *	-1): other connect()s may share the port toward other destinations; once
 *	bind() or listen() uses it, never again
 *
 * Protected by xtcp_net.bind_lock.  The bucket is freed once both lists are empty.
 */
struct xtcp_bind_bucket {
	struct hlist_node node;
	struct hlist_head owners;
	struct hlist_head tw_owners;
	unsigned short port;
	bool connect_only;
};

/*
 * struct xtcp_timewait_sock - a connection in TIME_WAIT: what is left of it after the
 * full socket is gone, like inet_timewait_sock + tcp_timewait_sock.  It answers a
 * retransmitted FIN with an ACK for 2*MSL (net.xtcp.tw_timeout), keeps the 4-tuple from
 * a new incarnation too early, and holds its port.
 * @common: addresses, ports, netns, state TCP_TIME_WAIT, reference count and the
 *	established-hash link, as a full socket has them
 * @timer: the end of TIME_WAIT; holds a reference while pending
 * @bind_node: link in its port's xtcp_bind_bucket.tw_owners (xtcp_net.bind_lock)
 * @tb: that bucket
 * @rcu: deferred free, as lookups walk the hash under RCU
 * @rcv_nxt: the peer's FIN + 1: what we ACK
 * @snd_nxt: our FIN + 1
 * @rcv_wnd: the window we offered, unscaled
 * @ts_recent: the peer's last timestamp value (PAWS)
 * @ts_recent_stamp: when it came, seconds (ktime_get_seconds()); 0 without timestamps
 * @tsoffset: the connection's timestamp offset, for our tsval
 * @last_oow_ack_time: when it last answered a segment outside its window (jiffies,
 *	0: never): such answers are rate-limited (xtcp_oow_rate_limited()); written
 *	without a lock, as the fields below
 * @flowlabel: the IPv6 flow label the socket sent with (host order), for its ACKs
 * @tclass: its IPv6 traffic class (IPV6_TCLASS), for its ACKs
 * @rcv_wscale: our window scale
 * @tstamp_ok: the connection used timestamps
 * @reuse: the socket had SO_REUSEADDR: a SO_REUSEADDR socket may bind the port
 * @reuseport: the socket had SO_REUSEPORT: so may a SO_REUSEPORT socket, any user's
 *
 * Its fields are written only by the softirq handling a segment for it, without a
 * lock, as Linux does for inet_timewait_sock: two segments racing may both be
 * answered, nothing worse.
 */
struct xtcp_timewait_sock {
	struct sock_common common;
	struct timer_list timer;
	struct hlist_node bind_node;
	struct xtcp_bind_bucket *tb;
	struct rcu_head rcu;
	u32 rcv_nxt;
	u32 snd_nxt;
	u32 rcv_wnd;
	u32 ts_recent;
	time64_t ts_recent_stamp;
	u32 tsoffset;
	u32 last_oow_ack_time;
	u32 flowlabel;
	u8 tclass;
	u8 rcv_wscale;
	u8 tstamp_ok : 1,
	   reuse : 1,
	   reuseport : 1;
};

static inline struct xtcp_timewait_sock *xtcp_twsk(const struct sock *sk)
{
	return container_of((struct sock_common *)sk, struct xtcp_timewait_sock, common);
}

/*
 * struct xtcp_request_sock - a half-open connection: a request minisocket, like
 * struct request_sock.  It answered a SYN with a SYN-ACK and waits for the ACK.
 * @common: addresses, ports, netns, state TCP_NEW_SYN_RECV, reference count and the
 *	established-hash link; the same header a struct sock starts with, so both live in
 *	one hash chain
 * @listener: the listening socket it belongs to (holds a reference)
 * @syn_node: link in the listener's list of requests (listener's socket lock)
 * @timer: SYN-ACK retransmission; holds a reference while pending
 * @rcu: deferred free, as lookups walk the hash under RCU
 * @snt_isn: our initial sequence number
 * @rcv_isn: the peer's initial sequence number
 * @ts_recent: the peer's last timestamp value
 * @rcv_wnd: the receive window we offered
 * @last_oow_ack_time: when a repeated SYN was last answered (jiffies, 0: never;
 *	listener's lock)
 * @mss: the MSS for the connection (the peer's offer, clamped by ours once the route
 *	is known; until then the peer's offer)
 * @advmss: the MSS we offered (0 until the first SYN-ACK is routed)
 * @snd_wscale: the peer's window scale
 * @rcv_wscale: ours
 * @num_retrans: times the request timer ran out, each re-sending the SYN-ACK but
 *	while TCP_DEFER_ACCEPT waits for data after the ACK (Linux's num_timeout; written
 *	by the request timer, read locklessly: WRITE_ONCE)
 * @flowlabel: the IPv6 SYN's flow label, for a listener that reflects it
 *	(IPV6_FL_F_REFLECT) in its SYN-ACKs; 0 otherwise
 * @wscale_ok: both sides scale windows
 * @sack_ok: both sides use SACK
 * @tstamp_ok: both sides use timestamps
 * @ecn_ok: both sides use ECN (the SYN asked for it, net.xtcp.ecn allows it)
 * @acked: the handshake's ACK came and was dropped, the listener's TCP_DEFER_ACCEPT
 *	waiting for data (written by the softirq handling it, as Linux's)
 * @unlinked: dropped from the tables; the timer must not re-arm (READ_ONCE: the
 *	timer reads it without the listener's lock)
 */
struct xtcp_request_sock {
	struct sock_common common;
	struct sock *listener;
	struct hlist_node syn_node;
	struct timer_list timer;
	struct rcu_head rcu;
	u32 snt_isn;
	u32 rcv_isn;
	u32 ts_recent;
	u32 rcv_wnd;
	u32 last_oow_ack_time;
	u16 mss;
	u16 advmss;
	u8 snd_wscale;
	u8 rcv_wscale;
	u8 num_retrans;
	__be32 flowlabel;
	int iif;
	u8 wscale_ok : 1,
	   sack_ok : 1,
	   tstamp_ok : 1,
	   ecn_ok : 1,
	   acked : 1;
	bool unlinked;
};

static inline struct xtcp_request_sock *xtcp_rsk(const struct sock *sk)
{
	return container_of((struct sock_common *)sk, struct xtcp_request_sock, common);
}

static inline struct sock *xtcp_req_to_sk(struct xtcp_request_sock *req)
{
	return (struct sock *)&req->common;
}

/*
 * Congestion-control states of the sender, like enum tcp_ca_state and with its values
 * (TCP_INFO's tcpi_ca_state, and what an algorithm's set_state() is given); xtcp has no
 * Disorder state.
 */
enum xtcp_ca_state {
	XTCP_CA_OPEN = TCP_CA_Open,	/* nothing lost: slow start or congestion avoidance */
	XTCP_CA_CWR = TCP_CA_CWR,	/* cwnd reduced for an ECN echo, nothing lost (RFC 3168) */
	XTCP_CA_RECOVERY = TCP_CA_Recovery,	/* fast recovery (RFC 6582, RFC 6675) */
	XTCP_CA_LOSS = TCP_CA_Loss,	/* after a retransmission timeout */
};

/* A connection's ECN state (RFC 3168), xtcp_sock.ecn_flags, as TCP_ECN_* */
#define XTCP_ECN_OK		1	/* both ends negotiated ECN: data leaves ECT(0) */
#define XTCP_ECN_QUEUE_CWR	2	/* the next new data carries CWR: cwnd was reduced */
#define XTCP_ECN_DEMAND_CWR	4	/* a CE mark came: every segment echoes ECE until CWR */
#define XTCP_ECN_SEEN		8	/* an ECT or CE packet came */

/* What the retransmit timer is armed for, like ICSK_TIME_* */
enum xtcp_timer_event {
	XTCP_TIME_RETRANS = 1,	/* retransmission timeout (or the SYN's) */
	XTCP_TIME_PROBE0,	/* zero-window probe (persist timer) */
	XTCP_TIME_REO,		/* RACK's reordering window ends (xtcp_rack_reo_timeout()) */
	XTCP_TIME_LOSS_PROBE,	/* tail-loss probe (xtcp_send_loss_probe()) */
};

/**
 * struct xtcp_af_ops - what a socket does by its address family, like
 * struct inet_connection_sock_af_ops: IPv4, IPv6, or IPv6 talking to an IPv4 peer
 * (a v4-mapped address)
 * @queue_xmit: send a segment of the connection (ip_queue_xmit(), inet6_csk_xmit())
 * @send_check: its checksum, over the family's pseudo-header; with @offload left for
 *	the device to finish
 * @mtu_reduced: a "too big" ICMP said the path takes smaller packets
 * @setsockopt: the family's own socket options (SOL_IP, SOL_IPV6)
 * @getsockopt: the same, read
 * @net_header_len: the IP header's length
 */
struct xtcp_af_ops {
	int (*queue_xmit)(struct sock *sk, struct sk_buff *skb, struct flowi *fl);
	void (*send_check)(struct sock *sk, struct sk_buff *skb, bool offload);
	void (*mtu_reduced)(struct sock *sk);
	int (*setsockopt)(struct sock *sk, int level, int optname, sockptr_t optval,
			  unsigned int optlen);
	int (*getsockopt)(struct sock *sk, int level, int optname, char __user *optval,
			  int __user *optlen);
	u16 net_header_len;
	u16 mss_default;	/* the peer's MSS when it sends none (af_ops->mss_clamp) */
};

/*
 * Work a timer (or the small-queue tasklet) found the socket owned by a process for,
 * in sk->sk_tsq_flags, as TCP keeps it there: xtcp_release_cb() does it when
 * release_sock() has processed the backlog, as tcp_release_cb() does
 * TCP_WRITE_TIMER_DEFERRED and TCP_DELACK_TIMER_DEFERRED.  Each *_DEFERRED bit set
 * holds a socket reference.  The small queues' own state (TSQ_THROTTLED, TSQ_QUEUED)
 * shares the word, as TCP's does (xtcp_small_queue_check(), xtcp_wfree()).
 */
enum xtcp_deferred {
	XTCP_WRITE_TIMER_DEFERRED,	/* the retransmit timer's event */
	XTCP_DELACK_TIMER_DEFERRED,	/* the delayed ACK */
	XTCP_MTU_REDUCED_DEFERRED,	/* an ICMP "fragmentation needed" (xtcp_v4_mtu_reduced()) */
	XTCP_PACE_DEFERRED,		/* the pacing timer's send (TSQ_OWNED of tcp_pace_kick()) */
	XTCP_TSQ_DEFERRED,		/* small queues: packets left, send (TCP_TSQ_DEFERRED) */
	XTCP_TSQ_THROTTLED,		/* small queues: the socket waits for packets to leave */
	XTCP_TSQ_QUEUED,		/* small queues: in a CPU's list for its tasklet */
};

#define XTCPF_WRITE_TIMER_DEFERRED	BIT(XTCP_WRITE_TIMER_DEFERRED)
#define XTCPF_DELACK_TIMER_DEFERRED	BIT(XTCP_DELACK_TIMER_DEFERRED)
#define XTCPF_MTU_REDUCED_DEFERRED	BIT(XTCP_MTU_REDUCED_DEFERRED)
#define XTCPF_PACE_DEFERRED		BIT(XTCP_PACE_DEFERRED)
#define XTCPF_TSQ_DEFERRED		BIT(XTCP_TSQ_DEFERRED)
#define XTCPF_TSQ_THROTTLED		BIT(XTCP_TSQ_THROTTLED)
#define XTCPF_TSQ_QUEUED		BIT(XTCP_TSQ_QUEUED)
#define XTCPF_DEFERRED_ALL	(XTCPF_WRITE_TIMER_DEFERRED | XTCPF_DELACK_TIMER_DEFERRED | \
				 XTCPF_MTU_REDUCED_DEFERRED | XTCPF_PACE_DEFERRED | \
				 XTCPF_TSQ_DEFERRED)

/* The timer column of /proc/net/xtcp, as /proc/net/tcp numbers them */
#define XTCP_PROC_TIMER_RETRANS		1	/* retransmission */
#define XTCP_PROC_TIMER_KEEPALIVE	2	/* keepalive or FIN_WAIT2 (sk_timer) */
#define XTCP_PROC_TIMER_TIMEWAIT	3	/* TIME_WAIT */
#define XTCP_PROC_TIMER_PROBE0		4	/* zero-window probe */

/* Nagle state bits (xtcp_sock.nonagle), like TCP_NAGLE_* */
#define XTCP_NAGLE_OFF		1	/* TCP_NODELAY */
#define XTCP_NAGLE_CORK		2	/* TCP_CORK */
#define XTCP_NAGLE_PUSH		4	/* send what is queued now, whatever Nagle says */

struct xtcp_cong_ops;

/* room for an algorithm's private state, as ICSK_CA_PRIV_SIZE */
#define XTCP_CA_PRIV_SIZE	104

/*
 * struct xtcp_sock - an xtcp socket.  Connection fields are written under the socket
 * lock (lock_sock() in process context, bh_lock_sock() in softirq and timers).
 * Sequence variables follow RFC 9293 3.3.1 and Linux's struct tcp_sock.
 * @inet: the generic IPv4 socket; must stay first (inet_sk() casts to it)
 * @iss: initial send sequence number
 * @snd_una: oldest unacknowledged sequence number (read without the lock by
 *	/proc: written with WRITE_ONCE)
 * @snd_nxt: next sequence number to send (read without the lock by poll(), for
 *	TCP_NOTSENT_LOWAT: written with WRITE_ONCE)
 * @write_seq: end of the data sendmsg() queued (snd_nxt..write_seq is unsent; read
 *	without the lock by /proc: written with WRITE_ONCE)
 * @pushed_seq: @write_seq when sendmsg() last marked a segment PSH (xtcp_mark_push())
 * @snd_wl1: sequence number of the segment that last updated @snd_wnd
 * @snd_wnd: the peer's receive window, unscaled
 * @max_window: the largest window the peer offered
 * @rcv_nxt: next sequence number expected (read without the lock by a waiting reader,
 *	poll() and SIOCINQ: written with WRITE_ONCE)
 * @copied_seq: next sequence number the reader will read (read without the lock by
 *	poll() and SIOCINQ: written with WRITE_ONCE)
 * @rcv_wup: @rcv_nxt when we last advertised a window
 * @rcv_wnd: the receive window last advertised, from @rcv_wup, unscaled
 * @rcv_mss: the largest segment received, for delayed-ACK decisions
 * @ts_recent: the peer's last timestamp value, echoed in ours
 * @ts_recent_stamp: when @ts_recent was taken, seconds (ktime_get_seconds())
 * @tsoffset: random offset of our timestamps, per connection
 * @syn_time: when our SYN left (xtcp_clock_us()), for the handshake's RTT sample
 * @mss_cache: MSS for sending, from the handshake (without options)
 * @advmss: MSS we advertise
 * @user_mss: TCP_MAXSEG, 0 if not set
 * @rx_opt: options of the last segment received (handshake options from the SYN)
 * @rcv_wscale: our window scale shift
 * @tstamp_ok: timestamps negotiated
 * @rcv_dropped: in-order data was dropped for lack of memory; reading sends an ACK
 * @ack_nomem: the next ACK offers a zero window: in-order data found no memory
 *	(ICSK_ACK_NOMEM)
 * @dsack_pending: @dsack goes first in the next ACK's SACK blocks
 * @dsack: data received twice, reported by a D-SACK block (RFC 2883)
 * @scaling_ratio: payload per byte of memory of full-sized received segments, in
 *	1/256 (how much of the receive buffer a window may offer, like
 *	tcp_sock.scaling_ratio)
 * @rcv_rtt_us: the receiver's estimate of the round-trip time, microseconds << 3, 0
 *	before a sample (tcp_sock.rcv_rtt_est.rtt_us): receive autotuning's clock
 * @rcv_rtt_seq: the sequence number whose arrival ends the current window-long sample
 * @rcv_rtt_time: when that sample started (xtcp_clock_us()), 0 before the first
 * @rcv_rtt_last_tsecr: the timestamp echo the last timestamp sample came from
 * @rcv_ssthresh: the most the window offers now, whatever the buffer allows: it starts
 *	at the handshake's window and grows as full data segments arrive
 *	(xtcp_grow_window(), like tcp_sock.rcv_ssthresh)
 * @rcvq_space: the most bytes the reader took in one measured round trip so far
 *	(tcp_sock.rcvq_space.space)
 * @rcvq_seq: copied_seq when the current measure started
 * @rcvq_time: when it started (xtcp_clock_us())
 * @min_rtt_us: the smallest RTT sample, microseconds (U32_MAX before one)
 * @rack_mstamp: RACK (RFC 8985): when the most recently sent of the delivered segments
 *	was sent (xtcp_clock_us()); 0 before one was delivered
 * @rack_end_seq: that segment's end
 * @rack_rtt_us: the round trip of the segment delivered last
 * @sack_high: the highest sequence number SACKed (the end of a block)
 * @rack_advanced: a segment was delivered since RACK last looked
 * @reord_seen: the path reordered: a segment never retransmitted was delivered below
 *	one SACKed before it
 * @tlp_retrans: the outstanding tail-loss probe retransmitted the last segment (it did
 *	not send new data)
 * @tlp_high_seq: @snd_nxt when the outstanding tail-loss probe went, 0 if none is
 *	outstanding: at most one probe per tail (RFC 8985 7.3)
 * @nonagle: XTCP_NAGLE_* bits
 * @cwnd_limited: the congestion window was full in the current window of data
 *	(tcp_sock.is_cwnd_limited; xtcp_cwnd_validate())
 * @retransmits: retransmissions of the current segment (SYN, or the RTO'd head)
 * @backoff: RTO doublings in a row; reset by a new RTT sample
 * @pending: what @retransmit_timer is armed for (enum xtcp_timer_event), 0 if idle
 * @ca_state: enum xtcp_ca_state
 * @ecn_flags: XTCP_ECN_* (RFC 3168)
 * @quick_acks: segments still to be acknowledged at once (quick-ack mode)
 * @ack_pending: an ACK is owed (the delayed-ACK timer is armed for it)
 * @ack_deferred: an ACK is owed, sent when the owner releases the socket
 *	(xtcp_release_cb(); TCP_ACK_DEFERRED)
 * @rto: current retransmission timeout, jiffies
 * @srtt_us: smoothed round-trip time, microseconds (RFC 6298 SRTT); 0 before a sample
 * @rttvar_us: round-trip time variation, microseconds (RFC 6298 RTTVAR)
 * @snd_cwnd: congestion window, segments
 * @snd_ssthresh: slow-start threshold, segments
 * @snd_cwnd_cnt: ACKed segments toward the next cwnd increase (congestion avoidance)
 * @high_seq: @snd_nxt when recovery or loss started; it ends once that is ACKed
 * @packets_out: segments sent and not yet ACKed (the retransmission queue)
 * @max_packets_out: the most segments in flight in the current window of data
 * @cwnd_usage_seq: @snd_nxt when that window began; it ends once that is ACKed
 * @sacked_out: of those, SACKed ones (or, without SACK, duplicate ACKs seen)
 * @lost_out: of those, ones taken for lost
 * @retrans_out: of those, ones retransmitted whose copy is still in flight
 * @dup_acks: duplicate ACKs in a row
 * @probes_out: zero-window or keepalive probes sent without an answer
 * @rcv_tstamp: when the last segment arrived (jiffies), for keepalive
 * @last_oow_ack_time: when an out-of-window segment or a challenge was last answered
 *	(jiffies, 0: never), for xtcp_oow_rate_limited()
 * @retrans_stamp: when the oldest unacknowledged segment was sent, roughly (jiffies;
 *	set at its first timeout), for TCP_USER_TIMEOUT; 0 while nothing timed out
 * @keepalive_time: TCP_KEEPIDLE in jiffies, 0: net.xtcp.keepalive_time
 * @keepalive_intvl: TCP_KEEPINTVL in jiffies, 0: net.xtcp.keepalive_intvl
 * @keepalive_probes: TCP_KEEPCNT, 0: net.xtcp.keepalive_probes
 * @user_timeout: TCP_USER_TIMEOUT in milliseconds, 0: none
 * @notsent_lowat: TCP_NOTSENT_LOWAT, 0: net.xtcp.notsent_lowat (read without the lock
 *	by poll(): written with WRITE_ONCE)
 * @recvmsg_inq: TCP_INQ: recvmsg() tells the bytes left to read (a TCP_CM_INQ cmsg)
 * @defer_accept: a listener's TCP_DEFER_ACCEPT, in SYN-ACK timeouts (0: none; read
 *	without the lock by the request timer and softirq: written with WRITE_ONCE)
 * @total_retrans: segments retransmitted over the connection's life
 * @bytes_acked: bytes the peer ACKed
 * @bytes_received: bytes received in order
 * @segs_in: segments received
 * @segs_out: segments sent
 * @data_segs_out: segments sent that carried data (the first 10 are never paced)
 * @undo_marker: snd_una when the last reduction of cwnd began (fast recovery or a
 *	timeout); 0 once it was undone or may not be
 * @undo_retrans: retransmissions since then not yet reported received twice
 *	(D-SACK): 0 means each was needless, and the reduction is undone; -1: none yet
 * @undo_tsval: our timestamp on the first of them (0: none yet); an ACK echoing an
 *	older one acknowledges an original, not a retransmission (Eifel, RFC 3522)
 * @prior_cwnd: cwnd before the reduction
 * @prior_ssthresh: ssthresh before it, at least 3/4 of @prior_cwnd (0: nothing to undo)
 * @dsack_dups: segments reported received twice over the connection's life
 * @wstamp_ns: when the next segment may leave, by the pacing rate (CLOCK_MONOTONIC
 *	ns; tcp_sock.tcp_wstamp_ns): the time the last one left plus its length at
 *	sk_pacing_rate, advanced only while the socket paces itself (SK_PACING_NEEDED)
 * @pacing_timer: sends again at @wstamp_ns when pacing held the queue back
 *	(tcp_sock.pacing_timer); it holds a socket reference while queued
 * @af_ops: what the address family does (IPv4, IPv6, or IPv6 to an IPv4 peer)
 * @ca_ops: the congestion-control algorithm; it holds a reference on the algorithm's
 *	module (xtcp_assign_congestion_control(), dropped in xtcp_cleanup_congestion_control())
 * @ca_priv: its private state (xtcp_ca())
 * @ca_initialized: its init() ran (so release() is due)
 * @ca_setsockopt: TCP_CONGESTION chose it (a listener's choice passes to its children)
 * @lsndtime: when data was last sent (jiffies), for the algorithm's idle detection
 * @pmtu_cookie: the path MTU @mss_cache was computed for (xtcp_sync_mss()), 0 if none
 * @mtu_info: the MTU an ICMP "fragmentation needed" gave, for xtcp_v4_mtu_reduced()
 *	(written in softirq, read when the socket's owner lets it go: WRITE_ONCE)
 * @rtx_queue: sent, not yet ACKed segments by sequence number, an rb-tree as
 *	tcp_rtx_queue so that a SACK block finds its segments without a walk
 *	(sk_write_queue holds unsent ones)
 * @tsorted_sent_queue: those of them RACK may yet take for lost (neither SACKed nor
 *	lost and waiting for their retransmission), the least recently sent first:
 *	RACK stops at the first one sent after what was delivered
 * @retransmit_skb_hint: no segment below this one in @rtx_queue waits to be
 *	retransmitted (NULL: look from the head), like tcp_sock.retransmit_skb_hint
 * @recv_sack_cache: the SACK blocks of the previous ACK, by sequence: what they
 *	covered is SACKed already and is not walked again (tcp_sock.recv_sack_cache)
 * @out_of_order_queue: received segments beyond @rcv_nxt, sorted by sequence
 * @ofo_last: the out-of-order segment received last (its SACK block goes first)
 * @retransmit_timer: SYN/RTO retransmission, zero-window probe, RACK's reordering
 *	window or the tail-loss probe (@pending); holds a socket reference while pending
 * @timeout: when @pending is due (jiffies), as icsk_timeout: a timer that fires
 *	earlier (it was re-armed while its callback waited for the lock) sleeps again
 * @delack_timer: the delayed ACK; holds a socket reference while pending
 *	(sk->sk_timer is the keepalive timer, and an orphan's FIN_WAIT2 timeout)
 * @bind_bucket: the port this socket is bound to (xtcp_net.bind_lock)
 * @listen_node: link in the listening hash (xtcp_net.lhash_lock)
 * @queue_lock: a listener's request and accept queues: @syn_queue, @syn_qlen, the
 *	requests' unlinked flags, @accept_head, @accept_tail and the children's
 *	@accept_next (like request_sock_queue.rskq_lock).  A request's ACK is handled
 *	without the listener's socket lock (xtcp_check_req()), so these cannot rely on it
 * @syn_queue: a listener's request minisockets
 * @syn_qlen: their number (read without the lock by the SYN-flood check)
 * @synq_overflow_stamp: when a listener last answered a SYN with a cookie (jiffies, 0:
 *	never); cookies are taken only within XTCP_SYNCOOKIE_VALID of it
 * @accept_head: a listener's connections ready for accept() (read without the lock
 *	by poll and the accept wait: written with WRITE_ONCE)
 * @accept_tail: the last of them
 * @accept_next: link of a child in its listener's accept queue
 */
struct xtcp_sock {
	struct inet_sock inet;
	u32 iss;
	u32 snd_una;
	u32 snd_nxt;
	u32 write_seq;
	u32 pushed_seq;
	u32 snd_wl1;
	u32 snd_wnd;
	u32 max_window;
	u32 rcv_nxt;
	u32 copied_seq;
	u32 rcv_wup;
	u32 rcv_wnd;
	u32 rcv_mss;
	u32 ts_recent;
	time64_t ts_recent_stamp;
	u32 tsoffset;
	u32 syn_time;
	u16 mss_cache;
	u16 advmss;
	u16 user_mss;
	struct xtcp_options_received rx_opt;
	u8 rcv_wscale;
	u8 tstamp_ok : 1,
	   cwnd_limited : 1,
	   ack_pending : 1,
	   ack_deferred : 1,
	   rcv_dropped : 1,
	   ack_nomem : 1,
	   dsack_pending : 1;
	u8 scaling_ratio;
	struct xtcp_sack_block dsack;
	u32 rcv_rtt_us;
	u32 rcv_rtt_seq;
	u32 rcv_rtt_time;
	u32 rcv_rtt_last_tsecr;
	u32 rcv_ssthresh;
	u32 rcvq_space;
	u32 rcvq_seq;
	u32 rcvq_time;
	u32 min_rtt_us;
	u32 rack_mstamp;
	u32 rack_end_seq;
	u32 rack_rtt_us;
	u32 sack_high;
	u32 tlp_high_seq;
	u8 rack_advanced : 1,
	   reord_seen : 1,
	   tlp_retrans : 1;
	u8 nonagle;
	u8 retransmits;
	u8 backoff;
	u8 pending;
	u8 ca_state;
	u8 ecn_flags;
	u8 quick_acks;
	u32 rto;
	u32 srtt_us;
	u32 rttvar_us;
	u32 snd_cwnd;
	u32 snd_ssthresh;
	u32 snd_cwnd_cnt;
	u32 high_seq;
	u32 packets_out;
	u32 max_packets_out;
	u32 cwnd_usage_seq;
	u32 sacked_out;
	u32 lost_out;
	u32 retrans_out;
	u32 dup_acks;
	u32 probes_out;
	u32 rcv_tstamp;
	u32 last_oow_ack_time;
	u32 retrans_stamp;
	u32 keepalive_time;
	u32 keepalive_intvl;
	u8 keepalive_probes;
	u32 user_timeout;
	u32 notsent_lowat;
	bool recvmsg_inq;
	u8 defer_accept;
	u32 total_retrans;
	u64 bytes_acked;
	u64 bytes_received;
	u32 segs_in;
	u32 segs_out;
	u32 data_segs_out;
	u32 undo_marker;
	int undo_retrans;
	u32 undo_tsval;
	u32 prior_cwnd;
	u32 prior_ssthresh;
	u32 dsack_dups;
	u64 wstamp_ns;
	struct hrtimer pacing_timer;
	struct list_head tsq_node;	/* in a CPU's small-queue list (XTCP_TSQ_QUEUED) */
	const struct xtcp_af_ops *af_ops;
	const struct xtcp_cong_ops *ca_ops;
	u64 ca_priv[XTCP_CA_PRIV_SIZE / sizeof(u64)];
	u8 ca_initialized : 1,
	   ca_setsockopt : 1;
	u32 lsndtime;
	u32 pmtu_cookie;
	u32 mtu_info;
	struct rb_root rtx_queue;
	struct list_head tsorted_sent_queue;
	struct sk_buff *retransmit_skb_hint;
	struct xtcp_sack_block recv_sack_cache[XTCP_NUM_SACKS];
	struct sk_buff_head out_of_order_queue;
	struct sk_buff *ofo_last;
	struct timer_list retransmit_timer;
	unsigned long timeout;
	struct timer_list delack_timer;
	struct xtcp_bind_bucket *bind_bucket;
	struct hlist_node listen_node;
	spinlock_t queue_lock;		/* the request and accept queues: see above */
	struct hlist_head syn_queue;
	u32 syn_qlen;
	u32 synq_overflow_stamp;
	struct sock *accept_head;
	struct sock *accept_tail;
	struct sock *accept_next;
};

static inline struct xtcp_sock *xtcp_sk(const struct sock *sk)
{
	return (struct xtcp_sock *)sk;
}

/* The MSS we advertise, or the default before it is known. */
static inline u32 xtcp_advmss(const struct xtcp_sock *xs)
{
	return xs->advmss ?: XTCP_MSS_DEFAULT;
}

/*
 * The retransmission queue (an rb-tree by sequence number, as tcp_rtx_queue_head()
 * and its kin): its first and last segments, and whether it holds any.
 */
static inline struct sk_buff *xtcp_rtx_queue_head(const struct sock *sk)
{
	return skb_rb_first(&xtcp_sk(sk)->rtx_queue);
}

static inline struct sk_buff *xtcp_rtx_queue_tail(const struct sock *sk)
{
	return skb_rb_last(&xtcp_sk(sk)->rtx_queue);
}

static inline bool xtcp_rtx_queue_empty(const struct sock *sk)
{
	return RB_EMPTY_ROOT(&xtcp_sk(sk)->rtx_queue);
}

/*
 * A sent segment's link in tsorted_sent_queue (Linux's tcp_tsorted_anchor).  It lives
 * where the IP layer keeps its control block: the segment itself never goes down to
 * IP, only a clone or copy does, whose block is cleared first (xtcp_transmit_skb()).
 * Linked, or pointing to itself when the segment is out of the list.
 */
static inline struct list_head *xtcp_skb_tsorted(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct list_head) > sizeof(struct inet_skb_parm));
	return (struct list_head *)skb->cb;
}

static inline struct sk_buff *xtcp_tsorted_skb(struct list_head *anchor)
{
	return container_of((void *)anchor, struct sk_buff, cb);
}

/*
 * A segment that needs retransmitting below the hint moves the hint down to it, like
 * tcp_verify_retransmit_hint().
 */
static inline void xtcp_verify_retransmit_hint(struct xtcp_sock *xs, struct sk_buff *skb)
{
	if (xs->retransmit_skb_hint &&
	    xtcp_before(XTCP_SKB_CB(skb)->seq, XTCP_SKB_CB(xs->retransmit_skb_hint)->seq))
		xs->retransmit_skb_hint = skb;
}

/*
 * A queued segment may hold several MSS of data (a super-segment, sent as one and cut
 * by segmentation offload): the segments it counts for in every counter, like
 * tcp_skb_pcount(), and the MSS it is cut at (0 if it is one), like tcp_skb_mss().
 */
static inline u32 xtcp_skb_pcount(const struct sk_buff *skb)
{
	return XTCP_SKB_CB(skb)->pcount;
}

static inline u32 xtcp_skb_mss(const struct sk_buff *skb)
{
	return XTCP_SKB_CB(skb)->gso_size;
}

/* the size of each segment @skb holds (the last may be shorter), like tcp_skb_seglen() */
static inline u32 xtcp_skb_seglen(const struct sk_buff *skb)
{
	return xtcp_skb_pcount(skb) == 1 ? skb->len : xtcp_skb_mss(skb);
}

/* Segments in the network: RFC 6675 "pipe", like tcp_packets_in_flight(). */
static inline u32 xtcp_packets_in_flight(const struct xtcp_sock *xs)
{
	s32 left = xs->packets_out - xs->sacked_out - xs->lost_out;

	return max(left, 0) + xs->retrans_out;
}

/* A reduction of cwnd: the next new data tells the peer so (CWR), as tcp_ecn_queue_cwr() */
static inline void xtcp_ecn_queue_cwr(struct xtcp_sock *xs)
{
	if (xs->ecn_flags & XTCP_ECN_OK)
		xs->ecn_flags |= XTCP_ECN_QUEUE_CWR;
}

/*
 * May cwnd grow, like tcp_is_cwnd_limited()?  Yes if it was full in the current window
 * of data, or, in slow start, while it is less than twice the most segments in flight
 * then (an application or a receiver that paces the sender keeps cwnd near what it
 * uses, RFC 7661).
 */
static inline bool xtcp_is_cwnd_limited(const struct xtcp_sock *xs)
{
	if (xs->cwnd_limited)
		return true;
	return xs->snd_cwnd < xs->snd_ssthresh && xs->snd_cwnd < 2 * xs->max_packets_out;
}

/*
 * Counters, one set per network namespace, shown in /proc/net/xtcp_stat.  They are
 * per-CPU and only ever incremented, so they need no lock.
 */
enum xtcp_mib_field {
	XTCP_MIB_INSEGS,		/* segments received, before validation */
	XTCP_MIB_OUTSEGS,		/* segments sent */
	XTCP_MIB_INERRS,		/* segments dropped as malformed (incl. checksum) */
	XTCP_MIB_INCSUMERRORS,		/* segments dropped for a bad checksum */
	XTCP_MIB_NOSOCKET,		/* valid segments for which no socket exists */
	XTCP_MIB_OUTRSTS,		/* RSTs sent */
	XTCP_MIB_ACTIVEOPENS,		/* CLOSE -> SYN_SENT (connect) */
	XTCP_MIB_PASSIVEOPENS,		/* LISTEN -> SYN_RECV (a request created) */
	XTCP_MIB_ATTEMPTFAILS,		/* SYN_SENT/SYN_RECV -> CLOSE */
	XTCP_MIB_ESTABRESETS,		/* ESTABLISHED -> CLOSE by a RST */
	XTCP_MIB_SYNRETRANS,		/* SYNs re-sent */
	XTCP_MIB_SYNACKRETRANS,		/* SYN-ACKs re-sent */
	XTCP_MIB_LISTENOVERFLOWS,	/* accept queue full */
	XTCP_MIB_LISTENDROPS,		/* SYNs or ACKs a listener dropped */
	XTCP_MIB_SYNCOOKIESSENT,	/* SYN-ACKs carrying a cookie */
	XTCP_MIB_SYNCOOKIESRECV,	/* valid cookies returned */
	XTCP_MIB_SYNCOOKIESFAILED,	/* invalid cookies returned */
	XTCP_MIB_RETRANSSEGS,		/* data segments retransmitted */
	XTCP_MIB_FASTRETRANS,		/* fast retransmits (recovery entered) */
	XTCP_MIB_TIMEOUTS,		/* retransmission timeouts */
	XTCP_MIB_OFOQUEUE,		/* segments received out of order */
	XTCP_MIB_DUPACKS,		/* duplicate ACKs received */
	XTCP_MIB_SACKRECV,		/* segments carrying SACK blocks received */
	XTCP_MIB_WINPROBE,		/* zero-window probes sent */
	XTCP_MIB_DELAYEDACKS,		/* ACKs sent by the delayed-ACK timer */
	XTCP_MIB_DUPDATA,		/* segments whose data we had already (trimmed) */
	XTCP_MIB_BEYONDWINDOW,		/* segments outside the receive window */
	XTCP_MIB_PRUNECALLED,		/* receive memory beyond the buffer: queues packed */
	XTCP_MIB_RCVDROPPED,		/* segments dropped for lack of receive memory */
	XTCP_MIB_TIMEWAITED,		/* TIME_WAITs that ran out */
	XTCP_MIB_TWRECYCLED,		/* TIME_WAIT 4-tuples taken by a new connection */
	XTCP_MIB_TWKILLED,		/* TIME_WAITs ended by a RST */
	XTCP_MIB_TWOVERFLOW,		/* TIME_WAITs not kept: max_tw_buckets reached */
	XTCP_MIB_ABORTONDATA,		/* RST: data arrived after close() */
	XTCP_MIB_ABORTONCLOSE,		/* RST: close() with unread data */
	XTCP_MIB_ABORTONLINGER,		/* RST: close() with SO_LINGER 0 */
	XTCP_MIB_ABORTONTIMEOUT,	/* dropped after retransmission/keepalive timeouts */
	XTCP_MIB_ABORTONMEMORY,		/* RST: too many orphans (max_orphans) */
	XTCP_MIB_CHALLENGEACK,		/* RFC 5961 challenge ACKs sent */
	XTCP_MIB_KEEPALIVEPROBES,	/* keepalive probes sent */
	XTCP_MIB_BACKLOGDROP,		/* segments dropped: the socket's backlog was full */
	XTCP_MIB_BACKLOGCOALESCE,	/* segments appended to the backlog's last */
	XTCP_MIB_LOSSPROBES,		/* tail-loss probes sent */
	XTCP_MIB_LOSSPROBERECOVERY,	/* tails lost and recovered by a probe */
	XTCP_MIB_OUTOFWINDOWICMPS,	/* ICMP errors quoting a sequence number not in flight */
	XTCP_MIB_ACKSKIPPEDSEQ,		/* out-of-window segments left unanswered (rate) */
	XTCP_MIB_ACKSKIPPEDPAWS,	/* PAWS-rejected segments left unanswered (rate) */
	XTCP_MIB_ACKSKIPPEDCHALLENGE,	/* challenge ACKs not sent (rate) */
	XTCP_MIB_ACKSKIPPEDTIMEWAIT,	/* TIME_WAIT answers not sent (rate) */
	XTCP_MIB_ACKSKIPPEDSYNRECV,	/* repeated SYNs of a request not answered (rate) */
	XTCP_MIB_RCVCOLLAPSED,		/* received segments copied into packed ones */
	XTCP_MIB_OFOPRUNED,		/* out-of-order queues given up for memory */
	XTCP_MIB_WQUEUETOOBIG,		/* cuts of sent segments refused: queue too big */
	XTCP_MIB_RCVCOALESCE,		/* received segments appended to the queue's last */
	XTCP_MIB_MEMORYPRESSURES,	/* times all xtcp sockets went over net.xtcp.mem[1] */
	XTCP_MIB_PAWSESTAB,		/* segments dropped by PAWS: connections, requests */
	XTCP_MIB_HYSTARTTRAINDETECT,	/* CUBIC: slow starts HyStart ended on an ACK train */
	XTCP_MIB_HYSTARTTRAINCWND,	/* the sum of cwnd at those exits */
	XTCP_MIB_HYSTARTDELAYDETECT,	/* CUBIC: slow starts HyStart ended on a delay rise */
	XTCP_MIB_HYSTARTDELAYCWND,	/* the sum of cwnd at those exits */
	XTCP_MIB_DSACKRECV,		/* D-SACK blocks received */
	XTCP_MIB_DSACKIGNORED,		/* ... ignored: more than we ever retransmitted */
	XTCP_MIB_DSACKUNDO,		/* recoveries undone: each retransmission D-SACKed */
	XTCP_MIB_FULLUNDO,		/* recoveries undone at their end (D-SACKs, timestamps) */
	XTCP_MIB_DEFERACCEPTDROP,	/* handshake ACKs without data a TCP_DEFER_ACCEPT dropped */
	XTCP_MIB_MAX
};

struct xtcp_mib {
	unsigned long mibs[XTCP_MIB_MAX];
};

/*
 * struct xtcp_net - per-network-namespace state (net_generic() slot xtcp_net_id)
 * @mib: the counters above
 * @ctl_sk: an unhashed raw socket on our protocol, used to send segments that belong
 *	to no socket of ours (RSTs); it does not pin the module
 * @ehash: established hash: full sockets past LISTEN, request and TIME_WAIT
 *	minisockets, by 4-tuple; readers walk it under RCU, writers hold the chain's
 *	lock in @ehash_locks.  Chain i ends in the nulls marker i (hlist_nulls, as
 *	Linux's ehash): a socket moved to another chain while a reader stood on it
 *	(re-hashed by a new connect()) takes the reader there, and a walk that ends in
 *	another chain's marker starts again.
 * @ehash_mask: @ehash has @ehash_mask + 1 chains (xtcp_ehash_entries)
 * @ehash_locks: locks of @ehash chains: chain i uses lock i & @ehash_locks_mask
 * @ehash_locks_mask: one less than the locks in use, XTCP_EHASH_LOCKS or fewer with
 *	fewer chains (a lock per chain at most, as inet_ehash_locks_alloc()), so that a
 *	hash and its chain's index always pick the same lock
 * @lhash2: listening sockets by local port + address; RCU readers, @lhash_lock writers
 * @lhash_lock: protects writes to @lhash2
 * @bhash: bound ports; everything in it is protected by @bind_lock
 * @bind_lock: protects @bhash and the buckets' owner lists
 * @port_rover: where the next search of bind() for a free port starts
 * @sysctl_syn_retries: SYN retransmissions before connect() fails (net.xtcp.syn_retries)
 * @sysctl_synack_retries: SYN-ACK retransmissions before a request is dropped
 * @sysctl_max_syn_backlog: half-open connections per listener, at most
 * @sysctl_syncookies: 0 never, 1 when a listener's half-open queue is full, 2 always
 * @sysctl_fin_timeout: seconds an orphan waits in FIN_WAIT2 for the peer's FIN
 * @sysctl_tw_timeout: seconds of TIME_WAIT (2*MSL)
 * @sysctl_max_tw_buckets: TIME_WAIT minisockets at most
 * @sysctl_tw_reuse: may connect() take a TIME_WAIT's 4-tuple over with a port it
 *	picks: 0 no, 1 yes, 2 toward loopback only (net.xtcp.tw_reuse, tcp_tw_reuse)
 * @sysctl_orphan_retries: RTOs an orphan tries (0: XTCP_ORPHAN_RETRIES)
 * @sysctl_keepalive_time: seconds idle before the first keepalive probe
 * @sysctl_keepalive_intvl: seconds between probes
 * @sysctl_keepalive_probes: unanswered probes before the peer is taken for dead
 * @sysctl_early_retrans: 3 or 4: tail-loss probes (RFC 8985 7); 0-2: none
 * @sysctl_invalid_ratelimit: jiffies between two answers of one connection to
 *	segments outside its window, challenges included (net.xtcp.invalid_ratelimit, ms)
 * @sysctl_challenge_ack_limit: challenge ACKs per second in the namespace; INT_MAX:
 *	no limit
 * @challenge_timestamp: the second the challenge count is for (jiffies / HZ)
 * @challenge_count: challenge ACKs still allowed in it; both written without a lock
 *	by any connection's softirq (READ_ONCE/WRITE_ONCE): a race costs a challenge
 *	ACK more or less, as in Linux
 * @tw_count: TIME_WAIT minisockets not yet freed, in the table or not; the
 *	namespace's exit waits for 0 (xtcp_tw_purge_net())
 * @sysctl_pacing_ss_ratio: the pacing rate in slow start, percent of cwnd * MSS / SRTT
 * @sysctl_pacing_ca_ratio: the same in congestion avoidance
 * @sysctl_min_tso_segs: the fewest segments a super-segment is cut to by the pacing rate
 * @sysctl_notsent_lowat: the unsent bytes above which a writer waits, unless
 *	TCP_NOTSENT_LOWAT says otherwise (net.xtcp.notsent_lowat, tcp_notsent_lowat)
 * @sysctl_limit_output_bytes: the most bytes of a socket's in the qdiscs and devices
 *	below it (TCP Small Queues, tcp_limit_output_bytes)
 * @sysctl_tso_win_divisor: a super-segment waits for the next ACK unless this
 *	fraction of the window is free (tcp_tso_win_divisor; 0: unless 3 segments are)
 * @sysctl_backlog_ack_defer: ACKs owed while the owner processes the backlog wait
 *	for its end: one for all (tcp_backlog_ack_defer)
 * @sysctl_ecn: 0 no ECN, 1 ask for it and accept it, 2 accept it when asked (tcp_ecn)
 * @sysctl_ecn_fallback: a SYN sent again asks no more for ECN (tcp_ecn_fallback)
 * @sysctl_hdr: the net.xtcp sysctl table of this namespace
 */
struct xtcp_net {
	struct xtcp_mib __percpu *mib;
	struct sock *ctl_sk;
	struct sock *ctl_sk6;	/* IPv6's, NULL where IPv6 is off */
	struct hlist_nulls_head *ehash;
	u32 ehash_mask;
	/* ehash_locks[i] protects writes to ehash chains i, i + locks, i + 2 * locks ... */
	spinlock_t ehash_locks[XTCP_EHASH_LOCKS];
	u32 ehash_locks_mask;
	struct hlist_head lhash2[XTCP_LHASH_SIZE];
	/* lhash_lock protects writes to lhash2 (readers use RCU) */
	spinlock_t lhash_lock;
	struct hlist_head bhash[XTCP_BHASH_SIZE];
	/* bind_lock protects bhash, its buckets and their owner lists, port_rover */
	spinlock_t bind_lock;
	u32 port_rover;
	int sysctl_syn_retries;
	int sysctl_synack_retries;
	int sysctl_max_syn_backlog;
	int sysctl_syncookies;
	int sysctl_fin_timeout;
	int sysctl_tw_timeout;
	int sysctl_max_tw_buckets;
	int sysctl_tw_reuse;
	int sysctl_orphan_retries;
	int sysctl_keepalive_time;
	int sysctl_keepalive_intvl;
	int sysctl_keepalive_probes;
	int sysctl_early_retrans;
	int sysctl_invalid_ratelimit;
	int sysctl_challenge_ack_limit;
	int sysctl_pacing_ss_ratio;
	int sysctl_pacing_ca_ratio;
	int sysctl_min_tso_segs;
	unsigned int sysctl_notsent_lowat;
	int sysctl_limit_output_bytes;
	int sysctl_tso_win_divisor;
	int sysctl_backlog_ack_defer;
	int sysctl_ecn;
	int sysctl_ecn_fallback;
	u32 challenge_timestamp;
	u32 challenge_count;
	atomic_t tw_count;
	/* new sockets' algorithm (net.xtcp.congestion_control); holds its module */
	const struct xtcp_cong_ops __rcu *ca_default;
	struct ctl_table_header *sysctl_hdr;
};

extern unsigned int xtcp_net_id;
extern int xtcp_protocol;

static inline struct xtcp_net *xtcp_pernet(const struct net *net)
{
	return net_generic(net, xtcp_net_id);
}

#define XTCP_INC_STATS(net, field) \
	SNMP_INC_STATS(xtcp_pernet(net)->mib, field)
#define XTCP_ADD_STATS(net, field, val) \
	SNMP_ADD_STATS(xtcp_pernet(net)->mib, field, val)

/* xtcp_main.c */
int xtcp_check_protocol(int protocol);

/* xtcp_sock.c: the socket calls (like tcp.c and af_inet.c) */
extern struct proto xtcp_prot;
extern const struct proto_ops xtcp_stream_ops;
__poll_t xtcp_poll(struct file *file, struct socket *sock, poll_table *wait);
void xtcp_set_state(struct sock *sk, int state);
void xtcp_done(struct sock *sk);
void xtcp_destroy_sock(struct sock *sk);
void xtcp_orphan_add(void);
bool xtcp_too_many_orphans(void);
int xtcp_orphans(void);
long xtcp_sockets_count(void);
extern int xtcp_sysctl_max_orphans;
void xtcp_set_keepalive(struct sock *sk, int val);
int xtcp_init_sock(struct sock *sk);
void xtcp_reset_conn_state(struct xtcp_sock *xs);
extern long xtcp_sysctl_mem[3];
extern int xtcp_sysctl_wmem[3];
extern int xtcp_sysctl_rmem[3];
int xtcp_init_mem(void);
void xtcp_exit_mem(void);
long xtcp_memory_allocated_pages(void);

/* xtcp_hash.c: listening, established and bind hashes (like inet_hashtables.c) */
extern unsigned int xtcp_ehash_entries;
int xtcp_ehash_entries_init(void);
void xtcp_hash_secrets_init(void);
int xtcp_hash_init_net(struct xtcp_net *xn);
void xtcp_hash_exit_net(struct xtcp_net *xn);
int xtcp_get_port(struct sock *sk, unsigned short snum);
void xtcp_put_port(struct sock *sk);
int xtcp_inherit_port(struct sock *listener, struct sock *child);
int xtcp_hash(struct sock *sk);
void xtcp_unhash(struct sock *sk);
/* The lock of established-hash chain @chain (a hash, or a chain's index) */
static inline spinlock_t *xtcp_ehash_lock(struct xtcp_net *xn, u32 chain)
{
	return &xn->ehash_locks[chain & xn->ehash_locks_mask];
}

bool xtcp_ehash_insert(struct sock *sk, struct sock *osk, bool *found_dup_sk);
bool xtcp_ehash_unlink(struct sock *sk);
void xtcp_ehash_remove(struct sock *sk);
int xtcp_hash_connect(struct sock *sk);
void xtcp_bind_tw(struct xtcp_timewait_sock *tw, struct xtcp_bind_bucket *tb);
void xtcp_unbind_tw(struct xtcp_timewait_sock *tw);
struct sock *xtcp_lookup_established(struct net *net, __be32 saddr, __be16 sport,
				     __be32 daddr, __be16 dport, int dif);
struct sock *xtcp_lookup_listener(struct net *net, __be32 saddr, __be16 sport,
				  __be32 daddr, __be16 dport, int dif,
				  struct sk_buff *skb, int doff);
struct sock *xtcp6_lookup_established(struct net *net, const struct in6_addr *saddr,
				      __be16 sport, const struct in6_addr *daddr,
				      __be16 dport, int dif);
struct sock *xtcp6_lookup_listener(struct net *net, const struct in6_addr *saddr,
				   __be16 sport, const struct in6_addr *daddr, __be16 dport,
				   int dif, struct sk_buff *skb, int doff);
void xtcp_sock_gen_put(struct sock *sk);

/* xtcp_seq.c: initial sequence numbers (like secure_seq.c) */
void xtcp_seq_init(void);
u32 xtcp_secure_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport, u64 ns);
u32 xtcp_ts_offset(__be32 saddr, __be32 daddr);
u64 xtcp_secure_port_offset(__be32 saddr, __be32 daddr, __be16 dport, u32 timeseed);
u32 xtcp_v6_secure_isn(const struct in6_addr *saddr, const struct in6_addr *daddr,
		       __be16 sport, __be16 dport, u64 ns);
u32 xtcp_v6_ts_offset(const struct in6_addr *saddr, const struct in6_addr *daddr);
u64 xtcp_v6_secure_port_offset(const struct in6_addr *saddr, const struct in6_addr *daddr,
			       __be16 dport, u32 timeseed);
u32 xtcp_skc_ts_offset(const struct sock_common *skc);
u32 xtcp_skb_secure_isn(const struct sk_buff *skb);
u32 xtcp_clock_ms(void);

/* xtcp_options.c: TCP options (like tcp_parse_options / tcp_options_write) */
void xtcp_parse_options(const struct tcphdr *th, unsigned int len,
			struct xtcp_options_received *opt);
unsigned int xtcp_options_size(const struct xtcp_out_options *opts);
void xtcp_options_write(__be32 *ptr, const struct xtcp_out_options *opts);
u16 xtcp_clamp_mss(u16 peer_mss, u16 our_mss, u16 none);
u8 xtcp_select_wscale(int space);

/* xtcp_output.c: building and sending segments (like tcp_output.c) */
u16 xtcp_v4_check(unsigned int len, __be32 saddr, __be32 daddr, __wsum base);
void xtcp_v4_send_check(struct sock *sk, struct sk_buff *skb, bool offload);
void xtcp_push_header(struct sk_buff *skb, __be16 sport, __be16 dport, u32 seq,
		      u32 ack_seq, u8 flags, u16 window, const struct xtcp_out_options *opts);
struct sk_buff *xtcp_alloc_ctl_skb(void);
struct sk_buff *xtcp_make_synack(const struct xtcp_request_sock *req);
void xtcp_send_reply(struct net *net, const struct sock *sk, struct sk_buff *skb, u32 seq,
		     u32 ack, u8 flags, u16 win, const struct xtcp_out_options *opts);
int xtcp_send_synack(struct sock *listener, struct xtcp_request_sock *req);
void xtcp_send_reset(struct net *net, const struct sock *sk, struct sk_buff *skb);
int xtcp_transmit_ctl(struct sock *sk, u8 flags, u32 seq);
int xtcp_connect(struct sock *sk);
void xtcp_send_ack(struct sock *sk);
void xtcp_send_active_reset(struct sock *sk);
void xtcp_send_fin(struct sock *sk);
int xtcp_req_init_mss(const struct sock *listener, struct xtcp_request_sock *req);
int xtcp_v4_send_synack(struct sock *listener, struct xtcp_request_sock *req);
u32 xtcp_backoff(u32 base, unsigned int n, u32 max);

/* xtcp_ipv4.c: connect, the receive path and its lookups (like tcp_ipv4.c) */
extern const struct xtcp_af_ops xtcp_ipv4_af_ops;
int xtcp_v4_connect(struct sock *sk, struct xtcp_sockaddr *uaddr, int addr_len);
int xtcp_connect_start(struct sock *sk);
int xtcp_rcv(struct sk_buff *skb);
int xtcp_v4_err(struct sk_buff *skb, u32 info);
void xtcp_v4_mtu_reduced(struct sock *sk);
void xtcp_err_mtu(struct sock *sk, u32 mtu);
void xtcp_err_report(struct sock *sk, int err, bool hard);
int xtcp_do_rcv(struct sock *sk, struct sk_buff *skb);
bool xtcp_add_backlog(struct sock *sk, struct sk_buff *skb);
int xtcp_v4_ctl_init_net(struct net *net);
void xtcp_v4_ctl_exit_net(struct net *net);

/* xtcp_ipv6.c: IPv6 (like tcp_ipv6.c); where IPv6 is not built, nothing */
#if IS_ENABLED(CONFIG_IPV6)
void xtcp_v6_proto_init(void);
int xtcp_v6_init(void);
void xtcp_v6_exit(void);
int xtcp_v6_ctl_init_net(struct net *net);
void xtcp_v6_ctl_exit_net(struct net *net);
void xtcp_v6_openreq_child(struct sock *newsk, const struct sock *listener,
			   const struct xtcp_request_sock *req, const struct sk_buff *skb);
void xtcp_v6_reqsk_init(struct xtcp_request_sock *req, const struct sock *listener,
			const struct sk_buff *skb);
struct dst_entry *xtcp_v6_req_dst(const struct sock *listener,
				  const struct xtcp_request_sock *req);
int xtcp_v6_send_synack(struct sock *listener, struct xtcp_request_sock *req);
bool xtcp_v6_unicast_destination(const struct sk_buff *skb);
void xtcp_v6_send_reply(struct net *net, const struct sock *sk, struct sk_buff *skb, u32 seq,
			u32 ack, u8 flags, u16 win, const struct xtcp_out_options *opts);
int xtcp6_offload_init(void);
void xtcp6_offload_exit(void);
#else
static inline void xtcp_v6_proto_init(void) {}
static inline int xtcp_v6_init(void) { return 0; }
static inline void xtcp_v6_exit(void) {}
static inline int xtcp_v6_ctl_init_net(struct net *net) { return 0; }
static inline void xtcp_v6_ctl_exit_net(struct net *net) {}
static inline void xtcp_v6_openreq_child(struct sock *newsk, const struct sock *listener,
					 const struct xtcp_request_sock *req,
					 const struct sk_buff *skb) {}
static inline void xtcp_v6_reqsk_init(struct xtcp_request_sock *req,
				      const struct sock *listener, const struct sk_buff *skb) {}
static inline struct dst_entry *xtcp_v6_req_dst(const struct sock *listener,
						const struct xtcp_request_sock *req)
{
	return ERR_PTR(-EAFNOSUPPORT);
}

static inline int xtcp_v6_send_synack(struct sock *listener, struct xtcp_request_sock *req)
{
	return -EAFNOSUPPORT;
}

static inline bool xtcp_v6_unicast_destination(const struct sk_buff *skb) { return false; }
static inline void xtcp_v6_send_reply(struct net *net, const struct sock *sk,
				      struct sk_buff *skb, u32 seq, u32 ack, u8 flags, u16 win,
				      const struct xtcp_out_options *opts) {}
#endif

/* xtcp_input.c: the state machine (like tcp_input.c) */
int xtcp_rcv_state_process(struct sock *sk, struct sk_buff *skb);
int xtcp_close_state(struct sock *sk);
void xtcp_fin(struct sock *sk);
u32 xtcp_rcv_wnd_init(const struct sock *sk);
int xtcp_conn_request(struct sock *sk, struct sk_buff *skb);

/* xtcp_minisocks.c: request minisockets (like tcp_minisocks.c) */
int xtcp_reqsk_init(void);
void xtcp_reqsk_exit(void);
struct sock *xtcp_check_req(struct sock *sk, struct sk_buff *skb,
			    struct xtcp_request_sock *req, bool *req_stolen);
struct sock *xtcp_create_openreq_child(const struct sock *sk,
				       struct xtcp_request_sock *req,
				       struct sk_buff *skb);
struct sock *xtcp_syn_recv_sock(struct sock *sk, struct sk_buff *skb,
				struct xtcp_request_sock *req, struct sock *osk, bool *own_req);
int xtcp_child_process(struct sock *parent, struct sock *child, struct sk_buff *skb);
struct xtcp_request_sock *xtcp_reqsk_alloc(struct sock *listener, struct sk_buff *skb);
void xtcp_reqsk_put(struct xtcp_request_sock *req);
void xtcp_reqsk_queue_hash_add(struct sock *listener, struct xtcp_request_sock *req);
void xtcp_reqsk_queue_drop(struct sock *listener, struct xtcp_request_sock *req);

/* xtcp_syncookies.c: SYN cookies (like syncookies.c) */
void xtcp_syncookies_init(void);
u32 xtcp_cookie_count(void);
int xtcp_cookie_mssind(u16 mss, bool v6);
u16 xtcp_cookie_mss(int mssind, bool v6);
u32 xtcp_cookie_make(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport, u32 sseq,
		     int mssind, u32 count);
int xtcp_cookie_check(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport, u32 cookie,
		      u32 sseq, u32 count);
u32 xtcp_cookie6_make(const struct in6_addr *saddr, const struct in6_addr *daddr,
		      __be16 sport, __be16 dport, u32 sseq, int mssind, u32 count);
int xtcp_cookie6_check(const struct in6_addr *saddr, const struct in6_addr *daddr,
		       __be16 sport, __be16 dport, u32 cookie, u32 sseq, u32 count);
struct sock *xtcp_cookie_v4_check(struct sock *sk, struct sk_buff *skb);
struct sock *xtcp_cookie_v6_check(struct sock *sk, struct sk_buff *skb);

/* xtcp_timewait.c: TIME_WAIT minisockets (like inet_timewait_sock.c, tcp_minisocks.c) */
struct sk_buff *xtcp4_gso_segment(struct sk_buff *skb, netdev_features_t features);
unsigned int xtcp_gso_goal(struct sock *sk, unsigned int mss);
u32 xtcp_tso_segs(const struct sock *sk, unsigned int mss);
int xtcp_offload_init(void);
void xtcp_offload_exit(void);
int xtcp_tw_init(void);
void xtcp_tw_exit(void);
void xtcp_time_wait(struct sock *sk);
void xtcp_tw_put(struct xtcp_timewait_sock *tw);
void xtcp_tw_deschedule_put(struct xtcp_timewait_sock *tw);
bool xtcp_twsk_unique(struct sock *sk, struct xtcp_timewait_sock *tw, bool ephemeral);
void xtcp_tw_purge_net(struct net *net);

/*
 * What a segment for a TIME_WAIT minisocket calls for, like enum tcp_tw_status: nothing
 * more (it was dropped or answered), an ACK, or a SYN that may start a new incarnation
 * (the listener takes it and the TIME_WAIT ends).
 */
enum xtcp_tw_status {
	XTCP_TW_SUCCESS,
	XTCP_TW_ACK,
	XTCP_TW_SYN,
};

enum xtcp_tw_status xtcp_timewait_state_process(struct xtcp_timewait_sock *tw,
						struct sk_buff *skb);
void xtcp_tw_send_ack(struct xtcp_timewait_sock *tw, struct sk_buff *skb);

/* xtcp_connection_sock.c: listen, accept (like inet_connection_sock.c) */
int xtcp_listen(struct socket *sock, int backlog);
/* xtcp_accept(): in xtcp_compat.h, beside its adaptor */
void xtcp_listen_stop(struct sock *sk);
struct sock *xtcp_reqsk_queue_add(struct sock *listener, struct sock *child);

/* xtcp_timer.c: timers (like tcp_timer.c) */
void xtcp_init_xmit_timers(struct sock *sk);
void xtcp_clear_xmit_timers(struct sock *sk);
void xtcp_reqsk_timer_handler(struct timer_list *t);
void xtcp_reset_xmit_timer(struct sock *sk, enum xtcp_timer_event what, u32 when);
void xtcp_rearm_rto(struct sock *sk);
void xtcp_send_delayed_ack(struct sock *sk);
void xtcp_release_cb(struct sock *sk);
void xtcp_write_timer_handler(struct sock *sk);
void xtcp_delack_timer_handler(struct sock *sk);
void xtcp_reset_keepalive_timer(struct sock *sk, unsigned long len);
u32 xtcp_fin_timeout(const struct sock *sk);
void xtcp_write_err(struct sock *sk);
bool xtcp_write_timeout(struct sock *sk, u32 count);
void xtcp_delete_keepalive_timer(struct sock *sk);
u32 xtcp_keepalive_time(const struct xtcp_sock *xs);
u32 xtcp_keepalive_intvl(const struct xtcp_sock *xs);
int xtcp_keepalive_probes(const struct xtcp_sock *xs);
u32 xtcp_keepalive_when(const struct xtcp_sock *xs, u32 idle, bool *dead);

/*
 * An algorithm the unprivileged may choose with TCP_CONGESTION
 * (net.xtcp.allowed_congestion_control), as TCP_CONG_NON_RESTRICTED
 */
#define XTCP_CONG_NON_RESTRICTED	BIT(0)

/**
 * struct xtcp_cong_ops - a congestion-control algorithm, like struct tcp_congestion_ops
 * @ssthresh: the slow-start threshold after a loss, segments (required)
 * @cong_avoid: grow cwnd for @acked newly ACKed segments (@ack the new snd_una),
 *	outside fast recovery (required)
 * @undo_cwnd: the reduction of a loss turned out spurious (every retransmission was
 *	D-SACKed, or a timestamp shows the original arrived): the window to go back to
 *	(optional; xtcp_reno_undo_cwnd(), the larger of cwnd and cwnd before the loss,
 *	if not set - Linux requires it)
 * @set_state: the sender enters enum xtcp_ca_state @new_state (optional); called before
 *	ca_state changes
 * @cwnd_event: an event of enum tcp_ca_event (optional): CA_EVENT_TX_START when data
 *	goes out with nothing in flight, CA_EVENT_LOSS at a retransmission timeout
 * @pkts_acked: an ACK was processed (optional): segments it newly ACKed, the RTT it
 *	measured (rtt_us, -1 if none) and the segments in flight before it
 * @get_info: fill TCP_CC_INFO's answer (optional), as tcp_congestion_ops.get_info
 * @init: a connection starts using the algorithm (optional); its state in xtcp_ca()
 *	is zeroed before
 * @release: a connection stops using it (optional)
 * @name: what TCP_CONGESTION and the sysctls call it
 * @owner: the module that holds the code (THIS_MODULE); each socket using the
 *	algorithm, and each namespace whose default it is, holds a reference on it
 * @list: on the list of registered algorithms (xtcp_cong.c)
 * @flags: XTCP_CONG_NON_RESTRICTED
 *
 * Every callback runs with the socket locked (softirq, timer or process context),
 * except release(), which may run wherever the socket's last reference goes.
 */
struct xtcp_cong_ops {
	u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, u32 ack, u32 acked);
	u32 (*undo_cwnd)(struct sock *sk);
	void (*set_state)(struct sock *sk, u8 new_state);
	void (*cwnd_event)(struct sock *sk, enum tcp_ca_event ev);
	void (*pkts_acked)(struct sock *sk, const struct ack_sample *sample);
	size_t (*get_info)(struct sock *sk, u32 ext, int *attr, union tcp_cc_info *info);
	void (*init)(struct sock *sk);
	void (*release)(struct sock *sk);
	char name[TCP_CA_NAME_MAX];
	struct module *owner;
	struct list_head list;
	u32 flags;
};

/* the alias by which TCP_CONGESTION and the sysctl load an algorithm's module */
#define XTCP_CONG_MODULE_ALIAS(name)	MODULE_ALIAS("xtcp-cong-" name)

/* An algorithm's private state in the socket, like inet_csk_ca() */
static inline void *xtcp_ca(const struct sock *sk)
{
	return (void *)xtcp_sk(sk)->ca_priv;
}

/*
 * ssthresh as it stands, like tcp_current_ssthresh(): during fast recovery ssthresh,
 * else at least 3/4 of cwnd (where the window is now, if above the threshold)
 */
static inline u32 xtcp_current_ssthresh(const struct xtcp_sock *xs)
{
	if (xs->ca_state == XTCP_CA_RECOVERY)
		return xs->snd_ssthresh;
	return max(xs->snd_ssthresh, (xs->snd_cwnd >> 1) + (xs->snd_cwnd >> 2));
}

/* Is the sender in slow start, like tcp_in_slow_start()? */
static inline bool xtcp_in_slow_start(const struct xtcp_sock *xs)
{
	return xs->snd_cwnd < xs->snd_ssthresh;
}

/**
 * struct xtcp_cubic - CUBIC's state in a connection (xtcp_ca()), like struct bictcp
 * @cnt: ACKed segments per one-segment increase of cwnd
 * @last_max_cwnd: Wmax, cwnd before the last loss (0: no loss yet)
 * @last_cwnd: cwnd at the last computation of @cnt
 * @last_time: when that was (jiffies)
 * @bic_origin_point: the curve's plateau (Wmax, or cwnd if above it), segments
 * @bic_K: from the epoch's start to the plateau, 1/1024 s
 * @delay_min: the smallest RTT seen, microseconds
 * @epoch_start: when the current curve began (jiffies; 0: at the next ACK)
 * @ack_cnt: segments ACKed in the epoch, for the Reno estimate
 * @tcp_cwnd: Reno's window, estimated (the TCP-friendly region)
 * @unused: marks the end of what xtcp_cubic_reset() clears
 * @sample_cnt: RTT samples in the current HyStart round
 * @found: HyStart ended slow start
 * @round_start: when the HyStart round began (xtcp_clock_us())
 * @end_seq: the round ends when this is ACKed
 * @last_ack: the latest ACK of the round's ACK train (xtcp_clock_us())
 * @curr_rtt: the round's smallest RTT, microseconds
 */
struct xtcp_cubic {
	u32 cnt;
	u32 last_max_cwnd;
	u32 last_cwnd;
	u32 last_time;
	u32 bic_origin_point;
	u32 bic_K;
	u32 delay_min;
	u32 epoch_start;
	u32 ack_cnt;
	u32 tcp_cwnd;
	u16 unused;
	u8 sample_cnt;
	u8 found;
	u32 round_start;
	u32 end_seq;
	u32 last_ack;
	u32 curr_rtt;
};

/* xtcp_cubic.c: CUBIC with HyStart (like tcp_cubic.c) */
int xtcp_cubic_register(void);
void xtcp_cubic_unregister(void);
void xtcp_cubic_update(struct xtcp_cubic *ca, u32 cwnd, u32 acked, u32 now);

/* xtcp_cong.c: congestion control (like tcp_cong.c and Reno in it) */
int xtcp_register_congestion_control(struct xtcp_cong_ops *ca);
void xtcp_unregister_congestion_control(struct xtcp_cong_ops *ca);
int xtcp_cong_module_init(void);
void xtcp_cong_module_exit(void);
void xtcp_cong_init_net(struct net *net);
void xtcp_cong_exit_net(struct net *net);
extern struct xtcp_cong_ops xtcp_reno;
struct xtcp_cong_ops *xtcp_cong_find(const char *name);
void xtcp_assign_congestion_control(struct sock *sk);
void xtcp_ca_openreq_child(struct sock *sk);
void xtcp_cleanup_congestion_control(struct sock *sk);
int xtcp_set_congestion_control(struct sock *sk, const char *name, bool cap_net_admin);
int xtcp_set_default_congestion_control(struct net *net, const char *name);
void xtcp_get_default_congestion_control(struct net *net, char *name);
void xtcp_get_available_congestion_control(char *buf, size_t maxlen);
void xtcp_get_allowed_congestion_control(char *buf, size_t maxlen);
int xtcp_set_allowed_congestion_control(char *val);
void xtcp_set_ca_state(struct sock *sk, u8 ca_state);
void xtcp_ca_event(struct sock *sk, enum tcp_ca_event event);
void xtcp_cong_init(struct sock *sk);
u32 xtcp_slow_start(struct xtcp_sock *xs, u32 acked);
void xtcp_cong_avoid_ai(struct xtcp_sock *xs, u32 w, u32 acked);
u32 xtcp_reno_ssthresh(struct sock *sk);
u32 xtcp_reno_undo_cwnd(struct sock *sk);
void xtcp_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked);
void xtcp_init_cwnd_reduction(struct sock *sk);
void xtcp_enter_recovery(struct sock *sk);
void xtcp_enter_cwr(struct sock *sk);
void xtcp_enter_loss(struct sock *sk);

/* xtcp_input.c: RTT estimation (RFC 6298) and the receive side of the stream */
void xtcp_rtt_estimator(struct xtcp_sock *xs, long rtt_us);
u32 xtcp_rto_from_rtt(const struct xtcp_sock *xs);
bool xtcp_ofo_insert(struct sk_buff_head *q, struct sk_buff *skb);
void xtcp_rcv_space_adjust(struct sock *sk);
void xtcp_grow_window(struct sock *sk, const struct sk_buff *skb);
void xtcp_rcv_rtt_update(struct xtcp_sock *xs, u32 sample_us, bool win_dep);
void xtcp_sndbuf_expand(struct sock *sk);
int xtcp_max_rcv_space(const struct sock *sk);
void xtcp_init_transfer(struct sock *sk);
void xtcp_update_pacing_rate(struct sock *sk);
void xtcp_purge_queues(struct sock *sk);

/* xtcp_recovery.c: RACK loss detection (like tcp_recovery.c) */
void xtcp_rack_advance(struct xtcp_sock *xs, u8 sacked, u32 end_seq, u32 xmit_time,
		       u32 now);
u32 xtcp_rack_reo_wnd(const struct xtcp_sock *xs);
u32 xtcp_rack_detect_loss(struct sock *sk);
bool xtcp_rack_mark_lost(struct sock *sk);
void xtcp_rack_reo_timeout(struct sock *sk);
bool xtcp_schedule_loss_probe(struct sock *sk, bool advancing_rto);
bool xtcp_oow_rate_limited(struct net *net, const struct sk_buff *skb,
			   enum xtcp_mib_field mib, u32 *last_oow_ack_time);
void xtcp_send_challenge_ack(struct sock *sk);
void xtcp_send_loss_probe(struct sock *sk);
void xtcp_rto_expired(struct sock *sk);

/* xtcp_output.c: the send side of the stream */
u32 xtcp_clock_us(void);
u32 xtcp_receive_window(const struct xtcp_sock *xs);
u32 xtcp_select_window(struct sock *sk);
u32 xtcp_window_now(const struct sock *sk);
unsigned int xtcp_size_goal(struct sock *sk);
unsigned int xtcp_current_mss(struct sock *sk);
int xtcp_sack_blocks(const struct xtcp_sock *xs, struct xtcp_sack_block *sp, int max);
int xtcp_ack_sack_blocks(struct xtcp_sock *xs, struct xtcp_sack_block *sp, int max);
void xtcp_dsack_set(struct xtcp_sock *xs, u32 seq, u32 end_seq);
void xtcp_push(struct sock *sk, int nonagle);
void xtcp_gso_caps(struct sock *sk, const struct dst_entry *dst);
bool xtcp_write_xmit(struct sock *sk, int nonagle);
void xtcp_wfree(struct sk_buff *skb);
bool xtcp_small_queue_check(struct sock *sk, const struct sk_buff *skb, unsigned int factor);
void xtcp_tsq_init(void);
void xtcp_tsq_exit(void);
unsigned int xtcp_sync_mss(struct sock *sk, u32 pmtu);
void xtcp_simple_retransmit(struct sock *sk);
void xtcp_mark_skb_lost(struct xtcp_sock *xs, struct sk_buff *skb);
int xtcp_retransmit_skb(struct sock *sk, struct sk_buff *skb, u32 segs);
void xtcp_retransmit_first_lost(struct sock *sk);
void xtcp_send_probe0(struct sock *sk);
/* The queue of a segment xtcp_fragment() cuts, like Linux's enum tcp_queue */
enum xtcp_queue {
	XTCP_FRAG_IN_WRITE_QUEUE,
	XTCP_FRAG_IN_RTX_QUEUE,
};

void xtcp_rbtree_insert(struct rb_root *root, struct sk_buff *skb);
void xtcp_rtx_queue_add(struct sock *sk, struct sk_buff *skb);
void xtcp_rtx_queue_unlink(struct sock *sk, struct sk_buff *skb);
int xtcp_fragment(struct sock *sk, enum xtcp_queue q, struct sk_buff *skb, u32 len,
		  unsigned int mss);
void xtcp_set_skb_tso_segs(struct sk_buff *skb, unsigned int mss);
void xtcp_adjust_pcount(struct sock *sk, const struct sk_buff *skb, int decr);
int xtcp_trim_head(struct sock *sk, struct sk_buff *skb, u32 len);
u32 xtcp_win_from_space(const struct xtcp_sock *xs, int space);
u32 xtcp_space_from_win(const struct xtcp_sock *xs, u32 win);
void xtcp_wmem_free_skb(struct sock *sk, struct sk_buff *skb);

/* xtcp_stream.c: send, receive, ioctl (like tcp.c) */
int xtcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size);
void xtcp_splice_eof(struct socket *sock);
bool xtcp_stream_memory_free(const struct sock *sk, int wake);
/* xtcp_recvmsg() and xtcp_ioctl(): in xtcp_compat.h, beside their adaptors */
int xtcp_inq(const struct sock *sk);
void xtcp_cleanup_rbuf(struct sock *sk, int copied);
bool xtcp_stream_readable(const struct sock *sk, int target);

/* xtcp_sockopt.c: setsockopt/getsockopt at SOL_TCP and ours, TCP_INFO */
int xtcp_setsockopt(struct sock *sk, int level, int optname, sockptr_t optval,
		    unsigned int optlen);
int xtcp_getsockopt(struct sock *sk, int level, int optname, char __user *optval,
		    int __user *optlen);
void xtcp_get_info(struct sock *sk, struct tcp_info *info);

/* xtcp_proc.c: /proc/net files and counter folding */
int xtcp_proc_init_net(struct net *net);
void xtcp_proc_exit_net(struct net *net);
unsigned long xtcp_mib_read(struct net *net, enum xtcp_mib_field field);

/* xtcp_sysctl.c: net.xtcp.* */
int xtcp_sysctl_init_net(struct net *net);
void xtcp_sysctl_exit_net(struct net *net);

#endif /* _XTCP_H */
