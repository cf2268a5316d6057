"""Article import benchmarks (``manage.py bench importing``).

1. Main text of news pages: our own demo articles (claims/demo/, our writing) wrapped in five
   page layouts we wrote, each with the boilerplate a real news page carries (menus, a cookie
   banner, breadcrumbs, share buttons, related-story lists, a newsletter box, a most-read
   sidebar, reader comments, a footer). Every boilerplate line and every article paragraph is
   known, so for each extractor we count the share of boilerplate lines kept (want 0) and of
   article lines lost (want 0): the extraction URL import uses (`article_text`, trafilatura
   favouring precision), the one archived sources use (`main_text`, trafilatura with a
   whole-page fallback) and the whole readable text (`html_to_text`, what URL import kept
   before).
2. `manage.py import_articles` on N generated article files (default 1,000; sentences we
   write, with varied figures so no two are the same), in a throw-away test database: files a
   second, then a second run over the same folder (every file unchanged).
"""

from __future__ import annotations

import html
import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
DEMO_DIR = BASE_DIR / "claims" / "demo"

# --- Boilerplate we wrote: each entry is one line a reader would see --------------------------
MENU = ["Home", "News", "Politics", "Business", "Sport", "Weather", "Opinion", "Podcasts"]
COOKIE = "We use cookies to give you the best experience on our site. Accept all cookies"
BREADCRUMB = ["Home", "News", "Harbourton"]
SHARE = ["Share on Facebook", "Share on X", "Email this story", "Print this page"]
RELATED = [
    "Ferry timetable changes announced for the winter season",
    "Harbourton library to open on Sundays from next month",
    "Three candidates stand in the Westbank by-election",
    "Police appeal for witnesses after seafront collision",
]
MOST_READ = [
    "Seafront cafe wins regional award for the second year",
    "Roadworks on the A31 to last until the spring",
    "Harbourton Rovers sign striker from league rivals",
]
NEWSLETTER = "Get the Harbourton Courier morning briefing in your inbox. Sign up now"
COMMENTS = [
    ("harbour_watcher", "This council never listens to the people who actually live here."),
    ("Mary T", "Good to see some money going to the east side of town for once."),
    ("pete1974", "Where were these figures last year when they cut the bus routes?"),
    ("a_local_voice", "I will believe it when I see the diggers on the seafront, not before."),
]
FOOTER = [
    "Copyright 2026 Harbourton Courier. All rights reserved.",
    "Contact us",
    "Privacy policy",
    "Terms of use",
    "Advertise with us",
]


def boilerplate_lines() -> list[str]:
    """The boilerplate lines measured: each is specific enough not to occur in an article (the
    one-word menu entries are not counted); a page is measured on those it shows."""
    lines = [COOKIE, NEWSLETTER, *RELATED, *MOST_READ, *SHARE, *FOOTER[:1]]
    lines += [f"{name} {text}" for name, text in COMMENTS]
    return lines


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _links(items: list[str], cls: str = "") -> str:
    return (
        f'<ul class="{cls}">'
        + "".join(f'<li><a href="/{i}">{_esc(i)}</a></li>' for i in items)
        + "</ul>"
    )


def _comments() -> str:
    return "".join(
        f'<div class="comment"><span class="author">{_esc(name)}</span> <p>{_esc(text)}</p></div>'
        for name, text in COMMENTS
    )


def _paragraphs(paragraphs: list[str]) -> str:
    return "".join(f"<p>{_esc(p)}</p>" for p in paragraphs)


def _semantic(title: str, paragraphs: list[str]) -> str:
    return (
        f"<!doctype html><html><head><title>{_esc(title)} | Harbourton Courier</title></head><body>"
        f'<div class="cookie-banner"><p>{_esc(COOKIE)}</p></div>'
        f"<header><nav>{_links(MENU, 'menu')}</nav></header>"
        f'<nav class="breadcrumb">{_links(BREADCRUMB)}</nav>'
        f"<main><article><h1>{_esc(title)}</h1>"
        f'<p class="byline">By Courier reporters</p>{_paragraphs(paragraphs)}'
        f'<div class="share">{_links(SHARE)}</div></article>'
        f"<aside><h2>Related stories</h2>{_links(RELATED, 'related')}</aside>"
        f'<section id="comments"><h2>Comments</h2>{_comments()}</section></main>'
        f"<footer><p>{_esc(FOOTER[0])}</p>{_links(FOOTER[1:])}</footer></body></html>"
    )


