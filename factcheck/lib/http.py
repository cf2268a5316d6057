"""The guarded HTTP fetcher: the only module that imports the HTTP client.

Fetching user-supplied URLs on the server is a server-side request forgery (SSRF) risk, so every
socket this module opens goes through a `_Guard`:

- the URL is normalised and checked before any I/O (http/https only, no credentials, allowed
  ports, odd IPv4 spellings such as `2130706433` folded to `127.0.0.1` first);
- the host is resolved once per connection, the connection is refused if ANY answer is not a
  public address (unless it is in `FetchPolicy.allowed_networks`), and the socket connects to
  one of those checked answers, never to a second lookup (DNS rebinding). TLS still sends SNI
  and verifies the certificate against the host name, because urllib3 keeps the name as the
  connection's host and only the socket is opened by us;
- redirects are followed here, one hop at a time, so every hop goes through the same checks
  (`post_json`, for webhooks, follows none: it reports the 3xx);
- a watchdog thread enforces the wall-clock deadline by shutting the sockets down, because
  per-read timeouts never fire against a server that trickles one byte at a time (and no
  per-read check runs while http.client waits for headers or a buffered read fills);
- the decoded body (after gzip) is capped, so a small gzip bomb cannot fill the memory.

Why not requests-hardened: its filter (1.3.0) checks only the first DNS answer, allows loopback
as a yes/no switch rather than a list of networks, and resolves with `socket.getaddrinfo`
directly, leaving tests no seam. Its approach (pin the checked address below requests, keep the
host name for TLS) is the one used here.

No Django here except `policy_from_settings`, which imports settings when called.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from factcheck.lib.htmltext import decode_with_encoding, sniff_html_charset
from factcheck.lib.urls import DEFAULT_PORTS, FetchError, IPAddress, normalise_url, parse_ip

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
SocketOptions = Sequence[tuple[int, int, int | bytes]]

_CHUNK_SIZE = 64 * 1024
# Response headers kept with an archived page: what it was, when, and how the server saw it.
SNAPSHOT_HEADERS = (
    "content-type",
    "content-length",
    "content-language",
    "date",
    "last-modified",
    "etag",
    "cache-control",
    "server",
)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

# Ranges that are not public but that `ipaddress` (depending on the Python release) may call
# global, or that tunnel to IPv4 space we cannot see. Checked in addition to its flags.
_BLOCKED_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches the local host on Linux
        "100.64.0.0/10",  # carrier-grade NAT, often routes to internal workloads
        "192.0.0.0/24",  # IETF protocol assignments
        "192.88.99.0/24",  # 6to4 relay anycast
        "198.18.0.0/15",  # benchmarking
        "240.0.0.0/4",  # reserved
        "255.255.255.255/32",  # broadcast
        "::/96",  # deprecated IPv4-compatible IPv6
        "100::/64",  # discard-only
        "64:ff9b:1::/48",  # local-use NAT64
        "2001::/32",  # Teredo: embeds (obfuscated) IPv4 addresses
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4: embeds an IPv4 address
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # deprecated site-local
        "ff00::/8",  # multicast
    )
)
# The well-known NAT64 prefix: on an IPv6-only network with DNS64 every IPv4-only site gets an
# address in it, so it is judged by the IPv4 address it embeds (64:ff9b::a9fe:a9fe is the
# metadata service 169.254.169.254).
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True)
class FetchPolicy:
    """What a fetch may reach and how much it may cost."""

    # Networks allowed even though they are not public (tests: ("127.0.0.0/8",)). Any port is
    # allowed on them, because test servers listen on random ports.
    allowed_networks: tuple[str, ...] = ()
    # Single addresses with one port each ("127.0.0.1:8001", "[::1]:8001") allowed although not
    # public: `make run`'s demo source pages. Only that port: Redis on the same address stays
    # out of reach.
    allowed_origins: tuple[str, ...] = ()
    allowed_ports: tuple[int, ...] = (80, 443)
    # Cap on the decoded body: a 51 KiB gzip can expand to 50 MiB.
    max_bytes: int = 5 * 1024 * 1024
    # Connect and per-read timeout, in seconds.
    timeout: float = 10.0
    # Wall-clock limit for the whole fetch, redirects included, in seconds.
    deadline: float = 20.0
    max_redirects: int = 5
    allowed_content_types: tuple[str, ...] = ("text/html", "application/xhtml+xml", "text/plain")
    user_agent: str = "factcheck/1.0 (+source archiver)"

    def __post_init__(self) -> None:
        # Fail when the policy is built (settings load), not on the first fetch.
        _parse_networks(self.allowed_networks)
        parse_origins(self.allowed_origins)
        if self.max_bytes <= 0 or self.timeout <= 0 or self.deadline <= 0:
            raise ValueError("FetchPolicy max_bytes, timeout and deadline must be positive.")
        if self.max_redirects < 0:
            raise ValueError("FetchPolicy max_redirects cannot be negative.")

    @property
    def networks(self) -> tuple[IPNetwork, ...]:
        """The allowed networks, parsed."""
        return _parse_networks(self.allowed_networks)

    @property
    def origins(self) -> frozenset[tuple[IPAddress, int]]:
        """The allowed (address, port) pairs, parsed."""
        return parse_origins(self.allowed_origins)


@dataclass(frozen=True)
class FetchedPage:
    """A fetched page: the body as bytes and as text. URLs are in `normalise_url` form."""

    requested_url: str
    final_url: str
    status_code: int
    content_type: str  # media type only, lower case, e.g. "text/html"
    body: bytes
    encoding: str  # Python codec name the text was decoded with
    text: str
    # The response headers worth archiving (SNAPSHOT_HEADERS), lower-case names.
    headers: Mapping[str, str] = field(default_factory=dict)


@functools.lru_cache(maxsize=32)
def _parse_networks(networks: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """Parse CIDR strings, raising ValueError that names the bad one."""
    parsed: list[IPNetwork] = []
    for network in networks:
        try:
            parsed.append(ipaddress.ip_network(network, strict=False))
        except ValueError as error:
            raise ValueError(f"Invalid network in allowed_networks: {network!r}") from error
    return tuple(parsed)


@functools.lru_cache(maxsize=32)
def parse_origins(origins: tuple[str, ...]) -> frozenset[tuple[IPAddress, int]]:
    """Parse "127.0.0.1:8001" / "[::1]:8001" strings, raising ValueError that names the bad one.

    Loopback addresses only (what `make run`'s demo source server listens on), IPv6 in
    brackets, the port in digits.
    """
    parsed: set[tuple[IPAddress, int]] = set()
    for origin in origins:
        host, separator, port = origin.strip().rpartition(":")
        bracketed = host.startswith("[") and host.endswith("]")
        written: IPAddress | None = None
        try:
            written = ipaddress.ip_address(host[1:-1] if bracketed else host)
        except ValueError:
            pass
        if (
            not separator
            or written is None
            or (written.version == 6) != bracketed
            or not _unmapped(written).is_loopback
            or not (port.isascii() and port.isdigit() and 0 < int(port) < 65536)
        ):
            raise ValueError(
                f"Invalid origin in allowed_origins: {origin!r} (a loopback IP:port, such as "
                "127.0.0.1:8001 or [::1]:8001)"
            )
        parsed.add((_unmapped(written), int(port)))
    return frozenset(parsed)


# --- Addresses ---------------------------------------------------------------------------------


def _is_public(address: IPAddress) -> bool:
    """Whether an address is publicly routable, refusing every special-purpose range."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return _is_public(address.ipv4_mapped)
        if address in _NAT64:
            return _is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or any(address in network for network in _BLOCKED_NETWORKS)
    ):
        return False
    return address.is_global


