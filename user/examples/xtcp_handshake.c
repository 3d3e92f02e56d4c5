// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_handshake: one connection over xtcp, step by step - listen, connect, accept -
 * printing what each step did and the connection as /proc/net/xtcp shows it.
 *   xtcp_handshake [IP [PORT]]     (default 127.0.0.1 5000)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/xtcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *show(const struct sockaddr_in *sin, char *buf, size_t len)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
	snprintf(buf, len, "%s:%d", ip, ntohs(sin->sin_port));
	return buf;
}

static int fail(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in srv = { .sin_family = AF_INET }, local, peer;
	socklen_t len = sizeof(local);
	char a[64], b[64], line[256];
	int l, c, s, one = 1;
	FILE *f;

	srv.sin_port = htons(argc > 2 ? atoi(argv[2]) : 5000);
	inet_pton(AF_INET, argc > 1 ? argv[1] : "127.0.0.1", &srv.sin_addr);

	l = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	if (l < 0)
		return fail("socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&srv, sizeof(srv)) || listen(l, 16))
		return fail("bind/listen");
	printf("server: listening on %s\n", show(&srv, a, sizeof(a)));

	c = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	if (connect(c, (struct sockaddr *)&srv, sizeof(srv)))
		return fail("connect");
	getsockname(c, (struct sockaddr *)&local, &len);
	printf("client: connect() returned 0: SYN, SYN-ACK, ACK done, from %s\n",
	       show(&local, a, sizeof(a)));

	len = sizeof(peer);
	s = accept(l, (struct sockaddr *)&peer, &len);
	if (s < 0)
		return fail("accept");
	len = sizeof(local);
	getsockname(s, (struct sockaddr *)&local, &len);
	printf("server: accept() gave a socket for %s <- %s\n", show(&local, a, sizeof(a)),
	       show(&peer, b, sizeof(b)));

	printf("/proc/net/xtcp (0A = LISTEN, 01 = ESTABLISHED):\n");
	f = fopen("/proc/net/" XTCP_PROC_SOCKETS, "r");
	while (f && fgets(line, sizeof(line), f))
		printf("  %.*s\n", 76, line);
	if (f)
		fclose(f);
	close(s);
	close(c);
	close(l);
	return 0;
}
