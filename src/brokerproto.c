/* brokerproto.c - pure: the broker's request and reply encoding. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokerproto.h"

static const char req_magic[4] = { 'T', 'B', 'K', '1' };
static const char reply_magic[4] = { 'T', 'B', 'R', '1' };

size_t broker_req_encode(char *buf, size_t len, int argc, char *const *argv)
{
	size_t at = sizeof(req_magic);

	if (len > BROKER_REQ_MAX)
		len = BROKER_REQ_MAX;
	if (argc < 0 || argc > BROKER_WORDS_MAX || len < at)
		return 0;
	memcpy(buf, req_magic, at);
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;

		if (l > len - at)
			return 0;
		memcpy(buf + at, argv[i], l);
		at += l;
	}
	return at;
}

bool broker_req_decode(const char *buf, size_t len, int *argc, char ***argv, char *err, size_t errlen)
{
	size_t words = 0, at = sizeof(req_magic);
	char **v, *s;

	*argv = NULL;
	*argc = 0;
	errno = 0;
	if (len > BROKER_REQ_MAX) {
		snprintf(err, errlen, "request of %zu bytes is larger than %d", len, BROKER_REQ_MAX);
		return false;
	}
	if (len < at || memcmp(buf, req_magic, at)) {
		snprintf(err, errlen, "not a tunctl broker request (version 1)");
		return false;
	}
	if (len == at) {
		snprintf(err, errlen, "empty request: no command");
		return false;
	}
	if (buf[len - 1] != '\0') {
		snprintf(err, errlen, "truncated request: its last word is not ended");
		return false;
	}
	for (size_t i = at; i < len; i++)
		if (!buf[i])
			words++;
	if (words > BROKER_WORDS_MAX) {
		snprintf(err, errlen, "request of %zu words: at most %d", words, BROKER_WORDS_MAX);
		return false;
	}
	/* The pointers, then the words ("tunctl" and the request's). */
	if (!(v = malloc((words + 2) * sizeof(*v) + sizeof("tunctl") + (len - at)))) {
		errno = ENOMEM;
		snprintf(err, errlen, "out of memory");
		return false;
	}
	s = (char *)(v + words + 2);
	memcpy(s, "tunctl", sizeof("tunctl"));
	v[0] = s;
	s += sizeof("tunctl");
	memcpy(s, buf + at, len - at);
	for (size_t i = 0; i < words; i++) {
		v[i + 1] = s;
		s += strlen(s) + 1;
	}
	v[words + 1] = NULL;
	*argv = v;
	*argc = (int)words + 1;
	return true;
}

size_t broker_reply_encode(char *buf, size_t len, int status, const char *out, size_t outlen,
			   const char *err)
{
	size_t el = strlen(err) + 1, need = sizeof(reply_magic) + 5 + outlen + el;

	if (status < 0 || status > 255 || outlen > UINT32_MAX || need > len || need > BROKER_REPLY_MAX)
		return 0;
	memcpy(buf, reply_magic, sizeof(reply_magic));
	buf[4] = (char)status;
	for (int i = 0; i < 4; i++)
		buf[5 + i] = (char)((outlen >> (8 * i)) & 0xff);
	memcpy(buf + 9, out, outlen);
	memcpy(buf + 9 + outlen, err, el);
	return need;
}

bool broker_reply_decode(const char *buf, size_t len, int *status, const char **out, size_t *outlen,
			 const char **err, size_t *errlen)
{
	size_t ol = 0;

	if (len < 9 || memcmp(buf, reply_magic, sizeof(reply_magic)))
		return false;
	for (int i = 0; i < 4; i++)
		ol |= (size_t)(unsigned char)buf[5 + i] << (8 * i);
	if (ol > len - 9)
		return false;
	*status = (unsigned char)buf[4];
	*out = buf + 9;
	*outlen = ol;
	*err = buf + 9 + ol;
	*errlen = strnlen(*err, len - 9 - ol);
	return true;
}
