"""Encryption at rest: AES-256-GCM over 1 MiB chunks (``cryptography``), with a key file.

A file is ``MAGIC`` then chunks of ``length (4 bytes) · nonce (12) · ciphertext+tag``. Each
chunk's associated data is its index and whether it is the last, so chunks cannot be reordered,
dropped or cut off without the decryption failing.
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
from pathlib import Path

from golive.exceptions import BackupError

MAGIC = b"GLBK\x01"
CHUNK = 1 << 20
_LENGTH = struct.Struct(">I")
SUFFIX = ".enc"


def read_key(path: Path) -> bytes:
    """A 32-byte key from ``path``: raw bytes, or hex / base64 text."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BackupError(f"cannot read the key file {path}: {exc.strerror}") from exc
    if len(raw) == 32:
        return raw
    text = raw.strip()
    for decode in (binascii.unhexlify, base64.b64decode):
        try:
            key = decode(text)
        except (binascii.Error, ValueError):
            continue
        if len(key) == 32:
            return key
    raise BackupError(
        f"the key file {path} must hold 32 bytes (raw, hex or base64); make one with"
        " `head -c 32 /dev/urandom > KEYFILE`"
    )


def _aad(index: int, last: bool) -> bytes:
    return struct.pack(">Q?", index, last)


def encrypt_file(source: Path, target: Path, key: bytes) -> None:
    """Write ``source`` encrypted to ``target``."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aes = AESGCM(key)
    with source.open("rb") as reader, target.open("wb") as writer:
        writer.write(MAGIC)
        chunk, index = reader.read(CHUNK), 0
        while True:
            following = reader.read(CHUNK)
            last = not following
            nonce = os.urandom(12)
            sealed = aes.encrypt(nonce, chunk, _aad(index, last))
            writer.write(_LENGTH.pack(len(sealed)) + nonce + sealed)
            if last:
                return
            chunk, index = following, index + 1


def decrypt_file(source: Path, target: Path, key: bytes) -> None:
    """Write ``source`` decrypted to ``target``; a wrong key or altered file is a BackupError."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aes = AESGCM(key)
    with source.open("rb") as reader, target.open("wb") as writer:
        if reader.read(len(MAGIC)) != MAGIC:
            raise BackupError(f"{source.name} is not a golive-encrypted file")
        index = 0
        header = reader.read(_LENGTH.size + 12)
        while True:
            if len(header) < _LENGTH.size + 12:
                raise BackupError(f"{source.name} is cut short (chunk {index} is missing)")
            (length,) = _LENGTH.unpack(header[: _LENGTH.size])
            nonce = header[_LENGTH.size :]
            sealed = reader.read(length)
            header = reader.read(_LENGTH.size + 12)
            last = not header
            try:
                writer.write(aes.decrypt(nonce, sealed, _aad(index, last)))
            except InvalidTag:
                raise BackupError(
                    f"{source.name} cannot be decrypted with this key (wrong key, or the file"
                    f" was altered or cut at chunk {index})"
                ) from None
            if last:
                return
            index += 1
