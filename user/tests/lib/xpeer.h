/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Segments crafted and parsed byte for byte (an IPv4 header and an RFC 9293 TCP header
 * on xtcp's protocol number), and a scripted peer that exchanges them with the stack
 * through a tun device: what the peer writes to the tun arrives as if from a host on
 * the other side, and what xtcp sends to the peer's address comes out of the tun, so no
 * stack of ours answers for the peer.  Used by wire (the scripted-peer tests), fuzz, and
 * the programs that send raw segments.  Part of the test library (xpeer.c).
 */
#ifndef XTCP_XPEER_H
#define XTCP_XPEER_H

#include <stdint.h>
#include <stddef.h>

#define F_FIN	0x01
#define F_SYN	0x02
#define F_RST	0x04
#define F_PSH	0x08
#define F_ACK	0x10
#define F_URG	0x20
#define F_ECE	0x40
#define F_CWR	0x80

/* One segment, its header fields in host order (the addresses in network order). */
struct xseg {
	uint32_t saddr, daddr;		/* network order */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;			/* F_* */
	uint16_t win, urg;
	uint8_t opt[40];		/* the options, as on the wire */
	int optlen;			/* their bytes (the header is padded to 4) */
	int doff;			/* data offset in words; below 5: from optlen */
	const uint8_t *data;		/* payload (parsed: points into the packet) */
	int len;			/* payload bytes */
	int bad_csum;			/* build: corrupt the checksum */
	int lie_doff;			/* build: put doff_lie on the wire, whatever */
	uint8_t tos;			/* build: the IP header's DS field and ECN bits */
	int doff_lie;			/* the header's size (a malformed segment) */
};

/*
 * The datagram for @s (IPv4 header, segment on protocol @proto) into @buf of @size
 * bytes, checksummed over the pseudo-header; its length, or 0 if it does not fit.
 */
size_t xseg_build(void *buf, size_t size, const struct xseg *s, int proto);

/* Parse the datagram @pkt of @n bytes on protocol @proto into @s: 0, or -1 if not one. */
int xseg_parse(const void *pkt, size_t n, int proto, struct xseg *s);

/* Options: append one to @s (0, or -1 if the 40 bytes are full). */
int xseg_opt_mss(struct xseg *s, uint16_t mss);
int xseg_opt_wscale(struct xseg *s, uint8_t ws);
int xseg_opt_sackok(struct xseg *s);
int xseg_opt_ts(struct xseg *s, uint32_t val, uint32_t ecr);

/*
 * Find option @kind in @s: a pointer to its value bytes and their count in @len; NULL
 * if absent or malformed.
 */
const uint8_t *xseg_opt_find(const struct xseg *s, int kind, int *len);

/* "S.", "F.", "R", "P." ... for the flags @f, into @buf (16 bytes). */
const char *xseg_flags_str(int f, char *buf);

/* One line describing @s, relative to the ISNs @isn_src and @isn_dst, into @buf. */
const char *xseg_str(const struct xseg *s, uint32_t isn_src, uint32_t isn_dst, char *buf,
		     size_t size);

/* A raw socket sending whole datagrams (IP_HDRINCL); -1 on error. */
int xseg_raw_socket(void);

/* Send @s (its addresses set) through the raw socket @fd: 0, or -1. */
int xseg_raw_send(int fd, const struct xseg *s, int proto);

/* ---- the scripted peer on a tun device ---- */

struct xpeer {
	int tun;			/* the tun device's fd (no packet info) */
	int proto;			/* xtcp's protocol number */
	uint32_t local, peer;		/* our address, the peer's (network order) */
	uint8_t buf[65536];		/* the last datagram read */
};

/*
 * A tun device @dev in the calling thread's namespace holding @local_ip/24, through
 * which the host @peer_ip (same /24) is reached; loopback up, IPv6 off on the device
 * (no router solicitations).  0, or -1 with a message on stderr.
 */
int xpeer_open(struct xpeer *p, const char *dev, const char *local_ip, const char *peer_ip,
	       int proto);

void xpeer_close(struct xpeer *p);

/* Send @s from the peer: its addresses are filled in (peer -> local).  0, or -1. */
int xpeer_send(struct xpeer *p, struct xseg *s);

/*
 * The next segment of the protocol that the stack sent to the peer, within @ms
 * (anything else on the tun is skipped): 0, or -1 if none came.  @s->data points into
 * @p->buf until the next call.
 */
int xpeer_recv(struct xpeer *p, struct xseg *s, int ms);

/* The next segment of the protocol the stack sent to any host behind the tun. */
int xpeer_recv_any(struct xpeer *p, struct xseg *s, int ms);

/* Send @s as it is (its addresses set by the caller: several peers). */
int xpeer_send_raw(struct xpeer *p, const struct xseg *s);

/*
 * Send an ICMP destination-unreachable of @code from the peer, quoting the IP header
 * and the first 8 bytes of the segment @s (as the stack sent it: local -> peer); @mtu
 * is the next-hop MTU a "fragmentation needed" (code 4) carries, else 0.
 */
int xpeer_send_icmp_unreach(struct xpeer *p, const struct xseg *s, int code, int mtu);

#endif
