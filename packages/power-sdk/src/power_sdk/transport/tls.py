"""PKCS#12 client certificates turned into the files paho-mqtt needs, with care.

paho (through :mod:`ssl`) only loads certificates and keys from files, and :mod:`ssl` cannot
read PKCS#12 at all, so the ``.pfx`` is decoded with ``cryptography`` and written to a private
``mkdtemp()`` directory (0o700) as 0o400 files. They are deleted on :meth:`TlsFiles.cleanup`,
on context exit, on every error path and, as a last resort, at interpreter exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import ssl
import tempfile
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    pkcs12,
)

from power_sdk.errors import TlsError

__all__ = ["TlsFiles", "client_context", "load_pkcs12", "read_pkcs12"]


def load_pkcs12(data: bytes, password: str | None) -> tuple[bytes, bytes, bytes]:
    """Decode a PKCS#12 bundle into PEM ``(certificate, private key, CA chain)``."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # cryptography's message never contains the password; keep it that way by not
        # formatting anything else from the input.
        raise TlsError(
            "cannot open the PKCS#12 certificate: wrong password or damaged file (or an "
            "encryption this OpenSSL build cannot read)"
        ) from exc
    if key is None or cert is None:
        raise TlsError("the PKCS#12 file holds no client certificate and private key")
    cert_pem = cert.public_bytes(Encoding.PEM)
    key_pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    chain_pem = b"".join(c.public_bytes(Encoding.PEM) for c in extra or ())
    return cert_pem, key_pem, chain_pem


def read_pkcs12(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the ``.pfx`` file at ``path``; :class:`TlsError` when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise TlsError(f"cannot read the PKCS#12 file {os.fspath(path)!r}: {exc.strerror}") from exc


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(path, 0o400)  # the umask may have narrowed it; never widened


class TlsFiles:
    """Certificate, key and optional CA chain as private temporary files."""

    def __init__(self, directory: Path, certfile: Path, keyfile: Path, cafile: Path | None) -> None:
        self.directory = directory
        self.certfile = certfile
        self.keyfile = keyfile
        self.cafile = cafile
        atexit.register(self.cleanup)

    @classmethod
    def from_pkcs12(cls, source: str | os.PathLike[str] | bytes, password: str | None) -> TlsFiles:
        """Decode the ``.pfx`` (its path, or its bytes) into a fresh private directory.

        Blocking file I/O: call it from a worker thread when an event loop is running.
        """
        data = source if isinstance(source, bytes) else read_pkcs12(source)
        cert_pem, key_pem, chain_pem = load_pkcs12(data, password)
        directory = Path(tempfile.mkdtemp(prefix="power-sdk-tls-"))
        try:
            os.chmod(directory, 0o700)
            certfile, keyfile = directory / "client.crt", directory / "client.key"
            _write_private(certfile, cert_pem)
            _write_private(keyfile, key_pem)
            cafile = None
            if chain_pem:
                cafile = directory / "chain.crt"
                _write_private(cafile, chain_pem)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        return cls(directory, certfile, keyfile, cafile)

    def cleanup(self) -> None:
        """Delete the files and their directory (idempotent)."""
        with contextlib.suppress(FileNotFoundError):
            for child in self.directory.iterdir():
                with contextlib.suppress(FileNotFoundError):
                    os.chmod(child, 0o600)
                    child.unlink()
            self.directory.rmdir()
        atexit.unregister(self.cleanup)

    def __enter__(self) -> TlsFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


def client_context(
    *,
    ca_file: str | None = None,
    certfile: str | os.PathLike[str] | None = None,
    keyfile: str | os.PathLike[str] | None = None,
    check_hostname: bool = True,
) -> ssl.SSLContext:
    """A TLS client context for the broker connection.

    The broker's certificate is checked against ``ca_file`` (default: the system's CAs), its
    host name too unless ``check_hostname`` is false; the client certificate and key are
    loaded when given. Blocking (it reads the files): call it from a worker thread when an
    event loop is running. The files may be deleted once it returned: the context holds what
    it needs.
    """
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_file)
    context.check_hostname = check_hostname
    if certfile is not None:
        context.load_cert_chain(certfile, keyfile)
    return context