def _unmapped(address: IPAddress) -> IPAddress:
    """An IPv4-mapped IPv6 address as the IPv4 address it is; any other address as it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _in_allowed_networks(address: IPAddress, policy: FetchPolicy) -> bool:
    """Whether the policy explicitly allows this address (IPv4-mapped IPv6 counts as IPv4)."""
    address = _unmapped(address)
    return any(address in network for network in policy.networks)


def _check_address(address: IPAddress, port: int, host: str, policy: FetchPolicy) -> None:
    """Raise FetchError unless the policy lets us connect to this address and port."""
    if (_unmapped(address), port) in policy.origins:
        return
    allowed_network = _in_allowed_networks(address, policy)
    if not allowed_network and not _is_public(address):
        shown = host if host == str(address) else f"{host} ({address})"
        raise FetchError("blocked_address", f"{shown} is not a public address.")
    if port not in policy.allowed_ports and not allowed_network:
        raise FetchError("bad_port", f"Port {port} is not allowed for {host}.")


def _is_localhost_name(host: str) -> bool:
    """`localhost` and `*.localhost` always mean this machine (RFC 6761), whatever DNS says."""
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def _resolve(host: str, port: int) -> list[str]:
    """Resolve a host name to its IP addresses, in the resolver's order. A seam for tests."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        # The resolver's words without its "[Errno -2]" prefix, which means nothing to a reader.
        why = (error.strerror if isinstance(error, OSError) else None) or str(error)
        raise FetchError("dns", f"Could not resolve {host}: {why}.") from error
    addresses: list[str] = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6) and sockaddr[0] not in addresses:
            addresses.append(str(sockaddr[0]))
    return addresses


