"""Tests for factcheck.lib.http and .urls: URL normalisation, the SSRF guard, fetch limits.

No test touches the internet: pages come from a local ThreadingHTTPServer on 127.0.0.1, and
"public" sites are faked by monkeypatching the two seams, `_resolve` (DNS) and
`_open_connection` (where sockets really connect), so a public address is routed to the local
server and any other non-loopback connection fails the test.
"""

from __future__ import annotations

import gzip
import os
import pickle
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from factcheck.lib import http as fetching
from factcheck.lib.http import FetchError, FetchPolicy, check_url, fetch, normalise_url

LOCAL = FetchPolicy(allowed_networks=("127.0.0.0/8",))
# A real public address, never contacted: the fake internet routes it to the local server.
PUBLIC_IP = "93.184.215.14"
PLAIN_BODY = b"Hello, world.\n"
LATIN1_PAGE = (
    "<html><head><title>Caf\xe9</title></head><body><p>Cr\xe8me br\xfbl\xe9e</p></body></html>"
).encode("latin-1")
CP1252_PAGE = (
    '<html><head><meta charset="windows-1252"><title>Quotes</title></head>'
    "<body><p>\u201cquoted\u201d</p></body></html>"
).encode("cp1252")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
# 8 MiB of decoded text in about 8 KiB of gzip.
GZIP_BOMB = gzip.compress(b"a" * (8 * 1024 * 1024), compresslevel=9)


@dataclass
class SeenRequest:
    """What the local server received."""

    path: str
    host: str
    user_agent: str


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    seen: list[SeenRequest]
    # Set when a trickling response ends, with how many of its 40 slow bytes went out.
    trickle_done: threading.Event
    trickle_sent: int


