"""Document uploads measured from another process: the latency of a 1 MB photo upload under concurrent load
(p50/p95/max), and how fast the hub forwards uploads to the platform's intake (uploads received per second).

Drives a running hub (``make run`` or ``make stack``) over HTTP only; it imports nothing of the hub or the tests.
Start the hub with a high per-action allowance, since every upload goes to maria's one document action:

    DOCUMENTS_PER_ACTION=1000000 make run
    .venv/bin/python bench/load/document_upload.py [--hub http://127.0.0.1:8000] [--sandbox http://127.0.0.1:8100]
        [--uploads 200] [--concurrency 8]

Each upload is a distinct 1 MB JPEG with GPS EXIF (the hub judges its type, strips its metadata by re-encoding,
encrypts and stores it, and queues its forwarding); the forwarding rate is measured from the first upload's
answer until every upload reads ``received`` (the platform acknowledged it with a tracking number).
Writes ``bench/results/document_upload.txt``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import io
import os
import platform
import random
import statistics
import time
import uuid
from pathlib import Path

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent.parent
TARGET_BYTES = 1024 * 1024


def photo(seed: int) -> bytes:
    """A JPEG of about 1 MB: noise (nothing compresses it away), with a GPS position in its EXIF."""
    rng = random.Random(seed)
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (41.0, 52.0, 55.0), 3: "W", 4: (87.0, 37.0, 40.0)}
    side = 700
    while True:
        image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=90, exif=exif.tobytes())
        if out.tell() >= TARGET_BYTES * 0.95:
            return out.getvalue()
        side += 50


def sign_in(hub: str, sandbox: str, persona: str) -> dict[str, str]:
    id_token = httpx.post(f"{sandbox}/idp/test-login", json={"persona": persona}).json()["id_token"]
    token = httpx.post(
        f"{hub}/v1/auth/token",
        json={
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token": id_token,
            "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            "client_id": "sandbox-app",
        },
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub", default=os.environ.get("HUB", "http://127.0.0.1:8000"))
    parser.add_argument("--sandbox", default=os.environ.get("SANDBOX", "http://127.0.0.1:8100"))
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=600.0, help="how long to wait for forwarding")
    args = parser.parse_args()

    headers = sign_in(args.hub, args.sandbox, "maria")
    assert httpx.get(f"{args.hub}/v1/me/benefits", headers=headers, timeout=30).status_code == 200
    actions = httpx.get(f"{args.hub}/v1/me/actions", headers=headers, timeout=30).json()["data"]
    action = next(a["id"] for a in actions if a["kind"] == "document")
    files = [photo(seed) for seed in range(args.uploads)]
    print(
        f"{len(files)} photos of {statistics.mean(len(f) for f in files) / 1e6:.2f} MB; uploading with "
        f"{args.concurrency} concurrent clients"
    )

    client = httpx.Client(timeout=60, limits=httpx.Limits(max_connections=args.concurrency))

    def send(content: bytes) -> tuple[float, int, str | None]:
        started = time.perf_counter()
        response = client.post(
            f"{args.hub}/v1/me/actions/{action}/documents",
            headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            files={"file": ("photo.jpg", content, "image/jpeg")},
        )
        elapsed = time.perf_counter() - started
        return elapsed, response.status_code, response.json().get("id") if response.status_code == 201 else None

    began = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
        results = list(pool.map(send, files))
    upload_seconds = time.perf_counter() - began
    latencies = [elapsed for elapsed, status, _ in results if status == 201]
    failures = [status for _, status, _ in results if status != 201]
    ids = {upload_id for _, _, upload_id in results if upload_id}

    deadline = time.monotonic() + args.timeout
    received: set[str] = set()
    while time.monotonic() < deadline and len(received) < len(ids):
        cursor, page = None, 0
        while True:
            params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            body = client.get(f"{args.hub}/v1/me/documents", headers=headers, params=params).json()
            received |= {d["id"] for d in body["data"] if d["id"] in ids and d["status"] != "submitted"}
            cursor, page = body["meta"]["next_cursor"], page + 1
            if not cursor:
                break
        if len(received) < len(ids):
            time.sleep(0.5)
    forward_seconds = time.perf_counter() - began

    lines = [
        f"document_upload  {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC  {platform.node()}  "
        f"{os.cpu_count()} cores  load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}",
        f"hub {args.hub}: {len(files)} uploads of a {statistics.mean(len(f) for f in files) / 1e6:.2f} MB JPEG, "
        f"{args.concurrency} concurrent clients (another process)",
        f"upload latency: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms; {len(latencies) / upload_seconds:.1f} uploads/s; failures {len(failures)} "
        f"{sorted(set(failures))}",
        f"forwarding: {len(received)}/{len(ids)} received by the platform's intake in {forward_seconds:.1f} s "
        f"from the first upload = {len(received) / forward_seconds:.1f} uploads/s end to end",
    ]
    print("\n".join(lines))
    out = ROOT / "bench" / "results" / "document_upload.txt"
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