def _open_connection(
    address: tuple[str, int], timeout: float, socket_options: SocketOptions | None
) -> socket.socket:
    """Connect a TCP socket to an already checked IP address, with no name lookup at all.

    A seam for tests: they wrap it to see where connections really go.
    """
    ip, port = address
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        for level, option, value in socket_options or ():
            sock.setsockopt(level, option, value)
        sock.settimeout(timeout)
        sock.connect((ip, port))
    except BaseException:
        sock.close()
        raise
    return sock


def check_url(url: str, policy: FetchPolicy) -> None:
    """Refuse a URL the policy never allows, before any I/O.

    Checks the scheme, credentials and host (via `normalise_url`), `localhost` names, IP
    literals and the port. A host name on a port outside `allowed_ports` is refused here unless
    the policy has allowed networks; then the port is checked once the name is resolved.
    """
    parts = urlsplit(normalise_url(url))
    host = parts.hostname or ""
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    if _is_localhost_name(host):
        raise FetchError("blocked_address", f"{host} is this machine.")
    address = parse_ip(host)
    if address is not None:
        _check_address(address, port, host, policy)
    elif port not in policy.allowed_ports and not policy.allowed_networks:
        raise FetchError("bad_port", f"Port {port} is not allowed for {host}.")


# --- The guarded transport ---------------------------------------------------------------------


