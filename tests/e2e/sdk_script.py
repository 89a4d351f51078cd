"""Run by each SDK generation in its own virtual environment (see test_sdk_generations.py).

Reads BASE_URL, API_KEY and EXPECTED (JSON) from the environment, exercises the Models API with
strict response validation, and prints a JSON report. Written for anthropic 0.x, 1.x and 2.x.
"""

import json
import os
import sys

import anthropic

base_url = os.environ["BASE_URL"]
expected = json.loads(os.environ["EXPECTED"])
client = anthropic.Anthropic(
    api_key=os.environ["API_KEY"],
    base_url=base_url,
    _strict_response_validation=True,
    max_retries=0,
)
report = {"version": anthropic.__version__}
report["forward"] = [m.id for m in client.models.list(limit=3)]
report["beta_forward"] = [m.id for m in client.beta.models.list(limit=4)]
pages = []
page = client.models.list(limit=2, before_id=expected["default"][-1])
while True:
    pages.append([m.id for m in page.data])
    if not page.has_next_page():
        break
    page = page.get_next_page()
report["backward"] = [i for chunk in reversed(pages) for i in chunk]
report["retrieve"] = client.models.retrieve("claude-opus-4-7").id
report["alias"] = client.models.retrieve("claude-sonnet-4-5").id
report["beta_retrieve"] = client.beta.models.retrieve("claude-opus-4-0").id
has_lifecycle = "lifecycle" in client.models.list.__code__.co_varnames
if has_lifecycle:
    report["retired"] = [m.id for m in client.models.list(limit=3, lifecycle=["retired"])]
try:
    client.models.retrieve("claude-nothing")
except anthropic.NotFoundError as error:
    report["not_found"] = error.body
json.dump(report, sys.stdout)
