#!/usr/bin/env python3
"""A static HTTP server for sync tests, bound to 127.0.0.1, that can inject faults.

usage: channel_server.py ROOT [--faults FILE] [--log FILE] [--latency SECONDS]

Prints "PORT <n>" on stdout once it listens. It re-reads FILE (JSON) on every request, so a
test can change faults while the server runs:
    [{"path": "objects/*", "fault": "truncate", "times": 1}, ...]
faults: truncate (send half the body, then close), corrupt (flip one byte), 404, 500,
stall (send headers and a few bytes, then wait 30 s), reset (close the connection mid-body),
oversize (append extra bytes beyond the file), endless (no Content-Length, 64 KiB writes until
the client hangs up), cookie (answer normally with a Set-Cookie header), delay (wait "seconds", default 0.05, before
answering), slow (send the body in "chunks" pieces, default 4, "seconds" apart, default 0.05),
drip (send the body one byte every "seconds", default 0.2: never stalls, never ends soon),
hang (answer status "code", default 404, with a Content-Length but no body, and hold the
connection for 30 s), redirect (answer "code", default 302, with Location "location"),
ignore-range (answer a Range request with the whole file, as a host without Range support does).
Paths under alias/ serve the same files as the root (a same-origin redirect target).
"times" counts requests to spoil (-1: always).
Every request line and its headers are appended to the log (JSON lines) for privacy checks,
and, once answered, the status and the body bytes sent. --latency adds that many seconds before
every answer (a slow link's round trip, for benchmarks). The client's port tells connections apart. Range requests: "bytes=A-", "bytes=A-B"
and "bytes=-N" (the last N bytes), answered 206 with Content-Range, or 416.
The server stops by itself after 600 s so a crashed test never leaves it behind.
"""
import argparse, fnmatch, http.server, json, os, socket, sys, threading, time

parser = argparse.ArgumentParser()
parser.add_argument("root")
parser.add_argument("--faults")
parser.add_argument("--log")
parser.add_argument("--lifetime", type=float, default=600)
parser.add_argument("--latency", type=float, default=0)
args = parser.parse_args()
root = os.path.abspath(args.root)
lock = threading.Lock()
used = {}


def pick_fault(path):
    if not args.faults or not os.path.exists(args.faults):
        return None
    try:
        with open(args.faults) as f:
            rules = json.load(f)
    except (OSError, ValueError):
        return None
    with lock:
        for n, rule in enumerate(rules):
            if fnmatch.fnmatch(path, rule.get("path", "*")):
                times = rule.get("times", -1)
                key = (n, json.dumps(rule, sort_keys=True))
                if times >= 0 and used.get(key, 0) >= times:
                    continue
                used[key] = used.get(key, 0) + 1
                return rule
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle's algorithm and delayed
    # ACKs add 40 ms to every response on loopback.
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def do_GET(self):
        self.sent = 0
        self.status = 0
        if args.latency:
            time.sleep(args.latency)
        if args.log:
            with lock, open(args.log, "a") as f:
                f.write(json.dumps({"method": "GET", "path": self.path, "headers": dict(self.headers),
                                    "client_port": self.client_address[1]}) + "\n")
        try:
            self.answer()
        finally:
            if args.log:
                with lock, open(args.log, "a") as f:
                    f.write(json.dumps({"answered": self.path, "status": self.status, "bytes": self.sent}) + "\n")

    def send_response(self, code, message=None):
        self.status = code
        super().send_response(code, message)

    def send_body(self, data):
        self.wfile.write(data)
        self.sent += len(data)

    def answer(self):
        rel = self.path.lstrip("/")
        rule = pick_fault(rel) or {}
        fault = rule.get("fault")
        if fault == "delay":
            time.sleep(float(rule.get("seconds", 0.05)))
        if fault == "hang":
            self.send_response(int(rule.get("code", 404)))
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.flush()
            time.sleep(30)
            self.close_connection = True
            return
        if fault == "redirect":
            self.send_response(int(rule.get("code", 302)))
            self.send_header("Location", rule["location"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if rel.startswith("alias/"):
            rel = rel[len("alias/"):]
        full = os.path.realpath(os.path.join(root, rel))
        if fault in ("404", "500"):
            code = int(fault)
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not full.startswith(root + os.sep) or not os.path.isfile(full) or "?" in rel:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(full, "rb") as f:
            body = f.read()
        start, end = 0, len(body)
        rng = self.headers.get("Range")
        ranged = False
        if rng and rng.startswith("bytes=") and "-" in rng and "," not in rng and fault != "ignore-range":
            first, last = rng[6:].split("-", 1)
            if first == "":
                start = max(0, len(body) - int(last))
            else:
                start = int(first)
                if last != "":
                    end = min(len(body), int(last) + 1)
            ranged = True
            if start >= len(body) or start >= end:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        payload = body[start:end]
        if fault == "endless":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            chunk = b"X" * 65536
            try:
                while True:
                    self.send_body(chunk)
            except OSError:
                pass
            return
        if fault == "oversize":
            payload = payload + b"X" * 4096
        self.send_response(206 if ranged else 200)
        if ranged:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{len(body)}")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Content-Type", "application/octet-stream")
        if fault == "cookie":
            self.send_header("Set-Cookie", "device=tracked-123; Path=/")
        self.end_headers()
        if fault == "truncate" or fault == "reset":
            self.send_body(payload[: len(payload) // 2])
            self.wfile.flush()
            if fault == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.close_connection = True
            self.connection.close()
            return
        if fault == "corrupt" and payload:
            mid = len(payload) // 2
            payload = payload[:mid] + bytes([payload[mid] ^ 0xFF]) + payload[mid + 1:]
        if fault == "stall":
            self.send_body(payload[:8])
            self.wfile.flush()
            time.sleep(30)
            self.close_connection = True
            return
        if fault == "drip":
            try:
                for i in range(len(payload)):
                    self.send_body(payload[i:i + 1])
                    self.wfile.flush()
                    time.sleep(float(rule.get("seconds", 0.2)))
            except OSError:
                pass
            return
        if fault == "slow":
            chunks = max(1, int(rule.get("chunks", 4)))
            step = -(-len(payload) // chunks) or 1
            for i in range(0, len(payload), step):
                if i:
                    time.sleep(float(rule.get("seconds", 0.05)))
                self.send_body(payload[i:i + step])
                self.wfile.flush()
            return
        self.send_body(payload)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Timer(args.lifetime, lambda: os._exit(0)).start()
print(f"PORT {server.server_address[1]}", flush=True)
server.serve_forever()
