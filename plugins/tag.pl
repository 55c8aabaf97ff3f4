#!/usr/bin/env perl
# tag.pl — Perl (core JSON::PP only): adds "tags" from the environment
# variable TAGS (comma-separated, set it with the stage's `environment`) and
# counts the hop. Keeps "seq".
#   [[stage]] command = ["perl", "plugins/tag.pl"]  environment = { TAGS = "billing,eu" }
use strict;
use warnings;
use JSON::PP;

$| = 1;
my $json = JSON::PP->new->utf8->canonical(0);
my @tags = grep { length } split /,/, ($ENV{TAGS} // "");
while (my $line = <STDIN>) {
    my $event = eval { $json->decode($line) };
    if (!$event) { print STDERR "tag: skipping a line that is not JSON\n"; next; }
    $event->{tags} = \@tags;
    $event->{hops} = ($event->{hops} // 0) + 1;
    print $json->encode($event), "\n";
}
