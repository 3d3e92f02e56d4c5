// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_copy: move a file over xtcp, as one would over TCP.
 *   xtcp_copy -l PORT > FILE          receive one file, write it to standard output
 *   xtcp_copy HOST PORT < FILE        send standard input (a file or a pipe)
 * The sender streams its input, then shuts its side down (shutdown(SHUT_WR): a FIN
 * after the data) and waits for the receiver to close in turn: the receiver reads until
 * the end of the stream (recv() returns 0), writes it all out, then closes, so the
 * sender's read of 0 says everything arrived.  Half-close carries the end of the file.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/xtcp.h>
#include <netdb.h>
#include <netinet/in.h>
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
	char buf[65536];
	ssize_t n;

	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&sin, sizeof(sin)) || listen(l, 1)) {
		perror("xtcp_copy: listen");
		return 1;
	}
	c = accept(l, NULL, NULL);
	if (c < 0) {
		perror("xtcp_copy: accept");
		return 1;
	}
	while ((n = recv(c, buf, sizeof(buf), 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || full_write(1, buf, n)) {
			perror("xtcp_copy: receive");
			return 1;
		}
	}
	return close(c) ? 1 : 0;	/* our FIN tells the sender it all arrived */
}

static int send_file(const char *host, const char *port)
{
	/* resolve as for TCP: getaddrinfo() knows no protocol 253 */
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai;
	char buf[65536];
	size_t size = 0;
	ssize_t n;
	int c;

	if (getaddrinfo(host, port, &hints, &ai)) {
		fprintf(stderr, "xtcp_copy: cannot resolve %s\n", host);
		return 1;
	}
	c = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	if (c < 0 || connect(c, ai->ai_addr, ai->ai_addrlen)) {
		perror("xtcp_copy: connect");
		return 1;
	}
	while ((n = read(0, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || full_write(c, buf, n)) {
			perror("xtcp_copy: send");
			return 1;
		}
		size += n;
	}
	/* FIN after the data; the receiver's FIN (read returns 0) says it has it all */
	if (shutdown(c, SHUT_WR) || recv(c, buf, 1, 0) != 0) {
		perror("xtcp_copy: waiting for the receiver");
		return 1;
	}
	close(c);
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
