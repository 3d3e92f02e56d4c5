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
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/tcp.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/snmp.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tcp_states.h>
#include <uapi/linux/xtcp.h>

/* Table sizes, per network namespace (powers of two). */
#define XTCP_EHASH_SIZE		1024	/* established + request + (later) TIME_WAIT */
#define XTCP_EHASH_LOCKS	64	/* bucket locks, shared by EHASH_SIZE/LOCKS chains */
#define XTCP_LHASH_SIZE		64	/* listeners, by port + local address */
#define XTCP_BHASH_SIZE		256	/* bound ports */

#define XTCP_MSS_DEFAULT	536U	/* RFC 9293 3.7.1: MSS when the peer sends none */
#define XTCP_MIN_MSS		88U	/* the smallest MSS we accept, as TCP_MIN_MSS */
#define XTCP_MAX_WSCALE		14	/* RFC 7323 2.3 */
#define XTCP_TIMEOUT_INIT	HZ	/* RFC 6298 2.1: initial RTO, 1 s */
#define XTCP_RTO_MAX		(120 * HZ)
#define XTCP_MAX_HEADER		(MAX_HEADER + sizeof(struct iphdr) + 60)

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

/*
 * Per-segment data kept in skb->cb while we process a segment, like struct tcp_skb_cb.
 * It sits after the IP layer's struct inet_skb_parm, which stays intact.
 */
struct xtcp_skb_cb {
	u32 seq;	/* first sequence number */
	u32 end_seq;	/* seq + SYN + FIN + data length */
	u32 ack_seq;	/* acknowledgment number */
	u8 flags;	/* the TCP flags byte (TCPHDR_*) */
};

#define XTCP_SKB_CB(skb) \
	((struct xtcp_skb_cb *)&((skb)->cb[sizeof(struct inet_skb_parm)]))

/* Options seen in a received SYN or SYN-ACK (RFC 9293 3.2, RFC 7323, RFC 2018). */
struct xtcp_options_received {
	u32 rcv_tsval;		/* the peer's timestamp value */
	u32 rcv_tsecr;		/* the timestamp it echoes */
	u16 mss_clamp;		/* the MSS it offered; 0 if none */
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
	u32 tsval, tsecr;
};

/*
 * struct xtcp_bind_bucket - one bound port, like inet_bind_bucket
 * @node: link in the namespace's bind hash
 * @owners: the sockets bound to the port (through sk->sk_bind_node)
 * @port: the port, host order
 *
 * Protected by xtcp_net.bind_lock.
 */
