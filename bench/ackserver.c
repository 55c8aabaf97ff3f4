// A durable webhook ack with nothing around it, in plain C: the lower bound
// of what hookpipe's receiver could reach on this machine with its own parts.
//
// One thread and one epoll loop on 127.0.0.1:PORT. Each turn of the loop
// reads every request that has arrived, parses its body with jansson (the
// receiver's flags) and takes the event's "id" as its dedupe key; then it
// stores all of them in one SQLite transaction (bench/ackstore.h: hookpipe's
// schema and statements, WAL, synchronous = FULL), and only after COMMIT
// returns writes the 200s. So at c=1 every request is its own commit, and at
// c=64 the requests that arrived during one commit share the next (group
// commit without a second thread). No HMAC check (0.9 µs per request in the
// benchmark's parts table), no pipelining, no timeouts, no logs, no metrics.
//
// With "log" the same loop stores into bench/acklog.h instead of SQLite: one
// appended, CRC'd record per event, one write() and fdatasync() per turn,
// dedupe in memory. That asks what a log-structured backend would change.
//
// With "threaded" the work is laid out over threads as hookpipe lays it out,
// with the fewest hand-offs such a layout allows: one reading thread per
// core (each its own epoll; a connection stays on the thread that accepted
// it) reads, parses and queues complete requests, and one writer thread
// takes everything queued, stores it in one transaction and writes the
// answers itself, so no thread hands an answer back. A connection's
// descriptor is armed one-shot and re-armed by whoever finished with it, so
// the two never touch a connection at once. It asks whether spreading the
// same parts over both cores, rather than one loop, reaches the 35 % target.
//
//   ackserver PORT DIRECTORY [sqlite|log] [threaded]   runs until SIGTERM or SIGINT, then prints
//   -> {"store": "sqlite"|"log", "threads": N, "stored": N, "duplicates": N, "rejected": N, "commits": N}
#define _GNU_SOURCE
#include "acklog.h"
#include "ackstore.h"
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { BUFFER = 65536, MAX_EVENTS = 256 };

typedef struct connection {
  int fd;
  size_t used;          // bytes in buffer
  size_t request_end;   // header + body length of the complete request at the start, or 0
  size_t body_start, body_length;
  char key[256];        // the event's "id"
  int key_length;
  int pending;          // waiting in this turn's transaction
  int poll;             // the epoll it is registered with (threaded: its reading thread's)
  int stored;           // its event was new (not a duplicate)
  struct connection *next_pending;
  char buffer[BUFFER];
} connection;

static atomic_int stopping = 0;  // set by the signal handler, read by every thread
static void stop(int signal_number) { (void)signal_number; stopping = 1; }

static long long now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void reply(connection *c, const char *status, const char *body) {
  char response[256];
  int length = snprintf(response, sizeof response, "HTTP/1.1 %s\r\ncontent-type: application/json\r\ncontent-length: %zu\r\n\r\n%s",
                        status, strlen(body), body);
  // Answers are small and the client waits for each one: a short write
  // would mean a dead peer, which the next read finds.
  if (write(c->fd, response, (size_t)length) < 0) { /* the next read sees the error */ }
  memmove(c->buffer, c->buffer + c->request_end, c->used - c->request_end);
  c->used -= c->request_end;
  c->request_end = 0;
}

// Sets request_end when a whole request (headers + Content-Length body) is buffered.
static int complete_request(connection *c) {
  char *headers_end = memmem(c->buffer, c->used, "\r\n\r\n", 4);
  if (headers_end == NULL) return 0;
  size_t header_length = (size_t)(headers_end - c->buffer) + 4, content_length = 0;
  for (char *line = memchr(c->buffer, '\n', header_length); line != NULL && line < headers_end;
       line = memchr(line + 1, '\n', (size_t)(headers_end - line))) {
    if (strncasecmp(line + 1, "content-length:", 15) == 0) content_length = strtoul(line + 16, NULL, 10);
  }
  if (header_length + content_length > c->used) return 0;
  c->request_end = header_length + content_length;
  c->body_start = header_length;
  c->body_length = content_length;
  return 1;
}

// Parses the complete request's body with jansson (the receiver's flags) and
// copies its "id" into c->key; answers 400 and returns 0 when there is none.
static int take_key(connection *c) {
  json_error_t error;
  json_t *root = json_loadb(c->buffer + c->body_start, c->body_length, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &error);
  json_t *id = root ? json_object_get(root, "id") : NULL;
  if (!json_is_string(id) || json_string_length(id) >= sizeof c->key) {
    reply(c, "400 Bad Request", "{\"error\":\"not a JSON event with an id\"}");
    json_decref(root);
    return 0;
  }
  c->key_length = (int)json_string_length(id);
  memcpy(c->key, json_string_value(id), (size_t)c->key_length);
  json_decref(root);
  return 1;
}

