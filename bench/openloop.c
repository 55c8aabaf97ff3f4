// Open-loop HTTP/1.1 load generator for bench/run.sh.
//
// wrk is closed-loop: a slow answer delays the next request, so the server
// sets the pace and queueing delay never shows up in its latencies. Here
// request i is due at start + i / RATE whether or not earlier answers came
// back; its latency is counted from that due time (not from when a
// connection was free to send it), so a server that falls behind is charged
// for the wait. Requests are precomputed raw HTTP requests (make_requests.py
// --raw), each sent once, over up to CONNS keep-alive connections to
// 127.0.0.1.
//
//   openloop PORT RATE SECONDS CONNS REQUESTS [ACKLOG]
//
// Prints one JSON object: offered rate, counts, achieved 2xx/s (over the
// offered window, or until the last answer if that came later) and latency
// percentiles in microseconds. With ACKLOG, writes the index of every
// request answered 2xx, one per line (the durability check compares them
// with what each server processed). Bounded: stops sending at SECONDS and
// gives outstanding requests 3 more seconds before counting them unanswered.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int fd;
    int busy;              // a request is outstanding
    long request;          // its index
    size_t sent;           // bytes of it written
    char in[8193];         // one spare byte keeps it NUL-terminated for the header scan
    size_t have;
} Conn;

static const char **req_data;
static size_t *req_len;
static long req_count;
static int port;
static int epfd;
static double *lat;        // microseconds, per completed request
static long done, ok, non2xx, errors;
static FILE *acklog;
static double t0, interval;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) { perror(what); exit(2); }

// REQUESTS file: records "<length>\n<bytes>".
static void load(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) die(path);
    struct stat st;
    if (fstat(fd, &st) < 0) die("fstat");
    char *map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) die("mmap");
    size_t cap = 1024, pos = 0;
    req_data = malloc(cap * sizeof *req_data);
    req_len = malloc(cap * sizeof *req_len);
    while (pos < (size_t)st.st_size) {
        char *end;
        size_t n = strtoul(map + pos, &end, 10);
        if (*end != '\n') { fprintf(stderr, "%s: bad record at %zu\n", path, pos); exit(2); }
        if (req_count == (long)cap) {
            cap *= 2;
            req_data = realloc(req_data, cap * sizeof *req_data);
            req_len = realloc(req_len, cap * sizeof *req_len);
        }
        req_data[req_count] = end + 1;
        req_len[req_count++] = n;
        pos = (size_t)(end + 1 - map) + n;
    }
}

static void conn_open(Conn *c) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) die("socket");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(c->fd, (struct sockaddr *)&a, sizeof a);  // EINPROGRESS; errors show up on first write/read
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
    c->busy = 0;
    c->have = 0;
}

static void conn_reset(Conn *c) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    conn_open(c);
}

static void finish(Conn *c, int status) {
    double latency = (now_s() - (t0 + c->request * interval)) * 1e6;
    lat[done++] = latency;
    if (status >= 200 && status < 300) {
        ok++;
        if (acklog) fprintf(acklog, "%ld\n", c->request);
    } else {
        non2xx++;
    }
    c->busy = 0;
}

static void fail(Conn *c) {
    if (c->busy) errors++;
    conn_reset(c);
}

