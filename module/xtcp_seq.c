// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: initial sequence numbers and timestamp offsets, like net/core/secure_seq.c.
 *
 * RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where M is
 * a clock ticking every 64 ns (so it wraps in about 4.5 minutes, more than the 2 MSL a
 * 4-tuple stays reserved) and F a keyed hash (SipHash) that an off-path attacker cannot
 * predict.  The key is drawn once, the first time it is needed.  The start of the search
 * for an ephemeral port (RFC 6056) is keyed the same way, with a key of its own.
 */
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include "xtcp.h"

static siphash_aligned_key_t xtcp_isn_key;
static siphash_aligned_key_t xtcp_port_key;

/**
 * xtcp_seq_init - draw the keys of ISNs, timestamp offsets and the port search, at
 * module load (Linux draws secure_seq.c's at first use: see xtcp_hash_secrets_init())
 *
 * Context: process, module init.
 */
void xtcp_seq_init(void)
{
	get_random_bytes(&xtcp_isn_key, sizeof(xtcp_isn_key));
	get_random_bytes(&xtcp_port_key, sizeof(xtcp_port_key));
}

/**
 * xtcp_secure_isn - an initial sequence number for a 4-tuple, like secure_tcp_seq()
 * @saddr: local address
 * @daddr: remote address
 * @sport: local port
 * @dport: remote port
 * @ns: the clock, in nanoseconds (ktime_get_real_ns() for a real connection)
 *
 * Context: any.
 * Return: F(4-tuple, key) + @ns / 64.
 */
u32 xtcp_secure_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport, u64 ns)
{
	u32 ports = (__force u32)sport << 16 | (__force u32)dport;

	return (u32)siphash_3u32((__force u32)saddr, (__force u32)daddr, ports,
				 &xtcp_isn_key) + (u32)(ns >> 6);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_secure_isn);

/**
 * xtcp_ts_offset - random offset for our timestamps toward one peer (RFC 7323 5.4)
 * @saddr: local address
 * @daddr: remote address
 *
 * Context: any.
 * Return: the offset added to xtcp_clock_ms().
 */
u32 xtcp_ts_offset(__be32 saddr, __be32 daddr)
{
	return (u32)siphash_2u32((__force u32)saddr, (__force u32)daddr, &xtcp_isn_key);
}

/**
 * xtcp_secure_port_offset - where connect() starts looking for a local port toward
 * one destination, like secure_ipv4_port_ephemeral() (RFC 6056 3.3.4, F())
 * @saddr: local address
 * @daddr: remote address
 * @dport: remote port
 * @timeseed: jiffies / (10 * HZ) for a real connection: the start moves every 10 s
 *
 * A keyed hash (its own key): an off-path attacker cannot tell which ports a host
 * uses toward a peer from those it used toward another.
 *
 * Context: any.
 * Return: the offset; its low bits index the perturbation table, its high 32 bits
 * are added to the entry (xtcp_hash_connect()).
 */
u64 xtcp_secure_port_offset(__be32 saddr, __be32 daddr, __be16 dport, u32 timeseed)
{
	return siphash_4u32((__force u32)saddr, (__force u32)daddr, (__force u16)dport,
			    timeseed, &xtcp_port_key);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_secure_port_offset);

#if IS_ENABLED(CONFIG_IPV6)
/**
 * xtcp_v6_secure_isn - an initial sequence number for an IPv6 4-tuple, like
 * secure_tcpv6_seq()
 * @saddr: local address
 * @daddr: remote address
 * @sport: local port
 * @dport: remote port
 * @ns: the clock, in nanoseconds
 *
 * Context: any.
 * Return: F(4-tuple, key) + @ns / 64.
 */
u32 xtcp_v6_secure_isn(const struct in6_addr *saddr, const struct in6_addr *daddr,
		       __be16 sport, __be16 dport, u64 ns)
{
	const struct {
		struct in6_addr saddr;
		struct in6_addr daddr;
		__be16 sport;
		__be16 dport;
	} __aligned(SIPHASH_ALIGNMENT) c = { *saddr, *daddr, sport, dport };

	return (u32)siphash(&c, offsetofend(typeof(c), dport), &xtcp_isn_key) + (u32)(ns >> 6);
}

/**
 * xtcp_v6_ts_offset - random offset for our timestamps toward one IPv6 peer
 * @saddr: local address
 * @daddr: remote address
 *
 * Context: any.
 * Return: the offset added to xtcp_clock_ms().
 */
u32 xtcp_v6_ts_offset(const struct in6_addr *saddr, const struct in6_addr *daddr)
{
	const struct {
		struct in6_addr saddr;
		struct in6_addr daddr;
	} __aligned(SIPHASH_ALIGNMENT) c = { *saddr, *daddr };

	return (u32)siphash(&c, sizeof(c), &xtcp_isn_key);
}

/**
 * xtcp_v6_secure_port_offset - where connect() starts looking for a local port toward
 * an IPv6 destination, like secure_ipv6_port_ephemeral()
 * @saddr: local address
 * @daddr: remote address
 * @dport: remote port
 * @timeseed: jiffies / (10 * HZ) for a real connection
 *
 * Context: any.
 * Return: the offset (see xtcp_secure_port_offset()).
 */
u64 xtcp_v6_secure_port_offset(const struct in6_addr *saddr, const struct in6_addr *daddr,
			       __be16 dport, u32 timeseed)
{
	const struct {
		struct in6_addr saddr;
		struct in6_addr daddr;
		u32 timeseed;
		__be16 dport;
	} __aligned(SIPHASH_ALIGNMENT) c = { *saddr, *daddr, timeseed, dport };

	return siphash(&c, offsetofend(typeof(c), dport), &xtcp_port_key);
}
#endif

/**
 * xtcp_skc_ts_offset - the timestamp offset of a connection, request or TIME_WAIT
 * @skc: its addresses (IPv4, or IPv6)
 *
 * Context: any.
 * Return: the offset added to xtcp_clock_ms().
 */
u32 xtcp_skc_ts_offset(const struct sock_common *skc)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (xtcp_skc_v6(skc))
		return xtcp_v6_ts_offset(&skc->skc_v6_rcv_saddr, &skc->skc_v6_daddr);
#endif
	return xtcp_ts_offset(skc->skc_rcv_saddr, skc->skc_daddr);
}

/**
 * xtcp_skb_secure_isn - our ISN for the connection a SYN opens
 * @skb: the SYN (IPv4 or IPv6)
 *
 * Context: softirq or process.
 * Return: the ISN (xtcp_secure_isn(), xtcp_v6_secure_isn()).
 */
u32 xtcp_skb_secure_isn(const struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);

#if IS_ENABLED(CONFIG_IPV6)
	if (xtcp_skb_v6(skb))
		return xtcp_v6_secure_isn(&ipv6_hdr(skb)->daddr, &ipv6_hdr(skb)->saddr,
					  th->dest, th->source, ktime_get_real_ns());
#endif
	return xtcp_secure_isn(ip_hdr(skb)->daddr, ip_hdr(skb)->saddr, th->dest, th->source,
			       ktime_get_real_ns());
}

/**
 * xtcp_clock_ms - the millisecond clock behind our timestamps
 *
 * Context: any.
 * Return: milliseconds since boot, modulo 2^32.
 */
u32 xtcp_clock_ms(void)
{
	return (u32)div_u64(ktime_get_boottime_ns(), NSEC_PER_MSEC);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_clock_ms);
