#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks tests/hsds/hsds-server.py, which other tests rely on to behave as
its README says: paging, ndjson, minimal records, modified_after across a
generation switch, deleted services, the fault modes, the request log, and
that every service it makes is one Haven's importer accepts (with
$HAVENCTL, which meson sets)."""

import http.client
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "hsds-server.py")
N = 1200


class Server:
    """One hsds-server.py process on a free port."""

    def __init__(self, *args):
        self.process = subprocess.Popen([sys.executable, SERVER, "--port", "0", *args],
                                        stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()
        prefix = "listening on http://127.0.0.1:"
        if not line.startswith(prefix):
            self.process.kill()
            raise RuntimeError("the server said %r" % line)
        self.port = int(line[len(prefix):])
        self.base = "http://127.0.0.1:%d" % self.port

    def stop(self):
        self.process.terminate()
        try:
            return self.process.wait(10)
        finally:
            self.process.stdout.close()

    def request(self, method, path):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return response.status, response.getheader("Content-Type"), response.read()
        finally:
            connection.close()

    def get(self, path):
        status, content_type, body = self.request("GET", path)
        if status != 200:
            raise AssertionError("GET %s: %d %s" % (path, status, body[:200]))
        return body

    def get_json(self, path):
        return json.loads(self.get(path))

    def post(self, path):
        status, _, body = self.request("POST", path)
        if status != 200:
            raise AssertionError("POST %s: %d %s" % (path, status, body[:200]))
        return json.loads(body)

    def all_pages(self, query="", per_page=500):
        """Every service, page after page, as a client would read them."""
        services = []
        page = 1
        while True:
            result = self.get_json("/services?page=%d&per_page=%d%s" % (page, per_page, query))
            services.extend(result["contents"])
            if result["last_page"]:
                return services
            page += 1
            if page > 1000:
                raise AssertionError("pages never end")


def database_text(path):
    """All the values of every table that can be read, as one text."""
    connection = sqlite3.connect(path)
    values = []
    try:
        tables = [row[0] for row in
                  connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            try:
                rows = connection.execute('SELECT * FROM "%s"' % table).fetchall()
            except sqlite3.OperationalError:
                # A full-text index's own table cannot be scanned; its
                # shadow tables, which hold the same text, can.
                continue
            for row in rows:
                for value in row:
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    values.append(str(value))
    finally:
        connection.close()
    return "\n".join(values)


class HsdsServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("--services", str(N), "--seed", "7")

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop()
        assert rc == 0, "the server exited with %d on SIGTERM" % rc

    def setUp(self):
        self.server.post("/_admin/generation/0")
        self.server.post("/_admin/fault/none")

    def test_paging(self):
        first = self.server.get_json("/services")
        self.assertEqual(first["total_items"], N)
        self.assertEqual(first["size"], 50)
        self.assertEqual(first["total_pages"], N // 50)
        self.assertTrue(first["first_page"])
        self.assertFalse(first["last_page"])
        self.assertFalse(first["empty"])
        self.assertEqual(first["page_number"], 1)

        capped = self.server.get_json("/services?per_page=100000")
        self.assertEqual(capped["size"], 500)

        last = self.server.get_json("/services?page=3&per_page=500")
        self.assertEqual(last["size"], N - 1000)
        self.assertTrue(last["last_page"])
        self.assertEqual(last["total_pages"], 3)

        beyond = self.server.get_json("/services?page=4&per_page=500")
        self.assertTrue(beyond["empty"])
        self.assertEqual(beyond["contents"], [])

        services = self.server.all_pages(per_page=70)
        ids = [s["id"] for s in services]
        self.assertEqual(len(ids), N)
        self.assertEqual(len(set(ids)), N)
        expected = self.server.get_json("/_admin/expected")
        self.assertEqual(services, expected)

        status, _, _ = self.server.request("GET", "/services?page=0")
        self.assertEqual(status, 400)
        status, _, _ = self.server.request("GET", "/organizations")
        self.assertEqual(status, 404)

    def test_service_by_id(self):
        service = self.server.get_json("/services?per_page=3&page=2")["contents"][1]
        self.assertEqual(self.server.get_json("/services/" + service["id"]), service)
        status, _, _ = self.server.request("GET", "/services/not-a-service")
        self.assertEqual(status, 404)

    def test_data(self):
        services = self.server.get_json("/_admin/expected")
        redacted = [s for s in services
                    if s["service_at_locations"][0]["location"]["location_type"] == "redacted"]
        confidential = [s for s in services
                        if s["service_at_locations"][0]["location"].get("x_confidential")]
        self.assertEqual(len(redacted), N // 50)
        self.assertEqual(len(confidential), N // 50)
        for service in services:
            for key in ("id", "name", "description", "organization", "url", "email", "phones",
                        "languages", "schedules", "attributes", "service_at_locations",
                        "last_modified"):
                self.assertIn(key, service)
            self.assertTrue(service["last_modified"].endswith("Z"))
            row = service["schedules"][0]
            self.assertEqual(row["freq"], "WEEKLY")
            self.assertRegex(row["byday"], r"^(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*$")
            self.assertRegex(row["opens_at"], r"^\d\d:\d\d$")
            address = service["service_at_locations"][0]["location"]["addresses"][0]
            self.assertTrue(address["address_1"] and address["postal_code"])
            self.assertTrue(service["attributes"][0]["taxonomy_term"]["code"])

        # The same seed gives the same directory; another seed another one.
        again = Server("--services", "20", "--seed", "7")
        other = Server("--services", "20", "--seed", "8")
        try:
            self.assertEqual(again.get_json("/_admin/expected"), services[:20])
            self.assertNotEqual(other.get_json("/_admin/expected")[0]["id"], services[0]["id"])
        finally:
            again.stop()
            other.stop()

    def test_ndjson(self):
        status, content_type, body = self.server.request("GET", "/services?format=ndjson")
        self.assertEqual(status, 200)
        self.assertEqual(content_type, "application/x-ndjson")
        lines = body.decode().splitlines()
        self.assertEqual(len(lines), N)
        self.assertEqual([json.loads(line) for line in lines],
                         self.server.get_json("/_admin/expected"))

    def test_minimal(self):
        result = self.server.get_json("/services?minimal=true")
        self.assertEqual(result["size"], N)
        self.assertTrue(result["last_page"])
        for record in result["contents"]:
            self.assertEqual(set(record), {"id", "last_modified"})
        expected = self.server.get_json("/_admin/expected")
        self.assertEqual([r["id"] for r in result["contents"]], [s["id"] for s in expected])
        self.assertEqual(result["contents"][5]["last_modified"], expected[5]["last_modified"])

        paged = self.server.get_json("/services?minimal=true&per_page=100&page=2")
        self.assertEqual(paged["size"], 100)
        self.assertEqual(paged["contents"], result["contents"][100:200])

        lines = self.server.get("/services?minimal=true&format=ndjson").decode().splitlines()
        self.assertEqual(len(lines), N)
        self.assertEqual(json.loads(lines[0]), result["contents"][0])

    def test_generations(self):
        before = {s["id"]: s for s in self.server.get_json("/_admin/expected")}
        newest_before = max(s["last_modified"] for s in before.values())
        time.sleep(1.1)
        state = self.server.post("/_admin/generation/1")
        self.assertEqual(state["generation"], 1)
        changes = self.server.get_json("/_admin/changes")
        self.assertEqual(len(changes["changed"]), round(N * 0.01))
        self.assertEqual(len(changes["deleted"]), max(1, round(N * 0.002)))
        self.assertEqual(len(changes["added"]), 3)

        after = {s["id"]: s for s in self.server.get_json("/_admin/expected")}
        self.assertEqual(len(after), N - len(changes["deleted"]) + len(changes["added"]))
        self.assertEqual(set(after) - set(before), set(changes["added"]))
        self.assertEqual(set(before) - set(after), set(changes["deleted"]))
        changed = {i for i in after if i in before and after[i] != before[i]}
        self.assertEqual(changed, set(changes["changed"]))
        for i in changed:
            self.assertNotEqual(after[i]["name"], before[i]["name"])
            self.assertNotEqual(after[i]["description"], before[i]["description"])
            self.assertGreater(after[i]["last_modified"], newest_before)

        # modified_after returns exactly what changed or was added.
        since = urllib.parse.quote(state["generation_times"][1])
        recent = self.server.all_pages("&modified_after=" + since)
        self.assertEqual({s["id"] for s in recent}, changed | set(changes["added"]))
        minimal = self.server.get_json("/services?minimal=true")
        self.assertEqual({r["id"] for r in minimal["contents"]}, set(after))
        lines = self.server.get("/services?format=ndjson&modified_after=" + since).splitlines()
        self.assertEqual(len(lines), len(recent))
        status, _, _ = self.server.request("GET", "/services?modified_after=yesterday")
        self.assertEqual(status, 400)

        for deleted in changes["deleted"]:
            status, _, _ = self.server.request("GET", "/services/" + deleted)
            self.assertEqual(status, 404)
        added = changes["added"][0]
        self.assertEqual(self.server.get_json("/services/" + added), after[added])

        # Generation 2 keeps generation 1's deletions and adds three more.
        self.server.post("/_admin/generation/2")
        since_one = self.server.get_json("/_admin/changes?since=1")
        self.assertEqual(len(since_one["added"]), 3)
        two = {s["id"] for s in self.server.get_json("/_admin/expected")}
        self.assertFalse(two & set(changes["deleted"]))
        self.assertFalse(two & set(since_one["deleted"]))
        self.assertTrue(set(changes["added"]) <= two)

        # Back to generation 0: the directory as it was.
        self.server.post("/_admin/generation/0")
        self.assertEqual({s["id"]: s for s in self.server.get_json("/_admin/expected")}, before)

    def test_bad_json(self):
        self.server.post("/_admin/fault/bad-json")
        json.loads(self.server.get("/services?page=1&per_page=500"))
        with self.assertRaises(ValueError):
            json.loads(self.server.get("/services?page=2&per_page=500"))
        lines = self.server.get("/services?format=ndjson").decode().splitlines()
        self.assertEqual(len(lines), N)
        bad = 0
        for line in lines:
            try:
                json.loads(line)
            except ValueError:
                bad += 1
        self.assertEqual(bad, 1)
        self.server.post("/_admin/fault/none")
        json.loads(self.server.get("/services?page=2&per_page=500"))

    def test_page_loop(self):
        self.server.post("/_admin/fault/page-loop")
        one = self.server.get_json("/services?page=1&per_page=500")
        two = self.server.get_json("/services?page=2&per_page=500")
        self.assertEqual(two["page_number"], 1)
        self.assertEqual(two["contents"], one["contents"])
        far = self.server.get_json("/services?page=40&per_page=500")
        self.assertFalse(far["last_page"])
        self.assertGreater(far["total_pages"], 40)

        # The ndjson stream repeats itself and never ends.
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        connection.request("GET", "/services?format=ndjson")
        response = connection.getresponse()
        data = response.read(N * 3 * 1024 + 1024 * 1024)
        connection.close()
        self.assertGreater(data.count(b"\n"), N)

    def test_lying_total(self):
        self.server.post("/_admin/fault/lying-total")
        first = self.server.get_json("/services?per_page=500")
        self.assertGreater(first["total_items"], N)
        self.assertEqual(first["total_pages"], 6)
        services = self.server.all_pages(per_page=500)
        self.assertEqual(len(services), N)
        last = self.server.get_json("/services?per_page=500&page=6")
        self.assertTrue(last["last_page"])
        self.assertTrue(last["empty"])

    def test_drop(self):
        self.server.post("/_admin/fault/drop")
        self.server.get_json("/services?page=1&per_page=500")
        for path in ("/services?page=2&per_page=500", "/services?format=ndjson"):
            connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
            connection.request("GET", path)
            response = connection.getresponse()
            self.assertEqual(response.status, 200)
            with self.assertRaises(http.client.IncompleteRead):
                response.read()
            connection.close()

    def test_slow(self):
        self.server.post("/_admin/fault/slow?ms=800")
        start = time.monotonic()
        self.server.get_json("/services?per_page=10")
        self.assertGreaterEqual(time.monotonic() - start, 0.8)
        self.server.post("/_admin/fault/none")
        start = time.monotonic()
        self.server.get_json("/services?per_page=10")
        self.assertLess(time.monotonic() - start, 0.8)

    def test_log(self):
        self.server.post("/_admin/log/clear")
        self.server.get("/services?minimal=true")
        self.server.get("/services?format=ndjson&modified_after=2025-06-01T00:00:00Z")
        log = self.server.get_json("/_admin/log")
        self.assertEqual(log, ["/services?minimal=true",
                               "/services?format=ndjson&modified_after=2025-06-01T00:00:00Z"])

    def test_no_ndjson(self):
        server = Server("--services", "30", "--no-ndjson")
        try:
            status, content_type, body = server.request("GET", "/services?format=ndjson")
            self.assertEqual(status, 200)
            self.assertEqual(content_type, "application/json")
            self.assertEqual(json.loads(body)["total_items"], 30)
        finally:
            self.assertEqual(server.stop(), 0)
        server = Server("--services", "30", "--ndjson", "reject")
        try:
            status, _, _ = server.request("GET", "/services?format=ndjson")
            self.assertEqual(status, 400)
        finally:
            self.assertEqual(server.stop(), 0)

    @unittest.skipUnless(os.environ.get("HAVENCTL"), "HAVENCTL is not set")
    def test_haven_imports_every_service(self):
        self.server.post("/_admin/generation/1")
        services = self.server.all_pages(per_page=500)
        organizations = {s["organization"]["id"] for s in services}
        hidden = [s["service_at_locations"][0]["location"] for s in services
                  if s["service_at_locations"][0]["location"]["location_type"] == "redacted"
                  or s["service_at_locations"][0]["location"].get("x_confidential")]
        shown = services[0]["service_at_locations"][0]["location"]
        self.assertFalse(shown["location_type"] == "redacted" or shown.get("x_confidential"))

        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "services.json")
            db = os.path.join(folder, "directory.db")
            with open(path, "w") as f:
                json.dump(services, f)
            result = subprocess.run([os.environ["HAVENCTL"], "directory", "import", path,
                                     "--db", db], capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("Imported %d services of %d organizations" %
                          (len(services), len(organizations)), result.stdout)

            # No hidden address or place name reaches the database; a shown
            # one does, so the search would find them if they were there.
            text = database_text(db)
            # (Checked with assertTrue: assertIn would print megabytes.)
            self.assertTrue(shown["addresses"][0]["address_1"] in text)
            for location in hidden:
                address = location["addresses"][0]["address_1"]
                self.assertFalse(address in text, "%s is in the database" % address)
                self.assertFalse(location["name"] in text,
                                 "%s is in the database" % location["name"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
