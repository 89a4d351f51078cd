"""Webhooks: change events signed the Standard Webhooks way and delivered at least once.

    signing.py       secrets (`whsec_...`) and signatures (`v1,...`)
    destinations.py  where a delivery may go: no loopback, link-local or private address
    sender.py        one try: resolve, check, sign, POST, and what came of it
    worker.py        the delivery worker: one per cluster, retries with exponential backoff

The events themselves are worked out in `catalogue/webhook_events.py` and written to the outbox
by the store, in the transaction of the change they tell of (`store/webhooks.py`).
"""