static int use_log;
static ackstore store;
static acklog log_store;
static char metadata[420];  // the envelope hookpipe stores beside a 1 KiB event is ~420 bytes
static long long stored = 0, duplicates = 0, commits = 0;

// Stores the list in one transaction; marks each connection stored or not.
static void store_all(connection *list) {
  long long now = now_us();
  if (use_log) acklog_begin(&log_store); else ackstore_begin(&store);
  for (connection *c = list; c != NULL; c = c->next_pending) {
    const char *body = c->buffer + c->body_start;
    c->stored = use_log
      ? acklog_append(&log_store, "stripe", c->key, c->key_length, now, metadata, sizeof metadata, body, (int)c->body_length)
      : ackstore_append(&store, "stripe", c->key, c->key_length, now, metadata, sizeof metadata, body, (int)c->body_length);
  }
  if (use_log) acklog_commit(&log_store); else ackstore_commit(&store);
  commits++;
}

static void answer(connection *c) {
  if (c->stored) {
    stored++;
    reply(c, "200 OK", "{\"status\":\"stored\"}");
  } else {
    duplicates++;
    reply(c, "200 OK", "{\"status\":\"duplicate\"}");
  }
  c->pending = 0;
}

// --- threaded: reading threads and one writer --------------------------------

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_ready = PTHREAD_COND_INITIALIZER;
static connection *queued = NULL;        // complete requests waiting for the writer
static long long rejected_shared = 0;    // under queue_lock

static void arm(connection *c, int op) {
  struct epoll_event readable = {.events = EPOLLIN | EPOLLONESHOT, .data.ptr = c};
  epoll_ctl(c->poll, op, c->fd, &readable);
}

static void *reading_thread(void *argument) {
  int listener = *(int *)argument, on = 1;
  pthread_setname_np(pthread_self(), "reader");
  int poll = epoll_create1(0);
  // Every reading thread waits on the listener; EPOLLEXCLUSIVE wakes one of them (not all)
  // when connections arrive, and that one accepts all that are waiting.
  struct epoll_event interest = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = NULL};
  epoll_ctl(poll, EPOLL_CTL_ADD, listener, &interest);
  struct epoll_event ready[MAX_EVENTS];
  long long rejected = 0;
  while (!stopping) {
    int count = epoll_wait(poll, ready, MAX_EVENTS, 200);
    connection *complete = NULL, *last = NULL;
    for (int i = 0; i < count; i++) {
      connection *c = ready[i].data.ptr;
      if (c == NULL) {
        int fd;
        while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
          connection *fresh = calloc(1, sizeof *fresh);
          fresh->fd = fd;
          fresh->poll = poll;
          arm(fresh, EPOLL_CTL_ADD);
        }
        continue;
      }
      ssize_t got = read(c->fd, c->buffer + c->used, BUFFER - c->used);
      if (got == 0 || (got < 0 && errno != EAGAIN)) {
        close(c->fd);  // also leaves the epoll set
        free(c);
        continue;
      }
      if (got > 0) c->used += (size_t)got;
      if (!complete_request(c)) { arm(c, EPOLL_CTL_MOD); continue; }
      if (!take_key(c)) { rejected++; arm(c, EPOLL_CTL_MOD); continue; }
      c->pending = 1;
      c->next_pending = NULL;
      if (last) last->next_pending = c; else complete = c;
      last = c;
    }
    if (complete == NULL) continue;
    // One lock and at most one wake-up of the writer per turn, however many requests.
    pthread_mutex_lock(&queue_lock);
    int was_empty = queued == NULL;
    last->next_pending = queued;
    queued = complete;
    rejected_shared += rejected;
    rejected = 0;
    if (was_empty) pthread_cond_signal(&queue_ready);
    pthread_mutex_unlock(&queue_lock);
  }
  pthread_mutex_lock(&queue_lock);
  rejected_shared += rejected;
  pthread_mutex_unlock(&queue_lock);
  return NULL;
}

