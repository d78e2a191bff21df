"""Who may post to `/api/messages`: real HTTP requests carrying JWTs signed by a test key whose
OpenID metadata is served on loopback. A valid token is accepted; every way of being wrong is
a 401 (never a 500) and reaches nobody."""

from __future__ import annotations

import pytest

from tests.support.openid import unsigned_token
from tests.teams.conftest import APP_ID, MAYA, TeamsWorld


async def test_a_valid_token_is_accepted_and_answered(world: TeamsWorld) -> None:
    response = await world.post(world.connector.activity(MAYA, text="help"))
    assert response.status in (200, 201)
    [answer] = world.connector.sent_to(MAYA)
    assert "log session" in str(answer.cards)


@pytest.mark.parametrize(
    "wrong",
    [
        "wrong issuer",
        "wrong audience",
        "expired",
        "alg none",
        "unknown kid",
        "service url not its claim",
        "missing",
        "malformed",
        "not bearer",
    ],
)
async def test_every_bad_token_is_refused_with_401(world: TeamsWorld, wrong: str) -> None:
    url = world.connector.base_url
    tokens = {
        "wrong issuer": world.token(issuer="https://evil.example.org"),
        "wrong audience": world.token(audience="someone-else"),
        "expired": world.token(expires_in=-3600),
        "alg none": unsigned_token(audience=APP_ID, service_url=url),
        "unknown kid": world.token(kid="no-such-key"),
        "service url not its claim": world.token(service_url="https://elsewhere.example.org/"),
        "malformed": "not.a.jwt",
    }
    activity = world.connector.activity(MAYA, text="help")
    if wrong == "missing":
        response = await world.http.post(f"{world.url}/api/messages", json=activity)
    elif wrong == "not bearer":
        headers = {"Authorization": f"Basic {world.token()}"}
        response = await world.http.post(
            f"{world.url}/api/messages", json=activity, headers=headers
        )
    else:
        response = await world.post(activity, token=tokens[wrong])
    assert response.status == 401
    assert world.connector.sent == []
    assert await world.table("conversation_ref") == []


async def test_a_body_that_is_not_an_activity_is_a_400(world: TeamsWorld) -> None:
    headers = {"Authorization": f"Bearer {world.token()}", "Content-Type": "application/json"}
    response = await world.http.post(f"{world.url}/api/messages", data="{", headers=headers)
    assert response.status == 400
