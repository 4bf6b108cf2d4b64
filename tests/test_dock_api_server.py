"""The dock API against a real server with workers (items 10, 11): ``odoo-bin --workers 2
--limit-time-real 15``, real threads sending real requests at once (issue 10, points 2 and 3)."""
import hashlib
import http.client
import json
import os
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest
from mchs_dock_agent.client import DockClient, Refused

MB = 1 << 20
ONE_SHOT = "/mchs_bodycam/dock/v1/recordings"
UPLOADS = "/mchs_bodycam/dock/v2/uploads"


class Cut(Exception):
    """The test cut the connection."""


def utc(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def recent(minutes_ago=60, length=20):
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=minutes_ago)
    return utc(start), utc(start + timedelta(minutes=length))


def request(server, method, path, body=b"", headers=None, token=None):
    """(status, headers, JSON answer) of one request; the answer must be JSON."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        all_headers = {"Authorization": f"Bearer {token or server.setup['tokens'][0]}"}
        all_headers.update(headers or {})
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        raw = response.read()
        assert response.getheader("Content-Type") == "application/json", (response.status, raw[:500])
        return response.status, response, json.loads(raw)
    finally:
        connection.close()


def one_shot(server, body, token=None, **params):
    start, end = recent()
    camera = server.setup["cameras"][0]
    query = dict({"camera": camera, "card": server.setup["camera_cards"][camera][0], "start": start, "end": end},
                 **params)
    return request(server, "POST", f"{ONE_SHOT}?{urlencode(query)}", body,
                   {"Content-Type": "application/octet-stream"}, token=token)


def send_chunk(server, upload_id, offset, chunk, rate, cut=None):
    """PUT one chunk, no faster than ``rate`` bytes a second. ``cut``: 'midway' closes the
    connection halfway through the body; 'unanswered' sends it all and closes without reading
    the answer."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        connection.putrequest("PUT", f"{UPLOADS}/{upload_id}?offset={offset}")
        connection.putheader("Authorization", f"Bearer {server.setup['tokens'][0]}")
        connection.putheader("Content-Type", "application/octet-stream")
        connection.putheader("Content-Length", str(len(chunk)))
        connection.endheaders()
        started, piece = time.monotonic(), 256 << 10
        for sent in range(0, len(chunk), piece):
            if cut == "midway" and sent >= len(chunk) // 2:
                connection.sock.shutdown(socket.SHUT_RDWR)
                raise Cut()
            connection.send(chunk[sent:sent + piece])
            ahead = (sent + piece) / rate - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)
        if cut == "unanswered":
            connection.sock.shutdown(socket.SHUT_RDWR)
            raise Cut()
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def blocked_on_the_row(server, timeout):
    """Wait until a registration waits for the journal row another transaction holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = server.query("""SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                                  AND wait_event_type = 'Lock' AND query ILIKE '%%UPDATE%%mchs_bodycam_custody%%'""")
        if waiting[0][0]:
            return
        time.sleep(0.1)
    activity = server.query("SELECT state, wait_event_type, wait_event, left(query, 200) FROM pg_stat_activity "
                            "WHERE datname = current_database()")
    raise AssertionError(f"no registration reached the journal row: {activity}\n{server.log()[-3000:]}")


def stored_copies(server, sha256):
    """The SHA-256 each location's copy hashes to (None when missing)."""
    digests = []
    for location in ("primary", "backup"):
        path = server.stored_path(location, sha256)
        if not os.path.exists(path):
            digests.append(None)
            continue
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(4 * MB), b""):
                digest.update(block)
        digests.append(digest.hexdigest())
        assert not os.stat(path).st_mode & 0o222, f"{path} is writable"
    return digests


