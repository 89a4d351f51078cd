// Run by each TypeScript SDK generation (see test_ts_sdk.py), with the package on NODE_PATH.
// Reads BASE_URL, API_KEY, AUTH ("api-key" or "bearer") and EXPECTED (JSON) from the
// environment, walks and retrieves through the SDK, and prints a JSON report.
const sdk = require("@anthropic-ai/sdk");
const { VERSION } = require("@anthropic-ai/sdk/version");

const Anthropic = sdk.default ?? sdk;

async function ids(iterable) {
  const found = [];
  for await (const model of iterable) found.push(model.id);
  return found;
}

async function main() {
  const expected = JSON.parse(process.env.EXPECTED);
  const credential =
    process.env.AUTH === "bearer" ? { authToken: process.env.API_KEY } : { apiKey: process.env.API_KEY };
  const client = new Anthropic({ baseURL: process.env.BASE_URL, maxRetries: 0, ...credential });
  const report = { version: VERSION };
  report.forward = await ids(client.models.list({ limit: 3 }));
  report.beta_forward = await ids(client.beta.models.list({ limit: 4 }));
  const pages = [];
  let page = await client.models.list({ limit: 2, before_id: expected.default.at(-1) });
  for (;;) {
    pages.push(page.data.map((model) => model.id));
    if (!page.hasNextPage()) break;
    page = await page.getNextPage();
  }
  report.backward = pages.reverse().flat();
  report.retrieve = (await client.models.retrieve("claude-opus-4-7")).id;
  report.alias = (await client.models.retrieve("claude-sonnet-4-5")).id;
  report.beta_retrieve = (await client.beta.models.retrieve("claude-opus-4-0")).id;
  const { response } = await client.models.list({ limit: 1 }).withResponse();
  report.request_id_header = response.headers.get("request-id");
  try {
    await client.models.retrieve("claude-nothing");
  } catch (error) {
    report.not_found = { status: error.status, body: error.error, request_id: error.requestID };
  }
  process.stdout.write(JSON.stringify(report));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
