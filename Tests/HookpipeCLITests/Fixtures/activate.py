#!/usr/bin/env python3
"""Test fixture: does what systemd's socket activation does. Opens a listening
TCP socket on 127.0.0.1 (port chosen by the kernel), prints the port, places
the socket at fd 3, sets LISTEN_FDS/LISTEN_FDNAMES and LISTEN_PID (the pid
that exec keeps), then execs `hookpipe run --config CONFIG`."""
import os, socket, sys

binary, config = sys.argv[1], sys.argv[2]
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(128)
print(listener.getsockname()[1], flush=True)
os.dup2(listener.fileno(), 3)
os.set_inheritable(3, True)
env = dict(os.environ, LISTEN_FDS="1", LISTEN_FDNAMES="http", LISTEN_PID=str(os.getpid()))
os.execve(binary, [binary, "run", "--config", config], env)
