// A durable append without SQLite: the same event, dedupe and sync as
// bench/ackstore.h, written the way a log-structured store would write it.
// For bench/ackserver.c's "log" mode, which asks how much of the gap between
// hookpipe's durable ack and the two hardest targets is the store's shape.
//
// - One file, opened O_APPEND. A turn's events are framed into one buffer,
//   written with one write(), then fdatasync(), exactly as the fsync floor
//   (bench/fsync_floor.py) appends and syncs. The file grows with every
//   commit, so each sync also carries the size change, like the floor's.
// - Each record: length, CRC-32 (zlib) of the rest, seq, received_at,
//   expires_at, the lengths, source, key, envelope metadata, payload, and
//   the seq once more at the end (so the file's last 8 bytes are the highest
//   sequence number: bench/run.sh counts stored events from them).
// - Dedupe: an in-memory open-addressing table of (source, key) → seq and
//   expiry. A real store would rebuild it from the log at start-up (or keep
//   it in a log-structured index); that cost is not part of an ack and is
//   not measured here.
// Not a store hookpipe has: a yardstick for a backend it could have.
#ifndef HOOKPIPE_BENCH_ACKLOG_H
#define HOOKPIPE_BENCH_ACKLOG_H
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

typedef struct {
  uint64_t hash;  // 0: empty slot
  char *text;     // source, '\0', key
  int length;     // of text
  long long seq, expires_at;
} acklog_slot;

typedef struct {
  int fd;
  long long seq;
  acklog_slot *slots;
  size_t capacity, count;  // capacity: a power of two
  unsigned char *buffer;   // this turn's records
  size_t used, size;
} acklog;

static void acklog_must(int ok, const char *what) {
  if (ok) return;
  perror(what);
  exit(1);
}

// A fresh log DIRECTORY/NAME (any older one is truncated); the directory is
// synced once so the file itself survives a crash.
static void acklog_open(acklog *l, const char *directory, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", directory, name);
  l->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  acklog_must(l->fd >= 0, "acklog: open");
  int dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  acklog_must(dir >= 0 && fsync(dir) == 0, "acklog: sync the directory");
  close(dir);
  l->seq = 0;
  l->capacity = 1 << 16;
  l->count = 0;
  l->slots = calloc(l->capacity, sizeof *l->slots);
  l->size = 1 << 20;
  l->used = 0;
  l->buffer = malloc(l->size);
  acklog_must(l->slots != NULL && l->buffer != NULL, "acklog: allocate");
}

// FNV-1a over source, a separator, and key; never 0.
static uint64_t acklog_hash(const char *source, int source_length, const char *key, int key_length) {
  uint64_t h = 1469598103934665603ULL;
  for (int i = 0; i < source_length; i++) h = (h ^ (unsigned char)source[i]) * 1099511628211ULL;
  h = (h ^ 0x1f) * 1099511628211ULL;
  for (int i = 0; i < key_length; i++) h = (h ^ (unsigned char)key[i]) * 1099511628211ULL;
  return h ? h : 1;
}

static acklog_slot *acklog_find(acklog *l, uint64_t hash, const char *source, int source_length, const char *key, int key_length) {
  size_t mask = l->capacity - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    acklog_slot *slot = &l->slots[i];
    if (slot->hash == 0) return slot;
    if (slot->hash == hash && slot->length == source_length + 1 + key_length && memcmp(slot->text, source, (size_t)source_length) == 0 &&
        memcmp(slot->text + source_length + 1, key, (size_t)key_length) == 0) {
      return slot;
    }
  }
}

static void acklog_grow(acklog *l) {
  acklog_slot *old = l->slots;
  size_t old_capacity = l->capacity;
  l->capacity *= 2;
  l->slots = calloc(l->capacity, sizeof *l->slots);
  acklog_must(l->slots != NULL, "acklog: grow");
  for (size_t i = 0; i < old_capacity; i++) {
    if (old[i].hash == 0) continue;
    size_t mask = l->capacity - 1, j = old[i].hash & mask;
    while (l->slots[j].hash != 0) j = (j + 1) & mask;
    l->slots[j] = old[i];
  }
  free(old);
}

static void acklog_put(acklog *l, const void *bytes, size_t length) {
  if (l->used + length > l->size) {
    while (l->used + length > l->size) l->size *= 2;
    l->buffer = realloc(l->buffer, l->size);
    acklog_must(l->buffer != NULL, "acklog: buffer");
  }
  memcpy(l->buffer + l->used, bytes, length);
  l->used += length;
}

static void acklog_begin(acklog *l) { l->used = 0; }

// Returns 1 when the event was stored, 0 when its key was a duplicate (still
// within its window). Durable only after acklog_commit.
static int acklog_append(acklog *l, const char *source, const char *key, int key_length, long long now_us,
                         const void *metadata, int metadata_length, const void *body, int body_length) {
  int source_length = (int)strlen(source);
  uint64_t hash = acklog_hash(source, source_length, key, key_length);
  acklog_slot *slot = acklog_find(l, hash, source, source_length, key, key_length);
  if (slot->hash != 0 && slot->expires_at > now_us) return 0;
  long long seq = ++l->seq, expires_at = now_us + 3600000000LL;
  if (slot->hash == 0) {
    slot->hash = hash;
    slot->length = source_length + 1 + key_length;
    slot->text = malloc((size_t)slot->length);
    acklog_must(slot->text != NULL, "acklog: key");
    memcpy(slot->text, source, (size_t)source_length);
    slot->text[source_length] = '\0';
    memcpy(slot->text + source_length + 1, key, (size_t)key_length);
    l->count++;
  }
  slot->seq = seq;
  slot->expires_at = expires_at;

  struct {
    uint32_t length, crc;
    int64_t seq, received_at, expires_at;
    uint16_t source_length, key_length;
    uint32_t metadata_length, payload_length;
  } __attribute__((packed)) header = {
      .seq = seq, .received_at = now_us, .expires_at = expires_at,
      .source_length = (uint16_t)source_length, .key_length = (uint16_t)key_length,
      .metadata_length = (uint32_t)metadata_length, .payload_length = (uint32_t)body_length};
  size_t start = l->used;
  header.length = (uint32_t)(sizeof header + (size_t)source_length + (size_t)key_length + (size_t)metadata_length + (size_t)body_length + 8);
  acklog_put(l, &header, sizeof header);
  acklog_put(l, source, (size_t)source_length);
  acklog_put(l, key, (size_t)key_length);
  acklog_put(l, metadata, (size_t)metadata_length);
  acklog_put(l, body, (size_t)body_length);
  int64_t trailer = seq;
  acklog_put(l, &trailer, sizeof trailer);
  uint32_t crc = (uint32_t)crc32(0L, l->buffer + start + 8, (uInt)(l->used - start - 8));
  memcpy(l->buffer + start + 4, &crc, sizeof crc);
  if (l->count * 2 > l->capacity) acklog_grow(l);
  return 1;
}

// Writes the turn's records and syncs them; returns after fdatasync.
static void acklog_commit(acklog *l) {
  size_t done = 0;
  while (done < l->used) {
    ssize_t wrote = write(l->fd, l->buffer + done, l->used - done);
    acklog_must(wrote > 0, "acklog: write");
    done += (size_t)wrote;
  }
  if (l->used > 0) acklog_must(fdatasync(l->fd) == 0, "acklog: fdatasync");
}

static void acklog_close(acklog *l) {
  close(l->fd);
  for (size_t i = 0; i < l->capacity; i++) free(l->slots[i].text);
  free(l->slots);
  free(l->buffer);
}
#endif
