"""Signatures: the specification's own example, and any message against an independent oracle."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st

from modeldir.webhooks.signing import new_secret, signature
from tests.support.webhooks import standard_webhooks_valid


def test_the_reference_libraries_example_signs_the_same() -> None:
    # The example the Standard Webhooks reference libraries test their `sign` with.
    assert (
        signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            b'{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_a_secret_is_whsec_and_32_random_bytes_in_base64() -> None:
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50
    for secret in secrets:
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32


@given(
    message_id=st.from_regex(r"msg_[A-Za-z0-9]{1,30}", fullmatch=True),
    body=st.binary(max_size=2000),
)
def test_any_message_verifies_with_the_independent_oracle(message_id: str, body: bytes) -> None:
    import time

    secret = new_secret()
    now = int(time.time())
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(now),
        "webhook-signature": signature(secret, message_id, now, body),
    }
    assert standard_webhooks_valid(secret, headers, body)
    assert not standard_webhooks_valid(new_secret(), headers, body)
    assert not standard_webhooks_valid(secret, headers, body + b" ")
    assert not standard_webhooks_valid(secret, {**headers, "webhook-id": message_id + "x"}, body)
