#!/usr/bin/env perl
# tag.pl — Perl (core JSON::PP only): adds "tags" from the environment
# variable TAGS (comma-separated, set it with the stage's `environment`) and
# counts the hop ("hops"). Keeps "seq" and "mark", and keeps the line as it came, like
# normalize.py: every member byte for byte and in its order, "tags" and
# "hops" replaced where the line has them and appended where it does not
# (decoding into a Perl hash and encoding it again would reorder the keys
# and re-serialise numbers). A line that is not a JSON object is skipped
# with a message on stderr.
#   [[stage]] command = ["perl", "plugins/tag.pl"]  environment = { TAGS = "billing,eu" }
use strict;
use warnings;
use JSON::PP;

$| = 1;
binmode STDIN;
binmode STDOUT;
my $json = JSON::PP->new->utf8->allow_nonref;
my @tags = grep { length } split /,/, ($ENV{TAGS} // "");

# The top-level members of an object's text: [key, offset, length] each, in
# order; undef when the text is not one JSON object.
sub members {
    my ($text) = @_;
    my @members;
    $text =~ /\G\s*\{\s*/gc or return undef;
    return \@members if $text =~ /\G\}\s*\z/gc;
    while (1) {
        my $start = pos($text);
        $text =~ /\G("(?:[^"\\]|\\.)*")\s*:\s*/gcs or return undef;
        my $key = eval { $json->decode($1) } // return undef;
        my $value = pos($text);
        my (undef, $used) = eval { $json->decode_prefix(substr($text, $value)) } or return undef;
        push @members, [$key, $start, $value + $used - $start];
        pos($text) = $value + $used;
        next if $text =~ /\G\s*,\s*/gc;
        return $text =~ /\G\s*\}\s*\z/gc ? \@members : undef;
    }
}

while (my $line = <STDIN>) {
    (my $text = $line) =~ s/\r?\n\z//;
    my $event = eval { $json->decode($text) };
    my $members = ref $event eq 'HASH' ? members($text) : undef;
    if (!$members) { print STDERR "tag: skipping a line that is not a JSON object\n"; next; }
    my $hops = $event->{hops};
    my %set = (tags => $json->encode(\@tags),
               hops => $json->encode((defined $hops && !ref $hops ? $hops : 0) + 1));
    # Replace from the last member back, so earlier offsets stay valid.
    for my $member (reverse @$members) {
        my ($key, $offset, $length) = @$member;
        next unless exists $set{$key};
        substr($text, $offset, $length) = $json->encode($key) . ':' . $set{$key};
        $set{$key} = undef;
    }
    my @appended = map { $json->encode($_) . ':' . $set{$_} } grep { defined $set{$_} } qw(tags hops);
    if (@appended) {
        $text =~ s/\s*\}\s*\z//;
        $text .= (@$members ? ',' : '') . join(',', @appended) . '}';
    }
    print $text, "\n";
}
