"""`GET /privacy`, `GET /terms` and `GET /`: the pages the Teams app package names as its
privacy statement, terms of use and website. The first two are each the operator's own page
when configured (`COACHBOT_PRIVACY_URL`, `COACHBOT_TERMS_URL`: a redirect), else a short page
built from the configuration saying who operates the bot, what it stores and who may see it."""

from __future__ import annotations

from html import escape

from aiohttp import web

from adapters.config import Settings

ABOUT_ROUTE = "/"
PRIVACY_ROUTE = "/privacy"
TERMS_ROUTE = "/terms"
DEFAULT_OPERATOR = "the organisation that runs this coachbot"


def mount_policy_pages(web_app: web.Application, settings: Settings) -> None:
    privacy = _page("coachbot: privacy", privacy_text(settings))
    terms = _page("coachbot: terms of use", terms_text(settings))
    about = _page("coachbot", about_text(settings))

    async def about_page(request: web.Request) -> web.StreamResponse:
        return web.Response(text=about, content_type="text/html", charset="utf-8")

    async def privacy_page(request: web.Request) -> web.StreamResponse:
        if settings.privacy_url:
            raise web.HTTPFound(settings.privacy_url)
        return web.Response(text=privacy, content_type="text/html", charset="utf-8")

    async def terms_page(request: web.Request) -> web.StreamResponse:
        if settings.terms_url:
            raise web.HTTPFound(settings.terms_url)
        return web.Response(text=terms, content_type="text/html", charset="utf-8")

    web_app.router.add_get(ABOUT_ROUTE, about_page)
    web_app.router.add_get(PRIVACY_ROUTE, privacy_page)
    web_app.router.add_get(TERMS_ROUTE, terms_page)


def operator(settings: Settings) -> str:
    return settings.operator or DEFAULT_OPERATOR


def about_text(settings: Settings) -> list[str]:
    return [
        f"coachbot runs the manager coaching programme of {operator(settings)} in Slack and "
        "Microsoft Teams: managers log development-focused 1:1 sessions, people follow their "
        "own development record, and L&D sees programme figures.",
        f"Privacy: {PRIVACY_ROUTE}. Terms of use: {TERMS_ROUTE}.",
    ]


def privacy_text(settings: Settings) -> list[str]:
    """The default privacy statement, one paragraph a line."""
    who = operator(settings)
    return [
        f"coachbot is operated by {who}, for its manager coaching programme. "
        f"Questions about your data go to {who}.",
        "What it stores: the people directory (name, e-mail, manager, department, team, time "
        "zone, and your Slack or Teams user id), the skills framework and course catalogue, "
        "and for each coaching session its date, duration, focus, skill, key points and agreed "
        "actions, course assignments and completions, learning-plan goals, and the reminders "
        "it sent. It keeps where to reach you in Slack or Teams so that it can message you.",
        "Who sees what: the key points and actions of a session never leave the two people in "
        "it: only the manager who wrote them and the employee they concern can read them. "
        "L&D and administrators see figures only (counts and rates), and only for groups of "
        f"at least {settings.min_group_size} people; no report shows a session's notes. In "
        "the L&D console, L&D admins also see the directory (your manager, reports, team, "
        "time zone, chat ids and leave), never what was said in a session.",
        "Nothing is sold or shared outside the organisation. Course enrolments and completions "
        "go to the organisation's own learning system when one is connected.",
        f"You may ask {who} for a copy of everything stored about you, or for it to be erased.",
    ]


def terms_text(settings: Settings) -> list[str]:
    """The default terms of use, one paragraph a line."""
    who = operator(settings)
    return [
        f"coachbot is provided by {who} to its own people, for its manager coaching "
        "programme, under that organisation's usual policies for its workplace tools.",
        "Use it to record development-focused coaching: session notes are for growth, not for "
        "appraisal or performance ratings, and the bot warns when notes read like appraisal.",
        "What the bot records is what you enter; keep it accurate and respectful, as in any "
        "work record. The privacy statement at /privacy says what is stored and who sees it.",
        f"Questions or problems: contact {who}.",
    ]


def _page(title: str, paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{escape(line)}</p>" for line in paragraphs)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head>\n<body>\n<h1>{escape(title)}</h1>\n{body}\n"
        "</body></html>\n"
    )