def wait_done(client, upload_id, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = client.status(upload_id)
        if answer["state"] != "verifying":
            return answer
        time.sleep(0.5)
    raise AssertionError(f"upload {upload_id} still verifying after {timeout} s")


def test_resumable_upload_with_breaks_under_workers(dock_server, tmp_path):
    """Issue 10, point 2: 200 MB throttled to about a minute, the connection cut twice,
    under --workers 2 --limit-time-real 15 (the whole upload in one request would be killed
    after 15 s). It completes with nothing lost: the recording's SHA-256 and both copies are
    verified, and no part is left in staging."""
    server = dock_server
    size, rate = 200 * MB, 200 * MB / 55
    data = os.urandom(size)
    sha256 = hashlib.sha256(data).hexdigest()
    camera = server.setup["cameras"][1]
    client = DockClient(server.url, server.setup["tokens"][0])
    start, end = recent(180, 60)
    opened = client.open(camera, server.setup["camera_cards"][camera][0], start, end, size, sha256, "LONG_0001.MP4")
    assert (opened["state"], opened["offset"], opened["chunk_size"]) == ("open", 0, server.setup["chunk_size"])
    upload_id, chunk_size = opened["id"], opened["chunk_size"]
    cuts = {3: "midway", 14: "unanswered"}
    offset, number, breaks, slowest = 0, 0, [], 0.0
    began = time.monotonic()
    while offset < size:
        chunk = data[offset:offset + chunk_size]
        cut = cuts.pop(number, None)
        number += 1
        sent_at = time.monotonic()
        try:
            status, answer = send_chunk(server, upload_id, offset, chunk, rate, cut)
        except Cut:
            held = client.status(upload_id)["offset"]  # after a break: the offset the server durably holds
            assert held in (offset, offset + len(chunk)), (offset, held)
            breaks.append((cut, offset, held))
            offset = held
            continue
        slowest = max(slowest, time.monotonic() - sent_at)
        if status == 409 and answer["error"] in ("busy", "offset_mismatch"):
            time.sleep(0.5)
            offset = client.status(upload_id)["offset"]
            continue
        assert status == 200, answer
        offset = answer["offset"]
    sending = time.monotonic() - began
    status, answer = client.finish(upload_id)
    assert (status, answer["state"]) == (202, "verifying"), answer  # 200 MB: checked in the background
    answer = wait_done(client, upload_id)
    print(f"\n200 MB sent in {sending:.1f} s, slowest chunk request {slowest:.1f} s, breaks {breaks}, "
          f"done {time.monotonic() - began:.1f} s after the first chunk")
    assert [cut for cut, _offset, _held in breaks] == ["midway", "unanswered"]
    assert sending > 45, "throttled to about a minute: far beyond --limit-time-real 15 for one request"
    assert slowest < 8, "each request stays far within --limit-time-real"
    assert (answer["state"], answer["verified"], answer["sha256"], answer["size"]) == ("done", True, sha256, size)
    rows = server.query("SELECT sha256, size, camera_id IS NOT NULL FROM mchs_bodycam_recording WHERE id = %s",
                        [answer["recording_id"]])
    assert rows == [(sha256, size, True)]
    assert server.query("SELECT state FROM mchs_bodycam_upload WHERE name = %s", [upload_id]) == [("done",)]
    assert stored_copies(server, sha256) == [sha256, sha256]
    assert server.stray_parts() == []
    assert "timeout" not in server.log().lower(), "a worker was killed"


@pytest.mark.parametrize("protocol", ["one-shot", "resumable"])
def test_recordings_of_one_duty_at_once_all_succeed(dock_server, protocol):
    """Issue 10, point 3: four different recordings of one journal row at once, while another
    transaction holds that row: the registration that meets the serialization failure is run
    again without the body, and every upload succeeds (a dock that trusts a 4xx drops nothing)."""
    server = dock_server
    camera = server.setup["cameras"][0 if protocol == "one-shot" else 3]
    card = server.setup["camera_cards"][camera][0]
    duty = server.setup["duties"][camera]
    bodies = [os.urandom(300_000 + index) for index in range(4)]
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=2)
    barrier, results = threading.Barrier(len(bodies)), [None] * len(bodies)

    def upload(index):
        times = {"start": utc(start + timedelta(minutes=index)), "end": utc(start + timedelta(minutes=index, seconds=50))}
        barrier.wait()
        try:
            if protocol == "one-shot":
                status, _response, answer = one_shot(server, bodies[index], camera=camera, card=card, **times)
            else:
                client = DockClient(server.url, server.setup["tokens"][index % 2])
                opened = client.open(camera, card, times["start"], times["end"], len(bodies[index]),
                                     hashlib.sha256(bodies[index]).hexdigest(), f"DUTY_{index}.MP4")
                client.put(opened["id"], 0, bodies[index])
                status, answer = client.finish(opened["id"])
            results[index] = (status, answer)
        except Refused as error:
            results[index] = (error.status, error.answer)

    before = server.log().count("could not serialize access")
    holder = server.connect()
    holder.autocommit = False
    threads = [threading.Thread(target=upload, args=(index,)) for index in range(len(bodies))]
    try:
        with holder.cursor() as cr:  # the responsible person's desk writes the same row meanwhile
            cr.execute("UPDATE mchs_bodycam_custody SET write_date = write_date WHERE id = %s", [duty])
            for thread in threads:
                thread.start()
            blocked_on_the_row(server, timeout=10)
        holder.commit()
    finally:
        holder.close()
        for thread in threads:
            thread.join(timeout=120)
    assert [status for status, _answer in results] == [201] * len(bodies), results
    ids = [answer["id"] if protocol == "one-shot" else answer["recording_id"] for _status, answer in results]
    rows = server.query("SELECT sha256 FROM mchs_bodycam_recording WHERE id = ANY(%s) AND custody_id = %s",
                        [ids, duty])
    assert sorted(sha for (sha,) in rows) == sorted(hashlib.sha256(body).hexdigest() for body in bodies)
    assert server.log().count("could not serialize access") > before, "the conflict happened and was retried"
    assert server.query("SELECT download_datetime IS NOT NULL FROM mchs_bodycam_custody WHERE id = %s",
                        [duty]) == [(True,)]
    assert not [path for path in server.stray_parts() if path.endswith(".part")]


