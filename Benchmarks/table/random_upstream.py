#!/usr/bin/env python3
"""64 KiB of fresh random bytes per request, for Benchmarks/table/run.sh's bytes-on-disk row.

  random_upstream.py serve PORT_FILE   serve on 127.0.0.1 (the port written to PORT_FILE), until killed
  random_upstream.py fetch URL N       GET URL/random/0 .. N-1 on one keep-alive connection, checking each length
"""
import http.client
import http.server
import os
import sys
import urllib.parse

SIZE = 65536


class Random(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = os.urandom(SIZE)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(port_file):
    server = http.server.HTTPServer(("127.0.0.1", 0), Random)
    with open(port_file + ".tmp", "w") as file:
        file.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


def fetch(url, count):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port)
    for number in range(count):
        connection.request("GET", "/random/%d" % number)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200 or len(body) != SIZE:
            sys.exit("request %d: status %d, %d bytes" % (number, response.status, len(body)))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        fetch(sys.argv[2], int(sys.argv[3]))