class _Handler(BaseHTTPRequestHandler):
    """Routes for the fetch tests; HTTP/1.0, so every request gets a fresh connection."""

    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self._send(302, b"", {"Location": location})

    def _trickle(self, first: bytes, byte: bytes) -> None:
        # Slow enough that per-read timeouts never fire; only a wall-clock deadline stops it.
        # After the 40th byte the server goes quiet, so a client without a working deadline
        # would end on a read timeout instead, having received all 40.
        sent = 0
        try:
            self.wfile.write(first)
            for _ in range(40):
                time.sleep(0.5)
                self.wfile.write(byte)
                sent += 1
            time.sleep(30)
        except OSError:
            pass  # the client hung up, which is what a working deadline does: stop sending
        finally:
            self.server.trickle_sent = sent
            self.server.trickle_done.set()

    def do_GET(self) -> None:
        self.server.seen.append(
            SeenRequest(self.path, self.headers["Host"], self.headers["User-Agent"])
        )
        url = urlsplit(self.path)
        path = url.path
        if path == "/plain":
            self._send(200, PLAIN_BODY, {"Content-Type": "text/plain; charset=utf-8"})
        elif path == "/html-charset":
            self._send(200, LATIN1_PAGE, {"Content-Type": "text/html; charset=ISO-8859-1"})
        elif path == "/meta-charset":
            self._send(200, CP1252_PAGE, {"Content-Type": "text/html"})
        elif path.startswith("/redirect/"):
            remaining = int(path.rsplit("/", 1)[1])
            if remaining:
                self._redirect(f"/redirect/{remaining - 1}")
            else:
                self._send(200, b"arrived", {"Content-Type": "text/plain"})
        elif path == "/redirect-to":
            self._redirect(parse_qs(url.query)["url"][0])
        elif path == "/sized":
            size = int(parse_qs(url.query)["bytes"][0])
            self._send(200, b"x" * size, {"Content-Type": "text/plain"})
        elif path == "/gzip-bomb":
            headers = {"Content-Type": "text/plain", "Content-Encoding": "gzip"}
            self._send(200, GZIP_BOMB, headers)
        elif path == "/trickle":
            head = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n"
            self._trickle(head, b"a")
        elif path == "/trickle-before-type":
            # The watchdog cuts this before any Content-Type arrives: still a timeout.
            self._trickle(b"HTTP/1.0 200 OK\r\nX-Slow: ", b"a")
        elif path == "/trickle-headers":
            self._trickle(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nX-Slow: ", b"a")
        elif path == "/silent":
            time.sleep(3)
            self._send(200, b"late", {"Content-Type": "text/plain"})
        elif path == "/image":
            self._send(200, PNG, {"Content-Type": "image/png"})
        elif path == "/png-as-text":
            self._send(200, PNG, {"Content-Type": "text/plain"})
        elif path == "/untyped":
            self._send(200, b"no type", {})
        elif path == "/broken":
            self._send(500, b"oops", {"Content-Type": "text/plain"})
        else:
            self._send(404, b"not here", {"Content-Type": "text/plain"})


@dataclass
class LocalHTTP:
    """A running local test server."""

    port: int
    seen: list[SeenRequest]
    server: _Server

    def url(self, path: str) -> str:
        """The server's URL for a path."""
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def paths(self) -> list[str]:
        """Paths requested so far."""
        return [request.path for request in self.seen]


@pytest.fixture
def local_http() -> Iterator[LocalHTTP]:
    """A ThreadingHTTPServer on 127.0.0.1 and a random port, serving the routes above."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.seen = []
    server.trickle_done = threading.Event()
    server.trickle_sent = 0
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield LocalHTTP(port=server.server_address[1], seen=server.seen, server=server)
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class FakeInternet:
    """Fake DNS and routing: names in `dns` resolve as given; `routes` send a public address
    and port to a local one (PUBLIC_IP:80 leads to local_http)."""

    dns: dict[str, list[str]]
    routes: dict[tuple[str, int], tuple[str, int]]
    lookups: list[str] = field(default_factory=list)
    connects: list[tuple[str, int]] = field(default_factory=list)


@pytest.fixture
def internet(monkeypatch: pytest.MonkeyPatch, local_http: LocalHTTP) -> FakeInternet:
    """Route the fetcher's seams through a fake internet that never leaves this machine."""
    fake = FakeInternet(
        dns={"news.example": [PUBLIC_IP]},
        routes={(PUBLIC_IP, 80): ("127.0.0.1", local_http.port)},
    )
    real_open = fetching._open_connection

    def resolve(host: str, port: int) -> list[str]:
        fake.lookups.append(host)
        if host not in fake.dns:
            raise FetchError("connection", f"Could not resolve {host}.")
        return fake.dns[host]

    def open_connection(address: tuple[str, int], timeout: float, options: Any) -> Any:
        fake.connects.append(address)
        if address in fake.routes:
            return real_open(fake.routes[address], timeout, options)
        if address[0].startswith("127."):
            return real_open(address, timeout, options)
        pytest.fail(f"the fetcher connected to {address}")

    monkeypatch.setattr(fetching, "_resolve", resolve)
    monkeypatch.setattr(fetching, "_open_connection", open_connection)
    return fake


def _reason(call: Callable[[], object]) -> str:
    """Run a call that must fail and return its FetchError reason."""
    with pytest.raises(FetchError) as caught:
        call()
    return caught.value.reason


# --- normalise_url ------------------------------------------------------------------------------


def test_it_lowercases_scheme_and_host_and_drops_the_default_port() -> None:
    """Spellings of the same address share one Source.url key."""
    assert normalise_url("HTTP://Example.COM:80") == "http://example.com/"
    assert normalise_url("https://EXAMPLE.com:443/Path") == "https://example.com/Path"


def test_it_keeps_a_non_default_port() -> None:
    """Only the scheme's own port is implied."""
    assert normalise_url("http://example.com:8080/a") == "http://example.com:8080/a"


def test_it_drops_the_fragment_and_keeps_the_query() -> None:
    """The fragment never reaches the server; the query selects the page."""
    assert normalise_url("https://example.com/a?b=2&a=1#top") == "https://example.com/a?b=2&a=1"


def test_it_encodes_an_international_host_with_idna() -> None:
    """Unicode host names become their ASCII (punycode) form."""
    assert normalise_url("http://Bücher.example/") == "http://xn--bcher-kva.example/"


def test_it_compresses_an_ipv6_host() -> None:
    """IPv6 literals have one written form."""
    assert normalise_url("http://[0:0:0::1]:8080") == "http://[::1]:8080/"


def test_it_resolves_dot_segments_and_normalises_percent_escapes() -> None:
    """Paths that name the same resource normalise the same."""
    assert normalise_url("http://example.com/a/./b/../%7e%2fc") == "http://example.com/a/~%2Fc"
    assert normalise_url("http://example.com/straße?q=ä b") == (
        "http://example.com/stra%C3%9Fe?q=%C3%A4%20b"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://0x7f.1/",
        "http://１２７.０.０.１/",
    ],
    ids=["decimal", "hex", "octal", "short", "mixed", "full-width"],
)
def test_it_folds_numeric_spellings_of_an_ipv4_host(url: str) -> None:
    """The C resolver reads all of these as 127.0.0.1, so the key and the checks must too."""
    assert normalise_url(url) == "http://127.0.0.1/"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "invalid_url"),
        ("http://", "invalid_url"),
        ("http://exa mple.com/", "invalid_url"),
        ("http://example.com:99999/", "invalid_url"),
        ("http://example.com:http/", "invalid_url"),
        ("http://1.2.3.256/", "invalid_url"),
        ("http://[::1/", "invalid_url"),
        ("http://%31%32%37.0.0.1/", "invalid_url"),
        ("http://example.com/\n/x", "invalid_url"),
        ("example.com/page", "bad_scheme"),
        ("ftp://example.com/", "bad_scheme"),
        ("file:///etc/passwd", "bad_scheme"),
        ("javascript:alert(1)", "bad_scheme"),
        ("http://user:secret@example.com/", "credentials"),
        ("http://@example.com/", "credentials"),
    ],
)
def test_it_rejects_junk_urls_with_a_reason(url: str, reason: str) -> None:
    """Junk never becomes a Source key."""
    assert _reason(lambda: normalise_url(url)) == reason


# The reasons normalise_url gives; anything else (a fetch-time reason) would be a misfiled error.
NORMALISE_REFUSALS = {"invalid_url", "bad_scheme", "credentials"}
_url_part = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=30)


