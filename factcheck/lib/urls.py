"""URL normalisation for the fetcher: one canonical form per http(s) URL, odd spellings folded.

The canonical form is the unique key of an archived source, and the fetcher's address checks run
on it, so every spelling a resolver would accept (`2130706433`, `0x7f000001`, `127.1`, IDNA,
percent escapes) is folded here before anything compares strings. No Django, no I/O.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import quote, urlsplit

import idna

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_PORTS = {"http": 80, "https": 443}

_ASCII_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_HEX_NUMBER = re.compile(r"0[xX][0-9a-fA-F]*")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_SAFE = "/:@!$&'()*+,;=%"
_QUERY_SAFE = "/?:@!$&'()*+,;=%"


class FetchError(Exception):
    """A page could not be fetched; `reason` is a short machine code, str() a human message.

    Reasons: blocked_address, bad_scheme, bad_port, credentials, too_many_redirects, too_large,
    timeout, content_type, http_error (with `status_code`), connection, invalid_url.
    """

    def __init__(self, reason: str, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.status_code = status_code

    def __repr__(self) -> str:
        return f"FetchError({self.reason!r}, {self.message!r}, status_code={self.status_code!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception pickling replays self.args, which holds the message only.
        return (FetchError, (self.reason, self.message), {"status_code": self.status_code})


def parse_ip(host: str) -> IPAddress | None:
    """The address if `host` (brackets allowed) is an IP literal, else None."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _parse_ipv4_number(part: str) -> int | None:
    """Parse one IPv4 part the way browsers and inet_aton do: 0x hex, leading-0 octal, decimal."""
    if _HEX_NUMBER.fullmatch(part):
        return int(part[2:] or "0", 16)
    if not part.isascii() or not part.isdigit():
        return None
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8) if all(char in "01234567" for char in part) else None
    return int(part)


def _parse_ipv4_host(host: str) -> str | None:
    """Return the dotted-quad form if the host ends in a number (WHATWG URL rules), else None.

    `2130706433`, `0x7f000001`, `0177.0.0.1` and `127.1` all mean 127.0.0.1 to the C resolver,
    so they must be folded here or they would slip past any check that compares strings.
    Raises FetchError('invalid_url') for a numeric host that is no valid address (1.2.3.256).
    """
    parts = host.split(".")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts.pop()
    last = parts[-1]
    if not (_HEX_NUMBER.fullmatch(last) or (last.isascii() and last.isdigit())):
        return None
    numbers = [_parse_ipv4_number(part) for part in parts]
    if len(parts) > 4 or any(number is None for number in numbers):
        raise FetchError("invalid_url", f"{host!r} is not a valid IPv4 address.")
    values = [number for number in numbers if number is not None]
    if any(value > 255 for value in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        raise FetchError("invalid_url", f"{host!r} is not a valid IPv4 address.")
    address = values[-1]
    for index, value in enumerate(values[:-1]):
        address += value << (8 * (3 - index))
    return str(ipaddress.IPv4Address(address))


def _normalise_host(host: str) -> str:
    """Lower-case, IDNA-encode and validate a host name, folding numeric IPv4 spellings."""
    if not host or "%" in host:
        # A percent-encoded host would be decoded by some parsers and not others.
        raise FetchError("invalid_url", f"{host!r} is not a valid host name.")
    if not host.isascii():
        try:
            # UTS 46 also maps full-width digits and dots, so the IPv4 check comes after.
            host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as error:
            raise FetchError("invalid_url", f"{host!r} is not a valid host name.") from error
    host = host.lower()
    ipv4 = _parse_ipv4_host(host)
    if ipv4 is not None:
        return ipv4
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if len(host) > 254 or not all(_ASCII_LABEL.fullmatch(label) for label in labels):
        raise FetchError("invalid_url", f"{host!r} is not a valid host name.")
    return host


def _remove_dot_segments(path: str) -> str:
    """Resolve `.` and `..` segments (RFC 3986 section 5.2.4)."""
    segments: list[str] = []
    parts = path.split("/")
    for index, segment in enumerate(parts):
        last = index == len(parts) - 1
        if segment == ".":
            if last:
                segments.append("")
        elif segment == "..":
            if len(segments) > 1:
                segments.pop()
            if last:
                segments.append("")
        else:
            segments.append(segment)
    result = "/".join(segments)
    return result if result.startswith("/") else "/" + result


def _normalise_percent(text: str, safe: str) -> str:
    """Escape stray '%', decode escaped unreserved characters, upper-case other escapes and
    percent-encode anything not allowed in a URL (non-ASCII as UTF-8)."""
    text = _STRAY_PERCENT.sub("%25", text)

    def fold(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else match.group(0).upper()

    return quote(_PERCENT_ESCAPE.sub(fold, text), safe=safe)


def normalise_url(url: str) -> str:
    """Return the canonical form of an http(s) URL, used as the unique key of a source.

    Lower-case scheme and host, IDNA host, numeric IPv4 spellings folded to dotted quads,
    compressed IPv6, default port dropped, fragment dropped, dot segments resolved, percent
    escapes normalised, empty path as '/', query kept in order. Idempotent. Raises FetchError
    ('invalid_url', 'bad_scheme' or 'credentials') for anything that is not such a URL.
    """
    if not isinstance(url, str) or not url.strip():
        raise FetchError("invalid_url", "The URL is empty.")
    url = url.strip()
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in url):
        # urlsplit silently deletes tabs and newlines; refuse rather than guess.
        raise FetchError("invalid_url", "The URL contains control characters.")
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise FetchError("invalid_url", f"{url!r} is not a valid URL: {error}.") from error
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise FetchError("bad_scheme", "Only http:// and https:// URLs can be fetched.")
    netloc = parts.netloc
    if "@" in netloc:
        raise FetchError("credentials", "URLs with a user name or password are not fetched.")
    if not netloc:
        raise FetchError("invalid_url", f"{url!r} has no host.")

    if netloc.startswith("["):
        host_text, bracket, port_text = netloc[1:].partition("]")
        if not bracket or (port_text and not port_text.startswith(":")):
            raise FetchError("invalid_url", f"{netloc!r} is not a valid host.")
        port_text = port_text[1:]
        address = parse_ip(host_text) if "%" not in host_text else None
        if not isinstance(address, ipaddress.IPv6Address):
            raise FetchError("invalid_url", f"{host_text!r} is not a valid IPv6 address.")
        host = f"[{address.compressed}]"
    else:
        host_text, _colon, port_text = netloc.partition(":")
        if ":" in port_text:
            raise FetchError("invalid_url", f"{netloc!r} is not a valid host.")
        host = _normalise_host(host_text)

    port: int | None = None
    if port_text:
        if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
            raise FetchError("invalid_url", f"{port_text!r} is not a valid port.")
        port = int(port_text)
    if port == DEFAULT_PORTS[scheme]:
        port = None

    path = _normalise_percent(parts.path, safe=_PATH_SAFE)
    path = _remove_dot_segments(path) if path else "/"
    query = _normalise_percent(parts.query, safe=_QUERY_SAFE)
    return f"{scheme}://{host}{f':{port}' if port else ''}{path}{f'?{query}' if query else ''}"