// The writer: everything queued goes into one transaction; it answers each
// request itself after COMMIT and re-arms the connection for its reader.
static void writer_loop(void) {
  while (1) {
    pthread_mutex_lock(&queue_lock);
    while (queued == NULL && !stopping) {
      struct timespec until;
      clock_gettime(CLOCK_REALTIME, &until);
      until.tv_nsec += 200000000;
      if (until.tv_nsec >= 1000000000) { until.tv_sec++; until.tv_nsec -= 1000000000; }
      pthread_cond_timedwait(&queue_ready, &queue_lock, &until);
    }
    connection *batch = queued;
    queued = NULL;
    pthread_mutex_unlock(&queue_lock);
    if (batch == NULL) return;  // stopping, nothing left
    store_all(batch);
    for (connection *c = batch, *next; c != NULL; c = next) {
      next = c->next_pending;
      answer(c);
      arm(c, EPOLL_CTL_MOD);
    }
  }
}

int main(int argc, char **argv) {
  int threaded = 0, bad = argc < 3;
  for (int i = 3; i < argc; i++) {
    if (strcmp(argv[i], "log") == 0) use_log = 1;
    else if (strcmp(argv[i], "threaded") == 0) threaded = 1;
    else if (strcmp(argv[i], "sqlite") != 0) bad = 1;
  }
  if (bad) {
    fprintf(stderr, "usage: ackserver PORT DIRECTORY [sqlite|log] [threaded]\n");
    return 2;
  }
  if (use_log) acklog_open(&log_store, argv[2], "ackserver.log"); else ackstore_open(&store, argv[2], "ackserver.sqlite");
  memset(metadata, 'm', sizeof metadata);

  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), on = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ackstore_must(bind(listener, (struct sockaddr *)&address, sizeof address) == 0, "bind", NULL);
  ackstore_must(listen(listener, 1024) == 0, "listen", NULL);
  // The handler is installed without SA_RESTART, so a signal ends every blocking wait.
  struct sigaction on_stop = {.sa_handler = stop};
  sigaction(SIGTERM, &on_stop, NULL);
  sigaction(SIGINT, &on_stop, NULL);
  signal(SIGPIPE, SIG_IGN);

  if (threaded) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int readers = cores > 0 ? (int)cores : 1;
    pthread_t threads[64];
    if (readers > 64) readers = 64;
    for (int i = 0; i < readers; i++) pthread_create(&threads[i], NULL, reading_thread, &listener);
    pthread_setname_np(pthread_self(), "writer");
    writer_loop();
    for (int i = 0; i < readers; i++) pthread_join(threads[i], NULL);
    if (use_log) acklog_close(&log_store); else ackstore_close(&store);
    printf("{\"store\": \"%s\", \"threads\": %d, \"stored\": %lld, \"duplicates\": %lld, \"rejected\": %lld, \"commits\": %lld}\n",
           use_log ? "log" : "sqlite", readers + 1, stored, duplicates, rejected_shared, commits);
    return 0;
  }

  int poll = epoll_create1(0);
  struct epoll_event interest = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(poll, EPOLL_CTL_ADD, listener, &interest);
  long long rejected = 0;
  struct epoll_event ready[MAX_EVENTS];
  while (!stopping) {
    int count = epoll_wait(poll, ready, MAX_EVENTS, 200);
    connection *pending = NULL;
    for (int i = 0; i < count; i++) {
      connection *c = ready[i].data.ptr;
      if (c == NULL) {  // the listener
        int fd;
        while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
          connection *fresh = calloc(1, sizeof *fresh);
          fresh->fd = fd;
          struct epoll_event readable = {.events = EPOLLIN, .data.ptr = fresh};
          epoll_ctl(poll, EPOLL_CTL_ADD, fd, &readable);
        }
        continue;
      }
      if (c->pending) continue;
      ssize_t got = read(c->fd, c->buffer + c->used, BUFFER - c->used);
      if (got == 0 || (got < 0 && errno != EAGAIN)) {  // closed, failed, or a request larger than the buffer
        close(c->fd);
        free(c);
        continue;
      }
      if (got > 0) c->used += (size_t)got;
      if (!complete_request(c)) continue;
      if (!take_key(c)) {
        rejected++;
        continue;
      }
      c->pending = 1;
      c->next_pending = pending;
      pending = c;
    }
    if (pending == NULL) continue;
    store_all(pending);
    for (connection *c = pending, *next; c != NULL; c = next) {
      next = c->next_pending;
      answer(c);
    }
  }
  if (use_log) acklog_close(&log_store); else ackstore_close(&store);
  printf("{\"store\": \"%s\", \"threads\": 1, \"stored\": %lld, \"duplicates\": %lld, \"rejected\": %lld, \"commits\": %lld}\n",
         use_log ? "log" : "sqlite", stored, duplicates, rejected, commits);
  return 0;
}
