// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: SYN cookies, like net/ipv4/syncookies.c.
 *
 * When a listener's half-open queue is full (or always, with net.xtcp.syncookies=2) a
 * SYN gets a SYN-ACK whose sequence number encodes the connection, and no request
 * minisocket is kept.  The ACK that answers it carries the cookie back (ack - 1); if it
 * checks out, the connection is made from the ACK alone.
 *
 *   cookie = H0(4-tuple) + peer ISN + (minute << 24) + ((H1(4-tuple, minute) + mssind) mod 2^24)
 *
 * H0 and H1 are SipHash with a secret key (IPv4 and IPv6 each their own, as
 * net/ipv6/syncookies.c); "minute" is a counter of minutes, and a cookie is good for 2
 * of them; mssind picks the MSS from a table of four (one per IP version).  Window
 * scaling, SACK and timestamps are not encoded, so a connection made from a cookie has
 * none of them.
 */
#include <linux/random.h>
#include <linux/siphash.h>
#include <net/ipv6.h>
#include "xtcp.h"

#define XTCP_COOKIEBITS		24
#define XTCP_COOKIEMASK		((1U << XTCP_COOKIEBITS) - 1)
#define XTCP_COOKIE_MAX_AGE	2	/* minutes */
#define XTCP_COOKIE_MSS_VALUES	4

/*
 * The MSS values a cookie can carry, over IPv4 and over IPv6 (net/ipv6/syncookies.c's:
 * MTUs of 1280, 1480, 1500 and 9000 less 60); a peer's MSS is rounded down to one.
 */
static const u16 xtcp_cookie_msstab[2][XTCP_COOKIE_MSS_VALUES] = {
	{ 536, 1300, 1440, 1460 },
	{ 1280 - 60, 1480 - 60, 1500 - 60, 9000 - 60 },
};

/* The keys of H0 and H1, for IPv4 and for IPv6 (syncookie_secret, syncookie6_secret). */
static siphash_aligned_key_t xtcp_cookie_key[2][2];

/* The 4-tuple a cookie is made for: IPv6 addresses, or IPv4 ones if @saddr6 is NULL. */
struct xtcp_cookie_tuple {
	const struct in6_addr *saddr6, *daddr6;
	__be32 saddr, daddr;
	__be16 sport, dport;
};

/**
 * xtcp_syncookies_init - draw the cookies' keys, at module load (Linux draws
 * syncookies.c's at first use: see xtcp_hash_secrets_init())
 *
 * Context: process, module init.
 */
void xtcp_syncookies_init(void)
{
	get_random_bytes(xtcp_cookie_key, sizeof(xtcp_cookie_key));
}

static u32 xtcp_cookie_hash(const struct xtcp_cookie_tuple *t, u32 count, int c)
{
	if (t->saddr6) {
		const struct {
			struct in6_addr saddr;
			struct in6_addr daddr;
			u32 count;
			__be16 sport;
			__be16 dport;
		} __aligned(SIPHASH_ALIGNMENT) combined = {
			.saddr = *t->saddr6, .daddr = *t->daddr6, .count = count,
			.sport = t->sport, .dport = t->dport,
		};

		return siphash(&combined, offsetofend(typeof(combined), dport),
			       &xtcp_cookie_key[1][c]);
	}
	return siphash_4u32((__force u32)t->saddr, (__force u32)t->daddr,
			    (__force u32)t->sport << 16 | (__force u32)t->dport, count,
			    &xtcp_cookie_key[0][c]);
}

/**
 * xtcp_cookie_count - the minute counter cookies are stamped with
 *
 * Context: any.
 * Return: minutes since boot (jiffies based), modulo 2^32.
 */
u32 xtcp_cookie_count(void)
{
	return (u32)(get_jiffies_64() / (60 * HZ));
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cookie_count);

/**
 * xtcp_cookie_mssind - the index of the largest table MSS not above @mss
 * @mss: the peer's MSS (0 if it sent none)
 * @v6: IPv6's table, not IPv4's
 *
 * Context: any.
 * Return: 0 to 3.
 */
int xtcp_cookie_mssind(u16 mss, bool v6)
{
	int i;

	for (i = XTCP_COOKIE_MSS_VALUES - 1; i > 0; i--)
		if (mss >= xtcp_cookie_msstab[v6][i])
			break;
	return i;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cookie_mssind);

