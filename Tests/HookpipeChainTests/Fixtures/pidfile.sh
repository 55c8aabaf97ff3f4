#!/bin/sh
# Test fixture: records its pid in $1, then passes lines on (same pid).
echo $$ > "$1"
exec cat
