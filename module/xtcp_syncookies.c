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
 * H0 and H1 are SipHash with a secret key; "minute" is a counter of minutes, and a cookie
 * is good for 2 of them; mssind picks the MSS from a table of four.  Window scaling, SACK
 * and timestamps are not encoded, so a connection made from a cookie has none of them.
 */
#include <linux/random.h>
#include <linux/siphash.h>
#include "xtcp.h"

#define XTCP_COOKIEBITS		24
#define XTCP_COOKIEMASK		((1U << XTCP_COOKIEBITS) - 1)
#define XTCP_COOKIE_MAX_AGE	2	/* minutes */

/* The MSS values a cookie can carry; a peer's MSS is rounded down to one of them. */
static const u16 xtcp_cookie_msstab[] = { 536, 1300, 1440, 1460 };

static siphash_aligned_key_t xtcp_cookie_key[2];

/**
 * xtcp_syncookies_init - draw the cookies' two keys, at module load (Linux draws
 * syncookies.c's at first use: see xtcp_hash_secrets_init())
 *
 * Context: process, module init.
 */
void xtcp_syncookies_init(void)
{
	get_random_bytes(xtcp_cookie_key, sizeof(xtcp_cookie_key));
}

static u32 xtcp_cookie_hash(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport,
			    u32 count, int c)
{
	return siphash_4u32((__force u32)saddr, (__force u32)daddr,
			    (__force u32)sport << 16 | (__force u32)dport, count,
			    &xtcp_cookie_key[c]);
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
 *
 * Context: any.
 * Return: 0 to 3.
 */
int xtcp_cookie_mssind(u16 mss)
{
	int i;

	for (i = ARRAY_SIZE(xtcp_cookie_msstab) - 1; i > 0; i--)
		if (mss >= xtcp_cookie_msstab[i])
			break;
	return i;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cookie_mssind);

/**
 * xtcp_cookie_mss - the MSS of a table index
 * @mssind: 0 to 3
 *
 * Context: any.
 * Return: the MSS.
 */
u16 xtcp_cookie_mss(int mssind)
{
	return xtcp_cookie_msstab[mssind];
}

/**
 * xtcp_cookie_make - the cookie ISN for a SYN, like secure_tcp_syn_cookie()
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
	return xtcp_cookie_hash(saddr, daddr, sport, dport, 0, 0) + sseq +
	       (count << XTCP_COOKIEBITS) +
	       ((xtcp_cookie_hash(saddr, daddr, sport, dport, count, 1) + mssind) &
		XTCP_COOKIEMASK);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cookie_make);

/**
 * xtcp_cookie_check - decode a returned cookie, like check_tcp_syn_cookie()
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
	u32 diff, mssind;

	cookie -= xtcp_cookie_hash(saddr, daddr, sport, dport, 0, 0) + sseq;
	diff = (count - (cookie >> XTCP_COOKIEBITS)) & ((u32)-1 >> XTCP_COOKIEBITS);
	if (diff >= XTCP_COOKIE_MAX_AGE)
		return -1;
	mssind = (cookie - xtcp_cookie_hash(saddr, daddr, sport, dport, count - diff, 1)) &
		 XTCP_COOKIEMASK;
	return mssind < ARRAY_SIZE(xtcp_cookie_msstab) ? mssind : -1;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cookie_check);

/**
 * xtcp_cookie_v4_check - an ACK arrived at a listener with no request for it: make the
 * connection if it returns a valid cookie, like cookie_v4_check()
 * @sk: the listener, locked
 * @skb: the ACK
 *
 * Only a listener that sent a cookie in the last two minutes takes one
 * (tcp_synq_no_recent_overflow()): otherwise a forged source could try cookies at any
 * time, with no flood to excuse it.
 *
 * Context: softirq or process (backlog), listener locked.
 * Return: @sk if the segment is not a valid cookie (the caller answers as the listener,
 * i.e. with a RST), NULL if it is done with, or the new child, locked.
 */
struct sock *xtcp_cookie_v4_check(struct sock *sk, struct sk_buff *skb)
{
	u32 stamp = READ_ONCE(xtcp_sk(sk)->synq_overflow_stamp);
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct xtcp_request_sock *req;
	struct sock *child;
	bool own_req;
	int mssind;

	if (!READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_syncookies) || !th->ack || th->rst ||
	    th->syn)
		return sk;
	if (!stamp || (s32)(tcp_jiffies32 - stamp) > XTCP_SYNCOOKIE_VALID)
		return sk;	/* no cookie went lately: it cannot be one of ours */
	mssind = xtcp_cookie_check(iph->daddr, iph->saddr, th->dest, th->source,
				   cb->ack_seq - 1, cb->seq - 1, xtcp_cookie_count());
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
	req->mss = xtcp_cookie_mss(mssind);
	req->advmss = req->mss;
	req->rcv_wnd = min_t(u32, xtcp_rcv_wnd_init(sk), U16_MAX);	/* no window scale */
	/* not if the connection exists already: made by an earlier ACK of this cookie */
	child = xtcp_syn_recv_sock(sk, skb, req, NULL, &own_req);
	if (child)
		child = xtcp_reqsk_queue_add(sk, child);
	xtcp_reqsk_put(req);
	return child;
}