static void pump_write(Conn *c) {
    while (c->sent < req_len[c->request]) {
        ssize_t n = write(c->fd, req_data[c->request] + c->sent, req_len[c->request] - c->sent);
        if (n > 0) { c->sent += n; continue; }
        if (n < 0 && (errno == EAGAIN || errno == ENOTCONN)) {
            struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.ptr = c};
            epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
            return;
        }
        if (n < 0 && errno == EINTR) continue;
        fail(c);
        return;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void start_request(Conn *c, long i) {
    c->busy = 1;
    c->request = i;
    c->sent = 0;
    pump_write(c);
}

// Parses complete responses out of c->in. Returns 0 when more bytes are needed.
static int parse_one(Conn *c) {
    char *head_end = memmem(c->in, c->have, "\r\n\r\n", 4);
    if (!head_end) return 0;
    size_t head = head_end + 4 - c->in;
    int status = 0;
    if (c->have < 12 || sscanf(c->in, "HTTP/1.%*d %d", &status) != 1) return -1;
    long length = 0;
    int chunked = 0, closing = 0;
    for (char *line = strstr(c->in, "\r\n") + 2; line < head_end; line = strstr(line, "\r\n") + 2) {
        char field[256];
        size_t n = strstr(line, "\r\n") - line;
        if (n >= sizeof field) continue;
        memcpy(field, line, n);
        field[n] = 0;
        if (strncasecmp(field, "Content-Length:", 15) == 0) length = strtol(field + 15, NULL, 10);
        else if (strncasecmp(field, "Transfer-Encoding:", 18) == 0 && strcasestr(field, "chunked")) chunked = 1;
        else if (strncasecmp(field, "Connection:", 11) == 0 && strcasestr(field, "close")) closing = 1;
    }
    size_t total = head + length;
    if (chunked) {  // walk chunk sizes until the 0-size chunk and its CRLF
        size_t pos = head;
        for (;;) {
            char *eol = memmem(c->in + pos, c->have - pos, "\r\n", 2);
            if (!eol) return 0;
            long size = strtol(c->in + pos, NULL, 16);
            pos = eol + 2 - c->in + size + 2;
            if (pos > c->have) return 0;
            if (size == 0) break;
        }
        total = pos;
    }
    if (c->have < total) return 0;
    memmove(c->in, c->in + total, c->have - total);
    c->have -= total;
    c->in[c->have] = 0;
    if (c->busy) finish(c, status);
    if (closing) conn_reset(c);
    return 1;
}

static void on_readable(Conn *c) {
    for (;;) {
        if (c->have == sizeof c->in - 1) { fail(c); return; }
        ssize_t n = read(c->fd, c->in + c->have, sizeof c->in - 1 - c->have);
        if (n > 0) {
            c->have += n;
            c->in[c->have] = 0;
            int r;
            while ((r = parse_one(c)) == 1) {}
            if (r < 0) { fail(c); return; }
            continue;
        }
        if (n < 0 && errno == EAGAIN) return;
        if (n < 0 && errno == EINTR) continue;
        fail(c);  // EOF or error
        return;
    }
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double p) {
    if (done == 0) return 0;
    long i = (long)(p * done);
    if (i >= done) i = done - 1;
    return lat[i];
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: openloop PORT RATE SECONDS CONNS REQUESTS [ACKLOG]\n");
        return 2;
    }
    port = atoi(argv[1]);
    double rate = atof(argv[2]), seconds = atof(argv[3]);
    int nconns = atoi(argv[4]);
    load(argv[5]);
    if (argc > 6 && !(acklog = fopen(argv[6], "w"))) die(argv[6]);
    long total = (long)(rate * seconds);
    if (total > req_count) {
        fprintf(stderr, "openloop: %ld requests needed, %s has %ld\n", total, argv[5], req_count);
        return 2;
    }
    lat = malloc((total + 1) * sizeof *lat);
    epfd = epoll_create1(0);
    Conn *conns = calloc(nconns, sizeof *conns);
    for (int i = 0; i < nconns; i++) conn_open(&conns[i]);
    interval = 1.0 / rate;
    long next = 0, queued_from = 0;  // requests [queued_from, next) are due and not yet started
    t0 = now_s() + 0.05;             // let the connections be established
    double stop = t0 + seconds, deadline = stop + 3.0;
    struct epoll_event events[256];
    for (;;) {
        double now = now_s();
        while (next < total && t0 + next * interval <= now) next++;
        for (int i = 0; i < nconns && queued_from < next; i++)
            if (!conns[i].busy) start_request(&conns[i], queued_from++);
        int outstanding = 0;
        for (int i = 0; i < nconns; i++) outstanding += conns[i].busy;
        if ((next == total && queued_from == next && outstanding == 0) || now >= deadline) break;
        double wake = next < total ? t0 + next * interval : deadline;
        if (wake > deadline) wake = deadline;
        double wait = wake - now;
        if (wait < 0) wait = 0;
        if (queued_from < next && outstanding == nconns) wait = deadline - now;  // only a completion helps
        struct timespec ts = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
        int n = epoll_pwait2(epfd, events, 256, &ts, NULL);
        for (int k = 0; k < n; k++) {
            Conn *c = events[k].data.ptr;
            if (events[k].events & EPOLLOUT && c->busy) pump_write(c);
            if (events[k].events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) on_readable(c);
        }
    }
    double elapsed = now_s() - t0;
    long outstanding = 0;
    for (int i = 0; i < nconns; i++) outstanding += conns[i].busy;
    long unsent = total - queued_from;
    if (acklog) fclose(acklog);
    qsort(lat, done, sizeof *lat, cmp);
    printf("{\"offered\": %.0f, \"seconds\": %.3f, \"due\": %ld, \"answered\": %ld, \"ok\": %ld, \"non2xx\": %ld, "
           "\"errors\": %ld, \"unanswered\": %ld, \"unsent\": %ld, \"achieved\": %.1f, "
           "\"p50\": %.1f, \"p90\": %.1f, \"p99\": %.1f, \"p999\": %.1f, \"max\": %.1f, \"elapsed\": %.3f}\n",
           rate, seconds, total, done, ok, non2xx, errors, outstanding, unsent, ok / (elapsed > seconds ? elapsed : seconds),
           pct(0.5), pct(0.9), pct(0.99), pct(0.999), done ? lat[done - 1] : 0, elapsed);
    return 0;
}