@hypothesis_settings(deadline=None)
@given(
    scheme=st.sampled_from(["http", "HTTPS", "https"]),
    host=st.sampled_from(["Example.com", "bücher.example", "127.1", "[::1]", "a_b.example."])
    | st.from_regex(r"[A-Za-z0-9]{1,8}(\.[A-Za-z0-9-]{1,8}){0,2}", fullmatch=True),
    port=st.none() | st.integers(min_value=1, max_value=65535),
    path=_url_part,
    query=_url_part,
)
def test_normalising_twice_changes_nothing(
    scheme: str, host: str, port: int | None, path: str, query: str
) -> None:
    """normalise(normalise(x)) == normalise(x): stored keys stay stable."""
    url = f"{scheme}://{host}{f':{port}' if port else ''}/{path}?{query}"
    try:
        once = normalise_url(url)
    except FetchError as error:
        assert error.reason == "invalid_url", error  # http(s), no credentials: only bad syntax
        return
    assert normalise_url(once) == once


@hypothesis_settings(deadline=None)
@given(st.text(max_size=60))
def test_normalising_arbitrary_text_raises_only_fetch_errors(text: str) -> None:
    """Junk input gives FetchError, never another exception; valid output is stable."""
    try:
        once = normalise_url("http://" + text)
    except FetchError as error:
        assert error.reason in NORMALISE_REFUSALS, error
        return
    assert normalise_url(once) == once


# --- check_url: static refusals ----------------------------------------------------------------

BLOCKED_URLS = {
    "decimal-loopback": "http://2130706433/",
    "hex-loopback": "http://0x7f000001/",
    "octal-loopback": "http://0177.0.0.1/",
    "short-loopback": "http://127.1/",
    "localhost": "http://localhost/",
    "localhost-dot": "http://localhost./",
    "sub-localhost": "http://app.localhost/",
    "ipv6-loopback": "http://[::1]/",
    "ipv6-unspecified": "http://[::]/",
    "ipv4-unspecified": "http://0.0.0.0/",
    "this-network": "http://0.1.2.3/",
    "ipv4-mapped-loopback": "http://[::ffff:127.0.0.1]/",
    "metadata": "http://169.254.169.254/latest/meta-data/",
    "nat64-metadata": "http://[64:ff9b::a9fe:a9fe]/",
    "6to4-metadata": "http://[2002:a9fe:a9fe::1]/",
    "6to4-private": "http://[2002:0a00:0001::1]/",
    "teredo": "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "cgnat": "http://100.64.0.1/",
    "private-10": "http://10.0.0.1/",
    "private-172": "http://172.16.0.1/",
    "private-192": "http://192.168.1.1/",
    "multicast": "http://224.0.0.1/",
    "reserved": "http://240.0.0.1/",
    "broadcast": "http://255.255.255.255/",
    "ietf-protocol": "http://192.0.0.1/",
    "benchmark": "http://198.18.0.1/",
    "ipv6-link-local": "http://[fe80::1]/",
    "ipv6-unique-local": "http://[fc00::1]/",
    "ipv6-multicast": "http://[ff02::1]/",
    "ipv4-compatible": "http://[::7f00:1]/",
}


@pytest.mark.parametrize("url", BLOCKED_URLS.values(), ids=BLOCKED_URLS.keys())
def test_it_refuses_non_public_addresses_in_any_spelling(url: str) -> None:
    """Loopback, private, metadata and tunnelled forms of them are refused before any I/O."""
    assert _reason(lambda: check_url(url, FetchPolicy())) == "blocked_address"


def test_it_refuses_a_decimal_spelling_of_loopback() -> None:
    """The classic bypass: 2130706433 is 127.0.0.1."""
    assert _reason(lambda: check_url("http://2130706433:80/", FetchPolicy())) == "blocked_address"


def test_it_refuses_localhost_even_when_loopback_is_allowed() -> None:
    """`localhost` may resolve to ::1 or anything the hosts file says; it is never fetched."""
    assert _reason(lambda: check_url("http://localhost:8000/", LOCAL)) == "blocked_address"


@pytest.mark.parametrize(
    "url",
    [
        f"http://{PUBLIC_IP}/",
        "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/",
        "http://[64:ff9b::5db8:d70e]/",
        "https://example.com/",
        "http://example.com:80/",
    ],
    ids=["public-ipv4", "public-ipv6", "nat64-of-public", "name", "name-port-80"],
)
def test_it_accepts_public_addresses(url: str) -> None:
    """Public addresses pass, NAT64 included (DNS64 networks give every site such an address)."""
    check_url(url, FetchPolicy())


def test_it_refuses_a_port_outside_the_policy() -> None:
    """Only 80 and 443 by default: no probing of internal services on other ports."""
    assert _reason(lambda: check_url("https://example.com:8443/", FetchPolicy())) == "bad_port"
    assert _reason(lambda: check_url(f"http://{PUBLIC_IP}:22/", FetchPolicy())) == "bad_port"


def test_it_lets_an_allowed_network_use_any_port() -> None:
    """Test servers listen on random ports."""
    check_url("http://127.0.0.1:8765/", LOCAL)


def test_it_leaves_a_named_hosts_odd_port_until_the_name_is_resolved() -> None:
    """With allowed networks, a name may resolve into one of them, so the port waits for DNS."""
    check_url("http://news.example:8765/", LOCAL)


def test_a_fetch_error_survives_pickling() -> None:
    """Errors cross process boundaries (Celery) with their reason and status intact."""
    error = pickle.loads(pickle.dumps(FetchError("http_error", "Gone.", status_code=410)))
    assert (error.reason, str(error), error.status_code) == ("http_error", "Gone.", 410)


