/* SPDX-License-Identifier: ISC */
/*
 * cs_fakesupd: a stand-in for supd on the control socket, for the
 * control.bats tests of what supctl prints. supd itself quotes nothing a
 * client controls without escaping it first, so only a fake can send an
 * END whose message carries control bytes and show that supctl, on every
 * path, sanitises what it prints.
 *
 * usage: cs_fakesupd SOCK READY MESSAGE
 *
 * Listens on the unix socket SOCK, creates the file READY, accepts one
 * client, reads its request (closing any fds passed with it), answers
 * END "error" MESSAGE, reads until the client hangs up and exits 0.
 * Gives up (exit 1) after 10 s.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HDR	12
#define T_END	102	/* PROTO_END */

/* Read exactly len bytes, closing every fd that comes along. */
static void
recv_full(int fd, char *p, size_t len)
{
	char		 cbuf[CMSG_SPACE(16 * sizeof(int))];
	struct iovec	 iov;
	struct msghdr	 mh;
	struct cmsghdr	*cm;
	ssize_t		 n;
	size_t		 i;

	while (len > 0) {
		iov = (struct iovec){ p, len };
		memset(&mh, 0, sizeof mh);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof cbuf;
		if ((n = recvmsg(fd, &mh, 0)) <= 0)
			errx(1, "request broke off");
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		    cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_type == SCM_RIGHTS)
				for (i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) /
				    sizeof(int); i++)
					close(((int *)CMSG_DATA(cm))[i]);
		p += n;
		len -= n;
	}
}

static void
put_u16(unsigned char *p, unsigned v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8 & 0xff;
}

static void
put_u32(unsigned char *p, uint32_t v)
{
	put_u16(p, v & 0xffff);
	put_u16(p + 2, v >> 16);
}

int
main(int argc, char **argv)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	unsigned char		 hdr[HDR], *msg;
	char			*req, buf[512];
	size_t			 mlen, plen;
	int			 lfd, fd;

	if (argc != 4 || strlen(argv[1]) >= sizeof sun.sun_path)
		errx(2, "usage: cs_fakesupd SOCK READY MESSAGE");
	alarm(10);
	strcpy(sun.sun_path, argv[1]);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    listen(lfd, 1) == -1)
		err(1, "%s", argv[1]);
	if ((fd = open(argv[2], O_WRONLY | O_CREAT, 0644)) == -1)
		err(1, "%s", argv[2]);
	close(fd);
	if ((fd = accept(lfd, NULL, NULL)) == -1)
		err(1, "accept");

	recv_full(fd, (char *)hdr, HDR);
	plen = hdr[8] | hdr[9] << 8 | hdr[10] << 16 | (size_t)hdr[11] << 24;
	if (plen > 256 * 1024 || (req = malloc(plen + 1)) == NULL)
		errx(1, "bad request length");
	recv_full(fd, req, plen);

	/* END: "error\0" MESSAGE "\0" */
	mlen = HDR + sizeof "error" + strlen(argv[3]) + 1;
	if ((msg = calloc(1, mlen)) == NULL)
		err(1, NULL);
	put_u32(msg, 0x44505553u);
	put_u16(msg + 4, 1);
	put_u16(msg + 6, T_END);
	put_u32(msg + 8, mlen - HDR);
	memcpy(msg + HDR, "error", sizeof "error");
	memcpy(msg + HDR + sizeof "error", argv[3], strlen(argv[3]) + 1);
	if (write(fd, msg, mlen) != (ssize_t)mlen)
		err(1, "write");
	while (read(fd, buf, sizeof buf) > 0)
		;
	free(msg);
	free(req);
	return 0;
}
