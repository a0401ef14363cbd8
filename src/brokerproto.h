/* brokerproto.h - pure: the broker's requests and replies as bytes.  One
 * request and one reply per connection, each one SOCK_SEQPACKET datagram:
 *   request: "TBK1" then the command line's words, each NUL-ended;
 *   reply:   "TBR1", the exit status (one byte), the output's length (four
 *            bytes, little-endian), the output, then the error line; the
 *            queue descriptors of "run" ride along over SCM_RIGHTS. */
#ifndef TUNCTL_BROKERPROTO_H
#define TUNCTL_BROKERPROTO_H

#include <stdbool.h>
#include <stddef.h>

#define BROKER_SOCKET "/run/tunctl/broker.sock"
#define BROKER_REQ_MAX 8192
#define BROKER_WORDS_MAX 128
#define BROKER_REPLY_MAX 65536
/* Queues "run" may ask for through the broker. */
#define BROKER_FDS_MAX 64

/* The request for argv[0..argc) into buf: its length, or 0 when it does
 * not fit in len (nor in BROKER_REQ_MAX) or has too many words. */
size_t broker_req_encode(char *buf, size_t len, int argc, char *const *argv);
/* A request back into *argv (one allocation, NULL-ended, "tunctl" first
 * as cmdline_parse expects) and *argc.  false with the reason in err for
 * a request that is short, truncated, too long or malformed (errno 0), or
 * when memory ran out (errno ENOMEM). */
bool broker_req_decode(const char *buf, size_t len, int *argc, char ***argv, char *err, size_t errlen);

/* A reply into buf: its length, or 0 when it does not fit. */
size_t broker_reply_encode(char *buf, size_t len, int status, const char *out, size_t outlen,
			   const char *err);
/* A reply's parts, pointing into buf (err is NUL-ended there when the
 * reply holds the NUL; else errlen says its length). false: malformed. */
bool broker_reply_decode(const char *buf, size_t len, int *status, const char **out, size_t *outlen,
			 const char **err, size_t *errlen);

#endif
