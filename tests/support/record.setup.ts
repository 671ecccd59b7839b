import { startUpstream } from './upstream.js';

export default async function setup() {
  const upstream = await startUpstream({ tokenDelay: 30 });
  process.env.OPENAI_BASE_URL = `${upstream.url}/v1`;
  return () => upstream.close();
}
