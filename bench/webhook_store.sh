#!/bin/sh
# adnanh/webhook's command in bench/run.sh: the "processing" of one event.
# Appends the raw body (argument 2) as one line to FILE (argument 1), then
# fsyncs FILE (coreutils `sync FILE` calls fsync on it). In webhook's durable
# mode the 200 waits for this to finish; in its default mode it runs after
# the 200 was sent.
printf '%s\n' "$2" >> "$1" && exec sync "$1"
