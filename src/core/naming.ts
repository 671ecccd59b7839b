// Folder names for tests: readable, portable, and one per full title path. A title made only of
// lower-case words and single spaces keeps its words (`answers about paris`); any other title
// (case, punctuation, other scripts, Windows-reserved names, a cut) also gets a hash of its exact
// text, so `'Mixed Case Title'` and `'mixed  case title'`, `'a-b'` and `'a b'`, `'🙂'` and `'🙃'`
// never share a folder.
import { createHash } from 'node:crypto';

const MAX_WORDS = 60;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

/** One path segment for a title. */
export function titleSegment(title: string): string {
  const words = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const lossless = /^[a-z0-9]+( [a-z0-9]+)*$/.test(title) && words.length <= MAX_WORDS && !WINDOWS_RESERVED.test(words);
  if (lossless) return words;
  const hash = createHash('sha256').update(title).digest('hex').slice(0, 8);
  const head = words.slice(0, MAX_WORDS).replace(/-+$/, '');
  return `${head || 'untitled'}-${hash}`;
}

/** A test's folder under llmDir: its spec file's path, then one segment per describe and the title. */
export function testFolder(specPath: string, titles: readonly string[]): string {
  return [specPath.split(/[\\/]/).join('/'), ...titles.map(titleSegment)].join('/');
}
