#!/bin/sh
# Test fixture: writes a line that is not JSON before every event.
while IFS= read -r line; do
  printf 'this is not json {\n%s\n' "$line"
done