def test_it_rejects_an_invalid_allowed_network() -> None:
    """A typo in FACTCHECK_FETCH_ALLOWED_NETWORKS fails loudly, not open."""
    with pytest.raises(ValueError, match="not-a-network"):
        FetchPolicy(allowed_networks=("not-a-network",))


@pytest.mark.parametrize(
    "origin",
    [
        "127.0.0.1",
        "localhost:8001",
        "127.0.0.1:0",
        "127.0.0.1:70000",
        "127.0.0.1:8_001",
        "[::1]",
        ":8001",
        "::1:8001",  # IPv6 without brackets: which colon starts the port?
        "[127.0.0.1]:8001",
        "10.0.0.5:8001",  # not loopback
        "169.254.169.254:80",  # a cloud's metadata service
        "[2001:db8::1]:443",
    ],
)
def test_it_rejects_an_invalid_allowed_origin(origin: str) -> None:
    """An origin is a loopback IP literal and a port; anything else fails loudly, not open."""
    with pytest.raises(ValueError, match="allowed_origins"):
        FetchPolicy(allowed_origins=(origin,))


def test_an_allowed_origin_opens_that_address_on_that_port_only(local_http: LocalHTTP) -> None:
    """`make run`'s demo source server: one loopback port, never the rest of the machine."""
    policy = FetchPolicy(allowed_origins=(f"127.0.0.1:{local_http.port}",))
    page = fetch(local_http.url("/plain"), policy=policy)
    assert page.body == PLAIN_BODY
    # The same address on another port (Redis, say), another loopback address on the same port,
    # the machine's name: all refused before any connection.
    for url in (
        "http://127.0.0.1:6379/",
        f"http://127.0.0.2:{local_http.port}/plain",
        f"http://localhost:{local_http.port}/plain",
    ):
        with pytest.raises(FetchError) as refused:
            check_url(url, policy)
        assert refused.value.reason == "blocked_address"
    with pytest.raises(FetchError) as refused:
        fetch("http://127.0.0.1:6379/", policy=policy)
    assert refused.value.reason == "blocked_address"
    assert local_http.paths == ["/plain"]
    # A page of the allowed origin that redirects to another port of the same address is
    # refused at the redirect (each hop is checked like the first).
    with pytest.raises(FetchError) as refused:
        fetch(local_http.url("/redirect-to?url=http://127.0.0.1:6379/"), policy=policy)
    assert refused.value.reason == "blocked_address"
    # IPv6 in brackets; IPv4-mapped IPv6 counts as the IPv4 address, in the setting and in a URL.
    mapped = FetchPolicy(allowed_origins=(f"[::ffff:127.0.0.1]:{local_http.port}", "[::1]:8001"))
    assert fetch(local_http.url("/plain"), policy=mapped).body == PLAIN_BODY
    check_url("http://[::1]:8001/", mapped)
    check_url(f"http://[::ffff:127.0.0.1]:{local_http.port}/", policy)
    with pytest.raises(FetchError):
        check_url("http://[::1]:8002/", mapped)


# --- fetch against the local server ------------------------------------------------------------


def test_it_fetches_a_plain_page_from_an_allowed_local_server(local_http: LocalHTTP) -> None:
    """The happy path: status, type, bytes, text and URLs."""
    url = local_http.url("/plain")
    page = fetch(url, policy=LOCAL)
    assert page.status_code == 200
    assert page.content_type == "text/plain"
    assert page.body == PLAIN_BODY
    assert page.text == PLAIN_BODY.decode()
    assert page.encoding == "utf-8"
    assert page.requested_url == page.final_url == url


def test_it_sends_its_user_agent(local_http: LocalHTTP) -> None:
    """Sites can identify the archiver."""
    fetch(local_http.url("/plain"), policy=LOCAL)
    assert local_http.seen[0].user_agent == LOCAL.user_agent


def test_it_refuses_the_same_local_server_with_the_default_policy(local_http: LocalHTTP) -> None:
    """Without the test allowance, loopback is refused and no request is sent."""
    assert _reason(lambda: fetch(local_http.url("/plain"), policy=FetchPolicy())) == (
        "blocked_address"
    )
    assert local_http.seen == []


def test_it_refuses_the_local_server_even_on_an_allowed_port(local_http: LocalHTTP) -> None:
    """Allowing the port does not allow the address."""
    policy = FetchPolicy(allowed_ports=(local_http.port,))
    assert _reason(lambda: fetch(local_http.url("/plain"), policy=policy)) == "blocked_address"
    assert local_http.seen == []


def test_it_decodes_a_page_with_its_declared_charset(local_http: LocalHTTP) -> None:
    """The Content-Type charset decides the decoding."""
    page = fetch(local_http.url("/html-charset"), policy=LOCAL)
    assert page.content_type == "text/html"
    assert "<title>Café</title>" in page.text
    assert "Crème brûlée" in page.text


def test_it_decodes_a_page_with_a_meta_charset(local_http: LocalHTTP) -> None:
    """Without a header charset, the document's own <meta charset> is used."""
    page = fetch(local_http.url("/meta-charset"), policy=LOCAL)
    assert page.encoding == "cp1252"
    assert "\u201cquoted\u201d" in page.text