def _div_soup(title: str, paragraphs: list[str]) -> str:
    return (
        f"<html><head><title>{_esc(title)}</title></head><body>"
        f'<div id="top"><div class="logo">Harbourton Courier</div>{_links(MENU, "nav")}</div>'
        f'<div class="wrapper"><div class="col-main"><div class="headline">{_esc(title)}</div>'
        f'<div class="story-body">{_paragraphs(paragraphs)}</div>'
        f'<div class="signup"><p>{_esc(NEWSLETTER)}</p></div>'
        f'<div class="comments-area">{_comments()}</div></div>'
        f'<div class="col-side"><div class="most-read"><h3>Most read</h3>{_links(MOST_READ)}</div>'
        f'<div class="related-links">{_links(RELATED)}</div></div></div>'
        f'<div id="bottom"><p>{_esc(FOOTER[0])}</p>{_links(FOOTER[1:])}</div></body></html>'
    )


def _tables(title: str, paragraphs: list[str]) -> str:
    rows = "".join(f"<tr><td>{_esc(p)}</td></tr>" for p in paragraphs)
    return (
        f"<html><head><title>{_esc(title)}</title></head><body><table width=100%>"
        f"<tr><td colspan=2>{_links(MENU)}</td></tr><tr><td valign=top width=70%>"
        f"<h1>{_esc(title)}</h1><table>{rows}</table></td>"
        f"<td valign=top>{_links(MOST_READ)}<br>{_links(RELATED)}</td></tr>"
        f"<tr><td colspan=2>{_esc(FOOTER[0])}</td></tr></table></body></html>"
    )


def _inline_related(title: str, paragraphs: list[str]) -> str:
    body = ""
    for n, paragraph in enumerate(paragraphs):
        body += f"<p>{_esc(paragraph)}</p>"
        if n == 1:
            link = f'<a href="/r">{_esc(RELATED[0])}</a>'
            body += f'<p class="read-more"><strong>Read more:</strong> {link}</p>'
    return (
        f"<html><head><title>{_esc(title)}</title></head><body>"
        f'<div id="consent"><p>{_esc(COOKIE)}</p></div>'
        f"<header>{_links(MENU)}</header><article><h1>{_esc(title)}</h1>{body}</article>"
        f'<div class="social">{_links(SHARE)}</div>'
        f"<footer>{_esc(FOOTER[0])}</footer></body></html>"
    )


def _long_thread(title: str, paragraphs: list[str]) -> str:
    thread = "".join(
        f'<li class="comment"><b>{_esc(name)}</b><p>{_esc(text)}</p></li>'
        for name, text in COMMENTS * 3
    )
    return (
        f"<html><head><title>{_esc(title)}</title></head><body><nav>{_links(MENU)}</nav>"
        f"<article><h1>{_esc(title)}</h1>{_paragraphs(paragraphs)}</article>"
        f'<ol class="comment-list">{thread}</ol><footer>{_esc(FOOTER[0])}</footer></body></html>'
    )


LAYOUTS: dict[str, Callable[[str, list[str]], str]] = {
    "semantic": _semantic,
    "div soup": _div_soup,
    "tables": _tables,
    "inline related": _inline_related,
    "long comment thread": _long_thread,
}


