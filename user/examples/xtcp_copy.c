// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_copy: move a file over xtcp.
 *   xtcp_copy -l PORT > FILE          receive one file, write it to standard output
 *   xtcp_copy HOST PORT < FILE        send standard input (a file or a pipe)
 * The sender says how many bytes follow (8 bytes, big endian), sends them, and waits
 * for the receiver's one-byte "got it all" before it closes: a close still aborts the
 * connection (teardown with FIN comes later), so the stream cannot end the transfer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <linux/xtcp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int full_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int receive(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int l = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP), one = 1, c;
	uint64_t len, left;
	char buf[65536];

	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&sin, sizeof(sin)) || listen(l, 1)) {
		perror("xtcp_copy: listen");
		return 1;
	}
	c = accept(l, NULL, NULL);
	if (c < 0 || recv(c, &len, sizeof(len), MSG_WAITALL) != sizeof(len)) {
		perror("xtcp_copy: accept");
		return 1;
	}
	for (left = be64toh(len); left; ) {
		ssize_t n = recv(c, buf, left < sizeof(buf) ? left : sizeof(buf), 0);

		if (n <= 0 || full_write(1, buf, n)) {
			fprintf(stderr, "xtcp_copy: %s\n", n ? strerror(errno) : "short stream");
			return 1;
		}
		left -= n;
	}
	return full_write(c, "", 1) ? 1 : 0;
}

static int send_file(const char *host, const char *port)
{
	/* resolve as for TCP: getaddrinfo() knows no protocol 253 */
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai;
	size_t size = 0, room = 1 << 20;
	char *data = malloc(room), ack;
	uint64_t len;
	ssize_t n;
	int c;

	while (data && (n = read(0, data + size, room - size)) > 0)
		if ((size += n) == room)
			data = realloc(data, room *= 2);
	if (!data || n < 0) {
		perror("xtcp_copy: reading standard input");
		return 1;
	}
	if (getaddrinfo(host, port, &hints, &ai)) {
		fprintf(stderr, "xtcp_copy: cannot resolve %s\n", host);
		return 1;
	}
	c = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	if (c < 0 || connect(c, ai->ai_addr, ai->ai_addrlen)) {
		perror("xtcp_copy: connect");
		return 1;
	}
	len = htobe64(size);
	if (full_write(c, &len, sizeof(len)) || full_write(c, data, size) ||
	    recv(c, &ack, 1, MSG_WAITALL) != 1) {
		perror("xtcp_copy: send");
		return 1;
	}
	fprintf(stderr, "xtcp_copy: %zu bytes sent\n", size);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "-l"))
		return receive(atoi(argv[2]));
	if (argc == 3)
		return send_file(argv[1], argv[2]);
	fprintf(stderr, "usage: xtcp_copy -l PORT > FILE | xtcp_copy HOST PORT < FILE\n");
	return 2;
}
