import { startUpstream } from './upstream.js';

export default async function setup() {
  const upstream = await startUpstream({ tokenDelay: 30, port: Number(new URL(process.env.OPENAI_BASE_URL!).port) });
  return () => upstream.close();
}
