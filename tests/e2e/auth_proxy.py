#!/usr/bin/env python3
"""A registry front door for tests: demands a login, then forwards to ferryd.

  auth_proxy.py PORT UPSTREAM MODE USER PASSWORD [CERT KEY]

MODE none:   no login at all (with CERT and KEY: a plain TLS front door).

MODE basic:  /v2/ requests need `Authorization: Basic` with USER:PASSWORD.
MODE bearer: they need `Authorization: Bearer <token>`; 401 answers carry
             `WWW-Authenticate: Bearer realm=".../token",service=...,scope=...`
             and GET /token, with Basic USER:PASSWORD, hands out the token
             (as Docker Hub's flow does).
Responses stream through; blob bytes are never held whole.
"""
import base64
import http.client
import http.server
import json
import ssl
import sys

port, upstream, mode, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
cert = sys.argv[6:8]
basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
TOKEN = "t0ken-for-tests"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def deny(self, challenge):
        self.send_response(401)
        self.send_header("WWW-Authenticate", challenge)
        self.send_header("Content-Type", "application/json")
        body = b'{"errors":[{"code":"UNAUTHORIZED","message":"log in"}]}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":  # a HEAD reply carries no body
            self.wfile.write(body)

    def do_GET(self):
        self.handle_any("GET")

    def do_HEAD(self):
        self.handle_any("HEAD")

    def do_POST(self):
        self.handle_any("POST")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def do_PUT(self):
        self.handle_any("PUT")

    def handle_any(self, method):
        auth = self.headers.get("Authorization", "")
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(length) if length else None
        if self.path.startswith("/token"):
            if auth != basic:
                return self.deny('Basic realm="tokens"')
            body = json.dumps({"token": TOKEN}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if mode == "basic" and auth != basic:
            return self.deny('Basic realm="registry"')
        if mode == "bearer" and auth != "Bearer " + TOKEN:
            realm = f"http://127.0.0.1:{port}/token"
            scope = "repository:x:pull" if method in ("GET", "HEAD") else "repository:x:pull,push"
            return self.deny(f'Bearer realm="{realm}",service="test-registry",scope="{scope}"')
        conn = http.client.HTTPConnection(upstream)
        keep = ("accept", "range", "content-type", "content-range")
        headers = {k: v for k, v in self.headers.items() if k.lower() in keep}
        if body is not None or method in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = str(length)
        conn.request(method, self.path, body=body, headers=headers)
        r = conn.getresponse()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() in ("content-type", "content-length", "docker-content-digest", "location", "range", "docker-upload-uuid"):
                self.send_header(k, v)
        self.end_headers()
        if method == "HEAD":
            conn.close()
            return
        while True:
            chunk = r.read(1 << 16)
            if not chunk:
                break
            self.wfile.write(chunk)
        conn.close()


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
if cert:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert[0], cert[1])
    server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
