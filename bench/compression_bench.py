"""Bytes sent, with and without compression: the heaviest pages and the static files.

    .venv/bin/python bench/compression_bench.py --base http://127.0.0.1:8765 --proxy-header

Signs in as the first bench user of `bench/load_bench.py setup` (password, then the
TOTP code), fetches each candidate page once without `Accept-Encoding` (what every page
cost before compression) and once with `gzip, br` (what a browser gets now), and prints
the five heaviest pages and the static files a page loads, in bytes on the wire. Against
the production server, static files come precompressed (brotli where the browser takes
it); against the demo server, gzip on the fly.
"""

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_bench import DEFAULT_FILE, Client  # noqa: E402

CANDIDATES = [
    "/",
    "/persons/",
    "/persons/?page=5",
    "/cases/",
    "/reports/",
    "/population/",
    "/relocation/pledges/",
    "/relocation/cases/",
    "/relocation/submissions/",
    "/transfers/",
    "/incidents/",
    "/duplicates/",
    "/matching/",
    "/imports/",
    "/api/persons/",
    "/api/cases/",
    "/api/docs/",
    "/persons/{person}/",
    "/cases/{case}/",
]
STATIC = ("vendor/chartjs/chart.umd.min", "onward/onward", "onward/ui", "reports/charts")


def fetch(client: Client, path: str, encoding: str) -> tuple[int, bytes, str]:
    """One GET with this Accept-Encoding: status, the bytes as sent, their encoding."""
    kept = client.headers
    client.headers = {**kept, "Accept-Encoding": encoding}
    try:
        status, _, body = client.request("GET", path)
    finally:
        client.headers = kept
    return status, body, client.last_headers.get("Content-Encoding", "identity")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--file", default=str(DEFAULT_FILE))
    parser.add_argument("--proxy-header", action="store_true")
    args = parser.parse_args(argv)
    data = json.loads(Path(args.file).read_text())
    headers = {"X-Forwarded-Proto": "https", "Host": "localhost"} if args.proxy_header else {}
    client = Client(args.base, headers)
    user = data["users"][0]
    client.sign_in(user["username"], data["password"], user["secret"])

    rows = []
    static_paths: set[str] = set()
    for template in CANDIDATES:
        path = template.format(person=data["persons"][0], case=data["cases"][0])
        status, plain, _ = fetch(client, path, "identity")
        if status != 200:
            print(f"  {path}: {status}, left out")
            continue
        _, packed, encoding = fetch(client, path, "gzip, br")
        rows.append((len(plain), len(packed), encoding, path))
        static_paths |= set(re.findall(r'(?:src|href)="(/static/[^"]+)"', plain.decode()))
    rows.sort(reverse=True)
    print(f"{'page':<28}{'identity':>11}{'compressed':>12}  ratio")
    for plain, packed, encoding, path in rows[:5]:
        print(f"{path:<28}{plain:>11,}{packed:>12,}  {packed / plain:.2f} ({encoding})")
    total_plain = sum(r[0] for r in rows[:5])
    total_packed = sum(r[1] for r in rows[:5])
    print(
        f"{'five heaviest, together':<28}{total_plain:>11,}{total_packed:>12,}  "
        f"{total_packed / total_plain:.2f}"
    )
    print(f"\n{'static file':<50}{'identity':>10}{'gzip':>10}{'br':>10}")
    for path in sorted(p for p in static_paths if any(s in p for s in STATIC)):
        sizes = [len(fetch(client, path, enc)[1]) for enc in ("identity", "gzip", "br, gzip")]
        print(f"{path:<50}{sizes[0]:>10,}{sizes[1]:>10,}{sizes[2]:>10,}")


if __name__ == "__main__":
    main()
