"""The demo and test PKI: Certomancer serving a time-stamping authority, an OCSP responder and a
CRL on 127.0.0.1, and issuing the demo clinic's seal certificate.

NOT FOR PRODUCTION. A clinic points PATHWAY_TSA_URL at a real TSA and seals with a certificate
issued by a real CA; nothing here is imported by the sealing pipeline.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

CONFIG_PATH = Path(__file__).resolve().parent / "certomancer.yml"
ARCH = "pathway-test"
KEY_LABELS = ("root", "seal", "tsa", "ocsp")


def keys_ensure(key_dir: Path) -> None:
    """Generate the test PKI's RSA keys once (they are test keys: never reuse them)."""
    key_dir.mkdir(parents=True, exist_ok=True)
    for label in KEY_LABELS:
        path = key_dir / f"{label}.key.pem"
        if path.exists():
            continue
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        path.chmod(0o600)


def base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def tsa_url(port: int) -> str:
    return f"{base_url(port)}/{ARCH}/tsa/tsa"


def load_config(key_dir: Path, port: int) -> Any:
    """The Certomancer configuration with its URLs pointing at 127.0.0.1:`port`."""
    from certomancer.registry import CertomancerConfig

    keys_ensure(key_dir)
    config = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    config["external-url-prefix"] = base_url(port)
    return CertomancerConfig(config, key_search_dir=str(key_dir))


@dataclass(frozen=True)
class SealPems:
    key_pem: bytes
    cert_pem: bytes  # the seal certificate, then the issuing root
    root_pem: bytes


def seal_pems(key_dir: Path, port: int) -> SealPems:
    """The demo clinic's seal key and certificate, issued by the test root CA."""
    from asn1crypto import pem

    arch = load_config(key_dir, port).get_pki_arch(ARCH)

    def armor(cert: Any) -> bytes:
        return bytes(pem.armor("CERTIFICATE", cert.dump()))

    root = armor(arch.get_cert("root"))
    return SealPems(
        key_pem=(key_dir / "seal.key.pem").read_bytes(),
        cert_pem=armor(arch.get_cert("seal")) + root,
        root_pem=root,
    )


class Services:
    """Certomancer's animator (TSA, OCSP, CRL, certificate repository) in a server thread."""

    def __init__(self, key_dir: Path, port: int = 0) -> None:
        from certomancer.integrations.animator import Animator, AnimatorArchStore
        from werkzeug.serving import make_server

        self._server = make_server("127.0.0.1", port, app=_placeholder, threaded=True)
        self.port = int(self._server.server_port)
        config = load_config(key_dir, self.port)
        self._server.app = Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> Services:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()


def _placeholder(environ: Any, start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]
