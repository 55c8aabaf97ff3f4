// The CPU cost of the two parts of a durable ack that hookpipe cannot skip,
// in plain C, with nothing around them: jansson parsing the request body,
// and SQLite appending the event with hookpipe's schema (journal row, dedupe
// lookup and entry, WAL, synchronous = FULL) in transactions of BATCH events.
// bench/run.sh sets these next to the CPU nginx and hookpipe spend per
// request, to show what the c=64 target leaves for everything else.
//
//   parts BODY_FILE DIRECTORY BATCH EVENTS
//   -> {"jansson_us": ..., "sqlite_us": ..., "sqlite_user_us": ..., "sqlite_sys_us": ...}
//
// CPU time is getrusage (user + system), per body parsed / per event stored.
#include <jansson.h>
#include "ackstore.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static void cpu(double *user, double *sys) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  *user = r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6;
  *sys = r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

// jansson: parse the body as the receiver does (same flags), then free it.
static double jansson_us(const char *body, size_t length, int rounds) {
  double u0, s0, u1, s1;
  cpu(&u0, &s0);
  for (int i = 0; i < rounds; i++) {
    json_error_t error;
    json_t *root = json_loadb(body, length, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &error);
    ackstore_must(root != NULL, "json_loadb", NULL);
    json_decref(root);
  }
  cpu(&u1, &s1);
  return ((u1 - u0) + (s1 - s0)) / rounds * 1e6;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: parts BODY_FILE DIRECTORY BATCH EVENTS\n");
    return 2;
  }
  FILE *file = fopen(argv[1], "rb");
  ackstore_must(file != NULL, "open the body file", NULL);
  static char body[1 << 16];
  size_t length = fread(body, 1, sizeof body, file);
  fclose(file);
  int batch = atoi(argv[3]), events = atoi(argv[4]);

  double parse = jansson_us(body, length, 200000);

  ackstore store;
  ackstore_open(&store, argv[2], "parts.sqlite");
  // The envelope metadata hookpipe stores next to a 1 KiB Stripe event is ~420 bytes.
  static char metadata[420];
  memset(metadata, 'm', sizeof metadata);
  long long now = (long long)time(NULL) * 1000000;
  char key[64];
  double u0, s0, u1, s1;
  cpu(&u0, &s0);
  for (int i = 0; i < events;) {
    ackstore_begin(&store);
    for (int j = 0; j < batch && i < events; j++, i++) {
      int keyLength = snprintf(key, sizeof key, "evt_parts_%lld_%d", now, i);
      ackstore_append(&store, "stripe", key, keyLength, now, metadata, sizeof metadata, body, (int)length);
    }
    ackstore_commit(&store);
  }
  cpu(&u1, &s1);
  ackstore_close(&store);
  printf("{\"jansson_us\": %.2f, \"sqlite_us\": %.2f, \"sqlite_user_us\": %.2f, \"sqlite_sys_us\": %.2f, \"batch\": %d, \"events\": %d}\n",
         parse, ((u1 - u0) + (s1 - s0)) / events * 1e6, (u1 - u0) / events * 1e6, (s1 - s0) / events * 1e6, batch, events);
  return 0;
}
