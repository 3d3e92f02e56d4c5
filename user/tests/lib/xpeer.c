// SPDX-License-Identifier: GPL-2.0
/* Crafted segments and the scripted peer on a tun device: see xpeer.h. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "xpeer.h"
#include "xtcp_test.h"

/* ---- segments ---- */

static uint16_t ip_csum(const void *buf, size_t len)
{
	return htons(csum_fold32(csum_add(0, buf, len)));
}

size_t xseg_build(void *buf, size_t size, const struct xseg *s, int proto)
{
	int hlen = s->doff >= 5 ? s->doff * 4 : 20 + ((s->optlen + 3) & ~3);
	int olen = s->optlen < hlen - 20 ? s->optlen : hlen - 20;
	size_t seglen = (size_t)hlen + s->len, n = 20 + seglen;
	uint8_t *ip = buf, *th = ip + 20, pseudo[12];
	unsigned int sum;

	if (n > size || n > 65535)
		return 0;
	memset(ip, 0, 20 + hlen);
	ip[0] = 0x45;
	ip[1] = s->tos;
	ip[2] = n >> 8;
	ip[3] = n & 0xff;
	ip[6] = 0x40;			/* DF */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, &s->saddr, 4);
	memcpy(ip + 16, &s->daddr, 4);
	*(uint16_t *)(ip + 10) = ip_csum(ip, 20);

	th[0] = s->sport >> 8;
	th[1] = s->sport & 0xff;
	th[2] = s->dport >> 8;
	th[3] = s->dport & 0xff;
	*(uint32_t *)(th + 4) = htonl(s->seq);
	*(uint32_t *)(th + 8) = htonl(s->ack);
	th[12] = (s->lie_doff ? s->doff_lie : hlen / 4) << 4;
	th[13] = s->flags;
	*(uint16_t *)(th + 14) = htons(s->win);
	*(uint16_t *)(th + 18) = htons(s->urg);
	if (olen > 0)
		memcpy(th + 20, s->opt, olen);
	if (s->len)
		memcpy(th + hlen, s->data, s->len);

	memcpy(pseudo, &s->saddr, 4);
	memcpy(pseudo + 4, &s->daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = proto;
	pseudo[10] = seglen >> 8;
	pseudo[11] = seglen & 0xff;
	sum = csum_add(csum_add(0, pseudo, sizeof(pseudo)), th, seglen);
	*(uint16_t *)(th + 16) = htons(csum_fold32(sum) ^ (s->bad_csum ? 0x5a5a : 0));
	return n;
}

int xseg_parse(const void *pkt, size_t n, int proto, struct xseg *s)
{
	const uint8_t *ip = pkt, *th;
	size_t ihl, tot;
	int hlen;

	if (n < 20 || (ip[0] >> 4) != 4 || ip[9] != proto)
		return -1;
	ihl = (ip[0] & 15) * 4;
	tot = (ip[2] << 8) | ip[3];
	if (tot < n)
		n = tot;
	if (n < ihl + 20)
		return -1;
	th = ip + ihl;
	hlen = (th[12] >> 4) * 4;
	if (hlen < 20 || ihl + hlen > n)
		return -1;
	memset(s, 0, sizeof(*s));
	memcpy(&s->saddr, ip + 12, 4);
	memcpy(&s->daddr, ip + 16, 4);
	s->sport = (th[0] << 8) | th[1];
	s->dport = (th[2] << 8) | th[3];
	s->seq = ntohl(*(const uint32_t *)(th + 4));
	s->ack = ntohl(*(const uint32_t *)(th + 8));
	s->doff = hlen / 4;
	s->flags = th[13];
	s->win = (th[14] << 8) | th[15];
	s->urg = (th[18] << 8) | th[19];
	s->optlen = hlen - 20;
	memcpy(s->opt, th + 20, s->optlen);
	s->data = th + hlen;
	s->len = (int)(n - ihl - hlen);
	return 0;
}

static int opt_add(struct xseg *s, const uint8_t *o, int len)
{
	if (s->optlen + len > (int)sizeof(s->opt))
		return -1;
	memcpy(s->opt + s->optlen, o, len);
	s->optlen += len;
	return 0;
}