class _Guard:
    """Per-fetch state: the policy, the wall-clock deadline and the connections it may cut."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy
        self.deadline_at = time.monotonic() + policy.deadline
        self.expired = False
        self._lock = threading.Lock()
        # Duplicates of every socket opened, for the watchdog (see `watch`).
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(policy.deadline, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Guard:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        self._timer.join()
        with self._lock:
            for duplicate in self._sockets:
                duplicate.close()
            self._sockets.clear()

    def remaining(self) -> float:
        """Seconds left before the deadline."""
        return self.deadline_at - time.monotonic()

    def raise_if_expired(self, phase: str = "", url: str = "") -> None:
        """Raise the timeout error once the deadline has passed, naming the phase if known."""
        if self.expired or self.remaining() <= 0:
            where = f"Timed out {_PHASES[phase]} {url}: t" if phase else "T"
            raise FetchError(
                "timeout", f"{where}he fetch took longer than {self.policy.deadline:g} s."
            )

    def clamp_timeout(self, timeout: float | None) -> float:
        """The socket timeout to use now: the policy's, never past the deadline."""
        self.raise_if_expired()
        limit = self.policy.timeout if timeout is None else min(timeout, self.policy.timeout)
        return max(0.001, min(limit, self.remaining()))

    def addresses_for(self, host: str, port: int) -> list[str]:
        """Resolve `host` once and return its addresses, refusing if ANY of them is blocked."""
        if _is_localhost_name(host):
            raise FetchError("blocked_address", f"{host} is this machine.")
        literal = parse_ip(host)
        addresses = [str(literal)] if literal is not None else _resolve(host, port)
        if not addresses:
            raise FetchError("dns", f"{host} has no address.")
        for address in addresses:
            parsed = parse_ip(address)
            if parsed is None:
                raise FetchError("connection", f"{host} resolved to {address!r}.")
            # A mix of public and private answers is refused: a rebinding server can order
            # them however it likes, and the connection may fall back to any of them.
            _check_address(parsed, port, host, self.policy)
        return addresses

    def watch(self, sock: socket.socket) -> None:
        """Let the watchdog cut this socket at the deadline.

        The watchdog shuts down a duplicate file descriptor that only the guard closes: the
        original is closed by http.client whenever it likes (often handing it to the response
        first), and shutting down a descriptor another thread may have closed and the OS
        reused would hit an unrelated socket. shutdown() acts on the shared connection, so the
        duplicate interrupts reads on the original, TLS included.
        """
        with self._lock:
            duplicate = sock.dup()
            self._sockets.append(duplicate)
            if self.expired:
                with contextlib.suppress(OSError):
                    duplicate.shutdown(socket.SHUT_RDWR)

    def _expire(self) -> None:
        # Runs on the timer thread; shutdown() wakes a recv() blocked in the fetching thread.
        with self._lock:
            self.expired = True
            for duplicate in self._sockets:
                with contextlib.suppress(OSError):
                    duplicate.shutdown(socket.SHUT_RDWR)


class _GuardedHTTPConnection(HTTPConnection):
    """An urllib3 connection whose socket is opened by the guard, to a checked address.

    Only the socket is ours: `host` stays the name, so the Host header, SNI and certificate
    verification (in the HTTPS subclass) all use the name, as they must.
    """

    def __init__(self, *args: Any, fetch_guard: _Guard, **kwargs: Any) -> None:
        self._fetch_guard = fetch_guard
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        guard = self._fetch_guard
        addresses = guard.addresses_for(self._dns_host, self.port or self.default_port)
        failure: OSError | None = None
        for address in addresses:
            try:
                sock = _open_connection(
                    (address, self.port or self.default_port),
                    guard.clamp_timeout(self.timeout),
                    self.socket_options,
                )
            except TimeoutError as error:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from error
            except OSError as error:
                failure = error
                continue
            guard.watch(sock)
            return sock
        # Chained, so the error's reason (refused, unreachable) survives classification.
        raise NewConnectionError(self, f"Failed to connect to {self.host}: {failure}") from failure


class _GuardedHTTPSConnection(_GuardedHTTPConnection, HTTPSConnection):
    """The HTTPS variant: urllib3 wraps our socket in TLS for `host` (the name)."""


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedPoolManager(urllib3.PoolManager):
    """A pool manager whose pools open guarded connections only."""

    def __init__(self, guard: _Guard, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._fetch_guard = guard
        self.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}

    def _new_pool(
        self,
        scheme: str,
        host: str,
        port: int,
        request_context: dict[str, Any] | None = None,
    ) -> HTTPConnectionPool:
        context = dict(self.connection_pool_kw if request_context is None else request_context)
        # Handed by the pool to every connection it creates (urllib3's conn_kw).
        context["fetch_guard"] = self._fetch_guard
        return super()._new_pool(scheme, host, port, context)


class _GuardedAdapter(HTTPAdapter):
    """A requests adapter over the guarded pool manager; proxies are refused."""

    def __init__(self, guard: _Guard) -> None:
        self._fetch_guard = guard  # before super().__init__, which builds the pool manager
        super().__init__(max_retries=0)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        self._pool_connections = connections
        self._pool_maxsize = maxsize
        self._pool_block = block
        self.poolmanager = _GuardedPoolManager(
            self._fetch_guard, num_pools=connections, maxsize=maxsize, block=block, **pool_kwargs
        )

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        # A proxy would open connections the guard never sees.
        raise FetchError("connection", "The fetcher does not use proxies.")


# --- Fetching ----------------------------------------------------------------------------------