def test_it_follows_five_redirects(local_http: LocalHTTP) -> None:
    """Five hops are allowed; the final URL is the last hop."""
    page = fetch(local_http.url("/redirect/5"), policy=LOCAL)
    assert page.body == b"arrived"
    assert page.final_url == local_http.url("/redirect/0")
    assert len(local_http.seen) == 6


def test_it_stops_at_the_sixth_redirect(local_http: LocalHTTP) -> None:
    """The sixth redirect is not followed."""
    assert _reason(lambda: fetch(local_http.url("/redirect/6"), policy=LOCAL)) == (
        "too_many_redirects"
    )
    assert "/redirect/0" not in local_http.paths


def test_it_refuses_a_redirect_to_the_metadata_address(
    local_http: LocalHTTP, internet: FakeInternet
) -> None:
    """Every hop is checked: a redirect cannot reach 169.254.169.254."""
    url = local_http.url("/redirect-to?url=http://169.254.169.254/latest/meta-data/")
    assert _reason(lambda: fetch(url, policy=LOCAL)) == "blocked_address"
    assert all(ip != "169.254.169.254" for ip, _port in internet.connects)


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("file:///etc/passwd", "bad_scheme"),
        ("http://user:pw@127.0.0.1/", "credentials"),
        ("http://[::1]/", "blocked_address"),
    ],
)
def test_it_checks_each_redirect_target(local_http: LocalHTTP, target: str, reason: str) -> None:
    """Scheme, credentials and address rules apply to redirect targets too."""
    url = local_http.url(f"/redirect-to?url={target}")
    assert _reason(lambda: fetch(url, policy=LOCAL)) == reason


def test_it_stops_a_gzip_bomb_at_the_decoded_size_cap(local_http: LocalHTTP) -> None:
    """The cap counts decoded bytes: 8 KiB on the wire, 8 MiB decoded, refused at 1 MiB."""
    policy = FetchPolicy(allowed_networks=LOCAL.allowed_networks, max_bytes=1024 * 1024)
    assert len(GZIP_BOMB) < policy.max_bytes
    assert _reason(lambda: fetch(local_http.url("/gzip-bomb"), policy=policy)) == "too_large"


def test_it_accepts_a_body_of_exactly_the_cap_and_refuses_one_byte_more(
    local_http: LocalHTTP,
) -> None:
    """The cap is inclusive."""
    policy = FetchPolicy(allowed_networks=LOCAL.allowed_networks, max_bytes=100_000)
    assert len(fetch(local_http.url("/sized?bytes=100000"), policy=policy).body) == 100_000
    assert _reason(lambda: fetch(local_http.url("/sized?bytes=100001"), policy=policy)) == (
        "too_large"
    )


def test_it_gives_up_on_a_trickling_body_at_the_deadline(local_http: LocalHTTP) -> None:
    """One byte every 0.5 s never trips a read timeout; the wall-clock deadline stops it."""
    policy = FetchPolicy(allowed_networks=LOCAL.allowed_networks, timeout=5.0, deadline=1.5)
    assert _reason(lambda: fetch(local_http.url("/trickle"), policy=policy)) == "timeout"
    # The fetcher hung up long before the server ran out of bytes to trickle.
    assert local_http.server.trickle_done.wait(timeout=10)
    assert local_http.server.trickle_sent < 40


def test_it_gives_up_on_trickling_headers_at_the_deadline(local_http: LocalHTTP) -> None:
    """The deadline also covers a server that never finishes its headers."""
    policy = FetchPolicy(allowed_networks=LOCAL.allowed_networks, timeout=5.0, deadline=1.5)
    assert _reason(lambda: fetch(local_http.url("/trickle-headers"), policy=policy)) == "timeout"
    assert local_http.server.trickle_done.wait(timeout=10)
    assert local_http.server.trickle_sent < 40


def test_it_times_out_a_server_that_does_not_answer(local_http: LocalHTTP) -> None:
    """A silent server trips the read timeout."""
    policy = FetchPolicy(allowed_networks=LOCAL.allowed_networks, timeout=0.5)
    assert _reason(lambda: fetch(local_http.url("/silent"), policy=policy)) == "timeout"


@pytest.mark.parametrize("path", ["/image", "/png-as-text", "/untyped"])
def test_it_refuses_what_is_not_a_text_page(local_http: LocalHTTP, path: str) -> None:
    """Images, binary bodies labelled as text, and untyped bodies are refused."""
    assert _reason(lambda: fetch(local_http.url(path), policy=LOCAL)) == "content_type"


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/broken", 500)])
def test_it_reports_an_error_status_with_its_code(
    local_http: LocalHTTP, path: str, status: int
) -> None:
    """A non-2xx final answer is an http_error carrying the status code."""
    with pytest.raises(FetchError) as caught:
        fetch(local_http.url(path), policy=LOCAL)
    assert caught.value.reason == "http_error"
    assert caught.value.status_code == status
    assert str(status) in str(caught.value)


def test_it_ignores_proxies_from_the_environment(
    local_http: LocalHTTP, monkeypatch: pytest.MonkeyPatch
) -> None:
    """trust_env is off: an HTTP_PROXY variable cannot reroute (or unguard) the fetch."""
    monkeypatch.setenv("HTTP_PROXY", "http://10.255.255.1:9")
    monkeypatch.setenv("http_proxy", "http://10.255.255.1:9")
    assert fetch(local_http.url("/plain"), policy=LOCAL).body == PLAIN_BODY