int xseg_opt_mss(struct xseg *s, uint16_t mss)
{
	uint8_t o[4] = { 2, 4, mss >> 8, mss & 0xff };

	return opt_add(s, o, 4);
}

int xseg_opt_wscale(struct xseg *s, uint8_t ws)
{
	uint8_t o[4] = { 1, 3, 3, ws };

	return opt_add(s, o, 4);
}

int xseg_opt_sackok(struct xseg *s)
{
	uint8_t o[4] = { 1, 1, 4, 2 };

	return opt_add(s, o, 4);
}

int xseg_opt_ts(struct xseg *s, uint32_t val, uint32_t ecr)
{
	uint8_t o[12] = { 1, 1, 8, 10 };
	uint32_t v = htonl(val), e = htonl(ecr);

	memcpy(o + 4, &v, 4);
	memcpy(o + 8, &e, 4);
	return opt_add(s, o, 12);
}

const uint8_t *xseg_opt_find(const struct xseg *s, int kind, int *len)
{
	int i = 0, l;

	while (i < s->optlen) {
		if (s->opt[i] == 0)
			return NULL;
		if (s->opt[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= s->optlen)
			return NULL;
		l = s->opt[i + 1];
		if (l < 2 || i + l > s->optlen)
			return NULL;
		if (s->opt[i] == kind) {
			*len = l - 2;
			return s->opt + i + 2;
		}
		i += l;
	}
	return NULL;
}

const char *xseg_flags_str(int f, char *buf)
{
	char *p = buf;

	if (f & F_SYN)
		*p++ = 'S';
	if (f & F_FIN)
		*p++ = 'F';
	if (f & F_RST)
		*p++ = 'R';
	if (f & F_PSH)
		*p++ = 'P';
	if (f & F_URG)
		*p++ = 'U';
	if (f & F_ECE)
		*p++ = 'E';
	if (f & F_CWR)
		*p++ = 'W';
	if (f & F_ACK)
		*p++ = '.';
	*p = 0;
	return buf;
}

const char *xseg_str(const struct xseg *s, uint32_t isn_src, uint32_t isn_dst, char *buf,
		     size_t size)
{
	char fl[16];
	int n, l;
	const uint8_t *o;

	n = snprintf(buf, size, "%-3s seq=%u ack=%u win=%u len=%d",
		     xseg_flags_str(s->flags, fl), s->seq - isn_src,
		     s->flags & F_ACK ? s->ack - isn_dst : 0, s->win, s->len);
	o = xseg_opt_find(s, 2, &l);
	if (o && l == 2 && n < (int)size)
		n += snprintf(buf + n, size - n, " mss=%u", (o[0] << 8) | o[1]);
	o = xseg_opt_find(s, 3, &l);
	if (o && l == 1 && n < (int)size)
		n += snprintf(buf + n, size - n, " ws=%u", o[0]);
	if (xseg_opt_find(s, 4, &l) && n < (int)size)
		n += snprintf(buf + n, size - n, " sackok");
	o = xseg_opt_find(s, 8, &l);
	if (o && l == 8 && n < (int)size)
		n += snprintf(buf + n, size - n, " ts=%u:%u", ntohl(*(const uint32_t *)o),
			      ntohl(*(const uint32_t *)(o + 4)));
	if (xseg_opt_find(s, 5, &l) && n < (int)size)
		snprintf(buf + n, size - n, " sack(%d)", l / 8);
	return buf;
}

int xseg_raw_socket(void)
{
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW), one = 1;

	if (fd >= 0)
		setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one));
	return fd;
}

int xseg_raw_send(int fd, const struct xseg *s, int proto)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_addr.s_addr = s->daddr };
	uint8_t pkt[2048];
	size_t n = xseg_build(pkt, sizeof(pkt), s, proto);

	if (!n)
		return -1;
	return sendto(fd, pkt, n, 0, (struct sockaddr *)&dst, sizeof(dst)) == (ssize_t)n ?
	       0 : -1;
}

