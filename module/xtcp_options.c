// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: TCP options, parsed and written as tcp_parse_options() and tcp_options_write()
 * do.  Handshake options: MSS (RFC 9293 3.7.1), window scale (RFC 7323 2), SACK
 * permitted (RFC 2018), timestamps (RFC 7323 3).
 */
#include "xtcp.h"

/* RFC 2018 3: a SACK option is 2 + 8n bytes for n blocks; other lengths are ignored. */
static void xtcp_parse_sack(const unsigned char *ptr, int opsize,
			    struct xtcp_options_received *opt)
{
	int i, n;

	if (opsize < TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK ||
	    (opsize - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_PERBLOCK)
		return;
	n = min((opsize - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_PERBLOCK, XTCP_NUM_SACKS);
	for (i = 0; i < n; i++) {
		opt->sacks[i].start = get_unaligned_be32(ptr + 8 * i);
		opt->sacks[i].end = get_unaligned_be32(ptr + 8 * i + 4);
	}
	opt->num_sacks = n;
}

/**
 * xtcp_parse_options - read the options of a segment
 * @th: the TCP header; its data offset was validated against the segment
 * @len: bytes of header and options (th->doff * 4)
 * @opt: where the options go; fields of options not present are left alone except
 *	saw_tstamp, which is cleared
 *
 * Malformed options are handled as Linux does: a length below 2 ("silly options") or
 * running past the header ends the parse, and what was parsed before stays.  An MSS,
 * window scale or SACK-permitted outside a SYN is ignored, as is an MSS of 0, and a
 * window scale above 14 is taken as 14 (RFC 7323 2.3).  SACK blocks (outside a SYN,
 * with a length of 2 + 8n) are read into @opt->sacks; num_sacks is cleared first.
 *
 * Context: any.
 */
void xtcp_parse_options(const struct tcphdr *th, unsigned int len,
			struct xtcp_options_received *opt)
{
	const unsigned char *ptr = (const unsigned char *)(th + 1);
	int length = len - sizeof(*th);

	opt->saw_tstamp = 0;
	opt->num_sacks = 0;
	while (length > 0) {
		int opcode = *ptr++;
		int opsize;

		switch (opcode) {
		case TCPOPT_EOL:
			return;
		case TCPOPT_NOP:
			length--;
			continue;
		default:
			if (length < 2)
				return;
			opsize = *ptr++;
			if (opsize < 2 || opsize > length)
				return;
			switch (opcode) {
			case TCPOPT_MSS:
				if (opsize == TCPOLEN_MSS && th->syn) {
					u16 in_mss = get_unaligned_be16(ptr);

					if (in_mss)
						opt->mss_clamp = in_mss;
				}
				break;
			case TCPOPT_WINDOW:
				if (opsize == TCPOLEN_WINDOW && th->syn) {
					opt->wscale_ok = 1;
					opt->snd_wscale = min_t(u8, *ptr, XTCP_MAX_WSCALE);
				}
				break;
			case TCPOPT_SACK_PERM:
				if (opsize == TCPOLEN_SACK_PERM && th->syn)
					opt->sack_ok = 1;
				break;
			case TCPOPT_SACK:
				if (!th->syn)
					xtcp_parse_sack(ptr, opsize, opt);
				break;
			case TCPOPT_TIMESTAMP:
				if (opsize == TCPOLEN_TIMESTAMP) {
					opt->saw_tstamp = 1;
					opt->rcv_tsval = get_unaligned_be32(ptr);
					opt->rcv_tsecr = get_unaligned_be32(ptr + 4);
				}
				break;
			}
			ptr += opsize - 2;
			length -= opsize;
		}
	}
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_parse_options);

/**
 * xtcp_options_size - bytes the options of @opts take, a multiple of 4
 * @opts: the options to send
 *
 * Context: any.
 * Return: 0 to 40.
 */
unsigned int xtcp_options_size(const struct xtcp_out_options *opts)
{
	unsigned int size = 0;

	if (opts->mss)
		size += TCPOLEN_MSS_ALIGNED;
	if (opts->ts_ok)
		size += TCPOLEN_TSTAMP_ALIGNED;	/* SACK-permitted fits in its NOPs */
	else if (opts->sack_ok)
		size += TCPOLEN_SACKPERM_ALIGNED;
	if (opts->ws_ok)
		size += TCPOLEN_WSCALE_ALIGNED;
	if (opts->num_sacks)
		size += TCPOLEN_SACK_BASE_ALIGNED + opts->num_sacks * TCPOLEN_SACK_PERBLOCK;
	return size;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_options_size);

/**
 * xtcp_options_write - write @opts at @ptr, in the layout Linux uses
 * @ptr: just past the fixed header; xtcp_options_size() bytes are written
 * @opts: the options
 *
 * MSS; SACK-permitted + timestamps (or NOP NOP + timestamps, or NOP NOP +
 * SACK-permitted); NOP + window scale; NOP NOP + SACK blocks.
 *
 * Context: any.
 */
void xtcp_options_write(__be32 *ptr, const struct xtcp_out_options *opts)
{
	if (opts->mss)
		*ptr++ = htonl((TCPOPT_MSS << 24) | (TCPOLEN_MSS << 16) | opts->mss);
	if (opts->ts_ok) {
		if (opts->sack_ok)
			*ptr++ = htonl((TCPOPT_SACK_PERM << 24) | (TCPOLEN_SACK_PERM << 16) |
				       (TCPOPT_TIMESTAMP << 8) | TCPOLEN_TIMESTAMP);
		else
			*ptr++ = htonl((TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) |
				       (TCPOPT_TIMESTAMP << 8) | TCPOLEN_TIMESTAMP);
		*ptr++ = htonl(opts->tsval);
		*ptr++ = htonl(opts->tsecr);
	} else if (opts->sack_ok) {
		*ptr++ = htonl((TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) |
			       (TCPOPT_SACK_PERM << 8) | TCPOLEN_SACK_PERM);
	}
	if (opts->ws_ok)
		*ptr++ = htonl((TCPOPT_NOP << 24) | (TCPOPT_WINDOW << 16) |
			       (TCPOLEN_WINDOW << 8) | opts->ws);
	if (opts->num_sacks) {
		int i;

		*ptr++ = htonl((TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) | (TCPOPT_SACK << 8) |
			       (TCPOLEN_SACK_BASE + opts->num_sacks * TCPOLEN_SACK_PERBLOCK));
		for (i = 0; i < opts->num_sacks; i++) {
			*ptr++ = htonl(opts->sacks[i].start);
			*ptr++ = htonl(opts->sacks[i].end);
		}
	}
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_options_write);

/**
 * xtcp_clamp_mss - the MSS to send with: the peer's offer, at most ours
 * @peer_mss: the peer's MSS option, 0 if it sent none
 * @our_mss: the MSS we advertise (from the route's MTU)
 * @none: the peer's MSS if it sent none: XTCP_MSS_DEFAULT (536, RFC 9293 3.7.1) over
 *	IPv4, XTCP6_MSS_DEFAULT (1220) over IPv6, as Linux's af_ops mss_clamp
 *
 * Nothing goes below 88 (TCP_MIN_MSS).
 *
 * Context: any.
 * Return: the MSS.
 */
u16 xtcp_clamp_mss(u16 peer_mss, u16 our_mss, u16 none)
{
	u16 mss = peer_mss ?: none;

	return max_t(u16, min(mss, our_mss), XTCP_MIN_MSS);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_clamp_mss);

/**
 * xtcp_select_wscale - our window scale for a receive space of @space bytes
 * @space: the largest window we may want to advertise
 *
 * Like tcp_select_initial_window(): the smallest shift that lets a 16-bit window
 * field cover @space, at most 14.
 *
 * Context: any.
 * Return: 0 to 14.
 */
u8 xtcp_select_wscale(int space)
{
	u8 wscale = 0;

	while (space > U16_MAX && wscale < XTCP_MAX_WSCALE) {
		space >>= 1;
		wscale++;
	}
	return wscale;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_select_wscale);