def _is_timeout(error: BaseException) -> bool:
    """Whether an error (possibly wrapped by requests or urllib3) is a timeout."""
    # urllib3 2 makes NewConnectionError (refused, unreachable) a ConnectTimeoutError subclass
    # for backwards compatibility, and requests wraps it in ConnectTimeout: neither is a timeout.
    if _is_refused(error) or any(
        isinstance(current, NewConnectionError) for current in _error_chain(error)
    ):
        return False
    return any(
        isinstance(current, requests.Timeout | TimeoutError)
        or isinstance(current, urllib3.exceptions.TimeoutError)
        for current in _error_chain(error)
    )


def _error_chain(error: BaseException) -> Iterator[BaseException]:
    """Every exception wrapped inside `error` (args, reason, cause, context), itself first."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            pending.append(reason)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                pending.append(linked)


def _is_refused(error: BaseException) -> bool:
    """Whether the server's host answered the connection with a refusal (nothing listens)."""
    return any(isinstance(current, ConnectionRefusedError) for current in _error_chain(error))


def _is_tls(error: BaseException) -> bool:
    """Whether the TLS handshake or certificate check failed."""
    return any(
        isinstance(current, requests.exceptions.SSLError | ssl.SSLError)
        for current in _error_chain(error)
    )


# Where a fetch was when it timed out, in words for the message.
_PHASES = {
    "connect": "connecting to",
    "headers": "waiting for the headers of",
    "body": "reading the body of",
}

# Failures that may pass on their own, so a fetch is tried again later. The rest (a refused
# address, a page too large, a 404, an image) would fail the same way every time.
TRANSIENT_REASONS = frozenset({"dns", "refused", "connection", "timeout"})
# HTTP statuses worth another try: server errors, and "too early / too many / request timeout".
_TRANSIENT_STATUSES = frozenset({408, 425, 429})


def is_transient(error: FetchError) -> bool:
    """Whether a failed fetch may succeed if tried again later."""
    if error.reason == "http_error":
        status = error.status_code or 0
        return status >= 500 or status in _TRANSIENT_STATUSES
    return error.reason in TRANSIENT_REASONS


@contextlib.contextmanager
def _translated_errors(guard: _Guard, url: str, phase: str = "headers") -> Iterator[None]:
    """Turn transport errors into FetchError with a reason that says what went wrong.

    Reasons: timeout (past the deadline, or a connect/read timeout, with the phase in the
    message), refused, tls, connection (anything else on the wire).
    """
    try:
        yield
    except FetchError:
        raise
    except (
        requests.RequestException,
        urllib3.exceptions.HTTPError,
        http.client.HTTPException,
        OSError,
    ) as error:
        if guard.expired:
            raise FetchError(
                "timeout",
                f"Timed out {_PHASES[phase]} {url}: the fetch took longer than "
                f"{guard.policy.deadline:g} s.",
            ) from error
        if _is_timeout(error):
            timed_out_phase = (
                "connect"
                if any(isinstance(e, ConnectTimeoutError) for e in _error_chain(error))
                else phase
            )
            raise FetchError(
                "timeout",
                f"Timed out {_PHASES[timed_out_phase]} {url}: no answer within "
                f"{guard.policy.timeout:g} s.",
            ) from error
        if _is_refused(error):
            raise FetchError(
                "refused", f"Could not fetch {url}: the connection was refused."
            ) from error
        if _is_tls(error):
            raise FetchError("tls", f"TLS failed for {url}: {error}") from error
        raise FetchError("connection", f"Could not fetch {url}: {error}") from error


def _media_type(header: str) -> tuple[str, dict[str, str]]:
    """Split a Content-Type header into its lower-case media type and its parameters."""
    media_type, *raw_params = header.split(";")
    params: dict[str, str] = {}
    for raw in raw_params:
        name, _equals, value = raw.partition("=")
        params[name.strip().lower()] = value.strip().strip("\"'")
    return media_type.strip().lower(), params