/**
 * xtcp_cookie_mss - the MSS of a table index
 * @mssind: 0 to 3
 * @v6: IPv6's table, not IPv4's
 *
 * Context: any.
 * Return: the MSS.
 */
u16 xtcp_cookie_mss(int mssind, bool v6)
{
	return xtcp_cookie_msstab[v6][mssind];
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cookie_mss);

/* The cookie ISN for a SYN (secure_tcp_syn_cookie()): see xtcp_cookie_make(). */
static u32 __xtcp_cookie_make(const struct xtcp_cookie_tuple *t, u32 sseq, int mssind,
			      u32 count)
{
	return xtcp_cookie_hash(t, 0, 0) + sseq + (count << XTCP_COOKIEBITS) +
	       ((xtcp_cookie_hash(t, count, 1) + mssind) & XTCP_COOKIEMASK);
}

/* A returned cookie decoded (check_tcp_syn_cookie()): see xtcp_cookie_check(). */
static int __xtcp_cookie_check(const struct xtcp_cookie_tuple *t, u32 cookie, u32 sseq,
			       u32 count)
{
	u32 diff, mssind;

	cookie -= xtcp_cookie_hash(t, 0, 0) + sseq;
	diff = (count - (cookie >> XTCP_COOKIEBITS)) & ((u32)-1 >> XTCP_COOKIEBITS);
	if (diff >= XTCP_COOKIE_MAX_AGE)
		return -1;
	mssind = (cookie - xtcp_cookie_hash(t, count - diff, 1)) & XTCP_COOKIEMASK;
	return mssind < XTCP_COOKIE_MSS_VALUES ? mssind : -1;
}

/**
 * xtcp_cookie_make - the cookie ISN for an IPv4 SYN, like secure_tcp_syn_cookie()
 * @saddr: our address
 * @daddr: the peer's address
 * @sport: our port
 * @dport: the peer's port
 * @sseq: the peer's ISN
 * @mssind: the MSS table index to encode
 * @count: the minute counter (xtcp_cookie_count())
 *
 * Context: any.
 * Return: the sequence number for the SYN-ACK.
 */
u32 xtcp_cookie_make(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport, u32 sseq,
		     int mssind, u32 count)
{
	const struct xtcp_cookie_tuple t = { .saddr = saddr, .daddr = daddr, .sport = sport,
					     .dport = dport };

	return __xtcp_cookie_make(&t, sseq, mssind, count);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cookie_make);

/**
 * xtcp_cookie6_make - the cookie ISN for an IPv6 SYN, like secure_tcp_syn_cookie()
 * with IPv6's keys and addresses (__cookie_v6_init_sequence())
 * @saddr: our address
 * @daddr: the peer's address
 * @sport: our port
 * @dport: the peer's port
 * @sseq: the peer's ISN
 * @mssind: the MSS table index to encode (IPv6's table)
 * @count: the minute counter (xtcp_cookie_count())
 *
 * Context: any.
 * Return: the sequence number for the SYN-ACK.
 */
u32 xtcp_cookie6_make(const struct in6_addr *saddr, const struct in6_addr *daddr,
		      __be16 sport, __be16 dport, u32 sseq, int mssind, u32 count)
{
	const struct xtcp_cookie_tuple t = { .saddr6 = saddr, .daddr6 = daddr, .sport = sport,
					     .dport = dport };

	return __xtcp_cookie_make(&t, sseq, mssind, count);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cookie6_make);

/**
 * xtcp_cookie_check - decode a cookie returned over IPv4, like check_tcp_syn_cookie()
 * @saddr: our address
 * @daddr: the peer's address
 * @sport: our port
 * @dport: the peer's port
 * @cookie: the ACK's acknowledgment number - 1
 * @sseq: the ACK's sequence number - 1 (the peer's ISN)
 * @count: the minute counter now
 *
 * Context: any.
 * Return: the MSS table index, or -1 if the cookie is older than 2 minutes or forged.
 */
int xtcp_cookie_check(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport, u32 cookie,
		      u32 sseq, u32 count)
{
	const struct xtcp_cookie_tuple t = { .saddr = saddr, .daddr = daddr, .sport = sport,
					     .dport = dport };

	return __xtcp_cookie_check(&t, cookie, sseq, count);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cookie_check);

