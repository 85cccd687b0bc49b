from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.empty_object import EmptyObject
from ...models.error_detail import ErrorDetail
from ...models.http_validation_error import HTTPValidationError
from ...types import Response


def _get_kwargs(
    spaces_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/spaces/{spaces_id}".format(
            spaces_id=quote(str(spaces_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> EmptyObject | ErrorDetail | HTTPValidationError | None:
    if response.status_code == 200:
        response_200 = EmptyObject.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorDetail.from_dict(response.json())

        return response_401

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[EmptyObject | ErrorDetail | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    spaces_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[EmptyObject | ErrorDetail | HTTPValidationError]:
    """Retired endpoint (always empty)

    Args:
        spaces_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EmptyObject | ErrorDetail | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        spaces_id=spaces_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    spaces_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> EmptyObject | ErrorDetail | HTTPValidationError | None:
    """Retired endpoint (always empty)

    Args:
        spaces_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EmptyObject | ErrorDetail | HTTPValidationError
    """

    return sync_detailed(
        spaces_id=spaces_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    spaces_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[EmptyObject | ErrorDetail | HTTPValidationError]:
    """Retired endpoint (always empty)

    Args:
        spaces_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EmptyObject | ErrorDetail | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        spaces_id=spaces_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    spaces_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> EmptyObject | ErrorDetail | HTTPValidationError | None:
    """Retired endpoint (always empty)

    Args:
        spaces_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EmptyObject | ErrorDetail | HTTPValidationError
    """

    return (
        await asyncio_detailed(
            spaces_id=spaces_id,
            client=client,
        )
    ).parsed
