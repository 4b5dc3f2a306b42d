#!/usr/bin/env python3
"""Memory soak of a running `orders serve`: a write load in which customers and products are
renamed all the time (each rename reaches every order that refers to them), while the server's
resident memory is sampled from /proc. Prints one line per interval (RSS, anonymous memory,
commands, renames, projection lag from /metrics), then the same after an idle period.

Run the server from a release build on an empty store, on loopback, with no rate limit:
    swift build -c release --product orders
    .build/release/orders serve --port 18600 --db /tmp/soak/orders.sqlite \
        --read-db /tmp/soak/read.sqlite --rate-limit 0 &
    python3 Benchmarks/Soak/rename_soak.py --port 18600 --pid $! --seconds 600

Uses only the Python standard library.
"""
import argparse
import http.client
import json
import random
import threading
import time

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--pid", type=int, required=True, help="the server's process id (its memory is read from /proc)")
parser.add_argument("--seconds", type=float, default=600, help="how long the load runs (default 600)")
parser.add_argument("--idle", type=float, default=60, help="how long to watch the idle server afterwards (default 60)")
parser.add_argument("--threads", type=int, default=4, help="concurrent clients (default 4)")
parser.add_argument("--interval", type=float, default=30, help="seconds between samples (default 30)")
parser.add_argument("--customers", type=int, default=60)
parser.add_argument("--products", type=int, default=40)
args = parser.parse_args()

counts = {"commands": 0, "renames": 0, "errors": 0}
lock = threading.Lock()
stop = 0.0


def call(connection, method, path, body=None):
    connection.request(method, path, body=json.dumps(body) if body is not None else None,
                       headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    with lock:
        counts["commands"] += 1
        if response.status >= 400:
            counts["errors"] += 1
    return response.status, data


def setup(run):
    connection = http.client.HTTPConnection("127.0.0.1", args.port)
    for i in range(args.customers):
        call(connection, "POST", "/customers",
             {"customer_id": f"soak-{run}-c{i}", "name": f"Kundin {i}", "email": f"soak-{run}-{i}@example.com"})
    for i in range(args.products):
        call(connection, "POST", "/products",
             {"product_id": f"soak-{run}-p{i}", "sku": f"SOAK-{run}-{i}", "name": f"Produkt {i}", "price_minor": 100 + i,
              "currency": "EUR"})


def worker(run, number):
    generator = random.Random(number)
    connection = http.client.HTTPConnection("127.0.0.1", args.port)
    sequence = 0
    while time.time() < stop:
        sequence += 1
        order = f"soak-{run}-o{number}-{sequence}"
        call(connection, "POST", "/orders",
             {"order_id": order, "customer_id": f"soak-{run}-c{generator.randrange(args.customers)}", "currency": "EUR",
              "shipping": {"city": "Köln", "country": "DE"}})
        for product in generator.sample(range(args.products), 2):
            call(connection, "POST", f"/orders/{order}/items",
                 {"product_id": f"soak-{run}-p{product}", "quantity": 1 + generator.randrange(3)})
        call(connection, "POST", f"/orders/{order}/submit", {})
        # A rename per order: a customer's or a product's.
        if sequence % 2 == 0:
            call(connection, "PATCH", f"/customers/soak-{run}-c{generator.randrange(args.customers)}",
                 {"name": f"Kundin {generator.randrange(10**6)} Müller"})
        else:
            call(connection, "PATCH", f"/products/soak-{run}-p{generator.randrange(args.products)}",
                 {"name": f"Produkt {generator.randrange(10**6)} neu"})
        with lock:
            counts["renames"] += 1


def memory():
    values = {}
    with open(f"/proc/{args.pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon"):
                values[key] = int(value.split()[0]) // 1024
    return values


def lag():
    try:
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode()
        return {line.split()[0]: float(line.split()[1]) for line in text.splitlines()
                if line.startswith("orders_projection_lag_")}
    except OSError:
        return {}


def sample(started, phase):
    rss = memory()
    current = lag()
    with lock:
        snapshot = dict(counts)
    print(f"{phase:5s} {time.time() - started:6.0f} s  RSS {rss['VmRSS']:5d} MB  anonymous {rss['RssAnon']:5d} MB  "
          f"commands {snapshot['commands']:7d}  renames {snapshot['renames']:6d}  errors {snapshot['errors']}  "
          f"lag {current.get('orders_projection_lag_events', float('nan')):.0f} events / "
          f"{current.get('orders_projection_lag_seconds', float('nan')):.1f} s", flush=True)


run = f"{int(time.time()) % 100000}"
setup(run)
started = time.time()
stop = started + args.seconds
threads = [threading.Thread(target=worker, args=(run, number)) for number in range(args.threads)]
for thread in threads:
    thread.start()
sample(started, "load")
while any(thread.is_alive() for thread in threads):
    time.sleep(min(args.interval, max(0.1, stop - time.time() + 0.5)))
    sample(started, "load")
for thread in threads:
    thread.join()
idle_until = time.time() + args.idle
while time.time() < idle_until:
    time.sleep(min(args.interval, max(0.1, idle_until - time.time())))
    sample(started, "idle")
