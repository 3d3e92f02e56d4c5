/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xtcp: the public constants of the xtcp transport, shared by the kernel module and by user
 * programs.  xtcp speaks the RFC 9293 TCP segment format on its own IP protocol number.
 */
#ifndef _UAPI_LINUX_XTCP_H
#define _UAPI_LINUX_XTCP_H

/*
 * Default IP protocol number (RFC 3692 experimental); the module parameter "protocol"
 * picks another free one.  socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP) opens an xtcp socket.
 */
#define IPPROTO_XTCP		253

/*
 * Socket option level of xtcp's own options: its protocol number, as SOL_TCP is TCP's.
 * The TCP_* options (TCP_NODELAY, TCP_INFO, ...) work at this level and at SOL_TCP.
 * With protocol=N, the level is N.
 */
#define SOL_XTCP		IPPROTO_XTCP

/* Module name, for request_module() aliases and rmmod. */
#define XTCP_MODULE_NAME	"xtcp"

/* The module's version (modinfo xtcp; the DKMS package of make dkms-install). */
#define XTCP_VERSION		"0.12.0"

/* Per-network-namespace counters, in the format of /proc/net/netstat. */
#define XTCP_PROC_STAT		"xtcp_stat"

/* Per-network-namespace socket list, in the format of /proc/net/tcp. */
#define XTCP_PROC_SOCKETS	"xtcp"
/* /proc/net/xtcp6: the IPv6 sockets (v4-mapped ones too), in the format of /proc/net/tcp6 */
#define XTCP_PROC_SOCKETS6	"xtcp6"

/* Socket counts, in the format of the TCP line of /proc/net/sockstat. */
#define XTCP_PROC_SOCKSTAT	"xtcp_sockstat"

#endif /* _UAPI_LINUX_XTCP_H */
