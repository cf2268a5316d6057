"""Print the sentences of a text with their check-worthiness, and its consistency flags."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.extraction import DEFAULT_THRESHOLD, Extraction, ModelError, extract, load_scorer

MAX_INPUT_BYTES = 50 * 1024 * 1024


def decode_input(raw: bytes, name: str) -> str:
    """Decode UTF-8 input (a BOM is allowed) or raise a CommandError that says why not."""
    if not raw.strip():
        raise CommandError(f"{name} is empty: there is no text to extract claims from.")
    if b"\x00" in raw[:65536]:
        raise CommandError(f"{name} looks like a binary file, not text.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{name} is not UTF-8 text (invalid byte at position {error.start}); "
            "convert it to UTF-8 first."
        ) from error
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > max(8, len(text[:65536]) // 100):
        raise CommandError(f"{name} looks like a binary file, not text.")
    return text


class Command(BaseCommand):
    help = (
        "Segment a text file (or standard input), score each sentence for check-worthiness "
        "and list contradictory figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", nargs="?", default="-", help="a UTF-8 text file, or - for stdin"
        )
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--all", action="store_true", help="print every sentence")
        parser.add_argument(
            "--lines",
            action="store_true",
            help="treat each input line as a separate document (offsets count from its start)",
        )
        parser.add_argument("--threshold", type=float, default=None, help="candidate cut-off")

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = options["threshold"]
        if threshold is None:
            threshold = float(getattr(settings, "FACTCHECK_CANDIDATE_THRESHOLD", DEFAULT_THRESHOLD))
        if not 0.0 <= threshold <= 1.0:
            raise CommandError("--threshold must be between 0 and 1.")
        text = decode_input(*self._read(options["file"]))
        try:
            scorer = load_scorer()
        except ModelError as error:
            raise CommandError(str(error)) from error
        documents: list[tuple[int | None, Extraction]]
        if options["lines"]:
            documents = [
                (number, extract(line, threshold=threshold, scorer=scorer))
                for number, line in enumerate(text.splitlines(), start=1)
                if line.strip()
            ]
        else:
            documents = [(None, extract(text, threshold=threshold, scorer=scorer))]
        if options["format"] == "json":
            self._write_json(documents, threshold, show_all=options["all"])
        else:
            self._write_text(documents, show_all=options["all"])

    def _read(self, name: str) -> tuple[bytes, str]:
        if name == "-":
            stream = getattr(sys.stdin, "buffer", None)
            raw = stream.read(MAX_INPUT_BYTES + 1) if stream else sys.stdin.read().encode()
            label = "standard input"
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file.")
            try:
                with path.open("rb") as handle:
                    raw = handle.read(MAX_INPUT_BYTES + 1)
            except OSError as error:
                raise CommandError(f"{name}: cannot read it ({error.strerror}).") from error
            label = name
        if len(raw) > MAX_INPUT_BYTES:
            raise CommandError(f"{label} is larger than {MAX_INPUT_BYTES // 2**20} MB.")
        return raw, label

    def _write_json(
        self, documents: list[tuple[int | None, Extraction]], threshold: float, *, show_all: bool
    ) -> None:
        payload = {
            "threshold": threshold,
            "documents": [
                {
                    "line": number,
                    "sentences": [
                        {
                            "index": s.index,
                            "start": s.start,
                            "end": s.end,
                            "text": s.text,
                            "score": round(s.score, 4),
                            "is_candidate": s.is_candidate,
                            "reasons": list(s.reasons),
                        }
                        for s in result.sentences
                        if show_all or s.is_candidate
                    ],
                    "flags": [
                        {
                            "kind": f.kind,
                            "sentence_indexes": list(f.sentence_indexes),
                            "message": f.message,
                            "arithmetic": f.arithmetic,
                        }
                        for f in result.flags
                    ],
                }
                for number, result in documents
            ],
        }
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))

    def _write_text(
        self, documents: list[tuple[int | None, Extraction]], *, show_all: bool
    ) -> None:
        for number, result in documents:
            if number is not None:
                self.stdout.write(f"== line {number}")
            shown = 0
            for s in result.sentences:
                if not (show_all or s.is_candidate):
                    continue
                shown += 1
                mark = "CANDIDATE" if s.is_candidate else "-"
                self.stdout.write(f"[{s.index}] {s.start}-{s.end} score {s.score:.2f} {mark}")
                self.stdout.write(f"    {s.text}")
                if s.reasons:
                    self.stdout.write(f"    reasons: {'; '.join(s.reasons)}")
            if not shown:
                self.stdout.write("(no candidate sentences)")
            for f in result.flags:
                indexes = ", ".join(str(i) for i in f.sentence_indexes)
                self.stdout.write(f"FLAG {f.kind} (sentences {indexes}): {f.arithmetic}")
                self.stdout.write(f"    {f.message}")
