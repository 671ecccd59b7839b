// Which URLs count as LLM calls: the built-in provider list plus the user's `llmUrls`.
import { KNOWN_LLM_URLS } from '../wire/providers.js';

export type UrlPattern = string | RegExp;

/** A Playwright-style URL glob as a RegExp: `**` any characters, `*` any but `/`, `{a,b}` either. */
export function globToRegExp(glob: string): RegExp {
  let re = '^';
  let inGroup = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '{') {
      inGroup = true;
      re += '(?:';
    } else if (c === '}' && inGroup) {
      inGroup = false;
      re += ')';
    } else if (c === ',' && inGroup) re += '|';
    else re += c.replace(/[.+?^$()[\]\\|]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

/** The built-in provider URLs and the user's, as RegExps. */
export function llmUrlPatterns(extra: readonly UrlPattern[], withKnown = true): RegExp[] {
  return [...(withKnown ? KNOWN_LLM_URLS : []), ...extra].map((p) => (typeof p === 'string' ? globToRegExp(p) : p));
}

/** Whether a URL matches the patterns (and, with `withKnown`, the built-in provider URLs). */
export function urlMatcher(extra: readonly UrlPattern[], withKnown = true): (url: string) => boolean {
  const patterns = llmUrlPatterns(extra, withKnown);
  return (url) => {
    // Compare without the query string, as page.route globs do for `**` at the end anyway.
    const bare = url.split(/[?#]/)[0];
    return patterns.some((re) => {
      re.lastIndex = 0;
      return re.test(url) || re.test(bare);
    });
  };
}