struct xtcp_bind_bucket {
	struct hlist_node node;
	struct hlist_head owners;
	unsigned short port;
};

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
 * @mss: the MSS for the connection (the peer's offer, clamped by ours once the route
 *	is known; until then the peer's offer)
 * @advmss: the MSS we offered (0 until the first SYN-ACK is routed)
 * @snd_wscale: the peer's window scale
 * @rcv_wscale: ours
 * @num_retrans: SYN-ACKs re-sent so far
 * @wscale_ok: both sides scale windows
 * @sack_ok: both sides use SACK
 * @tstamp_ok: both sides use timestamps
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
	u16 mss;
	u16 advmss;
	u8 snd_wscale;
	u8 rcv_wscale;
	u8 num_retrans;
	u8 wscale_ok : 1,
	   sack_ok : 1,
	   tstamp_ok : 1;
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
 * struct xtcp_sock - an xtcp socket.  Connection fields are written under the socket
 * lock (lock_sock() in process context, bh_lock_sock() in softirq and timers).
 * @inet: the generic IPv4 socket; must stay first (inet_sk() casts to it)
 * @iss: initial send sequence number
 * @snd_una: oldest unacknowledged sequence number
 * @snd_nxt: next sequence number to send
 * @snd_wnd: the peer's receive window, unscaled
 * @rcv_nxt: next sequence number expected
 * @rcv_wnd: the receive window we advertise, unscaled
 * @ts_recent: the peer's last timestamp value, echoed in ours
 * @tsoffset: random offset of our timestamps, per connection
 * @mss_cache: MSS used for sending
 * @advmss: MSS we advertise
 * @rx_opt: options the peer offered in its SYN or SYN-ACK
 * @rcv_wscale: our window scale shift
 * @tstamp_ok: timestamps negotiated
 * @retransmits: retransmissions of the current segment (SYN in SYN_SENT)
 * @rto: current retransmission timeout, jiffies
 * @retransmit_timer: SYN retransmission; holds a socket reference while pending
 * @bind_bucket: the port this socket is bound to (xtcp_net.bind_lock)
 * @listen_node: link in the listening hash (xtcp_net.lhash_lock)
 * @syn_queue: a listener's request minisockets (its socket lock)
 * @syn_qlen: their number
 * @accept_head: a listener's connections ready for accept() (its socket lock)
 * @accept_tail: the last of them
 * @accept_next: link of a child in its listener's accept queue
 */
struct xtcp_sock {
	struct inet_sock inet;
	u32 iss;
	u32 snd_una;
	u32 snd_nxt;
	u32 snd_wnd;
	u32 rcv_nxt;
	u32 rcv_wnd;
	u32 ts_recent;
	u32 tsoffset;
	u16 mss_cache;
	u16 advmss;
	struct xtcp_options_received rx_opt;
	u8 rcv_wscale;
	u8 tstamp_ok : 1;
	u8 retransmits;
	u32 rto;
	struct timer_list retransmit_timer;
	struct xtcp_bind_bucket *bind_bucket;
	struct hlist_node listen_node;
	struct hlist_head syn_queue;
	u32 syn_qlen;
	struct sock *accept_head;
	struct sock *accept_tail;
	struct sock *accept_next;
};

static inline struct xtcp_sock *xtcp_sk(const struct sock *sk)
{
	return (struct xtcp_sock *)sk;
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
 * @ehash: established hash: full sockets past LISTEN and request minisockets, by
 *	4-tuple; readers walk it under RCU, writers hold the chain's lock in @ehash_locks
 * @ehash_locks: locks of @ehash chains (chain i uses lock i % XTCP_EHASH_LOCKS)
 * @lhash2: listening sockets by local port + address; RCU readers, @lhash_lock writers
 * @lhash_lock: protects writes to @lhash2
 * @bhash: bound ports; everything in it is protected by @bind_lock
 * @bind_lock: protects @bhash and the buckets' owner lists
 * @port_rover: where the next ephemeral port search starts
 * @sysctl_syn_retries: SYN retransmissions before connect() fails (net.xtcp.syn_retries)
 * @sysctl_synack_retries: SYN-ACK retransmissions before a request is dropped
 * @sysctl_max_syn_backlog: half-open connections per listener, at most
 * @sysctl_syncookies: 0 never, 1 when a listener's half-open queue is full, 2 always
 * @sysctl_hdr: the net.xtcp sysctl table of this namespace
 */
struct xtcp_net {
	struct xtcp_mib __percpu *mib;
	struct sock *ctl_sk;
	struct hlist_head ehash[XTCP_EHASH_SIZE];
	/* ehash_locks[i] protects writes to ehash chains i, i + 64, i + 128 ... */
	spinlock_t ehash_locks[XTCP_EHASH_LOCKS];
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

/* xtcp_main.c */
int xtcp_check_protocol(int protocol);

/* xtcp_sock.c: the socket calls (like tcp.c and af_inet.c) */
extern struct proto xtcp_prot;
extern const struct proto_ops xtcp_stream_ops;
void xtcp_set_state(struct sock *sk, int state);
void xtcp_done(struct sock *sk);
int xtcp_init_sock(struct sock *sk);

/* xtcp_hash.c: listening, established and bind hashes (like inet_hashtables.c) */
void xtcp_hash_init_net(struct xtcp_net *xn);
int xtcp_get_port(struct sock *sk, unsigned short snum);
void xtcp_put_port(struct sock *sk);
void xtcp_inherit_port(struct sock *listener, struct sock *child);
int xtcp_hash(struct sock *sk);
void xtcp_unhash(struct sock *sk);
bool xtcp_ehash_insert(struct sock *sk, struct sock *osk);
bool xtcp_ehash_unlink(struct sock *sk);
void xtcp_ehash_remove(struct sock *sk);
int xtcp_hash_connect(struct sock *sk);
struct sock *xtcp_lookup_established(struct net *net, __be32 saddr, __be16 sport,
				     __be32 daddr, __be16 dport, int dif);
struct sock *xtcp_lookup_listener(struct net *net, __be32 saddr, __be16 sport,
				  __be32 daddr, __be16 dport, int dif);
struct sock *xtcp_lookup(struct net *net, __be32 saddr, __be16 sport, __be32 daddr,
			 __be16 dport, int dif);
void xtcp_sock_gen_put(struct sock *sk);

/* xtcp_seq.c: initial sequence numbers (like secure_seq.c) */
void xtcp_isn_init(void);
u32 xtcp_secure_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport, u64 ns);
u32 xtcp_ts_offset(__be32 saddr, __be32 daddr);
u32 xtcp_clock_ms(void);

/* xtcp_options.c: TCP options (like tcp_parse_options / tcp_options_write) */
void xtcp_parse_options(const struct tcphdr *th, unsigned int len,
			struct xtcp_options_received *opt);
unsigned int xtcp_options_size(const struct xtcp_out_options *opts);
void xtcp_options_write(__be32 *ptr, const struct xtcp_out_options *opts);
u16 xtcp_clamp_mss(u16 peer_mss, u16 our_mss);
u8 xtcp_select_wscale(int space);

/* xtcp_output.c: building and sending segments (like tcp_output.c) */
u16 xtcp_v4_check(unsigned int len, __be32 saddr, __be32 daddr, __wsum base);
int xtcp_transmit_ctl(struct sock *sk, u8 flags, u32 seq);
int xtcp_connect(struct sock *sk);
void xtcp_send_ack(struct sock *sk);
void xtcp_send_active_reset(struct sock *sk);
int xtcp_v4_send_synack(struct sock *listener, struct xtcp_request_sock *req);
void xtcp_v4_send_reset(struct net *net, struct sk_buff *skb);
u32 xtcp_backoff(u32 base, unsigned int n, u32 max);

/* xtcp_ipv4.c: connect, the receive path and its lookups (like tcp_ipv4.c) */
int xtcp_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len);
int xtcp_v4_rcv(struct sk_buff *skb);
int xtcp_v4_err(struct sk_buff *skb, u32 info);
int xtcp_v4_do_rcv(struct sock *sk, struct sk_buff *skb);
int xtcp_v4_ctl_init_net(struct net *net);
void xtcp_v4_ctl_exit_net(struct net *net);

/* xtcp_input.c: the state machine (like tcp_input.c) */
int xtcp_rcv_state_process(struct sock *sk, struct sk_buff *skb);
u32 xtcp_rcv_wnd_init(const struct sock *sk);
int xtcp_conn_request(struct sock *sk, struct sk_buff *skb);

/* xtcp_minisocks.c: request minisockets (like tcp_minisocks.c) */
int xtcp_reqsk_init(void);
void xtcp_reqsk_exit(void);
struct sock *xtcp_check_req(struct sock *sk, struct sk_buff *skb,
			    struct xtcp_request_sock *req);
struct sock *xtcp_create_openreq_child(const struct sock *sk,
				       struct xtcp_request_sock *req,
				       struct sk_buff *skb);
struct sock *xtcp_v4_syn_recv_sock(struct sock *sk, struct sk_buff *skb,
				   struct xtcp_request_sock *req, struct sock *osk);
int xtcp_child_process(struct sock *parent, struct sock *child, struct sk_buff *skb);
struct xtcp_request_sock *xtcp_reqsk_alloc(struct sock *listener, struct sk_buff *skb);
void xtcp_reqsk_put(struct xtcp_request_sock *req);
void xtcp_reqsk_queue_hash_add(struct sock *listener, struct xtcp_request_sock *req);
void xtcp_reqsk_queue_drop(struct sock *listener, struct xtcp_request_sock *req);
struct xtcp_request_sock *xtcp_reqsk_find(struct sock *listener, struct sk_buff *skb);

/* xtcp_syncookies.c: SYN cookies (like syncookies.c) */
u32 xtcp_cookie_count(void);
int xtcp_cookie_mssind(u16 mss);
u16 xtcp_cookie_mss(int mssind);
u32 xtcp_cookie_make(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport, u32 sseq,
		     int mssind, u32 count);
int xtcp_cookie_check(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport, u32 cookie,
		      u32 sseq, u32 count);
struct sock *xtcp_cookie_v4_check(struct sock *sk, struct sk_buff *skb);

/* xtcp_connection_sock.c: listen, accept (like inet_connection_sock.c) */
int xtcp_listen(struct socket *sock, int backlog);
struct sock *xtcp_accept(struct sock *sk, struct proto_accept_arg *arg);
void xtcp_listen_stop(struct sock *sk);
void xtcp_reqsk_queue_add(struct sock *listener, struct sock *child);

/* xtcp_timer.c: timers (like tcp_timer.c) */
void xtcp_init_xmit_timers(struct sock *sk);
void xtcp_clear_xmit_timers(struct sock *sk);
void xtcp_reqsk_timer_handler(struct timer_list *t);

/* xtcp_proc.c: /proc/net files and counter folding */
int xtcp_proc_init_net(struct net *net);
void xtcp_proc_exit_net(struct net *net);
unsigned long xtcp_mib_read(struct net *net, enum xtcp_mib_field field);

/* xtcp_sysctl.c: net.xtcp.* */
int xtcp_sysctl_init_net(struct net *net);
void xtcp_sysctl_exit_net(struct net *net);

#endif /* _XTCP_H */