def _read_body(response: requests.Response, guard: _Guard, url: str) -> bytes:
    """Read the decoded body, refusing it past `max_bytes` or past the deadline."""
    max_bytes = guard.policy.max_bytes
    length = response.headers.get("Content-Length", "")
    if (
        length.isdigit()
        and int(length) > max_bytes
        and not response.headers.get("Content-Encoding")
    ):
        raise FetchError("too_large", f"{url} is larger than {max_bytes} bytes.")
    chunks: list[bytes] = []
    total = 0
    with _translated_errors(guard, url, "body"):
        # iter_content decompresses in bounded steps (urllib3 2.6+), so counting decoded
        # chunks stops a gzip bomb after max_bytes, not after it has filled the memory.
        for chunk in response.iter_content(chunk_size=_CHUNK_SIZE):
            total += len(chunk)
            if total > max_bytes:
                raise FetchError("too_large", f"{url} is larger than {max_bytes} bytes.")
            guard.raise_if_expired("body", url)
            chunks.append(chunk)
    # The watchdog may have cut the socket so that the body merely looks finished.
    guard.raise_if_expired("body", url)
    return b"".join(chunks)


def _page_from_response(
    response: requests.Response, guard: _Guard, requested_url: str, final_url: str
) -> FetchedPage:
    """Check the final response's status and type, then read and decode its body."""
    # A server that trickles its headers is cut by the watchdog, and http.client may then
    # hand over the half it read as if complete: that is a timeout, not a missing type.
    guard.raise_if_expired("headers", final_url)
    status = response.status_code
    if not 200 <= status < 300:
        raise FetchError(
            "http_error",
            f"{final_url} answered {status} {response.reason or ''}".rstrip() + ".",
            status_code=status,
        )
    media_type, params = _media_type(response.headers.get("Content-Type", ""))
    if media_type not in guard.policy.allowed_content_types:
        raise FetchError(
            "content_type", f"{final_url} is {media_type or 'of no stated type'}, not a page."
        )
    body = _read_body(response, guard, final_url)
    declared = params.get("charset") or (
        sniff_html_charset(body) if media_type in _HTML_TYPES else None
    )
    try:
        text, encoding = decode_with_encoding(body, declared)
    except ValueError as error:
        raise FetchError("content_type", f"{final_url}: {error}") from error
    return FetchedPage(
        requested_url=requested_url,
        final_url=final_url,
        status_code=status,
        content_type=media_type,
        body=body,
        encoding=encoding,
        text=text,
        headers={
            name: response.headers[name][:500]
            for name in SNAPSHOT_HEADERS
            if name in response.headers
        },
    )


@contextlib.contextmanager
def _guarded_session(guard: _Guard) -> Iterator[requests.Session]:
    """A requests session whose every connection goes through the guard."""
    with requests.Session() as session:
        session.trust_env = False  # no proxies, .netrc or CA bundles from the environment
        adapter = _GuardedAdapter(guard)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers["User-Agent"] = guard.policy.user_agent
        yield session


def fetch(url: str, *, policy: FetchPolicy) -> FetchedPage:
    """GET a page under the policy, following redirects, and return its body and text.

    Steps: normalise the URL; for each hop check it statically, send the request through the
    guarded transport (resolve once, refuse non-public answers, connect to a checked answer),
    and on a redirect normalise the target and loop, at most `max_redirects` times. The final
    response must be 2xx with an allowed content type; its decoded body is capped, then turned
    into text (declared charset, `<meta>` charset, else detection). Everything runs under the
    wall-clock deadline. Raises FetchError.
    """
    requested_url = normalise_url(url)
    current = requested_url
    with _Guard(policy) as guard, _guarded_session(guard) as session:
        session.headers["Accept"] = ", ".join(policy.allowed_content_types)
        for _hop in range(policy.max_redirects + 1):
            check_url(current, policy)
            with _translated_errors(guard, current):
                timeout = guard.clamp_timeout(policy.timeout)
                response = session.get(
                    current, allow_redirects=False, stream=True, timeout=(timeout, timeout)
                )
            with response:
                target = session.get_redirect_target(response)
                if target is None:
                    return _page_from_response(response, guard, requested_url, current)
                current = normalise_url(urljoin(current, target))
        raise FetchError(
            "too_many_redirects",
            f"{requested_url} redirected more than {policy.max_redirects} times.",
        )


