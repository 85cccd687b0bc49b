"""Malformed or surprising server answers raise typed errors (stubbed transport)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ace_skyspark_lib import Grid, Marker, Ref, ServerError, Site, SkysparkClient, ZincParseError


def _client_answering(answers: dict[str, Grid]) -> SkysparkClient:
    client = SkysparkClient("http://sky.invalid/api", "demo", "su", "secret")

    async def call(op: str, grid: Grid | None = None, **_: Any) -> Grid:
        return answers[op]

    client._transport.call = call  # type: ignore[method-assign]
    return client


async def test_commit_answer_with_the_wrong_row_count() -> None:
    client = _client_answering({"commit": Grid.from_rows([])})
    with pytest.raises(ServerError, match="commit add of 1 records answered with 0 rows"):
        await client.create_sites([Site(dis="Depot", refName="depot")])


async def test_delete_of_a_record_without_mod() -> None:
    client = _client_answering({"read": Grid.from_rows([{"id": Ref("p:demo:r:1")}])})
    with pytest.raises(ServerError, match="p:demo:r:1: the server sent the record without"):
        await client.delete_entity("p:demo:r:1")


async def test_answer_that_is_not_zinc() -> None:
    client = SkysparkClient("http://sky.invalid/api", "demo", "su", "secret")
    html = httpx.MockTransport(lambda request: httpx.Response(200, text="<html>\nhi</html>"))
    client._transport._http = httpx.AsyncClient(
        base_url=client._transport.project_url, transport=html
    )
    client._transport._token = "stub-token"
    with pytest.raises(
        ZincParseError, match=r"op 'read': the server's answer is not valid Zinc"
    ) as info:
        await client.read_sites()
    assert (info.value.line, info.value.column) == (1, 1)
    assert "is the URL a SkySpark /api base?" in str(info.value)


async def test_point_that_is_not_a_point_model() -> None:
    odd = {"id": Ref("p:demo:r:9"), "dis": "Loose", "point": Marker, "siteRef": Ref("p:demo:r:1")}
    client = _client_answering({"read": Grid.from_rows([odd])})
    with pytest.raises(ServerError, match="record p:demo:r:9 is not a valid Point"):
        await client.read_points_as_models()