def test_same_file_twice_at_once_one_shot(dock_server):
    """The same file from four requests at once: one recording, one copy per location, a JSON
    200 or 201 to every request (one 201)."""
    server = dock_server
    body = os.urandom(500_000)
    sha256 = hashlib.sha256(body).hexdigest()
    barrier, results = threading.Barrier(4), []

    def upload():
        barrier.wait()
        status, _response, answer = one_shot(server, body, sha256=sha256)
        results.append((status, answer.get("id"), answer.get("error")))

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(status for status, _id, _error in results) == [200, 200, 200, 201], results
    assert len({recording_id for _status, recording_id, _error in results}) == 1
    assert server.query("SELECT count(*) FROM mchs_bodycam_recording WHERE sha256 = %s", [sha256]) == [(1,)]
    assert stored_copies(server, sha256) == [sha256, sha256]
    assert not [path for path in server.stray_parts() if path.endswith(".part")]


def test_same_file_twice_at_once_resumable(dock_server):
    """Two docks send the same two-chunk file at once: they share one upload, the chunks they
    both send are written once (busy / offset answers), both finish with the same recording."""
    server = dock_server
    body = os.urandom(server.setup["chunk_size"] + 123_456)
    sha256 = hashlib.sha256(body).hexdigest()
    camera = server.setup["cameras"][2]
    start, end = recent(50, 5)
    barrier, results = threading.Barrier(2), [None, None]

    def dock(index):
        client = DockClient(server.url, server.setup["tokens"][index])
        barrier.wait()
        opened = client.open(camera, server.setup["camera_cards"][camera][0], start, end, len(body), sha256, "SAME.MP4")
        offset, upload_id = opened["offset"], opened["id"]
        while offset < len(body):
            try:
                offset = client.put(upload_id, offset, body[offset:offset + opened["chunk_size"]])["offset"]
            except Refused as error:
                assert error.code in ("busy", "offset_mismatch", "upload_closed"), error
                if error.code == "upload_closed":
                    break
                time.sleep(0.2)
                offset = client.status(upload_id)["offset"]
        while True:
            try:
                status, answer = client.finish(upload_id)
                break
            except Refused as error:
                assert error.code == "busy", error
                time.sleep(0.2)
        results[index] = (opened["id"], status, answer if status != 202 else wait_done(client, upload_id))

    threads = [threading.Thread(target=dock, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results[0][0] == results[1][0], "one upload for the file"
    assert sorted(status for _id, status, _answer in results) in ([200, 201], [200, 200]), results
    assert {answer["recording_id"] for _id, _status, answer in results} and \
        len({answer["recording_id"] for _id, _status, answer in results}) == 1
    assert server.query("SELECT count(*) FROM mchs_bodycam_recording WHERE sha256 = %s", [sha256]) == [(1,)]
    assert stored_copies(server, sha256) == [sha256, sha256]
    assert server.stray_parts() == []


def raw(server, head, body=b""):
    """(status, JSON answer) of a request written by hand."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as connection:
        connection.sendall(head.encode() + b"\r\n" + body)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    header, _, content = answer.partition(b"\r\n\r\n")
    assert b"application/json" in header, answer[:500]
    return int(header.split()[1]), json.loads(content)


def test_bad_input_is_answered_in_json(dock_server):
    """Every refusal of the dock API is JSON with a stable code and a message, 405, 411, 413
    and 500 included; NUL characters and over-long parameters get a 400; a card that was not in
    the camera a 422; ISO 8601 times are accepted."""
    server = dock_server
    token = server.setup["tokens"][0]
    camera = server.setup["cameras"][0]
    other_camera_card = server.setup["camera_cards"][server.setup["cameras"][1]][0]
    auth = f"Authorization: Bearer {token}\r\n"
    cases = [
        (request(server, "GET", ONE_SHOT), 405, "method_not_allowed"),
        (request(server, "PUT", ONE_SHOT, b"x"), 405, "method_not_allowed"),
        (request(server, "DELETE", UPLOADS), 405, "method_not_allowed"),
        (request(server, "GET", "/mchs_bodycam/dock/v2/nowhere"), 404, "not_found"),
        (request(server, "GET", f"{UPLOADS}/{'a' * 32}"), 404, "unknown_upload"),
        (request(server, "POST", ONE_SHOT, b"x", token="forged"), 401, "unauthorized"),
        (one_shot(server, b"x", camera="BC\x00-1"), 400, "bad_parameter"),
        (one_shot(server, b"x", card="\x00"), 400, "bad_parameter"),
        (one_shot(server, b"x", sha256="\x00" * 64), 400, "bad_parameter"),
        (one_shot(server, b"x", camera="C" * 41), 400, "bad_parameter"),
        (one_shot(server, b"x", filename="F" * 201), 400, "bad_parameter"),
        (one_shot(server, b"x", start="2026-13-01T00:00:00Z"), 400, "bad_times"),
        (one_shot(server, b"x", card=server.setup["spare_card"]), 422, "card_not_in_camera"),
        (one_shot(server, b"x", card=other_camera_card), 422, "card_not_in_camera"),
        (request(server, "POST", UPLOADS, b"[1, 2]", {"Content-Type": "application/json"}), 400, "bad_json"),
    ]
    for (status, _response, answer), expected_status, code in cases:
        assert (status, answer.get("error")) == (expected_status, code), answer
        assert answer["message"]
    assert cases[0][0][1].getheader("Allow") == "POST"
    status, answer = raw(server, f"POST {ONE_SHOT}?camera={camera} HTTP/1.1\r\nHost: x\r\n{auth}"
                                 "Transfer-Encoding: chunked\r\nContent-Type: application/octet-stream\r\n",
                         b"3\r\nabc\r\n0\r\n\r\n")
    assert (status, answer["error"]) == (411, "length_required")
    status, answer = raw(server, f"POST {ONE_SHOT}?camera={camera} HTTP/1.1\r\nHost: x\r\n{auth}"
                                 "Content-Length: 5000000000\r\nContent-Type: application/octet-stream\r\n", b"x" * 100)
    assert (status, answer["error"]) == (413, "too_large")
    # ISO 8601 with Z and with an offset, as devices send them
    now = datetime.now(timezone.utc).replace(microsecond=0)
    with_z, with_offset = utc(now - timedelta(minutes=40)), (now - timedelta(minutes=20) + timedelta(hours=5)).strftime(
        "%Y-%m-%dT%H:%M:%S+05:00")
    status, _response, answer = one_shot(server, os.urandom(1000), start=with_z, end=with_offset)
    assert status == 201, answer
    assert server.query("SELECT device_start, device_end FROM mchs_bodycam_recording WHERE id = %s",
                        [answer["id"]]) == [(now.replace(tzinfo=None) - timedelta(minutes=40),
                                             now.replace(tzinfo=None) - timedelta(minutes=20))]
    # an error nobody foresaw (the database refuses new recordings) is a JSON 500
    with server.connect() as connection, connection.cursor() as cr:
        cr.execute("""
            CREATE FUNCTION mchs_test_refuse() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'disk of the database is broken' USING ERRCODE = 'XX000'; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse BEFORE INSERT ON mchs_bodycam_recording
            FOR EACH ROW EXECUTE FUNCTION mchs_test_refuse();""")
    try:
        status, _response, answer = one_shot(server, os.urandom(1000))
    finally:
        with server.connect() as connection, connection.cursor() as cr:
            cr.execute("DROP TRIGGER refuse ON mchs_bodycam_recording; DROP FUNCTION mchs_test_refuse()")
    assert (status, answer["error"]) == (500, "internal"), answer
