/* pcap.c - the classic pcap format: a global header, then a record per packet. */
#include "config.h"

#include <string.h>

#include "pcap.h"

/* The format's constants (not in any system header: libpcap's pcap/pcap.h
 * has them, and tunctl does not depend on libpcap). */
#define PCAP_MAGIC 0xa1b2c3d4           /* microsecond timestamps */
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define SNAPLEN 262144                  /* tcpdump's MAXIMUM_SNAPLEN */

int pcap_start(struct sink *k, uint32_t linktype)
{
	/* Host byte order: readers tell it by the magic number. */
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} h = { PCAP_MAGIC, PCAP_VERSION_MAJOR, PCAP_VERSION_MINOR, 0, 0, SNAPLEN, linktype };

	return sink_put(k, &h, sizeof(h));
}

int pcap_record(struct sink *k, const struct timespec *ts, const uint8_t *p, size_t len)
{
	uint32_t caplen = len > SNAPLEN ? SNAPLEN : (uint32_t)len;
	uint32_t r[4] = { (uint32_t)ts->tv_sec, (uint32_t)(ts->tv_nsec / 1000), caplen, (uint32_t)len };
	char *room = sink_room(k, sizeof(r) + caplen);

	if (!room)
		return k->err;
	memcpy(room, r, sizeof(r));
	memcpy(room + sizeof(r), p, caplen);
	sink_add(k, sizeof(r) + caplen);
	return 0;
}
