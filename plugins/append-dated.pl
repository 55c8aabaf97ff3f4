#!/usr/bin/env perl
# append-dated.pl — Perl (core modules only): appends every event, byte for
# byte, to <APPEND_DIR>/<YYYY-MM-DD>.ndjson, the date being the first ten
# characters of `received_at` (events without a usable date go to
# undated.ndjson), and passes the line on unchanged. Keeps "seq" and "mark".
#
# Durability: lines are handled in batches (whatever one read from stdin
# returned); the files written in a batch are fsync'd — and the directory too
# when a file was created — before any line of that batch is passed on. So
# once an event leaves this stage it is on disk, and the chain may settle it.
# A crash before that re-feeds the batch: a line can then appear twice in the
# file (at-least-once), never go missing. A write or fsync error ends the stage
# with status 1 (the supervisor restarts it and re-feeds the events).
# A crash in the middle of a write can leave a file ending in part of a line;
# when a file is opened it is cut back to just after its last newline (those
# bytes were never passed on, so their event is fed again), with a message on
# stderr, so a reader of the archive only ever sees whole lines.
# A line that is not a JSON object is skipped with a message on stderr.
#
# Environment:
#   APPEND_DIR  required; the directory (created if missing)
#
#   [[stage]]
#   name = "archive"
#   command = ["perl", "plugins/append-dated.pl"]
#   environment = { APPEND_DIR = "state/archive" }
use strict;
use warnings;
use Fcntl qw(O_RDONLY);
use File::Path qw(make_path);
use IO::Handle;
use JSON::PP;

my $dir = $ENV{APPEND_DIR} // '';
if ($dir eq '') { print STDERR "append-dated: APPEND_DIR is not set\n"; exit 2; }
eval { make_path($dir); 1 } or do { print STDERR "append-dated: cannot create $dir: $@"; exit 1; };
-d $dir or do { print STDERR "append-dated: $dir is not a directory\n"; exit 1; };

STDOUT->autoflush(0);
binmode STDIN;
binmode STDOUT;
my $json = JSON::PP->new->utf8;
my %files;          # date => handle, kept open
my $line_number = 0;

sub fail { print STDERR "append-dated: $_[0]: $!\n"; exit 1; }

sub handle_for {
    my ($date) = @_;
    return ($files{$date}, 0) if $files{$date};
    my $path = "$dir/$date.ndjson";
    my $created = !-e $path;
    open(my $fh, '>>:raw', $path) or fail("open $path");
    cut_torn_tail($fh, $path) if !$created;
    %files = () if keys %files > 8;    # a long run spans many days: close old ones
    $files{$date} = $fh;
    return ($fh, $created);
}

# Cuts `$path` (open as `$fh`) back to just after its last newline, and syncs
# the cut, when it ends in part of a line; the rest was never passed on.
sub cut_torn_tail {
    my ($fh, $path) = @_;
    my $size = -s $fh;
    return if !$size;
    open(my $in, '<:raw', $path) or fail("open $path");
    my ($keep, $end) = (0, $size);
    while ($end > 0) {
        my $start = $end > 65536 ? $end - 65536 : 0;
        sysseek($in, $start, 0) or fail("seek $path");
        my $got = sysread($in, my $block, $end - $start);
        defined $got && $got == $end - $start or fail("read $path");
        my $newline = rindex($block, "\n");
        if ($newline >= 0) { $keep = $start + $newline + 1; last; }
        $end = $start;
    }
    close $in;
    return if $keep == $size;
    truncate($fh, $keep) or fail("truncate $path");
    $fh->sync or fail("fsync $path");
    print STDERR "append-dated: $path ended in a partial line (a write cut short by a crash); cut "
        . ($size - $keep) . " bytes after its last newline; that event is fed again\n";
}

sub sync_dir {
    sysopen(my $dh, $dir, O_RDONLY) or fail("open $dir");
    $dh->sync or fail("fsync $dir");    # not every file system syncs directories
    close $dh;
}

my $pending = '';
while (1) {
    my $read = sysread(STDIN, my $chunk, 65536);
    if (!defined $read) { next if $!{EINTR}; fail('read stdin'); }
    $pending .= $chunk if $read;
    $pending .= "\n" if !$read && length $pending && substr($pending, -1) ne "\n";
    my (@out, %touched, $created);
    while ((my $end = index($pending, "\n")) >= 0) {
        my $line = substr($pending, 0, $end + 1, '');
        $line_number++;
        my $event = eval { $json->decode($line) };
        if (ref $event ne 'HASH') {
            print STDERR "append-dated: skipping line $line_number, not a JSON object\n";
            next;
        }
        my $at = $event->{received_at};
        my $date = (defined $at && !ref $at && $at =~ /^(\d{4}-\d{2}-\d{2})/) ? $1 : 'undated';
        my ($fh, $new) = handle_for($date);
        $created ||= $new;
        print {$fh} $line or fail("write $dir/$date.ndjson");
        $touched{$date} = $fh;
        push @out, $line;
    }
    for my $date (sort keys %touched) {
        $touched{$date}->flush or fail("write $dir/$date.ndjson");
        $touched{$date}->sync or fail("fsync $dir/$date.ndjson");
    }
    sync_dir() if $created;
    if (@out) {
        print STDOUT @out;
        STDOUT->flush;
    }
    last if !$read;
}