/**
 * xtcp_cookie6_check - decode a cookie returned over IPv6 (__cookie_v6_check())
 * @saddr: our address
 * @daddr: the peer's address
 * @sport: our port
 * @dport: the peer's port
 * @cookie: the ACK's acknowledgment number - 1
 * @sseq: the ACK's sequence number - 1 (the peer's ISN)
 * @count: the minute counter now
 *
 * Context: any.
 * Return: the MSS table index (IPv6's table), or -1 if the cookie is older than 2
 * minutes or forged.
 */
int xtcp_cookie6_check(const struct in6_addr *saddr, const struct in6_addr *daddr,
		       __be16 sport, __be16 dport, u32 cookie, u32 sseq, u32 count)
{
	const struct xtcp_cookie_tuple t = { .saddr6 = saddr, .daddr6 = daddr, .sport = sport,
					     .dport = dport };

	return __xtcp_cookie_check(&t, cookie, sseq, count);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cookie6_check);

/*
 * An ACK at a listener with no request for it: could it be a cookie?  Only if the
 * listener takes cookies and sent one in the last two minutes
 * (tcp_synq_no_recent_overflow()): otherwise a forged source could try cookies at any
 * time, with no flood to excuse it.
 */
static bool xtcp_cookie_may_be(const struct sock *sk, const struct tcphdr *th)
{
	u32 stamp = READ_ONCE(xtcp_sk(sk)->synq_overflow_stamp);

	if (!READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_syncookies) || !th->ack || th->rst ||
	    th->syn)
		return false;
	return stamp && (s32)(tcp_jiffies32 - stamp) <= XTCP_SYNCOOKIE_VALID;
}

/*
 * The connection a valid cookie with MSS table index @mssind (-1: not valid) stands
 * for, made from the ACK @skb alone (cookie_v4_check()'s and cookie_v6_check()'s
 * common part).  Return as xtcp_cookie_v4_check().
 */
static struct sock *xtcp_cookie_child(struct sock *sk, struct sk_buff *skb, int mssind)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_request_sock *req;
	struct sock *child;
	bool own_req;

	if (mssind < 0) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SYNCOOKIESFAILED);
		return sk;
	}
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SYNCOOKIESRECV);

	req = xtcp_reqsk_alloc(sk, skb);
	if (!req)
		return NULL;
	req->rcv_isn = cb->seq - 1;
	req->snt_isn = cb->ack_seq - 1;
	req->mss = xtcp_cookie_mss(mssind, xtcp_skb_v6(skb));
	req->advmss = req->mss;
	req->rcv_wnd = min_t(u32, xtcp_rcv_wnd_init(sk), U16_MAX);	/* no window scale */
	/* not if the connection exists already: made by an earlier ACK of this cookie */
	child = xtcp_syn_recv_sock(sk, skb, req, NULL, &own_req);
	if (child)
		child = xtcp_reqsk_queue_add(sk, child);
	xtcp_reqsk_put(req);
	return child;
}

/**
 * xtcp_cookie_v4_check - an ACK arrived over IPv4 at a listener with no request for
 * it: make the connection if it returns a valid cookie, like cookie_v4_check()
 * @sk: the listener, locked
 * @skb: the ACK
 *
 * Context: softirq or process (backlog), listener locked.
 * Return: @sk if the segment is not a valid cookie (the caller answers as the listener,
 * i.e. with a RST), NULL if it is done with, or the new child, locked.
 */
struct sock *xtcp_cookie_v4_check(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);

	if (!xtcp_cookie_may_be(sk, th))
		return sk;
	return xtcp_cookie_child(sk, skb,
				 xtcp_cookie_check(iph->daddr, iph->saddr, th->dest, th->source,
						   cb->ack_seq - 1, cb->seq - 1,
						   xtcp_cookie_count()));
}

/**
 * xtcp_cookie_v6_check - the same over IPv6, like cookie_v6_check()
 * @sk: the listener, locked
 * @skb: the ACK
 *
 * Context: softirq or process (backlog), listener locked.
 * Return: as xtcp_cookie_v4_check().
 */
struct sock *xtcp_cookie_v6_check(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);

	if (!xtcp_cookie_may_be(sk, th))
		return sk;
	return xtcp_cookie_child(sk, skb,
				 xtcp_cookie6_check(&ip6h->daddr, &ip6h->saddr, th->dest,
						    th->source, cb->ack_seq - 1, cb->seq - 1,
						    xtcp_cookie_count()));
}
