import { startUpstream } from '../support/upstream.js';

export default async function setup() {
  const upstream = await startUpstream();
  process.env.OPENAI_BASE_URL = `${upstream.url}/v1`;
  return () => upstream.close();
}
