#!/usr/bin/env python3
"""Serves a built static site (the playground's dist/) the way a static host would: each file
from its precompressed sibling (`.br`, else `.gz`, written by build-playground.sh) when the
browser accepts that encoding, with the original's Content-Type and `Vary: Accept-Encoding`.
Standard library only. `serve.py [--port N] [--bind ADDR] [--directory DIR]`."""
import argparse
import functools
import http.server
import os

ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


class PrecompressedHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm", ".js": "text/javascript"}

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        accepted = {e.split(";")[0].strip() for e in self.headers.get("Accept-Encoding", "").split(",")}
        for encoding, suffix in ENCODINGS:
            if encoding in accepted and os.path.isfile(path + suffix) and os.path.isfile(path):
                return self.send_file(path + suffix, self.guess_type(path), encoding)
        return super().send_head()

    def send_file(self, path, content_type, encoding):
        f = open(path, "rb")
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(os.fstat(f.fileno()).st_size))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return f

    def end_headers(self):
        # The page's files carry a content hash in their query string; index.html is revalidated.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--directory", default="dist")
    args = parser.parse_args()
    handler = functools.partial(PrecompressedHandler, directory=args.directory)
    with http.server.ThreadingHTTPServer((args.bind, args.port), handler) as server:
        print(f"serving {args.directory}/ on http://{args.bind}:{args.port}/ (precompressed .br/.gz when accepted)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