/* ---- the peer ---- */

int xpeer_open(struct xpeer *p, const char *dev, const char *local_ip, const char *peer_ip,
	       int proto)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	char path[128];

	memset(p, 0, sizeof(*p));
	p->proto = proto;
	inet_pton(AF_INET, local_ip, &p->local);
	inet_pton(AF_INET, peer_ip, &p->peer);
	p->tun = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (p->tun < 0 && errno == ENOENT && !sh("modprobe tun"))
		/* a kernel with tun as a module (Debian's): no device node until loaded */
		p->tun = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (p->tun < 0) {
		perror("/dev/net/tun (a kernel without CONFIG_TUN?)");
		return -1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(p->tun, TUNSETIFF, &ifr)) {
		perror("TUNSETIFF");
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", dev);
	write_file(path, "1");
	if (lo_up() || sh("ip addr add %s/24 dev %s && ip link set %s up", local_ip, dev, dev)) {
		fprintf(stderr, "xpeer: cannot set up %s\n", dev);
		return -1;
	}
	return 0;
}

void xpeer_close(struct xpeer *p)
{
	if (p->tun >= 0)
		close(p->tun);
	p->tun = -1;
}

static int tun_write(struct xpeer *p, const void *pkt, size_t n)
{
	return write(p->tun, pkt, n) == (ssize_t)n ? 0 : -1;
}

int xpeer_send(struct xpeer *p, struct xseg *s)
{
	uint8_t pkt[70000];
	size_t n;

	s->saddr = p->peer;
	s->daddr = p->local;
	n = xseg_build(pkt, sizeof(pkt), s, p->proto);
	return n ? tun_write(p, pkt, n) : -1;
}

static int recv_to(struct xpeer *p, struct xseg *s, int ms, int any)
{
	struct pollfd pfd = { .fd = p->tun, .events = POLLIN };
	double end = now() + ms / 1000.0;
	ssize_t n;
	int left;

	for (;;) {
		n = read(p->tun, p->buf, sizeof(p->buf));
		if (n > 0) {
			if (!xseg_parse(p->buf, n, p->proto, s) && (any || s->daddr == p->peer))
				return 0;
			continue;
		}
		left = (int)((end - now()) * 1000);
		if (left <= 0)
			return -1;
		poll(&pfd, 1, left);
	}
}

int xpeer_recv(struct xpeer *p, struct xseg *s, int ms)
{
	return recv_to(p, s, ms, 0);
}

int xpeer_recv_any(struct xpeer *p, struct xseg *s, int ms)
{
	return recv_to(p, s, ms, 1);
}

int xpeer_send_raw(struct xpeer *p, const struct xseg *s)
{
	uint8_t pkt[70000];
	size_t n = xseg_build(pkt, sizeof(pkt), s, p->proto);

	return n ? tun_write(p, pkt, n) : -1;
}

int xpeer_send_icmp_unreach(struct xpeer *p, const struct xseg *s, int code, int mtu)
{
	uint8_t pkt[20 + 8 + 28], quote[64];
	size_t qn = xseg_build(quote, sizeof(quote), &(struct xseg){
		.saddr = s->saddr, .daddr = s->daddr, .sport = s->sport, .dport = s->dport,
		.seq = s->seq, .ack = s->ack, .flags = s->flags, .win = s->win }, p->proto);

	if (qn < 28)
		return -1;
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x45;
	pkt[3] = sizeof(pkt);
	pkt[8] = 64;
	pkt[9] = IPPROTO_ICMP;
	memcpy(pkt + 12, &p->peer, 4);
	memcpy(pkt + 16, &p->local, 4);
	*(uint16_t *)(pkt + 10) = ip_csum(pkt, 20);
	pkt[20] = ICMP_DEST_UNREACH;
	pkt[21] = code;
	pkt[26] = mtu >> 8;
	pkt[27] = mtu & 0xff;
	memcpy(pkt + 28, quote, 28);
	*(uint16_t *)(pkt + 22) = ip_csum(pkt + 20, sizeof(pkt) - 20);
	return tun_write(p, pkt, sizeof(pkt));
}
