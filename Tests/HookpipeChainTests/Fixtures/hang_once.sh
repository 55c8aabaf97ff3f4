#!/bin/sh
# Test fixture: the first process hangs forever (reading nothing); later ones pass lines on.
if [ ! -e "$1" ]; then
  : > "$1"
  sleep 1000
fi
exec cat