# --- fetch through the fake internet (DNS) -----------------------------------------------------


def test_it_fetches_a_public_name_and_sends_the_name_as_host(
    local_http: LocalHTTP, internet: FakeInternet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A public name resolves once through the seam, connects to its address and keeps its
    name in the Host header; nothing else in the stack looks the name up."""
    other_lookups: list[object] = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: other_lookups.append(args))
    page = fetch("http://news.example/plain", policy=FetchPolicy())
    assert page.body == PLAIN_BODY
    assert internet.lookups == ["news.example"]
    assert internet.connects == [(PUBLIC_IP, 80)]
    assert other_lookups == []
    assert local_http.seen[0].host == "news.example"


def test_it_refuses_a_name_that_resolves_to_a_private_address(internet: FakeInternet) -> None:
    """DNS pointing at the inside is refused before connecting."""
    internet.dns["intranet.example"] = ["10.0.0.5"]
    url = "http://intranet.example/"
    assert _reason(lambda: fetch(url, policy=FetchPolicy())) == "blocked_address"
    assert internet.connects == []


def test_it_refuses_a_name_when_any_answer_is_private(internet: FakeInternet) -> None:
    """A public answer does not excuse a private one next to it."""
    internet.dns["mixed.example"] = [PUBLIC_IP, "169.254.169.254"]
    assert _reason(lambda: fetch("http://mixed.example/", policy=FetchPolicy())) == (
        "blocked_address"
    )
    assert internet.connects == []


def test_it_refuses_a_redirect_from_a_public_site_to_loopback(
    local_http: LocalHTTP, internet: FakeInternet
) -> None:
    """Without the allowance, a public page cannot bounce the fetcher to 127.0.0.1."""
    url = "http://news.example/redirect-to?url=http://127.0.0.1/admin"
    assert _reason(lambda: fetch(url, policy=FetchPolicy())) == "blocked_address"
    assert internet.connects == [(PUBLIC_IP, 80)]


def test_it_connects_to_the_checked_answer_when_dns_rebinds(
    local_http: LocalHTTP, internet: FakeInternet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Resolve once, connect to that answer: a second, private answer is never used."""
    answers = [[PUBLIC_IP], ["127.0.0.1"], ["127.0.0.1"]]
    lookups: list[str] = []

    def rebinding_resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return answers[len(lookups) - 1]

    monkeypatch.setattr(fetching, "_resolve", rebinding_resolve)
    page = fetch("http://rebind.example/plain", policy=FetchPolicy())
    assert page.body == PLAIN_BODY
    assert lookups == ["rebind.example"]
    assert internet.connects == [(PUBLIC_IP, 80)]
    assert local_http.seen[0].host == "rebind.example"


def test_it_refuses_a_rebinding_name_on_its_next_connection(
    local_http: LocalHTTP, internet: FakeInternet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each new connection resolves and checks again, so the private answer is refused."""
    answers = [[PUBLIC_IP], ["127.0.0.1"]]
    lookups: list[str] = []

    def rebinding_resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return answers[min(len(lookups), len(answers)) - 1]

    monkeypatch.setattr(fetching, "_resolve", rebinding_resolve)
    url = "http://rebind.example/redirect/1"
    assert _reason(lambda: fetch(url, policy=FetchPolicy())) == "blocked_address"
    assert internet.connects == [(PUBLIC_IP, 80)]


def test_it_checks_the_port_of_a_name_once_it_is_resolved(internet: FakeInternet) -> None:
    """An odd port is allowed only when the name resolves into an allowed network."""
    assert _reason(lambda: fetch("http://news.example:8080/", policy=LOCAL)) == "bad_port"
    assert internet.connects == []


# --- TLS ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def news_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate (and key) for news.example, made with the openssl CLI."""
    if shutil.which("openssl") is None:
        message = "the openssl command makes the test certificate: run scripts/ensure-browser.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # CI installs it; a TLS check skipped there proves nothing
        pytest.skip(message)
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
         "-subj", "/CN=news.example", "-addext", "subjectAltName=DNS:news.example",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,digitalSignature,keyCertSign"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass
class LocalHTTPS:
    """A running local TLS server and the SNI names its clients sent."""

    port: int
    server_names: list[str | None]


@pytest.fixture
def local_https(news_certificate: tuple[Path, Path]) -> Iterator[LocalHTTPS]:
    """The local_http routes over TLS with the news.example certificate, on 127.0.0.1."""
    cert, key = news_certificate
    server_names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _socket, name, _context: server_names.append(name)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.seen = []
    server.trickle_done = threading.Event()
    server.trickle_sent = 0
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield LocalHTTPS(port=server.server_address[1], server_names=server_names)
    finally:
        server.shutdown()
        server.server_close()


def test_it_verifies_tls_against_the_host_name_while_connecting_to_the_checked_address(
    internet: FakeInternet,
    local_https: LocalHTTPS,
    news_certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The socket goes to the pinned address; SNI and the certificate check use the name."""
    internet.routes[(PUBLIC_IP, 443)] = ("127.0.0.1", local_https.port)
    # Trust the test certificate the way requests finds its default CA bundle.
    monkeypatch.setattr("requests.adapters.DEFAULT_CA_BUNDLE_PATH", str(news_certificate[0]))
    page = fetch("https://news.example/plain", policy=FetchPolicy())
    assert page.body == PLAIN_BODY
    assert internet.connects == [(PUBLIC_IP, 443)]
    assert local_https.server_names == ["news.example"]


def test_it_refuses_a_certificate_for_another_name(
    internet: FakeInternet,
    local_https: LocalHTTPS,
    news_certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pinning the address does not weaken verification: a name mismatch still fails."""
    internet.dns["other.example"] = [PUBLIC_IP]
    internet.routes[(PUBLIC_IP, 443)] = ("127.0.0.1", local_https.port)
    monkeypatch.setattr("requests.adapters.DEFAULT_CA_BUNDLE_PATH", str(news_certificate[0]))
    with pytest.raises(FetchError) as caught:
        fetch("https://other.example/plain", policy=FetchPolicy())
    assert caught.value.reason == "tls"
    assert "TLS" in str(caught.value)


def test_it_refuses_an_untrusted_certificate(
    internet: FakeInternet, local_https: LocalHTTPS
) -> None:
    """With the normal trust store a self-signed certificate is refused."""
    internet.routes[(PUBLIC_IP, 443)] = ("127.0.0.1", local_https.port)
    assert _reason(lambda: fetch("https://news.example/plain", policy=FetchPolicy())) == "tls"


# --- settings -----------------------------------------------------------------------------------


def test_it_builds_the_policy_from_settings(settings: Any) -> None:
    """The FACTCHECK_FETCH_* settings reach the policy."""
    settings.FACTCHECK_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.FACTCHECK_FETCH_MAX_BYTES = 1234
    settings.FACTCHECK_FETCH_TIMEOUT = 2.5
    settings.FACTCHECK_FETCH_DEADLINE = 7.0
    policy = fetching.policy_from_settings()
    assert policy == FetchPolicy(
        allowed_networks=("127.0.0.0/8",), max_bytes=1234, timeout=2.5, deadline=7.0
    )


# --- post_json (webhooks) -----------------------------------------------------------------------


@dataclass
class SeenPost:
    """A POST the local server received."""

    path: str
    headers: dict[str, str]
    body: bytes


class _PostServer(ThreadingHTTPServer):
    daemon_threads = True
    posts: list[SeenPost]


class _PostHandler(BaseHTTPRequestHandler):
    """Routes for the POST tests; every request gets a fresh connection (HTTP/1.0)."""

    server: _PostServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.posts.append(
            SeenPost(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        )
        if self.path == "/accepted":
            self._answer(202, b'{"ok": true}', "application/json")
        elif self.path == "/large":
            self._answer(500, b"e" * 100_000, "text/html")
        elif self.path == "/moved":
            self.send_response(307)
            self.send_header("Location", "/accepted")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(3)
            try:
                self._answer(200, b"late", "text/plain")
            except OSError:
                pass  # the client has long hung up, as it should
        else:
            self._answer(404, b"no such hook", "text/plain")

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def post_server() -> Iterator[tuple[str, list[SeenPost]]]:
    """A local server answering POSTs; yields its base URL and the POSTs it received."""
    server = _PostServer(("127.0.0.1", 0), _PostHandler)
    server.posts = posts = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", posts
    finally:
        server.shutdown()
        server.server_close()


def test_post_json_sends_the_body_and_headers_and_returns_the_answer(
    post_server: tuple[str, list[SeenPost]],
) -> None:
    """The body goes out as JSON with the caller's headers; the answer comes back as a result."""
    base, posts = post_server
    result = fetching.post_json(
        base + "/accepted", body=b'{"a":1}', headers={"webhook-id": "msg_1"}, policy=LOCAL
    )
    assert result.status_code == 202 and result.ok
    assert result.excerpt == '{"ok": true}' and result.truncated is False
    assert result.content_type == "application/json"
    assert [post.body for post in posts] == [b'{"a":1}']
    assert posts[0].headers["content-type"] == "application/json"
    assert posts[0].headers["webhook-id"] == "msg_1"


def test_post_json_refuses_a_private_address_unless_its_network_is_allowed(
    post_server: tuple[str, list[SeenPost]],
) -> None:
    """Loopback is refused by the default policy, before anything is sent."""
    base, posts = post_server
    with pytest.raises(FetchError) as caught:
        fetching.post_json(base + "/accepted", body=b"{}", headers={}, policy=FetchPolicy())
    assert caught.value.reason == "blocked_address"
    assert posts == []
    allowed = FetchPolicy(allowed_networks=("127.0.0.1/32",))
    assert fetching.post_json(base + "/accepted", body=b"{}", headers={}, policy=allowed).ok


def test_post_json_refuses_a_name_that_resolves_to_a_private_address(
    internet: FakeInternet,
) -> None:
    """The same resolve-once check as fetch: a name pointing at 10.0.0.5 is refused."""
    internet.dns["cms.example"] = ["10.0.0.5"]
    with pytest.raises(FetchError) as caught:
        fetching.post_json("http://cms.example/hook", body=b"{}", headers={}, policy=FetchPolicy())
    assert caught.value.reason == "blocked_address"
    assert internet.connects == []


def test_post_json_reports_a_redirect_without_following_it(
    post_server: tuple[str, list[SeenPost]],
) -> None:
    """A 3xx is not acceptance, and the body is never re-sent to where it points."""
    base, posts = post_server
    result = fetching.post_json(base + "/moved", body=b"{}", headers={}, policy=LOCAL)
    assert result.status_code == 307 and not result.ok
    assert result.location == "/accepted"
    assert [post.path for post in posts] == ["/moved"]


def test_post_json_keeps_only_a_capped_excerpt_of_the_answer(
    post_server: tuple[str, list[SeenPost]],
) -> None:
    """A 100 KB error page is cut to the excerpt, whatever its type; the status still counts."""
    base, _posts = post_server
    result = fetching.post_json(
        base + "/large", body=b"{}", headers={}, policy=LOCAL, excerpt_bytes=300
    )
    assert result.status_code == 500
    assert result.excerpt == "e" * 300 and result.truncated is True


def test_post_json_gives_up_at_the_deadline(post_server: tuple[str, list[SeenPost]]) -> None:
    """A CMS that takes longer than the deadline to answer is a timeout, well before it answers."""
    base, _posts = post_server
    policy = FetchPolicy(allowed_networks=LOCAL.allowed_networks, timeout=5.0, deadline=0.5)
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetching.post_json(base + "/slow", body=b"{}", headers={}, policy=policy)
    assert caught.value.reason == "timeout"
    assert time.monotonic() - started < 2.5


def test_a_refused_connection_is_reported_as_refused_not_a_timeout() -> None:
    """urllib3 2 files "connection refused" under its timeouts; the reason says what it was."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the request: nothing listens there
    for call in (
        lambda: fetch(f"http://127.0.0.1:{port}/", policy=LOCAL),
        lambda: fetching.post_json(
            f"http://127.0.0.1:{port}/", body=b"{}", headers={}, policy=LOCAL
        ),
    ):
        assert _reason(call) == "refused"


# --- error classification -----------------------------------------------------------------------


def test_a_server_trickling_headers_before_its_type_is_a_timeout_not_a_type_error(
    local_http: LocalHTTP,
) -> None:
    """Cut mid-headers, http.client may hand over a response with no Content-Type."""
    policy = FetchPolicy(allowed_networks=LOCAL.allowed_networks, timeout=5.0, deadline=1.0)
    with pytest.raises(FetchError) as caught:
        fetch(local_http.url("/trickle-before-type"), policy=policy)
    assert caught.value.reason == "timeout"
    assert "headers" in str(caught.value)
    assert fetching.is_transient(caught.value)


def test_a_trickling_body_times_out_in_the_body_phase(local_http: LocalHTTP) -> None:
    policy = FetchPolicy(allowed_networks=LOCAL.allowed_networks, timeout=5.0, deadline=1.0)
    with pytest.raises(FetchError) as caught:
        fetch(local_http.url("/trickle"), policy=policy)
    assert caught.value.reason == "timeout" and "body" in str(caught.value)


def test_a_silent_server_times_out_waiting_for_headers(local_http: LocalHTTP) -> None:
    policy = FetchPolicy(allowed_networks=LOCAL.allowed_networks, timeout=0.5)
    with pytest.raises(FetchError) as caught:
        fetch(local_http.url("/silent"), policy=policy)
    assert caught.value.reason == "timeout" and "headers" in str(caught.value)


def test_a_connect_timeout_names_the_connect_phase(monkeypatch: pytest.MonkeyPatch) -> None:
    def never_connects(*args: Any, **kwargs: Any) -> socket.socket:
        raise TimeoutError("timed out")

    monkeypatch.setattr(fetching, "_open_connection", never_connects)
    with pytest.raises(FetchError) as caught:
        fetch("http://127.0.0.1:9/", policy=LOCAL)
    assert caught.value.reason == "timeout" and "connecting" in str(caught.value)


def test_a_name_that_does_not_resolve_is_a_dns_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_name(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(fetching.socket, "getaddrinfo", no_such_name)
    with pytest.raises(FetchError) as caught:
        fetch("http://no-such-host.example/", policy=FetchPolicy())
    assert caught.value.reason == "dns"
    assert str(caught.value) == "Could not resolve no-such-host.example: Name or service not known."


@pytest.mark.parametrize(
    ("reason", "status", "transient"),
    [
        ("dns", None, True),
        ("refused", None, True),
        ("connection", None, True),
        ("timeout", None, True),
        ("tls", None, False),
        ("too_large", None, False),
        ("blocked_address", None, False),
        ("bad_port", None, False),
        ("content_type", None, False),
        ("too_many_redirects", None, False),
        ("http_error", 404, False),
        ("http_error", 410, False),
        ("http_error", 429, True),
        ("http_error", 500, True),
        ("http_error", 503, True),
    ],
)
def test_it_classifies_errors_as_transient_or_permanent(
    reason: str, status: int | None, transient: bool
) -> None:
    assert fetching.is_transient(FetchError(reason, "x", status_code=status)) is transient


def test_a_fetched_page_keeps_the_selected_headers(local_http: LocalHTTP) -> None:
    page = fetch(local_http.url("/plain"), policy=LOCAL)
    assert page.headers["content-type"] == "text/plain; charset=utf-8"
    assert set(page.headers) <= set(fetching.SNAPSHOT_HEADERS)