def _read_excerpt(
    response: requests.Response, guard: _Guard, url: str, limit: int
) -> tuple[bytes, bool]:
    """Read at most `limit` bytes of the decoded body; say whether there was more.

    The rest is never downloaded: the connection is dropped with the response.
    """
    chunks: list[bytes] = []
    total = 0
    with _translated_errors(guard, url, "body"):
        for chunk in response.iter_content(chunk_size=min(_CHUNK_SIZE, limit + 1)):
            guard.raise_if_expired()
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                break
    guard.raise_if_expired()
    data = b"".join(chunks)
    return data[:limit], len(data) > limit


@dataclass(frozen=True)
class PostResult:
    """What a server answered to a POST: its status and the start of its body."""

    url: str  # in `normalise_url` form
    status_code: int
    content_type: str  # media type only, lower case; "" when none was stated
    excerpt: str  # the first `excerpt_bytes` of the decoded body, as UTF-8 (errors replaced)
    truncated: bool  # the body went on past the excerpt
    location: str  # a redirect's target, reported and never followed; "" otherwise

    @property
    def ok(self) -> bool:
        """Whether the server accepted the request (2xx); a redirect is not acceptance."""
        return 200 <= self.status_code < 300


def post_json(
    url: str,
    *,
    body: bytes,
    headers: Mapping[str, str],
    policy: FetchPolicy,
    excerpt_bytes: int = 1024,
) -> PostResult:
    """POST a JSON body once under the policy; return the status and a capped body excerpt.

    Steps: normalise and check the URL as `fetch` does; send through the same guarded transport
    (resolve once, refuse non-public answers unless allowed, connect to a checked answer), with
    no redirect followed (a 3xx is returned with its Location, for the caller to treat as a
    failure: following it would re-send the body somewhere unchecked by the caller); read at
    most `excerpt_bytes` of the decoded body, of any content type. Everything, the body excerpt
    included, runs under the wall-clock deadline. A non-2xx answer is a result, not an error;
    raises FetchError for a refused URL or address, a timeout or a connection failure.
    """
    if excerpt_bytes <= 0:
        raise ValueError("post_json excerpt_bytes must be positive.")
    target = normalise_url(url)
    check_url(target, policy)
    with _Guard(policy) as guard, _guarded_session(guard) as session:
        with _translated_errors(guard, target):
            timeout = guard.clamp_timeout(policy.timeout)
            response = session.post(
                target,
                data=body,
                headers={"Content-Type": "application/json", "Accept": "*/*", **headers},
                allow_redirects=False,
                stream=True,
                timeout=(timeout, timeout),
            )
        with response:
            excerpt, truncated = _read_excerpt(response, guard, target, excerpt_bytes)
            media_type, _params = _media_type(response.headers.get("Content-Type", ""))
            return PostResult(
                url=target,
                status_code=response.status_code,
                content_type=media_type,
                excerpt=excerpt.decode("utf-8", errors="replace"),
                truncated=truncated,
                location=response.headers.get("Location", "") if response.is_redirect else "",
            )


def policy_from_settings() -> FetchPolicy:
    """Build the fetch policy from the FACTCHECK_FETCH_* Django settings."""
    # Imported here so the rest of the module works without Django configured.
    from django.conf import settings

    defaults = FetchPolicy()
    return FetchPolicy(
        allowed_networks=tuple(getattr(settings, "FACTCHECK_FETCH_ALLOWED_NETWORKS", ())),
        allowed_origins=tuple(getattr(settings, "FACTCHECK_FETCH_ALLOWED_ORIGINS", ())),
        max_bytes=int(getattr(settings, "FACTCHECK_FETCH_MAX_BYTES", defaults.max_bytes)),
        timeout=float(getattr(settings, "FACTCHECK_FETCH_TIMEOUT", defaults.timeout)),
        deadline=float(getattr(settings, "FACTCHECK_FETCH_DEADLINE", defaults.deadline)),
    )