def _demo_articles() -> list[tuple[str, list[str]]]:
    articles = []
    for path in sorted(DEMO_DIR.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
        articles.append((title.strip(), paragraphs))
    return articles


def _norm(text: str) -> str:
    return " ".join(text.split())


def main_text_figures() -> dict[str, Any]:
    """Step 1: boilerplate kept and article lost, per extractor, over every page."""
    from factcheck.lib.htmltext import article_text, html_to_text, main_text

    extractors: dict[str, Callable[[str], str]] = {
        "URL import (article_text)": lambda page: article_text(page).text,
        "archived sources (main_text)": lambda page: main_text(page)[1],
        "whole page (html_to_text, before)": lambda page: html_to_text(page)[1],
    }
    boilerplate = boilerplate_lines()
    results: dict[str, Any] = {}
    for name, extract in extractors.items():
        kept = total_boilerplate = lost = total_article = 0
        by_layout: dict[str, tuple[int, int]] = {}
        for layout, build in LAYOUTS.items():
            layout_kept = layout_lost = 0
            for title, paragraphs in _demo_articles():
                page = build(title, paragraphs)
                whole = _norm(html_to_text(page)[1])
                on_page = [line for line in boilerplate if _norm(line) in whole]
                text = _norm(extract(page))
                present = [line for line in on_page if _norm(line) in text]
                missing = [p for p in paragraphs if _norm(p) not in text]
                kept += len(present)
                layout_kept += len(present)
                total_boilerplate += len(on_page)
                lost += len(missing)
                layout_lost += len(missing)
                total_article += len(paragraphs)
            by_layout[layout] = (layout_kept, layout_lost)
        results[name] = {
            "boilerplate_kept": kept / total_boilerplate,
            "article_lost": lost / total_article,
            "boilerplate_lines": total_boilerplate,
            "article_lines": total_article,
            "by_layout": by_layout,
        }
    return results


SENTENCES = [
    "The council will spend {a} million pounds on the harbour walls in {y}, up from {b} million.",
    "Bus fares rise by {p}% from March, the operator said on {d}.",
    "Some {c} households applied for flood relief and {k} were paid, officials said.",
    "The school roof repair cost {a}.{p} million pounds, twice the first estimate.",
    "Ferry passengers rose to {c} in {y}, the busiest year since {z}.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def write_articles(folder: Path, count: int) -> None:
    """`count` article files of our own sentences, each with its own figures."""
    for n in range(count):
        lines = [f"Harbourton report {n}", ""]
        for i, sentence in enumerate(SENTENCES):
            lines.append(
                sentence.format(
                    a=n % 97 + i + 2,
                    b=n % 89 + 1,
                    y=2000 + n % 27,
                    z=1990 + n % 9,
                    p=n % 9 + 1,
                    d=DAYS[(n + i) % 5],
                    c=1000 + 7 * n + i,
                    k=500 + 3 * n + i,
                )
            )
            lines.append("")
        (folder / f"report-{n:05d}.txt").write_text("\n".join(lines), encoding="utf-8")


def import_figures(count: int) -> dict[str, Any]:
    """Step 2, in the test database the caller set up."""
    from django.core.management import call_command
    from django.db import connection

    from claims.models import Article

    with tempfile.TemporaryDirectory(prefix="factcheck-import-bench-") as folder:
        write_articles(Path(folder), count)
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            call_command("import_articles", folder, "--no-progress", stdout=io.StringIO())
            timings.append(time.perf_counter() - started)
        articles = Article.objects.count()
    return {
        "database": connection.vendor,
        "files": count,
        "articles": articles,
        "first_run_s": timings[0],
        "second_run_s": timings[1],
    }


def format_report(results: dict[str, Any]) -> str:
    lines = ["Main text of news pages (our 3 demo articles in 5 layouts we wrote, 15 pages):"]
    for name, figures in results["main_text"].items():
        lines.append(
            f"  {name:<34} boilerplate lines kept {figures['boilerplate_kept']:6.1%} "
            f"(of {figures['boilerplate_lines']}), article lines lost "
            f"{figures['article_lost']:6.1%} (of {figures['article_lines']})"
        )
        per_layout = ", ".join(
            f"{layout} {kept}/{lost}" for layout, (kept, lost) in figures["by_layout"].items()
        )
        lines.append(f"    kept/lost by layout: {per_layout}")
    imported = results["import"]
    lines.append(
        f"import_articles on {imported['files']:,} generated files ({imported['database']}, "
        f"throw-away database): first run {imported['first_run_s']:.1f} s "
        f"({imported['files'] / imported['first_run_s']:.0f} files/s, "
        f"{imported['articles']:,} articles), second run {imported['second_run_s']:.1f} s "
        f"({imported['files'] / imported['second_run_s']:.0f} files/s, all unchanged)"
    )
    return "\n".join(lines) + "\n"
